"""Levels of assurance: technology profiles, the eIDAS / ISO/IEC 29115 / NIST rule sets, ranges, mappings.

::

    from eauth_toolkit.loa import TechnologyProfile, assess

    a = assess(TechnologyProfile.model_validate(document))
    a.eidas, a.iso, a.range("nist-800-63-3", "ial"), a.unknowns("eidas-2015-1502"), a.to_dict()
"""

from __future__ import annotations

from eauth_toolkit.loa.assessment import Assessment, Range, assess, profile_from_dict
from eauth_toolkit.loa.mappings import (
    LevelMapping,
    NistLevels,
    map_level,
    parse_level,
    to_eidas,
    to_nist,
)
from eauth_toolkit.loa.models import TechnologyProfile
from eauth_toolkit.loa.rules import PHASES, Rule, RuleSet, load_rule_set, rule_sets

__all__ = [
    "TechnologyProfile",
    "assess",
    "Assessment",
    "Range",
    "profile_from_dict",
    "PHASES",
    "Rule",
    "RuleSet",
    "load_rule_set",
    "rule_sets",
    "NistLevels",
    "LevelMapping",
    "parse_level",
    "to_eidas",
    "to_nist",
    "map_level",
]
