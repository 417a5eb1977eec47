"""Publishing the Collaborative Repository List: build, sign, write atomically; verify; diff.

The list follows the pattern of ETSI TS 119 612 trusted lists: scheme information, a sequence
number that grows with each publication, the issue time and the next update, every entry (withdrawn
ones too) with its dated status history, and one signature over the whole list. The file is a
flattened JWS JSON serialization in one canonical byte form: any change to its bytes fails
verification.

A publication is atomic: the file is written to a temporary file in the same folder, flushed and
fsynced, then moved over the previous version with ``os.replace``; the database row is committed
only after the move. A crash at any point leaves the previous file intact and valid.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from joserfc.jwk import Key

from eauth_toolkit.errors import InputError, RepositoryError
from eauth_toolkit.repository.disclosure import redact
from eauth_toolkit.repository.jose import JwsProblem, parse_list, sign_list, verify_list_bytes
from eauth_toolkit.repository.keys import key_id
from eauth_toolkit.repository.store import RepositoryStore, utcnow

__all__ = [
    "LIST_FORMAT",
    "SCHEME_DEFAULTS",
    "PublicationResult",
    "VerifiedList",
    "ListVerificationError",
    "redact",
    "build_list",
    "publish",
    "atomic_write",
    "verify_list",
    "verify_list_file",
    "read_list_payload",
    "diff_lists",
]

LIST_FORMAT = "eauth-repository-list/1"

SCHEME_DEFAULTS: dict[str, Any] = {
    "scheme_name": "ASEAN Collaborative Repository List of e-authentication technologies",
    "scheme_operator": "Operator of the Collaborative Repository List (sandbox deployment)",
    "scheme_territory": "ASEAN (BN KH ID LA MY MM PH SG TH VN)",
    "scheme_type": "Work Plan B.2.1 activity 1: e-authentication technologies approved or commonly "
    "used in ASEAN Member States",
    "policy": "Each AMS authority submits and signs its own entries; the list is published "
    "periodically and subject to each AMS's laws on technology neutrality affecting disclosure. "
    "Levels are ISO/IEC 29115 levels: the claimed level as stated by the AMS and the level "
    "assessed from the technology profile by the LoA Guidance rules.",
}


class ListVerificationError(RepositoryError):
    """A signed list that does not verify; ``code`` says why."""


@dataclass(frozen=True)
class PublicationResult:
    path: Path
    sequence_number: int
    issued_at: dt.datetime
    next_update: dt.datetime
    entry_count: int
    sha256: str
    size: int


@dataclass(frozen=True)
class VerifiedList:
    """A signed list whose signature and bytes verified."""

    payload: dict[str, Any]
    key_id: str | None
    algorithm: str

    @property
    def sequence_number(self) -> int:
        return int(self.payload["sequence_number"])

    @property
    def entries(self) -> list[dict[str, Any]]:
        return list(self.payload["entries"])


def _iso(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def build_list(
    store: RepositoryStore,
    *,
    sequence_number: int,
    issued_at: dt.datetime,
    next_update: dt.datetime,
    publisher_kid: str | None,
    sandbox: bool,
    operator: str | None = None,
) -> tuple[bytes, int]:
    """The list payload as UTF-8 JSON bytes, and the number of entries.

    Each entry's published JSON is kept by the store when the entry is written, so the list is
    assembled without decoding and re-encoding every entry.
    """
    scheme = dict(SCHEME_DEFAULTS, publisher_key_id=publisher_kid, sandbox=sandbox)
    if operator:
        scheme["scheme_operator"] = operator
    head = {
        "list_format": LIST_FORMAT,
        "scheme_information": scheme,
        "sequence_number": sequence_number,
        "issued_at": _iso(issued_at),
        "next_update": _iso(next_update),
        "entries": [],
    }
    texts = store.published_texts()
    prefix = json.dumps(head, ensure_ascii=False, separators=(",", ":"))
    assert prefix.endswith('"entries":[]}')
    body = prefix[: -len("]}")] + ",".join(texts) + "]}"
    return body.encode("utf-8"), len(texts)


def atomic_write(
    path: Path, data: bytes, *, before_replace: Callable[[Path], None] | None = None
) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never a mix."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if before_replace is not None:
            before_replace(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    dir_fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def publish(
    store: RepositoryStore,
    key: Key,
    out: Path,
    *,
    now: dt.datetime | None = None,
    validity: dt.timedelta = dt.timedelta(days=30),
    sandbox: bool = True,
    operator: str | None = None,
    before_replace: Callable[[Path], None] | None = None,
) -> PublicationResult:
    """Publish the next version of the list to ``out`` and record it in the store."""
    if not key.is_private:
        raise InputError("publishing needs the publisher's private key", where="--key")
    now = now or utcnow()
    number = store.last_publication_number() + 1
    body, count = build_list(
        store,
        sequence_number=number,
        issued_at=now,
        next_update=now + validity,
        publisher_kid=key_id(key),
        sandbox=sandbox,
        operator=operator,
    )
    content = sign_list(body, key)
    with store.recording_publication(
        sequence_number=number,
        issued_at=now,
        next_update=now + validity,
        entry_count=count,
        key_id=key_id(key),
        content=content,
    ):
        atomic_write(Path(out), content, before_replace=before_replace)
    return PublicationResult(
        path=Path(out),
        sequence_number=number,
        issued_at=now,
        next_update=now + validity,
        entry_count=count,
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
    )


def _loads_large(body: bytes) -> Any:
    """Parse a large JSON document; the cyclic garbage collector is paused meanwhile, since a
    parse creates only new, acyclic objects and collections during it are pure overhead."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return orjson.loads(body)
    finally:
        if enabled:
            gc.enable()


