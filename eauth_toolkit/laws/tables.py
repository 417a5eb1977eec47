"""The Scheme's tables (SQLAlchemy Core); migrations live in ``migrations/``.

Nothing is deleted: ``laws_submission`` is the audit record of every accepted signed document (who,
when, the JWS, the diff), ``laws_measure_event`` every status change of a measure.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    Date,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

__all__ = [
    "metadata",
    "submission",
    "ams_state",
    "plan",
    "measure",
    "report",
    "measure_event",
    "VERSION_TABLE",
]

VERSION_TABLE = "laws_alembic_version"
TZ = DateTime(timezone=True)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "pk": "pk_%(table_name)s",
    }
)

submission = Table(
    "laws_submission",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("ams", String(2), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("sequence", Integer, nullable=False),
    Column("jti", String(200), nullable=False, unique=True),
    Column("issued_at", TZ, nullable=False),
    Column("received_at", TZ, nullable=False),
    Column("authority_kid", String(200), nullable=False),
    Column("submitter", String(500), nullable=False),
    Column("channel", String(20), nullable=False),
    Column("payload_sha256", String(64), nullable=False),
    Column("jws", Text, nullable=False),
    Column("diff", JSON, nullable=False),
    UniqueConstraint("ams", "sequence", name="uq_laws_submission_ams_sequence"),
)

ams_state = Table(
    "laws_ams_state",
    metadata,
    Column("ams", String(2), primary_key=True),
    Column("last_sequence", Integer, nullable=False, default=0),
)

plan = Table(
    "laws_plan",
    metadata,
    Column("ams", String(2), primary_key=True),
    Column("plan_id", String(80), primary_key=True),
    Column("document", JSON, nullable=False),
    Column("version", Integer, nullable=False),
    Column("submission_id", Integer, nullable=False),
    Column("updated_at", TZ, nullable=False),
)

measure = Table(
    "laws_measure",
    metadata,
    Column("ams", String(2), primary_key=True),
    Column("plan_id", String(80), primary_key=True),
    Column("measure_id", String(80), primary_key=True),
    Column("title", String(300), nullable=False),
    Column("target_date", Date, nullable=False),
    Column("status", String(20), nullable=False),
    Column("updated_at", TZ, nullable=False),
)

report = Table(
    "laws_report",
    metadata,
    Column("ams", String(2), primary_key=True),
    Column("plan_id", String(80), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("document", JSON, nullable=False),
    Column("submission_id", Integer, nullable=False),
    Column("updated_at", TZ, nullable=False),
)

measure_event = Table(
    "laws_measure_event",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("ams", String(2), nullable=False),
    Column("plan_id", String(80), nullable=False),
    Column("measure_id", String(80), nullable=False),
    Column("status", String(20), nullable=False),
    Column("submission_id", Integer, nullable=False),
    Column("recorded_at", TZ, nullable=False),
)
