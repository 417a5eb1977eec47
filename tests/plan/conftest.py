from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from eauth_toolkit.plan import PACKAGED_STATUS, STATUS_ENV


@pytest.fixture
def status_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A writable copy of the packaged status file; ``$EAUTH_PLAN_STATUS`` cleared."""
    monkeypatch.delenv(STATUS_ENV, raising=False)
    path = tmp_path / "status.yaml"
    shutil.copyfile(PACKAGED_STATUS, path)
    return path
