"""Shared fixtures: a throwaway PostgreSQL cluster, the live service, and Debian's Chromium.

Nothing here skips: a test that needs PostgreSQL or Chromium fails when they are missing, and
``.ci/run`` installs them.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.helpers import ThreadedServer, free_port

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("EAUTH_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session", autouse=True)
def _checkout_stays_clean() -> Iterator[None]:
    """Fails the run if a test created the checkout's data folder ``var/``."""
    existed = (ROOT / "var").exists()
    yield
    assert existed or not (ROOT / "var").exists(), "a test wrote into the checkout's var/"


@pytest.fixture(scope="session", autouse=True)
def _session_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The same for what session-scoped fixtures build (validation options that publish the
    default Repository List, sample PKIs): set before any of them runs."""
    import eauth_toolkit.settings

    folder = tmp_path_factory.mktemp("session-data")

    def replacement() -> Path:
        return folder

    # the function itself, for its own test (tests/test_settings.py)
    replacement.original = eauth_toolkit.settings.default_data_dir  # type: ignore[attr-defined]
    patch = pytest.MonkeyPatch()
    patch.setenv("EAUTH_DATA_DIR", str(folder))
    patch.setattr(eauth_toolkit.settings, "default_data_dir", replacement)
    yield folder
    patch.undo()


@pytest.fixture(autouse=True)
def _data_dir_outside_the_checkout(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """No test writes into the checkout: the default data folder (``EAUTH_DATA_DIR`` for commands
    and subprocesses, ``default_data_dir()`` for ``Settings()`` built in a test) is a temporary one."""
    import eauth_toolkit.settings

    folder = tmp_path_factory.mktemp("data")
    monkeypatch.setenv("EAUTH_DATA_DIR", str(folder))
    for name in ("EAUTH_DATABASE_URL", "EAUTH_PLAN_STATUS", "EAUTH_PILOT_CONFIG", "EAUTH_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(eauth_toolkit.settings, "default_data_dir", lambda: folder)
    return folder


# --------------------------------------------------------------------------- PostgreSQL


class PostgresCluster:
    """A temporary PostgreSQL cluster on a free loopback port, owned by the test session."""

    def __init__(self, base: Path) -> None:
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not bins:
            raise RuntimeError("PostgreSQL is not installed (apt-get install postgresql)")
        self.bindir = Path(bins[-1]).parent
        self.base = base
        self.datadir = base / "data"
        self.port = free_port()
        self._as_user: list[str] = []
        if os.geteuid() == 0:
            self._as_user = ["runuser", "-u", "postgres", "--"]
            shutil.chown(base, "postgres", "postgres")

    def _run(self, *args: str) -> None:
        subprocess.run([*self._as_user, *args], check=True, capture_output=True, cwd=self.base)

    def start(self) -> None:
        self._run(
            str(self.bindir / "initdb"),
            "-D",
            str(self.datadir),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
        )
        self._run(
            str(self.bindir / "pg_ctl"),
            "-D",
            str(self.datadir),
            "-l",
            str(self.base / "log"),
            "-w",
            "-o",
            f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 -c fsync=off "
            f"-c max_connections=200",
            "start",
        )

    def stop(self) -> None:
        subprocess.run(
            [
                *self._as_user,
                str(self.bindir / "pg_ctl"),
                "-D",
                str(self.datadir),
                "-m",
                "immediate",
                "stop",
            ],
            capture_output=True,
            cwd=self.base,
        )

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{dbname}"

    def create_database(self) -> str:
        import psycopg

        name = "t_" + uuid.uuid4().hex[:12]
        with psycopg.connect(
            f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres", autocommit=True
        ) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    # not under pytest's temp folders: they are private (0700) and the server runs as "postgres"
    base = Path(tempfile.mkdtemp(prefix="eauth-pg-"))
    os.chmod(base, 0o755)
    cluster = PostgresCluster(base)
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def postgres_url(postgres_cluster: PostgresCluster) -> str:
    """URL of a fresh, empty PostgreSQL database for one test."""
    return postgres_cluster.create_database()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Run a test once against a SQLite file and once against a real PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'eauth.sqlite3'}"
    cluster: PostgresCluster = request.getfixturevalue("postgres_cluster")
    return cluster.create_database()


# --------------------------------------------------------------------------- live service


@pytest.fixture
def live_server_factory() -> Iterator[Callable[..., ThreadedServer]]:
    """Start the real app (``create_app(settings)``) under uvicorn on a free loopback port.

    Call with ``settings_changes`` (keyword arguments for :class:`Settings`); ``base_url`` is set to
    the server's own URL so issuers and redirects point at it.
    """
    from eauth_toolkit.settings import Settings
    from eauth_toolkit.web.app import create_app

    servers: list[ThreadedServer] = []

    def start(**settings_changes: object) -> ThreadedServer:
        port = free_port()
        settings = Settings(base_url=f"http://127.0.0.1:{port}", **settings_changes)  # type: ignore[arg-type]
        server = ThreadedServer(create_app(settings), port).start()
        servers.append(server)
        return server

    yield start
    for s in servers:
        s.stop()


# --------------------------------------------------------------------------- browser


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Debian's Chromium driven by Playwright (never ``playwright install``).

    One per test module: Playwright's synchronous API keeps an event loop marked as running in
    the main thread while it is open, and later tests (pyHanko's signers, ASGI checks) call
    ``asyncio.run`` there."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} is missing (apt-get install chromium)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context()  # type: ignore[attr-defined]
    pg = context.new_page()
    try:
        yield pg
    finally:
        context.close()
