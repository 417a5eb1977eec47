"""Routers of the service, one module per part; each exposes ``install(app, settings)``."""
