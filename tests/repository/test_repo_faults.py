"""Faults of the machine are reported, not thrown: disk full, read-only folder or database,
database unreachable. The CLI prints one line and exits 2, the API answers an RFC 9457 problem
document with 503 or 507, the service starts and names the database; nothing is lost.

Each fault is real where the machine allows it (SQLite opened read-only, SQLite's own "database
or disk is full" through ``max_page_count``, a PostgreSQL URL to a closed port); a full disk and
a read-only folder under the list file are injected at the OS boundary (``os.write``,
``os.open``) so the tests do not need a special file system.
"""

from __future__ import annotations

import errno
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import event

from eauth_toolkit.cli import main
from eauth_toolkit.repository.keys import AuthorityRegistry
from eauth_toolkit.repository.samples import publisher_key_path
from eauth_toolkit.repository.signing import sign_submission
from eauth_toolkit.repository.store import RepositoryStore, StoreUnavailable
from eauth_toolkit.settings import Settings
from eauth_toolkit.web import limits
from eauth_toolkit.web.app import create_app
from eauth_toolkit.web.routes.repository import STORE_STATE_KEY, install
from tests.helpers import free_port
from tests.repository.conftest import REPOSITORY_DIR, Authorities, make_document, make_entry
from tests.repository.test_repo_api import repository_dir_for

KEY = str(publisher_key_path(REPOSITORY_DIR))


class Cli:
    def __init__(self, capsys: pytest.CaptureFixture[str], registry: Path) -> None:
        self.capsys = capsys
        self.registry = registry

    def __call__(self, *args: str, url: str) -> tuple[int, str, str]:
        code = 0
        try:
            main(["repo", *args, "--database-url", url, "--authorities", str(self.registry)])
        except SystemExit as exc:
            code = int(exc.code or 0)
        out, err = self.capsys.readouterr()
        return code, out, err


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], authorities: Authorities) -> Cli:
    return Cli(capsys, authorities.registry_path)


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert "Traceback" not in err
    return lines[0]


def _closed_port_url() -> str:
    return f"postgresql+psycopg://eauth:secret@127.0.0.1:{free_port()}/eauth"


def _filled(url: str, authorities: Authorities) -> RepositoryStore:
    store = RepositoryStore.open(url, authorities.registry)
    doc = make_document("SG", [make_entry("SG", "a")])
    store.submit(sign_submission(doc, authorities.keys["SG"], sequence=1))
    return store


def test_publish_to_a_folder_or_an_unwritable_path_is_one_line(
    cli: Cli, tmp_path: Path, authorities: Authorities
) -> None:
    url = f"sqlite:///{tmp_path / 'r.sqlite3'}"
    store = _filled(url, authorities)
    folder = tmp_path / "a-folder"
    folder.mkdir()
    code, _, err = cli("publish", "--key", KEY, "--out", str(folder), url=url)
    assert code == 2 and "is a folder" in one_line(err)
    not_a_folder = tmp_path / "plain-file"
    not_a_folder.write_text("x")
    code, _, err = cli("publish", "--key", KEY, "--out", str(not_a_folder / "l.json"), url=url)
    assert code == 2 and "cannot write the list file here" in one_line(err)
    code, _, err = cli(
        "publish", "--key", KEY, "--out", str(tmp_path / "l.json"), "--mode", "9", url=url
    )
    assert code == 2 and "--mode" in one_line(err)
    assert store.publications() == []  # no number was used by a refused publication
    store.close()


