"""Cross-framework mappings from an ISO/IEC 29115 level to eIDAS and NIST SP 800-63 (labelled as mappings).

Each framework is assessed directly by its own rule set (:mod:`.assessment`); these tables only map
an ISO/IEC 29115 level, for readers who start from one. ``eauth loa map`` and the ``mapping`` part
of an assessment read the same table, and the assessment says where the mapping and the direct
result differ.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from eauth_toolkit.errors import InputError, LoaError
from eauth_toolkit.loa.guidance import MAPPINGS_FILE

if TYPE_CHECKING:
    from eauth_toolkit.loa.assessment import Assessment

__all__ = [
    "MAPPING_TARGETS",
    "NistLevels",
    "LevelMapping",
    "parse_level",
    "mapping_tables",
    "to_eidas",
    "to_nist",
    "map_level",
    "map_range",
]

MAPPING_TARGETS = ("eidas", "nist")
NIST_REVISIONS = ("800-63-3", "800-63-4")

_LEVEL_RE = re.compile(r"^(?:iso29115:|loa)?([0-4])$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class NistLevels:
    """NIST SP 800-63 IAL and AAL (``None``: no level)."""

    ial: int | None
    aal: int | None
    revision: str = "800-63-3"

    def to_dict(self) -> dict[str, Any]:
        return {"ial": self.ial, "aal": self.aal}


@dataclass(frozen=True, slots=True)
class LevelMapping:
    """One ISO/IEC 29115 level mapped to a target (a mapping, not an assessment)."""

    level: int
    target: str
    value: Any
    official: bool
    notes: str
    sources: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": "mapping",
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


@lru_cache(maxsize=1)
def mapping_tables() -> Mapping[str, Mapping[str, Any]]:
    from eauth_toolkit.loa.rules import read_yaml

    doc = read_yaml(MAPPINGS_FILE)
    if not isinstance(doc, dict) or "eidas" not in doc:
        raise LoaError("mapping file has no eidas table", where=str(MAPPINGS_FILE))
    return doc


def to_eidas(level: int) -> str | None:
    value = mapping_tables()["eidas"]["table"][str(level)]
    return None if value is None else str(value)


def to_nist(
    enrolment: int, authenticator: int | None = None, *, revision: str = "800-63-3"
) -> NistLevels:
    """Mapped NIST IAL from an ISO enrolment level, AAL from an ISO authenticator level."""
    if revision not in NIST_REVISIONS:
        raise InputError(
            f"unknown NIST SP 800-63 revision (one of {', '.join(NIST_REVISIONS)})", where=revision
        )
    table = mapping_tables()[f"nist-{revision}"]["table"]
    auth = enrolment if authenticator is None else authenticator
    return NistLevels(table[str(enrolment)]["ial"], table[str(auth)]["aal"], revision)


def map_level(level: int, target: str) -> list[LevelMapping]:
    """Map one ISO/IEC 29115 level to ``eidas`` or ``nist`` (both revisions)."""
    if target not in MAPPING_TARGETS:
        raise InputError(
            f"unknown mapping target (one of {', '.join(MAPPING_TARGETS)})", where=target
        )
    tables = mapping_tables()
    names = ["eidas"] if target == "eidas" else [f"nist-{r}" for r in NIST_REVISIONS]
    out = []
    for name in names:
        table = tables[name]
        if name == "eidas":
            value: Any = to_eidas(level)
        else:
            value = to_nist(level, revision=name.removeprefix("nist-")).to_dict()
        out.append(
            LevelMapping(
                level, name, value, bool(table["official"]), table["notes"], tuple(table["sources"])
            )
        )
    return out


def map_range(a: Assessment) -> dict[str, Any]:
    """The assessment's ISO/IEC 29115 range mapped to eIDAS and NIST, and whether it matches the direct results."""
    iso = a.iso
    eidas_rs = a.rule_set("eidas-2015-1502")
    direct_eidas = a.eidas
    mapped_eidas = {"confirmed": to_eidas(iso.confirmed), "reachable": to_eidas(iso.reachable)}
    direct = {
        "confirmed": eidas_rs.level_name(direct_eidas.confirmed),
        "reachable": eidas_rs.level_name(direct_eidas.reachable),
    }
    enr = a.phase_range("iso29115-2013", "enrolment")
    cm = a.phase_range("iso29115-2013", "credential_management")
    au = a.phase_range("iso29115-2013", "authentication")
    nist: dict[str, Any] = {}
    for rev in NIST_REVISIONS:
        lo = to_nist(enr.confirmed, min(cm.confirmed, au.confirmed), revision=rev)
        hi = to_nist(enr.reachable, min(cm.reachable, au.reachable), revision=rev)
        ial = a.range(f"nist-{rev}", "ial")
        aal = a.range(f"nist-{rev}", "aal")
        d_ial = {"confirmed": ial.confirmed or None, "reachable": ial.reachable or None}
        d_aal = {"confirmed": aal.confirmed or None, "reachable": aal.reachable or None}
        m_ial = {"confirmed": lo.ial, "reachable": hi.ial}
        m_aal = {"confirmed": lo.aal, "reachable": hi.aal}
        nist[rev] = {
            "mapped": {"ial": m_ial, "aal": m_aal},
            "direct": {"ial": d_ial, "aal": d_aal},
            "differs": m_ial != d_ial or m_aal != d_aal,
        }
    return {
        "kind": "mapping",
        "note": (
            "Mapped from the ISO/IEC 29115 result by the Guidance's mapping tables (not official "
            "equivalences). The direct results above are assessed from the facts by each "
            "framework's own rules; where they differ, the direct result is the assessment."
        ),
        "eidas": {
            "mapped": mapped_eidas,
            "direct": direct,
            "differs": mapped_eidas != direct,
        },
        "nist": nist,
    }
