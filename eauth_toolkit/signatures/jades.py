"""JWS signatures: JAdES (ETSI TS 119 182-1) baseline B-B, B-T, B-LT and B-LTA.

Compact serialisation and both JSON serialisations (general: every signature gets a verdict;
flattened). The signature value is checked by joserfc with the signer's certificate (``x5c``, or
the certificate in ``etsiU`` that ``x5t#S256`` / ``x5t#o`` / ``sigX5ts`` names); every ETSI header
parameter is recognised: those listed in ``crit`` must be present and understood, the others are
reported. Detached payloads come from the caller (``--data``): ``sigD`` with the
``ObjectIdByURI`` or ``ObjectIdByURIHash`` mechanism, or a plain detached JWS.

Unsigned properties (``etsiU``): ``sigTst`` (the signature time stamp, message imprint over the
base64url signature value, 5.3.4), ``xVals``/``rVals``/``axVals``/``arVals``/``tstVD`` (certificates
and revocation values, used for the path validation), ``arcTst`` (archive time stamp, 5.3.6).
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from asn1crypto import cms, crl, ocsp, pem, tsp, x509
from joserfc import jws
from joserfc.errors import BadSignatureError, JoseError
from joserfc.jwk import ECKey, OKPKey, RSAKey
from joserfc.registry import HeaderParameter

from eauth_toolkit.signatures.models import FileReport
from eauth_toolkit.signatures.other_formats import (
    Check,
    DetachedData,
    archive_poe,
    b64any,
    finish,
    key_algorithm,
    read_source,
    signature_timestamp,
)
from eauth_toolkit.signatures.pades import ValidationOptions

__all__ = [
    "ETSI_PROTECTED",
    "ETSI_UNSIGNED",
    "jades_registry",
    "jws_checks",
    "jws_members",
    "validate_jws",
]


def _any(value: object) -> None:
    """JAdES structures are checked by this module, not by the JOSE library."""
    return None


#: ETSI TS 119 182-1 protected header parameters (5.1, 5.2) and what they are
ETSI_PROTECTED = {
    "sigT": "claimed signing time",
    "x5t#o": "signing certificate digest (other algorithm)",
    "sigX5ts": "signing certificate digests",
    "srCms": "signer commitments",
    "sigPl": "signature production place",
    "srAts": "signer attributes",
    "adoTst": "content time stamps",
    "sigPId": "signature policy identifier",
    "sigD": "signed data objects (detached)",
    "iat": "claimed signing time (seconds)",
    "cty": "content type",
    "b64": "unencoded payload (RFC 7797)",
}
#: ETSI TS 119 182-1 unsigned components of ``etsiU`` (5.3, annex A)
ETSI_UNSIGNED = {
    "sigTst": "signature time stamp",
    "xVals": "certificate values",
    "rVals": "revocation values",
    "axVals": "attribute certificate values",
    "arVals": "attribute revocation values",
    "tstVD": "time stamp validation data",
    "arcTst": "archive time stamp",
    "cSig": "counter-signature",
    "sigPSt": "signature policy store",
    "xRefs": "certificate references",
    "rRefs": "revocation references",
    "axRefs": "attribute certificate references",
    "arRefs": "attribute revocation references",
    "sigRTst": "time stamp on signature and references",
    "rfsTst": "time stamp on references",
}
#: header parameters JAdES requires to be critical when present (TS 119 182-1, 5.1.1/5.2)
_MUST_BE_CRITICAL = {
    "sigT",
    "x5t#o",
    "sigX5ts",
    "srCms",
    "sigPl",
    "srAts",
    "adoTst",
    "sigPId",
    "sigD",
}
_UNDERSTOOD = set(ETSI_PROTECTED) | {"b64"}

_ALGS = [
    "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA",
]  # fmt: skip
_ALG_DIGEST = {"256": "sha256", "384": "sha384", "512": "sha512"}

_OBJECT_ID_BY_URI = "http://uri.etsi.org/19182/ObjectIdByURI"
_OBJECT_ID_BY_URI_HASH = "http://uri.etsi.org/19182/ObjectIdByURIHash"
_HTTP_HEADERS = "http://uri.etsi.org/19182/HttpHeaders"
_DIG_ALGS = {
    "S256": "sha256",
    "S384": "sha384",
    "S512": "sha512",
    "http://www.w3.org/2001/04/xmlenc#sha256": "sha256",
    "http://www.w3.org/2001/04/xmldsig-more#sha384": "sha384",
    "http://www.w3.org/2001/04/xmlenc#sha512": "sha512",
    "http://www.w3.org/2000/09/xmldsig#sha1": "sha1",
}


def jades_registry(algorithms: list[str] | None = None) -> jws.JWSRegistry:
    """joserfc's JWS registry that understands the JAdES header parameters."""
    registry = jws.JWSRegistry(
        header_registry={
            k: HeaderParameter(f"{v} (JAdES)", _any)
            for k, v in ETSI_PROTECTED.items()
            if k not in ("b64", "cty")
        },
        algorithms=algorithms,
        strict_check_header=False,
    )
    # an x5c chain and ETSI parameters take several kilobytes; the default cap is 512 bytes
    registry.max_header_length = 64 * 1024
    registry.max_payload_length = 256 * 1024 * 1024
    return registry


