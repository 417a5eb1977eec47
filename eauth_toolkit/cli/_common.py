"""Shared pieces of the CLI: consoles, the one-line error rule and checks of paths and AMS codes.

Every command reports a user mistake as ``error: <where>: <message>`` on one line and exit code 2.
The root command (:mod:`eauth_toolkit.cli`) already turns any :class:`EauthError` and any
:class:`OSError` escaping a command into that line; the helpers below let a command say more
precisely what was wrong (which option, which file) before it starts work.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import typer

from eauth_toolkit.ams import AMS_CODES as AMS_CODES
from eauth_toolkit.errors import EauthError, InputError

if TYPE_CHECKING:
    from rich.console import Console

    from eauth_toolkit.settings import Settings

    console: Console
    err_console: Console

__all__ = [
    "AMS_CODES",
    "EXIT_BAD_INPUT",
    "check_ams",
    "data_dir_param",
    "console",
    "ensure_writable_dir",
    "err_console",
    "fail",
    "one_line_errors",
    "os_error_message",
    "output_file",
    "print_json",
    "readable_file",
    "reset_data_dir",
    "settings_for",
]

#: exit code for input that could not be read or used
EXIT_BAD_INPUT = 2


#: ``--data-dir`` of the command being run (set by the option's callback, read by settings_for)
_DATA_DIR: ContextVar[Path | None] = ContextVar("eauth_data_dir", default=None)


def _remember_data_dir(value: Path | None) -> Path | None:
    if value is not None:
        _DATA_DIR.set(Path(value))
    return value


def data_dir_param() -> Any:
    """A ``--data-dir`` option for a command that keeps state in the data folder. The root command
    adds it to each such command (see ``DATA_COMMANDS`` in :mod:`eauth_toolkit.cli`); the command
    gets the folder through :func:`settings_for`, not as an argument."""
    probe = typer.Typer()

    @probe.command()
    def _probe(
        data_dir: Path = typer.Option(
            None,
            "--data-dir",
            help="Folder for what the toolkit writes: database, published lists, plan status, "
            "pilot state (default: $EAUTH_DATA_DIR, else var/ of a source checkout, else the "
            "user data folder).",
            callback=_remember_data_dir,
            expose_value=False,
            show_default=False,
        ),
    ) -> None:
        """Only here to let typer build the option."""

    return typer.main.get_command(probe).params[0]


def reset_data_dir() -> None:
    """Forget ``--data-dir`` of a previous command run in the same process."""
    _DATA_DIR.set(None)


_CONSOLES: dict[str, Console] = {}


def __getattr__(name: str) -> Any:
    """``console`` and ``err_console`` are created on first use: importing rich costs start-up
    time, and a command that prints plain text should not pay it."""
    if name not in ("console", "err_console"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    if name not in _CONSOLES:
        from rich.console import Console

        _CONSOLES[name] = Console(stderr=name == "err_console", highlight=False, soft_wrap=True)
    return _CONSOLES[name]


def fail(exc: EauthError | str, code: int = EXIT_BAD_INPUT) -> NoReturn:
    """Print ``error: <where>: <message>`` on one line to stderr and exit."""
    text = " ".join(str(exc).split("\n"))
    sys.stderr.write(f"error: {text}\n")
    sys.stderr.flush()
    sys.exit(code)


def os_error_message(exc: OSError, where: str | None = None) -> str:
    """``<file>: <reason>`` for an OSError, e.g. ``out.json: Permission denied``."""
    reason = exc.strerror or exc.__class__.__name__
    name = exc.filename if exc.filename is not None else where
    if where and exc.filename is not None and where != str(exc.filename):
        return f"{where}: {exc.filename}: {reason}"
    return f"{name}: {reason}" if name else reason


@contextmanager
def one_line_errors(where: str | None = None) -> Iterator[None]:
    """Any toolkit error or OSError inside becomes ``error: ...`` on one line and exit code 2."""
    try:
        yield
    except EauthError as exc:
        fail(exc)
    except OSError as exc:
        fail(os_error_message(exc, where))


def readable_file(path: Path | str, where: str) -> Path:
    """``path`` if it is a readable file; else :class:`InputError` naming ``where`` (an option)."""
    p = Path(path)
    if not p.exists():
        raise InputError(f"file not found: {p}", where=where)
    if p.is_dir():
        raise InputError(f"is a folder, expected a file: {p}", where=where)
    if not os.access(p, os.R_OK):
        raise InputError(f"cannot read (permission denied): {p}", where=where)
    return p


def output_file(path: Path | str, where: str, *, force: bool = True) -> Path:
    """Check that ``path`` can be written before any work is done: its folder exists and is
    writable, it is not a folder, and (unless ``force``) it does not exist yet."""
    p = Path(path)
    if p.is_dir():
        raise InputError(f"is a folder, expected a file name: {p}", where=where)
    if p.exists() and not force:
        raise InputError(f"{p} exists (use --force to replace it)", where=where)
    folder = p.parent
    if not folder.is_dir():
        raise InputError(f"folder does not exist: {folder}", where=where)
    if not os.access(folder, os.W_OK) or (p.exists() and not os.access(p, os.W_OK)):
        raise InputError(f"cannot write (permission denied): {p}", where=where)
    return p


def ensure_writable_dir(path: Path | str, where: str) -> Path:
    """Create the folder ``path`` if needed and check it can be written to."""
    p = Path(path)
    if p.exists() and not p.is_dir():
        raise InputError(f"is a file, expected a folder: {p}", where=where)
    try:
        p.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create folder {p}: {exc.strerror}", where=where) from None
    if not os.access(p, os.W_OK):
        raise InputError(f"cannot write (permission denied): {p}", where=where)
    return p


def check_ams(code: str | None, where: str = "--ams") -> str | None:
    """The upper-cased ASEAN Member State code, or :class:`InputError` listing the known ones."""
    if code is None:
        return None
    value = code.strip().upper()
    if value not in AMS_CODES:
        raise InputError(
            f"unknown AMS code {code!r} (expected one of: {', '.join(sorted(AMS_CODES))})",
            where=where,
        )
    return value


def settings_for(**options: Any) -> Settings:
    """The settings of one command: its options (and ``--data-dir``), then the environment, then
    the defaults."""
    from eauth_toolkit.settings import Settings

    options.setdefault("data_dir", _DATA_DIR.get())
    return Settings.from_env(**options)


def print_json(data: Any) -> None:
    """Write JSON to stdout (plain, no colour codes, so it pipes cleanly)."""
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")
    sys.stdout.flush()
