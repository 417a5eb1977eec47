"""Fixtures of the pilot tests: the live service with the default pilot, and pilot.toml variants."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest


@pytest.fixture
def pilot_server(live_server_factory: Callable[..., Any], tmp_path: Path) -> Any:
    """The service with the default pilot over a fresh SQLite store."""
    return live_server_factory(
        data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'pilot.sqlite3'}"
    )


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=30.0) as c:
        yield c
