from __future__ import annotations

import json
import logging
import logging.config
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from eauth_toolkit import __version__
from eauth_toolkit.settings import Settings
from eauth_toolkit.web.app import create_app
from eauth_toolkit.web.routes.loa import MAX_PROFILE_BYTES
from eauth_toolkit.web.serving import log_config

HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
PROFILE = Path(__file__).resolve().parents[1] / "examples" / "loa" / "github-passkey.json"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    tmp = tmp_path_factory.mktemp("service")
    app = create_app(Settings(data_dir=tmp, database_url=f"sqlite:///{tmp}/db.sqlite3"))

    @app.get("/broken-page", include_in_schema=False)
    def broken() -> None:
        raise RuntimeError("secret internal detail")

    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def test_health_and_openapi(client: TestClient) -> None:
    r = client.get("/health")
    assert r.status_code == 200 and r.json() == {"status": "ok", "version": __version__}
    assert client.get("/openapi.json").json()["info"]["title"] == "eauth-toolkit"
    assert "eauth-toolkit" in client.get("/").text


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_docs_pages_load_only_local_assets(client: TestClient, path: str) -> None:
    page = client.get(path)
    assert page.status_code == 200
    refs = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    refs += re.findall(r"url: '([^']+)'", page.text)
    assert refs and all(r.startswith("/") for r in refs), refs
    for ref in refs:
        asset = client.get(ref)
        assert asset.status_code == 200 and len(asset.content) > 100, ref
        assert b"cdn.redoc.ly" not in asset.content and b"cdn.jsdelivr" not in asset.content, ref


def test_icon(client: TestClient) -> None:
    for path in ("/favicon.ico", "/favicon.svg"):
        r = client.get(path)
        assert r.status_code == 200 and r.headers["content-type"].startswith("image/svg+xml")
        assert r.text.startswith("<svg")


def test_services_index_overall_and_per_ams(client: TestClient) -> None:
    overall = client.get("/services/", headers=HTML)
    assert overall.status_code == 200 and overall.headers["content-type"].startswith("text/html")
    assert 'href="/ams/my/services/tax-filing"' in overall.text
    assert 'href="/ams/sg/services/company-registration"' in overall.text
    mine = client.get("/ams/my/services/", headers=HTML)
    assert mine.status_code == 200 and "Tax filing (SANDBOX)" in mine.text
    assert "company-registration" not in mine.text
    assert "ISO/IEC 29115 level 3" in mine.text
    assert "accept the national digital ID of SG up to level 3" in mine.text
    assert client.get("/ams/MY/services/").status_code == 200
    unknown = client.get("/ams/zz/services/", headers=HTML)
    assert unknown.status_code == 404 and "not a participant of this pilot" in unknown.text


def test_html_routes_answer_errors_with_pages(client: TestClient) -> None:
    missing = client.get("/no/such/page", headers=HTML)
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("text/html")
    assert "nothing at /no/such/page" in missing.text and 'href="/repository"' in missing.text
    wrong = client.delete("/plan", headers=HTML)
    assert wrong.status_code == 405 and "DELETE is not allowed on /plan" in wrong.text
    bad = client.get("/plan", params={"as_of": "2026-13-01"}, headers=HTML)
    assert bad.status_code == 422 and "as_of: malformed date" in bad.text
    failed = client.get("/broken-page", headers=HTML)
    assert failed.status_code == 500 and failed.headers["content-type"].startswith("text/html")
    assert "secret internal detail" not in failed.text and "Traceback" not in failed.text


def test_api_answers_errors_with_problem_documents(client: TestClient) -> None:
    for method, path, status in [
        ("GET", "/api/nothing", 404),
        ("DELETE", "/api/loa/map", 405),
        ("GET", "/no/such/page", 404),  # a program that does not ask for HTML
    ]:
        r = client.request(method, path, headers=HTML if path.startswith("/api/") else {})
        assert r.status_code == status
        assert r.headers["content-type"] == "application/problem+json"
        doc = r.json()
        assert doc["status"] == status and doc["type"] == "about:blank" and doc["title"]
        assert path in doc["detail"]
    failed = client.get("/broken-page")
    assert failed.status_code == 500 and "secret" not in failed.text
    assert failed.json()["detail"] == "the service failed on /broken-page; see its log"


