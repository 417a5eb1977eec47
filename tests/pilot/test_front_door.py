"""The pilot's routes take the service's front door (eauth_toolkit.web.front): every answer is
the one the full FastAPI stack gives, errors included, and the route list and the OpenAPI
document are unchanged."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from eauth_toolkit.settings import Settings
from eauth_toolkit.web.app import create_app
from eauth_toolkit.web.front import Service

BASE = "http://127.0.0.1:9"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Service:
    tmp: Path = tmp_path_factory.mktemp("front")
    settings = Settings(
        data_dir=tmp, database_url=f"sqlite:///{tmp / 'front.sqlite3'}", base_url=BASE
    )
    return create_app(settings)


def _full_stack(app: Service) -> Any:
    """The same app, every request through FastAPI's whole stack (no front door)."""

    async def full(scope: Any, receive: Any, send: Any) -> None:
        await FastAPI.__call__(app, scope, receive, send)

    return full


REQUESTS: list[tuple[str, str, dict[str, Any]]] = [
    ("GET", "/ams/sg/idp/.well-known/openid-configuration", {}),
    ("GET", "/ams/sg/idp/jwks", {}),
    # OAuth errors: a bad form, an unknown client, a body that is not a form
    ("POST", "/ams/sg/idp/token", {"data": {"grant_type": "authorization_code"}}),
    ("POST", "/ams/sg/idp/token", {"data": {"grant_type": "x", "client_id": "nobody"}}),
    ("POST", "/ams/sg/idp/token", {"json": {"grant_type": "authorization_code"}}),
    ("POST", "/ams/my/idp/token", {"content": b"code=x&code=y"}),
    # the same as a browser would see them (HTML error pages)
    ("GET", "/ams/sg/idp/authorize?client_id=nobody&response_type=code", {}),
    ("GET", "/ams/sg/idp/authorize", {"headers": {"Accept": "text/html"}}),
    ("POST", "/ams/sg/idp/login", {"data": {"rid": "no-such-request"}}),
    # under the prefix, but no route: the full way (404, 405)
    ("GET", "/ams/sg/nowhere", {}),
    ("GET", "/ams/xx/idp/jwks", {}),
    ("DELETE", "/ams/sg/idp/token", {}),
    # body limits and a Content-Length that is not a number
    ("POST", "/ams/sg/idp/token", {"content": b"a=" + b"x" * (2 * 1024 * 1024)}),
    ("POST", "/ams/sg/idp/token", {"content": b"a=b", "headers": {"Content-Length": "x"}}),
]


def _answer(client: TestClient, method: str, path: str, kw: dict[str, Any]) -> tuple[Any, ...]:
    headers = {"Content-Type": "application/x-www-form-urlencoded", **kw.pop("headers", {})}
    if "json" in kw or "data" in kw:
        headers.pop("Content-Type")
    r = client.request(method, path, headers=headers, **kw)
    kept = {
        k: v
        for k, v in r.headers.items()
        if k not in ("date", "set-cookie", "content-length", "dpop-nonce")
    }
    return r.status_code, kept, r.text


@pytest.mark.parametrize(
    ("method", "path", "kw"), REQUESTS, ids=[f"{m} {p}" for m, p, _ in REQUESTS]
)
def test_front_door_answers_as_the_full_stack(
    app: Service, method: str, path: str, kw: dict[str, Any]
) -> None:
    with (
        TestClient(app, base_url=BASE) as front,
        TestClient(_full_stack(app), base_url=BASE) as full,
    ):
        got = _answer(front, method, path, dict(kw))
        want = _answer(full, method, path, dict(kw))
    assert got == want
    assert got[0] < 500, got


def test_pilot_routes_take_the_front_door_and_stay_documented(app: Service) -> None:
    taken: list[str] = []
    stack = app._front_stack or app._build_front()

    async def spy(scope: Any, receive: Any, send: Any) -> None:
        taken.append(scope["path"])
        await stack(scope, receive, send)

    app._front_stack = spy
    try:
        with TestClient(app, base_url=BASE) as client:
            assert client.get("/ams/sg/idp/jwks").status_code == 200
            assert client.get("/ams/sg/nowhere").status_code == 404  # the full way
            assert client.get("/health").status_code == 200  # not a pilot path
    finally:
        app._front_stack = stack
    assert taken == ["/ams/sg/idp/jwks"]
    paths = app.openapi()["paths"]
    assert "/ams/{code}/{part}/token" in paths and "/ams/{code}/idp/authorize" in paths


def test_an_unexpected_error_behind_the_front_door_is_the_services_500(
    app: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A handler that fails unexpectedly: the same 500 answer as through the full stack, and no
    traceback in it."""
    pilot = app.state.pilot

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(pilot.get("sg").idp, "jwks", broken)
    answers = []
    for target in (app, _full_stack(app)):
        with TestClient(target, base_url=BASE, raise_server_exceptions=False) as client:
            r = client.get("/ams/sg/idp/jwks")
            answers.append((r.status_code, r.text))
    assert answers[0] == answers[1]
    assert answers[0][0] == 500
    assert "secret internals" not in answers[0][1] and "Traceback" not in answers[0][1]


def test_a_plain_http_host_name_answers_oauth_errors_not_server_errors(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A sandbox served over plain http on a host name (a demo on a private network): the
    token and authorization endpoints answer as usual (a bad request is an OAuth error, not a
    500), and starting it warns once that its tokens travel unencrypted."""
    import logging

    from pilot_sandbox.web import check

    base = "http://pilot.sandbox.example:8000"
    settings = Settings(
        data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'p.sqlite3'}", base_url=base
    )
    with caplog.at_level(logging.WARNING, logger="pilot_sandbox"):
        check(settings)
    assert "plain http on a non-loopback address" in caplog.text
    with TestClient(create_app(settings), base_url=base) as client:
        r = client.post("/ams/sg/idp/token", data={"grant_type": "authorization_code"})
        assert r.status_code in (400, 401) and "error" in r.json(), r.text
        r = client.get("/ams/sg/idp/authorize", params={"client_id": "nobody"})
        assert r.status_code < 500
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="pilot_sandbox"):
        check(Settings(data_dir=tmp_path, base_url="http://127.0.0.1:8000"))
        check(Settings(data_dir=tmp_path, base_url="https://pilot.sandbox.example"))
    assert caplog.text == ""
