"""`eauth sandbox` commands: run the service."""

from __future__ import annotations

import typer

from eauth_toolkit.cli._common import console

__all__ = ["app"]

app = typer.Typer(no_args_is_help=True)


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    workers: int = typer.Option(1, help="Number of uvicorn worker processes."),
    database_url: str = typer.Option(
        "", envvar="EAUTH_DATABASE_URL", help="SQLAlchemy URL (default: SQLite file under var/)."
    ),
    no_samples: bool = typer.Option(False, help="Do not load the sample data."),
    pilot_config: str = typer.Option(
        "",
        envvar="EAUTH_PILOT_CONFIG",
        help="Pilot configuration (default pilot_sandbox/pilot.toml).",
    ),
    access_log: bool = typer.Option(True, help="Log one line per request on stdout."),
) -> None:
    """Start the service: plan report, repository API and pages, signature check, pilot sandbox."""
    import os

    from eauth_toolkit.settings import Settings
    from eauth_toolkit.web.serving import serve as serve_app
    from pilot_sandbox.config import load_pilot_config

    if pilot_config:
        os.environ["EAUTH_PILOT_CONFIG"] = pilot_config
    # check the configuration before any worker starts, so a bad file is one clear line
    load_pilot_config(Settings().pilot_config)
    base = f"http://{host}:{port}"
    os.environ.setdefault("EAUTH_BASE_URL", base)
    if database_url:
        os.environ["EAUTH_DATABASE_URL"] = database_url
    if no_samples:
        os.environ["EAUTH_NO_SAMPLES"] = "1"
    console.print(f"eauth-toolkit service on {base}")
    for path, what in [
        ("/", "home"),
        ("/plan", "Work Plan progress report"),
        ("/repository", "Collaborative Repository List"),
        ("/loa/guidance", "LoA Guidance"),
        ("/ams/my/services/tax-filing", "pilot: a Malaysian service, sign in from Singapore"),
        (
            "/ams/sg/services/company-registration",
            "pilot: a Singapore service, sign in from Malaysia",
        ),
        ("/signatures/check", "check a signed PDF"),
        ("/pilot/report", "pilot report"),
        ("/docs", "OpenAPI documentation"),
        ("/health", "health"),
    ]:
        console.print(f"  {base}{path}  [dim]{what}[/dim]")
    serve_app(host, port, workers, access_log=access_log)
