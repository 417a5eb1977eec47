"""The repository example script runs and shows the round trip."""

from __future__ import annotations

import subprocess
import sys

from tests.repository.conftest import ROOT


def test_submit_publish_verify_example_runs() -> None:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "repository" / "submit_publish_verify.py")],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "1. SG.json:" in out and "0 problems" in out
    assert "2. accepted as submission #1" in out and "sg-singpass" in out
    assert "3. published list #1" in out
    assert "4. verified list #1 (ES256" in out
    assert "one changed byte: refused" in out
