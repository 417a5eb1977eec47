"""The repository's tables (SQLAlchemy Core); migrations live in ``migrations/``.

Nothing is ever deleted: an entry row holds the current version (with its assessed-level
summary and its published JSON form, so listing and publishing need not decode the full LoA
explanation), ``repo_entry_version`` every
version, ``repo_submission`` the audit record of every accepted submission (who, when, the JWS,
the diff), ``repo_publication`` every published list by reference: its header, signature and the
digests of its entries' texts, each text stored once in ``repo_list_blob`` (content addressed),
from which the signed file is rebuilt byte for byte.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

__all__ = [
    "metadata",
    "entry",
    "entry_version",
    "submission",
    "ams_state",
    "publication",
    "list_blob",
    "api_token",
    "review",
    "trust_list_version",
    "agreement_version",
    "VERSION_TABLE",
]

VERSION_TABLE = "repository_alembic_version"

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

submission = Table(
    "repo_submission",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("ams", String(2), nullable=False, index=True),
    Column("sequence", Integer, nullable=False),
    Column("jti", String(200), nullable=False, unique=True),
    Column("issued_at", DateTime(timezone=True), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("authority_kid", String(200), nullable=False),
    Column("submitter", String(500), nullable=False),
    Column("channel", String(20), nullable=False),
    Column("payload_sha256", String(64), nullable=False),
    Column("jws", Text, nullable=False),
    Column("diff", JSON, nullable=False),
    UniqueConstraint("ams", "sequence", name="uq_repo_submission_ams_sequence"),
)

ams_state = Table(
    "repo_ams_state",
    metadata,
    Column("ams", String(2), primary_key=True),
    Column("last_sequence", Integer, nullable=False, default=0),
    Column("last_submission_id", Integer, ForeignKey("repo_submission.id"), nullable=True),
)

entry = Table(
    "repo_entry",
    metadata,
    Column("id", String(120), primary_key=True),
    Column("ams", String(2), nullable=False),
    Column("name", String(500), nullable=False),
    Column("technology_type", String(40), nullable=False),
    Column("status", String(20), nullable=False),
    Column("assessed_level", Integer, nullable=True),
    Column("claimed_level", Integer, nullable=True),
    Column("level_mismatch", Boolean, nullable=False, default=False),
    Column("document", JSON, nullable=False),
    Column("assessment", JSON, nullable=True),
    Column("assessed", JSON, nullable=True),
    Column("published", Text, nullable=True),
    Column("version", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("submission_id", Integer, ForeignKey("repo_submission.id"), nullable=False),
    Index("ix_repo_entry_ams_id", "ams", "id"),
    Index("ix_repo_entry_type_id", "technology_type", "id"),
    Index("ix_repo_entry_level_id", "assessed_level", "id"),
    Index("ix_repo_entry_status_id", "status", "id"),
    Index("ix_repo_entry_status_level_id", "status", "assessed_level", "id"),
    Index("ix_repo_entry_ams_type_id", "ams", "technology_type", "id"),
)

entry_version = Table(
    "repo_entry_version",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("entry_id", String(120), ForeignKey("repo_entry.id"), nullable=False, index=True),
    Column("version", Integer, nullable=False),
    Column("status", String(20), nullable=False),
    Column("document", JSON, nullable=False),
    Column("assessed_level", Integer, nullable=True),
    Column("submission_id", Integer, ForeignKey("repo_submission.id"), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("entry_id", "version", name="uq_repo_entry_version_entry_version"),
)

publication = Table(
    "repo_publication",
    metadata,
    Column("sequence_number", Integer, primary_key=True, autoincrement=False),
    Column("issued_at", DateTime(timezone=True), nullable=False),
    Column("next_update", DateTime(timezone=True), nullable=False),
    Column("entry_count", Integer, nullable=False),
    Column("key_id", String(200), nullable=False),
    Column("sha256", String(64), nullable=False),
    #: the whole signed file: only rows written before lists were kept by reference
    Column("content", LargeBinary, nullable=True),
    #: the payload's JSON text up to and including ``"entries":[``
    Column("head", Text, nullable=True),
    #: SHA-256 digests (32 bytes each, in list order) of the entries' texts in ``repo_list_blob``
    Column("entry_digests", LargeBinary, nullable=True),
    Column("protected", Text, nullable=True),
    Column("signature", Text, nullable=True),
    Column("size", Integer, nullable=True),
)

list_blob = Table(
    "repo_list_blob",
    metadata,
    Column("sha256", LargeBinary(32), primary_key=True),
    Column("content", LargeBinary, nullable=False),
)

api_token = Table(
    "repo_api_token",
    metadata,
    Column("token_sha256", String(64), primary_key=True),
    Column("ams", String(2), nullable=False),
    Column("label", String(200), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked", Boolean, nullable=False, default=False),
)


#: one row per accepted peer review of a proposed level; the signed JWS is in the audit record
review = Table(
    "repo_review",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("entry_id", String(120), ForeignKey("repo_entry.id"), nullable=False, index=True),
    Column("reviewer_ams", String(2), nullable=False),
    Column("level", Integer, nullable=False),
    Column("decision", String(10), nullable=False),
    Column("reason", Text, nullable=False),
    Column("reviewed_at", DateTime(timezone=True), nullable=False),
    Column("submission_id", Integer, ForeignKey("repo_submission.id"), nullable=False),
)


#: every accepted version of each AMS's trust-list pointer (the latest counts); the signed JWS is
#: in the audit record
trust_list_version = Table(
    "repo_trust_list_version",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("ams", String(2), nullable=False, index=True),
    Column("version", Integer, nullable=False),
    Column("pointer", JSON, nullable=False),
    Column("submission_id", Integer, ForeignKey("repo_submission.id"), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("ams", "version", name="uq_repo_trust_list_version_ams_version"),
)

#: every accepted version of each agreement: a document signed by every party, or a withdrawal
agreement_version = Table(
    "repo_agreement_version",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("agreement_id", String(200), nullable=False, index=True),
    Column("version", Integer, nullable=False),
    Column("status", String(20), nullable=False),
    Column("parties", String(100), nullable=False),
    Column("document", JSON, nullable=True),
    Column("reason", Text, nullable=True),
    Column("submission_id", Integer, ForeignKey("repo_submission.id"), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint(
        "agreement_id", "version", name="uq_repo_agreement_version_agreement_id_version"
    ),
)
