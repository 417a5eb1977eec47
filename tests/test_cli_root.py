from __future__ import annotations

import subprocess
import sys

from typer.testing import CliRunner

from eauth_toolkit import __version__
from eauth_toolkit.cli import app

runner = CliRunner()


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert __version__ in result.stdout


def test_help_lists_every_group() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for group in ["loa", "repo", "sig", "sandbox", "pilot", "plan", "trustlist"]:
        assert group in result.stdout


def test_console_script_runs() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "eauth_toolkit", "--version"], capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert __version__ in out.stdout
