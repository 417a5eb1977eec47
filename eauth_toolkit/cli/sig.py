"""`eauth sig` commands: verify signed documents, create sandbox signatures."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from eauth_toolkit.cli._common import EXIT_BAD_INPUT, console, err_console, fail, print_json
from eauth_toolkit.errors import InputError
from eauth_toolkit.signatures.api import (
    VerifyRequest,
    expand_inputs,
    options_for,
    verify_many,
)
from eauth_toolkit.signatures.models import FileReport

__all__ = ["app", "exit_code"]

app = typer.Typer(no_args_is_help=True)


def exit_code(reports: list[FileReport]) -> int:
    """0 every signature passed, 1 some did not (or a file has none), 2 some input could not be read."""
    if any(r.error for r in reports):
        return EXIT_BAD_INPUT
    return 0 if reports and all(r.all_passed for r in reports) else 1


def _parse_time(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise InputError(
            "not an ISO 8601 time (e.g. 2026-05-01T12:00:00Z)", where=f"--at {value}"
        ) from exc
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


_STYLE = {"TOTAL-PASSED": "ok", "TOTAL-FAILED": "bad", "INDETERMINATE": "warn"}


def _table(reports: list[FileReport]) -> Table:
    table = Table(show_lines=True, expand=True)
    table.add_column("file / field", overflow="fold", ratio=2)
    table.add_column("verdict", overflow="fold", ratio=2)
    table.add_column("signer and trust", overflow="fold", ratio=3)
    table.add_column("why / warnings", overflow="fold", ratio=4)
    for rep in reports:
        if rep.error:
            table.add_row(rep.file, "[red]cannot read[/red]", "", rep.error)
            continue
        if not rep.signatures:
            table.add_row(rep.file, "[yellow]no signature[/yellow]", "", "; ".join(rep.notes))
        for s in rep.signatures:
            colour = {"ok": "green", "bad": "red", "warn": "yellow"}[_STYLE[s.indication]]
            verdict = f"[{colour}]{s.indication}[/{colour}]"
            if s.sub_indication:
                verdict += f"\n{s.sub_indication}"
            verdict += f"\nlevel {s.level or '-'} · {s.baseline or 'no baseline'}"
            signer = (
                s.signer.subject.split(", Organization")[0].removeprefix("Common Name: ")
                if s.signer
                else "?"
            )
            trust = f"{signer}\n{s.trust.ams or '-'}: {s.trust.service or 'no listed service'} ({s.trust.status})"
            if s.trust.legal_term:
                trust += f"\n{s.trust.legal_term}"
            notes = [f"⚠ {w}" for w in s.warnings] + s.reasons + rep.notes
            table.add_row(
                f"{rep.file}\n{s.field or ''}", verdict, trust, "\n".join(notes), style=None
            )
    return table


def _quiet_engine_logs() -> None:
    """pyHanko logs tracebacks for expected failures; the verdicts already say what went wrong."""
    import logging

    for name in ("pyhanko", "pyhanko_certvalidator"):
        logger = logging.getLogger(name)
        logger.addHandler(logging.NullHandler())
        logger.propagate = False


@app.command("verify")
def verify_cmd(
    inputs: list[Path] = typer.Argument(
        ..., help="Signed files or directories (walked recursively)."
    ),
    trust_list: list[Path] = typer.Option(
        [],
        "--trust-list",
        help="ETSI TS 119 612 trust list (repeatable); default: the repository's lists.",
    ),
    ams: str | None = typer.Option(
        None, "--ams", help="Evaluate as recognised in this AMS (e.g. MY)."
    ),
    repository: Path | None = typer.Option(
        None,
        "--repository",
        help="Signed Repository List: take the trust lists and recognition caps from it.",
    ),
    publisher_key: Path | None = typer.Option(
        None, "--publisher-key", help="The list publisher's certificate or JWK (with --repository)."
    ),
    online: bool = typer.Option(
        False, "--online", help="Fetch OCSP responses and CRLs over the network."
    ),
    at: str | None = typer.Option(None, "--at", help="Validate at this past time (ISO 8601)."),
    as_json: bool = typer.Option(False, "--json", help="Print the JSON verdicts."),
    etsi_report: Path | None = typer.Option(
        None, "--etsi-report", help="Write an ETSI TS 119 102-2 XML report (one PDF input)."
    ),
    jobs: int = typer.Option(1, "-j", "--jobs", min=1, help="Parallel worker processes."),
) -> None:
    """Validate signatures: ETSI indication, level (QES/AdES-QC/AdES/SES), baseline, trust.

    PDF (PAdES), CMS (.p7s next to its content, or .p7m), JWS (JAdES) and XML (XAdES). With
    --json one file prints one object, several files a list. Exit 0 all passed, 1 some did not,
    2 some input could not be read.
    """
    _quiet_engine_logs()
    request = VerifyRequest(
        trust_list_paths=tuple(str(p) for p in trust_list),
        ams=ams.upper() if ams else None,
        online=online,
        at=_parse_time(at),
        repository=str(repository) if repository else None,
        publisher_key=str(publisher_key) if publisher_key else None,
    )
    options = options_for(request)
    missing = [p for p in inputs if not p.exists()]
    files = expand_inputs([p for p in inputs if p.exists()])
    reports: list[FileReport] = []
    show_bar = any(p.is_dir() for p in inputs) and sys.stderr.isatty()
    if show_bar or any(p.is_dir() for p in inputs):
        with Progress(
            TextColumn("verifying"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err_console,
            transient=True,
            disable=not err_console.is_terminal,
        ) as bar:
            task = bar.add_task("verify", total=len(files))
            reports = verify_many(
                files, request, jobs=jobs, options=options, progress=lambda _r: bar.advance(task)
            )
    else:
        reports = verify_many(files, request, jobs=jobs, options=options)
    reports = [
        FileReport(file=str(p), format=None, error="cannot read: no such file or directory")
        for p in missing
    ] + reports
    if etsi_report is not None:
        _write_etsi(files, options, etsi_report)
    if as_json:
        payload = [r.model_dump(mode="json") for r in reports]
        print_json(payload[0] if len(payload) == 1 else payload)
    else:
        console.print(_table(reports))
        for r in reports:
            if r.error:
                err_console.print(f"error: {r.file}: {r.error}", markup=False)
    raise typer.Exit(exit_code(reports))


def _write_etsi(files: list[Path], options: object, out: Path) -> None:
    from eauth_toolkit.signatures.pades import ValidationOptions, etsi_report

    assert isinstance(options, ValidationOptions)
    if len(files) != 1:
        fail(InputError("the ETSI report covers exactly one PDF file", where="--etsi-report"))
    try:
        xml = etsi_report(files[0], options)
    except ValueError as exc:
        fail(InputError(str(exc), where=str(files[0])))
    out.write_text(xml, encoding="utf-8")


@app.command("sign")
def sign_cmd(
    output: Path = typer.Argument(..., help="Where to write the signature (or the signed PDF)."),
    input_file: Path | None = typer.Option(
        None, "--input", "-i", help="Document to sign (default: a sandbox sample)."
    ),
    signer: str = typer.Option(
        "my-signer-qc", "--signer", help="Sandbox signer (see `eauth sig signers`)."
    ),
    baseline: str = typer.Option(
        "B-LTA", "--baseline", help="PDF: B-B, B-T, B-LT or B-LTA; CMS: B-B or B-T."
    ),
    field: str = typer.Option("Signature1", "--field", help="PDF signature field name."),
    fmt: str = typer.Option(
        "pdf",
        "--format",
        help="pdf (PAdES), p7s (detached CAdES), p7m (enveloping CAdES), jws (JAdES), xml (XAdES).",
    ),
) -> None:
    """Create a SANDBOX signature with the test CAs (never for real documents)."""
    from eauth_toolkit.signatures.samples import sample_pdf
    from eauth_toolkit.signatures.sandbox import serve
    from eauth_toolkit.signatures.signing import sign_cms, sign_jws, sign_pdf, sign_xml

    kind = fmt.lower()
    if kind not in ("pdf", "p7s", "p7m", "jws", "xml"):
        raise InputError("choose pdf, p7s, p7m, jws or xml", where=f"--format {fmt}")
    if input_file is not None:
        try:
            data = input_file.read_bytes()
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror}", where=str(input_file)) from exc
    elif kind == "pdf":
        data = sample_pdf()
    elif kind == "xml":
        data = b"<invoice><note>SANDBOX</note><amount currency='MYR'>1000.00</amount></invoice>"
    else:
        data = b'{"document": "SANDBOX invoice", "amount": "1000.00", "currency": "MYR"}'
    level = baseline.upper()
    with serve() as pki:
        if kind == "pdf":
            signed = sign_pdf(data, pki=pki, signer=signer, baseline=level, field_name=field)  # type: ignore[arg-type]
        elif kind in ("p7s", "p7m"):
            signed = sign_cms(
                data, pki=pki, signer=signer, detached=kind == "p7s", timestamp=level != "B-B"
            )
        elif kind == "jws":
            signed = sign_jws(data, pki=pki, signer=signer)
        else:
            signed = sign_xml(data, pki=pki, signer=signer)
    output.write_bytes(signed)
    if kind == "p7s" and input_file is None:
        output.with_suffix("").write_bytes(data)  # the detached content next to its signature
    console.print(
        f"SANDBOX {kind} signature ({level if kind in ('pdf', 'p7s', 'p7m') else 'B-B'}) by {signer} written to {output}"
    )


@app.command("signers")
def signers_cmd() -> None:
    """List the sandbox signers."""
    from eauth_toolkit.signatures.sandbox import SIGNERS

    table = Table("signer", "what it is")
    for label, what in SIGNERS.items():
        table.add_row(label, what)
    console.print(table)
