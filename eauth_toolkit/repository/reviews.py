"""Signed peer reviews of proposed levels, through the submission mechanism.

A review is a compact JWS (``typ`` ``eauth-repo-review+jws``) signed by the authority of the
reviewing AMS, with the same replay protection as a submission (``sequence``, ``issued_at``,
``jti``): :func:`submit_review` runs :func:`~eauth_toolkit.repository.submission.check_submission`
(signature by the AMS's own registered key, API token bound to that AMS, freshness), then records
the review in the store's transaction that checks replay and order and writes the audit record.
An authority reviews only other AMS's entries, and only the level currently proposed.

The payload::

    {"ams": "MY", "review": {"entry": "sg-...", "level": 3, "decision": "endorse",
     "reason": "..."}, "sequence": 7, "issued_at": "...", "jti": "..."}
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from eauth_toolkit.errors import InputError, SchemaError
from eauth_toolkit.recognition.models import ReviewPolicy
from eauth_toolkit.recognition.review import (
    REVIEW_DECISIONS,
    LevelStatus,
    Review,
    level_status,
    policy_for,
)
from eauth_toolkit.recognition.signed import AgreementStatus
from eauth_toolkit.repository import tables as t
from eauth_toolkit.repository.jose import sign_compact
from eauth_toolkit.repository.signing import stamp_submission
from eauth_toolkit.repository.store import RepositoryStore, StoredEntry, utcnow
from eauth_toolkit.repository.submission import SubmissionRefused, check_submission

__all__ = [
    "REVIEW_TYP",
    "review",
    "ReviewReceipt",
    "review_problems",
    "sign_review",
    "submit_review",
    "stored_reviews",
    "load_review_policy",
    "entry_level_status",
    "all_level_statuses",
]

REVIEW_TYP = "eauth-repo-review+jws"

review = t.review


@dataclass(frozen=True)
class ReviewReceipt:
    id: int
    submission_id: int
    review: Review
    status: LevelStatus


def review_problems(document: Any, *, raw: bytes | None = None) -> list[SchemaError]:
    """Problems of a review payload (the stateless part; the entry is checked in the store)."""
    del raw
    out: list[SchemaError] = []
    body = document.get("review") if isinstance(document, dict) else None
    if not isinstance(body, dict):
        return [SchemaError("a review document has a 'review' object", where="/review")]
    extra = set(document) - {"ams", "review", "sequence", "issued_at", "jti"}
    if extra:
        out.append(SchemaError(f"unknown fields {sorted(extra)}", where="/"))
    unknown = set(body) - {"entry", "level", "decision", "reason"}
    if unknown:
        out.append(SchemaError(f"unknown fields {sorted(unknown)}", where="/review"))
    entry = body.get("entry")
    if not isinstance(entry, str) or not entry:
        out.append(SchemaError("the entry id under review is required", where="/review/entry"))
    elif entry.startswith(str(document.get("ams", "")).lower() + "-"):
        out.append(
            SchemaError(
                f"{document.get('ams')}'s authority may not review its own entry {entry!r}: "
                "levels are reviewed by the other AMS",
                where="/review/entry",
            )
        )
    level = body.get("level")
    if not isinstance(level, int) or isinstance(level, bool) or not 1 <= level <= 4:
        out.append(SchemaError("an ISO/IEC 29115 level 1 to 4", where="/review/level"))
    if body.get("decision") not in REVIEW_DECISIONS:
        out.append(SchemaError("'endorse' or 'object'", where="/review/decision"))
    reason = body.get("reason")
    if not isinstance(reason, str) or not reason.strip() or len(reason) > 4000:
        out.append(
            SchemaError("a reason (1 to 4000 characters) is required", where="/review/reason")
        )
    return out


def sign_review(
    *,
    ams: str,
    entry: str,
    level: int,
    decision: str,
    reason: str,
    key: Any,
    sequence: int,
    now: dt.datetime | None = None,
) -> str:
    """The reviewing authority's side: a stamped, signed review."""
    doc = {
        "ams": ams,
        "review": {"entry": entry, "level": level, "decision": decision, "reason": reason},
    }
    stamped = stamp_submission(doc, sequence=sequence, now=now)
    payload = json.dumps(stamped, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return sign_compact(payload, key, typ=REVIEW_TYP)


def _proposed(entry: StoredEntry) -> int | None:
    claimed = entry.document.get("claimed_level")
    if isinstance(claimed, dict) and isinstance(claimed.get("iso29115"), int):
        return int(claimed["iso29115"])
    return None


def _row_review(row: Any) -> Review:
    at = row.reviewed_at if row.reviewed_at.tzinfo else row.reviewed_at.replace(tzinfo=dt.UTC)
    return Review(
        entry=row.entry_id,
        reviewer=row.reviewer_ams,
        level=row.level,
        decision=row.decision,
        reason=row.reason,
        at=at,
        submission_id=row.submission_id,
    )


def stored_reviews(store: RepositoryStore, entry_id: str | None = None) -> list[Review]:
    """Accepted reviews (of one entry, or all), oldest first."""
    query = select(review).order_by(review.c.id)
    if entry_id is not None:
        query = query.where(review.c.entry_id == entry_id)
    with store._read() as conn:
        return [_row_review(r) for r in conn.execute(query)]


def load_review_policy(repository_dir: Path) -> ReviewPolicy:
    """The default review policy (``review-policy.yaml`` beside the repository data)."""
    import yaml

    path = repository_dir / "review-policy.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return ReviewPolicy(rule="majority")
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise InputError(f"cannot read the review policy ({exc})", where=str(path)) from None
    if not isinstance(data, dict):
        raise InputError("expected a mapping with 'default'", where=str(path))
    try:
        return ReviewPolicy.model_validate(data.get("default", data))
    except ValueError as exc:
        raise InputError(f"not a review policy: {exc}", where=f"{path}#/default") from None


def entry_level_status(
    store: RepositoryStore,
    entry: StoredEntry,
    *,
    agreements: list[AgreementStatus],
    default: ReviewPolicy | None = None,
    reviews: list[Review] | None = None,
) -> LevelStatus:
    """The review state of ``entry``'s proposed level under the policy that applies to it."""
    choice = policy_for(
        entry.id,
        entry.ams,
        agreements=agreements,
        participating=tuple(store.authorities.authorities),
        default=default,
    )
    return level_status(
        entry.id,
        entry.ams,
        proposed=_proposed(entry),
        assessed=entry.assessed_level,
        reviews=reviews if reviews is not None else stored_reviews(store, entry.id),
        choice=choice,
    )


def all_level_statuses(
    store: RepositoryStore,
    *,
    agreements: list[AgreementStatus],
    default: ReviewPolicy | None = None,
) -> dict[str, LevelStatus]:
    """Entry id -> review state, for every entry."""
    everything = stored_reviews(store)
    return {
        e.id: entry_level_status(
            store, e, agreements=agreements, default=default, reviews=everything
        )
        for e in store.entries()
    }


def submit_review(
    store: RepositoryStore,
    jws_text: str | bytes,
    *,
    agreements: list[AgreementStatus],
    default: ReviewPolicy | None = None,
    channel: str = "cli",
    token_ams: str | None = None,
    submitter: str | None = None,
    now: dt.datetime | None = None,
) -> ReviewReceipt:
    """Check and record a signed review in one transaction, or raise :class:`SubmissionRefused`."""
    now = now or utcnow()
    verified = check_submission(
        jws_text,
        store.authorities,
        now=now,
        policy=store.policy,
        token_ams=token_ams,
        validate=review_problems,
    )
    if verified.header.get("typ") != REVIEW_TYP:
        raise SubmissionRefused(
            "bad_jws", f"a review is signed with typ {REVIEW_TYP!r}", where="/review"
        )
    body = verified.document["review"]
    entry = store.entry(body["entry"])
    if entry is None:
        raise SubmissionRefused(
            "unknown_entry",
            f"the registry has no entry {body['entry']!r} to review",
            where="/review/entry",
        )
    proposed = _proposed(entry)
    if proposed != body["level"]:
        raise SubmissionRefused(
            "schema_invalid",
            f"{entry.ams} proposes level {proposed} for {entry.id}, not {body['level']}: "
            "a review answers the level currently proposed",
            where="/review/level",
        )
    if entry.status == "withdrawn":
        raise SubmissionRefused(
            "status_conflict", f"{entry.id} is withdrawn", where="/review/entry"
        )
    who = submitter or f"{verified.authority.name} (authority of {verified.ams})"
    try:
        with store._write() as conn:
            receipt = store._apply(conn, verified, who=who, channel=channel, now=now)
            review_id = conn.execute(
                insert(review)
                .values(
                    entry_id=entry.id,
                    reviewer_ams=verified.ams,
                    level=body["level"],
                    decision=body["decision"],
                    reason=body["reason"].strip(),
                    reviewed_at=now,
                    submission_id=receipt.id,
                )
                .returning(review.c.id)
            ).scalar_one()
    except IntegrityError:
        raise SubmissionRefused(
            "replayed",
            f"review {verified.jti!r} (sequence {verified.sequence}) was already accepted",
        ) from None
    rec = Review(
        entry=entry.id,
        reviewer=verified.ams,
        level=body["level"],
        decision=body["decision"],
        reason=body["reason"].strip(),
        at=now,
        submission_id=receipt.id,
        authority=verified.authority.name,
    )
    status = entry_level_status(store, entry, agreements=agreements, default=default)
    return ReviewReceipt(review_id, receipt.id, rec, status)
