"""Recognition decisions and the three level-of-assurance checks of a receiving gateway.

The checks follow what an eIDAS-Node Connector does with a cross-border authentication:

1. **request**: the requested level can be met by the levels the sending AMS published for the
   technology (and by the level up to which the agreement recognises it);
2. **returned**: the level that came back meets the requested level (no downgrade);
3. **published**: the level that came back is one the sending AMS published for the technology.

Decisions are values (frozen dataclasses that explain themselves), not exceptions.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from eauth_toolkit.errors import RecognitionError
from eauth_toolkit.recognition.models import Agreement, Recognition

__all__ = [
    "LOA_URN_PREFIX",
    "loa_urn",
    "parse_loa_urn",
    "RecognitionDecision",
    "LoaCheck",
    "decide",
    "check_request",
    "check_returned",
    "check_published",
]

LOA_URN_PREFIX = "urn:eauth:loa:iso29115:"
_URN = re.compile(r"^urn:eauth:loa:iso29115:([1-4])$")


def loa_urn(level: int) -> str:
    """``urn:eauth:loa:iso29115:N`` for level N (1..4)."""
    if level not in (1, 2, 3, 4):
        raise RecognitionError(f"level of assurance must be 1..4, not {level!r}")
    return f"{LOA_URN_PREFIX}{level}"


def parse_loa_urn(value: str | None) -> int | None:
    """The level carried by ``urn:eauth:loa:iso29115:N``, or None when the value is not one."""
    if not value:
        return None
    m = _URN.match(value)
    return int(m.group(1)) if m else None


@dataclass(frozen=True)
class RecognitionDecision:
    """Whether services of ``relying_ams`` accept ``technology`` of ``from_ams`` at a level."""

    recognised: bool
    reason: str
    technology: str
    from_ams: str
    relying_ams: str
    max_level: int | None = None
    rule: Recognition | None = None


@dataclass(frozen=True)
class LoaCheck:
    """Outcome of one LoA check; ``check`` is ``request``, ``returned`` or ``published``."""

    check: str
    passed: bool
    reason: str
    error: str | None = None


def decide(
    agreement: Agreement,
    *,
    technology: str,
    from_ams: str,
    relying_ams: str,
    on: dt.date,
) -> RecognitionDecision:
    """Find the recognition in force on ``on`` for this technology and pair of AMS."""

    def verdict(ok: bool, reason: str, rule: Recognition | None = None) -> RecognitionDecision:
        return RecognitionDecision(
            ok,
            reason,
            technology,
            from_ams,
            relying_ams,
            rule.max_level if (ok and rule) else None,
            rule,
        )

    for party in (from_ams, relying_ams):
        if party not in agreement.parties:
            return verdict(False, f"{party} is not a party to agreement {agreement.id}")
    rules = [
        r
        for r in agreement.recognitions
        if r.technology == technology and r.from_ams == from_ams and r.accepted_by == relying_ams
    ]
    if not rules:
        return verdict(
            False,
            f"agreement {agreement.id} does not recognise {technology} of {from_ams} in {relying_ams}",
        )
    live = [r for r in rules if r.in_force(on)]
    if not live:
        return verdict(
            False,
            f"the recognition of {technology} in {relying_ams} is not in force on {on.isoformat()}",
            rules[0],
        )
    rule = max(live, key=lambda r: r.max_level)
    return verdict(
        True,
        f"{technology} of {from_ams} is recognised in {relying_ams} up to level {rule.max_level} "
        f"since {rule.since.isoformat()}",
        rule,
    )


def check_request(requested: int, published: Iterable[int], recognised_up_to: int) -> LoaCheck:
    """Check 1: can the request be met by the published levels and by the agreement?"""
    levels = sorted(set(published))
    if not levels:
        return LoaCheck(
            "request",
            False,
            "the sending AMS published no level",
            "unmet_authentication_requirements",
        )
    if requested > max(levels):
        return LoaCheck(
            "request",
            False,
            f"level {requested} was requested but the highest level published is {max(levels)}",
            "unmet_authentication_requirements",
        )
    if requested > recognised_up_to:
        return LoaCheck(
            "request",
            False,
            f"level {requested} was requested but the agreement recognises this technology only "
            f"up to level {recognised_up_to}",
            "unmet_authentication_requirements",
        )
    return LoaCheck("request", True, f"level {requested} can be met (published {levels})")


def check_returned(requested: int, returned: int | None) -> LoaCheck:
    """Check 2: does the returned level meet the requested one?"""
    if returned is None:
        return LoaCheck(
            "returned",
            False,
            "no level of assurance was returned",
            "unmet_authentication_requirements",
        )
    if returned < requested:
        return LoaCheck(
            "returned",
            False,
            f"level {returned} was returned but level {requested} was requested (downgrade)",
            "unmet_authentication_requirements",
        )
    return LoaCheck("returned", True, f"level {returned} meets the requested level {requested}")


def check_published(returned: int | None, published: Iterable[int]) -> LoaCheck:
    """Check 3: is the returned level one that the sending AMS published?"""
    levels = sorted(set(published))
    if returned is None or returned not in levels:
        return LoaCheck(
            "published",
            False,
            f"level {returned} is not one of the levels published for this technology {levels}",
            "access_denied",
        )
    return LoaCheck("published", True, f"level {returned} is published")