def verify_list(
    raw: bytes, key: Key, *, key_valid: tuple[dt.datetime, dt.datetime] | None = None
) -> VerifiedList:
    """Verify a signed list offline with the publisher's public key (JWK or certificate).

    ``key_valid`` is the validity period of the publisher's certificate: the list must have been
    issued within it.
    """
    try:
        header, body = verify_list_bytes(raw, key)
    except JwsProblem as exc:
        raise ListVerificationError(exc.message, code=exc.code) from None
    if header.get("typ") not in (None, "eauth-repo-list+jws"):
        raise ListVerificationError(f"unexpected JWS typ {header.get('typ')!r}", code="bad_jws")
    try:
        payload = _loads_large(body)
    except orjson.JSONDecodeError:
        raise ListVerificationError("the signed payload is not JSON", code="bad_payload") from None
    if not isinstance(payload, dict) or payload.get("list_format") != LIST_FORMAT:
        raise ListVerificationError(
            f"the signed payload is not a {LIST_FORMAT} document", code="bad_payload"
        )
    for name in ("sequence_number", "issued_at", "next_update", "entries", "scheme_information"):
        if name not in payload:
            raise ListVerificationError(f"the list has no {name!r}", code="bad_payload")
    if key_valid is not None:
        try:
            issued = dt.datetime.fromisoformat(str(payload["issued_at"]).replace("Z", "+00:00"))
        except ValueError:
            raise ListVerificationError(
                "issued_at is not a date-time", code="bad_payload"
            ) from None
        if issued.tzinfo is None:
            issued = issued.replace(tzinfo=dt.UTC)
        not_before, not_after = key_valid
        if not not_before <= issued <= not_after:
            raise ListVerificationError(
                f"the list was issued at {payload['issued_at']}, outside the publisher "
                f"certificate's validity ({not_before:%Y-%m-%d} to {not_after:%Y-%m-%d})",
                code="certificate_not_valid",
            )
    return VerifiedList(payload=payload, key_id=header.get("kid"), algorithm=str(header["alg"]))


def verify_list_file(
    path: str | Path, key: Key, *, key_valid: tuple[dt.datetime, dt.datetime] | None = None
) -> VerifiedList:
    p = Path(path)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise InputError("file not found", where=str(p)) from None
    except OSError as exc:
        raise InputError(f"cannot read file ({exc})", where=str(p)) from None
    return verify_list(raw, key, key_valid=key_valid)


def read_list_payload(path: str | Path) -> dict[str, Any]:
    """The payload of a signed list file, without verifying it (for diffs and display)."""
    p = Path(path)
    try:
        raw = p.read_bytes()
        data = parse_list(raw)
    except FileNotFoundError:
        raise InputError("file not found", where=str(p)) from None
    except OSError as exc:
        raise InputError(f"cannot read file ({exc})", where=str(p)) from None
    except JwsProblem as exc:
        raise InputError(exc.message, where=str(p)) from None
    from joserfc.util import urlsafe_b64decode

    try:
        payload = _loads_large(urlsafe_b64decode(data["payload"].encode("ascii")))
    except (ValueError, UnicodeError, orjson.JSONDecodeError):
        raise InputError("the list payload is not JSON", where=str(p)) from None
    if not isinstance(payload, dict) or not isinstance(payload.get("entries"), list):
        raise InputError("not a Collaborative Repository List", where=str(p))
    return payload


_VOLATILE = {"updated_at", "version"}


def diff_lists(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """What changed between two published lists: entries added, removed, changed (with the
    top-level fields that changed) and status changes."""
    before = {e["id"]: e for e in old.get("entries", []) if isinstance(e, dict) and "id" in e}
    after = {e["id"]: e for e in new.get("entries", []) if isinstance(e, dict) and "id" in e}
    changed: dict[str, Any] = {}
    status: dict[str, Any] = {}
    for eid in sorted(set(before) & set(after)):
        a, b = before[eid], after[eid]
        fields = sorted(k for k in set(a) | set(b) if k not in _VOLATILE and a.get(k) != b.get(k))
        if fields:
            changed[eid] = [f"/{k}" for k in fields]
        if a.get("status") != b.get("status"):
            status[eid] = {"from": a.get("status"), "to": b.get("status")}
    return {
        "from_sequence": old.get("sequence_number"),
        "to_sequence": new.get("sequence_number"),
        "added": sorted(set(after) - set(before)),
        "removed": sorted(set(before) - set(after)),
        "changed": changed,
        "status_changes": status,
    }
