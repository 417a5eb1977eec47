"""`eauth repo sources`: every source of the Repository List with the facts resting on it."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from eauth_toolkit.cli._common import console, print_json, settings_for
from eauth_toolkit.errors import InputError
from eauth_toolkit.repository.models import AMS_CODES
from eauth_toolkit.repository.samples import sample_files
from eauth_toolkit.repository.sourcing import (
    document_entries,
    fact_sources,
    headline_findings,
    standing,
)
from eauth_toolkit.schemaio import load_document

__all__ = ["sources"]

EXIT_WEAK = 1


def _entries(files: list[Path] | None, ams: str | None) -> list[dict[str, Any]]:
    paths = files or list(sample_files(settings_for().repository_dir).values())
    out: list[dict[str, Any]] = []
    for path in paths:
        document = load_document(path)
        found = document_entries(document)
        if not found:
            raise InputError("not a submission, an entry or a signed list", where=str(path))
        out.extend(e for _, e in found if ams is None or e.get("ams") == ams)
    return out


def _weak_rows(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for entry in entries:
        for f in headline_findings(entry):
            rows.append(
                {
                    "ams": entry.get("ams"),
                    "entry": entry.get("id"),
                    "fact": f.pointer,
                    "source_pointer": f.source_pointer,
                    "kind": f.source.kind if f.source else None,
                    "url": f.source.url if f.source else None,
                    "read": f.source.read.isoformat() if f.source and f.source.read else None,
                    "unconfirmed": f.unconfirmed,
                }
            )
    return rows


def sources(
    files: list[Path] | None = typer.Argument(
        None, help="Submission documents or signed lists (default: the repository_list files)."
    ),
    ams: str | None = typer.Option(None, "--ams", help="Only this AMS (e.g. SG)."),
    weak: bool = typer.Option(
        False,
        "--weak",
        help="List the headline facts that rest on weak sources or none (exit 1 when one of "
        "them is not marked unconfirmed).",
    ),
    older_than: int | None = typer.Option(
        None, "--older-than", min=0, help="Only facts last checked more than DAYS days ago."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Every source with the facts resting on it, its kind and its read date."""
    if ams is not None and ams.upper() not in AMS_CODES:
        raise InputError(f"not an AMS code (use one of {', '.join(AMS_CODES)})", where="--ams")
    entries = _entries(files, ams.upper() if ams else None)
    if weak:
        rows = _weak_rows(entries)
        if as_json:
            print_json(rows)
        else:
            for r in rows:
                mark = "unconfirmed" if r["unconfirmed"] else "NOT MARKED UNCONFIRMED"
                source = f"{r['kind']} {r['url']}" if r["url"] else "no source"
                console.print(f"{r['entry']}{r['fact']}: {source} [{mark}]", markup=False)
            unmarked = sum(1 for r in rows if not r["unconfirmed"])
            console.print(
                f"{len(rows)} headline facts on weak sources or none; "
                f"{unmarked} of them not marked unconfirmed",
                markup=False,
            )
        if any(not r["unconfirmed"] for r in rows):
            sys.exit(EXIT_WEAK)
        return
    facts = fact_sources(entries)
    if older_than is not None:
        limit = dt.date.today() - dt.timedelta(days=older_than)
        facts = [f for f in facts if f.reviewed is None or f.reviewed < limit]
    by_url: dict[str, dict[str, Any]] = {}
    for f in facts:
        item = by_url.setdefault(
            f.source.url, {"url": f.source.url, "kinds": set(), "read": set(), "facts": []}
        )
        item["kinds"].add(f.source.kind)
        if f.reviewed:
            item["read"].add(f.reviewed.isoformat())
        item["facts"].append(
            {
                "entry": f.entry_id,
                "pointer": f.pointer,
                "kind": f.source.kind,
                "read": f.source.read.isoformat() if f.source.read else None,
                "reviewed": f.reviewed.isoformat() if f.reviewed else None,
                "supports": f.source.supports,
                "headline": f.headline,
                "unconfirmed": f.unconfirmed,
            }
        )
    items = [
        {**v, "kinds": sorted(v["kinds"]), "read": sorted(v["read"])}
        for v in sorted(by_url.values(), key=lambda v: v["url"])
    ]
    if as_json:
        print_json({"sources": items, "standing": standing(facts)})
        return
    for item in items:
        console.print(
            f"{item['url']}\n  kind: {', '.join(item['kinds'])}; read: "
            f"{', '.join(item['read']) or 'unknown'}",
            markup=False,
        )
        for fact in item["facts"]:
            mark = " (unconfirmed)" if fact["unconfirmed"] else ""
            console.print(f"    {fact['entry']}{fact['pointer'] or '/'}{mark}", markup=False)
    table = Table("AMS", "legal texts", "official pages", "weaker")
    for code, counts in standing(facts).items():
        table.add_row(
            code,
            str(counts["legal_text"]),
            str(counts["official_page"]),
            str(counts["weaker"]),
        )
    console.print(table)
    console.print(f"{len(items)} sources, {len(facts)} sourced facts", markup=False)
