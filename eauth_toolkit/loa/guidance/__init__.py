"""The rule-set files (data): one per framework, assessed directly, plus the cross-framework mappings."""

from __future__ import annotations

from pathlib import Path

__all__ = ["GUIDANCE_DIR", "RULE_SET_FILES", "MAPPINGS_FILE"]

#: the folder holding the rule-set files
GUIDANCE_DIR = Path(__file__).resolve().parent
#: the shipped rule sets, in the order results are reported
RULE_SET_FILES = ("eidas-2015-1502.yaml", "iso29115-2013.yaml", "nist-800-63.yaml")
#: ISO/IEC 29115 level -> eIDAS and NIST (labelled as mappings, not assessments)
MAPPINGS_FILE = GUIDANCE_DIR / "mappings.yaml"
