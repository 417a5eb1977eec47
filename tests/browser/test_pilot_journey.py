"""The citizen's journey in Chromium: a service of one AMS, choice of country (on the service's page
or on the Connector's), the other AMS's login and consent pages, and back to the service signed in
with the minimum data set; in both protocol profiles (FAPI 2.0 and OpenID Connect), and across
them (the default sandbox)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

_PILOT_TOML = Path(__file__).resolve().parents[2] / "pilot_sandbox" / "pilot.toml"
_CITIZENS = {
    "SG": ("tan.mei.ling", "Mei Ling", "Tan", "1988-03-14"),
    "MY": ("nur.aisyah", "Nur Aisyah", "Ahmad", "1992-01-21"),
}
_SERVICES = {"MY": "tax-filing", "SG": "company-registration"}


def _profiles(tmp_path: Path, sg: str, my: str) -> Path:
    text = _PILOT_TOML.read_text(encoding="utf-8")
    text = text.replace('code = "SG"\nname = "Singapore"\nprofile = "fapi2"', "@SG@", 1)
    text = text.replace('code = "MY"\nname = "Malaysia"\nprofile = "oidc"', "@MY@", 1)
    assert "@SG@" in text and "@MY@" in text
    text = text.replace("@SG@", f'code = "SG"\nname = "Singapore"\nprofile = "{sg}"')
    text = text.replace("@MY@", f'code = "MY"\nname = "Malaysia"\nprofile = "{my}"')
    path = tmp_path / "pilot.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.browser
@pytest.mark.parametrize(
    ("sg", "my", "service_ams", "country", "chosen_at"),
    [
        ("fapi2", "oidc", "MY", "SG", "connector"),
        ("fapi2", "oidc", "SG", "MY", "service"),
        ("fapi2", "fapi2", "MY", "SG", "service"),
        ("oidc", "oidc", "SG", "MY", "connector"),
    ],
    ids=["default-my-service", "default-sg-service", "all-fapi2", "all-oidc"],
)
def test_cross_border_journey_in_chromium(
    live_server_factory: Any,
    page: Any,
    tmp_path: Path,
    sg: str,
    my: str,
    service_ams: str,
    country: str,
    chosen_at: str,
) -> None:
    server = live_server_factory(
        data_dir=tmp_path,
        database_url=f"sqlite:///{tmp_path / 'pilot.sqlite3'}",
        pilot_config=_profiles(tmp_path, sg, my),
    )
    username, given, family, birthdate = _CITIZENS[country]
    service_url = f"{server.url}/ams/{service_ams.lower()}/services/{_SERVICES[service_ams]}"
    page.goto(service_url)
    assert "requires level of assurance" in page.text_content("main")
    if chosen_at == "connector":
        page.click("#sign-in")
        page.wait_for_selector("#choose-form")
        assert "Choose the country" in page.text_content("main")
        page.click(f"#country-{country.lower()}")
    else:  # the service's own button for the citizen's country: no Connector page
        page.click(f"#sign-in-{country.lower()}")
    page.wait_for_selector("#login-form")
    assert f"/ams/{country.lower()}/idp/authorize" in page.url
    # a FAPI 2.0 IdP is reached only with a pushed request (PAR)
    assert ("request_uri=" in page.url) == ({"SG": sg, "MY": my}[country] == "fapi2")
    page.fill("#username", username)
    page.fill("#password", "sandbox")
    page.click("#login-submit")
    page.wait_for_selector("#consent-allow")
    assert f"{given} {family}" in page.text_content("main")
    page.click("#consent-allow")
    page.wait_for_selector("#signed-in")
    assert page.url == service_url
    assert page.text_content("#claim-family_name") == family
    assert page.text_content("#claim-given_name") == given
    assert page.text_content("#claim-birthdate") == birthdate
    assert page.text_content("#claim-country_of_origin") == country
    assert len(page.text_content("#claim-sub") or "") == 32
    assert page.text_content("#received-level") == "3"
    pilot = server.server.config.app.state.pilot
    end = [e for e in pilot.store.events() if e["step"] == "flow.end"]
    assert len(end) == 1 and end[0]["outcome"] == "ok"
