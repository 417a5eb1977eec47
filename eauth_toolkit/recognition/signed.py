"""Agreement documents: one agreement, signed by the authority of every party (RFC 7515 JWS JSON).

An agreement travels as a general JWS JSON serialization (RFC 7515, section 7.2.1): the payload is
the agreement (:class:`~eauth_toolkit.recognition.models.Agreement`) in canonical JSON, and
``signatures`` holds one signature per party AMS. Each signature's protected header names the
signing AMS (``ams``), the key (``kid``), the algorithm (ES256 or EdDSA) and the type
``eauth-agreement+jws``. Parties sign one after another: :func:`add_signature` adds one AMS's
signature to the document another AMS already signed.

:func:`check_agreement` gives a value, never an exception for a document it could read: the
agreement is *in force* on a day only when every party's authority signed it with its registered
key and the day lies between the agreement's dates. A signature by a non-party, by the wrong key
or over another payload makes the whole document invalid (``reasons`` say which).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from joserfc import jws
from joserfc.errors import JoseError, SecurityWarning
from joserfc.jwk import Key
from joserfc.registry import HeaderParameter
from joserfc.util import json_b64decode
from pydantic import ValidationError

from eauth_toolkit.errors import RecognitionError
from eauth_toolkit.recognition.models import Agreement
from eauth_toolkit.repository.keys import ALGORITHMS, AuthorityRegistry, algorithm_for, key_id

__all__ = [
    "AGREEMENT_TYP",
    "AgreementStatus",
    "agreement_payload",
    "add_signature",
    "read_agreement",
    "check_agreement",
    "load_agreement_file",
    "agreements_in_force",
    "signer_ams",
]

AGREEMENT_TYP = "eauth-agreement+jws"
_MAX_PAYLOAD = 1024 * 1024


def agreement_payload(agreement: Agreement) -> bytes:
    """The canonical JSON bytes every party signs."""
    data = agreement.model_dump(mode="json", exclude_none=True)
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _sign_one(payload: bytes, key: Key, ams: str) -> dict[str, Any]:
    alg = algorithm_for(key)
    header = {"alg": alg, "kid": key_id(key), "typ": AGREEMENT_TYP, "ams": ams}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SecurityWarning)
        doc = jws.serialize_json([{"protected": header}], payload, key, registry=_registry())
    return dict(doc)


def add_signature(document: dict[str, Any] | Agreement, key: Key, *, ams: str) -> dict[str, Any]:
    """``document`` (an agreement, or an agreement document signed by other parties) with the
    signature of ``ams``'s authority added; an AMS that already signed is signed again."""
    if isinstance(document, Agreement):
        agreement, payload = document, agreement_payload(document)
        signatures: list[dict[str, Any]] = []
    else:
        agreement, payload, signatures = _parse(document, where="agreement")
    if ams not in agreement.parties:
        raise RecognitionError(
            f"{ams} is not a party to agreement {agreement.id} ({', '.join(agreement.parties)})",
            code="not_a_party",
        )
    own = _sign_one(payload, key, ams)
    kept = [s for s in signatures if _header(s).get("ams") != ams]
    return {"payload": own["payload"], "signatures": [*kept, *own["signatures"]]}


def _registry() -> jws.JWSRegistry:
    registry = jws.JWSRegistry(
        header_registry={"ams": HeaderParameter("signing AMS", "str", True)},
        algorithms=list(ALGORITHMS),
    )
    registry.max_payload_length = _MAX_PAYLOAD
    return registry


def _header(signature: dict[str, Any]) -> dict[str, Any]:
    try:
        value = json_b64decode(str(signature.get("protected", "")).encode("ascii"))
    except (ValueError, TypeError, UnicodeError):
        return {}
    return value if isinstance(value, dict) else {}


def _parse(document: Any, *, where: str) -> tuple[Agreement, bytes, list[dict[str, Any]]]:
    if (
        not isinstance(document, dict)
        or not isinstance(document.get("payload"), str)
        or not isinstance(document.get("signatures"), list)
    ):
        raise RecognitionError(
            "not an agreement document: expected a JWS JSON general serialization with "
            "'payload' and 'signatures'",
            where=where,
            code="bad_agreement",
        )
    try:
        obj = jws.extract_general_json(document, _registry())  # type: ignore[arg-type]
    except (JoseError, ValueError, TypeError, KeyError) as exc:
        raise RecognitionError(
            f"cannot read the agreement JWS: {exc or type(exc).__name__}",
            where=where,
            code="bad_agreement",
        ) from None
    try:
        agreement = Agreement.model_validate_json(obj.payload)
    except ValidationError as exc:
        first = exc.errors()[0]
        pointer = "/" + "/".join(str(p) for p in first["loc"])
        raise RecognitionError(
            f"the signed agreement is not valid: {first['msg']}",
            where=f"{where}#/payload{pointer}",
            code="bad_agreement",
        ) from None
    return agreement, obj.payload, [dict(s) for s in document["signatures"]]


