"""Every ``eauth`` command against ordinary mistakes: a missing file, a folder where a file is
expected, a file where a folder is expected, a path that cannot be written, an unknown AMS code.
Each must end in one line ``error: ...`` with exit code 2 (or succeed, where the path is fine for
that command), never in a traceback. Also: ``--help`` of every command is free of ``<bool>`` and
``--no-no-``, and every command that keeps state has ``--data-dir``.

The commands are discovered from the CLI itself, so a new command is swept without editing this file.
"""

from __future__ import annotations

import traceback
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from eauth_toolkit.cli import DATA_COMMANDS, GROUPS, app

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()

#: values for required parameters that are not under test, by parameter name
GOOD_VALUES = {
    "ams": "SG",
    "activity_id": "B.2.1.4",
    "status": "completed",
    "entry_id": "sg-singpass",
    "level": "iso29115:3",
    "signer": "my-signer-qc",
    "evidence": "sweep",
    "token": "x",
    "to": "eidas",
}
GOOD_FILE = ROOT / "examples" / "loa" / "estonia-id-card.json"


def _commands() -> list[tuple[str, str, Any]]:
    root = typer.main.get_command(app)
    out = []
    for group_name in GROUPS:
        group = root.get_command(None, group_name)  # type: ignore[arg-type]
        for name, command in sorted(group.commands.items()):  # type: ignore[attr-defined]
            out.append((group_name, name, command))
    return out


COMMANDS = _commands()


def _is_path(param: Any) -> bool:
    descriptor = getattr(param, "type_descriptor", None)
    return descriptor is not None and "Path" in str(descriptor.annotation)


def _flag(param: Any) -> str | None:
    return next((o for o in param.opts if o.startswith("--")), None)


def _argv(command: Any, under_test: Any, value: str) -> list[str]:
    """Arguments for ``command`` with ``value`` for ``under_test`` and good values elsewhere."""
    argv: list[str] = []
    for param in command.params:
        if param is under_test:
            chosen = value
        elif not param.required:
            continue
        elif _is_path(param):
            chosen = str(GOOD_FILE)
        else:
            annotation = str(getattr(param.type_descriptor, "annotation", ""))
            chosen = GOOD_VALUES.get(param.name, "1" if "int" in annotation else "x")
        if param.param_type_name == "argument":
            argv.append(chosen)
        else:
            argv += [_flag(param) or param.opts[0], chosen]
    return argv


def _cases() -> list[Any]:
    cases = []
    for group, name, command in COMMANDS:
        for param in command.params:
            if not _is_path(param):
                continue
            label = param.name
            variants = {
                "unwritable": "/proc/eauth-sweep/x.json",
                "file-as-folder": "{file}/x.json",
            }
            if param.name != "data_dir":
                variants["missing"] = "{tmp}/missing.json"
                variants["folder"] = "{folder}"
            for variant, value in variants.items():
                cases.append(
                    pytest.param(group, name, label, value, id=f"{group}-{name}-{label}-{variant}")
                )
    return cases


def _invoke(argv: list[str]) -> Any:
    return runner.invoke(app, argv, catch_exceptions=True)


def _check(result: Any, argv: list[str]) -> None:
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        trace = "".join(traceback.format_exception(result.exception))
        pytest.fail(f"eauth {' '.join(argv)}: traceback\n{trace[-1500:]}")
    assert result.exit_code in (0, 2), (argv, result.exit_code, result.output[-800:])
    if result.exit_code == 2:
        # ours: one line "error: ..."; typer's own usage errors: a boxed "Error" under "Usage"
        assert result.stderr.startswith(("error: ", "Usage: ")), result.stderr
        if result.stderr.startswith("error: "):
            # one line per problem; a batch command may add one summary line
            assert result.stderr.count("\n") <= 2, result.stderr
        assert "Traceback" not in result.output


@pytest.mark.parametrize(("group", "name", "param_name", "value"), _cases())
def test_bad_paths_end_in_one_line_and_exit_2(
    group: str, name: str, param_name: str, value: str, tmp_path: Path
) -> None:
    command = dict(((g, n), c) for g, n, c in COMMANDS)[(group, name)]
    param = next(p for p in command.params if p.name == param_name)
    folder = tmp_path / "folder"
    folder.mkdir()
    afile = tmp_path / "a-file"
    afile.write_text("not a folder")
    value = value.format(tmp=tmp_path, folder=folder, file=afile)
    argv = [group, name, *_argv(command, param, value)]
    result = _invoke(argv)
    if value == str(folder) and result.exit_code == 1:
        # a command that takes folders too (e.g. a batch of documents) gave its verdict
        assert result.exception is None or isinstance(result.exception, SystemExit)
        return
    _check(result, argv)
    if ("proc" in value or "a-file/" in value) and param_name != "data_dir":
        # (a data folder that is never written to is fine for a command that only reads)
        assert result.exit_code == 2, (argv, result.output[-800:])


@pytest.mark.parametrize(
    ("group", "name"),
    [(g, n) for g, n, c in COMMANDS if any(p.name == "ams" for p in c.params)],
)
def test_unknown_ams_code_is_refused(group: str, name: str) -> None:
    command = dict(((g, n), c) for g, n, c in COMMANDS)[(group, name)]
    param = next(p for p in command.params if p.name == "ams")
    argv = [group, name, *_argv(command, param, "ZZ")]
    result = _invoke(argv)
    _check(result, argv)
    assert result.exit_code == 2, (argv, result.output[-800:])
    assert "AMS" in result.stderr or "ZZ" in result.stderr, result.stderr


@pytest.mark.parametrize(("group", "name"), [(g, n) for g, n, _ in COMMANDS])
def test_help_shows_no_bool_type_and_no_double_negation(group: str, name: str) -> None:
    result = runner.invoke(app, [group, name, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "<bool>" not in result.stdout
    assert "--no-no-" not in result.stdout


@pytest.mark.parametrize(
    ("group", "name"), [(g, n) for g, names in DATA_COMMANDS.items() for n in names]
)
def test_commands_that_keep_state_take_data_dir(group: str, name: str) -> None:
    result = runner.invoke(app, [group, name, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "--data-dir" in result.stdout


def test_data_dir_is_where_a_command_writes(tmp_path: Path) -> None:
    result = runner.invoke(app, ["repo", "load-samples", "--data-dir", str(tmp_path / "d")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "d" / "eauth.sqlite3").is_file()
    result = runner.invoke(
        app,
        ["plan", "set", "B.2.1.4", "completed", "--evidence", "e", "--data-dir", str(tmp_path)],
    )
    assert result.exit_code == 0, result.output
    assert "B.2.1.4:" in (tmp_path / "plan-status.yaml").read_text(encoding="utf-8")
