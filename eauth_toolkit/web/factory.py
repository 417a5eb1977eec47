"""Build the app from the environment (used by uvicorn workers started by ``eauth sandbox serve``)."""

from __future__ import annotations

import os

from fastapi import FastAPI

from eauth_toolkit.settings import Settings
from eauth_toolkit.web.app import create_app

__all__ = ["app_from_env"]


def app_from_env() -> FastAPI:
    return create_app(Settings(load_samples=os.environ.get("EAUTH_NO_SAMPLES") != "1"))
