"""Disclosure restrictions: what the public list, API and pages show of a restricted entry.

The Work Plan makes publication "subject to AMS' laws on technology neutrality affecting
disclosure": an AMS may mark an entry ``disclosure.restricted``; the registry then publishes only
what identifies the entry (id, AMS, name, operator, type, status and its history, sources) and
withholds the description, the profile and its assessment, the OpenID details, the legal basis,
the supervising authority and the claimed level.
"""

from __future__ import annotations

from typing import Any

__all__ = ["WITHHELD", "is_restricted", "redact"]

WITHHELD = "Details withheld under the submitting AMS's disclosure rules."

_WITHHELD_FIELDS = ("profile", "oidc", "legal_basis", "supervising_authority", "claimed_level")


def is_restricted(document: dict[str, Any]) -> bool:
    return bool((document.get("disclosure") or {}).get("restricted"))


def redact(document: dict[str, Any]) -> dict[str, Any]:
    """The public form of an entry: restricted entries keep only what identifies them."""
    if not is_restricted(document):
        return document
    out = dict(document)
    out["description"] = WITHHELD
    for name in _WITHHELD_FIELDS:
        out[name] = None
    if "assessed_level" in out:
        out["assessed_level"] = None
        out["level_mismatch"] = False
    return out
