"""Signatures outside PDF: CMS (CAdES), JWS (JAdES) and XML (XAdES)."""

from __future__ import annotations

from pathlib import Path

from eauth_toolkit.signatures.models import FileReport
from eauth_toolkit.signatures.pades import ValidationOptions

__all__ = ["validate"]


async def validate(
    fmt: str, source: Path | bytes, options: ValidationOptions, *, name: str
) -> FileReport:
    """Dispatch to the validator of ``fmt``; every outcome is a report, never an exception."""
    try:
        if fmt == "CAdES":
            from eauth_toolkit.signatures.cades import validate_cms

            return await validate_cms(source, options, name=name)
        if fmt == "JAdES":
            from eauth_toolkit.signatures.jades import validate_jws

            return await validate_jws(source, options, name=name)
        from eauth_toolkit.signatures.xades import validate_xml

        return await validate_xml(source, options, name=name)
    except RecursionError:
        return FileReport(file=name, format=None, error="cannot read: structure nested too deeply")
    except Exception as exc:
        return FileReport(file=name, format=None, error=f"cannot read: {type(exc).__name__}: {exc}")
