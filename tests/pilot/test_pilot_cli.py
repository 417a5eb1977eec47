"""`eauth pilot run` drives flows over real HTTP; `eauth pilot report` writes the report from them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from eauth_toolkit.cli import app


def test_run_then_report(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'events.sqlite3'}"
    runner = CliRunner()
    res = runner.invoke(
        app, ["pilot", "run", "--flows", "30", "--seed", "5", "--database-url", url, "--json"]
    )
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout)
    assert summary["flows"] == 30 and summary["flows_recorded"] == 30
    assert summary["succeeded"] + summary["failed"] + summary["abandoned"] == 30
    assert summary["succeeded"] > 10 and summary["failed"] > 0
    out = tmp_path / "report"
    res = runner.invoke(app, ["pilot", "report", "--out", str(out), "--database-url", url])
    assert res.exit_code == 0, res.output
    report = json.loads((out / "pilot-report.json").read_text(encoding="utf-8"))
    assert report["flows"]["total"] == 30
    assert report["flows"]["succeeded"] == summary["succeeded"]
    assert (
        sum(sum(cols.values()) for cols in report["loa_matrix"].values())
        == report["flows"]["succeeded"] + report["flows"]["failed"]
    )
    steps = {row["step"] for row in report["latency_ms"]}
    assert {
        "idp.token",
        "proxy.callback",
        "connector.callback",
        "end to end (successful flows)",
    } <= steps
    assert report["dataset_completeness"]["fields"]["family_name"] == 1.0
    html = (out / "pilot-report.html").read_text(encoding="utf-8")
    assert html.count("<svg") >= 3 and "<script" not in html and 'src="http' not in html
    assert "30 cross-border sign-ins" in html


def test_report_of_a_bad_config_is_one_line_error(tmp_path: Path) -> None:
    bad = tmp_path / "pilot.toml"
    bad.write_text("[pilot]\nname = 1\n", encoding="utf-8")
    res = subprocess.run(
        [
            sys.executable,
            "-m",
            "eauth_toolkit",
            "pilot",
            "report",
            "--out",
            str(tmp_path),
            "--config",
            str(bad),
            "--database-url",
            f"sqlite:///{tmp_path}/x.db",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert res.returncode == 2
    assert (
        "pilot.name" in res.stderr
        and "Traceback" not in res.stderr
        and len(res.stderr.strip().splitlines()) == 1
    )
