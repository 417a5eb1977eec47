"""`eauth laws` commands: validate, submit, sign, report, load-samples, audit.

Heavy modules are imported inside each command, so ``eauth --version`` does not load them.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

import typer

from eauth_toolkit.cli._common import (
    EXIT_BAD_INPUT,
    console,
    err_console,
    print_json,
    settings_for,
)
from eauth_toolkit.errors import InputError

__all__ = ["app"]

app = typer.Typer(no_args_is_help=True)

_DB = typer.Option(
    None,
    "--database-url",
    envvar="EAUTH_DATABASE_URL",
    help="SQLAlchemy URL of the store (default: the SQLite file under var/).",
)
_AUTH = typer.Option(
    None,
    "--authorities",
    help="Registry of AMS authority keys (default: repository_list/authorities.json).",
)
_LAWS = typer.Option(
    None, "--laws-dir", help="Folder of the law data files (default: repository_list/laws)."
)


def _parse_date(value: str, where: str) -> dt.date:
    try:
        if len(value) != 10:
            raise ValueError
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{value!r} is not a date in the form YYYY-MM-DD", where=where) from None


def _open_store(database_url: str | None, authorities: Path | None) -> Any:
    from eauth_toolkit.laws.store import LawsStore
    from eauth_toolkit.repository.keys import AuthorityRegistry
    from eauth_toolkit.repository.samples import AUTHORITIES_FILE

    settings = settings_for(database_url=database_url)
    registry = AuthorityRegistry.load(authorities or settings.repository_dir / AUTHORITIES_FILE)
    return LawsStore.open(settings.database_url, registry)


@app.command()
def validate(
    files: list[Path] = typer.Argument(
        ..., help="Law data files, the agreement file, national plans or annual reports."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Check files against the Scheme's schemas and sourcing rules (exit 2 when any is invalid)."""
    from eauth_toolkit.laws.data import document_problems
    from eauth_toolkit.schemaio import load_document

    report: list[dict[str, Any]] = []
    for path in files:
        try:
            document = load_document(path)
        except InputError as exc:
            report.append(
                {
                    "file": str(path),
                    "valid": False,
                    "problems": [{"where": "", "message": str(exc)}],
                }
            )
            continue
        kind, problems = document_problems(document)
        report.append(
            {
                "file": str(path),
                "kind": kind,
                "valid": not problems,
                "problems": [{"where": p.where, "message": p.message} for p in problems],
            }
        )
    if as_json:
        print_json(report)
    else:
        for item in report:
            if item["valid"]:
                console.print(f"{item['file']}: valid {item['kind']}", markup=False)
            for p in item["problems"]:
                where = f"{item['file']}#{p['where']}" if p["where"] else item["file"]
                err_console.print(
                    f"error: {where}: {p['message']}" if p["where"] else f"error: {p['message']}",
                    markup=False,
                )
    if not all(item["valid"] for item in report):
        sys.exit(EXIT_BAD_INPUT)


