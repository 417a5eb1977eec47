from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from eauth_toolkit.plan import PACKAGED_STATUS


@pytest.fixture
def status_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A writable copy of the packaged status file; ``$EAUTH_PLAN_STATUS`` cleared."""
    monkeypatch.delenv("EAUTH_PLAN_STATUS", raising=False)
    path = tmp_path / "status.yaml"
    shutil.copyfile(PACKAGED_STATUS, path)
    return path