def _b64url(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


class JadesFormatError(ValueError):
    pass


class _Member:
    """One signature of a JWS (compact: one; JSON general: each of ``signatures``)."""

    def __init__(
        self, protected_b64: str, payload_b64: str | None, signature_b64: str, unprotected: Any
    ) -> None:
        self.protected_b64 = protected_b64
        self.payload_b64 = payload_b64
        self.signature_b64 = signature_b64
        try:
            header = json.loads(b64any(protected_b64))
        except (ValueError, UnicodeDecodeError) as exc:
            raise JadesFormatError(f"the protected header is not base64url JSON ({exc})") from exc
        if not isinstance(header, dict):
            raise JadesFormatError("the protected header is not a JSON object")
        if unprotected is not None and not isinstance(unprotected, dict):
            raise JadesFormatError("the unprotected header is not a JSON object")
        self.header: dict[str, Any] = header
        self.unprotected: dict[str, Any] = unprotected or {}


def _members(token: bytes) -> tuple[list[_Member], str]:
    text = token.decode("utf-8-sig").strip()
    if text.startswith("{"):
        try:
            doc = json.loads(text)
        except ValueError as exc:
            raise JadesFormatError(f"not JSON ({exc})") from exc
        if not isinstance(doc, dict):
            raise JadesFormatError("not a JWS JSON serialisation")
        payload = doc.get("payload")
        if payload is not None and not isinstance(payload, str):
            raise JadesFormatError("payload is not a string")
        if "signatures" in doc:
            sigs = doc["signatures"]
            if not isinstance(sigs, list) or not sigs:
                raise JadesFormatError("signatures is not a non-empty list")
            out = []
            for i, s in enumerate(sigs):
                if (
                    not isinstance(s, dict)
                    or not isinstance(s.get("protected"), str)
                    or not isinstance(s.get("signature"), str)
                ):
                    raise JadesFormatError(
                        f"/signatures/{i}: protected and signature strings are required"
                    )
                out.append(_Member(s["protected"], payload, s["signature"], s.get("header")))
            return out, "JSON general serialisation"
        if not isinstance(doc.get("protected"), str) or not isinstance(doc.get("signature"), str):
            raise JadesFormatError("a flattened JWS needs protected and signature strings")
        return [
            _Member(doc["protected"], payload, doc["signature"], doc.get("header"))
        ], "JSON flattened serialisation"
    parts = text.split(".")
    if len(parts) != 3:
        raise JadesFormatError("a compact JWS has three parts separated by dots")
    return [_Member(parts[0], parts[1], parts[2], None)], "compact serialisation"


#: the signatures of a JWS in any serialisation, and which serialisation it is
jws_members = _members


def _check_crit(header: dict[str, Any], unprotected: dict[str, Any]) -> str | None:
    if "crit" in unprotected:
        return "crit must be in the protected header"
    if "crit" not in header:
        return None
    crit = header["crit"]
    if not isinstance(crit, list) or not crit or not all(isinstance(c, str) and c for c in crit):
        return "crit must be a non-empty list of header parameter names"
    for name in crit:
        if name not in header:
            return f"crit names {name}, which is not in the protected header"
        if name not in _UNDERSTOOD:
            return f"crit names {name}, a header parameter this validator does not understand"
    return None


def _pki_val(item: Any) -> bytes:
    if isinstance(item, dict):
        item = item.get("val")
    if not isinstance(item, str):
        raise JadesFormatError("a PKI object without a base64 val")
    return b64any(item)


def _etsi_u(member: _Member) -> list[tuple[str, Any, str]]:
    """``(name, value, as_written)`` of each etsiU component, in order."""
    items = member.unprotected.get("etsiU")
    if items is None:
        return []
    if not isinstance(items, list):
        raise JadesFormatError("etsiU is not a list")
    out = []
    for i, raw in enumerate(items):
        if isinstance(raw, str):
            try:
                obj = json.loads(b64any(raw))
            except ValueError as exc:
                raise JadesFormatError(f"etsiU/{i} is not base64url JSON") from exc
            written = raw
        else:
            obj = raw
            written = json.dumps(raw, separators=(",", ":"))
        if not isinstance(obj, dict) or len(obj) != 1:
            raise JadesFormatError(f"etsiU/{i} is not an object with one member")
        [(name, value)] = obj.items()
        out.append((name, value, written))
    return out


def _public_key(cert: x509.Certificate) -> Any:
    key_pem = pem.armor("PUBLIC KEY", cert.public_key.dump())
    algo = cert.public_key.algorithm
    if algo == "rsa":
        return RSAKey.import_key(key_pem)
    if algo == "ec":
        return ECKey.import_key(key_pem)
    return OKPKey.import_key(key_pem)


def _cert_refs(header: dict[str, Any]) -> list[tuple[str, bytes]]:
    refs = []
    if isinstance(header.get("x5t#S256"), str):
        refs.append(("sha256", b64any(header["x5t#S256"])))
    candidates = []
    if isinstance(header.get("x5t#o"), dict):
        candidates.append(header["x5t#o"])
    if isinstance(header.get("sigX5ts"), list) and header["sigX5ts"]:
        candidates.append(header["sigX5ts"][0])
    for c in candidates:
        if (
            isinstance(c, dict)
            and c.get("digAlg") in _DIG_ALGS
            and isinstance(c.get("digVal"), str)
        ):
            refs.append((_DIG_ALGS[c["digAlg"]], b64any(c["digVal"])))
    return refs


def _kid_match(
    header: dict[str, Any], certs: list[x509.Certificate], options: ValidationOptions
) -> x509.Certificate | None:
    """The certificate a ``kid`` names (TS 119 182-1, 5.1.4: the base64 DER of an IssuerSerial,
    RFC 5035), among the certificates of the signature, then those of the trust lists."""
    kid = header.get("kid")
    if not isinstance(kid, str):
        return None
    try:
        ref = tsp.IssuerSerial.load(b64any(kid))
        serial = ref["serial_number"].native
        names = [g.chosen for g in ref["issuer"] if g.name == "directory_name"]
    except (ValueError, TypeError):
        return None
    for c in [*certs, *options.trust.anchors()]:
        if c.serial_number == serial and any(c.issuer == n for n in names):
            return c
    return None


def _signed_octets(
    member: _Member, check: Check, data: DetachedData | None
) -> tuple[bytes | None, list[str]]:
    """The JWS payload as it enters the signing input, and what it covers."""
    header = member.header
    b64 = header.get("b64", True) is not False
    sig_d = header.get("sigD")
    if sig_d is None:
        if member.payload_b64:
            return member.payload_b64.encode(), ["the payload"]
        if not data:
            check.fail(
                "INDETERMINATE",
                "SIGNED_DATA_NOT_FOUND",
                "detached payload: give the signed file with --data",
            )
            return None, []
        name, content = next(iter(data.items()))
        return (_b64url(content) if b64 else content), [f"detached file {name}"]
    if not isinstance(sig_d, dict) or not isinstance(sig_d.get("pars"), list):
        raise JadesFormatError("sigD must be an object with a pars list")
    mid = sig_d.get("mId")
    pars = [str(p) for p in sig_d["pars"]]
    if mid == _HTTP_HEADERS:
        check.fail(
            "INDETERMINATE",
            "SIGNED_DATA_NOT_FOUND",
            "sigD HttpHeaders: the signed HTTP message is not available to this validator",
        )
        return None, []
    if mid not in (_OBJECT_ID_BY_URI, _OBJECT_ID_BY_URI_HASH):
        raise JadesFormatError(f"sigD mechanism {mid} is not defined by TS 119 182-1")
    contents: list[bytes] = []
    covered = []
    for uri in pars:
        found = _lookup(uri, data)
        if found is None:
            check.fail(
                "INDETERMINATE",
                "SIGNED_DATA_NOT_FOUND",
                f"sigD names {uri}: give the signed file with --data",
            )
            return None, []
        contents.append(found)
        covered.append(f"detached file {uri}")
    if mid == _OBJECT_ID_BY_URI_HASH:
        hash_m = _DIG_ALGS.get(str(sig_d.get("hashM")))
        values = sig_d.get("hashV")
        if hash_m is None or not isinstance(values, list) or len(values) != len(pars):
            raise JadesFormatError("sigD ObjectIdByURIHash needs hashM and one hashV per pars")
        check.algorithms.append((hash_m, None))
        for uri, content, value in zip(pars, contents, values, strict=True):
            expected = b64any(str(value))
            if expected not in (
                hashlib.new(hash_m, content).digest(),
                hashlib.new(hash_m, _b64url(content)).digest(),
            ):
                check.fail(
                    "TOTAL-FAILED",
                    "HASH_FAILURE",
                    f"{uri} does not match its digest in sigD",
                    intact=False,
                )
        return (member.payload_b64 or "").encode(), covered
    joined = b"".join(contents)
    return (_b64url(joined) if b64 else joined), covered


def _lookup(uri: str, data: DetachedData | None) -> bytes | None:
    if not data:
        return None
    from urllib.parse import unquote

    base = unquote(uri).rsplit("/", 1)[-1]
    for candidate in (uri, unquote(uri), base):
        if candidate in data:
            return data[candidate]
    return next(iter(data.values())) if len(data) == 1 else None


def _claimed(header: dict[str, Any], check: Check) -> None:
    if "sigT" in header:
        try:
            check.claimed = datetime.fromisoformat(str(header["sigT"]).replace("Z", "+00:00"))
        except ValueError:
            check.warnings.append("sigT is not a valid time")
    elif isinstance(header.get("iat"), int):
        check.claimed = datetime.fromtimestamp(header["iat"], UTC)


async def _check_member(
    member: _Member, options: ValidationOptions, data: DetachedData | None
) -> Check:
    header = member.header
    check = Check()
    problem = _check_crit(header, member.unprotected)
    if problem:
        check.fail("TOTAL-FAILED", "FORMAT_FAILURE", problem, intact=False)
        return check
    crit = set(header.get("crit") or [])
    loose = sorted(k for k in _MUST_BE_CRITICAL if k in header and k not in crit)
    if loose:
        check.warnings.append(f"{', '.join(loose)} should be listed in crit (TS 119 182-1)")
    alg = header.get("alg")
    if alg not in _ALGS:
        check.fail(
            "TOTAL-FAILED",
            "FORMAT_FAILURE",
            f"alg {alg!r} is not a signature algorithm",
            intact=False,
        )
        return check
    check.algorithms.append((_ALG_DIGEST.get(str(alg)[2:], "sha512"), None))
    _claimed(header, check)
    unsigned = _etsi_u(member)
    names = [n for n, _, _ in unsigned]
    for n in names:
        if n not in ETSI_UNSIGNED:
            check.warnings.append(f"etsiU component {n} is not defined by TS 119 182-1")
        elif n in ("sigRTst", "rfsTst", "sigPSt"):
            check.warnings.append(f"etsiU {n} ({ETSI_UNSIGNED[n]}) is reported, not validated")
    if "sigPId" in header:
        check.warnings.append("signature policy (sigPId) reported, not processed")
    reported = sorted(k for k in header if k in ETSI_PROTECTED and k not in ("b64", "cty"))
    if reported:
        check.warnings.append(
            "JAdES header parameters: " + ", ".join(f"{k} ({ETSI_PROTECTED[k]})" for k in reported)
        )

    # certificates: x5c, then the values in etsiU
    certs: list[x509.Certificate] = []
    try:
        for c in header.get("x5c") or []:
            certs.append(x509.Certificate.load(base64.b64decode(c)))
        for name, value, _ in unsigned:
            if name in ("xVals", "axVals") and isinstance(value, list):
                for v in value:
                    if isinstance(v, dict) and "x509Cert" in v:
                        certs.append(x509.Certificate.load(_pki_val(v["x509Cert"])))
            if name == "tstVD" and isinstance(value, dict):
                for v in value.get("certVals") or []:
                    certs.append(
                        x509.Certificate.load(
                            _pki_val(v.get("x509Cert", v) if isinstance(v, dict) else v)
                        )
                    )
        for c in certs:
            _ = c.subject
    except (ValueError, TypeError, JadesFormatError) as exc:
        check.fail(
            "TOTAL-FAILED", "FORMAT_FAILURE", f"a certificate cannot be read ({exc})", intact=False
        )
        return check
    refs = _cert_refs(header)
    leaf = None
    by_kid = _kid_match(header, certs, options)
    if by_kid is not None and not refs:
        leaf = by_kid
    elif refs:
        leaf = next(
            (c for c in certs if any(hashlib.new(a, c.dump()).digest() == v for a, v in refs)), None
        )
        if leaf is None:
            check.fail(
                "INDETERMINATE",
                "NO_SIGNING_CERTIFICATE_FOUND",
                "no certificate in the signature matches the signed certificate digest (x5t#S256/x5t#o/sigX5ts)",
            )
            return check
    elif certs and "kid" not in header:
        leaf = certs[0]
    else:
        check.fail(
            "INDETERMINATE",
            "NO_SIGNING_CERTIFICATE_FOUND",
            "kid names no certificate of the signature or of the trust lists"
            if "kid" in header
            else None,
        )
        return check
    assert leaf is not None
    check.leaf = leaf
    check.chain = [c for c in certs if c.sha256 != leaf.sha256]
    check.algorithms.append(key_algorithm(leaf))

    # the signing input and the signature value (joserfc)
    try:
        payload, covered = _signed_octets(member, check, data)
    except (JadesFormatError, ValueError) as exc:
        check.fail("TOTAL-FAILED", "FORMAT_FAILURE", str(exc), intact=False)
        return check
    if payload is None or check.indication == "TOTAL-FAILED":
        return check
    check.coverage = ", ".join(covered)
    try:
        key = _public_key(leaf)
        b64 = header.get("b64", True) is not False
        if b64:
            token = f"{member.protected_b64}.{payload.decode()}.{member.signature_b64}"
            jws.deserialize_compact(token, key, registry=jades_registry([str(alg)]))
        else:
            jws.deserialize_compact(
                f"{member.protected_b64}..{member.signature_b64}",
                key,
                registry=jades_registry([str(alg)]),
                payload=payload,
            )
    except BadSignatureError:
        check.fail("TOTAL-FAILED", "SIG_CRYPTO_FAILURE", None, intact=False)
        return check
    except (JoseError, ValueError, TypeError) as exc:
        check.fail(
            "TOTAL-FAILED",
            "FORMAT_FAILURE",
            f"the JWS cannot be verified: {getattr(exc, 'description', None) or 'malformed header or key'}",
            intact=False,
        )
        return check

    # etsiU: validation data and time stamps
    await _unsigned(member, unsigned, payload, check, options)
    check.baseline = _baseline(header, names)
    return check


async def _unsigned(
    member: _Member,
    unsigned: list[tuple[str, Any, str]],
    payload: bytes,
    check: Check,
    options: ValidationOptions,
) -> None:
    for name, value, _ in unsigned:  # validation data first: the time stamps' paths use it
        if name in ("rVals", "arVals") or (name == "tstVD" and isinstance(value, dict)):
            rv = value.get("revVals", value) if name == "tstVD" else value
            try:
                if isinstance(rv, dict):
                    for v in rv.get("crlVals") or []:
                        check.crls.append(crl.CertificateList.load(_pki_val(v)))
                    for v in rv.get("ocspVals") or []:
                        check.ocsps.append(ocsp.OCSPResponse.load(_pki_val(v)))
            except (JadesFormatError, ValueError, TypeError) as exc:
                check.warnings.append(f"etsiU {name} cannot be read ({exc})")
    previous = b""
    stamps: list[tuple[str, Any, bytes]] = []
    for name, value, written in unsigned:
        if name in ("sigTst", "arcTst"):
            stamps.append((name, value, previous))
        previous += written.encode()
    archives: list[tuple[bytes | cms.ContentInfo, bytes | None]] = []
    for name, value, before in stamps:
        if name == "arcTst":
            # the signed data, the protected header, the signature value and the etsiU
            # components before it (5.3.6.3)
            imprint = (
                payload
                + b"."
                + member.protected_b64.encode()
                + b"."
                + member.signature_b64.encode()
                + before
            )
            try:
                archives += [(_pki_val(t), imprint) for t in _tokens(name, value)]
            except (JadesFormatError, ValueError, TypeError) as exc:
                check.warnings.append(f"etsiU {name} cannot be read ({exc})")
    poe = await archive_poe(archives, options, check) if archives else None
    for name, value, _ in stamps:
        if name == "sigTst":  # imprint: the base64url signature value (5.3.4)
            try:
                for t in _tokens(name, value):
                    await signature_timestamp(
                        _pki_val(t), member.signature_b64.encode(), options, check, poe
                    )
            except (JadesFormatError, ValueError, TypeError) as exc:
                check.warnings.append(f"etsiU {name} cannot be read ({exc})")
    if "sigTst" in {n for n, _, _ in unsigned} and check.proven is None:
        check.warnings.append("no valid signature time stamp: nothing proves the signing time")


def _tokens(name: str, value: Any) -> list[Any]:
    tokens = value.get("tstTokens") if isinstance(value, dict) else None
    if not isinstance(tokens, list) or not tokens:
        raise JadesFormatError(f"{name} without tstTokens")
    return tokens


def _baseline(header: dict[str, Any], unsigned: list[str]) -> str | None:
    has_cert = any(k in header for k in ("x5t#S256", "x5t#o", "sigX5ts", "x5c"))
    has_time = "sigT" in header or "iat" in header
    if not (has_cert and has_time):
        return None
    if "sigTst" not in unsigned:
        return "B-B"
    if not (
        ({"xVals", "axVals"} & set(unsigned) or "x5c" in header)
        and {"rVals", "arVals", "tstVD"} & set(unsigned)
    ):
        return "B-T"
    return "B-LTA" if "arcTst" in unsigned else "B-LT"


async def validate_jws(
    source: Path | bytes,
    options: ValidationOptions,
    *,
    name: str,
    data: DetachedData | None = None,
) -> FileReport:
    raw = read_source(source)
    try:
        members, form = _members(raw)
    except (JadesFormatError, UnicodeDecodeError) as exc:
        return FileReport(file=name, format="JAdES", error=f"cannot read: not a JWS ({exc})")
    if all(m.header.get("alg") in (None, "none") for m in members):
        return FileReport(
            file=name,
            format="JAdES",
            error="cannot read: not a JWS signature (alg none or missing)",
        )
    checks = await jws_checks(members, options, data)
    return await finish(checks, options, name=name, fmt="JAdES", notes=[f"JWS {form}"])


async def jws_checks(
    members: list[_Member], options: ValidationOptions, data: DetachedData | None
) -> list[Check]:
    """One check per signature of the JWS, each followed by its counter-signatures (cSig)."""
    checks = []
    for i, m in enumerate(members):
        c = await _check_member(m, options, data)
        c.label = f"signature {i + 1}" if len(members) > 1 else None
        checks.append(c)
        checks += await _counter_signatures(m, c.label or "signature", options)
    return checks


async def _counter_signatures(
    member: _Member, label: str, options: ValidationOptions
) -> list[Check]:
    """``cSig`` components (TS 119 182-1, 5.3.2): each a JAdES signature, in compact or
    flattened JSON serialisation, whose detached payload is the counter-signed signature
    value; each gets its own check (and so its own verdict)."""
    try:
        unsigned = _etsi_u(member)
    except JadesFormatError:
        return []
    out: list[Check] = []
    k = 0
    for name, value, _ in unsigned:
        if name != "cSig":
            continue
        k += 1
        what = f"{label}, counter-signature {k}"
        try:
            raw = value if isinstance(value, str) else json.dumps(value)
            counters, _ = _members(raw.encode())
            if len(counters) != 1:
                raise JadesFormatError("a cSig holds one signature")
            counter = counters[0]
            signed_value = b64any(member.signature_b64)
        except (JadesFormatError, ValueError, TypeError) as exc:
            c = Check(label=what)
            c.fail("TOTAL-FAILED", "FORMAT_FAILURE", f"cSig cannot be read ({exc})", intact=False)
            out.append(c)
            continue
        if counter.payload_b64 and b64any(counter.payload_b64) != signed_value:
            c = Check(label=what)
            c.fail(
                "TOTAL-FAILED",
                "HASH_FAILURE",
                "the counter-signature signs another value than this signature's",
                intact=False,
            )
            out.append(c)
            continue
        counter.payload_b64 = None
        b64 = counter.header.get("b64", True) is not False
        content = signed_value if b64 else member.signature_b64.encode()
        c = await _check_member(counter, options, {"the counter-signed signature value": content})
        c.label = what
        c.coverage = "the signature value"
        out.append(c)
        out += await _counter_signatures(counter, what, options)
    return out
