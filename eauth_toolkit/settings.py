"""Runtime settings: read once at the edge (CLI, service start-up) and passed explicitly."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

__all__ = ["Settings", "PROJECT_ROOT", "DEFAULT_DATA_DIR"]

#: the source checkout (data files such as ``repository_list/`` live here)
PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = Path(os.environ.get("EAUTH_DATA_DIR", PROJECT_ROOT / "var"))


@dataclass(frozen=True)
class Settings:
    """Everything the service and the CLI need to know about their environment."""

    #: SQLAlchemy URL; SQLite file by default, PostgreSQL via ``EAUTH_DATABASE_URL``
    database_url: str = field(default_factory=lambda: os.environ.get("EAUTH_DATABASE_URL", ""))
    data_dir: Path = DEFAULT_DATA_DIR
    #: public base URL of the service (issuers of the sandbox IdPs and gateways derive from it)
    base_url: str = field(
        default_factory=lambda: os.environ.get("EAUTH_BASE_URL", "http://127.0.0.1:8000")
    )
    #: load the sample data (repository list, trust lists, pilot config) at start-up
    load_samples: bool = True
    #: the pilot configuration file
    pilot_config: Path = field(
        default_factory=lambda: Path(
            os.environ.get("EAUTH_PILOT_CONFIG", PROJECT_ROOT / "pilot_sandbox" / "pilot.toml")
        )
    )
    repository_dir: Path = PROJECT_ROOT / "repository_list"

    def __post_init__(self) -> None:
        if not self.database_url:
            object.__setattr__(
                self, "database_url", f"sqlite:///{Path(self.data_dir) / 'eauth.sqlite3'}"
            )

    def with_(self, **changes: object) -> Settings:
        return replace(self, **changes)  # type: ignore[arg-type]
