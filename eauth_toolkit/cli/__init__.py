"""The ``eauth`` command: one group per capability, each in its own module."""

from __future__ import annotations

import sys

import typer

from eauth_toolkit import __version__
from eauth_toolkit.cli import laws, loa, pilot, plan, repo, sandbox, sig, trustlist
from eauth_toolkit.cli._common import console, err_console, fail
from eauth_toolkit.errors import EauthError

__all__ = ["app", "main"]

app = typer.Typer(
    name="eauth",
    help="ASEAN e-authentication (B.2) and e-signature (B.3) interoperability toolkit.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(loa.app, name="loa", help="Levels of assurance: assess, map, render the Guidance.")
app.add_typer(
    repo.app, name="repo", help="Collaborative Repository List of e-authentication technologies."
)
app.add_typer(
    sig.app, name="sig", help="Electronic signatures: verify and create sandbox signatures."
)
app.add_typer(
    trustlist.app, name="trustlist", help="AMS trust lists (ETSI TS 119 612): build, inspect."
)
app.add_typer(
    sandbox.app, name="sandbox", help="The service: repository API, pages, pilot sandbox."
)
app.add_typer(
    pilot.app, name="pilot", help="Two-AMS mutual-recognition pilot: drive flows, report."
)
app.add_typer(
    laws.app, name="laws", help="Laws Reporting Scheme for e-signatures: law data, plans, reports."
)
app.add_typer(
    plan.app, name="plan", help="Work Plan topics, activities, status and progress reports."
)


def _version(value: bool) -> None:
    if value:
        console.print(f"eauth-toolkit {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", help="Show the version and exit.", callback=_version, is_eager=True
    ),
) -> None:
    """ASEAN e-authentication and e-signature interoperability toolkit."""


def main(argv: list[str] | None = None) -> None:
    """Entry point: any :class:`EauthError` becomes a one-line message and exit code 2."""
    try:
        app(args=argv, standalone_mode=True)
    except EauthError as exc:
        fail(exc)
    except KeyboardInterrupt:
        err_console.print("interrupted")
        sys.exit(130)


_ = err_console
