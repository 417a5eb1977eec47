"""The service is assembled from parts: the library's own, and the ones installed packages add
(the pilot sandbox adds itself); all pages share one template environment."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import eauth_toolkit
from eauth_toolkit.settings import Settings
from eauth_toolkit.web import app as web_app
from eauth_toolkit.web import templating

LIBRARY = Path(eauth_toolkit.__file__).resolve().parent
PROJECT = LIBRARY.parent


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_the_library_never_imports_the_sandbox() -> None:
    offenders = sorted(
        str(p.relative_to(LIBRARY))
        for p in LIBRARY.rglob("*.py")
        if any(m.split(".")[0] == "pilot_sandbox" for m in _imports(p))
    )
    assert offenders == []


def test_one_template_environment_for_every_page() -> None:
    """No module but ``web/templating.py`` builds a Jinja environment."""
    builders = []
    for package in ("eauth_toolkit", "pilot_sandbox"):
        for p in (PROJECT / package).rglob("*.py"):
            text = p.read_text(encoding="utf-8")
            if "Environment(" in text or "Jinja2Templates(" in text:
                builders.append(str(p.relative_to(PROJECT)))
    assert builders == ["eauth_toolkit/web/templating.py"]
    from pilot_sandbox import pages

    assert pages.templates.env is templating.environment
    # a part's own folder is found by name, and adding it twice changes nothing
    assert templating.environment.get_template("pilot_report.html") is not None
    before = len(templating._folders)
    templating.add_template_folder(pages.PILOT_TEMPLATES)
    assert len(templating._folders) == before


def test_the_sandbox_registers_itself_through_an_entry_point() -> None:
    names = [m.__name__ for m in web_app.added_parts()]
    assert names == ["pilot_sandbox.web"]
    from eauth_toolkit.cli import added_groups

    assert added_groups() == {"pilot": "pilot_sandbox.cli"}


@pytest.fixture()
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'e.sqlite3'}")


def test_without_the_sandbox_the_service_has_no_pilot(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(web_app, "added_parts", lambda: [])
    with TestClient(web_app.create_app(settings)) as client:
        home = client.get("/")
        assert home.status_code == 200 and "/repository" in home.text
        assert "/pilot/report" not in home.text and "/services/" not in home.text
        assert client.get("/pilot/report").status_code == 404
        assert client.get("/services/").status_code == 404
        assert not any(getattr(r, "path", "").startswith("/ams/") for r in client.app.routes)  # type: ignore[attr-defined]


def test_with_the_sandbox_its_pages_are_served(settings: Settings) -> None:
    with TestClient(web_app.create_app(settings)) as client:
        home = client.get("/")
        assert "/pilot/report" in home.text and "/services/" in home.text
        index = client.get("/services/")
        assert index.status_code == 200 and "tax-filing" in index.text
        assert "None" not in index.text
