"""Where the data shipped with the toolkit lives, in a source checkout and in an installed wheel.

The repository keeps ``schemas/`` and ``repository_list/`` at its top; the build maps them into the
package as ``eauth_toolkit/_data/schemas`` and ``eauth_toolkit/_data/repository_list`` (see
``setup.py``). The pilot configuration is package data of ``pilot_sandbox``. Everything is found
through :mod:`importlib.resources`, so the same code works in a checkout, an editable install and
an installed wheel. These files are read-only: what users write goes to the data folder
(:mod:`eauth_toolkit.settings`).
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from pathlib import Path

__all__ = [
    "checkout_root",
    "data_path",
    "pilot_config_path",
    "repository_list_dir",
    "schemas_dir",
    "trust_list_dir",
]

#: the top-level folders of the repository that the wheel carries under ``eauth_toolkit/_data``
SHIPPED = ("schemas", "repository_list")


def _as_path(resource: object, what: str) -> Path:
    if isinstance(resource, Path):
        return resource
    raise RuntimeError(f"{what} is not on the file system ({resource}); install the wheel unzipped")


@cache
def checkout_root() -> Path | None:
    """The source checkout the package runs from (editable install), or None for a wheel."""
    package = _as_path(files("eauth_toolkit"), "the eauth_toolkit package")
    root = package.parent
    if (root / "pyproject.toml").is_file() and (root / "schemas").is_dir():
        return root
    return None


@cache
def data_path(name: str) -> Path:
    """The shipped folder ``name`` (one of :data:`SHIPPED`)."""
    if name not in SHIPPED:
        raise ValueError(f"unknown data folder {name!r} (expected one of: {', '.join(SHIPPED)})")
    packaged = files("eauth_toolkit").joinpath("_data", name)
    if packaged.is_dir():
        return _as_path(packaged, name)
    root = checkout_root()
    if root is None:
        raise RuntimeError(f"the data folder {name!r} is missing from the installed package")
    return root / name


def schemas_dir() -> Path:
    """The published JSON Schemas (``schemas/``)."""
    return data_path("schemas")


def repository_list_dir() -> Path:
    """Sample repository list, authority registry, sandbox keys and trust lists."""
    return data_path("repository_list")


def trust_list_dir() -> Path:
    """The shipped SANDBOX AMS trust lists (sample data; relative locations in a list resolve here)."""
    return repository_list_dir() / "trust-lists"


def pilot_config_path() -> Path:
    """The pilot configuration shipped with ``pilot_sandbox``."""
    return _as_path(files("pilot_sandbox").joinpath("pilot.toml"), "pilot.toml")
