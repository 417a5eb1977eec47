"""The pilot's lean routes: one worker thread per request, the same answers as FastAPI's."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import Response
from fastapi.testclient import TestClient

from pilot_sandbox.oidc.errors import OAuthError
from pilot_sandbox.pages import Body, error_response
from pilot_sandbox.routing import PilotRoute
from pilot_sandbox.store import _BATCH, deferred_writes


def _app() -> FastAPI:
    r = APIRouter(route_class=PilotRoute)

    @r.post("/ams/{code}/things/{thing}/echo")
    def echo(request: Request, code: str, thing: str, data: Body) -> dict[str, Any]:
        return {
            "code": code,
            "thing": thing,
            "body": data.decode(),
            "query": request.query_params.get("q"),
            "thread": threading.current_thread().name,
            "batch": _BATCH.get() is not None,
        }

    @r.get("/ams/{code}/fail")
    def fail(code: str) -> Response:
        raise OAuthError("invalid_request", f"no {code}", redirect=False)

    app = FastAPI()
    app.router.routes.extend(r.routes)

    @app.middleware("http")
    async def batch(request: Request, call_next: Any) -> Any:
        with deferred_writes():
            return await call_next(request)

    @app.exception_handler(OAuthError)
    def _oauth(request: Request, exc: OAuthError) -> Response:
        return error_response(request, exc)

    return app


def test_handler_runs_in_a_worker_thread_with_the_request_context() -> None:
    with TestClient(_app()) as client:
        r = client.post(
            "/ams/sg/things/t-1/echo?q=9",
            content=b"a=1",
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
    assert r.status_code == 200
    got = r.json()
    assert got["thread"].startswith("pilot") and got["thread"] != threading.current_thread().name
    assert (got["code"], got["thing"], got["body"], got["query"]) == ("sg", "t-1", "a=1", "9")
    assert got["batch"]  # the request's write batch is visible in the worker thread


def test_errors_methods_and_unknown_paths_answer_as_before() -> None:
    with TestClient(_app()) as client:
        failed = client.get("/ams/sg/fail")
        assert failed.status_code == 400 and "no sg" in failed.text
        assert client.get("/ams/sg/things/t-1/echo").status_code == 405
        assert client.post("/ams/sg/things/t-1/echox").status_code == 404
        big = client.post(
            "/ams/sg/things/t-1/echo",
            content=b"a" * (64 * 1024 + 1),
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
        assert big.status_code == 400 and "larger than 65536 bytes" in big.text


def test_only_plain_functions_of_path_parameters() -> None:
    r = APIRouter(route_class=PilotRoute)

    async def coroutine(code: str) -> None:
        return None

    def not_in_path(code: str, other: str) -> None:
        return None

    with pytest.raises(TypeError, match="plain functions"):
        r.add_api_route("/ams/{code}/a", coroutine)
    with pytest.raises(TypeError, match="other must be path"):
        r.add_api_route("/ams/{code}/b", not_in_path)
