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

__all__ = ["app", "HELP", "DATA_COMMANDS"]

app = typer.Typer(no_args_is_help=True)
#: the line ``eauth --help`` shows for the group
HELP = "Two-AMS mutual-recognition pilot: drive flows, report."
#: the commands that keep state in the data folder (each gets ``--data-dir``)
DATA_COMMANDS = ("run", "report")

MAX_FLOWS = 100_000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _InProcessServer:
    """The service under uvicorn on a free loopback port, in a background thread."""

    def __init__(self, database_url: str, data_dir: Path) -> None:
        import uvicorn

        from eauth_toolkit.web.app import create_app

        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.app = create_app(
            settings_for(
                base_url=self.url,
                data_dir=data_dir,
                database_url=database_url or f"sqlite:///{data_dir / 'pilot-run.sqlite3'}",
            )
        )
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


#: where ``make run`` serves the service
DEFAULT_BASE_URL = "http://127.0.0.1:8000"


def _is_pilot_service(base: str) -> bool:
    """True when a service with the pilot answers at ``base``."""
    import httpx

    try:
        r = httpx.get(f"{base}/pilot/report.json", timeout=3.0)
    except httpx.HTTPError:
        return False
    return r.status_code == 200 and r.headers.get("content-type", "").startswith("application/json")


