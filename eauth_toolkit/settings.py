"""Runtime settings: one object, built once at the edge (a CLI command, the service start-up) from
the command's options, the environment and the defaults, and passed down explicitly.

Nothing here reads the environment at import time; :meth:`Settings.from_env` is the only place that
does. Precedence: an option given on the command line, then the environment, then the default.

=====================  ====================  ============================================
setting                environment           default
=====================  ====================  ============================================
``data_dir``           ``EAUTH_DATA_DIR``    ``var/`` of the checkout, else the platform's
                                             user data folder (platformdirs)
``database_url``       ``EAUTH_DATABASE_URL``  SQLite file ``eauth.sqlite3`` in ``data_dir``
``base_url``           ``EAUTH_BASE_URL``    ``http://127.0.0.1:8000``
``pilot_config``       ``EAUTH_PILOT_CONFIG``  ``pilot.toml`` shipped with ``pilot_sandbox``
``plan_status``        ``EAUTH_PLAN_STATUS``   ``plan-status.yaml`` in ``data_dir``
=====================  ====================  ============================================
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from eauth_toolkit.resources import checkout_root, pilot_config_path, repository_list_dir

__all__ = ["Settings", "default_data_dir", "ENVIRONMENT"]

#: setting name -> environment variable read by :meth:`Settings.from_env`
ENVIRONMENT = {
    "data_dir": "EAUTH_DATA_DIR",
    "database_url": "EAUTH_DATABASE_URL",
    "base_url": "EAUTH_BASE_URL",
    "pilot_config": "EAUTH_PILOT_CONFIG",
    "plan_status": "EAUTH_PLAN_STATUS",
}
_PATHS = {"data_dir", "pilot_config", "repository_dir", "plan_status"}


def default_data_dir() -> Path:
    """``var/`` of the source checkout the package runs from, else the user data folder."""
    root = checkout_root()
    if root is not None:
        return root / "var"
    from platformdirs import user_data_path

    return user_data_path("eauth-toolkit", appauthor=False)


@dataclass(frozen=True)
class Settings:
    """Everything the service and the CLI need to know about their environment."""

    #: where everything the toolkit writes goes (database, published lists, plan status, pilot state)
    data_dir: Path = field(default_factory=lambda: default_data_dir())
    #: SQLAlchemy URL; empty means the SQLite file ``eauth.sqlite3`` in ``data_dir``
    database_url: str = ""
    #: public base URL of the service (issuers of the sandbox IdPs and gateways derive from it)
    base_url: str = "http://127.0.0.1:8000"
    #: load the sample data (repository list, trust lists, pilot config) at start-up
    load_samples: bool = True
    #: the pilot configuration file
    pilot_config: Path = field(default_factory=pilot_config_path)
    #: the read-only sample data: repository list, authority registry, trust lists
    repository_dir: Path = field(default_factory=repository_list_dir)
    #: the Work Plan status file; None means ``plan-status.yaml`` in ``data_dir``
    plan_status: Path | None = None

    def __post_init__(self) -> None:
        for name in _PATHS:
            value = getattr(self, name)
            if value is not None and not isinstance(value, Path):
                object.__setattr__(self, name, Path(value))
        if not self.database_url:
            object.__setattr__(self, "database_url", f"sqlite:///{self.data_dir / 'eauth.sqlite3'}")

    @property
    def plan_status_file(self) -> Path:
        """The status file ``eauth plan`` reads and writes."""
        return (
            self.plan_status if self.plan_status is not None else self.data_dir / "plan-status.yaml"
        )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **options: Any) -> Settings:
        """Build the settings: ``options`` that are not None win over ``environ`` (default
        ``os.environ``), which wins over the defaults."""
        if environ is None:
            import os

            environ = os.environ
        values: dict[str, Any] = {}
        for name, var in ENVIRONMENT.items():
            if environ.get(var):
                values[name] = environ[var]
        values.update({k: v for k, v in options.items() if v is not None and v != ""})
        return cls(**values)

    def to_json(self) -> str:
        """The settings as one JSON string (handed to service worker processes)."""
        return json.dumps(
            {k: (str(v) if isinstance(v, Path) else v) for k, v in asdict(self).items()}
        )

    @classmethod
    def from_json(cls, text: str) -> Settings:
        data = json.loads(text)
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})
