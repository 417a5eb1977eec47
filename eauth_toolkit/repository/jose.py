"""JWS for the repository (RFC 7515 via joserfc): signed submissions and signed lists.

Submissions travel as compact JWS (``typ`` ``eauth-repo-submission+jws``); a published list is a
flattened JWS JSON serialization (``typ`` ``eauth-repo-list+jws``) written in one canonical byte
form, so that verification can refuse any change to the file's bytes, even a change that a lenient
base64url decoder would not notice.
"""

from __future__ import annotations

import json
import warnings
from typing import Any

from joserfc import jws
from joserfc.errors import JoseError, SecurityWarning
from joserfc.jwk import Key
from joserfc.jws import JWSRegistry
from joserfc.util import urlsafe_b64decode

from eauth_toolkit.repository import strictjson
from eauth_toolkit.repository.keys import ALGORITHMS, algorithm_for, key_id

__all__ = [
    "SUBMISSION_TYP",
    "LIST_TYP",
    "JwsProblem",
    "sign_compact",
    "read_compact",
    "verify_compact",
    "sign_list",
    "parse_list",
    "verify_list_signature",
    "verify_list_bytes",
    "canonical_list_bytes",
    "check_header",
]

SUBMISSION_TYP = "eauth-repo-submission+jws"
LIST_TYP = "eauth-repo-list+jws"


