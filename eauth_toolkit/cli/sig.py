"""`eauth sig` commands: verify signed documents, create sandbox signatures.

The signature stack (pyHanko, certomancer, pydantic models) is imported inside the commands, so
that ``eauth --version`` and other groups do not pay for it.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from eauth_toolkit.cli._common import EXIT_BAD_INPUT, console, err_console, fail, print_json
from eauth_toolkit.errors import InputError

if TYPE_CHECKING:
    from rich.table import Table

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
    from rich.table import Table

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
    """pyHanko logs tracebacks for expected failures; the verdicts already say what went wrong.

    The CLI is an application, so it may decide what its log shows: records of the engines below
    WARNING are dropped unless ``EAUTH_DEBUG`` is set (our own debug log holds the details).
    """
    import logging
    import os

    if os.environ.get("EAUTH_DEBUG"):
        logging.basicConfig(level=logging.DEBUG)
        return
    for name in ("pyhanko", "pyhanko_certvalidator"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


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
        help="Signed Repository List: take the trust lists and recognition caps from it "
        "(default: the list this installation published, if any).",
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
        None,
        "--etsi-report",
        help="Write ETSI TS 119 102-2 XML reports: to this file for one PDF, into this folder "
        "(one FILE.etsi.xml per PDF) for several.",
    ),
    jobs: int = typer.Option(1, "-j", "--jobs", min=1, help="Parallel worker processes."),
    data: list[Path] = typer.Option(
        [], "--data", help="Signed file of a detached signature (repeatable); never fetched."
    ),
) -> None:
    """Validate signatures: ETSI indication, level (QES/AdES-QC/AdES/SES), baseline, trust.

    PDF (PAdES), CMS (.p7s next to its content, or .p7m), JWS (JAdES) and XML (XAdES). With
    --json one file prints one object, several files a list. Exit 0 all passed, 1 some did not,
    2 some input could not be read.
    """
    from eauth_toolkit.cli._common import settings_for
    from eauth_toolkit.signatures import tlcache
    from eauth_toolkit.signatures.api import (
        VerifyRequest,
        check_ams,
        expand_inputs,
        options_for,
        verify_many,
    )
    from eauth_toolkit.signatures.models import FileReport

    _quiet_engine_logs()
    settings = settings_for()
    tlcache.use_folder(settings.data_dir / "cache" / "trust-lists")
    if repository is None and not trust_list:
        # like the service: the list this installation published (on first use, the shipped
        # SANDBOX sample list, published and signed as the service does at its first start)
        from eauth_toolkit.recognition.lists import default_list

        repository = default_list(settings)
    request = VerifyRequest(
        trust_list_paths=tuple(str(p) for p in trust_list),
        ams=check_ams(ams, where="--ams"),
        online=online,
        at=_parse_time(at),
        repository=str(repository) if repository else None,
        publisher_key=str(publisher_key) if publisher_key else None,
        data_dir=str(settings.data_dir),
    )
    options = options_for(request)
    missing = [p for p in inputs if not p.exists()]
    files = expand_inputs([p for p in inputs if p.exists()])
    reports: list[FileReport] = []
    show_bar = any(p.is_dir() for p in inputs) and sys.stderr.isatty()
    if data:
        reports = _verify_detached(files, options, data)
    elif show_bar or any(p.is_dir() for p in inputs):
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

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
    problems: list[str] = []
    if etsi_report is not None:
        problems = _write_etsi(reports, options, etsi_report)
    if as_json:
        payload = [r.model_dump(mode="json") for r in reports]
        print_json(payload[0] if len(payload) == 1 else payload)
    else:
        console.print(_table(reports))
        for r in reports:
            if r.error:
                err_console.print(f"error: {r.file}: {r.error}", markup=False)
    for line in problems:
        err_console.print(f"error: --etsi-report: {line}", markup=False)
    code = exit_code(reports)
    raise typer.Exit(max(code, EXIT_BAD_INPUT) if problems else code)


def _verify_detached(files: list[Path], options: object, data: list[Path]) -> list[FileReport]:
    """Each signature with the detached data given by --data (matched by file name)."""
    from eauth_toolkit.signatures.api import verify
    from eauth_toolkit.signatures.pades import ValidationOptions

    assert isinstance(options, ValidationOptions)
    content: dict[str, bytes] = {}
    for p in data:
        try:
            content[p.name] = p.read_bytes()
        except OSError as exc:
            fail(InputError(f"cannot read: {exc.strerror}", where=f"--data {p}"))
    return [verify(f, options, name=str(f), data=content) for f in files]


def _write_etsi(reports: list[FileReport], options: object, out: Path) -> list[str]:
    """Write a report for every PDF the JSON covers; return one line per report not written."""
    from eauth_toolkit.signatures.pades import ValidationOptions, etsi_report

    assert isinstance(options, ValidationOptions)
    pdfs = [r for r in reports if r.format == "PAdES" and not r.error]
    problems: list[str] = [
        f"{r.file}: the ETSI report is written for PDF files only"
        for r in reports
        if r.format not in (None, "PAdES") and not r.error
    ]
    if not pdfs:
        return problems
    several = len(reports) > 1
    if several:
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            return [f"cannot create the folder {out}: {exc.strerror}"]
    elif out.is_dir():
        return [f"{out} is a folder; give a file name for the report of one file"]
    for r in reports:
        if r not in pdfs:
            continue
        target = out / (Path(r.file).name + ".etsi.xml") if several else out
        try:
            xml = etsi_report(Path(r.file), options)
            target.write_text(xml, encoding="utf-8")
        except OSError as exc:
            problems.append(f"cannot write {target}: {exc.strerror}")
    return problems


_DEFAULT_SUFFIX = {"pdf": "-signed.pdf", "p7m": ".p7m", "jws": "-signed.jws", "xml": "-signed.xml"}


def _default_output(document: Path, kind: str) -> Path:
    """``DOC-signed.pdf`` next to ``DOC.pdf``; a detached CMS is ``DOC.pdf.p7s`` (read as over ``DOC.pdf``)."""
    if kind == "p7s":
        return document.with_name(document.name + ".p7s")
    return document.with_name(document.stem + _DEFAULT_SUFFIX[kind])


def _check_pdf(data: bytes, where: str) -> None:
    """One line that names what is wrong with a document that cannot be signed as a PDF."""
    if not data:
        raise InputError("the file is empty, not a PDF", where=where)
    if b"%PDF-" not in data[:1024]:
        raise InputError("not a PDF (no %PDF- header)", where=where)
    import io

    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        PdfFileReader(io.BytesIO(data), strict=False).root  # noqa: B018  (forces the trailer)
    except Exception as exc:
        raise InputError(
            f"not a readable PDF ({type(exc).__name__}: {str(exc)[:120]})", where=where
        ) from None


@app.command("sign")
def sign_cmd(
    document: Path | None = typer.Argument(
        None, help="Document to sign (default: a SANDBOX sample, then --output is needed)."
    ),
    output: Path | None = typer.Option(
        None,
        "--output",
        "-o",
        help="Where to write the signed document (default: DOC-signed.pdf, DOC.p7s, ...).",
    ),
    force: bool = typer.Option(False, "--force", help="Overwrite the output if it exists."),
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
    """Create a SANDBOX signature with the test CAs (never for real documents).

    `eauth sig sign contract.pdf` writes contract-signed.pdf and never replaces an existing file
    unless --force is given.
    """
    kind = fmt.lower()
    if kind not in ("pdf", "p7s", "p7m", "jws", "xml"):
        raise InputError("choose pdf, p7s, p7m, jws or xml", where=f"--format {fmt}")
    if document is None and output is None:
        raise InputError(
            "give the document to sign, or --output for a SANDBOX sample", where="sig sign"
        )
    if document is not None:
        if document.is_dir():
            raise InputError("is a folder, not a document", where=str(document))
        try:
            data = document.read_bytes()
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror}", where=str(document)) from exc
        if kind == "pdf":
            _check_pdf(data, str(document))
        elif not data:
            raise InputError("the file is empty", where=str(document))
    level = baseline.upper()
    target = output or _default_output(document, kind)  # type: ignore[arg-type]
    if target.is_dir():
        raise InputError("is a folder; give a file name", where=f"--output {target}")
    if document is not None and target.resolve() == document.resolve() and not force:
        raise InputError(
            "the output would replace the document being signed (use another name, or --force)",
            where=str(target),
        )
    if target.exists() and not force:
        raise InputError("exists already (use --force to replace it)", where=str(target))
    if kind == "p7s" and document is None and target.with_suffix("").exists() and not force:
        raise InputError(
            "the sample content would replace an existing file (use --force)",
            where=str(target.with_suffix("")),
        )
    from eauth_toolkit.signatures.samples import sample_pdf
    from eauth_toolkit.signatures.sandbox import serve
    from eauth_toolkit.signatures.signing import sign_cms, sign_jws, sign_pdf, sign_xml

    if document is None:
        if kind == "pdf":
            data = sample_pdf()
        elif kind == "xml":
            data = b"<invoice><note>SANDBOX</note><amount currency='MYR'>1000.00</amount></invoice>"
        else:
            data = b'{"document": "SANDBOX invoice", "amount": "1000.00", "currency": "MYR"}'
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
    try:
        target.write_bytes(signed)
        if kind == "p7s" and document is None:
            target.with_suffix("").write_bytes(data)  # the detached content next to its signature
    except OSError as exc:
        raise InputError(f"cannot write: {exc.strerror}", where=str(target)) from exc
    console.print(
        f"SANDBOX {kind} signature ({level if kind in ('pdf', 'p7s', 'p7m') else 'B-B'}) by {signer} written to {target}"
    )


@app.command("signers")
def signers_cmd() -> None:
    """List the sandbox signers."""
    from rich.table import Table

    from eauth_toolkit.signatures.sandbox import SIGNERS

    table = Table("signer", "what it is")
    for label, what in SIGNERS.items():
        table.add_row(label, what)
    console.print(table)
