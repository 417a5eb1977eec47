"""The pilot's sandbox technology entries (``entries/*.json``, Collaborative Repository List format)
and the mapping of each national ``acr`` vocabulary to ISO/IEC 29115 levels through them.

Issuers that depend on the deployment are templated: ``{base_url}`` (the service's base URL) and
``{issuer}`` (the issuer configured for an external provider in ``pilot.toml``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eauth_toolkit.errors import PilotError

__all__ = ["ENTRY_DIR", "TechnologyEntry", "load_entry", "load_entries"]

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


def _fill(value: Any, subst: dict[str, str]) -> Any:
    if isinstance(value, str):
        for k, v in subst.items():
            value = value.replace("{" + k + "}", v)
        return value
    if isinstance(value, list):
        return [_fill(v, subst) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, subst) for k, v in value.items()}
    return value


def load_entry(
    entry_id: str, *, base_url: str, issuer: str | None = None, directory: Path = ENTRY_DIR
) -> TechnologyEntry:
    path = directory / f"{entry_id}.json"
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PilotError(f"no sandbox technology entry {entry_id!r}", where=str(path)) from None
    except json.JSONDecodeError as exc:
        raise PilotError(f"JSON syntax error: {exc.msg}", where=f"{path}:{exc.lineno}") from None
    subst = {"base_url": base_url.rstrip("/")}
    if issuer:
        subst["issuer"] = issuer.rstrip("/")
    doc = _fill(raw, subst)
    try:
        oidc = doc.get("oidc") or {}
        mapping = {str(a["acr"]): int(a["iso29115"]) for a in oidc.get("acr_values") or []}
        claimed = int(doc["claimed_level"]["iso29115"])
        return TechnologyEntry(
            id=str(doc["id"]),
            ams=str(doc["ams"]),
            name=str(doc["name"]),
            claimed_level=claimed,
            acr_levels=mapping,
            issuer=oidc.get("issuer"),
            document=doc,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise PilotError(
            f"malformed entry ({exc.__class__.__name__}: {exc})", where=str(path)
        ) from None


def load_entries(
    ids: list[tuple[str, str | None]], *, base_url: str, directory: Path = ENTRY_DIR
) -> dict[str, TechnologyEntry]:
    """Load entries by (id, external issuer or None)."""
    return {i: load_entry(i, base_url=base_url, issuer=iss, directory=directory) for i, iss in ids}
