"""The repository pages in Debian's Chromium: browse, filter, open an entry, read its LoA
explanation (live service over a SQLite file with the sample data loaded)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser


def test_browse_filter_and_read_an_entry(
    live_server_factory: Any, page: Any, tmp_path: Path
) -> None:
    server = live_server_factory(
        database_url=f"sqlite:///{tmp_path / 'pages.sqlite3'}", data_dir=tmp_path
    )
    page.goto(f"{server.url}/repository")
    assert page.locator("h1").inner_text() == "Collaborative Repository List"
    all_rows = page.locator("#entries tbody tr").count()
    assert all_rows >= 20
    ams_seen = set(page.locator("#entries tbody tr td:nth-child(2)").all_inner_texts())
    assert {"SG", "MY", "TH", "VN"} <= ams_seen

    page.select_option("#filter-ams", "SG")
    page.click("#filter-apply")
    page.wait_for_url("**/repository?ams=SG**")
    rows = page.locator("#entries tbody tr")
    assert 0 < rows.count() < all_rows
    assert set(page.locator("#entries tbody tr td:nth-child(2)").all_inner_texts()) == {"SG"}
    assert "of" in page.locator("#result-count").inner_text()

    page.fill("#filter-q", "singpass")
    page.click("#filter-apply")
    page.wait_for_url("**q=singpass**")
    page.get_by_role("link", name="Singpass", exact=True).click()
    page.wait_for_url("**/repository/sg-singpass")
    assert page.locator("#entry-name").inner_text() == "Singpass"
    explanation = page.locator("#loa-explanation")
    text = explanation.inner_text()
    frameworks = page.locator("#framework-levels tbody tr").all_inner_texts()
    assert any(r.startswith("eidas-2015-1502") and "eIDAS" in r for r in frameworks)
    assert any(r.startswith("iso29115-2013") and "LoA" in r for r in frameworks)
    phases = page.locator(".phase-levels tbody tr").all_inner_texts()
    assert any(p.startswith("Enrolment") for p in phases)
    assert any(p.startswith("Authentication") for p in phases)
    assert "Facts that decide the range" in text
    sources = page.locator("#sources a")
    assert sources.count() > 0
    assert sources.first.get_attribute("href").startswith("https://")
    assert page.locator("#status-history tbody tr").count() >= 1

    missing = page.goto(f"{server.url}/repository/sg-no-such-thing")
    assert missing.status == 404
    assert "No such entry" in page.locator("h1").inner_text()
