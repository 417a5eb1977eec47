"""`eauth plan report|set|show`: outputs, the status file edit, and every bad input (exit 2, no write)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from eauth_toolkit.cli import app
from eauth_toolkit.plan import load_status

STATUS_ENV = "EAUTH_PLAN_STATUS"


runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["plan", *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("fmt", ["text", "json", "markdown", "html"])
def test_report_formats(fmt: str, status_file: Path) -> None:
    code, out, err = run(
        "report", "--as-of", "2026-01-01", "--format", fmt, "--status-file", str(status_file)
    )
    assert code == 0, err
    assert "B.2" in out
    if fmt == "json":
        data = json.loads(out)
        assert data["as_of"] == "2026-01-01" and len(data["topics"]) == 16
        activities = [a for t in data["topics"] for o in t["objectives"] for a in o["activities"]]
        assert len(activities) == 81


def test_report_reads_the_status_file_named_by_the_environment(
    status_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = run(
        "set",
        "B.2.1.4",
        "completed",
        "--evidence",
        "pilot report",
        "--status-file",
        str(status_file),
    )
    assert code == 0, err
    monkeypatch.setenv(STATUS_ENV, str(status_file))
    code, out, _ = run("report", "--as-of", "2026-01-01", "--format", "json")
    activity = json.loads(out)["topics"][6]["objectives"][0]["activities"][3]
    assert (activity["id"], activity["status"], activity["overdue"]) == (
        "B.2.1.4",
        "completed",
        False,
    )


def test_set_updates_one_block_and_keeps_the_rest(status_file: Path) -> None:
    before = status_file.read_text(encoding="utf-8")
    code, out, err = run(
        "set",
        "B.2.1.4",
        "in_progress",
        "--evidence",
        'Pilot "MY-SG" started',
        "--date",
        "2026-03-01",
        "--status-file",
        str(status_file),
    )
    assert code == 0, err
    assert "B.2.1.4: in_progress" in out
    after = status_file.read_text(encoding="utf-8")
    entry = load_status(status_file).activities["B.2.1.4"]
    assert entry.status == "in_progress" and entry.evidence == 'Pilot "MY-SG" started'
    assert entry.date.isoformat() == "2026-03-01"
    assert entry.implemented_by == ["eauth pilot run", "eauth pilot report", "eauth sandbox serve"]
    # only the three changed lines differ; comments and order are kept
    changed = [
        (a, b) for a, b in zip(before.splitlines(), after.splitlines(), strict=True) if a != b
    ]
    assert len(changed) == 3
    assert all(a.split(":")[0] == b.split(":")[0] for a, b in changed)
    assert [ln for ln in before.splitlines() if ln.lstrip().startswith("#")] == [
        ln for ln in after.splitlines() if ln.lstrip().startswith("#")
    ]
    assert not list(status_file.parent.glob(".status.yaml.*"))  # no temp file left behind


def test_set_adds_a_missing_activity_in_id_order(tmp_path: Path) -> None:
    path = tmp_path / "status.yaml"
    path.write_text(
        "# my status\nactivities:\n  A.1.1.1:\n    status: completed\n    evidence: done\n    date: 2025-01-01\n"
        "  # C comes last\n  C.4.2.3:\n    status: ongoing\n    evidence: x\n    date: 2025-01-01\n",
        encoding="utf-8",
    )
    code, _, err = run(
        "set",
        "B.3.1.2",
        "ongoing",
        "--evidence",
        "workshops",
        "--date",
        "2026-01-02",
        "--status-file",
        str(path),
    )
    assert code == 0, err
    text = path.read_text(encoding="utf-8")
    assert list(yaml.safe_load(text)["activities"]) == ["A.1.1.1", "B.3.1.2", "C.4.2.3"]
    assert text.index("B.3.1.2") < text.index("# C comes last")
    assert text.startswith("# my status\n")


def test_set_on_an_empty_activities_map(tmp_path: Path) -> None:
    path = tmp_path / "status.yaml"
    path.write_text("activities: {}\n", encoding="utf-8")
    code, _, err = run(
        "set", "C.1.1.2", "completed", "--evidence", "Handbook", "--status-file", str(path)
    )
    assert code == 0, err
    assert load_status(path).activities["C.1.1.2"].status == "completed"


BAD_SET = [
    (["set", "B.2.1.9", "completed", "--evidence", "x"], "unknown activity id 'B.2.1.9'"),
    (["set", "Z.1", "completed", "--evidence", "x"], "unknown activity id 'Z.1'"),
    (["set", "B.2.1.1", "done", "--evidence", "x"], "invalid status 'done'"),
    (
        ["set", "B.2.1.1", "completed", "--evidence", "x", "--date", "2026-02-30"],
        "--date: malformed date",
    ),
    (
        ["set", "B.2.1.1", "completed", "--evidence", "x", "--date", "yesterday"],
        "--date: malformed date",
    ),
    (["set", "B.2.1.1", "completed", "--evidence", "  "], "evidence must not be empty"),
    (["set", "B.2.1.1", "completed"], "--evidence"),  # typer's own usage error
]


@pytest.mark.parametrize(
    ("args", "message"), BAD_SET, ids=lambda v: v if isinstance(v, str) else None
)
def test_bad_set_input_exits_2_and_writes_nothing(
    args: list[str], message: str, status_file: Path
) -> None:
    before = status_file.read_bytes()
    code, out, err = run(*args, "--status-file", str(status_file))
    assert code == 2
    assert message in err
    if "usage" not in err.lower():
        assert err.startswith("error: ") and err.count("\n") == 1  # one line
    assert status_file.read_bytes() == before


BROKEN_FILES = {
    "yaml-syntax": ("activities:\n  B.2.1.1: [unclosed\n", ":3:1: YAML syntax error"),
    "schema-status": (
        "activities:\n  B.2.1.1:\n    status: finished\n    evidence: x\n    date: 2026-01-01\n",
        "#/activities/B.2.1.1/status",
    ),
    "schema-date": (
        "activities:\n  B.2.1.1:\n    status: completed\n    evidence: x\n    date: 2026-13-01\n",
        "#/activities/B.2.1.1/date",
    ),
    "schema-extra-key": ("activities: {}\nowner: me\n", "#/"),
    "schema-not-a-map": ("- just a list\n", "#/"),
    "unknown-id-in-file": (
        "activities:\n  B.9.1.1:\n    status: completed\n    evidence: x\n    date: 2026-01-01\n",
        "#/activities/B.9.1.1",
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN_FILES))
def test_broken_status_file_is_named_exit_2_and_unchanged(case: str, tmp_path: Path) -> None:
    content, where = BROKEN_FILES[case]
    path = tmp_path / "status.yaml"
    path.write_text(content, encoding="utf-8")
    before = path.read_bytes()
    for args in (
        ["set", "B.2.1.1", "completed", "--evidence", "x", "--status-file", str(path)],
        ["report", "--as-of", "2026-01-01", "--status-file", str(path)],
    ):
        code, out, err = run(*args)
        assert code == 2, (args, out)
        assert err.startswith(f"error: {path}") and where in err and err.count("\n") == 1, err
        assert path.read_bytes() == before


def test_missing_status_file(tmp_path: Path) -> None:
    code, _, err = run("report", "--status-file", str(tmp_path / "nope.yaml"))
    assert code == 2 and "file not found" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["report", "--as-of", "01/02/2026"], "--as-of: malformed date"),
        (["report", "--format", "pdf"], "unknown format 'pdf'"),
        (["show", "B.2.1.6"], "unknown activity id 'B.2.1.6'"),
    ],
)
def test_bad_report_and_show_input(args: list[str], message: str, status_file: Path) -> None:
    code, _, err = run(*args, "--status-file", str(status_file))
    assert code == 2 and message in err and err.count("\n") == 1


def test_show(status_file: Path) -> None:
    code, out, err = run("show", "B.2.1.4", "--status-file", str(status_file))
    assert code == 0, err
    assert "Interoperability Pilot Project" in out and "Timeline:   2025" in out
    assert "Implemented by: eauth pilot run" in out
    code, out, _ = run("show", "B.3.1.1", "--json", "--status-file", str(status_file))
    data = json.loads(out)
    assert data["objective"]["id"] == "B.3.1" and "Lao PDR" in data["activity"]["clm_note"]


def test_console_script_exit_code(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "eauth_toolkit", "plan", "report", "--as-of", "2026-99-01"],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 2 and "malformed date" in out.stderr


def test_set_writes_the_data_folder_never_the_package(tmp_path: Path) -> None:
    from eauth_toolkit.plan import PACKAGED_STATUS

    packaged = PACKAGED_STATUS.read_bytes()
    code, out, err = run(
        "set", "B.2.1.4", "completed", "--evidence", "e", "--data-dir", str(tmp_path / "d")
    )
    assert code == 0, err
    written = tmp_path / "d" / "plan-status.yaml"
    assert str(written) in out
    assert load_status(written).activities["B.2.1.4"].status == "completed"
    assert PACKAGED_STATUS.read_bytes() == packaged
    # the report of the same data folder reads the updated copy
    code, out, _ = run(
        "report", "--as-of", "2026-01-01", "--format", "json", "--data-dir", str(tmp_path / "d")
    )
    activity = json.loads(out)["topics"][6]["objectives"][0]["activities"][3]
    assert (activity["id"], activity["status"]) == ("B.2.1.4", "completed")


def test_the_packaged_status_file_is_read_only(tmp_path: Path) -> None:
    from eauth_toolkit.plan import PACKAGED_STATUS

    code, _, err = run(
        "set", "B.2.1.4", "completed", "--evidence", "e", "--status-file", str(PACKAGED_STATUS)
    )
    assert code == 2 and "read-only" in err and err.count("\n") == 1


def test_b311_status_comes_from_the_laws_store_of_the_same_data_folder(tmp_path: Path) -> None:
    loaded, empty = tmp_path / "loaded", tmp_path / "empty"
    result = runner.invoke(app, ["laws", "load-samples", "--data-dir", str(loaded)])
    assert result.exit_code == 0, result.output

    def evidence(folder: Path) -> str:
        code, out, err = run("show", "B.3.1.1", "--json", "--data-dir", str(folder))
        assert code == 0, err
        return str(json.loads(out)["status"]["evidence"])

    assert "SANDBOX plans and reports not counted" in evidence(loaded)
    assert "SANDBOX" not in evidence(empty)
