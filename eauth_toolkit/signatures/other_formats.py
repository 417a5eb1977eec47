"""Signatures outside PDF: CMS (CAdES), JWS (JAdES) and XML (XAdES)."""

from __future__ import annotations

from pathlib import Path

from eauth_toolkit.signatures.models import FileReport
from eauth_toolkit.signatures.pades import ValidationOptions

__all__ = ["validate"]


async def validate(
    fmt: str, source: Path | bytes, options: ValidationOptions, *, name: str
) -> FileReport:
    return FileReport(
        file=name,
        format=None,
        error=f"cannot read: {fmt} validation is not available in this version",
    )
