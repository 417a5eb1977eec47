"""Build the app in a service worker process from the settings the parent process built."""

from __future__ import annotations

from fastapi import FastAPI

from eauth_toolkit.settings import Settings
from eauth_toolkit.web.app import create_app

__all__ = ["app_from_settings"]


def app_from_settings(settings_json: str) -> FastAPI:
    """``create_app`` for :class:`~eauth_toolkit.settings.Settings` serialized as JSON (the form in
    which they cross to worker processes; see :func:`eauth_toolkit.web.serving.serve`)."""
    return create_app(Settings.from_json(settings_json))