@app.command()
def run(
    flows: int = typer.Option(
        200, "--flows", min=1, max=MAX_FLOWS, help="Number of sign-ins to drive."
    ),
    seed: int = typer.Option(1, "--seed", help="Seed of the persona/service/level/failure mix."),
    base_url: str = typer.Option(
        None,
        "--base-url",
        help=f"The running service to drive (default: {DEFAULT_BASE_URL}, where `make run` "
        "serves; when nothing answers there, a service of its own is started in a temporary "
        "data folder). The service's settings are never changed.",
        show_default=False,
    ),
    database_url: str = typer.Option(
        "",
        "--database-url",
        help="Store of the service started by this command (default: a temporary folder).",
    ),
    concurrency: int = typer.Option(
        4, "--concurrency", min=1, max=64, help="Flows in flight at once."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """Drive N scripted cross-border sign-ins over real HTTP (every step becomes an event).
    Exits 1 when a flow ended otherwise than planned (flows meant to fail count as such)."""
    import tempfile

    from eauth_toolkit.cli._common import err_console, fail
    from pilot_sandbox.config import load_pilot_config
    from pilot_sandbox.runner import plan_flows

    try:
        config = load_pilot_config(settings_for().pilot_config)
    except PilotError as exc:
        fail(exc)
    plans = plan_flows(config, flows, seed)
    t0 = time.perf_counter()
    recorded = 0
    if base_url is not None:
        base = base_url.rstrip("/")
        if not base.startswith(("http://", "https://")) or not _is_pilot_service(base):
            fail(f"--base-url: no service with the pilot answers at {base_url!r}")
        before = _flows_at(base)
        results = _drive_all(base, plans, concurrency, show=not as_json)
        recorded = _flows_at(base) - before
    elif _is_pilot_service(DEFAULT_BASE_URL):
        before = _flows_at(DEFAULT_BASE_URL)
        results = _drive_all(DEFAULT_BASE_URL, plans, concurrency, show=not as_json)
        recorded = _flows_at(DEFAULT_BASE_URL) - before
    else:
        if database_url:
            _refuse_a_store_in_use(database_url)
        with tempfile.TemporaryDirectory(prefix="eauth-pilot-run-") as tmp:
            with _InProcessServer(database_url, Path(tmp)) as server:
                if not as_json:
                    err_console.print(
                        f"no service at {DEFAULT_BASE_URL}: started one at {server.url}"
                    )
                before = _started_flows(server)
                results = _drive_all(server.url, plans, concurrency, show=not as_json)
                recorded = _started_flows(server) - before
    elapsed = time.perf_counter() - t0
    from pilot_sandbox.runner import summary

    unexpected = [r for r in results if r.outcome != r.plan.expected]
    out = summary(results) | {
        "seconds": round(elapsed, 2),
        "flows_per_second": round(len(results) / elapsed, 1),
        "unexpected": len(unexpected),
    }
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
        console.print(f"flows recorded in the store: {recorded}")
    # (others may sign in at a shared service meanwhile: only fewer than driven is a loss)
    if recorded < len(results):
        fail(f"{len(results)} flows were driven but {recorded} were recorded", 1)
    if unexpected:
        first = unexpected[0]
        fail(
            f"{len(unexpected)} of {len(results)} flows ended otherwise than planned "
            f"(first: {first.plan.service_ams} {first.plan.service} for a {first.plan.country} "
            f"citizen was {first.outcome} ({first.error}), expected {first.plan.expected})",
            1,
        )


def _flows_at(base: str) -> int:
    """How many flows the service's pilot report counts (flows started at a service)."""
    import httpx

    try:
        return int(httpx.get(f"{base}/pilot/report.json", timeout=60.0).json()["flows"]["total"])
    except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
        raise PilotError(f"cannot read the pilot report of {base} ({exc})") from None


def _refuse_a_store_in_use(database_url: str) -> None:
    """Starting a service of our own over the store of a running service would publish a trust
    configuration for our address and break every sign-in there: refuse."""
    from eauth_toolkit.cli._common import fail
    from pilot_sandbox.store import Store
    from pilot_sandbox.trust import published_base

    try:
        base = published_base(Store.open(database_url))
    except Exception as exc:  # noqa: BLE001 - a store that cannot be opened is bad input
        fail(f"--database-url: cannot open the store ({exc.__class__.__name__})")
    if base and _is_pilot_service(base):
        fail(
            f"--database-url: this store belongs to the service at {base}; drive that service "
            f"with --base-url {base} instead of starting another one over its store"
        )


def _drive_all(base: str, plans: list, concurrency: int, *, show: bool) -> list:  # type: ignore[type-arg]
    import httpx
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from eauth_toolkit.cli._common import err_console
    from pilot_sandbox.runner import drive_flow

    local = threading.local()

    def one(plan):  # type: ignore[no-untyped-def]
        client = getattr(local, "client", None)
        if client is None:
            client = local.client = httpx.Client(timeout=30.0)
        client.cookies.clear()
        try:
            return drive_flow(client, base, plan)
        except httpx.HTTPError as exc:
            raise PilotError(f"the service at {base} stopped answering ({exc})") from None

    with (
        Progress(
            "flows",
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err_console,
            disable=not show,
            transient=True,
        ) as progress,
        ThreadPoolExecutor(max_workers=concurrency) as pool,
    ):
        task = progress.add_task("flows", total=len(plans))
        results = []
        for result in pool.map(one, plans):
            results.append(result)
            progress.advance(task)
    return results


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
    from eauth_toolkit.cli._common import fail
    from pilot_sandbox.config import load_pilot_config
    from pilot_sandbox.report import write_report
    from pilot_sandbox.store import Store

    if out.exists() and not out.is_dir():
        fail(f"--out: {out} is an existing file; give a folder for the report")
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".eauth-write-test"
        probe.write_text("", encoding="utf-8")
        probe.unlink()
    except OSError as exc:
        fail(f"--out: cannot write the report to {out} ({exc.strerror or exc})")
    settings = settings_for(database_url=database_url)
    try:
        pilot_config = load_pilot_config(config or settings.pilot_config)
        store = Store.open(settings.database_url, lock_dir=settings.data_dir)
        rep = write_report(store, pilot_config, out)
    except PilotError as exc:
        fail(exc)
    except OSError as exc:
        fail(f"--out: cannot write the report to {out} ({exc.strerror or exc})")
    f = rep["flows"]
    console.print(f"wrote {out / 'pilot-report.json'} and {out / 'pilot-report.html'}")
    console.print(
        f"{f['total']} flows: {f['succeeded']} succeeded, {f['failed']} failed, {f['abandoned']} abandoned"
    )
