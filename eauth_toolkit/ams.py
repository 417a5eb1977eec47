"""The ASEAN Member States and the level scales shared by every part, defined once.

- AMS codes: ISO 3166-1 alpha-2, in ASEAN's alphabetical order of country names;
- ISO/IEC 29115 levels of assurance 1..4 (0 is used by assessments for "below level 1");
- eIDAS levels of assurance (Regulation (EU) 2015/1502): low, substantial, high;
- signature levels (EN 319 102-1 vocabulary as adapted to AMS trust lists): SES < AdES < AdES-QC < QES.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from annotated_types import Interval

__all__ = [
    "AMS_CODES",
    "AmsCode",
    "ISO29115_LEVELS",
    "Iso29115Level",
    "AssessedIso29115Level",
    "EIDAS_LEVELS",
    "EidasLevel",
    "SIGNATURE_LEVELS",
    "SignatureLevel",
    "signature_level_rank",
]

#: the ten ASEAN Member States, ISO 3166-1 alpha-2
AMS_CODES: tuple[str, ...] = ("BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "VN")
AmsCode = Literal["BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "VN"]

#: ISO/IEC 29115 levels of assurance
ISO29115_LEVELS: tuple[int, ...] = (1, 2, 3, 4)
#: (kept free of pydantic so that the CLI can check an option without loading it)
Iso29115Level = Annotated[int, Interval(ge=1, le=4)]
#: an assessed level: 0 means below level 1
AssessedIso29115Level = Annotated[int, Interval(ge=0, le=4)]

#: eIDAS levels of assurance, lowest first
EIDAS_LEVELS: tuple[str, ...] = ("low", "substantial", "high")
EidasLevel = Literal["low", "substantial", "high"]

#: signature levels, lowest first
SIGNATURE_LEVELS: tuple[str, ...] = ("SES", "AdES", "AdES-QC", "QES")


class SignatureLevel(StrEnum):
    """Level against the AMS trust lists (QES = qualified-equivalent)."""

    QES = "QES"
    ADES_QC = "AdES-QC"
    ADES = "AdES"
    SES = "SES"


def signature_level_rank(level: str) -> int:
    """Position of ``level`` in :data:`SIGNATURE_LEVELS` (higher is stronger)."""
    return SIGNATURE_LEVELS.index(level)
