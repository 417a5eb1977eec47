"""The trust picture a published list carries beside its entries.

- ``trust_lists``: per AMS, where its trust list of licensed certification authorities (ETSI TS 119
  612) is, its SHA-256 digest and the certificate that signs it, so the Repository List works as a
  list of trusted lists;
- ``agreements``: the mutual-recognition agreement documents, each as signed by every party (the
  JWS JSON general serialization, unchanged), with the status the publisher found;
- ``levels``: per entry, the proposed, assessed and agreed level with the reviews behind it.

Entries (with their OpenID issuer and ``acr`` vocabulary) are the list's ``entries``. A consumer
checks every agreement's signatures itself (:mod:`eauth_toolkit.recognition.trust`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field

from eauth_toolkit.ams import AmsCode, Iso29115Level
from eauth_toolkit.errors import InputError

__all__ = [
    "TrustListPointer",
    "SignedAgreement",
    "ReviewItem",
    "LevelReview",
    "TrustPicture",
    "trust_list_pointers",
    "trust_picture",
]

Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TrustListPointer(_Model):
    """Where an AMS's trust list is and how to check it (TS 119 612 pointer to another list)."""

    ams: AmsCode
    location: str = Field(
        min_length=1,
        max_length=2000,
        description="URL, or a path relative to the folder of the list's data (sandbox)",
    )
    sha256: Sha256 = Field(description="SHA-256 of the trust list file")
    signer_certificate: str = Field(
        min_length=1, max_length=20_000, description="PEM certificate that signs the trust list"
    )
    sandbox: bool = False


class SignedAgreement(_Model):
    """An agreement document as its parties signed it (RFC 7515 general JSON serialization)."""

    id: str = Field(min_length=1, max_length=200)
    parties: list[AmsCode]
    in_force: bool = Field(description="as found by the publisher on issue; consumers recheck")
    document: dict[str, Any]


class ReviewItem(_Model):
    reviewer: AmsCode
    level: Iso29115Level
    decision: str
    reason: str
    at: str
    submission: int | None = None


class LevelReview(_Model):
    """The peer review state of one entry's proposed level."""

    entry: str
    ams: AmsCode
    proposed_level: int | None = None
    assessed_level: int | None = None
    state: str
    agreed_level: int | None = None
    endorsed_by: list[AmsCode] = Field(default_factory=list)
    objections: list[dict[str, str]] = Field(default_factory=list)
    policy: str
    reviews: list[ReviewItem] = Field(default_factory=list)


class TrustPicture(_Model):
    trust_lists: list[TrustListPointer] = Field(default_factory=list)
    agreements: list[SignedAgreement] = Field(default_factory=list)
    levels: list[LevelReview] = Field(default_factory=list)


def trust_list_pointers(repository_dir: Path) -> list[dict[str, Any]]:
    """Pointers to the AMS trust lists registered beside the repository data."""
    folder = repository_dir / "trust-lists"
    index_path = folder / "index.yaml"
    if not index_path.exists():
        return []
    try:
        index = yaml.safe_load(index_path.read_text(encoding="utf-8")) or {}
        out = []
        for ams, item in sorted((index.get("lists") or {}).items()):
            data = (folder / item["file"]).read_bytes()
            out.append(
                {
                    "ams": ams,
                    "location": f"trust-lists/{item['file']}",
                    "sha256": hashlib.sha256(data).hexdigest(),
                    "signer_certificate": (folder / item["signer"]).read_text(encoding="ascii"),
                    "sandbox": bool(index.get("sandbox")),
                }
            )
    except (OSError, KeyError, TypeError, AttributeError, yaml.YAMLError) as exc:
        raise InputError(
            f"cannot read the trust list register: {exc}", where=str(index_path)
        ) from None
    return out


def trust_picture(store: Any, repository_dir: Path, *, on: dt.date | None = None) -> dict[str, Any]:
    """The ``trust`` section of the next list, as plain JSON data."""
    from eauth_toolkit.recognition.caps import local_agreements
    from eauth_toolkit.recognition.sandbox import agreement_documents
    from eauth_toolkit.repository.reviews import all_level_statuses, load_review_policy

    day = on or dt.datetime.now(dt.UTC).date()
    statuses = local_agreements(repository_dir, on=day)
    documents = agreement_documents(repository_dir)
    agreements = [
        {"id": st.id, "parties": list(st.agreement.parties), "in_force": st.in_force, "document": d}
        for st, d in zip(statuses, documents, strict=True)
    ]
    levels = all_level_statuses(
        store, agreements=statuses, default=load_review_policy(repository_dir)
    )
    picture = {
        "trust_lists": trust_list_pointers(repository_dir),
        "agreements": agreements,
        "levels": [
            {
                k: v
                for k, v in s.to_dict().items()
                if k not in ("reason", "reviewers", "endorsements_needed")
            }
            | {
                "reviews": [
                    {k: v for k, v in r.to_dict().items() if k != "entry" and k != "authority"}
                    for r in s.reviews
                ]
            }
            for s in levels.values()
            if s.proposed is not None
        ],
    }
    return TrustPicture.model_validate(picture).model_dump(mode="json")
