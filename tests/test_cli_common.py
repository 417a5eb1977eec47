"""The checks every command group can call before it starts work (eauth_toolkit.cli._common)."""

from __future__ import annotations

from pathlib import Path

import pytest

from eauth_toolkit.cli import _common
from eauth_toolkit.errors import InputError


def test_ams_codes_are_the_repository_s() -> None:
    from eauth_toolkit.repository.models import AMS_CODES

    assert _common.AMS_CODES == AMS_CODES
    assert _common.check_ams("sg") == "SG"
    assert _common.check_ams(None) is None
    with pytest.raises(InputError, match="unknown AMS code 'ZZ'") as err:
        _common.check_ams("ZZ", where="--ams")
    assert err.value.where == "--ams"


def test_readable_file(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text("{}")
    assert _common.readable_file(tmp_path / "a.json", "FILE") == tmp_path / "a.json"
    with pytest.raises(InputError, match="file not found"):
        _common.readable_file(tmp_path / "missing.json", "FILE")
    with pytest.raises(InputError, match="is a folder"):
        _common.readable_file(tmp_path, "FILE")


def test_output_file(tmp_path: Path) -> None:
    existing = tmp_path / "out.pdf"
    existing.write_bytes(b"%PDF")
    assert _common.output_file(tmp_path / "new.pdf", "-o") == tmp_path / "new.pdf"
    assert _common.output_file(existing, "-o", force=True) == existing
    with pytest.raises(InputError, match="use --force"):
        _common.output_file(existing, "-o", force=False)
    with pytest.raises(InputError, match="is a folder"):
        _common.output_file(tmp_path, "-o")
    with pytest.raises(InputError, match="folder does not exist"):
        _common.output_file(tmp_path / "no" / "x.pdf", "-o")
    with pytest.raises(InputError, match="folder does not exist"):
        _common.output_file(existing / "x.pdf", "-o")


def test_ensure_writable_dir(tmp_path: Path) -> None:
    assert _common.ensure_writable_dir(tmp_path / "a" / "b", "--data-dir").is_dir()
    (tmp_path / "f").write_text("x")
    with pytest.raises(InputError, match="is a file"):
        _common.ensure_writable_dir(tmp_path / "f", "--data-dir")
    with pytest.raises(InputError, match="cannot create folder"):
        _common.ensure_writable_dir(tmp_path / "f" / "sub", "--data-dir")


def test_os_errors_become_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        with _common.one_line_errors():
            open("/proc/eauth-no-such/file", "w")  # noqa: SIM115
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err == "error: /proc/eauth-no-such/file: No such file or directory\n"
