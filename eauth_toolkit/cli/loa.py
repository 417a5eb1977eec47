"""`eauth loa` commands: assess profiles (ranges per framework, advice for a target), map levels,
upgrade old profiles, render the Guidance document."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from eauth_toolkit.cli._common import console, err_console, print_json
from eauth_toolkit.errors import EauthError, InputError

__all__ = ["app"]

app = typer.Typer(no_args_is_help=True)


class Target(StrEnum):
    eidas = "eidas"
    nist = "nist"


class Format(StrEnum):
    markdown = "markdown"
    html = "html"


class GuidanceProfile(StrEnum):
    default = "default"
    asean_strict = "asean-strict"


_PROFILE_OPTION = typer.Option(
    GuidanceProfile.default,
    "--profile",
    help="Guidance profile: 'default' (rules ask no more than their clauses) or the stricter 'asean-strict'.",
)

#: --target values: eIDAS level names, LoA1-4 / iso29115:N, IAL1-3, AAL1-3
_TARGETS = "low, substantial, high, LoA1-LoA4, IAL1-IAL3, AAL1-AAL3"


def _parse_target(text: str) -> tuple[str, str, int]:
    """(rule-set key, result id, level) for a --target value."""
    t = text.strip().lower()
    eidas = {"low": 1, "substantial": 2, "high": 3}
    if t in eidas:
        return "eidas-2015-1502", "overall", eidas[t]
    for prefix in ("loa", "iso29115:"):
        if t.startswith(prefix) and t[len(prefix) :] in ("1", "2", "3", "4"):
            return "iso29115-2013", "overall", int(t[len(prefix) :])
    for prefix, result in (("ial", "ial"), ("aal", "aal")):
        if t.startswith(prefix) and t[len(prefix) :] in ("1", "2", "3"):
            return "nist-800-63-3", result, int(t[len(prefix) :])
    raise InputError(f"unknown target level (one of {_TARGETS})", where=f"--target {text}")


def _print_assessment(source: str, a: Any, target: tuple[str, str, int] | None) -> None:
    d = a.to_dict()
    claim = d["claim"]
    claim_text = (
        ""
        if claim["claimed"] is None
        else f"  claims LoA{claim['claimed']}: "
        + {True: "holds", False: "does not hold", None: "not settled by the confirmed facts"}[
            claim["holds"]
        ]
    )
    console.print(f"[bold]{escape(a.name)}[/bold]  ({escape(source)}){escape(claim_text)}")
    if d["guidance_profile"] != "default":
        console.print(f"Guidance profile: {d['guidance_profile']}")
    table = Table(show_header=True, header_style="bold", expand=False)
    table.add_column("Framework (assessed directly)")
    table.add_column("Level range")
    table.add_column("Scope")
    for key, entry in d["results"].items():
        for rid, res in entry.items():
            if not isinstance(res, dict):
                continue
            table.add_row(
                key if rid == "overall" else f"{key} {rid.upper()}", res["label"], res["scope"]
            )
    console.print(table)
    for key in ("eidas-2015-1502", "iso29115-2013"):
        res = d["results"][key]["overall"]
        unknown = res["unknown_facts"]
        if unknown:
            console.print(
                f"{key}: facts between {res['confirmed'] or 'none'} and {res['reachable'] or 'none'}: "
                + ", ".join(u["pointer"] for u in unknown),
                markup=False,
                highlight=False,
            )
    for decl in d["evidence"]["authority_declarations"]:
        console.print(f"{decl['pointer']}: {decl['label']}", markup=False, highlight=False)
    m = d["mapping"]["eidas"]
    if m["differs"]:
        console.print(
            "mapping ISO/IEC 29115 -> eIDAS gives "
            f"{m['mapped']['confirmed'] or 'none'}-{m['mapped']['reachable'] or 'none'}; the direct eIDAS "
            f"assessment gives {m['direct']['confirmed'] or 'none'}-{m['direct']['reachable'] or 'none'} "
            "(the mapping is not an assessment)",
            markup=False,
            highlight=False,
        )
    if target is not None:
        key, result_id, level = target
        rs = a.rule_set(key)
        todo = [
            x
            for x in a.advice(key, level)
            if x["phase"]
            in {rs.phases[p][0] for p in next(r for r in rs.results if r.id == result_id).phases}
        ]
        name = rs.level_name(level)
        if not todo:
            console.print(f"target {key} {name}: every control is met by confirmed facts")
        else:
            t = Table(show_header=True, header_style="bold", title=f"Still needed for {key} {name}")
            t.add_column("Phase")
            t.add_column("Rule")
            t.add_column("Clause")
            t.add_column("What the clause requires / what to show")
            t.add_column("Now")
            for x in todo:
                route = f" [{x['route']}]" if "route" in x else ""
                t.add_row(
                    x["phase"].replace("_", " ") + route,
                    x["id"],
                    x["clause"],
                    Text(f"{x['requires']}\n-> {x['control']}"),
                    Text(f"{x['status']}: {x['why']}"),
                )
            console.print(t)
    console.print()


@app.command("assess")
def assess_cmd(
    profiles: list[Path] = typer.Argument(
        ...,
        help="Profile files (JSON/YAML/TOML): a bare profile, a repository entry with 'profile', or a list file with 'entries'.",
    ),
    as_json: bool = typer.Option(
        False, "--json", help="Print JSON (an object for one profile, a list for several)."
    ),
    target: str | None = typer.Option(
        None, "--target", help=f"List every control still needed for this level ({_TARGETS})."
    ),
    profile: GuidanceProfile = _PROFILE_OPTION,
) -> None:
    """Assess technology profiles with the eIDAS, ISO/IEC 29115 and NIST SP 800-63 rule sets.

    Each result is a range: the level the confirmed facts support and the level reachable if every
    unknown fact turns out favourably. A bad file is reported and the others are still assessed;
    the exit status is then 2.
    """
    from eauth_toolkit.loa.assessment import assess
    from eauth_toolkit.loa.profiles import load_profiles

    parsed_target = _parse_target(target) if target is not None else None
    results = []
    problems: list[EauthError] = []
    for path in profiles:
        try:
            loaded_all = load_profiles(path)
        except EauthError as exc:
            problems.append(exc)
            err_console.print(f"error: {exc}", markup=False, highlight=False)
            continue
        for loaded in loaded_all:
            where = str(path) if loaded.pointer in ("/", "/profile") else f"{path}#{loaded.pointer}"
            results.append((where, assess(loaded.profile, profile.value)))
    if as_json:
        docs = []
        for src, a in results:
            doc = {"file": src, **a.to_dict()}
            if parsed_target is not None:
                key, result_id, level = parsed_target
                doc["advice"] = {
                    "target": {
                        "rule_set": key,
                        "result": result_id,
                        "level": a.rule_set(key).level_name(level),
                    },
                    "controls": a.advice(key, level),
                }
            docs.append(doc)
        if problems:
            docs_out: Any = {
                "results": docs,
                "errors": [{"error": e.message, "where": e.where} for e in problems],
            }
        else:
            docs_out = docs[0] if len(docs) == 1 and len(profiles) == 1 else docs
        print_json(docs_out)
    else:
        for src, a in results:
            _print_assessment(src, a, parsed_target)
    if problems:
        if len(profiles) > 1:
            err_console.print(f"{len(problems)} of {len(profiles)} files could not be assessed")
        raise typer.Exit(2)


@app.command("map")
def map_cmd(
    level: str = typer.Argument(..., help="An ISO/IEC 29115 level, e.g. iso29115:3."),
    to: Target = typer.Option(..., "--to", help="Target framework."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Map an ISO/IEC 29115 level to eIDAS or NIST SP 800-63 (a mapping, not an assessment).

    ``eauth loa assess`` reports the same mapping of its ISO/IEC 29115 result beside the direct
    results and says where they differ.
    """
    from eauth_toolkit.loa.mappings import map_level, parse_level

    n = parse_level(level)
    mappings = map_level(n, to.value)
    if as_json:
        print_json([m.to_dict() for m in mappings])
        return
    for m in mappings:
        if m.target == "eidas":
            value = m.value or "none (below low)"
        else:
            value = f"IAL{m.value['ial'] or ' none'} AAL{m.value['aal'] or ' none'}"
        official = "official" if m.official else "not official"
        console.print(f"mapping iso29115:{n} -> {m.target}: [bold]{value}[/bold] ({official})")
        console.print(f"  {m.notes}", markup=False)
        console.print(f"  sources: {'; '.join(m.sources)}", markup=False)


