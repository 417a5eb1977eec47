"""Mounts the pilot sandbox (IdPs, gateways, demo services, report) into the service."""

from __future__ import annotations

import gc
import os

from fastapi import FastAPI, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from eauth_toolkit.settings import Settings
from eauth_toolkit.web.app import add_home_link
from eauth_toolkit.web.templating import add_nav_link
from pilot_sandbox.oidc.errors import OAuthError
from pilot_sandbox.pages import error_response
from pilot_sandbox.store import deferred_writes

__all__ = ["install", "check", "PAGES", "WORKER_HEADER"]

#: what ``eauth sandbox serve`` lists at start: (path, what it is)
PAGES = [
    ("/services/", "pilot: the demo services of each AMS"),
    ("/ams/my/services/tax-filing", "pilot: a Malaysian service, sign in from Singapore"),
    ("/ams/sg/services/company-registration", "pilot: a Singapore service, sign in from Malaysia"),
    ("/pilot/report", "pilot report"),
]

#: response header naming the worker process that served a pilot request
WORKER_HEADER = "X-Eauth-Worker"

_frozen = False


class PilotRequests:
    """ASGI middleware for the pilot's requests: collect the store writes of each request and
    commit them in one transaction before its response starts (see
    :func:`~pilot_sandbox.store.deferred_writes`; the handlers commit in their worker thread, and
    what is left is committed in a worker thread too, never in the event loop), and name the
    worker process on every response (``X-Eauth-Worker``)."""

    def __init__(self, app: ASGIApp, pid: str) -> None:
        self.app = app
        self.header = (WORKER_HEADER.lower().encode(), pid.encode())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(("/ams/", "/pilot")):
            await self.app(scope, receive, send)
            return

        with deferred_writes() as batch:

            async def send_with_header(message: Message) -> None:
                if message["type"] == "http.response.start":
                    # the response may name state (a code, a state, a request id) that the next
                    # request, on any worker, must find: commit before the client sees it
                    if batch:
                        await run_in_threadpool(batch.flush)
                    message.setdefault("headers", [])
                    message["headers"] = [*message["headers"], self.header]
                await send(message)

            try:
                await self.app(scope, receive, send_with_header)
            finally:
                if batch:
                    await run_in_threadpool(batch.flush)


def check(settings: Settings) -> None:
    """Read the pilot configuration once before the service starts: a bad file stops it with
    one line naming the key."""
    import logging

    from pilot_sandbox.config import load_pilot_config
    from pilot_sandbox.sandbox import plain_http_warning

    load_pilot_config(settings.pilot_config)
    warning = plain_http_warning(settings.base_url)
    if warning:
        logging.getLogger("pilot_sandbox").warning("%s", warning)


def install(app: FastAPI, settings: Settings) -> None:
    """Build the pilot from ``settings`` (configuration, store, keys, trust configuration) and add
    its routes. Bad configuration raises :class:`PilotError` naming the key, so start-up stops."""
    from pilot_sandbox import (
        report,
        routes_gateways,
        routes_idp,
        routes_oauth,
        routes_services,
        services_index,
    )
    from pilot_sandbox.sandbox import Pilot

    pilot = Pilot(settings)
    app.state.pilot = pilot
    routers = (
        routes_oauth.router(pilot),
        routes_idp.router(pilot),
        routes_gateways.router(pilot),
        routes_services.router(pilot),
        report.router(pilot),
    )
    # the pilot's paths (/ams/..., /pilot/...) overlap no other part's: match them first, since a
    # sign-in makes 17 requests to them. Their routes go into the app's route list as they are
    # (no prefix, no router-level dependency to add): matched through included routers, a
    # late pilot route cost about twice as much (64 us per request, 31 us directly).
    pilot_routes = [route for r in routers for route in r.routes]
    app.router.routes[0:0] = pilot_routes
    # and a sign-in's requests take the service's front door (its own middleware, not
    # FastAPI's per-request layers: see eauth_toolkit.web.front)
    if hasattr(app, "add_front"):
        app.add_front(
            "/ams/", [r for r in pilot_routes if getattr(r, "path", "").startswith("/ams/")]
        )
    services_index.install(app, settings)
    add_nav_link(app, "/services/", "Pilot services")
    add_nav_link(app, "/pilot/report", "Pilot report")
    app.add_middleware(PilotRequests, pid=str(os.getpid()))
    # the back channel's connection pool opens and closes with the service
    app.router.on_startup.append(pilot.backchannel.open)
    app.router.on_shutdown.append(pilot.backchannel.close)
    # and the store's connections (every worker thread keeps one on SQLite)
    app.router.on_shutdown.append(pilot.store.close)

    @app.exception_handler(OAuthError)
    def _oauth_error(request: Request, exc: OAuthError) -> Response:
        return error_response(request, exc)

    for a in pilot.ams.values():
        for s in a.participant.services:
            add_home_link(
                app,
                f"/ams/{a.slug}/services/{s.id}",
                f"{s.name} ({a.code})",
                "pilot demo service (sandbox)",
            )
    add_home_link(
        app,
        "/pilot/report",
        "Pilot report",
        "mutual-recognition pilot, built from the recorded flows",
    )
    _freeze_start_up_objects()


def _freeze_start_up_objects() -> None:
    """Move the objects built at start-up (modules, routes, models, keys: some 190,000) out of the
    collector's reach, once per process. They live as long as the process; without this, each full
    collection walks them all and holds a worker's event loop for about 100 ms, the slowest 1 to 2
    percent of sign-ins. Later objects are collected as usual."""
    global _frozen
    if not _frozen:
        _frozen = True
        gc.freeze()
