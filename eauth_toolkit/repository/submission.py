"""Checking a signed AMS submission before anything is stored.

The checks run in this order and the first failure refuses the submission with a
:class:`SubmissionRefused` naming the reason (``code``) and, where there is one, the JSON pointer:

1. ``oversized``: the JWS is larger than the registry accepts;
2. ``unsigned`` / ``bad_jws`` / ``bad_algorithm``: not a JWS signed with ES256 or EdDSA;
   ``key_in_header``: the header carries a key or certificate (``x5c``, ``jwk``...);
   ``unknown_critical``: ``crit`` names an extension not understood; ``bad_typ``: wrong ``typ``
   (the header rules of RFC 7515, see :func:`~eauth_toolkit.repository.jose.check_header`);
3. ``schema_invalid``: the payload is not strict JSON (duplicate member, control character,
   integer outside the exact range, too deep: see :mod:`~eauth_toolkit.repository.strictjson`)
   or not a JSON object naming a known AMS;
4. ``unknown_authority`` / ``wrong_key`` / ``bad_signature``: not signed by the registered key of
   the AMS the document speaks for (``wrong_key`` when another authority's key signed it);
5. ``forbidden``: the caller's token is bound to another AMS, or the document touches entries of
   another AMS;
6. ``schema_invalid``: the document fails its schema or the sourcing rules (every problem listed);
7. ``stale``: ``issued_at`` is outside the accepted window.

Replay and order (``replayed``, ``out_of_order``) are checked again inside the store's transaction,
where they cannot race.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from eauth_toolkit.errors import RepositoryError, SchemaError
from eauth_toolkit.repository import strictjson
from eauth_toolkit.repository.jose import (
    SUBMISSION_TYP,
    JwsProblem,
    read_compact,
    verify_compact,
)
from eauth_toolkit.repository.keys import Authority, AuthorityRegistry
from eauth_toolkit.repository.models import AMS_CODES
from eauth_toolkit.repository.validation import submission_problems

__all__ = [
    "SubmissionRefused",
    "SubmissionPolicy",
    "VerifiedSubmission",
    "check_submission",
    "HTTP_STATUS",
]

#: the HTTP status the API answers for each refusal code
HTTP_STATUS: dict[str, int] = {
    "oversized": 413,
    "unsigned": 400,
    "bad_jws": 400,
    "bad_algorithm": 400,
    "bad_typ": 400,
    "key_in_header": 400,
    "unknown_critical": 400,
    "schema_invalid": 422,
    "unknown_authority": 403,
    "wrong_key": 403,
    "bad_signature": 403,
    "forbidden": 403,
    "stale": 409,
    "replayed": 409,
    "out_of_order": 409,
    "status_conflict": 409,
    "already_loaded": 409,
    "unknown_entry": 422,
    "missing_signature": 422,
    "expired": 422,
}


class SubmissionRefused(RepositoryError):
    """A submission the registry refuses; ``code`` says why and ``problems`` lists schema errors."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        where: str | None = None,
        problems: list[SchemaError] | None = None,
    ) -> None:
        super().__init__(message, where=where, code=code)
        self.problems = problems or []

    @property
    def http_status(self) -> int:
        return HTTP_STATUS.get(self.code, 400)

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.message,
            "where": self.where,
            "problems": [{"where": p.where, "message": p.message} for p in self.problems],
        }


@dataclass(frozen=True)
class SubmissionPolicy:
    """Limits the registry applies to submissions."""

    max_bytes: int = 4 * 1024 * 1024
    max_age: dt.timedelta = dt.timedelta(days=1)
    max_clock_skew: dt.timedelta = dt.timedelta(minutes=5)


@dataclass(frozen=True)
class VerifiedSubmission:
    """A submission whose signature, authority, scope and content passed every check."""

    ams: str
    authority: Authority
    document: dict[str, Any]
    jws: str
    sequence: int
    jti: str
    issued_at: dt.datetime
    payload_sha256: str
    header: dict[str, Any] = field(default_factory=dict)


def _other_signer(obj: Any, registry: AuthorityRegistry, ams: str, max_payload: int) -> str | None:
    for other in registry.authorities.values():
        if other.ams != ams and verify_compact(obj, other.key, max_payload=max_payload):
            return other.ams
    return None


def _scope_problems(document: dict[str, Any], ams: str) -> tuple[str, str] | None:
    """The first place where the document touches another AMS's entries, if any."""
    prefix = ams.lower() + "-"
    entries = document.get("entries")
    for i, item in enumerate(entries if isinstance(entries, list) else []):
        if not isinstance(item, dict):
            continue
        other = item.get("ams")
        if isinstance(other, str) and other != ams:
            return (
                f"/entries/{i}/ams",
                f"entry belongs to {other}; {ams}'s authority may not change it",
            )
        eid = item.get("id")
        if isinstance(eid, str) and not eid.startswith(prefix):
            return (
                f"/entries/{i}/id",
                f"entry {eid!r} is not one of {ams}'s entries (ids start with {prefix!r})",
            )
    withdrawals = document.get("withdrawals")
    for i, item in enumerate(withdrawals if isinstance(withdrawals, list) else []):
        eid = item.get("id") if isinstance(item, dict) else None
        if isinstance(eid, str) and not eid.startswith(prefix):
            return (
                f"/withdrawals/{i}/id",
                f"entry {eid!r} is not one of {ams}'s entries; {ams}'s authority may not withdraw it",
            )
    return None


