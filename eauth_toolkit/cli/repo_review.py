"""`eauth repo review` and `eauth repo levels`: peer review of proposed levels."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from eauth_toolkit.cli._common import console, err_console, print_json, settings_for
from eauth_toolkit.errors import InputError
from eauth_toolkit.repository.keys import AuthorityRegistry, key_id, load_key
from eauth_toolkit.repository.reviews import (
    all_level_statuses,
    entry_level_status,
    load_review_policy,
    sign_review,
    submit_review,
)
from eauth_toolkit.repository.samples import AUTHORITIES_FILE
from eauth_toolkit.repository.store import RepositoryStore
from eauth_toolkit.repository.submission import SubmissionRefused
from eauth_toolkit.repository.trustdocs import agreement_statuses

__all__ = ["review", "levels"]

EXIT_REFUSED = 1


def _store(database_url: str | None, authorities: Path | None) -> tuple[RepositoryStore, Path]:
    settings = settings_for(database_url=database_url)
    registry = AuthorityRegistry.load(authorities or settings.repository_dir / AUTHORITIES_FILE)
    return RepositoryStore.open(settings.database_url, registry), settings.repository_dir


def _ams_of(key_path: Path, registry: AuthorityRegistry) -> str:
    key = load_key(key_path)
    if not key.is_private:
        raise InputError("a review is signed with a private key", where=str(key_path))
    public = key.as_dict(private=False)
    for a in registry.authorities.values():
        if a.key.thumbprint() == key.thumbprint() or a.key.as_dict(private=False) == public:
            return a.ams
    raise InputError(
        f"the key (kid {key_id(key)}) is not the registered key of any AMS authority",
        where=str(key_path),
    )


def review(
    entry: str = typer.Argument(..., help="Entry id of another AMS's technology."),
    endorse: bool = typer.Option(False, "--endorse", help="Endorse the proposed level."),
    object_: bool = typer.Option(False, "--object", help="Object to the proposed level."),
    reason: str = typer.Option(..., "--reason", help="Why (kept with the review)."),
    key: Path = typer.Option(..., "--key", help="Your AMS authority's signing key (JWK or PEM)."),
    level: int | None = typer.Option(
        None, "--level", help="The level reviewed (default: the level currently proposed)."
    ),
    database_url: str | None = typer.Option(None, "--database-url", envvar="EAUTH_DATABASE_URL"),
    authorities: Path | None = typer.Option(None, "--authorities"),
    as_json: bool = typer.Option(False, "--json", help="Print the receipt as JSON."),
) -> None:
    """Sign and record an endorsement or objection of another AMS's proposed level."""
    if endorse == object_:
        raise InputError("give exactly one of --endorse and --object", where="--endorse/--object")
    store, repo_dir = _store(database_url, authorities)
    try:
        ams = _ams_of(key, store.authorities)
        stored = store.entry(entry)
        if stored is None:
            raise InputError(f"the registry has no entry {entry!r}", where="ENTRY")
        claimed = stored.document.get("claimed_level") or {}
        proposed = level if level is not None else claimed.get("iso29115")
        if not isinstance(proposed, int):
            raise InputError(f"{stored.ams} proposes no level for {entry}", where="ENTRY")
        jws = sign_review(
            ams=ams,
            entry=entry,
            level=proposed,
            decision="endorse" if endorse else "object",
            reason=reason,
            key=load_key(key),
            sequence=store.next_sequence(ams),
        )
        receipt = submit_review(
            store,
            jws,
            agreements=agreement_statuses(store),
            default=load_review_policy(repo_dir),
            channel="cli",
            submitter=f"eauth repo review ({key.name})",
        )
    except SubmissionRefused as exc:
        where = f"{exc.where}: " if exc.where else ""
        err_console.print(f"error: review refused ({exc.code}): {where}{exc.message}", markup=False)
        sys.exit(EXIT_REFUSED)
    finally:
        store.close()
    if as_json:
        print_json(
            {
                "id": receipt.id,
                "submission": receipt.submission_id,
                "review": receipt.review.to_dict(),
                "status": receipt.status.to_dict(),
            }
        )
        return
    console.print(
        f"accepted: {ams} {'endorses' if endorse else 'objects to'} level {receipt.review.level} of {entry} "
        f"(audit #{receipt.submission_id})",
        markup=False,
    )
    console.print(receipt.status.reason, markup=False)


