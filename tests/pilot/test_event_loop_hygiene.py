"""No database call and no blocking HTTP call holds the event loop: the pilot's handlers are plain
functions run in worker threads, and a whole cross-border sign-in (both profiles, refused steps
included) opens no database connection on the event loop's thread."""

from __future__ import annotations

import asyncio
import inspect
import threading
from typing import Any

import httpx
from fastapi.routing import APIRoute
from pilot_helpers import pilot_of
from sqlalchemy import event

from pilot_sandbox.pages import body
from pilot_sandbox.runner import FlowPlan, drive_flow


def _in_event_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def _api_routes(routes: list[Any]) -> list[APIRoute]:
    """Every API route, also inside included routers."""
    out: list[APIRoute] = []
    for r in routes:
        if isinstance(r, APIRoute):
            out.append(r)
        elif getattr(r, "original_router", None) is not None:
            out += _api_routes(r.original_router.routes)
    return out


def test_pilot_routes_are_plain_functions(pilot_server: Any) -> None:
    app = pilot_server.server.config.app
    routes = [
        r
        for r in _api_routes(app.router.routes)
        if r.path.startswith(("/ams/", "/pilot", "/.well-known"))
    ]
    assert len(routes) > 20
    for route in routes:
        assert not inspect.iscoroutinefunction(route.endpoint), route.path
        for dep in route.dependant.dependencies:
            # the one async dependency only reads the body from the ASGI stream
            assert not inspect.iscoroutinefunction(dep.call) or dep.call is body, route.path


def test_a_sign_in_opens_no_database_connection_on_the_event_loop(
    pilot_server: Any, client: httpx.Client
) -> None:
    pilot = pilot_of(pilot_server)
    on_loop: list[str] = []

    def checkout(*_: Any) -> None:
        if _in_event_loop():
            on_loop.append(threading.current_thread().name)

    event.listen(pilot.store.engine, "checkout", checkout)
    try:
        for plan in (
            FlowPlan("MY", "tax-filing", "SG", "tan.mei.ling"),
            FlowPlan("SG", "company-registration", "MY", "siti.rahman"),
            FlowPlan("MY", "tax-filing", "SG", "tan.mei.ling", consent="deny"),
        ):
            drive_flow(client, pilot_server.url, plan)
        client.get(f"{pilot_server.url}/pilot/report.json")
    finally:
        event.remove(pilot.store.engine, "checkout", checkout)
    ends = [e for e in pilot.store.events() if e["step"] == "flow.end"]
    assert [e["outcome"] for e in ends] == ["ok", "ok", "fail"]
    assert on_loop == []
