"""The Guidance rule files (data): ``iso29115-2013.yaml`` is the default rule set."""

from __future__ import annotations

from pathlib import Path

__all__ = ["GUIDANCE_DIR", "DEFAULT_GUIDANCE"]

#: the folder holding the Guidance rule files
GUIDANCE_DIR = Path(__file__).resolve().parent
#: the rule set used when none is given
DEFAULT_GUIDANCE = GUIDANCE_DIR / "iso29115-2013.yaml"
