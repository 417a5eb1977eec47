"""Cross-border sign-ins through the real service over HTTP: both directions, the LoA checks, the
minimum data set, events in the store, discovery, key rotation and the report page."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from pilot_helpers import pilot_of

from eauth_toolkit.recognition import MINIMUM_DATA_SET
from pilot_sandbox.runner import FlowPlan, drive_flow


def _steps(pilot: Any, outcome: str | None = None) -> list[tuple[str, str]]:
    return [
        (e["step"], e["outcome"])
        for e in pilot.store.events()
        if outcome is None or e["outcome"] == outcome
    ]


@pytest.mark.parametrize(
    ("service_ams", "service", "country", "persona", "level", "given", "family"),
    [
        ("MY", "tax-filing", "SG", "tan.mei.ling", "3", "Mei Ling", "Tan"),
        ("SG", "company-registration", "MY", "siti.rahman", "2", "Siti", "Rahman"),
    ],
)
def test_cross_border_sign_in_delivers_the_minimum_data_set(
    pilot_server: Any,
    client: httpx.Client,
    service_ams: str,
    service: str,
    country: str,
    persona: str,
    level: str,
    given: str,
    family: str,
) -> None:
    result = drive_flow(client, pilot_server.url, FlowPlan(service_ams, service, country, persona))
    assert result.outcome == "succeeded", result.page
    page = result.page
    assert f'id="claim-given_name">{given}<' in page and f'id="claim-family_name">{family}<' in page
    assert f'id="claim-country_of_origin">{country}<' in page
    assert f'id="received-level">{level}<' in page
    pilot = pilot_of(pilot_server)
    events = pilot.store.events()
    flow_ids = {e["flow_id"] for e in events}
    assert len(flow_ids) == 1
    steps = [e["step"] for e in events if e["outcome"] == "ok"]
    for step in [
        "service.start",
        "connector.authorize",
        "connector.choose",
        "proxy.authorize",
        "idp.authorize",
        "idp.login",
        "idp.consent",
        "idp.token",
        "proxy.callback",
        "proxy.token",
        "connector.callback",
        "connector.token",
        "flow.end",
    ]:
        assert step in steps
    end = next(e for e in events if e["step"] == "flow.end")
    assert end["data"]["complete"] is True and sorted(end["data"]["fields"]) == sorted(
        MINIMUM_DATA_SET
    )
    assert end["data"]["returned_level"] == int(level)


def test_service_gets_only_the_minimum_data_set_and_pairwise_ids(
    pilot_server: Any, client: httpx.Client
) -> None:
    plan = FlowPlan("MY", "tax-filing", "SG", "lim.wei.jie")
    first = drive_flow(client, pilot_server.url, plan)
    client.cookies.clear()
    second = drive_flow(client, pilot_server.url, plan)
    assert first.outcome == second.outcome == "succeeded"
    sub1 = first.page.split('id="claim-sub">', 1)[1].split("<", 1)[0]
    sub2 = second.page.split('id="claim-sub">', 1)[1].split("<", 1)[0]
    assert sub1 == sub2 and len(sub1) == 32, "the identifier is persistent"
    assert "lim.wei.jie" not in first.page, "the national username never reaches the service"
    national = [e for e in pilot_of(pilot_server).store.events() if e["step"] == "idp.consent"]
    assert national and sub1 not in str(national)


@pytest.mark.parametrize(
    ("plan", "error", "failing_step", "text"),
    [
        (
            FlowPlan("MY", "tax-filing", "SG", "tan.mei.ling", level=4),
            "unmet_authentication_requirements",
            "connector.choose",
            "LoA check 1",
        ),
        (
            FlowPlan("MY", "tax-filing", "SG", "rajan.kumar"),
            "unmet_authentication_requirements",
            "idp.login",
            "reaches level 2",
        ),
        (
            FlowPlan("MY", "tax-filing", "SG", "tan.mei.ling", consent="deny"),
            "access_denied",
            "idp.consent",
            "declined",
        ),
        (
            FlowPlan("MY", "tax-filing", "TH", "tan.mei.ling"),
            "access_denied",
            "connector.choose",
            "not a party",
        ),
    ],
    ids=["level-not-published", "persona-level-too-low", "consent-denied", "ams-outside-agreement"],
)
def test_refused_sign_ins_reach_the_service_as_openid_errors(
    pilot_server: Any,
    client: httpx.Client,
    plan: FlowPlan,
    error: str,
    failing_step: str,
    text: str,
) -> None:
    result = drive_flow(client, pilot_server.url, plan)
    assert result.outcome == "failed" and result.error == error, result.page
    assert text in result.page
    events = pilot_of(pilot_server).store.events()
    failed = [e for e in events if e["outcome"] == "fail"]
    assert any(
        e["step"] == failing_step and e["error"] == error and text in e["description"]
        for e in failed
    )
    end = next(e for e in events if e["step"] == "flow.end")
    assert end["outcome"] == "fail" and end["error"] == error


def test_discovery_jwks_and_trust_configuration(pilot_server: Any, client: httpx.Client) -> None:
    base = pilot_server.url
    for part in ["sg/idp", "my/idp", "sg/proxy", "my/connector"]:
        meta = client.get(f"{base}/ams/{part}/.well-known/openid-configuration").json()
        assert meta["issuer"] == f"{base}/ams/{part}"
        assert meta["code_challenge_methods_supported"] == ["S256"]
        assert meta["token_endpoint_auth_methods_supported"] == ["private_key_jwt"]
        keys = client.get(meta["jwks_uri"]).json()["keys"]
        assert (
            keys
            and all("d" not in k for k in keys)
            and all(k["kid"].startswith("sandbox-") for k in keys)
        )
    sg_idp = client.get(f"{base}/ams/sg/idp/.well-known/openid-configuration").json()
    assert "urn:sandbox:sg:ndi:acr:2fa" in sg_idp["acr_values_supported"]
    jws_text = client.get(f"{base}/pilot/trust-configuration").text
    assert jws_text.count(".") == 2
    assert client.get(f"{base}/ams/th/idp/.well-known/openid-configuration").status_code == 404


def test_key_rotation_publishes_a_new_trust_configuration_and_flows_continue(
    pilot_server: Any, client: httpx.Client
) -> None:
    pilot = pilot_of(pilot_server)
    before = pilot.trust.current()
    old_kids = pilot.trust.current().party(f"{pilot_server.url}/ams/sg/idp").kids()
    new_kid = pilot.rotate_key("sg/idp")
    after = pilot.trust.current()
    assert after.version == before.version + 1
    kids = after.party(f"{pilot_server.url}/ams/sg/idp").kids()
    assert new_kid in kids and old_kids <= kids
    published = {k["kid"] for k in client.get(f"{pilot_server.url}/ams/sg/idp/jwks").json()["keys"]}
    assert new_kid in published
    result = drive_flow(
        client, pilot_server.url, FlowPlan("MY", "tax-filing", "SG", "tan.mei.ling")
    )
    assert result.outcome == "succeeded"
    token_event = [e for e in pilot.store.events() if e["step"] == "proxy.callback"][-1]
    assert token_event["outcome"] == "ok"


def test_report_page_counts_the_recorded_flows(pilot_server: Any, client: httpx.Client) -> None:
    for plan in [
        FlowPlan("MY", "tax-filing", "SG", "tan.mei.ling"),
        FlowPlan("MY", "tax-filing", "SG", "tan.mei.ling", consent="deny"),
    ]:
        client.cookies.clear()
        drive_flow(client, pilot_server.url, plan)
    rep = client.get(f"{pilot_server.url}/pilot/report.json").json()
    assert rep["flows"] == {
        "total": 2,
        "succeeded": 1,
        "failed": 1,
        "abandoned": 0,
        "events": rep["flows"]["events"],
    }
    assert rep["loa_matrix"]["3"] == {"3": 1, "none": 1}
    assert rep["failure_reasons"][0]["error"] == "access_denied"
    counts = [f["count"] for f in rep["funnel"]]
    assert counts[0] == 2 and counts[-1] == 1 and counts == sorted(counts, reverse=True)
    html = client.get(f"{pilot_server.url}/pilot/report")
    assert (
        html.status_code == 200 and "<svg" in html.text and "2 cross-border sign-ins" in html.text
    )