def levels(
    entry: str | None = typer.Argument(None, help="One entry (default: every entry)."),
    agreed_only: bool = typer.Option(False, "--agreed", help="Only agreed levels."),
    database_url: str | None = typer.Option(None, "--database-url", envvar="EAUTH_DATABASE_URL"),
    authorities: Path | None = typer.Option(None, "--authorities"),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Proposed, assessed and agreed levels with their reviews."""
    store, repo_dir = _store(database_url, authorities)
    try:
        agreements = agreement_statuses(store)
        policy = load_review_policy(repo_dir)
        if entry is not None:
            stored = store.entry(entry)
            if stored is None:
                raise InputError(f"the registry has no entry {entry!r}", where="ENTRY")
            statuses = {
                entry: entry_level_status(store, stored, agreements=agreements, default=policy)
            }
        else:
            statuses = all_level_statuses(store, agreements=agreements, default=policy)
    finally:
        store.close()
    rows = [s for s in statuses.values() if s.agreed or not agreed_only]
    if as_json:
        print_json([s.to_dict() for s in rows])
        return
    for s in rows:
        console.print(
            f"{s.entry}: proposed {s.proposed or '-'}, assessed "
            f"{s.assessed if s.assessed is not None else '-'}, {s.state}",
            markup=False,
        )
        console.print(f"  {s.reason}", markup=False)


def agreement_sign(
    file: Path = typer.Argument(
        ..., help="An agreement (JSON or YAML) or an agreement document other parties signed."
    ),
    key: Path = typer.Option(..., "--key", help="Your AMS authority's signing key (JWK or PEM)."),
    out: Path = typer.Option(..., "--out", help="Where to write the signed agreement document."),
    authorities: Path | None = typer.Option(None, "--authorities"),
) -> None:
    """Add your AMS authority's signature to a mutual-recognition agreement."""
    from eauth_toolkit.recognition.models import Agreement
    from eauth_toolkit.recognition.signed import add_signature, read_agreement
    from eauth_toolkit.schemaio import load_document

    settings = settings_for()
    registry = AuthorityRegistry.load(authorities or settings.repository_dir / AUTHORITIES_FILE)
    ams = _ams_of(key, registry)
    data = load_document(file)
    if isinstance(data, dict) and "payload" in data:
        document: dict[str, object] | Agreement = data
        agreement = read_agreement(data, where=str(file))
    else:
        try:
            agreement = Agreement.model_validate(data)
        except ValueError as exc:
            raise InputError(f"not an agreement: {exc}".splitlines()[0], where=str(file)) from None
        document = agreement
    signed = add_signature(document, load_key(key), ams=ams)
    import json

    try:
        out.write_text(json.dumps(signed, indent=1) + "\n", encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write ({exc.strerror})", where=str(out)) from None
    missing = [p for p in agreement.parties if p not in _signers(signed)]
    console.print(
        f"signed agreement {agreement.id} for {ams}; "
        + (f"still to sign: {', '.join(missing)}" if missing else "every party has signed"),
        markup=False,
    )


def _signers(document: dict[str, object]) -> list[str]:
    from eauth_toolkit.recognition.signed import signer_ams

    return signer_ams(document)


def agreement_check(
    file: Path = typer.Argument(..., help="A signed agreement document."),
    on: str | None = typer.Option(None, "--on", help="Check on this day (YYYY-MM-DD)."),
    authorities: Path | None = typer.Option(None, "--authorities"),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Check every party's signature and the dates; exit 0 in force, 1 not in force."""
    import datetime as dt

    from eauth_toolkit.recognition.signed import check_agreement, load_agreement_file

    settings = settings_for()
    registry = AuthorityRegistry.load(authorities or settings.repository_dir / AUTHORITIES_FILE)
    try:
        day = dt.date.fromisoformat(on) if on else dt.datetime.now(dt.UTC).date()
    except ValueError:
        raise InputError(f"not a date: {on!r}", where="--on") from None
    status = check_agreement(load_agreement_file(file), registry, on=day, where=str(file))
    if as_json:
        print_json(status.to_dict())
    else:
        state = "IN FORCE" if status.in_force else "NOT IN FORCE"
        console.print(f"{file}: {state}: {status.reason}", markup=False)
    if not status.in_force:
        sys.exit(EXIT_REFUSED)
