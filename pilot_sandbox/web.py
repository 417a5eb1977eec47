"""Mounts the pilot sandbox (IdPs, gateways, demo services, report) into the service."""

from __future__ import annotations

from fastapi import FastAPI

from eauth_toolkit.settings import Settings

__all__ = ["install"]


def install(app: FastAPI, settings: Settings) -> None:
    return None
