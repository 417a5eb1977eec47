"""Publishing the Collaborative Repository List: build, sign, record, write; verify; diff.

The list follows the pattern of ETSI TS 119 612 trusted lists: scheme information, a sequence
number that grows with each publication, the issue time and the next update, every entry (withdrawn
ones too) with its dated status history, and one signature over the whole list. The file is a
flattened JWS JSON serialization in one canonical byte form: any change to its bytes fails
verification.

A publication is one transaction in the store: the next number is reserved, the entries read, the
list signed and recorded together (:meth:`RepositoryStore.record_publication`). Only after the
commit is the file written: to a temporary file in the same folder (flushed, fsynced, mode 0644
unless told otherwise), then moved into place with ``os.replace``. So a file never holds a list the
store does not know, and two different lists never carry the same number. A crash after the
commit leaves the previous file in place; :func:`recover_list_file` (run before each publication
and at service start) brings the file up to the last recorded list, removes temporary files left
by a killed writer, and deals with a list file the store does not know: adopted when it is exactly
the list that would have been recorded (signed by the publisher, the next number, the current
entries), otherwise moved aside and reported.

Readers (the CLI, gateways, the signature validator) load a published list through
:func:`load_verified_list`, which adds rollback and freeze protection to the signature check.
"""

from __future__ import annotations

import base64
import datetime as dt
import errno
import fcntl
import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from joserfc.jwk import Key

from eauth_toolkit.errors import InputError, RepositoryError
from eauth_toolkit.repository import strictjson
from eauth_toolkit.repository.disclosure import redact
from eauth_toolkit.repository.jose import (
    JwsProblem,
    parse_list,
    sign_list,
    verify_list_bytes,
)
from eauth_toolkit.repository.keys import key_id
from eauth_toolkit.repository.models import MAX_SEQUENCE

if TYPE_CHECKING:  # readers verify lists without loading the store (SQLAlchemy)
    from eauth_toolkit.repository.store import RepositoryStore, SignedList

