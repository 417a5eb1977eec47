"""Trust-list pointers and mutual-recognition agreements as signed submissions of the AMS authorities.

Both travel exactly like a Repository List submission: a compact JWS signed by the registered key
of the submitting AMS's authority, stamped with ``sequence``, ``issued_at`` and ``jti`` (one
per-AMS sequence shared with entry submissions and reviews), checked by
:func:`~eauth_toolkit.repository.submission.check_submission` against a published JSON Schema,
and recorded in one transaction with its audit record. Every accepted version is kept.

- A **trust-list pointer** (``typ`` ``eauth-repo-trustlist+jws``, schema
  ``repository-trustlist-submission``): where the AMS's own ETSI TS 119 612 trust list is, its
  SHA-256 and the scheme operator's signing certificate. An authority points only to its own AMS's
  list; a newer submission replaces the pointer.
- An **agreement** (``typ`` ``eauth-repo-agreement+jws``, schema
  ``repository-agreement-submission``): the agreement document signed by **every** party (RFC 7515
  general JWS JSON serialization), submitted by any one party once all have signed. The store
  checks every party's signature against the registered keys and refuses a document that lacks one,
  carries a bad one, or has ended. A newer document with the same id replaces the old one; a
  party's withdrawal takes it out of the next list.

Publication reads the trust section from here only (:func:`~eauth_toolkit.repository.trust.trust_picture`).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from joserfc.jwk import Key
from sqlalchemy import Connection, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from eauth_toolkit.errors import RecognitionError, SchemaError
from eauth_toolkit.recognition.signed import AgreementStatus, check_agreement
from eauth_toolkit.repository import tables as t
from eauth_toolkit.repository.jose import sign_compact
from eauth_toolkit.repository.signing import stamp_submission
from eauth_toolkit.repository.store import RepositoryStore, SubmissionReceipt, utcnow
from eauth_toolkit.repository.submission import (
    SubmissionRefused,
    VerifiedSubmission,
    check_submission,
)
from eauth_toolkit.schemaio import schema_errors

__all__ = [
    "TRUSTLIST_TYP",
    "AGREEMENT_SUBMISSION_TYP",
    "TRUSTLIST_SCHEMA",
    "AGREEMENT_SCHEMA",
    "TrustReceipt",
    "sign_document",
    "trust_list_problems",
    "agreement_problems",
    "submit_trust_list",
    "submit_agreement",
    "current_trust_lists",
    "current_agreements",
    "agreement_statuses",
    "trust_list_versions",
    "agreement_versions",
]

TRUSTLIST_TYP = "eauth-repo-trustlist+jws"
AGREEMENT_SUBMISSION_TYP = "eauth-repo-agreement+jws"
TRUSTLIST_SCHEMA = "repository-trustlist-submission"
AGREEMENT_SCHEMA = "repository-agreement-submission"

_STAMP = ("sequence", "issued_at", "jti")


@dataclass(frozen=True)
class TrustReceipt:
    """What the registry answers to an accepted trust-list pointer or agreement submission."""

    submission: SubmissionReceipt
    kind: str
    key: str
    version: int
    change: str

    def to_dict(self) -> dict[str, Any]:
        r = self.submission
        return {
            "id": r.id,
            "ams": r.ams,
            "sequence": r.sequence,
            "received_at": r.received_at.isoformat(),
            "kind": self.kind,
            "key": self.key,
            "version": self.version,
            "change": self.change,
        }


def sign_document(
    document: dict[str, Any],
    key: Key,
    *,
    typ: str,
    sequence: int,
    now: dt.datetime | None = None,
) -> str:
    """The authority's side: ``document`` stamped against replay and signed as a compact JWS."""
    stamped = stamp_submission(
        {k: v for k, v in document.items() if k not in _STAMP}, sequence=sequence, now=now
    )
    payload = json.dumps(stamped, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return sign_compact(payload, key, typ=typ)


def _unsigned_fields(document: Any) -> dict[str, Any]:
    return (
        {k: v for k, v in document.items() if k not in _STAMP} if isinstance(document, dict) else {}
    )


def trust_list_problems(document: Any, *, raw: bytes | None = None) -> list[SchemaError]:
    """Problems of a trust-list pointer submission: the published schema, then the certificate."""
    del raw
    problems = schema_errors(document, TRUSTLIST_SCHEMA)
    if problems:
        return problems
    pointer = document["trust_list"]
    try:
        x509.load_pem_x509_certificate(pointer["signer_certificate"].encode("ascii"))
    except (ValueError, UnicodeError) as exc:
        problems.append(
            SchemaError(
                f"not a PEM X.509 certificate ({str(exc).splitlines()[0]})",
                where="/trust_list/signer_certificate",
            )
        )
    if "://" not in pointer["location"] and not pointer.get("sandbox"):
        problems.append(
            SchemaError(
                "a relative location is for SANDBOX lists only; give the list's https URL",
                where="/trust_list/location",
            )
        )
    return problems


def agreement_problems(document: Any, *, raw: bytes | None = None) -> list[SchemaError]:
    """Problems of an agreement submission against its published schema (the signatures are
    checked by the store against the registered keys)."""
    del raw
    problems = schema_errors(document, AGREEMENT_SCHEMA)
    if not problems and ("agreement" in document) == ("withdrawal" in document):
        problems.append(SchemaError("give exactly one of 'agreement' and 'withdrawal'", where="/"))
    return problems


def _verify(
    store: RepositoryStore,
    jws_text: str | bytes,
    validate: Any,
    typ: str,
    token_ams: str | None,
    now: dt.datetime,
) -> VerifiedSubmission:
    return check_submission(
        jws_text,
        store.authorities,
        now=now,
        policy=store.policy,
        token_ams=token_ams,
        validate=validate,
        typ=typ,
    )


def _record(
    store: RepositoryStore,
    verified: VerifiedSubmission,
    write: Any,
    *,
    channel: str,
    submitter: str | None,
    now: dt.datetime,
) -> TrustReceipt:
    who = submitter or f"{verified.authority.name} (authority of {verified.ams})"
    try:
        with store._write() as conn:
            receipt = store._apply(conn, verified, who=who, channel=channel, now=now)
            kind, key, version, change = write(conn, receipt.id)
            diff: dict[str, Any] = {"added": [], "changed": {}, "withdrawn": [], "unchanged": []}
            label = f"{kind}/{key}"
            if change == "withdrawn":
                diff["withdrawn"].append(label)
            elif change == "unchanged":
                diff["unchanged"].append(label)
            elif version == 1:
                diff["added"].append(label)
            else:
                diff["changed"][label] = [f"/{kind}"]
            conn.execute(
                update(t.submission).where(t.submission.c.id == receipt.id).values(diff=diff)
            )
    except IntegrityError:
        raise SubmissionRefused(
            "replayed",
            f"submission {verified.jti!r} (sequence {verified.sequence}) was already accepted",
        ) from None
    done = SubmissionReceipt(receipt.id, receipt.ams, receipt.sequence, now, diff)
    return TrustReceipt(done, kind, key, version, change)


def _latest(conn: Connection, table: Any, column: Any, key: str) -> Any:
    return conn.execute(
        select(table).where(column == key).order_by(table.c.version.desc()).limit(1)
    ).first()


def submit_trust_list(
    store: RepositoryStore,
    jws_text: str | bytes,
    *,
    channel: str = "cli",
    token_ams: str | None = None,
    submitter: str | None = None,
    now: dt.datetime | None = None,
    only_if_new: bool = False,
) -> TrustReceipt:
    """Check and record an AMS's trust-list pointer, or raise :class:`SubmissionRefused`.

    With ``only_if_new`` the submission is refused (``already_loaded``) when the AMS has a pointer
    already (checked inside the transaction; used to load sample data once)."""
    now = now or utcnow()
    verified = _verify(store, jws_text, trust_list_problems, TRUSTLIST_TYP, token_ams, now)
    pointer = dict(verified.document["trust_list"])
    ams = verified.ams

    def write(conn: Connection, sub_id: int) -> tuple[str, str, int, str]:
        last = _latest(conn, t.trust_list_version, t.trust_list_version.c.ams, ams)
        if last is not None and only_if_new:
            raise SubmissionRefused("already_loaded", f"{ams} has a trust-list pointer already")
        if last is not None and last.pointer == pointer:
            return "trust-list", ams, int(last.version), "unchanged"
        version = 1 if last is None else int(last.version) + 1
        conn.execute(
            insert(t.trust_list_version).values(
                ams=ams, version=version, pointer=pointer, submission_id=sub_id, recorded_at=now
            )
        )
        return "trust-list", ams, version, "added" if version == 1 else "replaced"

    return _record(store, verified, write, channel=channel, submitter=submitter, now=now)


def _check_signed(document: Any, store: RepositoryStore, ams: str, day: dt.date) -> AgreementStatus:
    """The agreement ``ams`` submits, with every party's signature checked; refused unless it is
    complete, valid, and not ended."""
    try:
        status = check_agreement(document, store.authorities, on=day, where="/agreement")
    except RecognitionError as exc:
        raise SubmissionRefused("schema_invalid", exc.message, where="/agreement/payload") from None
    agreement = status.agreement
    if ams not in agreement.parties:
        raise SubmissionRefused(
            "forbidden",
            f"{ams} is not a party to agreement {agreement.id} ({', '.join(agreement.parties)}): "
            "only a party submits it",
            where="/agreement/payload",
        )
    if not status.valid:
        raise SubmissionRefused(
            "bad_signature", "; ".join(status.reasons), where="/agreement/signatures"
        )
    if status.missing:
        raise SubmissionRefused(
            "missing_signature",
            f"{status.reasons[0]}: an agreement is submitted once every party has signed it",
            where="/agreement/signatures",
        )
    if agreement.valid_until is not None and day > agreement.valid_until:
        raise SubmissionRefused(
            "expired",
            f"agreement {agreement.id} ended on {agreement.valid_until.isoformat()}",
            where="/agreement/payload",
        )
    return status


def submit_agreement(
    store: RepositoryStore,
    jws_text: str | bytes,
    *,
    channel: str = "cli",
    token_ams: str | None = None,
    submitter: str | None = None,
    now: dt.datetime | None = None,
    only_if_new: bool = False,
) -> TrustReceipt:
    """Check and record an agreement signed by every party, or a party's withdrawal of one, or
    raise :class:`SubmissionRefused`. With ``only_if_new`` an agreement id already recorded is
    refused (``already_loaded``)."""
    now = now or utcnow()
    verified = _verify(
        store, jws_text, agreement_problems, AGREEMENT_SUBMISSION_TYP, token_ams, now
    )
    ams = verified.ams
    document = verified.document.get("agreement")
    withdrawal = verified.document.get("withdrawal")
    status = _check_signed(document, store, ams, now.date()) if document is not None else None
    key = status.id if status is not None else str((withdrawal or {})["id"])
    table = t.agreement_version

    def write(conn: Connection, sub_id: int) -> tuple[str, str, int, str]:
        last = _latest(conn, table, table.c.agreement_id, key)
        if last is not None and only_if_new:
            raise SubmissionRefused("already_loaded", f"agreement {key} is recorded already")
        if last is not None and ams not in last.parties.split(","):
            raise SubmissionRefused(
                "forbidden",
                f"{ams} is not a party to the recorded agreement {key} ({last.parties})",
                where="/withdrawal/id" if status is None else "/agreement/payload",
            )
        version = 1 if last is None else int(last.version) + 1
        if status is None:
            if last is None:
                raise SubmissionRefused(
                    "unknown_entry",
                    f"the registry has no agreement {key!r}",
                    where="/withdrawal/id",
                )
            if last.status == "withdrawn":
                return "agreement", key, int(last.version), "unchanged"
            values: dict[str, Any] = {
                "status": "withdrawn",
                "parties": last.parties,
                "document": None,
                "reason": str((withdrawal or {})["reason"]).strip(),
            }
            change = "withdrawn"
        else:
            if last is not None and last.status == "active" and last.document == document:
                return "agreement", key, int(last.version), "unchanged"
            values = {
                "status": "active",
                "parties": ",".join(status.agreement.parties),
                "document": document,
                "reason": None,
            }
            change = "added" if last is None else "replaced"
        conn.execute(
            insert(table).values(
                agreement_id=key, version=version, submission_id=sub_id, recorded_at=now, **values
            )
        )
        return "agreement", key, version, change

    return _record(store, verified, write, channel=channel, submitter=submitter, now=now)


def _latest_rows(table: Any, column: Any) -> Any:
    newest = (
        select(column.label("k"), func.max(table.c.version).label("v")).group_by(column).subquery()
    )
    return (
        select(table)
        .join(newest, (column == newest.c.k) & (table.c.version == newest.c.v))
        .order_by(column)
    )


def current_trust_lists(store: RepositoryStore) -> list[dict[str, Any]]:
    """Each AMS's latest trust-list pointer, as the published list carries it."""
    table = t.trust_list_version
    with store._read() as conn:
        rows = list(conn.execute(_latest_rows(table, table.c.ams)))
    return [{"ams": r.ams, **r.pointer} for r in rows]


def current_agreements(
    store: RepositoryStore, *, on: dt.date | None = None
) -> list[tuple[dict[str, Any], AgreementStatus]]:
    """Every agreement not withdrawn, latest version, each checked on ``on`` (default today)."""
    day = on or dt.datetime.now(dt.UTC).date()
    table = t.agreement_version
    with store._read() as conn:
        rows = list(conn.execute(_latest_rows(table, table.c.agreement_id)))
    return [
        (r.document, check_agreement(r.document, store.authorities, on=day))
        for r in rows
        if r.status == "active"
    ]


def agreement_statuses(
    store: RepositoryStore, *, on: dt.date | None = None
) -> list[AgreementStatus]:
    """The recorded agreements' statuses on ``on`` (for review policies and levels)."""
    return [st for _, st in current_agreements(store, on=on)]


def _versions(store: RepositoryStore, table: Any, order: Any) -> list[dict[str, Any]]:
    with store._read() as conn:
        rows = conn.execute(select(table).order_by(order, table.c.version)).mappings()
        return [
            {
                k: (v.isoformat() if isinstance(v, dt.datetime) else v)
                for k, v in r.items()
                if k != "id"
            }
            for r in rows
        ]


def trust_list_versions(store: RepositoryStore) -> list[dict[str, Any]]:
    """Every accepted trust-list pointer, per AMS, oldest first."""
    return _versions(store, t.trust_list_version, t.trust_list_version.c.ams)


def agreement_versions(store: RepositoryStore) -> list[dict[str, Any]]:
    """Every accepted agreement version and withdrawal, per agreement, oldest first."""
    return _versions(store, t.agreement_version, t.agreement_version.c.agreement_id)