def test_a_read_only_folder_and_a_full_disk_under_the_list_file(
    cli: Cli, tmp_path: Path, authorities: Authorities, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'r.sqlite3'}"
    store = _filled(url, authorities)
    out_dir = tmp_path / "published"
    out_dir.mkdir()
    out = out_dir / "list.json"
    real_open, real_write = os.open, os.write

    def read_only(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if str(path).startswith(str(out_dir)) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
        return real_open(path, flags, *args, **kwargs)

    with monkeypatch.context() as m:
        m.setattr(os, "open", read_only)
        code, _, err = cli("publish", "--key", KEY, "--out", str(out), url=url)
    assert code == 2 and "Read-only file system" in one_line(err) and str(out) in err
    assert store.publications() == []

    def disk_full(fd: int, data: Any) -> int:
        if os.readlink(f"/proc/self/fd/{fd}").startswith(str(out_dir)):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(fd, data)

    with monkeypatch.context() as m:
        m.setattr(os, "write", disk_full)
        code, _, err = cli("publish", "--key", KEY, "--out", str(out), url=url)
    line = one_line(err)
    assert code == 2 and "No space left on device" in line and "list #1 is recorded" in line
    assert "eauth repo export" in line
    assert not out.exists() and [p.name for p in out_dir.iterdir() if p.suffix == ".tmp"] == []
    # once there is room again the recorded list is written, the same bytes
    code, out_text, err = cli("export", "--out", str(out), url=url)
    assert code == 0 and "holds list #1" in out_text, err
    assert out.read_bytes() == store.publication_content(1)
    assert (out.stat().st_mode & 0o777) == 0o644
    store.close()


def test_an_unreachable_or_read_only_database_is_one_line(
    cli: Cli, tmp_path: Path, authorities: Authorities
) -> None:
    doc = tmp_path / "doc.json"
    import json

    doc.write_text(json.dumps(make_document("SG")))
    sg_key = str(authorities.key_paths["SG"])
    closed = _closed_port_url()
    for args in (
        ("submit", str(doc), "--key", sg_key),
        ("publish", "--key", KEY, "--out", str(tmp_path / "l.json")),
        ("list",),
        ("audit",),
    ):
        code, _, err = cli(*args, url=closed)
        line = one_line(err)
        assert code == 2 and "cannot open the store" in line and "secret" not in line
    path = tmp_path / "r.sqlite3"
    _filled(f"sqlite:///{path}", authorities).close()
    read_only = f"sqlite:///file:{path}?mode=ro&uri=true"
    code, _, err = cli("submit", str(doc), "--key", sg_key, url=read_only)
    assert code == 2 and "readonly database" in one_line(err)
    code, _, err = cli("publish", "--key", KEY, "--out", str(tmp_path / "l.json"), url=read_only)
    assert code == 2 and "readonly database" in one_line(err)
    assert not (tmp_path / "l.json").exists()
    code, out, _ = cli("list", "--json", url=read_only)  # reading still works
    assert code == 0 and '"sg-a"' in out


def _fill_sqlite_to_the_brim(store: RepositoryStore) -> None:
    """SQLite's own SQLITE_FULL: the database may not grow past its present size."""
    with store.engine.connect() as conn:
        pages = conn.exec_driver_sql("PRAGMA page_count").scalar()
    store.engine.dispose()

    @event.listens_for(store.engine, "connect")
    def _limit(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.execute(f"PRAGMA max_page_count = {pages}")


def test_a_full_database_disk_is_507_and_loses_nothing(
    tmp_path: Path, authorities: Authorities
) -> None:
    url = f"sqlite:///{tmp_path / 'r.sqlite3'}"
    settings = Settings(
        database_url=url,
        data_dir=tmp_path,
        load_samples=False,
        repository_dir=repository_dir_for(authorities, tmp_path),
    )
    app = create_app(settings)
    store: RepositoryStore = getattr(app.state, STORE_STATE_KEY)
    token = store.create_token("SG", "desk")
    before = store.dump()
    _fill_sqlite_to_the_brim(store)
    big = make_document(
        "SG", [make_entry("SG", f"e{i}", description="x" * 5000) for i in range(40)]
    )
    jws = sign_submission(big, authorities.keys["SG"], sequence=1)
    with pytest.raises(StoreUnavailable) as info:
        store.submit(jws)
    assert info.value.code == "disk_full" and info.value.http_status == 507
    with TestClient(app, raise_server_exceptions=False) as client:
        r = client.post(
            "/api/repository/submissions",
            json={"jws": sign_submission(big, authorities.keys["SG"], sequence=1)},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert r.status_code == 507, r.text
        assert r.headers["content-type"] == "application/problem+json"
        body = r.json()
        assert body["code"] == "disk_full" and body["status"] == 507 and "full" in body["detail"]
        assert client.get("/api/repository/entries").status_code == 200
    assert store.dump() == before
    store.close()


def test_a_database_that_goes_away_is_503(
    tmp_path: Path, authorities: Authorities, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'r.sqlite3'}",
        data_dir=tmp_path,
        load_samples=False,
        repository_dir=repository_dir_for(authorities, tmp_path),
    )
    app = create_app(settings)
    store: RepositoryStore = getattr(app.state, STORE_STATE_KEY)
    from eauth_toolkit.db import make_engine

    store.engine = make_engine(_closed_port_url())  # the server went down after start-up
    with TestClient(app, raise_server_exceptions=False) as client:
        for method, path in (
            ("GET", "/api/repository/entries"),
            ("GET", "/api/repository/list"),
            ("GET", "/api/repository/audit"),
            ("POST", "/api/repository/submissions"),
        ):
            r = client.request(method, path, headers={"Authorization": "Bearer x"})
            assert r.status_code == 503, (path, r.text)
            assert r.headers["content-type"] == "application/problem+json"
            body = r.json()
            assert body["code"] == "store_unavailable" and "127.0.0.1" in body["detail"]
            assert "secret" not in r.text


@pytest.mark.parametrize("kind", ["closed port", "read-only folder"])
def test_the_service_starts_and_names_an_unusable_store(
    tmp_path: Path, authorities: Authorities, caplog: pytest.LogCaptureFixture, kind: str
) -> None:
    if kind == "closed port":
        url = _closed_port_url()
        named = "127.0.0.1"
    else:
        # a data folder the service may not write: SQLite opened read-only finds no database
        url = f"sqlite:///file:{tmp_path / 'ro' / 'eauth.sqlite3'}?mode=ro&uri=true"
        named = str(tmp_path / "ro")
    settings = Settings(
        database_url=url,
        data_dir=tmp_path,
        load_samples=True,
        repository_dir=repository_dir_for(authorities, tmp_path),
    )
    # the repository's part of the service (the other parts keep their own databases)
    app = FastAPI()
    app.state.home_links = []
    with caplog.at_level(logging.ERROR):
        install(app, settings)
    limits.install(app)
    message = " ".join(r.getMessage() for r in caplog.records)
    assert "the store cannot be used" in message and named in message
    with TestClient(app, raise_server_exceptions=False) as client:
        r = client.get("/api/repository/entries")
        assert r.status_code == 503 and r.json()["code"] == "store_unavailable"
        assert named in r.json()["detail"]


def test_after_the_fault_the_store_works_again(
    cli: Cli, tmp_path: Path, authorities: Authorities, submit_as: Callable[..., Any]
) -> None:
    url = f"sqlite:///{tmp_path / 'r.sqlite3'}"
    store = _filled(url, authorities)
    _fill_sqlite_to_the_brim(store)
    big = make_document(
        "SG", [make_entry("SG", f"e{i}", description="y" * 5000) for i in range(40)]
    )
    with pytest.raises(StoreUnavailable):
        submit_as(store, "SG", big)
    store.close()
    fresh = RepositoryStore.open(url, AuthorityRegistry.load(authorities.registry_path))
    assert submit_as(fresh, "SG", big).sequence == 2
    assert fresh.count_entries("SG") == 41
    fresh.close()
