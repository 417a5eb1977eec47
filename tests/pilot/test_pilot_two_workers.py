"""Scale-out: two uvicorn workers over one PostgreSQL serve flows whose steps land on different
workers, because every piece of flow state is in the store."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from pilot_sandbox.runner import FlowPlan, drive_flow
from pilot_sandbox.store import Store
from tests.helpers import free_port as free_port_number


@pytest.mark.postgres
@pytest.mark.slow
def test_flows_across_two_workers_over_postgresql(postgres_url: str, tmp_path: Path) -> None:
    port = free_port_number()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "EAUTH_DATA_DIR": str(tmp_path), "EAUTH_BASE_URL": base}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "eauth_toolkit",
            "sandbox",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "2",
            "--database-url",
            postgres_url,
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(tmp_path / "serve.log", "w"),
        start_new_session=True,
    )
    try:
        # both workers must be up: wait until two different pids have answered
        seen: set[str] = set()
        with httpx.Client(timeout=5, limits=httpx.Limits(max_keepalive_connections=0)) as probe:
            for _ in range(600):
                try:
                    r = probe.get(f"{base}/ams/sg/idp/jwks")
                    seen.add(r.headers["x-eauth-worker"])
                except httpx.HTTPError:
                    pass
                if len(seen) == 2:
                    break
                import time

                time.sleep(0.05)
        assert len(seen) == 2, (tmp_path / "serve.log").read_text()
        plans = [
            FlowPlan("MY", "tax-filing", "SG", "tan.mei.ling"),
            FlowPlan("SG", "company-registration", "MY", "nur.aisyah"),
        ] * 6

        def one(plan: FlowPlan) -> tuple[str, int]:
            # a fresh connection for every request, so consecutive steps of a flow may reach
            # either worker; flows run side by side so that both workers are kept busy (an idle
            # pair of workers on one shared socket may leave every accept to the same one)
            with httpx.Client(timeout=30, limits=httpx.Limits(max_keepalive_connections=0)) as c:
                result = drive_flow(c, base, plan)
                return result.outcome + " " + str(result.page)[:300], len(result.workers)

        with ThreadPoolExecutor(max_workers=6) as pool:
            results = list(pool.map(one, plans))
        for outcome, _ in results:
            assert outcome.startswith("succeeded"), outcome
        mixed = sum(1 for _, workers in results if workers > 1)
        assert mixed >= 1
        store = Store.open(postgres_url, lock_dir=tmp_path)
        events = store.events()
        flows = {e["flow_id"] for e in events if e["step"] == "service.start"}
        assert len(flows) == len(plans)
        assert len({e["worker"] for e in events}) == 2
        split = [f for f in flows if len({e["worker"] for e in events if e["flow_id"] == f}) == 2]
        assert split, "no flow had steps served by both workers"
        assert sum(1 for e in events if e["step"] == "flow.end" and e["outcome"] == "ok") == len(
            plans
        )
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
