"""The Scheme's store: national plans and annual reports accepted as signed submissions.

The checks are those of the Repository List (:func:`~eauth_toolkit.repository.submission.
check_submission`: size, JWS algorithm, the registered key of the AMS authority, own AMS only,
``issued_at`` window), with the Scheme's schemas in place of the List's. Each accepted submission is
one transaction that advances the AMS's sequence with a compare-and-set (the unique ``jti`` refuses
any replay), applies the plan or report, and records the audit row (who, key id, channel, the JWS,
the diff). A report for a plan that does not exist, or that names a measure the plan does not have,
is refused and leaves the store unchanged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Connection, Engine, and_, insert, select, update
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError

from eauth_toolkit.db import make_engine, migrate
from eauth_toolkit.errors import RepositoryError
from eauth_toolkit.laws import tables as t
from eauth_toolkit.laws.data import submission_document_problems
from eauth_toolkit.repository.keys import AuthorityRegistry
from eauth_toolkit.repository.store import _sqlite_transactions
from eauth_toolkit.repository.submission import (
    SubmissionPolicy,
    SubmissionRefused,
    check_submission,
)

__all__ = ["LAWS_TYP", "HTTP_STATUS", "LawsReceipt", "LawsStore", "MIGRATIONS_DIR"]

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
#: the ``typ`` header of a signed Scheme submission
LAWS_TYP = "eauth-laws-submission+jws"
#: the HTTP status of the Scheme's own refusal codes (the others: the Repository List's)
HTTP_STATUS = {"unknown_plan": 422, "unknown_measure": 422, "wrong_type": 400}


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


@dataclass(frozen=True)
class LawsReceipt:
    id: int
    ams: str
    kind: str
    sequence: int
    received_at: dt.datetime
    diff: dict[str, Any]


class LawsStore:
    """Plans, measures and reports. Create with :meth:`open` (which migrates)."""

    def __init__(
        self, engine: Engine, authorities: AuthorityRegistry, policy: SubmissionPolicy | None = None
    ) -> None:
        self.engine = engine
        self.authorities = authorities
        self.policy = policy or SubmissionPolicy()

    @classmethod
    def open(
        cls, url: str, authorities: AuthorityRegistry, *, engine: Engine | None = None
    ) -> LawsStore:
        try:
            engine = engine or make_engine(url, json_deserializer=orjson.loads)
            _sqlite_transactions(engine)  # writers take the lock at BEGIN and queue, as in the List
            migrate(engine, MIGRATIONS_DIR, t.VERSION_TABLE)
        except SQLAlchemyError as exc:
            detail = exc.orig if isinstance(exc, OperationalError) else exc
            raise RepositoryError(f"cannot open the store: {detail}", where="database") from None
        return cls(engine, authorities)

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def _conn(self, *, write: bool = False) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            if write:
                conn = conn.execution_options(eauth_write=True)
            with conn.begin():
                yield conn

    # ------------------------------------------------------------------ submissions

    def next_sequence(self, ams: str) -> int:
        with self._conn() as conn:
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
    ) -> LawsReceipt:
        """Check a signed plan or report and apply it in one transaction, or refuse it."""
        now = now or _utcnow()
        sub = check_submission(
            jws_text,
            self.authorities,
            now=now,
            policy=self.policy,
            token_ams=token_ams,
            validate=submission_document_problems,
        )
        if sub.header.get("typ") != LAWS_TYP:
            raise SubmissionRefused(
                "wrong_type",
                f"the JWS typ is {sub.header.get('typ')!r}; a Scheme submission is signed with typ "
                f"{LAWS_TYP!r} (eauth laws submit FILE --key KEY)",
            )
        who = submitter or f"{sub.authority.name} (authority of {sub.ams})"
        try:
            with self._conn(write=True) as conn:
                seen = conn.scalar(select(t.submission.c.id).where(t.submission.c.jti == sub.jti))
                if seen is not None:
                    raise SubmissionRefused(
                        "replayed", f"submission {sub.jti!r} was already accepted (audit #{seen})"
                    )
                moved = conn.execute(
                    update(t.ams_state)
                    .where(
                        and_(
                            t.ams_state.c.ams == sub.ams, t.ams_state.c.last_sequence < sub.sequence
                        )
                    )
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
                kind = str(sub.document["kind"])
                sub_id = conn.execute(
                    insert(t.submission)
                    .values(
                        ams=sub.ams,
                        kind=kind,
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
                apply = self._apply_plan if kind == "national_plan" else self._apply_report
                diff = apply(conn, sub.ams, sub.document, sub_id, now)
                conn.execute(
                    update(t.submission).where(t.submission.c.id == sub_id).values(diff=diff)
                )
        except IntegrityError:
            raise SubmissionRefused(
                "replayed", f"submission {sub.jti!r} (sequence {sub.sequence}) was already accepted"
            ) from None
        return LawsReceipt(sub_id, sub.ams, kind, sub.sequence, now, diff)

    def _event(
        self,
        conn: Connection,
        ams: str,
        plan_id: str,
        mid: str,
        status: str,
        sub_id: int,
        now: dt.datetime,
    ) -> None:
        conn.execute(
            insert(t.measure_event).values(
                ams=ams,
                plan_id=plan_id,
                measure_id=mid,
                status=status,
                submission_id=sub_id,
                recorded_at=now,
            )
        )

    def _apply_plan(
        self, conn: Connection, ams: str, doc: dict[str, Any], sub_id: int, now: dt.datetime
    ) -> dict[str, Any]:
        plan_id = doc["plan_id"]
        stored = {k: v for k, v in doc.items() if k not in ("sequence", "issued_at", "jti")}
        row = conn.execute(
            select(t.plan).where(and_(t.plan.c.ams == ams, t.plan.c.plan_id == plan_id))
        ).first()
        if row is None:
            conn.execute(
                insert(t.plan).values(
                    ams=ams,
                    plan_id=plan_id,
                    document=stored,
                    version=1,
                    submission_id=sub_id,
                    updated_at=now,
                )
            )
        else:
            conn.execute(
                update(t.plan)
                .where(and_(t.plan.c.ams == ams, t.plan.c.plan_id == plan_id))
                .values(
                    document=stored, version=row.version + 1, submission_id=sub_id, updated_at=now
                )
            )
        existing = {
            r.measure_id: r
            for r in conn.execute(
                select(t.measure).where(
                    and_(t.measure.c.ams == ams, t.measure.c.plan_id == plan_id)
                )
            )
        }
        diff: dict[str, Any] = {
            "plan": plan_id,
            "version": 1 if row is None else row.version + 1,
            "added": [],
            "changed": [],
        }
        for m in doc["measures"]:
            target = dt.date.fromisoformat(m["target_date"])
            old = existing.get(m["id"])
            if old is None:
                conn.execute(
                    insert(t.measure).values(
                        ams=ams,
                        plan_id=plan_id,
                        measure_id=m["id"],
                        title=m["title"],
                        target_date=target,
                        status=m.get("status", "planned"),
                        updated_at=now,
                    )
                )
                self._event(conn, ams, plan_id, m["id"], m.get("status", "planned"), sub_id, now)
                diff["added"].append(m["id"])
            elif (old.title, old.target_date) != (m["title"], target):
                conn.execute(
                    update(t.measure)
                    .where(
                        and_(
                            t.measure.c.ams == ams,
                            t.measure.c.plan_id == plan_id,
                            t.measure.c.measure_id == m["id"],
                        )
                    )
                    .values(title=m["title"], target_date=target, updated_at=now)
                )
                diff["changed"].append(m["id"])
        return diff

    def _apply_report(
        self, conn: Connection, ams: str, doc: dict[str, Any], sub_id: int, now: dt.datetime
    ) -> dict[str, Any]:
        plan_id = doc["plan_id"]
        found = conn.scalar(
            select(t.plan.c.version).where(and_(t.plan.c.ams == ams, t.plan.c.plan_id == plan_id))
        )
        if found is None:
            raise SubmissionRefused(
                "unknown_plan",
                f"{ams} has no national plan {plan_id!r}: submit the plan before its annual report",
                where="/plan_id",
            )
        measures = {
            r.measure_id: r
            for r in conn.execute(
                select(t.measure).where(
                    and_(t.measure.c.ams == ams, t.measure.c.plan_id == plan_id)
                )
            )
        }
        diff: dict[str, Any] = {"plan": plan_id, "year": doc["year"], "status": {}}
        for i, item in enumerate(doc["updates"]):
            old = measures.get(item["measure"])
            if old is None:
                raise SubmissionRefused(
                    "unknown_measure",
                    f"plan {plan_id!r} of {ams} has no measure {item['measure']!r}",
                    where=f"/updates/{i}/measure",
                )
            if old.status != item["status"]:
                conn.execute(
                    update(t.measure)
                    .where(
                        and_(
                            t.measure.c.ams == ams,
                            t.measure.c.plan_id == plan_id,
                            t.measure.c.measure_id == item["measure"],
                        )
                    )
                    .values(status=item["status"], updated_at=now)
                )
                self._event(conn, ams, plan_id, item["measure"], item["status"], sub_id, now)
                diff["status"][item["measure"]] = [old.status, item["status"]]
        stored = {k: v for k, v in doc.items() if k not in ("sequence", "issued_at", "jti")}
        key = and_(
            t.report.c.ams == ams, t.report.c.plan_id == plan_id, t.report.c.year == doc["year"]
        )
        if conn.scalar(select(t.report.c.year).where(key)) is None:
            conn.execute(
                insert(t.report).values(
                    ams=ams,
                    plan_id=plan_id,
                    year=doc["year"],
                    document=stored,
                    submission_id=sub_id,
                    updated_at=now,
                )
            )
        else:
            conn.execute(
                update(t.report)
                .where(key)
                .values(document=stored, submission_id=sub_id, updated_at=now)
            )
        return diff

    # ------------------------------------------------------------------ reading

    def plans(self, ams: str | None = None) -> list[dict[str, Any]]:
        """Every plan with its measures' current status, by AMS then plan id."""
        q = select(t.plan).order_by(t.plan.c.ams, t.plan.c.plan_id)
        mq = select(t.measure).order_by(
            t.measure.c.ams, t.measure.c.plan_id, t.measure.c.target_date, t.measure.c.measure_id
        )
        if ams:
            q, mq = q.where(t.plan.c.ams == ams), mq.where(t.measure.c.ams == ams)
        with self._conn() as conn:
            plans = list(conn.execute(q))
            measures = list(conn.execute(mq))
        out = []
        for p in plans:
            doc = dict(p.document)
            doc["version"] = p.version
            doc["updated_at"] = _aware(p.updated_at).isoformat()
            doc["measures"] = [
                {
                    "id": m.measure_id,
                    "title": m.title,
                    "target_date": m.target_date.isoformat(),
                    "status": m.status,
                }
                for m in measures
                if (m.ams, m.plan_id) == (p.ams, p.plan_id)
            ]
            out.append(doc)
        return out

    def reports(self, ams: str | None = None) -> list[dict[str, Any]]:
        q = select(t.report).order_by(t.report.c.ams, t.report.c.year, t.report.c.plan_id)
        if ams:
            q = q.where(t.report.c.ams == ams)
        with self._conn() as conn:
            return [dict(r.document) for r in conn.execute(q)]

    def submissions(self, ams: str | None = None) -> list[dict[str, Any]]:
        """The audit trail, oldest first."""
        q = select(t.submission).order_by(t.submission.c.id)
        if ams:
            q = q.where(t.submission.c.ams == ams)
        with self._conn() as conn:
            return [
                {
                    "id": r.id,
                    "ams": r.ams,
                    "kind": r.kind,
                    "sequence": r.sequence,
                    "jti": r.jti,
                    "issued_at": _aware(r.issued_at).isoformat(),
                    "received_at": _aware(r.received_at).isoformat(),
                    "authority_kid": r.authority_kid,
                    "submitter": r.submitter,
                    "channel": r.channel,
                    "payload_sha256": r.payload_sha256,
                    "diff": r.diff,
                }
                for r in conn.execute(q)
            ]

    def dump(self) -> dict[str, list[dict[str, Any]]]:
        """Every row of every Scheme table, in a stable order (for audits and tests)."""
        out: dict[str, list[dict[str, Any]]] = {}
        with self._conn() as conn:
            for table in t.metadata.sorted_tables:
                rows = conn.execute(select(table).order_by(*table.primary_key.columns)).mappings()
                out[table.name] = [
                    {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in r.items()}
                    for r in rows
                ]
        return out
