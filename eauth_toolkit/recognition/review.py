"""Peer review of levels: when a level proposed by one AMS becomes *agreed* by the others.

The submitting AMS proposes a level for its technology (the entry's ``claimed_level``); the
engine's assessment is shown beside it; the authorities of other AMS sign an endorsement or an
objection with reasons. The review policy decides:

- ``parties``: when an agreement in force recognises the technology, every other party to that
  agreement must endorse the proposed level;
- ``majority``: otherwise, more than half of the other participating AMS (those with a registered
  authority) must endorse it.

With ``objection_blocks`` an objection by a required reviewer keeps the level from being agreed.
Only each reviewer's latest review of the currently proposed level counts: an AMS withdraws an
objection by endorsing later, and a new proposal needs new reviews. Decisions are values.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from eauth_toolkit.recognition.models import ReviewPolicy
from eauth_toolkit.recognition.signed import AgreementStatus

__all__ = [
    "REVIEW_DECISIONS",
    "Review",
    "PolicyChoice",
    "LevelStatus",
    "policy_for",
    "level_status",
]

REVIEW_DECISIONS = ("endorse", "object")
Decision = Literal["endorse", "object"]


@dataclass(frozen=True)
class Review:
    """One signed review, as recorded."""

    entry: str
    reviewer: str
    level: int
    decision: str
    reason: str
    at: dt.datetime
    submission_id: int | None = None
    authority: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "entry": self.entry,
            "reviewer": self.reviewer,
            "level": self.level,
            "decision": self.decision,
            "reason": self.reason,
            "at": self.at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
            "submission": self.submission_id,
            "authority": self.authority,
        }


@dataclass(frozen=True)
class PolicyChoice:
    """The policy that applies to one entry and the AMS whose review counts."""

    policy: ReviewPolicy
    reviewers: tuple[str, ...]
    needed: int
    source: str


def policy_for(
    entry_id: str,
    ams: str,
    *,
    agreements: Iterable[AgreementStatus],
    participating: Sequence[str],
    default: ReviewPolicy | None = None,
) -> PolicyChoice:
    """The parties rule of the first agreement in force that recognises ``entry_id``; else the
    default policy (``majority`` of the other participating AMS unless the data says otherwise)."""
    for st in agreements:
        if not st.in_force:
            continue
        if any(r.technology == entry_id for r in st.agreement.recognitions):
            pol = st.agreement.review_policy
            if pol.rule == "parties":
                others: tuple[str, ...] = tuple(str(p) for p in st.agreement.parties if p != ams)
                return PolicyChoice(pol, others, len(others), f"agreement {st.id}: every party")
            break
    pol = default or ReviewPolicy(rule="majority")
    others = tuple(p for p in participating if p != ams)
    if pol.rule == "parties":  # a default "parties" rule without an agreement: all others
        return PolicyChoice(pol, others, len(others), "review policy: every participating AMS")
    return PolicyChoice(
        pol, others, len(others) // 2 + 1, "review policy: a majority of participating AMS"
    )


@dataclass(frozen=True)
class LevelStatus:
    """The review state of one entry's proposed level."""

    entry: str
    ams: str
    proposed: int | None
    assessed: int | None
    state: str  # agreed | proposed | objected | no proposal
    endorsed_by: tuple[str, ...]
    objections: tuple[tuple[str, str], ...]
    reviewers: tuple[str, ...]
    needed: int
    policy: str
    reviews: tuple[Review, ...] = field(default=())

    @property
    def agreed(self) -> bool:
        return self.state == "agreed"

    @property
    def agreed_level(self) -> int | None:
        return self.proposed if self.agreed else None

    @property
    def reason(self) -> str:
        if self.state == "no proposal":
            return f"{self.ams} proposed no level for {self.entry}"
        if self.state == "agreed":
            return (
                f"level {self.proposed} of {self.entry} is agreed: endorsed by "
                f"{', '.join(self.endorsed_by)} ({self.policy})"
            )
        if self.state == "objected":
            who = "; ".join(f"{a}: {r}" for a, r in self.objections)
            return f"level {self.proposed} of {self.entry} is objected to ({who})"
        missing = [a for a in self.reviewers if a not in self.endorsed_by]
        return (
            f"level {self.proposed} of {self.entry} is proposed, not agreed: "
            f"{len(self.endorsed_by)} of {self.needed} endorsements needed ({self.policy}); "
            f"awaiting {', '.join(missing) or 'nobody'}"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "entry": self.entry,
            "ams": self.ams,
            "proposed_level": self.proposed,
            "assessed_level": self.assessed,
            "state": self.state,
            "agreed_level": self.agreed_level,
            "endorsed_by": list(self.endorsed_by),
            "objections": [{"ams": a, "reason": r} for a, r in self.objections],
            "reviewers": list(self.reviewers),
            "endorsements_needed": self.needed,
            "policy": self.policy,
            "reason": self.reason,
            "reviews": [r.to_dict() for r in self.reviews],
        }


def level_status(
    entry_id: str,
    ams: str,
    *,
    proposed: int | None,
    assessed: int | None,
    reviews: Iterable[Review],
    choice: PolicyChoice,
) -> LevelStatus:
    """Apply ``choice`` to the reviews of ``entry_id`` (oldest first)."""
    mine = tuple(sorted((r for r in reviews if r.entry == entry_id), key=lambda r: r.at))
    latest: dict[str, Review] = {}
    for r in mine:
        if r.level == proposed and r.reviewer in choice.reviewers:
            latest[r.reviewer] = r
    endorsed = tuple(a for a in choice.reviewers if a in latest and latest[a].decision == "endorse")
    objections = tuple(
        (a, latest[a].reason)
        for a in choice.reviewers
        if a in latest and latest[a].decision == "object"
    )
    if proposed is None:
        state = "no proposal"
    elif objections and choice.policy.objection_blocks:
        state = "objected"
    elif len(endorsed) >= choice.needed and choice.needed > 0:
        state = "agreed"
    else:
        state = "proposed"
    return LevelStatus(
        entry=entry_id,
        ams=ams,
        proposed=proposed,
        assessed=assessed,
        state=state,
        endorsed_by=endorsed,
        objections=objections,
        reviewers=choice.reviewers,
        needed=choice.needed,
        policy=choice.source,
        reviews=mine,
    )
