"""`eauth repo` commands: validate, sign, submit, list, show, publish, verify, diff, samples;
trust-list pointers, agreements and reviews (``repo_trust``, ``repo_review``)."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from eauth_toolkit.cli._common import (
    EXIT_BAD_INPUT,
    console,
    err_console,
    print_json,
    settings_for,
)
from eauth_toolkit.cli.repo_review import agreement_check as agreement_check_command
from eauth_toolkit.cli.repo_review import agreement_sign as agreement_sign_command
from eauth_toolkit.cli.repo_review import levels as levels_command
from eauth_toolkit.cli.repo_review import review as review_command
from eauth_toolkit.cli.repo_sources import sources as sources_command
from eauth_toolkit.cli.repo_trust import agreement_submit, agreement_withdraw, trustlist_submit
from eauth_toolkit.errors import InputError
from eauth_toolkit.repository import strictjson
from eauth_toolkit.repository.keys import AuthorityRegistry, certificate_validity, load_key
from eauth_toolkit.repository.models import AMS_CODES, STATUSES, TECHNOLOGY_TYPES
from eauth_toolkit.repository.publication import (
    ListVerificationError,
    VerifiedList,
    diff_lists,
    export_list,
    load_verified_list,
    publish,
)
from eauth_toolkit.repository.samples import AUTHORITIES_FILE, load_samples, sample_files
from eauth_toolkit.repository.signing import sign_submission
from eauth_toolkit.repository.sourcing import DEFAULT_MAX_AGE_DAYS, document_warnings, source_refs
from eauth_toolkit.repository.store import EntryFilter, RepositoryStore
from eauth_toolkit.repository.submission import SubmissionRefused
from eauth_toolkit.repository.trust import trust_picture
from eauth_toolkit.repository.validation import document_problems
from eauth_toolkit.schemaio import load_document as _load_any

__all__ = ["app"]

app = typer.Typer(no_args_is_help=True)
app.command("sources")(sources_command)
app.command("review")(review_command)
app.command("levels")(levels_command)
app.command("agreement-sign")(agreement_sign_command)
app.command("agreement-check")(agreement_check_command)
app.command("agreement-submit")(agreement_submit)
app.command("agreement-withdraw")(agreement_withdraw)
app.command("trustlist-submit")(trustlist_submit)

EXIT_INVALID = 1

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


def _open_store(database_url: str | None, authorities: Path | None) -> RepositoryStore:
    settings = settings_for(database_url=database_url)
    registry = AuthorityRegistry.load(authorities or settings.repository_dir / AUTHORITIES_FILE)
    return RepositoryStore.open(settings.database_url, registry)


def load_document(path: Path) -> Any:
    """JSON files by the repository's one strict reading; YAML and TOML as the rest of the
    toolkit reads them."""
    if path.suffix.lower() in (".yaml", ".yml", ".toml"):
        return _load_any(path)
    return strictjson.load_file(path)


def _ams(value: str | None) -> str | None:
    if value is None:
        return None
    if value.upper() not in AMS_CODES:
        raise InputError(
            f"{value!r} is not an AMS code (use one of {', '.join(AMS_CODES)})", where="--ams"
        )
    return value.upper()


def _refused(exc: SubmissionRefused) -> None:
    where = f"{exc.where}: " if exc.where else ""
    err_console.print(f"error: submission refused ({exc.code}): {where}{exc.message}", markup=False)
    for problem in exc.problems[1:]:
        err_console.print(f"  {problem.where}: {problem.message}", markup=False)
    sys.exit(EXIT_INVALID)


@app.command()
def validate(
    files: list[Path] = typer.Argument(..., help="Submission documents, entries or signed lists."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
    max_age: int = typer.Option(
        DEFAULT_MAX_AGE_DAYS, "--max-age", min=0, help="Warn about facts checked over DAYS ago."
    ),
) -> None:
    """Check files against the published schemas and the sourcing rules (exit 1 when invalid;
    warnings about weak, stale or missing sources do not change the exit code)."""
    report: list[dict[str, Any]] = []
    unreadable = invalid = False
    for path in files:
        try:
            document = load_document(path)
        except InputError as exc:
            unreadable = True
            report.append({"file": str(path), "readable": False, "error": str(exc), "problems": []})
            continue
        kind, problems = document_problems(document)
        invalid = invalid or bool(problems)
        warnings = document_warnings(document, max_age_days=max_age)
        report.append(
            {
                "file": str(path),
                "readable": True,
                "kind": kind,
                "valid": not problems,
                "problems": [{"where": p.where, "message": p.message} for p in problems],
                "warnings": [{"where": w.where, "message": w.message} for w in warnings],
            }
        )
    if as_json:
        print_json(report)
    else:
        for item in report:
            if not item["readable"]:
                err_console.print(f"error: {item['error']}", markup=False)
                continue
            for w in item["warnings"]:
                console.print(f"{item['file']}#{w['where']}: warning: {w['message']}", markup=False)
            if item["valid"]:
                console.print(f"{item['file']}: valid {item['kind']}", markup=False)
            else:
                for p in item["problems"]:
                    console.print(f"{item['file']}#{p['where']}: {p['message']}", markup=False)
    if unreadable:
        sys.exit(EXIT_BAD_INPUT)
    if invalid:
        sys.exit(EXIT_INVALID)


def _load_submission(path: Path) -> dict[str, Any]:
    document = load_document(path)
    if not isinstance(document, dict):
        raise InputError("expected a submission document (a JSON object)", where=str(path))
    return document


@app.command()
def sign(
    file: Path = typer.Argument(..., help="Submission document (JSON)."),
    key: Path = typer.Option(..., "--key", help="The AMS authority's private key (JWK or PEM)."),
    sequence: int = typer.Option(..., "--sequence", min=1, help="This AMS's next sequence number."),
    out: Path | None = typer.Option(None, "--out", help="Write the JWS here (default: stdout)."),
) -> None:
    """Sign a submission document as a compact JWS (for sending to the API)."""
    document = _load_submission(file)
    jws = sign_submission(document, load_key(key), sequence=sequence)
    if out is None:
        sys.stdout.write(jws + "\n")
    else:
        try:
            out.write_text(jws + "\n", encoding="ascii")
        except OSError as exc:
            raise InputError(
                f"cannot write the file ({exc.strerror or exc})", where=str(out)
            ) from None
        console.print(f"wrote {out}", markup=False)


@app.command()
def submit(
    file: Path = typer.Argument(..., help="Submission document (JSON) or a signed JWS file."),
    key: Path | None = typer.Option(
        None, "--key", help="Sign the document with this authority key (JWK or PEM)."
    ),
    database_url: str | None = _DB,
    authorities: Path | None = _AUTH,
    as_json: bool = typer.Option(False, "--json", help="Print the receipt as JSON."),
) -> None:
    """Submit to the store: signs a JSON document with --key, or sends a signed JWS file as is."""
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
            document = _load_submission(file)
            ams = document.get("ams")
            sequence = store.next_sequence(ams) if ams in AMS_CODES else 1
            jws = sign_submission(document, load_key(key), sequence=sequence)
        else:
            jws = raw.strip()
        receipt = store.submit(jws, channel="cli", submitter=f"eauth repo submit ({file.name})")
    except SubmissionRefused as exc:
        _refused(exc)
        return
    finally:
        store.close()
    if as_json:
        print_json(
            {
                "id": receipt.id,
                "ams": receipt.ams,
                "sequence": receipt.sequence,
                "diff": receipt.diff,
            }
        )
        return
    d = receipt.diff
    console.print(
        f"accepted: {receipt.ams} submission #{receipt.id} (sequence {receipt.sequence}): "
        f"{len(d['added'])} added, {len(d['changed'])} changed, {len(d['withdrawn'])} withdrawn, "
        f"{len(d['unchanged'])} unchanged",
        markup=False,
    )


def _level(value: int | None) -> str:
    return str(value) if value is not None else "-"


@app.command("list")
def list_entries(
    ams: str | None = typer.Option(None, "--ams", help="Only this AMS (e.g. SG)."),
    min_loa: int | None = typer.Option(
        None,
        "--min-loa",
        min=1,
        max=4,
        help="Only entries assessed at this ISO/IEC 29115 level or higher.",
    ),
    technology_type: str | None = typer.Option(None, "--type", help="Only this technology type."),
    status: str | None = typer.Option(None, "--status", help="active, suspended or withdrawn."),
    as_json: bool = typer.Option(False, "--json", help="Print the entries as JSON."),
    database_url: str | None = _DB,
    authorities: Path | None = _AUTH,
) -> None:
    """List the entries in the store."""
    ams = _ams(ams)
    if technology_type is not None and technology_type not in TECHNOLOGY_TYPES:
        raise InputError(f"unknown type (use one of {', '.join(TECHNOLOGY_TYPES)})", where="--type")
    if status is not None and status not in STATUSES:
        raise InputError(f"unknown status (use one of {', '.join(STATUSES)})", where="--status")
    store = _open_store(database_url, authorities)
    try:
        found = store.entries(
            EntryFilter(
                ams=ams,
                min_loa=min_loa,
                technology_type=technology_type,
                status=status,
            )
        )
    finally:
        store.close()
    if as_json:
        print_json([e.published() for e in found])
        return
    table = Table("id", "AMS", "name", "type", "status", "claimed", "assessed")
    for e in found:
        mark = " (!)" if e.level_mismatch else ""
        table.add_row(
            e.id,
            e.ams,
            e.document["name"],
            e.document["technology_type"],
            e.status,
            _level(e.claimed_level),
            _level(e.assessed_level) + mark,
        )
    console.print(table)
    console.print(f"{len(found)} entries", markup=False)


@app.command()
def show(
    entry_id: str = typer.Argument(..., metavar="ID"),
    as_json: bool = typer.Option(False, "--json", help="Print the entry as JSON."),
    database_url: str | None = _DB,
    authorities: Path | None = _AUTH,
) -> None:
    """Show one entry with its assessed level and status history."""
    store = _open_store(database_url, authorities)
    try:
        found = store.entry(entry_id)
    finally:
        store.close()
    if found is None:
        raise InputError("no such entry", where=entry_id)
    if as_json:
        print_json(found.published() | {"assessment": found.assessment})
        return
    doc = found.document
    console.print(f"{doc['name']} ({found.id}, {found.ams})", markup=False)
    console.print(f"  operator: {doc['operator']}", markup=False)
    console.print(f"  type: {doc['technology_type']}; status: {found.status}", markup=False)
    claimed = doc.get("claimed_level") or {}
    console.print(
        f"  claimed level: {_level(claimed.get('iso29115'))}"
        f"{' (' + claimed['national_name'] + ')' if claimed.get('national_name') else ''}; "
        f"assessed level: {_level(found.assessed_level)}"
        f"{'  (differs from the claimed level)' if found.level_mismatch else ''}",
        markup=False,
    )
    ranges = (found.summary or {}).get("ranges") or {}
    if ranges:
        labels = "; ".join(r["label"] for r in ranges.values() if isinstance(r, dict))
        console.print(f"  level ranges (confirmed-reachable): {labels}", markup=False)
    for item in doc["status_history"]:
        console.print(
            f"  {item['date']} {item['status']}: {item.get('reason') or ''}", markup=False
        )
    for pointer, src in doc["sources"].items():
        for ref in source_refs(src):
            read = f", read {ref.read}" if ref.read else ""
            console.print(f"  source {pointer or '/'}: {ref.url} ({ref.kind}{read})", markup=False)
    for pointer in doc.get("unconfirmed", []):
        console.print(f"  unconfirmed: {pointer}", markup=False)


def _mode(value: str) -> int:
    try:
        mode = int(value, 8)
    except ValueError:
        mode = -1
    if not 0 <= mode <= 0o777:
        raise InputError(f"{value!r} is not a file mode (octal, such as 644)", where="--mode")
    return mode


_MODE = typer.Option(
    "644", "--mode", help="Permissions of the written file (octal; 644: readable by everyone)."
)


@app.command("publish")
def publish_cmd(
    key: Path = typer.Option(..., "--key", help="The publisher's private key (JWK or PEM)."),
    out: Path = typer.Option(..., "--out", help="Where to write the signed list."),
    validity_days: int = typer.Option(30, "--validity-days", min=1, help="Days until next_update."),
    sandbox: bool = typer.Option(
        True, "--sandbox/--no-sandbox", help="Mark the scheme information as a sandbox list."
    ),
    operator: str | None = typer.Option(
        None, "--operator", help="The scheme operator named in the scheme information."
    ),
    mode: str = _MODE,
    database_url: str | None = _DB,
    authorities: Path | None = _AUTH,
) -> None:
    """Publish the next version of the signed list: recorded in the store, then written to
    --out (atomic: a crash keeps the previous file, and the next run completes the write)."""
    file_mode = _mode(mode)
    signing_key = load_key(key)
    store = _open_store(database_url, authorities)
    try:
        result = publish(
            store,
            signing_key,
            out,
            validity=dt.timedelta(days=validity_days),
            sandbox=sandbox,
            operator=operator,
            mode=file_mode,
            trust=trust_picture(store, settings_for().repository_dir),
        )
    finally:
        store.close()
    for message in result.recovered:
        err_console.print(f"note: {message}", markup=False)
    console.print(
        f"published list #{result.sequence_number} to {result.path}: {result.entry_count} entries, "
        f"{result.size} bytes, sha256 {result.sha256}, next update {result.next_update:%Y-%m-%d}",
        markup=False,
    )


@app.command("export")
def export_cmd(
    out: Path = typer.Option(..., "--out", help="Where to write the signed list."),
    mode: str = _MODE,
    database_url: str | None = _DB,
    authorities: Path | None = _AUTH,
) -> None:
    """Write the last recorded list to --out (when a publication could not write its file)."""
    file_mode = _mode(mode)
    store = _open_store(database_url, authorities)
    try:
        number = store.last_publication_number()
        if number == 0:
            raise InputError("nothing has been published yet", where="the store")
        export_list(store, out, mode=file_mode)
    finally:
        store.close()
    console.print(f"{out} holds list #{number}", markup=False)


def _public_key(path: Path) -> tuple[Any, tuple[dt.datetime, dt.datetime] | None]:
    return load_key(path), certificate_validity(path)


def _invalid(file: Path, exc: ListVerificationError, as_json: bool) -> None:
    if as_json:
        print_json({"file": str(file), "valid": False, "code": exc.code, "reason": exc.message})
    err_console.print(f"error: {file}: INVALID ({exc.code}): {exc.message}", markup=False)
    sys.exit(EXIT_INVALID)


@app.command()
def verify(
    file: Path = typer.Argument(..., help="A signed list file."),
    key: Path = typer.Option(..., "--key", help="The publisher's certificate or public JWK."),
    not_older_than: int | None = typer.Option(
        None,
        "--not-older-than",
        min=1,
        help="Refuse a list numbered below N (the last number you have seen).",
    ),
    state: Path | None = typer.Option(
        None,
        "--state",
        help="State file of the last list seen per publisher: refuses an older list or another "
        "list with the same number, and records a newer one.",
    ),
    allow_stale: bool = typer.Option(
        False, "--allow-stale", help="Accept a list past its next update."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Verify a signed list offline (exit 0 valid, 1 invalid or refused, 2 unreadable)."""
    public, validity = _public_key(key)
    try:
        verified = load_verified_list(
            file,
            public,
            key_valid=validity,
            not_older_than=not_older_than,
            state_file=state,
            allow_stale=allow_stale,
        )
    except ListVerificationError as exc:
        _invalid(file, exc, as_json)
        return
    p = verified.payload
    stale = _past(p.get("next_update"))
    if as_json:
        print_json(
            {
                "file": str(file),
                "valid": True,
                "past_next_update": stale,
                "sequence_number": p["sequence_number"],
                "issued_at": p["issued_at"],
                "next_update": p["next_update"],
                "entries": len(p["entries"]),
                "kid": verified.key_id,
                "alg": verified.algorithm,
            }
        )
        return
    console.print(
        f"{file}: VALID list #{p['sequence_number']} issued {p['issued_at']}, next update "
        f"{p['next_update']}, {len(p['entries'])} entries, signed {verified.algorithm} "
        f"(kid {verified.key_id})",
        markup=False,
    )
    if stale:
        err_console.print(
            f"warning: the list is past its next update ({p['next_update']}), accepted "
            "because of --allow-stale",
            markup=False,
        )
    if (p.get("scheme_information") or {}).get("sandbox"):
        err_console.print("note: this is a SANDBOX list", markup=False)


