"""`eauth loa` commands: assess profiles, map levels, render the Guidance document."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from eauth_toolkit.cli._common import console, print_json
from eauth_toolkit.errors import InputError
from eauth_toolkit.loa.assessment import Assessment, assess
from eauth_toolkit.loa.document import registered_technologies, render_html, render_markdown
from eauth_toolkit.loa.mappings import map_level, parse_level
from eauth_toolkit.loa.profiles import load_profiles
from eauth_toolkit.loa.rules import PHASES, Guidance, default_guidance, load_guidance

__all__ = ["app"]

app = typer.Typer(no_args_is_help=True)

_GUIDANCE_OPTION = typer.Option(
    None,
    "--guidance",
    help="A Guidance rule file to use instead of the shipped ISO/IEC 29115:2013 one.",
)


class Target(StrEnum):
    eidas = "eidas"
    nist = "nist"


class Format(StrEnum):
    markdown = "markdown"
    html = "html"


def _guidance(path: Path | None) -> Guidance:
    return default_guidance() if path is None else load_guidance(path)


def _print_assessment(source: str, a: Assessment) -> None:
    claim = a.claim
    claim_text = (
        "no claim"
        if claim.claimed is None
        else f"claims LoA{claim.claimed}: {'holds' if claim.holds else 'does not hold'}"
    )
    console.print(
        f"[bold]{escape(a.name)}[/bold]  ({escape(source)})\n"
        f"overall [bold]LoA{a.overall}[/bold]  eIDAS {a.eidas or 'none'}  "
        f"NIST IAL{a.nist.ial or '-'} AAL{a.nist.aal or '-'}  {claim_text}"
    )
    table = Table(show_header=True, header_style="bold", expand=False)
    table.add_column("Phase")
    table.add_column("Level", justify="right")
    table.add_column("To reach the next level")
    for phase in (*PHASES, "management"):
        level = getattr(a, phase)
        todo = a.next_level_for(phase)
        advice = "\n".join(f"{r.id}: {r.control} ({r.why})" for r in todo) if todo else "-"
        table.add_row(phase.replace("_", " "), str(level), Text(advice))
    console.print(table)
    if a.limiting:
        console.print("limited by: " + ", ".join(r.id for r in a.limiting))
    console.print()


@app.command("assess")
def assess_cmd(
    profiles: list[Path] = typer.Argument(
        ...,
        help="Profile files (JSON/YAML/TOML): a bare profile, a repository entry with 'profile', or a list file with 'entries'.",
    ),
    as_json: bool = typer.Option(
        False, "--json", help="Print JSON (an object for one file, a list for several)."
    ),
    confirmed_only: bool = typer.Option(
        False,
        "--confirmed-only",
        help="Treat the facts a profile lists as 'unconfirmed' as unknown (fail closed).",
    ),
    guidance: Path | None = _GUIDANCE_OPTION,
) -> None:
    """Assess technology profiles against the Guidance."""
    g = _guidance(guidance)
    results = []
    for path in profiles:
        for loaded in load_profiles(path):
            profile = loaded.profile.without_unconfirmed() if confirmed_only else loaded.profile
            where = str(path) if loaded.pointer in ("/", "/profile") else f"{path}#{loaded.pointer}"
            results.append((where, assess(profile, g)))
    if as_json:
        docs = [{"file": src, **a.to_dict()} for src, a in results]
        print_json(docs[0] if len(docs) == 1 else docs)
        return
    for src, a in results:
        _print_assessment(src, a)


@app.command("map")
def map_cmd(
    level: str = typer.Argument(..., help="An ISO/IEC 29115 level, e.g. iso29115:3."),
    to: Target = typer.Option(..., "--to", help="Target scheme."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    guidance: Path | None = _GUIDANCE_OPTION,
) -> None:
    """Map an ISO/IEC 29115 level to eIDAS or NIST SP 800-63."""
    g = _guidance(guidance)
    n = parse_level(level)
    mappings = map_level(n, to.value, g)
    if as_json:
        print_json([m.to_dict() for m in mappings])
        return
    for m in mappings:
        if m.target == "eidas":
            value = m.value or "none (below low)"
        else:
            value = f"IAL{m.value['ial'] or ' none'} AAL{m.value['aal'] or ' none'}"
        official = "official" if m.official else "not official"
        console.print(f"iso29115:{n} -> {m.target}: [bold]{value}[/bold] ({official})")
        console.print(f"  {m.notes}", markup=False)
        console.print(f"  sources: {'; '.join(m.sources)}", markup=False)


@app.command("guidance")
def guidance_cmd(
    fmt: Format = typer.Option(Format.markdown, "--format", help="Output format."),
    repository: Path | None = typer.Option(
        Path("repository_list"),
        "--repository",
        help="Folder of repository list files (<AMS>.json).",
    ),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Write to a file instead of stdout."
    ),
    guidance: Path | None = _GUIDANCE_OPTION,
    published: Path | None = typer.Option(
        None,
        "--list",
        help="Signed Repository List: add its mutually agreed levels and who endorsed them.",
    ),
    publisher_key: Path | None = typer.Option(
        None, "--publisher-key", help="The list publisher's certificate or JWK (with --list)."
    ),
) -> None:
    """Render the Guidance document (levels, rules, mappings, registered technologies)."""
    g = _guidance(guidance)
    agreed = None
    if publisher_key is not None and published is None:
        raise InputError("--publisher-key checks the list given with --list", where="--list")
    if published is not None:
        from eauth_toolkit.recognition.lists import view_from_file

        view = view_from_file(published, publisher_key)
        agreed = (view.list_sequence, list(view.levels.values()))
    rows = (
        registered_technologies(repository, g)
        if repository is not None and repository.is_dir()
        else None
    )
    text = render_html(g, rows, agreed) if fmt is Format.html else render_markdown(g, rows, agreed)
    if output is not None:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise InputError(f"cannot write ({exc.strerror})", where=str(output)) from None
        console.print(f"wrote {output}")
        return
    sys.stdout.write(text)
    sys.stdout.flush()