@app.command("migrate")
def migrate_cmd(
    file: Path = typer.Argument(..., help="A format-1 profile, repository entry or list file."),
    in_place: bool = typer.Option(
        False, "--in-place", help="Rewrite the file instead of printing."
    ),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write to this file."),
) -> None:
    """Upgrade a format-1 LoA profile (or the profiles in a repository file) to format 2."""
    from eauth_toolkit.loa.migrate import migrate_document
    from eauth_toolkit.loa.profiles import read_document

    doc = read_document(file)
    new, n = migrate_document(doc)
    text = json.dumps(new, indent=2, ensure_ascii=False) + "\n"
    target = file if in_place else output
    if target is None:
        sys.stdout.write(text)
    else:
        try:
            target.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise InputError(f"cannot write ({exc.strerror})", where=str(target)) from None
    err_console.print(
        f"{n} profile{'s' if n != 1 else ''} upgraded to format 2"
        + (f" in {target}" if target else "")
    )


@app.command("guidance")
def guidance_cmd(
    fmt: Format = typer.Option(Format.markdown, "--format", help="Output format."),
    published: Path | None = typer.Option(
        None,
        "--list",
        help="Signed Repository List whose technologies and mutually agreed levels the document "
        "shows (default: the service's latest published list in the data folder).",
    ),
    publisher_key: Path | None = typer.Option(
        None, "--publisher-key", help="The list publisher's certificate or JWK (with --list)."
    ),
    repository: Path | None = typer.Option(
        None,
        "--repository",
        help="Instead of a published list: a folder of draft submission files (<AMS>.json), "
        "for a document to review before the entries are submitted.",
    ),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Write to a file instead of stdout."
    ),
    profile: GuidanceProfile = _PROFILE_OPTION,
) -> None:
    """Render the Guidance document: rule sets with their clauses, mappings, and the technologies
    and mutually agreed levels of a verified Repository List."""
    from eauth_toolkit.cli._common import fail, settings_for
    from eauth_toolkit.loa.document import (
        listed_technologies,
        registered_technologies,
        render_html,
        render_markdown,
    )
    from eauth_toolkit.recognition.lists import default_list, view_from_file

    if publisher_key is not None and published is None:
        raise InputError("--publisher-key checks the list given with --list", where="--list")
    if repository is not None and published is not None:
        raise InputError("give either --list or --repository", where="--repository")
    agreed = None
    if repository is not None:
        if not repository.is_dir():
            fail(f"{repository}: not a folder of repository list files", code=2)
        rows = registered_technologies(repository, profile.value)
        source = f"the draft submission files in {repository} (not a published Repository List)"
    else:
        settings = settings_for()
        path = published if published is not None else default_list(settings)
        view = view_from_file(path, publisher_key, repository_dir=Path(settings.repository_dir))
        source = f"Repository List #{view.list_sequence} (issued {view.issued_at})"
        rows = listed_technologies(view.entries.values(), source, profile.value)
        agreed = (view.list_sequence, list(view.levels.values()))
    text = (
        render_html(rows, profile.value, agreed, source)
        if fmt is Format.html
        else render_markdown(rows, profile.value, agreed, source)
    )
    if output is not None:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise InputError(f"cannot write ({exc.strerror})", where=str(output)) from None
        console.print(f"wrote {output}")
        return
    sys.stdout.write(text)
    sys.stdout.flush()
