"""The authority's side of a submission: stamp the document and sign it as a compact JWS."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from joserfc.jwk import Key

from eauth_toolkit.repository.jose import sign_compact

__all__ = ["stamp_submission", "sign_submission"]


def stamp_submission(
    document: dict[str, Any],
    *,
    sequence: int,
    now: dt.datetime | None = None,
    jti: str | None = None,
) -> dict[str, Any]:
    """A copy of ``document`` with its replay protection: ``sequence``, ``issued_at``, ``jti``."""
    now = now or dt.datetime.now(dt.UTC)
    out = dict(document)
    out["sequence"] = sequence
    out["issued_at"] = now.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    out["jti"] = jti or str(uuid.uuid4())
    return out


def sign_submission(
    document: dict[str, Any],
    key: Key,
    *,
    sequence: int | None = None,
    now: dt.datetime | None = None,
    jti: str | None = None,
) -> str:
    """Sign a submission document; stamp it first when ``sequence`` is given."""
    if sequence is not None:
        document = stamp_submission(document, sequence=sequence, now=now, jti=jti)
    payload = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return sign_compact(payload, key)
