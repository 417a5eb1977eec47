"""The repository store: accepted submissions, entries with every version, publications.

SQLite file by default, PostgreSQL by URL (SQLAlchemy 2 Core, Alembic migrations in
``migrations/``). Each accepted submission is one transaction that:

* advances the AMS's sequence number with a compare-and-set (so replayed or out-of-order
  submissions lose even when they race), and the unique ``jti`` refuses any replay;
* writes the entries it adds or changes and the withdrawals, each as a new version (nothing is
  ever deleted; a withdrawn entry keeps its history);
* records the audit row: who (authority, key id, channel), when, the JWS, the diff.
"""

from __future__ import annotations

import base64
import datetime as dt
import errno
import hashlib
import json
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Connection, Engine, and_, bindparam, event, func, insert, select, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import (
    DataError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    SQLAlchemyError,
)

from eauth_toolkit.db import make_engine, migrate
from eauth_toolkit.errors import RepositoryError
from eauth_toolkit.repository import tables as t
from eauth_toolkit.repository.assessment import assess_entry
from eauth_toolkit.repository.disclosure import redact
from eauth_toolkit.repository.keys import AuthorityRegistry
from eauth_toolkit.repository.submission import (
    SubmissionPolicy,
    SubmissionRefused,
    VerifiedSubmission,
    check_submission,
)

__all__ = [
    "MIGRATIONS_DIR",
    "RepositoryStore",
    "StoredEntry",
    "SubmissionReceipt",
    "EntryFilter",
    "StoreUnavailable",
    "PublicationRecord",
    "utcnow",
]

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


class StoreUnavailable(RepositoryError):
    """The database cannot be reached or written (down, read-only, disk full): a fault of the
    machine, not of the request. ``code`` is ``store_unavailable`` or ``disk_full``; the API
    answers 503 or 507, the CLI one line and exit 2."""

    code = "store_unavailable"

    @property
    def http_status(self) -> int:
        return 507 if self.code == "disk_full" else 503


_DISK_FULL = ("disk is full", "no space left", "disk full", "could not extend file")


@contextmanager
def _faults(engine: Engine, *, opening: bool = False) -> Iterator[None]:
    """Turn the database's own failures into :class:`StoreUnavailable` naming the database."""
    try:
        yield
    except (OperationalError, InterfaceError) as exc:
        text = str(exc.orig or exc).strip().splitlines()[0]
        full = any(m in text.lower() for m in _DISK_FULL)
        what = "cannot open the store" if opening else "the store is unavailable"
        raise StoreUnavailable(
            f"{what}: {text}",
            where=_safe(engine.url.render_as_string(hide_password=False)),
            code="disk_full" if full else "store_unavailable",
        ) from None
    except DataError as exc:  # a value the database cannot hold; the checks should stop it first
        text = str(exc.orig or exc).strip().splitlines()[0]
        raise RepositoryError(f"the store cannot hold a value: {text}", code="unstorable") from None


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


@dataclass(frozen=True)
class StoredEntry:
    """An entry as the registry holds it."""

    id: str
    ams: str
    document: dict[str, Any]
    status: str
    assessed_level: int | None
    claimed_level: int | None
    level_mismatch: bool
    summary: dict[str, Any] | None
    #: ``{"summary": ..., "details": <the LoA engine's explanation>}``; loaded by :meth:`entry`
    #: only (listings leave it ``None``)
    assessment: dict[str, Any] | None
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    def published(self) -> dict[str, Any]:
        """The entry as the registry shows it (see ``PublishedEntry``), before redaction."""
        return _published(
            self.document, self.summary, self.level_mismatch, self.version, self.updated_at
        )


def _published(
    document: dict[str, Any],
    summary: dict[str, Any] | None,
    mismatch: bool,
    version: int,
    updated_at: dt.datetime,
) -> dict[str, Any]:
    out = dict(document)
    out["assessed_level"] = summary
    out["level_mismatch"] = mismatch
    out["version"] = version
    out["updated_at"] = _aware(updated_at).isoformat()
    return out


@dataclass(frozen=True)
class SubmissionReceipt:
    """What the registry answers to an accepted submission."""

    id: int
    ams: str
    sequence: int
    received_at: dt.datetime
    diff: dict[str, Any]


@dataclass(frozen=True)
class EntryFilter:
    ams: str | None = None
    min_loa: int | None = None
    technology_type: str | None = None
    status: str | None = None
    text: str | None = None
    limit: int | None = None
    offset: int = 0


