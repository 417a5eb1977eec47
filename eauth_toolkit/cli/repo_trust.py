"""`eauth repo trustlist-submit`, `agreement-submit` and `agreement-withdraw`: the trust picture as
signed submissions of the AMS authorities (see :mod:`eauth_toolkit.repository.trustdocs`)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import typer

from eauth_toolkit.cli._common import console, print_json, settings_for
from eauth_toolkit.errors import InputError
from eauth_toolkit.repository.keys import AuthorityRegistry, load_key
from eauth_toolkit.repository.samples import AUTHORITIES_FILE
from eauth_toolkit.repository.store import RepositoryStore
from eauth_toolkit.repository.submission import SubmissionRefused
from eauth_toolkit.repository.trustdocs import (
    AGREEMENT_SUBMISSION_TYP,
    TRUSTLIST_TYP,
    TrustReceipt,
    sign_document,
    submit_agreement,
    submit_trust_list,
)

__all__ = ["trustlist_submit", "agreement_submit", "agreement_withdraw"]

_DB = typer.Option(None, "--database-url", envvar="EAUTH_DATABASE_URL")
_AUTH = typer.Option(None, "--authorities", help="Registry of AMS authority keys.")
_KEY = typer.Option(..., "--key", help="Your AMS authority's signing key (JWK or PEM).")
_JSON = typer.Option(False, "--json", help="Print the receipt as JSON.")


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("file not found", where=str(path)) from None
    except (OSError, UnicodeError) as exc:
        raise InputError(f"cannot read file ({exc})", where=str(path)) from None


def _send(
    submit: Any,
    typ: str,
    document: dict[str, Any] | None,
    jws: str | None,
    key: Path | None,
    what: str,
    database_url: str | None,
    authorities: Path | None,
    as_json: bool,
) -> None:
    """Sign ``document`` with ``key`` (as the key's own AMS) or send ``jws`` as is; print the
    receipt, or the refusal and exit 1."""
    from eauth_toolkit.cli.repo import _refused
    from eauth_toolkit.cli.repo_review import _ams_of

    settings = settings_for(database_url=database_url)
    registry = AuthorityRegistry.load(authorities or settings.repository_dir / AUTHORITIES_FILE)
    store = RepositoryStore.open(settings.database_url, registry)
    try:
        if jws is None:
            assert document is not None and key is not None
            ams = document.get("ams") or _ams_of(key, registry)
            body = {"ams": ams, **{k: v for k, v in document.items() if k != "ams"}}
            sequence = store.next_sequence(ams) if isinstance(ams, str) and len(ams) == 2 else 1
            jws = sign_document(body, load_key(key), typ=typ, sequence=sequence)
        receipt: TrustReceipt = submit(store, jws, channel="cli", submitter=f"eauth repo ({what})")
    except SubmissionRefused as exc:
        _refused(exc)
        return
    finally:
        store.close()
    if as_json:
        print_json(receipt.to_dict())
        return
    r = receipt.submission
    console.print(
        f"accepted: {r.ams} {receipt.kind} {receipt.key} version {receipt.version} "
        f"({receipt.change}), audit #{r.id}, sequence {r.sequence}",
        markup=False,
    )


def _document_or_jws(path: Path) -> tuple[dict[str, Any] | None, str | None]:
    from eauth_toolkit.cli.repo import load_document

    raw = _read(path)
    if raw.lstrip().startswith("{") or path.suffix.lower() in (".yaml", ".yml", ".toml"):
        data = load_document(path)
        if not isinstance(data, dict):
            raise InputError("expected a JSON object", where=str(path))
        return data, None
    return None, raw.strip()


def trustlist_submit(
    file: Path = typer.Argument(
        ...,
        help="Your AMS's signed TS 119 612 trust list (XML), a pointer document (JSON), or a "
        "signed submission (JWS) to send as is.",
    ),
    key: Path | None = typer.Option(
        None, "--key", help="Your AMS authority's signing key (JWK or PEM); not for a JWS."
    ),
    signer: Path | None = typer.Option(
        None, "--signer", help="With an XML list: the scheme operator's certificate that signs it."
    ),
    location: str | None = typer.Option(
        None,
        "--location",
        help="With an XML list: its https URL (default: SANDBOX, beside the data).",
    ),
    database_url: str | None = _DB,
    authorities: Path | None = _AUTH,
    as_json: bool = _JSON,
) -> None:
    """Point the Repository List to your AMS's trust list of licensed CAs (signed submission)."""
    from eauth_toolkit.signatures.trustlist import load_certificates, load_trust_list

    raw = _read(file)
    document: dict[str, Any] | None
    jws: str | None
    if raw.lstrip().startswith("<"):
        if signer is None:
            raise InputError(
                "an XML trust list needs --signer (its scheme operator's certificate)",
                where="--signer",
            )
        try:
            pem = signer.read_bytes()
        except OSError as exc:
            raise InputError(f"cannot read ({exc.strerror})", where=str(signer)) from None
        tl = load_trust_list(file, pinned=load_certificates(pem, where=str(signer)))
        document = {
            "ams": tl.territory,
            "trust_list": {
                "location": location or f"trust-lists/{file.name}",
                "sha256": hashlib.sha256(file.read_bytes()).hexdigest(),
                "signer_certificate": pem.decode("ascii", "replace"),
                "sandbox": location is None,
            },
        }
        jws = None
    else:
        document, jws = _document_or_jws(file)
    if jws is None and key is None:
        raise InputError(
            "a document needs --key (your AMS authority's signing key)", where=str(file)
        )
    _send(
        submit_trust_list,
        TRUSTLIST_TYP,
        document,
        jws,
        key,
        file.name,
        database_url,
        authorities,
        as_json,
    )


def agreement_submit(
    file: Path = typer.Argument(
        ...,
        help="The agreement document signed by every party (eauth repo agreement-sign), or a "
        "signed submission (JWS) to send as is.",
    ),
    key: Path | None = typer.Option(
        None, "--key", help="Your AMS authority's signing key (a party's); not for a JWS."
    ),
    database_url: str | None = _DB,
    authorities: Path | None = _AUTH,
    as_json: bool = _JSON,
) -> None:
    """Submit a mutual-recognition agreement once every party has signed it (any party may)."""
    data, jws = _document_or_jws(file)
    document = None
    if data is not None:
        document = data if "agreement" in data or "withdrawal" in data else {"agreement": data}
        if key is None:
            raise InputError("a document needs --key (a party's authority key)", where=str(file))
    _send(
        submit_agreement,
        AGREEMENT_SUBMISSION_TYP,
        document,
        jws,
        key,
        file.name,
        database_url,
        authorities,
        as_json,
    )


def agreement_withdraw(
    agreement: str = typer.Argument(..., metavar="ID", help="The agreement's id."),
    reason: str = typer.Option(..., "--reason", help="Why (kept with the withdrawal)."),
    key: Path = _KEY,
    database_url: str | None = _DB,
    authorities: Path | None = _AUTH,
    as_json: bool = _JSON,
) -> None:
    """Withdraw an agreement your AMS is party to: the next list no longer carries it."""
    document = {"withdrawal": {"id": agreement, "reason": reason}}
    _send(
        submit_agreement,
        AGREEMENT_SUBMISSION_TYP,
        document,
        None,
        key,
        agreement,
        database_url,
        authorities,
        as_json,
    )
