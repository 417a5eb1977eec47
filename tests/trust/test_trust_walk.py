"""examples/trust-walk.sh runs: one acr value from a signed submission, through peer review and
publication, to the demo service's decision (a real service, driven over HTTP)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.helpers import free_port

ROOT = Path(__file__).resolve().parents[2]


def test_the_trust_walk_example_runs(tmp_path: Path) -> None:
    bin_dir = Path(sys.executable).parent
    env = dict(os.environ, EAUTH=str(bin_dir / "eauth"), PYTHON=sys.executable)
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    run = subprocess.run(
        ["sh", str(ROOT / "examples" / "trust-walk.sh"), str(tmp_path / "walk"), str(free_port())],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    out = run.stdout
    assert run.returncode == 0, out + run.stderr
    refused, accepted = out.split("== 7.")
    # with list 1 the level is only proposed: the demo service refuses, naming the list
    assert "outcome: failed" in refused
    assert "proposed, not agreed by peer review (Repository List #1" in refused
    assert "decision source: list #1, agreement sg-my-sandbox" in refused
    # after MY's signed endorsement, list 2: accepted at the agreed level, no restart
    assert "level 3 of sg-sandbox-national-idp is agreed: endorsed by MY" in accepted
    assert "VALID list #2" in accepted
    assert "outcome: succeeded, level 3" in accepted
    assert "decision source: list #2, agreement sg-my-sandbox" in accepted
    # every step was a signed submission through the registry
    for line in (
        "accepted: SG submission #1",
        "accepted: SG trust-list SG version 1 (added)",
        "accepted: MY agreement sg-my-sandbox version 1 (added)",
        "accepted: MY endorses level 3 of sg-sandbox-national-idp",
    ):
        assert line in out