def test_invalid_fields_name_the_field(client: TestClient) -> None:
    r = client.get("/api/loa/map")  # no level
    assert r.status_code == 422
    doc = r.json()
    assert doc["detail"].startswith("level: ") and doc["errors"][0]["field"] == "level"
    r = client.post("/api/signatures/verify", data={"ams": "MY"}, files={"x": ("a", b"b")})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "file"


def test_wrong_media_types_are_415(client: TestClient) -> None:
    jpeg = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + bytes(2000)
    r = client.post("/api/signatures/verify", files={"file": ("photo.jpg", jpeg, "image/jpeg")})
    assert r.status_code == 415
    assert r.json()["detail"].startswith("file: photo.jpg is not a signed PDF")
    r = client.post("/api/signatures/verify", json={"file": "x"})
    assert r.status_code == 415 and "expected multipart/form-data" in r.json()["detail"]
    body = PROFILE.read_bytes()
    r = client.post("/api/loa/assess", content=body, headers={"Content-Type": "text/plain"})
    assert r.status_code == 415 and "expected application/json" in r.json()["detail"]
    ok = client.post("/api/loa/assess", content=body, headers={"Content-Type": "application/json"})
    assert ok.status_code == 200 and ok.json()["results"]["iso29115-2013"]["overall"]["reachable"]
    page = client.post(
        "/signatures/check", files={"file": ("photo.jpg", jpeg, "image/jpeg")}, headers=HTML
    )
    assert (
        page.status_code == 415 and 'id="problem"' in page.text and 'id="check-form"' in page.text
    )


