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


def test_serve_refuses_a_bad_pilot_configuration_in_one_line(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from eauth_toolkit.resources import pilot_config_path

    good = pilot_config_path().read_text(encoding="utf-8")
    bad = tmp_path / "pilot.toml"
    bad.write_text(good.replace("[pilot]", "[pilot]\nunexpected_key = 1", 1), encoding="utf-8")
    assert bad.read_text() != good
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "eauth_toolkit",
            "sandbox",
            "serve",
            "--port",
            "1",
            "--pilot-config",
            str(bad),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 2, out.stderr
    assert out.stderr.startswith("error: ") and out.stderr.count("\n") == 1, out.stderr
    assert "unexpected_key" in out.stderr
    assert "Traceback" not in out.stderr


HEAVY = ("pyhanko", "fastapi", "sqlalchemy", "uvicorn", "lxml", "aiohttp", "alembic", "rich")


def _imported_by(*argv: str) -> set[str]:
    """Top-level packages a fresh process has imported after running ``eauth ARGV``."""
    code = (
        "import sys\n"
        "from eauth_toolkit.cli import main\n"
        "try:\n"
        f"    main({list(argv)!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        "sys.stderr.write(' '.join(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    return set(out.stderr.split())


def test_each_command_group_imports_only_what_it_uses() -> None:
    assert not set(HEAVY) & _imported_by("--version")
    loa = _imported_by("loa", "map", "iso29115:3", "--to", "eidas")
    assert not {"pyhanko", "fastapi", "sqlalchemy", "uvicorn", "lxml", "aiohttp"} & loa
    sig = _imported_by("sig", "--help")
    assert not {"fastapi", "sqlalchemy", "uvicorn", "alembic"} & sig
