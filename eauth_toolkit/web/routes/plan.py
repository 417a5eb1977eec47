"""Routes of the plan part (/plan page, /api/plan/report)."""

from __future__ import annotations

from fastapi import FastAPI

from eauth_toolkit.settings import Settings

__all__ = ["install"]


def install(app: FastAPI, settings: Settings) -> None:
    """Add this part's routers and pages to the service."""
    return None
