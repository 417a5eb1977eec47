"""`eauth laws`: one-line errors with exit 2, the store unchanged after a refusal."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from eauth_toolkit.laws.store import LawsStore
from eauth_toolkit.repository.keys import AuthorityRegistry
from eauth_toolkit.settings import Settings
from tests.helpers import run_cli

REPO = Path(Settings().repository_dir)
SANDBOX = REPO / "laws" / "sandbox"
KEYS = REPO / "sandbox-authority-keys"


def run(*args: str, db: str) -> subprocess.CompletedProcess[str]:
    return run_cli("laws", *args, *(("--database-url", db) if args[0] != "validate" else ()))


@pytest.fixture
def db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'laws.sqlite3'}"


def _dump(db: str) -> dict:
    store = LawsStore.open(db, AuthorityRegistry.load(REPO / "authorities.json"))
    try:
        return store.dump()
    finally:
        store.close()


def test_validate_passes_on_the_committed_data(db: str) -> None:
    files = [
        str(p) for p in sorted((REPO / "laws").glob("*.json")) + sorted(SANDBOX.glob("*.json"))
    ]
    result = run("validate", *files, db=db)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count(": valid ") == len(files) == 15


def test_validate_reports_pointer_and_exits_2(tmp_path: Path, db: str) -> None:
    doc = json.loads((SANDBOX / "PH-national-plan.json").read_text())
    doc["measures"][1]["target_date"] = "2026-6-30"
    bad = tmp_path / "plan.json"
    bad.write_text(json.dumps(doc))
    result = run("validate", str(bad), db=db)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {bad}#/measures/1/target_date: ")


def test_submit_refusals_are_one_line_exit_2_and_change_nothing(tmp_path: Path, db: str) -> None:
    ph_key = str(KEYS / "PH.private.jwk.json")
    before = _dump(db)
    cases = [
        (SANDBOX / "PH-annual-report-2026.json", ph_key, "(unknown_plan)", "#/plan_id"),
        (SANDBOX / "PH-national-plan.json", str(KEYS / "SG.private.jwk.json"), "(wrong_key)", None),
    ]
    doc = json.loads((SANDBOX / "PH-national-plan.json").read_text())
    unknown = tmp_path / "unknown-ams.json"
    unknown.write_text(json.dumps(dict(doc, ams="ZZ")))
    cases.append((unknown, ph_key, "unknown AMS 'ZZ'", "#/ams"))
    for path, key, what, where in cases:
        result = run("submit", str(path), "--key", key, db=db)
        assert result.returncode == 2, result.stdout
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: ") and what in lines[0], lines
        if where:
            assert where in lines[0]
        assert "Traceback" not in result.stderr
        assert _dump(db) == before
    ok = run("submit", str(SANDBOX / "PH-national-plan.json"), "--key", ph_key, "--json", db=db)
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["diff"]["added"] == ["m1-review", "m2-foreign", "m3-guidance"]
    before = _dump(db)
    doc = json.loads((SANDBOX / "PH-annual-report-2026.json").read_text())
    doc["updates"][0]["measure"] = "m7-missing"
    bad = tmp_path / "report.json"
    bad.write_text(json.dumps(doc))
    result = run("submit", str(bad), "--key", ph_key, db=db)
    assert (
        result.returncode == 2
        and "(unknown_measure)" in result.stderr
        and "#/updates/0/measure" in result.stderr
    )
    assert _dump(db) == before


def test_report_formats_and_bad_date(db: str) -> None:
    assert run("load-samples", db=db).returncode == 0
    table = run("report", "--as-of", "2026-11-30", db=db)
    assert (
        table.returncode == 0
        and "KH   yes" in table.stdout
        and "transition until 2026-12-02" in table.stdout
    )
    data = json.loads(run("report", "--as-of", "2026-11-30", "--format", "json", db=db).stdout)
    assert data["as_of"] == "2026-11-30" and len(data["ams"]) == 10
    md = run("report", "--as-of", "2026-11-30", "--format", "markdown", db=db).stdout
    assert md.startswith("# Laws Reporting Scheme: alignment report as of 2026-11-30")
    for args in (("--as-of", "30/11/2026"), ("--as-of", "2026-02-30"), ("--format", "pdf")):
        bad = run("report", *args, db=db)
        assert (
            bad.returncode == 2
            and len(bad.stderr.strip().splitlines()) == 1
            and "Traceback" not in bad.stderr
        )