@app.command()
def submit(
    file: Path = typer.Argument(
        ..., help="National plan or annual report (JSON), or a signed JWS file."
    ),
    key: Path | None = typer.Option(
        None, "--key", help="Sign the document with this AMS authority key (JWK or PEM)."
    ),
    database_url: str | None = _DB,
    authorities: Path | None = _AUTH,
    as_json: bool = typer.Option(False, "--json", help="Print the receipt as JSON."),
) -> None:
    """Submit a national plan or annual report (signed by the AMS authority) to the store."""
    from eauth_toolkit.laws.signing import sign_scheme_document
    from eauth_toolkit.repository.keys import load_key
    from eauth_toolkit.repository.models import AMS_CODES
    from eauth_toolkit.repository.submission import SubmissionRefused
    from eauth_toolkit.schemaio import load_document

    try:
        raw = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("file not found", where=str(file)) from None
    except (OSError, UnicodeError) as exc:
        raise InputError(f"cannot read file ({exc})", where=str(file)) from None
    store = _open_store(database_url, authorities)
    try:
        if raw.lstrip().startswith("{"):
            if key is None:
                raise InputError(
                    "an unsigned document needs --key (the AMS authority's signing key)",
                    where=str(file),
                )
            document = load_document(file)
            if not isinstance(document, dict):
                raise InputError("expected a plan or report (a JSON object)", where=str(file))
            ams = document.get("ams")
            if ams not in AMS_CODES:
                raise InputError(
                    f"unknown AMS {ams!r} (expected one of {', '.join(AMS_CODES)})",
                    where=f"{file}#/ams",
                )
            jws = sign_scheme_document(document, load_key(key), sequence=store.next_sequence(ams))
        else:
            jws = raw.strip()
        receipt = store.submit(jws, channel="cli", submitter=f"eauth laws submit ({file.name})")
    except SubmissionRefused as exc:
        where = f"{file}#{exc.where}: " if exc.where else f"{file}: "
        err_console.print(
            f"error: submission refused ({exc.code}): {where}{exc.message}", markup=False
        )
        sys.exit(EXIT_BAD_INPUT)
    finally:
        store.close()
    if as_json:
        print_json(
            {
                "id": receipt.id,
                "ams": receipt.ams,
                "kind": receipt.kind,
                "sequence": receipt.sequence,
                "diff": receipt.diff,
            }
        )
        return
    console.print(
        f"accepted: {receipt.ams} {receipt.kind} #{receipt.id} (sequence {receipt.sequence}): {receipt.diff}",
        markup=False,
    )


@app.command()
def report(
    as_of: str | None = typer.Option(
        None, "--as-of", help="Date of the report, YYYY-MM-DD (default: today, UTC)."
    ),
    year: int | None = typer.Option(
        None,
        "--year",
        min=2021,
        max=2100,
        help="Year whose annual reports are expected (default: the year of --as-of).",
    ),
    fmt: str = typer.Option("table", "--format", help="table, json, markdown or html."),
    out: Path | None = typer.Option(None, "--out", help="Write the report here (default: stdout)."),
    database_url: str | None = _DB,
    authorities: Path | None = _AUTH,
    laws_dir: Path | None = _LAWS,
) -> None:
    """The alignment report: provisions per AMS, missing plans and reports, overdue measures, transition."""
    from eauth_toolkit.laws.data import load_law_data
    from eauth_toolkit.laws.report import FORMATS, build_report, render

    if fmt not in FORMATS:
        raise InputError(
            f"unknown format {fmt!r} (use one of {', '.join(FORMATS)})", where="--format"
        )
    when = _parse_date(as_of, "--as-of") if as_of else dt.datetime.now(dt.UTC).date()
    data = load_law_data(laws_dir)
    store = _open_store(database_url, authorities)
    try:
        result = build_report(data, store.plans(), store.reports(), when, year=year)
    finally:
        store.close()
    text = render(result, fmt)
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8")
        console.print(f"wrote {out}", markup=False)


@app.command("load-samples")
def load_samples_cmd(
    database_url: str | None = _DB,
    authorities: Path | None = _AUTH,
) -> None:
    """Sign the SANDBOX plans and reports with the SANDBOX authority keys and submit them."""
    from eauth_toolkit.laws.data import default_laws_dir
    from eauth_toolkit.laws.samples import load_sandbox_documents

    settings = settings_for(database_url=database_url)
    store = _open_store(database_url, authorities)
    try:
        for item in load_sandbox_documents(
            store, default_laws_dir(settings), Path(settings.repository_dir)
        ):
            state = f"accepted #{item.receipt.id}" if item.receipt else item.skipped
            console.print(f"{item.path.name}: {state}", markup=False)
    finally:
        store.close()


@app.command()
def audit(
    ams: str | None = typer.Option(None, "--ams", help="Only this AMS."),
    database_url: str | None = _DB,
    authorities: Path | None = _AUTH,
) -> None:
    """The audit trail of accepted plans and reports (JSON)."""
    from eauth_toolkit.cli._common import check_ams

    ams = check_ams(ams)
    store = _open_store(database_url, authorities)
    try:
        print_json(store.submissions(ams))
    finally:
        store.close()
