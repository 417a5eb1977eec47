"""The service: FastAPI app factory and the routers of each part."""

from eauth_toolkit.web.app import create_app

__all__ = ["create_app"]