class JwsProblem(Exception):
    """Internal: a JWS could not be parsed or verified; ``code`` says why."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


#: header parameters RFC 7515 registers; ``crit`` may not list them (section 4.1.11)
REGISTERED_HEADERS = frozenset(
    ("alg", "jku", "jwk", "kid", "x5u", "x5c", "x5t", "x5t#S256", "typ", "cty", "crit")
)
#: header parameters that carry or point to a key: keys come from the authority registry only
KEY_HEADERS = ("x5c", "x5u", "jwk", "jku")
#: extensions this implementation understands, so ``crit`` may name them (none so far)
UNDERSTOOD_EXTENSIONS: frozenset[str] = frozenset()
MAX_HEADER_BYTES = 16384


def _registry(max_payload: int, max_header: int = MAX_HEADER_BYTES) -> JWSRegistry:
    # unknown non-critical header parameters are ignored (RFC 7515 section 4); the rules on
    # ``crit`` and the key-bearing parameters are applied first by :func:`check_header`
    registry = JWSRegistry(algorithms=list(ALGORITHMS), strict_check_header=False)
    registry.max_payload_length = max_payload
    registry.max_header_length = max_header
    return registry


def _typ_matches(value: object, expected: str) -> bool:
    """RFC 7515 section 4.1.9: media type names compare without case, and the
    ``application/`` prefix may be left out."""
    if not isinstance(value, str):
        return False
    value = value.lower()
    if value.startswith("application/"):
        value = value[len("application/") :]
    return value == expected.lower()


def check_header(segment: bytes, *, typ: str | None) -> dict[str, Any]:
    """Decode and check a protected header (the base64url segment) by RFC 7515's rules.

    Refusal codes: ``bad_jws`` (not a JSON object, duplicate member, malformed ``crit``),
    ``unsigned``/``bad_algorithm`` (``alg``), ``key_in_header`` (``x5c``, ``x5u``, ``jwk`` or
    ``jku``: keys come from the authority registry, never from the message),
    ``unknown_critical`` (``crit`` names an extension this implementation does not understand),
    ``bad_typ`` (``typ`` missing or not ``typ``; not checked when ``typ`` is None). Other
    unknown parameters are ignored.
    """
    if len(segment) > MAX_HEADER_BYTES * 4 // 3 + 4:
        raise JwsProblem("bad_jws", f"the protected header is larger than {MAX_HEADER_BYTES} bytes")
    if not _canonical_b64(segment) or segment.translate(None, _B64):
        raise JwsProblem("bad_jws", "the protected header is not canonical base64url")
    try:
        header = strictjson.loads(urlsafe_b64decode(segment), max_depth=4)
    except (ValueError, TypeError) as exc:
        where = getattr(exc, "where", "/")
        raise JwsProblem(
            "bad_jws", f"the protected header is not valid JSON at {where}: {exc}"
        ) from None
    if not isinstance(header, dict):
        raise JwsProblem("bad_jws", "the protected header is not a JSON object")
    alg = header.get("alg")
    if alg not in ALGORITHMS:
        raise JwsProblem(
            "unsigned" if alg in (None, "none") else "bad_algorithm",
            f"JWS algorithm {alg!r} is not accepted (use one of {', '.join(ALGORITHMS)})",
        )
    carried = [name for name in KEY_HEADERS if name in header]
    if carried:
        raise JwsProblem(
            "key_in_header",
            f"the JWS header carries {', '.join(carried)}: keys and certificates are taken "
            "from the authority registry only, never from the message",
        )
    if "crit" in header:
        crit = header["crit"]
        if not isinstance(crit, list) or not crit:
            raise JwsProblem("bad_jws", "'crit' must be a non-empty list (RFC 7515 4.1.11)")
        if not all(isinstance(n, str) and n for n in crit) or len(set(crit)) != len(crit):
            raise JwsProblem("bad_jws", "'crit' must list distinct header parameter names")
        registered = sorted(set(crit) & REGISTERED_HEADERS)
        if registered:
            raise JwsProblem(
                "bad_jws",
                f"'crit' lists {', '.join(registered)}, which RFC 7515 defines: only "
                "extensions may be critical",
            )
        absent = [n for n in crit if n not in header]
        if absent:
            raise JwsProblem("bad_jws", f"'crit' lists {', '.join(absent)}, absent from the header")
        unknown = [n for n in crit if n not in UNDERSTOOD_EXTENSIONS]
        if unknown:
            raise JwsProblem(
                "unknown_critical",
                f"critical header parameter {', '.join(unknown)} is not understood",
            )
    if header.get("b64", True) is not True:
        raise JwsProblem("unknown_critical", "unencoded payloads (b64: false) are not accepted")
    if typ is not None and not _typ_matches(header.get("typ"), typ):
        raise JwsProblem(
            "bad_typ", f"JWS typ is {header.get('typ')!r}; expected {typ!r} (RFC 7515 4.1.9)"
        )
    return header


def _call(alg: str, fn: Any, *args: Any) -> Any:
    if alg != "EdDSA":
        return fn(*args)
    # joserfc warns that the polymorphic "EdDSA" name is deprecated by RFC 9864; it is still the
    # registered name for Ed25519 and what other AMS systems send, so the warning is dropped.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SecurityWarning)
        return fn(*args)


def sign_compact(payload: bytes, key: Key, *, typ: str = SUBMISSION_TYP) -> str:
    """Compact JWS of ``payload`` signed with ``key`` (ES256 or EdDSA by key type)."""
    header = {"alg": algorithm_for(key), "kid": key_id(key), "typ": typ}
    registry = _registry(max(len(payload) * 2, 1024))
    return str(_call(header["alg"], jws.serialize_compact, header, payload, key, None, registry))


def read_compact(
    value: str, *, max_payload: int, typ: str | None = SUBMISSION_TYP
) -> tuple[dict[str, Any], bytes, Any]:
    """Parse (not verify) a compact JWS: its protected header (checked by :func:`check_header`),
    payload and joserfc object."""
    if value.count(".") != 2:
        raise JwsProblem("unsigned", "not a compact JWS (expected three dot-separated parts)")
    try:
        raw = value.encode("ascii")
    except UnicodeError:
        raise JwsProblem("bad_jws", "the JWS contains non-ASCII characters") from None
    header = check_header(raw.split(b".", 1)[0], typ=typ)
    try:
        obj = jws.extract_compact(raw, None, _registry(max_payload))
    except JoseError as exc:
        text = str(exc) or exc.__class__.__name__
        code = "oversized" if "exceeds" in text else "bad_jws"
        raise JwsProblem(code, f"cannot parse the JWS: {text}") from None
    if not obj.segments["signature"]:
        raise JwsProblem("unsigned", "the JWS has no signature")
    return header, obj.payload, obj


def verify_compact(obj: Any, key: Key, *, max_payload: int) -> bool:
    """True when the parsed compact JWS ``obj`` is signed by ``key``."""
    try:
        if algorithm_for(key) != obj.headers().get("alg"):
            return False
        alg = str(obj.headers().get("alg"))
        return bool(_call(alg, jws.validate_compact, obj, key, None, _registry(max_payload)))
    except (JoseError, ValueError, TypeError):
        return False


def canonical_list_bytes(flattened: dict[str, Any]) -> bytes:
    """The one byte form in which a signed list is written."""
    return (
        b'{\n "protected": "'
        + flattened["protected"].encode("ascii")
        + b'",\n "payload": "'
        + flattened["payload"].encode("ascii")
        + b'",\n "signature": "'
        + flattened["signature"].encode("ascii")
        + b'"\n}\n'
    )


_HEAD = b'{\n "protected": "'
_MID_PAYLOAD = b'",\n "payload": "'
_MID_SIGNATURE = b'",\n "signature": "'
_TAIL = b'"\n}\n'


def _split_canonical(raw: bytes) -> tuple[bytes, bytes, bytes] | None:
    """The three members of a list file in canonical form, or None (without a regex pass over
    tens of megabytes: fixed delimiters, then one C-level scan per member)."""
    if not (raw.startswith(_HEAD) and raw.endswith(_TAIL)):
        return None
    body = raw[len(_HEAD) : -len(_TAIL)]
    first = body.split(_MID_PAYLOAD)
    if len(first) != 2:
        return None
    second = first[1].split(_MID_SIGNATURE)
    if len(second) != 2:
        return None
    members = (first[0], second[0], second[1])
    if not all(m and not m.translate(None, _B64) for m in members):
        return None
    return members


_B64 = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def _canonical_b64(value: bytes) -> bool:
    """Base64url without padding whose unused trailing bits are zero (so exactly one text
    encodes each byte string)."""
    rest = len(value) % 4
    if rest == 1:
        return False
    if rest == 0:
        return True
    last = _B64.index(value[-1:])
    return last & (0x0F if rest == 2 else 0x03) == 0


def sign_list(payload: bytes, key: Key) -> bytes:
    """A flattened JWS JSON serialization of the list payload, as canonical bytes."""
    header = {"alg": algorithm_for(key), "kid": key_id(key), "typ": LIST_TYP}
    registry = _registry(len(payload) * 2 + 1024)
    member = {"protected": header}
    out = _call(header["alg"], jws.serialize_json, member, payload, key, None, registry)
    return canonical_list_bytes(dict(out))


def parse_list(raw: bytes) -> dict[str, Any]:
    """Parse a signed list file, accepting only its canonical byte form."""
    members = _split_canonical(raw)
    if members is None:
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeError):
            raise JwsProblem("bad_jws", "not a signed list (the file is not JSON)") from None
        if isinstance(data, dict) and set(data) == {"protected", "payload", "signature"}:
            raise JwsProblem(
                "not_canonical", "the file's bytes differ from the signed list's canonical form"
            )
        raise JwsProblem(
            "bad_jws",
            "not a signed list (expected a flattened JWS with protected, payload, signature)",
        )
    parts = dict(zip(("protected", "payload", "signature"), members, strict=True))
    for name, value in parts.items():
        if not _canonical_b64(value):
            raise JwsProblem("bad_jws", f"the JWS {name} is not canonical base64url")
    return {name: value.decode("ascii") for name, value in parts.items()}


def verify_list_bytes(raw: bytes, key: Key) -> tuple[dict[str, Any], bytes]:
    """Parse and verify a signed list file in one pass (without copying the members around)."""
    members = _split_canonical(raw)
    if members is None:
        parse_list(raw)  # raises with the precise reason
        raise JwsProblem("bad_jws", "not a signed list")
    protected, payload, signature = members
    for name, value in (("protected", protected), ("payload", payload), ("signature", signature)):
        if not _canonical_b64(value):
            raise JwsProblem("bad_jws", f"the JWS {name} is not canonical base64url")
    header = check_header(protected, typ=LIST_TYP)
    return _verify_compact_bytes(protected + b"." + payload + b"." + signature, key, header)


def verify_list_signature(data: dict[str, Any], key: Key) -> tuple[dict[str, Any], bytes]:
    """Verify a parsed signed list with ``key``: its protected header and payload bytes."""
    header = check_header(data["protected"].encode("ascii"), typ=LIST_TYP)
    compact = f"{data['protected']}.{data['payload']}.{data['signature']}".encode("ascii")
    return _verify_compact_bytes(compact, key, header)


def _verify_compact_bytes(
    compact: bytes, key: Key, header: dict[str, Any]
) -> tuple[dict[str, Any], bytes]:
    registry = _registry(len(compact))
    try:
        obj = jws.extract_compact(compact, None, registry)
        if algorithm_for(key) != header["alg"]:
            raise JwsProblem(
                "bad_signature", f"the list is signed with {header['alg']}, the key is not for it"
            )
        valid = _call(header["alg"], jws.validate_compact, obj, key, None, registry)
    except JwsProblem:
        raise
    except (JoseError, ValueError, TypeError) as exc:
        raise JwsProblem(
            "bad_jws", f"cannot verify the list: {exc or type(exc).__name__}"
        ) from None
    if not valid:
        raise JwsProblem("bad_signature", "the list's signature does not verify")
    return header, obj.payload
