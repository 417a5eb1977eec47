"""Mapping ISO/IEC 29115 levels to eIDAS (Implementing Regulation (EU) 2015/1502) and NIST SP 800-63.

The tables are data in the Guidance file (``mappings:``), each with its sources and a note saying
whether it is official; this module only reads them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from eauth_toolkit.errors import InputError, LoaError
from eauth_toolkit.loa.rules import Guidance, default_guidance

__all__ = [
    "MAPPING_TARGETS",
    "NistLevels",
    "LevelMapping",
    "parse_level",
    "to_eidas",
    "to_nist",
    "map_level",
    "mapping_table",
]

#: the targets of ``eauth loa map``
MAPPING_TARGETS = ("eidas", "nist")
NIST_REVISIONS = ("800-63-3", "800-63-4")

_LEVEL_RE = re.compile(r"^(?:iso29115:|loa)?([0-4])$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class NistLevels:
    """NIST SP 800-63 identity and authenticator assurance levels (``None``: no level)."""

    ial: int | None
    aal: int | None
    revision: str = "800-63-3"

    def to_dict(self) -> dict[str, Any]:
        return {"ial": self.ial, "aal": self.aal}


@dataclass(frozen=True, slots=True)
class LevelMapping:
    """One ISO/IEC 29115 level mapped to a target scheme, with the basis of the mapping."""

    level: int
    target: str
    value: Any
    official: bool
    notes: str
    sources: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "iso29115": self.level,
            "target": self.target,
            "value": self.value,
            "official": self.official,
            "notes": self.notes,
            "sources": list(self.sources),
        }


def parse_level(text: str | int) -> int:
    """``iso29115:3``, ``loa3``, ``3`` -> 3 (0 means below LoA1); anything else is an InputError."""
    if isinstance(text, int) and not isinstance(text, bool) and 0 <= text <= 4:
        return text
    m = _LEVEL_RE.match(str(text).strip())
    if not m:
        raise InputError(
            "expected an ISO/IEC 29115 level such as iso29115:3 (levels 1-4, 0 for below LoA1)",
            where=str(text),
        )
    return int(m.group(1))


def mapping_table(name: str, guidance: Guidance | None = None) -> Mapping[str, Any]:
    """The raw mapping table ``eidas``, ``nist-800-63-3`` or ``nist-800-63-4`` of the Guidance."""
    g = guidance or default_guidance()
    table = g.mappings.get(name)
    if table is None:
        raise LoaError(f"the Guidance has no mapping {name!r}", where=g.path)
    return table


def to_eidas(level: int, guidance: Guidance | None = None) -> str | None:
    """eIDAS assurance level (``low``, ``substantial``, ``high``) or ``None`` below ``low``."""
    value = mapping_table("eidas", guidance)["table"][str(level)]
    return None if value is None else str(value)


def to_nist(
    enrolment: int,
    authenticator: int | None = None,
    *,
    revision: str = "800-63-3",
    guidance: Guidance | None = None,
) -> NistLevels:
    """NIST IAL from the enrolment level and AAL from the authenticator level (default: same)."""
    if revision not in NIST_REVISIONS:
        raise InputError(
            f"unknown NIST SP 800-63 revision (one of {', '.join(NIST_REVISIONS)})", where=revision
        )
    table = mapping_table(f"nist-{revision}", guidance)["table"]
    auth = enrolment if authenticator is None else authenticator
    return NistLevels(table[str(enrolment)]["ial"], table[str(auth)]["aal"], revision)


def map_level(level: int, target: str, guidance: Guidance | None = None) -> list[LevelMapping]:
    """Map one ISO/IEC 29115 level to ``eidas`` or ``nist`` (both NIST revisions)."""
    g = guidance or default_guidance()
    if target not in MAPPING_TARGETS:
        raise InputError(
            f"unknown mapping target (one of {', '.join(MAPPING_TARGETS)})", where=target
        )
    names = (
        ["eidas"]
        if target == "eidas"
        else [f"nist-{r}" for r in NIST_REVISIONS if f"nist-{r}" in g.mappings]
    )
    out = []
    for name in names:
        table = g.mappings[name]
        if name == "eidas":
            value: Any = to_eidas(level, g)
        else:
            value = to_nist(level, revision=name.removeprefix("nist-"), guidance=g).to_dict()
        sources = tuple(
            f"{g.references[s['ref']]['short']} {s['clause']}" for s in table["sources"]
        )
        out.append(
            LevelMapping(level, name, value, bool(table["official"]), table["notes"], sources)
        )
    return out
