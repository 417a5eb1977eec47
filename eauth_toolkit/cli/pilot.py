"""`eauth pilot` commands: drive scripted cross-border sign-ins and write the pilot report."""

from __future__ import annotations

import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import typer

from eauth_toolkit.cli._common import console, print_json, settings_for
from eauth_toolkit.errors import PilotError

__all__ = ["app"]

app = typer.Typer(no_args_is_help=True)

MAX_FLOWS = 100_000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _InProcessServer:
    """The service under uvicorn on a free loopback port, in a background thread."""

    def __init__(self, database_url: str) -> None:
        import uvicorn

        from eauth_toolkit.web.app import create_app

        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        kwargs = {"base_url": self.url}
        if database_url:
            kwargs["database_url"] = database_url
        self.app = create_app(settings_for(**kwargs))
        config = uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> _InProcessServer:
        self.thread.start()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return self
            time.sleep(0.05)
        raise PilotError(f"the in-process service did not start on port {self.port}")

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@app.command()
def run(
    flows: int = typer.Option(
        200, "--flows", min=1, max=MAX_FLOWS, help="Number of sign-ins to drive."
    ),
    seed: int = typer.Option(1, "--seed", help="Seed of the persona/service/level/failure mix."),
    base_url: str = typer.Option(
        "", "--base-url", help="A running service; default: start one in-process."
    ),
    database_url: str = typer.Option(
        "", "--database-url", envvar="EAUTH_DATABASE_URL", help="Store of the in-process service."
    ),
    concurrency: int = typer.Option(
        4, "--concurrency", min=1, max=64, help="Flows in flight at once."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """Drive N scripted cross-border sign-ins over real HTTP (every step becomes an event)."""
    import httpx

    from pilot_sandbox.config import load_pilot_config
    from pilot_sandbox.runner import drive_flow, plan_flows, summary

    config = load_pilot_config(settings_for().pilot_config)
    plans = plan_flows(config, flows, seed)

    def drive_all(base: str) -> list:  # type: ignore[type-arg]
        local = threading.local()

        def one(plan):  # type: ignore[no-untyped-def]
            client = getattr(local, "client", None)
            if client is None:
                client = local.client = httpx.Client(timeout=30.0)
            client.cookies.clear()
            return drive_flow(client, base, plan)

        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            return list(pool.map(one, plans))

    t0 = time.perf_counter()
    recorded = None
    if base_url:
        results = drive_all(base_url.rstrip("/"))
    else:
        with _InProcessServer(database_url) as server:
            before = _started_flows(server)
            results = drive_all(server.url)
            recorded = _started_flows(server) - before
    elapsed = time.perf_counter() - t0
    out = summary(results) | {
        "seconds": round(elapsed, 2),
        "flows_per_second": round(len(results) / elapsed, 1),
    }
    if recorded is not None:
        out["flows_recorded"] = recorded
    if as_json:
        print_json(out)
    else:
        console.print(
            f"{out['flows']} flows in {out['seconds']} s ({out['flows_per_second']}/s): "
            f"[green]{out['succeeded']} succeeded[/green], [red]{out['failed']} failed[/red], "
            f"[yellow]{out['abandoned']} abandoned[/yellow]"
        )
        for code, n in out["errors"].items():
            console.print(f"  {n:5d}  {code}")
        if recorded is not None:
            console.print(f"flows recorded in the store: {recorded}")
    if recorded is not None and recorded != len(results):
        raise PilotError(f"{len(results)} flows were driven but {recorded} were recorded")


def _started_flows(server: _InProcessServer) -> int:
    store = server.app.state.pilot.store
    return len({e["flow_id"] for e in store.events() if e["step"] == "service.start"})


@app.command()
def report(
    out: Path = typer.Option(
        ..., "--out", help="Folder for pilot-report.json and pilot-report.html."
    ),
    database_url: str = typer.Option(
        "", "--database-url", envvar="EAUTH_DATABASE_URL", help="The store with the events."
    ),
    config: Path = typer.Option(None, "--config", help="pilot.toml (default: the service's)."),
) -> None:
    """Write the pilot report (JSON and HTML with charts) from the recorded events."""
    from pilot_sandbox.config import load_pilot_config
    from pilot_sandbox.report import write_report
    from pilot_sandbox.store import Store

    settings = settings_for(database_url=database_url)
    pilot_config = load_pilot_config(config or settings.pilot_config)
    store = Store.open(settings.database_url, lock_dir=settings.data_dir)
    rep = write_report(store, pilot_config, out)
    f = rep["flows"]
    console.print(f"wrote {out / 'pilot-report.json'} and {out / 'pilot-report.html'}")
    console.print(
        f"{f['total']} flows: {f['succeeded']} succeeded, {f['failed']} failed, {f['abandoned']} abandoned"
    )
