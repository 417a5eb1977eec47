"""Levels of assurance: the ISO/IEC 29115 technology profile, the Guidance rules, assessment, mappings.

::

    from eauth_toolkit.loa import TechnologyProfile, assess

    result = assess(TechnologyProfile.model_validate(document))
    result.overall, result.phases, result.limiting, result.to_dict()
"""

from __future__ import annotations

from eauth_toolkit.loa.assessment import Assessment, Claim, UnmetRule, assess, profile_from_dict
from eauth_toolkit.loa.mappings import (
    LevelMapping,
    NistLevels,
    map_level,
    mapping_table,
    parse_level,
    to_eidas,
    to_nist,
)
from eauth_toolkit.loa.models import TechnologyProfile
from eauth_toolkit.loa.rules import PHASES, Guidance, Rule, default_guidance, load_guidance

__all__ = [
    "TechnologyProfile",
    "assess",
    "Assessment",
    "UnmetRule",
    "Claim",
    "profile_from_dict",
    "PHASES",
    "Guidance",
    "Rule",
    "load_guidance",
    "default_guidance",
    "NistLevels",
    "LevelMapping",
    "parse_level",
    "to_eidas",
    "to_nist",
    "map_level",
    "mapping_table",
]
