"""The registry's own LoA assessment of an entry's technology profile (via ``eauth_toolkit.loa``).

The registry stores a level *range* per framework: the level the confirmed facts support (the lower
bound, which lists and filters use) and the level reachable if the unknown facts turn out
favourably. The entry's own ``sources`` and ``unconfirmed`` marks count as evidence for the profile.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eauth_toolkit.errors import EauthError
from eauth_toolkit.loa import assess, profile_from_dict
from eauth_toolkit.loa.profiles import with_entry_evidence

__all__ = ["EntryAssessment", "assess_entry"]


@dataclass(frozen=True)
class EntryAssessment:
    """What the registry keeps: the confirmed ISO/IEC 29115 level (``level``, the lower bound),
    the ranges of every framework (``summary``) and the full explanation (``details``)."""

    level: int | None
    summary: dict[str, Any] | None
    details: dict[str, Any] | None
    mismatch: bool


def assess_entry(entry: dict[str, Any]) -> EntryAssessment:
    """Assess an entry's profile; entries without a profile have no assessed level."""
    profile = entry.get("profile")
    claimed = entry.get("claimed_level")
    claimed_level = claimed.get("iso29115") if isinstance(claimed, dict) else None
    if not isinstance(profile, dict):
        return EntryAssessment(None, None, None, False)
    p = with_entry_evidence(profile_from_dict(profile, source="/profile"), entry)
    try:
        a = assess(p)
        details = a.to_dict()
        summary = a.summary()
    except (ValueError, TypeError, KeyError) as exc:  # the profile passed validation: a guard
        raise EauthError(f"cannot assess the profile: {exc}", where="/profile") from None
    iso = a.iso
    level = iso.confirmed
    nist = a.range("nist-800-63-3", "ial"), a.range("nist-800-63-3", "aal")
    out: dict[str, Any] = {
        "iso29115": level,
        "confirmed_only": level,
        "eidas": summary["eidas"]["confirmed"],
        "nist": {"ial": nist[0].confirmed or None, "aal": nist[1].confirmed or None},
        "guidance_version": a.rule_set("iso29115-2013").version,
        "label": summary["iso29115"]["label"],
        "ranges": {k: v for k, v in summary.items() if k != "guidance_profile"},
        "filter_note": "lists and filters use the confirmed (lower) level of each range",
    }
    mismatch = claimed_level is not None and not (iso.confirmed <= claimed_level <= iso.reachable)
    summary = out
    return EntryAssessment(level, summary, details, mismatch)