def read_agreement(document: Any, *, where: str = "agreement") -> Agreement:
    """The agreement a document carries (its signatures are not checked here)."""
    return _parse(document, where=where)[0]


@dataclass(frozen=True)
class AgreementStatus:
    """What one agreement document is worth on one day, and why."""

    agreement: Agreement
    on: dt.date
    valid: bool
    in_force: bool
    signed_by: tuple[str, ...]
    missing: tuple[str, ...]
    reasons: tuple[str, ...]
    sha256: str

    @property
    def id(self) -> str:
        return self.agreement.id

    @property
    def reason(self) -> str:
        return "; ".join(self.reasons)

    def to_dict(self) -> dict[str, Any]:
        a = self.agreement
        start = a.valid_from or a.concluded
        return {
            "id": a.id,
            "title": a.title,
            "parties": list(a.parties),
            "valid_from": start.isoformat() if start else None,
            "valid_until": a.valid_until.isoformat() if a.valid_until else None,
            "checked_on": self.on.isoformat(),
            "valid": self.valid,
            "in_force": self.in_force,
            "signed_by": list(self.signed_by),
            "missing": list(self.missing),
            "reasons": list(self.reasons),
            "sha256": self.sha256,
        }


def check_agreement(
    document: Any,
    registry: AuthorityRegistry,
    *,
    on: dt.date,
    where: str = "agreement",
) -> AgreementStatus:
    """Check every signature of ``document`` against the registered key of the AMS it names, and
    the agreement's dates, on day ``on``. Raises :class:`RecognitionError` only for a document that
    cannot be read as an agreement at all."""
    agreement, payload, signatures = _parse(document, where=where)
    reasons: list[str] = []
    signed: list[str] = []
    bad = False
    for i, sig in enumerate(signatures):
        header = _header(sig)
        ams = header.get("ams")
        if header.get("typ") != AGREEMENT_TYP:
            reasons.append(f"signatures[{i}]: typ is not {AGREEMENT_TYP}")
            bad = True
            continue
        if ams not in agreement.parties:
            reasons.append(f"signatures[{i}]: {ams!r} is not a party to agreement {agreement.id}")
            bad = True
            continue
        authority = registry.get(str(ams))
        if authority is None:
            reasons.append(f"signatures[{i}]: no authority key is registered for {ams}")
            bad = True
            continue
        single = {"payload": document["payload"], "signatures": [sig]}
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", SecurityWarning)
                jws.deserialize_json(single, authority.key, registry=_registry())  # type: ignore[call-overload]
        except (JoseError, ValueError, TypeError, KeyError):
            reasons.append(
                f"signatures[{i}]: the signature of {ams} does not verify with the registered key "
                f"of {ams}'s authority (kid {authority.kid})"
            )
            bad = True
            continue
        if ams in signed:
            reasons.append(f"signatures[{i}]: {ams} signed twice")
            bad = True
            continue
        signed.append(str(ams))
    missing = tuple(p for p in agreement.parties if p not in signed)
    if missing:
        reasons.append(
            f"agreement {agreement.id} lacks the signature of "
            + ", ".join(f"{p}'s authority" for p in missing)
        )
    start = agreement.valid_from or agreement.concluded
    if start is not None and on < start:
        reasons.append(f"agreement {agreement.id} is in force only from {start.isoformat()}")
    if agreement.valid_until is not None and on > agreement.valid_until:
        reasons.append(
            f"agreement {agreement.id} ended on {agreement.valid_until.isoformat()} "
            f"(checked on {on.isoformat()})"
        )
    in_force = not reasons
    if in_force:
        reasons.append(
            f"agreement {agreement.id} is signed by every party ({', '.join(signed)}) and in force "
            f"on {on.isoformat()}"
        )
    return AgreementStatus(
        agreement=agreement,
        on=on,
        valid=not bad,
        in_force=in_force,
        signed_by=tuple(signed),
        missing=missing,
        reasons=tuple(reasons),
        sha256=hashlib.sha256(payload).hexdigest(),
    )


def load_agreement_file(path: str | Path) -> dict[str, Any]:
    """Read an agreement document (JSON) from a file; problems name the file."""
    p = Path(path)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RecognitionError("agreement file not found", where=str(p)) from None
    except (OSError, ValueError) as exc:
        raise RecognitionError(f"cannot read the agreement ({exc})", where=str(p)) from None
    _parse(data, where=str(p))
    return dict(data)


def agreements_in_force(
    documents: Iterable[Any], registry: AuthorityRegistry, *, on: dt.date
) -> list[AgreementStatus]:
    """The statuses of ``documents`` that are in force on ``on``."""
    out = []
    for d in documents:
        st = check_agreement(d, registry, on=on)
        if st.in_force:
            out.append(st)
    return out


def signer_ams(document: dict[str, Any]) -> list[str]:
    """The AMS each signature of ``document`` names (not verified: see :func:`check_agreement`)."""
    sigs = document.get("signatures")
    return (
        [str(_header(s).get("ams")) for s in sigs if isinstance(s, dict)]
        if isinstance(sigs, list)
        else []
    )
