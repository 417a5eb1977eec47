"""The citizen's journey in Chromium: a MY service, choice of country, SG's login and consent pages,
and back to the service signed in with the minimum data set."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.mark.browser
def test_cross_border_journey_in_chromium(
    live_server_factory: Any, page: Any, tmp_path: Path
) -> None:
    server = live_server_factory(
        data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'pilot.sqlite3'}"
    )
    page.goto(f"{server.url}/ams/my/services/tax-filing")
    assert "requires level of assurance" in page.text_content("main")
    page.click("#sign-in")
    page.wait_for_selector("#choose-form")
    assert "Choose the country" in page.text_content("main")
    page.click("#country-sg")
    page.wait_for_selector("#login-form")
    assert "/ams/sg/idp/authorize" in page.url
    page.fill("#username", "tan.mei.ling")
    page.fill("#password", "sandbox")
    page.click("#login-submit")
    page.wait_for_selector("#consent-allow")
    assert "Mei Ling Tan" in page.text_content("main")
    page.click("#consent-allow")
    page.wait_for_selector("#signed-in")
    assert page.url == f"{server.url}/ams/my/services/tax-filing"
    assert page.text_content("#claim-family_name") == "Tan"
    assert page.text_content("#claim-given_name") == "Mei Ling"
    assert page.text_content("#claim-birthdate") == "1988-03-14"
    assert page.text_content("#claim-country_of_origin") == "SG"
    assert len(page.text_content("#claim-sub") or "") == 32
    assert page.text_content("#received-level") == "3"
    pilot = server.server.config.app.state.pilot
    end = [e for e in pilot.store.events() if e["step"] == "flow.end"]
    assert len(end) == 1 and end[0]["outcome"] == "ok"
