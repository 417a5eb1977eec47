"""Every page of the service in Debian's Chromium, at desktop (1280 px) and phone (390 px) width.

The crawl starts at the home page, the navigation bar and the pages the README names, and follows
every same-site link. Each page must answer 200 and hold: no horizontal overflow
(``document.documentElement.scrollWidth`` larger than the window), no console error, no request to
another machine, no visible "None" and no literal backtick. Links to JSON documents must answer 200.
The pilot report is checked again with recorded sign-ins, and its saved copy is opened from disk.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urlsplit

import httpx
import pytest

pytestmark = pytest.mark.browser

WIDTHS = (1280, 390)
#: pages named in the README and the issue, checked even if no link led to them
SEEDS = (
    "/",
    "/pilot/report",
    "/services/",
    "/ams/my/services/",
    "/ams/sg/services/",
    "/plan",
    "/loa/guidance",
    "/repository",
    "/signatures/check",
    "/docs",
    "/redoc",
)
#: pages drawn by scripts after loading (wait until they stop fetching)
SCRIPTED = ("/docs", "/redoc")
MAX_PAGES = 400
_NONE = re.compile(r"\bNone\b")


class Visitor:
    """One browser tab at one width that records what goes wrong on each page."""

    def __init__(self, browser: Any, base: str, width: int) -> None:
        self.base = base
        self.width = width
        self.context = browser.new_context(viewport={"width": width, "height": 900})
        self.page = self.context.new_page()
        self.console: list[str] = []
        self.outside: list[str] = []
        self.page.on(
            "console", lambda m: self.console.append(m.text) if m.type == "error" else None
        )
        self.page.on("pageerror", lambda e: self.console.append(f"uncaught: {e}"))
        self.context.route("**/*", self._only_here)

    def _only_here(self, route: Any) -> None:
        url = route.request.url
        if url.startswith((self.base + "/", "data:", "blob:", "file:")) or url == self.base:
            route.continue_()
        else:  # a page that reaches out to another machine breaks offline
            self.outside.append(url)
            route.abort()

    def close(self) -> None:
        self.context.close()

    def check(self, path: str) -> tuple[list[str], list[str]]:
        """Open ``path``; the problems found and the same-site links on the page."""
        self.console.clear()
        self.outside.clear()
        url = path if path.startswith(("http:", "file:")) else self.base + path
        response = self.page.goto(url, wait_until="load")
        if urlsplit(url).path in SCRIPTED:
            self.page.wait_for_load_state("networkidle")
        problems: list[str] = []
        if response is not None and response.status != 200:
            problems.append(f"answered {response.status}")
        problems += self.inspect()
        hrefs = self.page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
        return problems, hrefs

    def inspect(self) -> list[str]:
        """What is wrong with the page now shown (and with the requests since the last check)."""
        problems: list[str] = []
        width = self.page.evaluate("document.documentElement.scrollWidth")
        inner = self.page.evaluate("window.innerWidth")
        if width > inner:
            problems.append(f"{width} px wide in a {inner} px window")
        text = self.page.evaluate("document.body ? document.body.innerText : ''")
        for m in _NONE.finditer(text):
            problems.append(f"shows 'None': ...{text[max(0, m.start() - 40) : m.end() + 10]!r}")
        if "`" in text:
            i = text.index("`")
            problems.append(f"shows a backtick: ...{text[max(0, i - 40) : i + 20]!r}")
        problems += [f"console error: {c}" for c in self.console]
        problems += [f"request to another machine: {u}" for u in self.outside]
        self.console.clear()
        self.outside.clear()
        return problems


def _same_site(base: str, href: str) -> str | None:
    url = urldefrag(href)[0]
    if not url.startswith(base + "/"):
        return None
    return url[len(base) :]


def _crawl(browser: Any, base: str, width: int) -> tuple[dict[str, list[str]], set[str]]:
    """Every page reachable from the seeds: {path: problems}, and the paths visited."""
    visitor = Visitor(browser, base, width)
    found: dict[str, list[str]] = {}
    todo = list(SEEDS)
    seen: set[str] = set(todo)
    try:
        while todo:
            path = todo.pop(0)
            assert len(seen) < MAX_PAGES, f"more than {MAX_PAGES} pages: {sorted(seen)[:20]}..."
            head = visitor.page.request.get(base + path)
            kind = head.headers.get("content-type", "")
            if "text/html" not in kind:  # a document linked from a page (JSON, key set, ...)
                if head.status != 200:
                    found[path] = [f"answered {head.status}"]
                continue
            problems, hrefs = visitor.check(path)
            found[path] = problems
            for href in hrefs:
                target = _same_site(base, href)
                if target is not None and target not in seen:
                    seen.add(target)
                    todo.append(target)
    finally:
        visitor.close()
    return found, seen


@pytest.fixture
def site(live_server_factory: Any, tmp_path: Path) -> Any:
    return live_server_factory(
        database_url=f"sqlite:///{tmp_path / 'pages.sqlite3'}", data_dir=tmp_path
    )


@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_holds(site: Any, browser: Any, width: int) -> None:
    found, seen = _crawl(browser, site.url, width)
    bad = {path: problems for path, problems in found.items() if problems}
    assert not bad, "\n".join(f"{p}: {'; '.join(v)}" for p, v in sorted(bad.items()))
    # the crawl reached every part, not just the seeds
    entries = {p for p in seen if re.fullmatch(r"/repository/[a-z0-9-]+", p)}
    assert len(entries) >= 20, sorted(entries)
    assert {"/repository/sg-singpass", "/repository/my-mydigital-id"} <= entries
    assert {"/ams/my/services/tax-filing", "/ams/sg/services/company-registration"} <= seen
    assert any(p.startswith("/api/") for p in seen)


def test_named_pages_say_what_they_should(site: Any, page: Any) -> None:
    page.set_viewport_size({"width": 390, "height": 900})
    page.goto(f"{site.url}/pilot/report")
    assert "No cross-border sign-in has been recorded yet" in page.locator("#no-flows").inner_text()
    page.goto(f"{site.url}/repository/my-mydigital-id")
    assessed = page.locator("#loa-explanation").inner_text()
    # a level that is not reached reads "none", never Python's None
    assert re.search(r"AAL (none|\d)", assessed) and "None" not in assessed
    page.goto(f"{site.url}/plan")
    # the status texts are Markdown: code spans become <code>
    assert page.locator("td code", has_text="eauth repo submit|publish|verify").count() == 1
    # a date stays on one line at phone width
    date = page.locator("span.date").first
    box = date.bounding_box()
    line = float(date.evaluate("e => parseFloat(getComputedStyle(e).lineHeight) || 20"))
    assert box is not None and box["height"] < 1.6 * line
    page.goto(f"{site.url}/loa/guidance")
    assert page.locator("header a[href='/repository']").count() == 1
    page.goto(f"{site.url}/ams/my/services/")
    assert page.locator("#services-title").inner_text().startswith("Demo services of Malaysia")
    assert page.locator("table.services a[href='/ams/my/services/tax-filing']").count() >= 1
    missing = page.goto(f"{site.url}/ams/zz/services/")
    assert missing is not None and missing.status == 404
    assert "not a participant" in page.locator("#error-detail").inner_text()
    assert page.locator("header a[href='/']").count() == 1  # in the site layout


def test_pilot_report_with_flows_and_its_saved_copy(
    site: Any, browser: Any, tmp_path: Path
) -> None:
    from eauth_toolkit.resources import pilot_config_path
    from pilot_sandbox.config import load_pilot_config
    from pilot_sandbox.report import render_html
    from pilot_sandbox.runner import drive_flow, plan_flows

    config = load_pilot_config(pilot_config_path())
    with httpx.Client(timeout=30) as client:
        results = [drive_flow(client, site.url, p) for p in plan_flows(config, 6, seed=7)]
    assert any(r.outcome == "succeeded" for r in results), results

    for width in WIDTHS:
        visitor = Visitor(browser, site.url, width)
        try:
            problems, _ = visitor.check("/pilot/report")
            assert not problems, problems
            totals = visitor.page.locator("#flow-totals").inner_text()
            assert totals.startswith(f"{len(results)} cross-border sign-ins"), totals
        finally:
            visitor.close()

    saved = tmp_path / "pilot-report.html"
    saved.write_text(render_html(httpx.get(f"{site.url}/pilot/report.json").json()), "utf-8")
    for width in WIDTHS:
        visitor = Visitor(browser, "file://", width)
        try:
            problems, hrefs = visitor.check(saved.as_uri())
            assert not problems, problems
            # opened from disk, every link still goes somewhere: another site or this file
            broken = [
                h for h in hrefs if h.startswith("file:") and not h.startswith(saved.as_uri())
            ]
            assert not broken, broken
            assert visitor.page.locator("svg").count() >= 3  # the charts are inline
        finally:
            visitor.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_sign_in_pages_hold(site: Any, browser: Any, width: int) -> None:
    """The pages of a cross-border sign-in (Connector, IdP log-in and consent, the service)."""
    visitor = Visitor(browser, site.url, width)
    page = visitor.page
    try:
        problems, _ = visitor.check("/ams/my/services/tax-filing")
        steps = [
            ("#sign-in", "#choose-form"),
            ("#country-sg", "#login-form"),
            ("#login-submit", "#consent-allow"),
            ("#consent-allow", "#signed-in"),
        ]
        for click, then in steps:
            if click == "#login-submit":
                page.locator("details summary").first.click()  # show the personas table too
                problems += [f"log-in page: {p}" for p in visitor.inspect()]
                page.fill("#username", "tan.mei.ling")
                page.fill("#password", "sandbox")
            page.click(click)
            page.wait_for_selector(then)
            problems += [f"after {click}: {p}" for p in visitor.inspect()]
        assert not problems, problems
    finally:
        visitor.close()