__all__ = [
    "LIST_FORMAT",
    "SCHEME_DEFAULTS",
    "PublicationResult",
    "VerifiedList",
    "ListVerificationError",
    "PublicationWriteError",
    "RecoveryReport",
    "redact",
    "build_list",
    "publish",
    "export_list",
    "recover_list_file",
    "atomic_write",
    "verify_list",
    "load_verified_list",
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
    """A signed list that does not verify, or that a reader must not accept (older than what it
    has seen, past its next update); ``code`` says why."""


class PublicationWriteError(RepositoryError):
    """The list file could not be written (disk full, read-only folder, no permission)."""

    code = "write_failed"

    @property
    def http_status(self) -> int:
        return 507 if self.code == "disk_full" else 503


def _write_error(exc: OSError, path: Path, what: str) -> PublicationWriteError:
    full = exc.errno in (errno.ENOSPC, errno.EDQUOT)
    reason = exc.strerror or str(exc)
    return PublicationWriteError(
        f"{what}: {reason}", where=str(path), code="disk_full" if full else "write_failed"
    )


@dataclass(frozen=True)
class PublicationResult:
    path: Path
    sequence_number: int
    issued_at: dt.datetime
    next_update: dt.datetime
    entry_count: int
    sha256: str
    size: int
    #: what recovery found and did before publishing (see :func:`recover_list_file`)
    recovered: tuple[str, ...] = ()


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


def list_head(
    *,
    sequence_number: int,
    issued_at: dt.datetime,
    next_update: dt.datetime,
    publisher_kid: str | None,
    sandbox: bool,
    operator: str | None = None,
    trust: dict[str, Any] | None = None,
) -> str:
    """The list payload's JSON text up to and including ``"entries":[``; ``trust`` is the trust
    picture (:mod:`eauth_toolkit.repository.trust`), placed before the entries."""
    scheme = dict(SCHEME_DEFAULTS, publisher_key_id=publisher_kid, sandbox=sandbox)
    if operator:
        scheme["scheme_operator"] = operator
    head = {
        "list_format": LIST_FORMAT,
        "scheme_information": scheme,
        "sequence_number": sequence_number,
        "issued_at": _iso(issued_at),
        "next_update": _iso(next_update),
        **({"trust": trust} if trust is not None else {}),
        "entries": [],
    }
    prefix = json.dumps(head, ensure_ascii=False, separators=(",", ":"))
    assert prefix.endswith('"entries":[]}')
    return prefix[: -len("]}")]


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
    head = list_head(
        sequence_number=sequence_number,
        issued_at=issued_at,
        next_update=next_update,
        publisher_kid=publisher_kid,
        sandbox=sandbox,
        operator=operator,
    )
    texts = store.published_texts()
    return (head + ",".join(texts) + "]}").encode("utf-8"), len(texts)


def _signed_list(
    head: str,
    texts: list[str],
    key: Key,
    number: int,
    issued: dt.datetime,
    next_update: dt.datetime,
) -> SignedList:
    from eauth_toolkit.repository.store import SignedList

    payload = (head + ",".join(texts) + "]}").encode("utf-8")
    content = sign_list(payload, key)
    parts = parse_list(content)
    return SignedList(
        sequence_number=number,
        issued_at=issued,
        next_update=next_update,
        key_id=key_id(key),
        head=head,
        protected=parts["protected"],
        signature=parts["signature"],
        content=content,
    )


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Serialise writers of one list file (a lock file beside it)."""
    folder = path.parent if str(path.parent) else Path(".")
    lock = folder / f".{path.name}.lock"
    try:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise _write_error(exc, path, "cannot write the list file") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def atomic_write(
    path: Path,
    data: bytes,
    *,
    mode: int = 0o644,
    on_step: Callable[[str], None] | None = None,
) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never a mix.

    The file gets ``mode`` (0644: a published list is public). ``OSError`` propagates.
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    tmp = Path(tmp_name)
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fchmod(fd, mode)
            os.fsync(fd)
        finally:
            os.close(fd)
        if on_step is not None:
            on_step("after_write")
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if on_step is not None:
        on_step("after_rename")
    dir_fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def _check_out(out: Path) -> None:
    """Refuse an output path that cannot take the list, before any number is used."""
    if out.is_dir():
        raise InputError("is a folder; give the path of the list file to write", where=str(out))
    folder = out.parent if str(out.parent) else Path(".")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        # not named like a temporary list file: recovery elsewhere must not take it for one
        fd, probe = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".probe", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        err = _write_error(exc, out, "cannot write the list file here")
        if err.code == "disk_full":
            raise err from None
        raise InputError(err.message, where=str(out)) from None


@dataclass
class RecoveryReport:
    """What :func:`recover_list_file` found and did."""

    removed_temporary: list[Path] = field(default_factory=list)
    adopted: int | None = None
    moved_aside: Path | None = None
    rewritten: int | None = None

    def messages(self) -> list[str]:
        out = [
            f"removed a temporary file left by an interrupted write: {p}"
            for p in self.removed_temporary
        ]
        if self.adopted is not None:
            out.append(f"recorded list #{self.adopted}, found on disk but not in the store")
        if self.moved_aside is not None:
            out.append(f"moved a list file the store does not know aside to {self.moved_aside}")
        if self.rewritten is not None:
            out.append(f"wrote the last recorded list #{self.rewritten} to the list file")
        return out


def _adoptable(store: RepositoryStore, raw: bytes, key: Key) -> tuple[SignedList, list[str]] | None:
    """The signed list in ``raw`` when it is exactly what the next publication would record:
    signed by ``key``, the next number, the current entries."""
    from eauth_toolkit.repository.store import SignedList

    try:
        verified = verify_list(raw, key)
    except ListVerificationError:
        return None
    if verified.sequence_number != store.last_publication_number() + 1:
        return None
    texts = store.published_texts()
    parts = parse_list(raw)
    payload = base64.urlsafe_b64decode(parts["payload"] + "=" * (-len(parts["payload"]) % 4))
    tail = (",".join(texts) + "]}").encode("utf-8")
    if not payload.endswith(tail):
        return None
    head = payload[: -len(tail)].decode("utf-8")
    if not head.endswith('"entries":[') or len(verified.entries) != len(texts):
        return None
    signed = SignedList(
        sequence_number=verified.sequence_number,
        issued_at=_parse_time(verified.payload["issued_at"]),
        next_update=_parse_time(verified.payload["next_update"]),
        key_id=verified.key_id or key_id(key),
        head=head,
        protected=parts["protected"],
        signature=parts["signature"],
        content=raw,
    )
    return signed, texts


def recover_list_file(
    store: RepositoryStore,
    out: Path,
    key: Key | None = None,
    *,
    mode: int = 0o644,
    complete: bool = True,
) -> RecoveryReport:
    """Bring the list file ``out`` in line with the store after a crash (see the module text).

    ``key`` is the publisher's key (its public part is used): a list file the store does not
    know is adopted only when it verifies with it. With ``complete`` the last recorded list is
    written to ``out`` when the file does not hold it (a publisher about to write a newer list
    passes False).
    """
    out = Path(out)
    report = RecoveryReport()
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        return report
    with _locked(out):
        for leftover in folder.glob(f".{out.name}.*.tmp"):
            try:
                leftover.unlink()
                report.removed_temporary.append(leftover)
            except OSError:
                pass
        if out.is_file():
            try:
                digest = _sha256_file(out)
            except OSError as exc:
                raise _write_error(exc, out, "cannot read the list file") from None
            if digest not in store.publication_digests():
                raw = out.read_bytes()
                found = _adoptable(store, raw, key) if key is not None else None
                if found is not None and store.adopt_publication(*found):
                    report.adopted = found[0].sequence_number
                else:
                    aside = out.with_name(f"{out.name}.unrecorded-{digest[:12]}")
                    try:
                        os.replace(out, aside)
                    except OSError as exc:
                        raise _write_error(exc, out, "cannot move the list file aside") from None
                    report.moved_aside = aside
        if complete:
            report.rewritten = _export_locked(store, out, mode=mode)
    return report


def _export_locked(
    store: RepositoryStore,
    out: Path,
    *,
    mode: int,
    on_step: Callable[[str], None] | None = None,
    content: bytes | None = None,
) -> int | None:
    """Write the last recorded list to ``out`` unless it holds it already; its number, or None
    when nothing needed writing. ``content`` is that list's file when the caller has it."""
    latest = store.latest_publication()
    if latest is None:
        return None
    number, digest = latest
    try:
        if out.is_file() and _sha256_file(out) == digest:
            return None
        if content is None or hashlib.sha256(content).hexdigest() != digest:
            content = store.publication_content(number)
            assert content is not None
        atomic_write(out, content, mode=mode, on_step=on_step)
    except OSError as exc:
        raise _write_error(exc, out, "cannot write the list file") from None
    return number


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def export_list(store: RepositoryStore, out: Path, *, mode: int = 0o644) -> int | None:
    """Write the last recorded list to ``out`` (after a failed write, for instance)."""
    out = Path(out)
    _check_out(out)
    with _locked(out):
        return _export_locked(store, out, mode=mode)


def publish(
    store: RepositoryStore,
    key: Key,
    out: Path,
    *,
    now: dt.datetime | None = None,
    validity: dt.timedelta = dt.timedelta(days=30),
    sandbox: bool = True,
    operator: str | None = None,
    mode: int = 0o644,
    on_step: Callable[[str], None] | None = None,
    trust: dict[str, Any] | None = None,
) -> PublicationResult:
    """Publish the next version of the list: record it in the store, then write it to ``out``.

    ``on_step(name)`` is called at each step (``before_sign``, ``after_sign``, ``before_commit``,
    ``after_commit``, ``after_write``, ``after_rename``): the fault-injection tests stop the
    process there.
    """
    if not key.is_private:
        raise InputError("publishing needs the publisher's private key", where="--key")
    out = Path(out)
    _check_out(out)
    recovery = recover_list_file(store, out, key, mode=mode, complete=False)
    now = now or dt.datetime.now(dt.UTC)
    next_update = now + validity
    kid = key_id(key)

    def sign(number: int, texts: list[str]) -> SignedList:
        head = list_head(
            sequence_number=number,
            issued_at=now,
            next_update=next_update,
            publisher_kid=kid,
            sandbox=sandbox,
            operator=operator,
            trust=trust,
        )
        return _signed_list(head, texts, key, number, now, next_update)

    record = store.record_publication(sign, on_step=on_step)
    with _locked(out):
        try:
            _export_locked(store, out, mode=mode, on_step=on_step, content=record.content)
        except PublicationWriteError as exc:
            raise PublicationWriteError(
                f"list #{record.sequence_number} is recorded but was not written "
                f"({exc.message}); `eauth repo export --out {out}` writes it once this is fixed",
                where=str(out),
                code=exc.code,
            ) from None
    return PublicationResult(
        path=out,
        sequence_number=record.sequence_number,
        issued_at=now,
        next_update=next_update,
        entry_count=record.entry_count,
        sha256=hashlib.sha256(record.content).hexdigest(),
        size=len(record.content),
        recovered=tuple(recovery.messages()),
    )


def _parse_time(value: object) -> dt.datetime:
    parsed = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=dt.UTC)