def test_oversized_profile_is_refused(client: TestClient) -> None:
    profile = json.loads(PROFILE.read_text())
    profile["name"] = "x" * (20 * 1024 * 1024)
    r = client.post("/api/loa/assess", json=profile)
    assert r.status_code == 413 and str(MAX_PROFILE_BYTES // 1024) in r.json()["detail"]
    assert len(r.content) < 1000  # not echoed


def test_access_log_writes_uvicorns_line_in_batches() -> None:
    """One line per request, as uvicorn's access log writes it (time, client, request line,
    status and phrase), collected and written together: not at once, within the interval, and
    whatever is left when the service stops."""
    import asyncio
    import io
    import time

    from uvicorn.logging import AccessFormatter

    from eauth_toolkit.web.accesslog import DATE_FORMAT, AccessLog, access_line

    assert log_config()["loggers"]["uvicorn.access"]["level"] == "WARNING"  # ours, not uvicorn's

    async def app(scope, receive, send):  # type: ignore[no-untyped-def]
        if scope["type"] == "lifespan":
            await receive()
            await send({"type": "lifespan.shutdown.complete"})
            return
        status = int(scope["path"].rsplit("/", 1)[1])
        await send({"type": "http.response.start", "status": status, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    out = io.StringIO()
    log = AccessLog(app, stream=out, interval=0.3)

    def scope(path: str, query: bytes) -> dict:  # type: ignore[type-arg]
        return {
            "type": "http",
            "method": "GET",
            "path": path,
            "query_string": query,
            "http_version": "1.1",
            "client": ("127.0.0.1", 5000),
        }

    async def call(s: dict) -> None:  # type: ignore[type-arg]
        async def receive() -> dict:  # type: ignore[type-arg]
            return {"type": "http.request", "body": b""}

        async def send(m: dict) -> None:  # type: ignore[type-arg]
            return None

        await log(s, receive, send)

    requests = [("/plan/200", b"x=1&y=%C3%A9"), ("/a b/303", b""), ("/x/599", b"")]
    for path, query in requests:
        asyncio.run(call(scope(path, query)))
    assert out.getvalue() == ""  # nothing written while the requests were answered
    deadline = time.monotonic() + 5
    while out.getvalue().count("\n") < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    lines = out.getvalue().splitlines()
    formatter = AccessFormatter(
        '%(asctime)s %(client_addr)s "%(request_line)s" %(status_code)s',
        datefmt=DATE_FORMAT,
        use_colors=False,
    )
    from uvicorn.protocols.utils import get_client_addr, get_path_with_query_string

    for line, (path, query) in zip(lines, requests, strict=True):
        s = scope(path, query)
        record = logging.LogRecord(
            "uvicorn.access", logging.INFO, "", 0, '%s - "%s %s HTTP/%s" %d', None, None
        )
        status = int(path.rsplit("/", 1)[1])
        record.args = (get_client_addr(s), "GET", get_path_with_query_string(s), "1.1", status)
        expected = formatter.format(record)
        # the same line to the letter, apart from the second it was taken in
        assert line.split(" ", 1)[1] == expected.split(" ", 1)[1], (line, expected)
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}", line.split(" ")[0])
        taken = time.mktime(time.strptime(line.split(" ")[0], DATE_FORMAT))
        assert access_line(s, status, taken) == line + "\n"
    assert lines[1].endswith('"GET /a%20b/303 HTTP/1.1" 303 See Other')
    assert lines[2].endswith('"GET /x/599 HTTP/1.1" 599 ')

    # what is waiting when the service stops is written before it has stopped
    slow = AccessLog(app, stream=out, interval=60)
    before = out.getvalue()
    log_call = slow

    async def one_then_stop() -> None:
        async def receive() -> dict:  # type: ignore[type-arg]
            return {"type": "lifespan.shutdown"}

        async def send(m: dict) -> None:  # type: ignore[type-arg]
            if m["type"] == "lifespan.shutdown.complete":
                assert out.getvalue() != before  # flushed first
            return None

        async def noop_receive() -> dict:  # type: ignore[type-arg]
            return {"type": "http.request", "body": b""}

        await log_call(scope("/late/200", b""), noop_receive, send)
        assert out.getvalue() == before
        await log_call({"type": "lifespan"}, receive, send)

    asyncio.run(one_then_stop())
    assert out.getvalue().endswith('"GET /late/200 HTTP/1.1" 200 OK\n')
    from eauth_toolkit.cli import app as cli

    help_text = CliRunner().invoke(cli, ["sandbox", "serve", "--help"], terminal_width=200).output
    assert "--no-access-log" in help_text


def test_openapi_documents_the_problem_documents(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    assess = doc["paths"]["/api/loa/assess"]["post"]["responses"]["422"]["content"]
    assert list(assess) == ["application/problem+json"]
    schema = doc["components"]["schemas"]["ProblemDetails"]
    assert set(schema["required"]) == {"type", "title", "status", "detail"}
    invalid = client.get("/api/loa/map").json()
    assert set(schema["required"]) <= set(invalid)


_PIN = """
import sys, time
from pathlib import Path
from eauth_toolkit.web.serving import pin_to_one_cpu
import os
cpu = pin_to_one_cpu(Path(sys.argv[1]))
print(cpu, sorted(os.sched_getaffinity(0)), flush=True)
time.sleep(float(sys.argv[2]))
"""


def test_each_worker_process_is_pinned_to_a_cpu_of_its_own(tmp_path: Path) -> None:
    """Workers take CPU slots 0, 1, ... (a lock per slot); a slot comes free when its process
    ends. Run in child processes: pinning is for the whole process."""
    import os
    import subprocess
    import sys

    usable = sorted(os.sched_getaffinity(0))

    def start(hold: float) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-c", _PIN, str(tmp_path), str(hold)],
            stdout=subprocess.PIPE,
            text=True,
        )

    first = start(5)
    cpu1, affinity1 = first.stdout.readline().split(" ", 1)  # type: ignore[union-attr]
    second = start(0)
    cpu2, affinity2 = second.stdout.readline().split(" ", 1)  # type: ignore[union-attr]
    second.wait(timeout=30)
    if len(usable) < 2:
        assert cpu1 == cpu2 == "None"  # nothing to choose from: left as it is
        first.kill()
        return
    assert int(cpu1) == usable[0] and affinity1.strip() == f"[{usable[0]}]"
    assert int(cpu2) == usable[1] and affinity2.strip() == f"[{usable[1]}]"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cpu-slot-0.lock", "cpu-slot-1.lock"]
    # slot 1 is free again: the next worker takes it, while slot 0 stays held
    third = start(0)
    assert int(third.stdout.readline().split(" ", 1)[0]) == usable[1]  # type: ignore[union-attr]
    third.wait(timeout=30)
    first.kill()
    first.wait(timeout=30)
    # and slot 0 once its process has gone
    fourth = start(0)
    assert int(fourth.stdout.readline().split(" ", 1)[0]) == usable[0]  # type: ignore[union-attr]
    fourth.wait(timeout=30)
    from eauth_toolkit.cli import app

    help_text = CliRunner().invoke(app, ["sandbox", "serve", "--help"], terminal_width=200).output
    assert "--no-pin-cpu" in help_text