def _changed_fields(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    keys = sorted(set(old) | set(new))
    return [f"/{k}" for k in keys if old.get(k) != new.get(k)]


def _merge_history(
    recorded: list[dict[str, Any]], submitted: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Recorded history, then the submitted items it does not hold yet (history only grows)."""
    out = [dict(item) for item in recorded]
    seen = {(i["status"], i["date"]) for i in out}
    for item in submitted:
        if (item["status"], item["date"]) not in seen:
            out.append(dict(item))
            seen.add((item["status"], item["date"]))
    out.sort(key=lambda i: i["date"])
    return out


def _row_entry(row: Any) -> StoredEntry:
    mapping = row._mapping
    assessment = mapping.get("assessment")
    summary = row.assessed
    if summary is None and isinstance(assessment, dict):
        summary = assessment.get("summary")
    return StoredEntry(
        id=row.id,
        ams=row.ams,
        document=row.document,
        status=row.status,
        assessed_level=row.assessed_level,
        claimed_level=row.claimed_level,
        level_mismatch=bool(row.level_mismatch),
        summary=summary,
        assessment=assessment,
        version=row.version,
        created_at=_aware(row.created_at),
        updated_at=_aware(row.updated_at),
    )


class RepositoryStore:
    """The registry's database. Create with :meth:`open` (which migrates)."""

    def __init__(
        self,
        engine: Engine,
        authorities: AuthorityRegistry,
        *,
        policy: SubmissionPolicy | None = None,
    ) -> None:
        self.engine = engine
        self.authorities = authorities
        self.policy = policy or SubmissionPolicy()

    # ------------------------------------------------------------------ set-up

    @classmethod
    def open(
        cls,
        url: str,
        authorities: AuthorityRegistry,
        *,
        policy: SubmissionPolicy | None = None,
        engine: Engine | None = None,
    ) -> RepositoryStore:
        """Connect to ``url`` (or use ``engine``), bring the schema up to date, return the store."""
        try:
            engine = engine or make_engine(url, json_deserializer=orjson.loads)
            _sqlite_transactions(engine)
            with _faults(engine, opening=True):
                migrate(engine, MIGRATIONS_DIR, t.VERSION_TABLE)
        except OSError as exc:
            raise StoreUnavailable(
                f"cannot open the store: {exc.strerror or exc}",
                where=_safe(url),
                code="disk_full" if exc.errno == errno.ENOSPC else "store_unavailable",
            ) from None
        except SQLAlchemyError as exc:
            raise StoreUnavailable(f"cannot open the store: {exc}", where=_safe(url)) from None
        return cls(engine, authorities, policy=policy)

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        with _faults(self.engine), self.engine.connect() as conn:
            conn = conn.execution_options(eauth_write=True)
            with conn.begin():
                yield conn

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with _faults(self.engine), self.engine.connect() as conn, conn.begin():
            yield conn

    # ------------------------------------------------------------------ submissions

    def next_sequence(self, ams: str) -> int:
        with self._read() as conn:
            last = conn.scalar(select(t.ams_state.c.last_sequence).where(t.ams_state.c.ams == ams))
        return int(last or 0) + 1

    def submit(
        self,
        jws_text: str | bytes,
        *,
        channel: str = "cli",
        token_ams: str | None = None,
        submitter: str | None = None,
        now: dt.datetime | None = None,
        only_if_new_ams: bool = False,
    ) -> SubmissionReceipt:
        """Check a signed submission and apply it in one transaction, or refuse it.

        With ``only_if_new_ams`` the submission is refused (``already_loaded``) when the AMS has
        entries already, checked inside the transaction (used to load sample data once)."""
        now = now or utcnow()
        verified = check_submission(
            jws_text, self.authorities, now=now, policy=self.policy, token_ams=token_ams
        )
        who = submitter or f"{verified.authority.name} (authority of {verified.ams})"
        try:
            with self._write() as conn:
                return self._apply(
                    conn,
                    verified,
                    who=who,
                    channel=channel,
                    now=now,
                    only_if_new_ams=only_if_new_ams,
                )
        except IntegrityError:
            raise SubmissionRefused(
                "replayed",
                f"submission {verified.jti!r} (sequence {verified.sequence}) was already accepted",
            ) from None

    def _apply(
        self,
        conn: Connection,
        sub: VerifiedSubmission,
        *,
        who: str,
        channel: str,
        now: dt.datetime,
        only_if_new_ams: bool = False,
    ) -> SubmissionReceipt:
        seen = conn.scalar(select(t.submission.c.id).where(t.submission.c.jti == sub.jti))
        if seen is not None:
            raise SubmissionRefused(
                "replayed", f"submission {sub.jti!r} was already accepted (audit #{seen})"
            )
        last = conn.scalar(select(t.ams_state.c.last_sequence).where(t.ams_state.c.ams == sub.ams))
        moved = conn.execute(
            update(t.ams_state)
            .where(and_(t.ams_state.c.ams == sub.ams, t.ams_state.c.last_sequence < sub.sequence))
            .values(last_sequence=sub.sequence)
        )
        if moved.rowcount != 1:
            last = conn.scalar(
                select(t.ams_state.c.last_sequence).where(t.ams_state.c.ams == sub.ams)
            )
            code = "replayed" if sub.sequence == last else "out_of_order"
            raise SubmissionRefused(
                code,
                f"sequence {sub.sequence} is not after {sub.ams}'s last accepted sequence {last}",
                where="/sequence",
            )
        if only_if_new_ams:  # the sequence row is locked by the update above: no race
            present = conn.scalar(
                select(func.count()).select_from(t.entry).where(t.entry.c.ams == sub.ams)
            )
            if present:
                raise SubmissionRefused("already_loaded", f"{sub.ams} has entries already")
        sub_id = conn.execute(
            insert(t.submission)
            .values(
                ams=sub.ams,
                sequence=sub.sequence,
                jti=sub.jti,
                issued_at=sub.issued_at,
                received_at=now,
                authority_kid=sub.authority.kid,
                submitter=who[:500],
                channel=channel[:20],
                payload_sha256=sub.payload_sha256,
                jws=sub.jws,
                diff={},
            )
            .returning(t.submission.c.id)
        ).scalar_one()
        diff = self._apply_entries(conn, sub, sub_id, now)
        conn.execute(update(t.submission).where(t.submission.c.id == sub_id).values(diff=diff))
        conn.execute(
            update(t.ams_state)
            .where(t.ams_state.c.ams == sub.ams)
            .values(last_submission_id=sub_id)
        )
        return SubmissionReceipt(sub_id, sub.ams, sub.sequence, now, diff)

    def _apply_entries(
        self, conn: Connection, sub: VerifiedSubmission, sub_id: int, now: dt.datetime
    ) -> dict[str, Any]:
        diff: dict[str, Any] = {"added": [], "changed": {}, "withdrawn": [], "unchanged": []}
        entries = sub.document.get("entries", [])
        ids = [e["id"] for e in entries] + [w["id"] for w in sub.document.get("withdrawals", [])]
        existing = {
            row.id: row
            for chunk in _chunks(ids, 500)
            for row in conn.execute(select(t.entry).where(t.entry.c.id.in_(chunk)))
        }
        writes = _Writes()
        for i, doc in enumerate(entries):
            row = existing.get(doc["id"])
            if row is not None and row.ams != sub.ams:  # ids carry the AMS; kept as a last guard
                raise SubmissionRefused(
                    "forbidden", f"{doc['id']!r} belongs to {row.ams}", where=f"/entries/{i}/id"
                )
            new = dict(doc)
            if row is not None:
                new["status_history"] = _merge_history(
                    row.document["status_history"], doc["status_history"]
                )
                if new["status_history"][-1]["status"] != new["status"]:
                    last = new["status_history"][-1]
                    raise SubmissionRefused(
                        "status_conflict",
                        f"the registry records {last['status']!r} on {last['date']} for "
                        f"{doc['id']!r}; add a later dated status change to make it "
                        f"{new['status']!r}",
                        where=f"/entries/{i}/status_history",
                    )
                if new == row.document:
                    diff["unchanged"].append(doc["id"])
                    continue
            writes.add(new, row, sub_id, now)
            if row is None:
                diff["added"].append(doc["id"])
            else:
                diff["changed"][doc["id"]] = _changed_fields(row.document, new)
        for i, item in enumerate(sub.document.get("withdrawals", [])):
            row = existing.get(item["id"])
            if row is None:
                raise SubmissionRefused(
                    "unknown_entry",
                    f"cannot withdraw {item['id']!r}: the registry has no such entry",
                    where=f"/withdrawals/{i}/id",
                )
            if row.status == "withdrawn":
                diff["unchanged"].append(item["id"])
                continue
            new = dict(row.document)
            change = {"status": "withdrawn", "date": item["date"], "reason": item["reason"]}
            new["status_history"] = _merge_history(row.document["status_history"], [change])
            if new["status_history"][-1] != change:
                raise SubmissionRefused(
                    "status_conflict",
                    f"withdrawal date {item['date']} is before the last recorded status change",
                    where=f"/withdrawals/{i}/date",
                )
            new["status"] = "withdrawn"
            writes.add(new, row, sub_id, now)
            diff["withdrawn"].append(item["id"])
        writes.flush(conn)
        return diff

    # ------------------------------------------------------------------ reading

    @staticmethod
    def _where(query: Any, flt: EntryFilter) -> Any:
        if flt.ams:
            query = query.where(t.entry.c.ams == flt.ams)
        if flt.min_loa is not None:
            query = query.where(t.entry.c.assessed_level >= flt.min_loa)
        if flt.technology_type:
            query = query.where(t.entry.c.technology_type == flt.technology_type)
        if flt.status:
            query = query.where(t.entry.c.status == flt.status)
        if flt.text:
            needle = "%" + flt.text.lower().replace("%", "").replace("_", "") + "%"
            query = query.where(func.lower(t.entry.c.name).like(needle))
        return query

    def entries(self, flt: EntryFilter | None = None) -> list[StoredEntry]:
        """Entries matching ``flt``, ordered by id."""
        flt = flt or EntryFilter()
        columns = [c for c in t.entry.c if c.name not in ("assessment", "published")]
        query = self._where(select(*columns), flt).order_by(t.entry.c.id)
        if flt.offset:
            query = query.offset(flt.offset)
        if flt.limit is not None:
            query = query.limit(flt.limit)
        with self._read() as conn:
            return [_row_entry(r) for r in conn.execute(query)]

    def published_texts(self) -> list[str]:
        """Every entry's published JSON (redacted where restricted), ordered by id."""
        with self._read() as conn:
            return _published_texts(conn)

    def optimize(self) -> None:
        """Refresh the query planner's statistics (after large loads)."""
        with self._write() as conn:
            conn.exec_driver_sql("ANALYZE")

    def count_entries_matching(self, flt: EntryFilter) -> int:
        query = self._where(select(func.count()).select_from(t.entry), flt)
        with self._read() as conn:
            return int(conn.scalar(query) or 0)

    def count_entries(self, ams: str | None = None) -> int:
        return self.count_entries_matching(EntryFilter(ams=ams))

    def entry(self, entry_id: str) -> StoredEntry | None:
        with self._read() as conn:
            row = conn.execute(select(t.entry).where(t.entry.c.id == entry_id)).first()
        return _row_entry(row) if row is not None else None

    def entry_versions(self, entry_id: str) -> list[dict[str, Any]]:
        query = (
            select(t.entry_version)
            .where(t.entry_version.c.entry_id == entry_id)
            .order_by(t.entry_version.c.version)
        )
        with self._read() as conn:
            return [
                {
                    "version": r.version,
                    "status": r.status,
                    "assessed_level": r.assessed_level,
                    "submission_id": r.submission_id,
                    "recorded_at": _aware(r.recorded_at).isoformat(),
                    "document": r.document,
                }
                for r in conn.execute(query)
            ]

    def submissions(self, ams: str | None = None) -> list[dict[str, Any]]:
        """The audit trail, oldest first."""
        query = select(t.submission).order_by(t.submission.c.id)
        if ams:
            query = query.where(t.submission.c.ams == ams)
        with self._read() as conn:
            return [
                {
                    "id": r.id,
                    "ams": r.ams,
                    "sequence": r.sequence,
                    "jti": r.jti,
                    "issued_at": _aware(r.issued_at).isoformat(),
                    "received_at": _aware(r.received_at).isoformat(),
                    "authority_kid": r.authority_kid,
                    "submitter": r.submitter,
                    "channel": r.channel,
                    "payload_sha256": r.payload_sha256,
                    "jws": r.jws,
                    "diff": r.diff,
                }
                for r in conn.execute(query)
            ]

    def dump(self) -> dict[str, list[dict[str, Any]]]:
        """Every row of every repository table, in a stable order (for audits and tests)."""
        out: dict[str, list[dict[str, Any]]] = {}
        with self._read() as conn:
            for table in t.metadata.sorted_tables:
                keys = list(table.primary_key.columns)
                rows = conn.execute(select(table).order_by(*keys)).mappings()
                out[table.name] = [
                    {k: (v.isoformat() if isinstance(v, dt.datetime) else v) for k, v in r.items()}
                    for r in rows
                ]
        return out

    # ------------------------------------------------------------------ API tokens

    def create_token(self, ams: str, label: str, *, now: dt.datetime | None = None) -> str:
        """A new bearer token bound to ``ams``; only its SHA-256 is stored."""
        if self.authorities.get(ams) is None:
            raise RepositoryError(f"no authority is registered for {ams}", where="ams")
        token = f"eauth_{ams.lower()}_" + secrets.token_urlsafe(32)
        with self._write() as conn:
            conn.execute(
                insert(t.api_token).values(
                    token_sha256=hashlib.sha256(token.encode()).hexdigest(),
                    ams=ams,
                    label=label[:200],
                    created_at=now or utcnow(),
                    revoked=False,
                )
            )
        return token

    def revoke_token(self, token: str) -> bool:
        """Revoke a token (kept, marked revoked); False when there is no such valid token."""
        digest = hashlib.sha256(token.encode()).hexdigest()
        with self._write() as conn:
            done = conn.execute(
                update(t.api_token)
                .where(and_(t.api_token.c.token_sha256 == digest, t.api_token.c.revoked.is_(False)))
                .values(revoked=True)
            )
        return done.rowcount == 1

    def token_owner(self, token: str) -> tuple[str, str] | None:
        """(AMS, label) of a valid token, or None."""
        digest = hashlib.sha256(token.encode()).hexdigest()
        with self._read() as conn:
            row = conn.execute(
                select(t.api_token.c.ams, t.api_token.c.label).where(
                    and_(t.api_token.c.token_sha256 == digest, t.api_token.c.revoked.is_(False))
                )
            ).first()
        return (row.ams, row.label) if row is not None else None

    # ------------------------------------------------------------------ publications

    def last_publication_number(self) -> int:
        with self._read() as conn:
            return int(conn.scalar(select(func.max(t.publication.c.sequence_number))) or 0)

    def record_publication(
        self,
        sign: Callable[[int, list[str]], SignedList],
        *,
        on_step: Callable[[str], None] | None = None,
    ) -> PublicationRecord:
        """Reserve the next list number, build and sign the list, and record it: one transaction.

        ``sign(number, entry_texts)`` returns the signed list. The number, the entries read and
        the row recorded belong to the same transaction, so a list is known to the store before
        any file holds it, and a crash before the commit leaves no trace. Each entry text is
        stored once (``repo_list_blob``, keyed by its SHA-256); the row holds the digests.
        """
        step = on_step or (lambda _name: None)
        try:
            with self._write() as conn:
                number = int(conn.scalar(select(func.max(t.publication.c.sequence_number))) or 0)
                number += 1
                texts = _published_texts(conn)
                step("before_sign")
                signed = sign(number, texts)
                step("after_sign")
                blobs = [t_.encode("utf-8") for t_ in texts]
                digests = [hashlib.sha256(b).digest() for b in blobs]
                _insert_blobs(conn, dict(zip(digests, blobs, strict=True)))
                conn.execute(
                    insert(t.publication).values(
                        sequence_number=number,
                        issued_at=signed.issued_at,
                        next_update=signed.next_update,
                        entry_count=len(texts),
                        key_id=signed.key_id,
                        sha256=hashlib.sha256(signed.content).hexdigest(),
                        content=None,
                        head=signed.head,
                        entry_digests=b"".join(digests),
                        protected=signed.protected,
                        signature=signed.signature,
                        size=len(signed.content),
                    )
                )
                step("before_commit")
        except IntegrityError:
            raise RepositoryError(
                "another publication took the same list number; publish again",
                code="publication_conflict",
            ) from None
        step("after_commit")
        return PublicationRecord(
            number, signed.issued_at, signed.next_update, len(texts), signed.content
        )

    def adopt_publication(self, signed: SignedList, entry_texts: list[str]) -> bool:
        """Record a signed list found on disk that the store never recorded (a crash of an
        earlier version between writing the file and committing); False when its number was
        taken meanwhile."""
        blobs = [t_.encode("utf-8") for t_ in entry_texts]
        digests = [hashlib.sha256(b).digest() for b in blobs]
        try:
            with self._write() as conn:
                _insert_blobs(conn, dict(zip(digests, blobs, strict=True)))
                conn.execute(
                    insert(t.publication).values(
                        sequence_number=signed.sequence_number,
                        issued_at=signed.issued_at,
                        next_update=signed.next_update,
                        entry_count=len(blobs),
                        key_id=signed.key_id,
                        sha256=hashlib.sha256(signed.content).hexdigest(),
                        head=signed.head,
                        entry_digests=b"".join(digests),
                        protected=signed.protected,
                        signature=signed.signature,
                        size=len(signed.content),
                    )
                )
        except IntegrityError:
            return False
        return True

    def publications(self) -> list[dict[str, Any]]:
        cols = [
            t.publication.c[name]
            for name in ("sequence_number", "issued_at", "next_update", "entry_count", "key_id")
        ] + [t.publication.c.sha256]
        with self._read() as conn:
            rows = conn.execute(select(*cols).order_by(t.publication.c.sequence_number))
            return [
                {
                    "sequence_number": r.sequence_number,
                    "issued_at": _aware(r.issued_at).isoformat(),
                    "next_update": _aware(r.next_update).isoformat(),
                    "entry_count": r.entry_count,
                    "key_id": r.key_id,
                    "sha256": r.sha256,
                }
                for r in rows
            ]

    def publication_content(self, sequence_number: int | None = None) -> bytes | None:
        """The signed list file of one publication (the latest when no number is given),
        rebuilt from its references and checked against its recorded SHA-256."""
        query = select(t.publication)
        if sequence_number is None:
            query = query.order_by(t.publication.c.sequence_number.desc()).limit(1)
        else:
            query = query.where(t.publication.c.sequence_number == sequence_number)
        with self._read() as conn:
            row = conn.execute(query).first()
            if row is None:
                return None
            if row.content is not None:
                content = bytes(row.content)
            else:
                refs = bytes(row.entry_digests)
                digests = [refs[i : i + 32] for i in range(0, len(refs), 32)]
                blobs: dict[bytes, bytes] = {}
                for chunk in _chunks(sorted(set(digests)), 500):
                    for b in conn.execute(
                        select(t.list_blob).where(t.list_blob.c.sha256.in_(chunk))
                    ):
                        blobs[bytes(b.sha256)] = bytes(b.content)
                missing = [d for d in digests if d not in blobs]
                if missing:
                    raise RepositoryError(
                        f"list #{row.sequence_number} cannot be rebuilt: {len(missing)} entry "
                        "texts are missing from the store",
                        code="store_corrupt",
                    )
                payload = row.head.encode("utf-8") + b",".join(blobs[d] for d in digests) + b"]}"
                content = assemble_list(row.protected, payload, row.signature)
        if hashlib.sha256(content).hexdigest() != row.sha256:
            raise RepositoryError(
                f"list #{row.sequence_number} in the store does not match its recorded SHA-256",
                code="store_corrupt",
            )
        return content

    def latest_publication(self) -> tuple[int, str] | None:
        """(number, SHA-256 of the file) of the last recorded list, or None."""
        query = (
            select(t.publication.c.sequence_number, t.publication.c.sha256)
            .order_by(t.publication.c.sequence_number.desc())
            .limit(1)
        )
        with self._read() as conn:
            row = conn.execute(query).first()
        return (int(row.sequence_number), str(row.sha256)) if row is not None else None

    def publication_digests(self) -> dict[str, int]:
        """SHA-256 of every recorded list file -> its number."""
        with self._read() as conn:
            rows = conn.execute(select(t.publication.c.sha256, t.publication.c.sequence_number))
            return {r.sha256: r.sequence_number for r in rows}


@dataclass(frozen=True)
class SignedList:
    """A list as signed: the parts the store keeps, and the file bytes."""

    sequence_number: int
    issued_at: dt.datetime
    next_update: dt.datetime
    key_id: str
    head: str
    protected: str
    signature: str
    content: bytes


@dataclass(frozen=True)
class PublicationRecord:
    sequence_number: int
    issued_at: dt.datetime
    next_update: dt.datetime
    entry_count: int
    content: bytes


def assemble_list(protected: str, payload: bytes, signature: str) -> bytes:
    """The canonical file of a signed list from its parts (see ``jose.canonical_list_bytes``)."""
    from eauth_toolkit.repository.jose import canonical_list_bytes

    encoded = base64.urlsafe_b64encode(payload).rstrip(b"=").decode("ascii")
    return canonical_list_bytes(
        {"protected": protected, "payload": encoded, "signature": signature}
    )


def _insert_blobs(conn: Connection, blobs: dict[bytes, bytes]) -> None:
    """Store entry texts not stored yet (content addressed: one row per distinct text)."""
    known: set[bytes] = set()
    for chunk in _chunks(list(blobs), 500):
        known.update(
            bytes(d)
            for d in conn.scalars(
                select(t.list_blob.c.sha256).where(t.list_blob.c.sha256.in_(chunk))
            )
        )
    rows = [{"sha256": d, "content": c} for d, c in blobs.items() if d not in known]
    if not rows:
        return
    if conn.dialect.name == "postgresql":  # a concurrent publisher may store the same text
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        conn.execute(pg_insert(t.list_blob).on_conflict_do_nothing(), rows)
    else:  # SQLite writers are serialised (BEGIN IMMEDIATE)
        conn.execute(insert(t.list_blob), rows)


def _published_texts(conn: Connection) -> list[str]:
    cols = [c for c in t.entry.c if c.name != "assessment"]
    out = []
    for row in conn.execute(select(*cols).order_by(t.entry.c.id)):
        text = row.published
        if text is None:  # rows written before the published form was kept
            text = json.dumps(
                redact(_row_entry(row).published()), ensure_ascii=False, separators=(",", ":")
            )
        out.append(text)
    return out


class _Writes:
    """The rows one submission writes, sent to the database in a few batched statements."""

    def __init__(self) -> None:
        self.inserts: list[dict[str, Any]] = []
        self.updates: list[dict[str, Any]] = []
        self.versions: list[dict[str, Any]] = []

    def add(self, doc: dict[str, Any], row: Any, sub_id: int, now: dt.datetime) -> None:
        assessment = assess_entry(doc)
        claimed = (doc.get("claimed_level") or {}).get("iso29115")
        stored_assessment = (
            {"summary": assessment.summary, "details": assessment.details}
            if assessment.summary is not None
            else None
        )
        version = 1 if row is None else row.version + 1
        public = redact(_published(doc, assessment.summary, assessment.mismatch, version, now))
        values = {
            "ams": doc["ams"],
            "name": doc["name"][:500],
            "technology_type": doc["technology_type"],
            "status": doc["status"],
            "assessed_level": assessment.level,
            "claimed_level": claimed,
            "level_mismatch": assessment.mismatch,
            "document": doc,
            "assessment": stored_assessment,
            "assessed": assessment.summary,
            "published": json.dumps(public, ensure_ascii=False, separators=(",", ":")),
            "version": version,
            "updated_at": now,
            "submission_id": sub_id,
        }
        if row is None:
            self.inserts.append({"id": doc["id"], "created_at": now, **values})
        else:
            self.updates.append({"b_id": doc["id"], **values})
        self.versions.append(
            {
                "entry_id": doc["id"],
                "version": version,
                "status": doc["status"],
                "document": doc,
                "assessed_level": assessment.level,
                "submission_id": sub_id,
                "recorded_at": now,
            }
        )

    def flush(self, conn: Connection) -> None:
        if self.inserts:
            conn.execute(insert(t.entry), self.inserts)
        if self.updates:
            columns = [k for k in self.updates[0] if k != "b_id"]
            stmt = (
                update(t.entry)
                .where(t.entry.c.id == bindparam("b_id"))
                .values({c: bindparam(c) for c in columns})
            )
            conn.execute(stmt, self.updates)
        if self.versions:
            conn.execute(insert(t.entry_version), self.versions)


def _safe(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except SQLAlchemyError:
        return "the database URL"


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _sqlite_transactions(engine: Engine) -> None:
    """On SQLite let SQLAlchemy issue BEGIN itself, and BEGIN IMMEDIATE for writes, so two
    writers queue on the busy timeout instead of failing when a read lock is upgraded."""
    if engine.dialect.name != "sqlite" or getattr(engine, "_eauth_tx", False):
        return

    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        mode = "IMMEDIATE" if conn.get_execution_options().get("eauth_write") else "DEFERRED"
        conn.exec_driver_sql(f"BEGIN {mode}")

    engine._eauth_tx = True  # type: ignore[attr-defined]
