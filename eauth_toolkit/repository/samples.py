"""Sample data: the ten AMS files in ``repository_list/`` signed with SANDBOX authority keys.

Beside the entries, the sample trust-list pointers (``trust-lists/index.yaml``: each AMS's SANDBOX
TS 119 612 list and its scheme operator's certificate) and the sample agreements
(``agreements/*.json``, already signed by every party's SANDBOX key) are ordinary submissions:
each is signed by the SANDBOX key of its AMS (an agreement by its first party's) and submitted
through the same checks as any authority's (:mod:`eauth_toolkit.repository.trustdocs`).

The sandbox keys (``repository_list/sandbox-authority-keys/``) and the sandbox publisher key
(``repository_list/sandbox-publisher-key/``) are committed test keys; they protect nothing and
must never be registered outside a sandbox.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import NameOID
from joserfc.jwk import ECKey, Key

from eauth_toolkit.errors import InputError
from eauth_toolkit.repository import strictjson
from eauth_toolkit.repository.keys import AuthorityRegistry, key_id, load_key
from eauth_toolkit.repository.models import AMS_CODES
from eauth_toolkit.repository.signing import sign_submission
from eauth_toolkit.repository.submission import SubmissionRefused

if TYPE_CHECKING:  # readers of the list (sig verify) do not load the store and SQLAlchemy
    from eauth_toolkit.repository.store import RepositoryStore, SubmissionReceipt

__all__ = [
    "AUTHORITY_KEYS_DIR",
    "PUBLISHER_KEY_DIR",
    "AUTHORITIES_FILE",
    "SampleLoad",
    "sample_files",
    "authority_key_path",
    "publisher_key_path",
    "publisher_certificate_path",
    "load_samples",
    "sample_trust_lists",
    "load_trust_samples",
    "SERVICE_LIST_FILE",
    "publish_first_list",
    "generate_sandbox_keys",
]

AUTHORITY_KEYS_DIR = "sandbox-authority-keys"
PUBLISHER_KEY_DIR = "sandbox-publisher-key"
AUTHORITIES_FILE = "authorities.json"

#: the service's latest published list, in its data folder
SERVICE_LIST_FILE = "repository-list.json"

#: authority names used for the sandbox registry when a sample file is not there yet
_DEFAULT_AUTHORITY = "Sandbox authority of {ams}"


@dataclass(frozen=True)
class SampleLoad:
    ams: str
    path: Path
    receipt: SubmissionReceipt | None
    skipped: str | None = None


def sample_files(repository_dir: Path) -> dict[str, Path]:
    """``<AMS>.json`` files present in the folder, by AMS code."""
    out = {}
    for ams in AMS_CODES:
        p = Path(repository_dir) / f"{ams}.json"
        if p.exists():
            out[ams] = p
    return out


def authority_key_path(repository_dir: Path, ams: str) -> Path:
    return Path(repository_dir) / AUTHORITY_KEYS_DIR / f"{ams}.private.jwk.json"


def publisher_key_path(repository_dir: Path) -> Path:
    return Path(repository_dir) / PUBLISHER_KEY_DIR / "publisher.private.jwk.json"


def publisher_certificate_path(repository_dir: Path) -> Path:
    return Path(repository_dir) / PUBLISHER_KEY_DIR / "publisher.cert.pem"


def load_samples(
    store: RepositoryStore,
    repository_dir: Path,
    *,
    only_missing: bool = True,
    now: dt.datetime | None = None,
) -> list[SampleLoad]:
    """Sign each sample file with its sandbox authority key and submit it to ``store``.

    With ``only_missing`` an AMS that already has entries in the store is left alone.
    """
    results = []
    for ams, path in sample_files(repository_dir).items():
        if only_missing and store.count_entries(ams) > 0:
            results.append(SampleLoad(ams, path, None, "already loaded"))
            continue
        document: Any = strictjson.load_file(path)
        if not isinstance(document, dict):
            raise InputError("expected a submission document (a JSON object)", where=str(path))
        key = load_key(authority_key_path(repository_dir, ams))
        jws = sign_submission(document, key, sequence=store.next_sequence(ams), now=now)
        try:
            receipt = store.submit(
                jws,
                channel="samples",
                submitter=f"sample loader ({path.name})",
                now=now,
                only_if_new_ams=only_missing,
            )
        except SubmissionRefused as exc:
            if only_missing and exc.code in ("replayed", "out_of_order", "already_loaded"):
                # another process (a second service worker) loaded this AMS at the same time
                results.append(SampleLoad(ams, path, None, "loaded concurrently"))
                continue
            raise
        results.append(SampleLoad(ams, path, receipt))
    return results + load_trust_samples(store, repository_dir, only_missing=only_missing, now=now)


def sample_trust_lists(repository_dir: Path) -> dict[str, dict[str, Any]]:
    """AMS -> the trust-list pointer its sample submission carries (``trust-lists/index.yaml``)."""
    import yaml

    folder = Path(repository_dir) / "trust-lists"
    index_path = folder / "index.yaml"
    if not index_path.exists():
        return {}
    try:
        index = yaml.safe_load(index_path.read_text(encoding="utf-8")) or {}
        return {
            ams: {
                "location": f"trust-lists/{item['file']}",
                "sha256": hashlib.sha256((folder / item["file"]).read_bytes()).hexdigest(),
                "signer_certificate": (folder / item["signer"]).read_text(encoding="ascii"),
                "sandbox": bool(index.get("sandbox")),
            }
            for ams, item in sorted((index.get("lists") or {}).items())
        }
    except (OSError, KeyError, TypeError, AttributeError, UnicodeError, yaml.YAMLError) as exc:
        raise InputError(
            f"cannot read the sample trust lists: {exc}", where=str(index_path)
        ) from None


def _submit_sample(
    submit: Any,
    store: RepositoryStore,
    jws: str,
    path: Path,
    ams: str,
    only_missing: bool,
    now: dt.datetime | None,
) -> SampleLoad:
    try:
        receipt = submit(
            store,
            jws,
            channel="samples",
            submitter=f"sample loader ({path.name})",
            now=now,
            only_if_new=only_missing,
        )
    except SubmissionRefused as exc:
        if only_missing and exc.code in ("replayed", "out_of_order", "already_loaded"):
            return SampleLoad(ams, path, None, "already loaded")
        raise
    return SampleLoad(ams, path, receipt.submission)


def load_trust_samples(
    store: RepositoryStore,
    repository_dir: Path,
    *,
    only_missing: bool = True,
    now: dt.datetime | None = None,
) -> list[SampleLoad]:
    """Submit the sample trust-list pointers and agreements, each signed with the SANDBOX key of
    its AMS (an agreement by the first party with a SANDBOX key). With ``only_missing`` what the
    store holds already is left alone."""
    from eauth_toolkit.recognition.signed import load_agreement_file, read_agreement
    from eauth_toolkit.repository.trustdocs import (
        AGREEMENT_SUBMISSION_TYP,
        TRUSTLIST_TYP,
        sign_document,
        submit_agreement,
        submit_trust_list,
    )

    base = Path(repository_dir)
    results = []
    for ams, pointer in sample_trust_lists(base).items():
        key_path = authority_key_path(base, ams)
        if not key_path.exists():
            continue
        doc = {"ams": ams, "trust_list": pointer}
        jws = sign_document(
            doc, load_key(key_path), typ=TRUSTLIST_TYP, sequence=store.next_sequence(ams), now=now
        )
        index = base / "trust-lists" / "index.yaml"
        results.append(_submit_sample(submit_trust_list, store, jws, index, ams, only_missing, now))
    folder = base / "agreements"
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        document = load_agreement_file(path)
        parties = read_agreement(document, where=str(path)).parties
        party = next((p for p in parties if authority_key_path(base, p).exists()), None)
        if party is None:
            continue
        jws = sign_document(
            {"ams": party, "agreement": document},
            load_key(authority_key_path(base, party)),
            typ=AGREEMENT_SUBMISSION_TYP,
            sequence=store.next_sequence(party),
            now=now,
        )
        results.append(_submit_sample(submit_agreement, store, jws, path, party, only_missing, now))
    return results


def publish_first_list(store: RepositoryStore, repository_dir: Path, out: Path) -> int | None:
    """When the store has entries and nothing was published yet, publish the first list to
    ``out`` with the SANDBOX publisher key; its number, or None when nothing was published."""
    from eauth_toolkit.repository.publication import publish
    from eauth_toolkit.repository.trust import trust_picture

    key_path = publisher_key_path(repository_dir)
    if not (store.count_entries() and store.last_publication_number() == 0 and key_path.exists()):
        return None
    trust = trust_picture(store, Path(repository_dir))
    return publish(store, load_key(key_path), out, trust=trust).sequence_number


def _self_signed(key: Key, common_name: str, now: dt.datetime) -> bytes:
    private = key.private_key
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "SG"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "eauth-toolkit SANDBOX"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(private.public_key())  # type: ignore[union-attr]
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(private, hashes.SHA256())  # type: ignore[arg-type]
    )
    return cert.public_bytes(serialization.Encoding.PEM)


def generate_sandbox_keys(repository_dir: Path, *, overwrite: bool = False) -> AuthorityRegistry:
    """Create the sandbox authority keys, ``authorities.json`` and the sandbox publisher key."""
    repository_dir = Path(repository_dir)
    keys_dir = repository_dir / AUTHORITY_KEYS_DIR
    keys_dir.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC)
    registry: dict[str, Any] = {
        "label": "sandbox",
        "note": "SANDBOX ONLY: these authority keys are published test keys, not real AMS keys.",
        "authorities": {},
    }
    for ams in AMS_CODES:
        path = keys_dir / f"{ams}.private.jwk.json"
        if path.exists() and not overwrite:
            key = load_key(path)
        else:
            key = ECKey.generate_key("P-256", private=True)
            kid = f"sandbox-{ams.lower()}-{key.thumbprint()[:12]}"
            key = ECKey.import_key(key.as_dict(private=True) | {"kid": kid, "use": "sig"})
            path.write_text(json.dumps(key.as_dict(private=True), indent=2) + "\n")
        doc_path = repository_dir / f"{ams}.json"
        name = _DEFAULT_AUTHORITY.format(ams=ams)
        if doc_path.exists():
            try:
                name = str(json.loads(doc_path.read_text(encoding="utf-8"))["authority"])
            except (ValueError, KeyError, TypeError):
                pass
        registry["authorities"][ams] = {
            "name": name,
            "label": "sandbox",
            "jwk": key.as_dict(private=False),
        }
    (repository_dir / AUTHORITIES_FILE).write_text(
        json.dumps(registry, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    pub_dir = repository_dir / PUBLISHER_KEY_DIR
    pub_dir.mkdir(parents=True, exist_ok=True)
    pub_path = publisher_key_path(repository_dir)
    if pub_path.exists() and not overwrite:
        publisher = load_key(pub_path)
    else:
        publisher = ECKey.generate_key("P-256", private=True)
        kid = f"sandbox-publisher-{publisher.thumbprint()[:12]}"
        publisher = ECKey.import_key(publisher.as_dict(private=True) | {"kid": kid, "use": "sig"})
        pub_path.write_text(json.dumps(publisher.as_dict(private=True), indent=2) + "\n")
        publisher_certificate_path(repository_dir).write_bytes(
            _self_signed(publisher, "SANDBOX Collaborative Repository List publisher", now)
        )
    (pub_dir / "publisher.public.jwk.json").write_text(
        json.dumps(publisher.as_dict(private=False), indent=2) + "\n"
    )
    _ = key_id(publisher)
    return AuthorityRegistry.load(repository_dir / AUTHORITIES_FILE)