def _read_payload(body: bytes) -> Any:
    try:
        return strictjson.loads(body, max_depth=strictjson.MAX_DEPTH)
    except strictjson.StrictJsonError as exc:
        raise ListVerificationError(
            f"the signed payload is refused at {exc.where}: {exc.message}", code="bad_payload"
        ) from None


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
    payload = _read_payload(body)
    if not isinstance(payload, dict) or payload.get("list_format") != LIST_FORMAT:
        raise ListVerificationError(
            f"the signed payload is not a {LIST_FORMAT} document", code="bad_payload"
        )
    for name in ("sequence_number", "issued_at", "next_update", "entries", "scheme_information"):
        if name not in payload:
            raise ListVerificationError(f"the list has no {name!r}", code="bad_payload")
    number = payload["sequence_number"]
    if isinstance(number, bool) or not isinstance(number, int) or not 1 <= number <= MAX_SEQUENCE:
        raise ListVerificationError(
            f"sequence_number {number!r} is not a list number (1 to {MAX_SEQUENCE})",
            code="bad_payload",
        )
    for name in ("issued_at", "next_update"):
        try:
            _parse_time(payload[name])
        except ValueError:
            raise ListVerificationError(f"{name} is not a date-time", code="bad_payload") from None
    if not isinstance(payload["entries"], list):
        raise ListVerificationError("entries is not a list", code="bad_payload")
    if key_valid is not None:
        issued = _parse_time(payload["issued_at"])
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
    """The payload of a signed list file, without verifying it (for display only: anything that
    acts on a list reads it through :func:`load_verified_list`)."""
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
    try:
        encoded = data["payload"]
        payload = strictjson.loads(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
    except strictjson.StrictJsonError as exc:
        raise InputError(
            f"the list payload is refused: {exc.message}", where=f"{p}#{exc.where}"
        ) from None
    except ValueError:
        raise InputError("the list payload is not base64url", where=str(p)) from None
    if not isinstance(payload, dict) or not isinstance(payload.get("entries"), list):
        raise InputError("not a Collaborative Repository List", where=str(p))
    return payload


#: tolerated clock difference between the publisher and a reader
CLOCK_SKEW = dt.timedelta(minutes=5)


def _state(path: Path) -> dict[str, Any]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {"format": "eauth-list-state/1", "publishers": {}}
    except OSError as exc:
        raise InputError(f"cannot read the state file ({exc.strerror})", where=str(path)) from None
    try:
        state = strictjson.loads(raw)
    except strictjson.StrictJsonError as exc:
        raise InputError(
            f"the state file is damaged: {exc.message}", where=f"{path}#{exc.where}"
        ) from None
    if not (isinstance(state, dict) and isinstance(state.get("publishers"), dict)):
        raise InputError("not a list state file (no 'publishers' object)", where=str(path))
    return state


def load_verified_list(
    source: bytes | str | Path,
    key: Key,
    *,
    key_valid: tuple[dt.datetime, dt.datetime] | None = None,
    not_older_than: int | None = None,
    state_file: str | Path | None = None,
    allow_stale: bool = False,
    now: dt.datetime | None = None,
) -> VerifiedList:
    """Load a published list the way every reader must: the one check for the CLI, gateways
    and the signature validator.

    ``source`` is the file's bytes or its path; ``key`` the publisher's public key (JWK or
    certificate), ``key_valid`` the certificate's validity period. The list is refused
    (:class:`ListVerificationError`, ``code`` in brackets) when:

    * its signature, canonical form or payload do not verify (``bad_signature``, ``bad_jws``,
      ``bad_typ``, ``bad_payload``, ...; see :func:`verify_list`);
    * its number is lower than ``not_older_than`` (``rollback``): a reader that knows it has seen
      list N passes N and can never be handed an older list again;
    * ``state_file`` records a higher number for this publisher (``rollback``), or the same
      number with other content (``conflicting_list``): two different lists signed with one
      number. The state file (JSON, one record per publisher key thumbprint: last number, its
      SHA-256, when seen) is created when missing and updated when the list is newer; it is
      written only when every check passed;
    * ``next_update`` has passed (``stale_list``): a frozen list, unless ``allow_stale``;
    * it was issued in the future (``not_yet_valid``).
    """
    now = now or dt.datetime.now(dt.UTC)
    if isinstance(source, bytes):
        raw = source
    else:
        try:
            raw = Path(source).read_bytes()
        except FileNotFoundError:
            raise InputError("file not found", where=str(source)) from None
        except OSError as exc:
            raise InputError(
                f"cannot read file ({exc.strerror or exc})", where=str(source)
            ) from None
    verified = verify_list(raw, key, key_valid=key_valid)
    number = verified.sequence_number
    if not_older_than is not None and number < not_older_than:
        raise ListVerificationError(
            f"list #{number} is older than list #{not_older_than}, which was seen already: "
            "refusing a rollback",
            code="rollback",
        )
    issued = _parse_time(verified.payload["issued_at"])
    if issued > now + CLOCK_SKEW:
        raise ListVerificationError(
            f"the list is issued in the future ({verified.payload['issued_at']})",
            code="not_yet_valid",
        )
    next_update = _parse_time(verified.payload["next_update"])
    if next_update < now and not allow_stale:
        raise ListVerificationError(
            f"the list is past its next update ({verified.payload['next_update']}): a newer "
            "list should exist, and an old one may hide withdrawals (accept it with allow_stale)",
            code="stale_list",
        )
    if state_file is not None:
        path = Path(state_file)
        state = _state(path)
        publisher = str(key.thumbprint())
        digest = hashlib.sha256(raw).hexdigest()
        seen = state["publishers"].get(publisher)
        if isinstance(seen, dict) and isinstance(seen.get("sequence_number"), int):
            last = seen["sequence_number"]
            if number < last:
                raise ListVerificationError(
                    f"list #{number} is older than list #{last}, seen on {seen.get('seen_at')}: "
                    "refusing a rollback",
                    code="rollback",
                )
            if number == last and seen.get("sha256") != digest:
                raise ListVerificationError(
                    f"list #{number} differs from the list #{last} seen on "
                    f"{seen.get('seen_at')}: two different lists carry one number",
                    code="conflicting_list",
                )
            newer = number > last
        else:
            newer = True
        if newer:
            state["publishers"][publisher] = {
                "sequence_number": number,
                "sha256": digest,
                "seen_at": _iso(now),
                "key_id": verified.key_id,
            }
            text = json.dumps(state, indent=1, sort_keys=True).encode("utf-8") + b"\n"
            try:
                atomic_write(path, text)
            except OSError as exc:
                raise _write_error(exc, path, "cannot update the state file") from None
    return verified


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
