"""Shared pieces of the CLI: consoles and the one-line error rule."""

from __future__ import annotations

import json
import sys
from typing import Any, NoReturn

from rich.console import Console

from eauth_toolkit.errors import EauthError

__all__ = ["console", "err_console", "fail", "print_json", "EXIT_BAD_INPUT"]

console = Console(highlight=False, soft_wrap=True)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)

#: exit code for input that could not be read or used
EXIT_BAD_INPUT = 2


def fail(exc: EauthError | str, code: int = EXIT_BAD_INPUT) -> NoReturn:
    """Print ``error: <where>: <message>`` on one line to stderr and exit."""
    text = str(exc).replace("\n", " ")
    err_console.print(f"error: {text}", markup=False)
    sys.exit(code)


def print_json(data: Any) -> None:
    """Write JSON to stdout (plain, no colour codes, so it pipes cleanly)."""
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")
    sys.stdout.flush()
