"""Finding 8 and the `pilot` CLI items: `pilot run` never changes a running service, says what
failed, and counts only flows started at a service; `pilot report` and `pilot run` answer
mistakes with one line and exit 2."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from pilot_helpers import pilot_of, pilot_variant
from typer.testing import CliRunner

from eauth_toolkit.cli import app
from pilot_sandbox import cli as pilot_cli
from pilot_sandbox.runner import FlowPlan, drive_flow


def _live(live_server_factory: Any, tmp_path: Path, **kw: Any) -> Any:
    return live_server_factory(
        data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'live.sqlite3'}", **kw
    )


def test_pilot_run_leaves_the_running_service_working(
    live_server_factory: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    server = _live(live_server_factory, tmp_path)
    pilot = pilot_of(server)
    version = pilot.trust.refresh().version
    runner = CliRunner()
    # over the running service's store: refused, nothing published
    res = runner.invoke(
        app,
        [
            "pilot",
            "run",
            "--flows",
            "2",
            "--database-url",
            f"sqlite:///{tmp_path / 'live.sqlite3'}",
        ],
    )
    assert res.exit_code == 2 and server.url in res.output
    # with no address: the service where `make run` serves is driven, not replaced
    monkeypatch.setattr(pilot_cli, "DEFAULT_BASE_URL", server.url)
    res = runner.invoke(app, ["pilot", "run", "--flows", "6", "--seed", "3", "--json"])
    assert res.exit_code in (0, 1), res.output
    assert pilot.trust.refresh().version == version
    with httpx.Client(timeout=30) as client:
        result = drive_flow(client, server.url, FlowPlan("MY", "tax-filing", "SG", "tan.mei.ling"))
    assert result.outcome == "succeeded", result.error


def test_pilot_run_exits_1_when_flows_fail_unexpectedly(
    live_server_factory: Any, tmp_path: Path
) -> None:
    variant = pilot_variant(tmp_path, replace=[(r"required_level = 2", "required_level = 4")])
    server = _live(live_server_factory, tmp_path, pilot_config=variant)
    res = CliRunner().invoke(
        app, ["pilot", "run", "--flows", "12", "--seed", "2", "--base-url", server.url]
    )
    assert res.exit_code == 1
    assert "ended otherwise than planned" in res.output


def test_pilot_run_at_a_dead_address_is_one_line(tmp_path: Path) -> None:
    res = CliRunner().invoke(app, ["pilot", "run", "--base-url", "http://127.0.0.1:9"])
    assert res.exit_code == 2
    assert res.output.strip().count("\n") == 0 and "--base-url" in res.output


def test_pilot_report_to_a_file_or_an_unwritable_folder_is_one_line(tmp_path: Path) -> None:
    existing = tmp_path / "report.json"
    existing.write_text("{}", encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'r.sqlite3'}"
    for out in (existing, Path("/proc/eauth-report")):
        res = CliRunner().invoke(app, ["pilot", "report", "--out", str(out), "--database-url", url])
        assert res.exit_code == 2, res.output
        assert res.output.strip().count("\n") == 0 and "--out" in res.output
    assert existing.read_text(encoding="utf-8") == "{}"


def test_probes_and_crawlers_are_not_flows(pilot_server: Any, client: httpx.Client) -> None:
    base = pilot_server.url
    client.get(f"{base}/ams/my/services/tax-filing/login")  # a crawler following a link
    client.get(f"{base}/ams/my/connector/authorize?eauth_flow=probe1&client_id=x")
    client.get(f"{base}/ams/sg/proxy/authorize?eauth_flow=probe2")
    report = httpx.get(f"{base}/pilot/report.json").json()
    assert report["flows"]["total"] == 0
    assert report["flows"]["failed"] == 0 and report["flows"]["abandoned"] == 0
