"""The AMS authority's side: stamp a plan or report (sequence, issued_at, jti) and sign it."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from joserfc.jwk import Key

from eauth_toolkit.repository.jose import sign_compact
from eauth_toolkit.repository.signing import stamp_submission

__all__ = ["sign_scheme_document"]


def sign_scheme_document(
    document: dict[str, Any], key: Key, *, sequence: int, now: dt.datetime | None = None
) -> str:
    """A compact JWS (typ ``eauth-laws-submission+jws``) of the stamped document."""
    from eauth_toolkit.laws.store import LAWS_TYP

    stamped = stamp_submission(document, sequence=sequence, now=now)
    payload = json.dumps(stamped, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return sign_compact(payload, key, typ=LAWS_TYP)
