"""The ``eauth`` command: one group per capability, each in its own module.

A group's module is imported only when that group runs (or ``--help`` lists them all), so
``eauth loa ...`` never pays for pyHanko and ``eauth --version`` pays for nothing but typer.
Errors are handled here once for every command: any :class:`EauthError` or :class:`OSError` that
escapes a command becomes ``error: <where>: <message>`` on one line and exit code 2.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

import typer
from typer.core import TyperGroup, TyperOption

from eauth_toolkit import __version__
from eauth_toolkit.cli._common import data_dir_param, fail, os_error_message, reset_data_dir
from eauth_toolkit.errors import EauthError

__all__ = ["GROUPS", "app", "main"]

#: group name -> (module with a typer ``app``, one-line help), in the order ``--help`` lists them
GROUPS: dict[str, tuple[str, str]] = {
    "loa": ("eauth_toolkit.cli.loa", "Levels of assurance: assess, map, render the Guidance."),
    "repo": (
        "eauth_toolkit.cli.repo",
        "Collaborative Repository List of e-authentication technologies.",
    ),
    "sig": (
        "eauth_toolkit.cli.sig",
        "Electronic signatures: verify and create sandbox signatures.",
    ),
    "trustlist": (
        "eauth_toolkit.cli.trustlist",
        "AMS trust lists (ETSI TS 119 612): build, inspect.",
    ),
    "sandbox": ("eauth_toolkit.cli.sandbox", "The service: repository API, pages, pilot sandbox."),
    "laws": (
        "eauth_toolkit.cli.laws",
        "Laws Reporting Scheme for e-signatures: law data, plans, reports.",
    ),
    "plan": (
        "eauth_toolkit.cli.plan",
        "Work Plan topics, activities, status and progress reports.",
    ),
}


def _flag_type(self: TyperOption, ctx: Any) -> str | None:
    """No ``<bool>`` beside a plain flag in ``--help``: a flag takes no value."""
    return None if self.is_flag else _option_type(self, ctx)


_option_type = TyperOption.display_type_rich
TyperOption.display_type_rich = _flag_type  # type: ignore[method-assign]


#: entry-point group through which an installed package adds a command group (the pilot sandbox
#: adds ``eauth pilot``): ``name = "module"``, the module has a typer ``app``, a ``HELP`` line and
#: may have ``DATA_COMMANDS``, the commands that get ``--data-dir``. Looked up only for a name that
#: is not one of :data:`GROUPS`, and for ``--help``.
GROUP_ENTRY_POINTS = "eauth_toolkit.cli"


def added_groups() -> dict[str, str]:
    """Command groups installed packages add: name -> module."""
    from importlib.metadata import entry_points

    found = entry_points(group=GROUP_ENTRY_POINTS)
    return {ep.name: ep.value.split(":", 1)[0] for ep in found if ep.name not in GROUPS}


#: commands that keep state in the data folder; each gets a ``--data-dir`` option
DATA_COMMANDS: dict[str, tuple[str, ...]] = {
    "repo": ("submit", "list", "show", "publish", "load-samples", "audit", "token", "revoke-token"),
    "laws": ("submit", "report", "load-samples", "audit"),
    "loa": ("guidance",),
    "sig": ("verify",),
    "plan": ("report", "set", "show"),
    "sandbox": ("serve",),
}


class LazyGroup(TyperGroup):
    """The root group: imports a command group's module on first use; one error rule for all."""

    def list_commands(self, ctx: Any) -> list[str]:
        named = [*GROUPS, *added_groups()]
        return [*named, *(n for n in super().list_commands(ctx) if n not in named)]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name not in self.commands:
            self._load(cmd_name)
        return super().get_command(ctx, cmd_name)

    def _load(self, cmd_name: str) -> None:
        if cmd_name in GROUPS:
            module_name, help_text = GROUPS[cmd_name]
            module = importlib.import_module(module_name)
            data_commands = DATA_COMMANDS.get(cmd_name, ())
        else:
            module_name = added_groups().get(cmd_name, "")
            if not module_name:
                return
            module = importlib.import_module(module_name)
            help_text = getattr(module, "HELP", "")
            data_commands = getattr(module, "DATA_COMMANDS", ())
        group = typer.main.get_group(module.app)
        group.name = cmd_name
        group.help = help_text
        for name in data_commands:
            command = group.commands.get(name)
            if command is not None and "data_dir" not in {p.name for p in command.params}:
                command.params.append(data_dir_param())
        self.add_command(group, cmd_name)

    def invoke(self, ctx: Any) -> Any:
        reset_data_dir()
        try:
            return super().invoke(ctx)
        except EauthError as exc:
            fail(exc)
        except OSError as exc:
            fail(os_error_message(exc))


app = typer.Typer(
    name="eauth",
    cls=LazyGroup,
    help="ASEAN e-authentication (B.2) and e-signature (B.3) interoperability toolkit.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"eauth-toolkit {__version__}\n")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False,
        "--version",
        help="Show the version and exit.",
        callback=_version,
        is_eager=True,
        show_default=False,
    ),
) -> None:
    """ASEAN e-authentication and e-signature interoperability toolkit."""


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``eauth`` script."""
    try:
        app(args=argv, standalone_mode=True)
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        sys.exit(130)
