"""The registry's own LoA assessment of an entry's technology profile (via ``eauth_toolkit.loa``).

The registry stores the assessed level beside the level the AMS claims and flags a difference.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eauth_toolkit.errors import EauthError
from eauth_toolkit.loa import assess, profile_from_dict

__all__ = ["EntryAssessment", "assess_entry"]


@dataclass(frozen=True)
class EntryAssessment:
    """The summary the registry keeps: the overall ISO/IEC 29115 level, its mappings, and the
    full explanation from the LoA engine (``details``)."""

    level: int | None
    summary: dict[str, Any] | None
    details: dict[str, Any] | None
    mismatch: bool


def _assess(profile: dict[str, Any]) -> dict[str, Any]:
    details: dict[str, Any] = assess(profile_from_dict(profile, source="profile")).to_dict()
    return details


def _confirmed_only(entry: dict[str, Any], profile: dict[str, Any]) -> int:
    """The level the confirmed facts alone support: every profile fact the entry (or the
    profile itself) lists as unconfirmed counts as unknown."""
    marks = [str(p) for p in entry.get("unconfirmed") or []]
    if "/profile" in marks or "" in marks:
        data: dict[str, Any] = {"name": profile.get("name") or entry.get("name") or "unnamed"}
    else:
        data = dict(profile)
        extra = [p[len("/profile") :] for p in marks if p.startswith("/profile/")]
        data["unconfirmed"] = list(profile.get("unconfirmed") or []) + extra
    reduced = profile_from_dict(data, source="profile").without_unconfirmed()
    return int(assess(reduced).overall)


def _summary(details: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """The level and its mappings, from ``Assessment.to_dict()``."""
    level = int(details["iso29115"]["overall"])
    summary: dict[str, Any] = {"iso29115": level}
    if details.get("eidas") is not None:
        summary["eidas"] = str(details["eidas"])
    if isinstance(details.get("nist"), dict):
        summary["nist"] = details["nist"]
    version = (details.get("guidance") or {}).get("version")
    if version is not None:
        summary["guidance_version"] = str(version)
    return level, summary


def assess_entry(entry: dict[str, Any]) -> EntryAssessment:
    """Assess an entry's profile; entries without a profile have no assessed level."""
    profile = entry.get("profile")
    claimed = entry.get("claimed_level")
    claimed_level = claimed.get("iso29115") if isinstance(claimed, dict) else None
    if not isinstance(profile, dict):
        return EntryAssessment(None, None, None, False)
    try:
        details = _assess(profile)
        level, summary = _summary(details)
        summary["confirmed_only"] = _confirmed_only(entry, profile)
    except (ValueError, TypeError, KeyError) as exc:  # the profile passed validation: a guard
        raise EauthError(f"cannot assess the profile: {exc}", where="/profile") from None
    mismatch = claimed_level is not None and claimed_level != level
    return EntryAssessment(level, summary, details, mismatch)
