"""A technology entry as the pilot reads it from the verified Repository List, and the mapping
of its national ``acr`` vocabulary to ISO/IEC 29115 levels.

``entries/*.json`` are sample submissions only (see :mod:`pilot_sandbox.trustlist`): issuers that
depend on the deployment are templated there, ``{base_url}`` (the service's base URL) and
``{issuer}`` (the issuer configured for an external provider in ``pilot.toml``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eauth_toolkit.errors import PilotError
from eauth_toolkit.recognition.trust import TrustView

__all__ = ["ENTRY_DIR", "TechnologyEntry", "technology_entry"]

ENTRY_DIR = Path(__file__).resolve().parent / "entries"


@dataclass(frozen=True)
class TechnologyEntry:
    """One technology entry with its acr-to-ISO mapping."""

    id: str
    ams: str
    name: str
    claimed_level: int
    acr_levels: dict[str, int]
    issuer: str | None
    document: dict[str, Any]

    @property
    def published_levels(self) -> set[int]:
        """The ISO levels the AMS published for this technology (the registered level when the
        provider speaks no acr)."""
        return set(self.acr_levels.values()) or {self.claimed_level}

    def level_of(self, acr: str | None) -> int:
        """ISO level of a national ``acr``; a provider that publishes no acr vocabulary gets its
        registered level. Unknown values raise :class:`PilotError` (code ``unknown_acr``)."""
        if not self.acr_levels:
            return self.claimed_level
        if acr is None:
            raise PilotError(f"no acr was returned by {self.id}", code="unknown_acr")
        try:
            return self.acr_levels[acr]
        except KeyError:
            raise PilotError(
                f"acr {acr!r} is not in the vocabulary registered for {self.id}", code="unknown_acr"
            ) from None

    def acrs_at_least(self, level: int) -> list[str]:
        """National acr values that reach ``level``, lowest first."""
        return [a for a, n in sorted(self.acr_levels.items(), key=lambda kv: kv[1]) if n >= level]

    def iso_of_national(self, acr: str) -> int | None:
        return self.acr_levels.get(acr)


def technology_entry(view: TrustView, entry_id: str) -> TechnologyEntry:
    """The technology ``entry_id`` as the verified list ``view`` carries it."""
    doc = view.entries.get(entry_id)
    if doc is None:
        raise PilotError(
            f"{entry_id} is not in the Repository List #{view.list_sequence}",
            code="unknown_technology",
        )
    claimed = (doc.get("claimed_level") or {}).get("iso29115")
    return TechnologyEntry(
        id=entry_id,
        ams=str(doc.get("ams")),
        name=str(doc.get("name")),
        claimed_level=int(claimed) if isinstance(claimed, int) else 1,
        acr_levels=view.acr_levels(entry_id),
        issuer=(doc.get("oidc") or {}).get("issuer"),
        document=doc,
    )
