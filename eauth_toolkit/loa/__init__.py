"""Levels of assurance: the ISO/IEC 29115 technology profile, the Guidance rules, assessment, mappings."""

from __future__ import annotations

from eauth_toolkit.loa.models import TechnologyProfile

__all__ = ["TechnologyProfile"]
