"""`eauth sandbox` commands: run the service."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from eauth_toolkit.cli._common import console, ensure_writable_dir, settings_for

__all__ = ["app"]

app = typer.Typer(no_args_is_help=True)


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    workers: int = typer.Option(1, help="Number of uvicorn worker processes."),
    database_url: str = typer.Option(
        "",
        envvar="EAUTH_DATABASE_URL",
        help="SQLAlchemy URL (default: SQLite file in the data folder).",
    ),
    no_samples: bool = typer.Option(
        False, "--no-samples", help="Do not load the sample data.", show_default=False
    ),
    pilot_config: Path = typer.Option(
        None,
        envvar="EAUTH_PILOT_CONFIG",
        help="Pilot configuration (default: the pilot.toml shipped with the package).",
    ),
    access_log: bool = typer.Option(True, help="Log one line per request on stdout."),
    pin_cpu: bool = typer.Option(
        True,
        help="Keep each worker process on one CPU of its own (less CPU per request: its threads "
        "hand requests to each other on one CPU).",
    ),
) -> None:
    """Start the service: plan report, repository API and pages, signature check, pilot sandbox."""
    from eauth_toolkit.web.app import all_parts
    from eauth_toolkit.web.serving import serve as serve_app

    settings = settings_for(
        database_url=database_url,
        pilot_config=pilot_config,
        base_url=None if "EAUTH_BASE_URL" in os.environ else f"http://{host}:{port}",
        load_samples=not no_samples,
    )
    # check the parts' configuration and the data folder before any worker starts: one clear
    # line each
    parts = all_parts()
    for part in parts:
        if hasattr(part, "check"):
            part.check(settings)
    ensure_writable_dir(settings.data_dir, "--data-dir")
    base = f"http://{host}:{port}"
    console.print(f"eauth-toolkit service on {base}")
    for path, what in [
        ("/", "home"),
        ("/plan", "Work Plan progress report"),
        ("/repository", "Collaborative Repository List"),
        ("/loa/guidance", "LoA Guidance"),
        ("/signatures/check", "check a signed PDF"),
        *(page for part in parts for page in getattr(part, "PAGES", ())),
        ("/docs", "OpenAPI documentation"),
        ("/health", "health"),
    ]:
        console.print(f"  {base}{path}  [dim]{what}[/dim]")
    console.print(f"  data folder: {settings.data_dir}", markup=False)
    if workers > 1:
        # the workers start together: migrate the database and load the sample data once, here,
        # so that they do not race each other on a new database
        from eauth_toolkit.web.app import create_app

        create_app(settings)
    serve_app(settings, host, port, workers, access_log=access_log, pin_cpu=pin_cpu)