def _parse_time(value: str) -> dt.datetime:
    parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed


def check_submission(
    jws_text: str | bytes,
    registry: AuthorityRegistry,
    *,
    now: dt.datetime,
    policy: SubmissionPolicy = SubmissionPolicy(),
    token_ams: str | None = None,
    validate: Callable[..., list[SchemaError]] | None = None,
    typ: str | None = None,
) -> VerifiedSubmission:
    """Run every stateless check on a signed submission; raise :class:`SubmissionRefused`.

    ``validate(document, raw=payload)`` lists the content problems of another kind of signed
    document (default: a Repository List submission). ``typ`` is the JWS ``typ`` required:
    by default that of a Repository List submission, unless ``validate`` is given (the caller
    of another kind of document passes its own ``typ`` or checks it itself)."""
    size = len(jws_text)
    if size > policy.max_bytes:
        raise SubmissionRefused(
            "oversized",
            f"submission is {size} bytes; the registry accepts at most {policy.max_bytes}",
        )
    if isinstance(jws_text, bytes):
        try:
            jws_text = jws_text.decode("ascii")
        except UnicodeError:
            raise SubmissionRefused("bad_jws", "a JWS contains only ASCII characters") from None
    text = jws_text.strip()
    if not text:
        raise SubmissionRefused("unsigned", "empty submission: expected a compact JWS")
    if text.startswith("{"):
        raise SubmissionRefused(
            "unsigned",
            "unsigned submission: a bare JSON document was sent; sign it as a JWS "
            "(eauth repo submit FILE --key KEY)",
        )
    try:
        required = typ if typ is not None or validate is not None else SUBMISSION_TYP
        header, payload, obj = read_compact(text, max_payload=policy.max_bytes, typ=required)
    except JwsProblem as exc:
        raise SubmissionRefused(exc.code, exc.message) from None
    try:
        document = strictjson.loads(payload)
    except strictjson.StrictJsonError as exc:
        raise SubmissionRefused(
            "schema_invalid", f"the signed payload is refused: {exc.message}", where=exc.where
        ) from None
    if not isinstance(document, dict):
        raise SubmissionRefused(
            "schema_invalid", "the signed payload is not a JSON object", where="/"
        )
    ams = document.get("ams")
    if ams not in AMS_CODES:
        raise SubmissionRefused(
            "schema_invalid",
            f"'ams' must be one of {', '.join(AMS_CODES)} (got {ams!r})",
            where="/ams",
        )
    authority = registry.get(ams)
    if authority is None:
        raise SubmissionRefused(
            "unknown_authority", f"no authority key is registered for {ams}", where="/ams"
        )
    if not verify_compact(obj, authority.key, max_payload=policy.max_bytes):
        signer = _other_signer(obj, registry, ams, policy.max_bytes)
        if signer is not None:
            raise SubmissionRefused(
                "wrong_key",
                f"signed with the key of {signer}'s authority, not {ams}'s: an authority may "
                "submit only for its own AMS",
            )
        raise SubmissionRefused(
            "bad_signature",
            f"the signature does not verify with the registered key of {ams}'s authority "
            f"(kid {authority.kid})",
        )
    if token_ams is not None and token_ams != ams:
        raise SubmissionRefused(
            "forbidden", f"the API token is bound to {token_ams}; this submission is for {ams}"
        )
    scope = _scope_problems(document, ams)
    if scope is not None:
        raise SubmissionRefused("forbidden", scope[1], where=scope[0])
    # the validators read the document as parsed above, never the payload bytes again
    problems = (validate or submission_problems)(document, raw=strictjson.dumps(document))
    missing = [name for name in ("sequence", "issued_at", "jti") if document.get(name) is None]
    problems.extend(
        SchemaError("required in a signed submission", where=f"/{name}") for name in missing
    )
    if problems:
        first = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise SubmissionRefused(
            "schema_invalid", first.message + more, where=first.where, problems=problems
        )
    try:
        issued_at = _parse_time(document["issued_at"])
    except (TypeError, ValueError):
        raise SubmissionRefused(
            "schema_invalid", "not an RFC 3339 date-time", where="/issued_at"
        ) from None
    if issued_at > now + policy.max_clock_skew:
        raise SubmissionRefused(
            "stale", f"issued_at {document['issued_at']} is in the future", where="/issued_at"
        )
    if issued_at < now - policy.max_age:
        raise SubmissionRefused(
            "stale",
            f"issued_at {document['issued_at']} is older than the accepted {policy.max_age} window",
            where="/issued_at",
        )
    return VerifiedSubmission(
        ams=ams,
        authority=authority,
        document=document,
        jws=text,
        sequence=int(document["sequence"]),
        jti=str(document["jti"]),
        issued_at=issued_at,
        payload_sha256=hashlib.sha256(payload).hexdigest(),
        header=dict(header),
    )