def _past(value: object) -> bool:
    if not isinstance(value, str):
        return False
    try:
        when = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when < dt.datetime.now(dt.UTC)


@app.command()
def diff(
    old: Path = typer.Argument(..., help="The earlier signed list."),
    new: Path = typer.Argument(..., help="The later signed list."),
    key: Path = typer.Option(
        ..., "--key", help="The publisher's certificate or public JWK: both lists must verify."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the differences as JSON."),
) -> None:
    """What changed between two published lists (both verified; exit 1 when one does not, or
    when the "later" list is not later)."""
    public, validity = _public_key(key)
    lists: list[VerifiedList] = []
    for file in (old, new):
        try:
            lists.append(load_verified_list(file, public, key_valid=validity, allow_stale=True))
        except ListVerificationError as exc:
            _invalid(file, exc, as_json)
            return
    before, after = lists
    if after.sequence_number < before.sequence_number:
        err_console.print(
            f"error: {new}: list #{after.sequence_number} is older than {old} "
            f"(#{before.sequence_number}); give the older list first",
            markup=False,
        )
        sys.exit(EXIT_INVALID)
    if after.sequence_number == before.sequence_number and old.read_bytes() != new.read_bytes():
        err_console.print(
            f"error: {old} and {new} are two different lists with the same number "
            f"#{after.sequence_number}",
            markup=False,
        )
        sys.exit(EXIT_INVALID)
    result = diff_lists(before.payload, after.payload)
    if as_json:
        print_json(result)
        return
    console.print(f"list #{result['from_sequence']} -> #{result['to_sequence']}", markup=False)
    for eid in result["added"]:
        console.print(f"+ {eid}", markup=False)
    for eid in result["removed"]:
        console.print(f"- {eid}", markup=False)
    for eid, fields in result["changed"].items():
        status = result["status_changes"].get(eid)
        extra = f" (status {status['from']} -> {status['to']})" if status else ""
        console.print(f"~ {eid}: {', '.join(fields)}{extra}", markup=False)
    if not (result["added"] or result["removed"] or result["changed"]):
        console.print("no changes", markup=False)


@app.command("load-samples")
def load_samples_cmd(
    directory: Path | None = typer.Option(
        None, "--dir", help="Folder with <AMS>.json files and the sandbox keys."
    ),
    force: bool = typer.Option(
        False, "--force", help="Submit again even when an AMS already has entries."
    ),
    database_url: str | None = _DB,
    authorities: Path | None = _AUTH,
) -> None:
    """Sign the sample files with the SANDBOX authority keys and submit them."""
    folder = directory or settings_for().repository_dir
    if not folder.is_dir():
        raise InputError("no such folder", where=str(folder))
    if not sample_files(folder):
        raise InputError("no <AMS>.json sample files in this folder", where=str(folder))
    store = _open_store(database_url, authorities or folder / AUTHORITIES_FILE)
    try:
        results = load_samples(store, folder, only_missing=not force)
    except SubmissionRefused as exc:
        _refused(exc)
        return
    finally:
        store.close()
    for r in results:
        if r.receipt is None:
            console.print(f"{r.ams}: skipped ({r.skipped})", markup=False)
        else:
            d = r.receipt.diff
            console.print(
                f"{r.ams}: accepted {r.path.name} as sequence {r.receipt.sequence}: "
                f"{len(d['added'])} added, {len(d['changed'])} changed",
                markup=False,
            )


@app.command()
def audit(
    ams: str | None = typer.Option(None, "--ams", help="Only this AMS."),
    as_json: bool = typer.Option(False, "--json", help="Print the audit records as JSON."),
    database_url: str | None = _DB,
    authorities: Path | None = _AUTH,
) -> None:
    """The audit trail of accepted submissions (who, when, signature key, diff)."""
    ams = _ams(ams)
    store = _open_store(database_url, authorities)
    try:
        records = store.submissions(ams)
    finally:
        store.close()
    if as_json:
        print_json(records)
        return
    for r in records:
        d = r["diff"]
        console.print(
            f"#{r['id']} {r['received_at']} {r['ams']} seq {r['sequence']} by {r['submitter']} "
            f"(kid {r['authority_kid']}, {r['channel']}): +{len(d['added'])} "
            f"~{len(d['changed'])} -{len(d['withdrawn'])}",
            markup=False,
        )


@app.command()
def token(
    ams: str = typer.Option(..., "--ams", help="The AMS the token may submit for."),
    label: str = typer.Option(..., "--label", help="Who holds the token (for the audit trail)."),
    database_url: str | None = _DB,
    authorities: Path | None = _AUTH,
) -> None:
    """Create an API bearer token bound to one AMS (printed once; only its hash is stored)."""
    code = _ams(ams) or ""
    store = _open_store(database_url, authorities)
    try:
        value = store.create_token(code, label)
    finally:
        store.close()
    sys.stdout.write(value + "\n")


@app.command("revoke-token")
def revoke_token(
    value: str = typer.Argument(..., metavar="TOKEN", help="The token to revoke."),
    database_url: str | None = _DB,
    authorities: Path | None = _AUTH,
) -> None:
    """Revoke an API bearer token (it stays on record, marked revoked)."""
    store = _open_store(database_url, authorities)
    try:
        done = store.revoke_token(value.strip())
    finally:
        store.close()
    if not done:
        raise InputError("no such valid token", where="TOKEN")
    console.print("revoked", markup=False)
