"""Full cross-border flows through our gateways with national IdPs we did not write:
SG's replaced by MockPass 4.3.4 (mock Singpass: private_key_jwt with typ header, ID token ES256 JWS
inside an ECDH-ES+A256KW JWE, no acr) and MY's by oidc-provider 9 (eIDAS acr URIs)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from pilot_sandbox.runner import FlowPlan, drive_flow

pytestmark = pytest.mark.interop


def test_sg_citizen_through_mockpass_signs_in_to_a_my_service(
    interop_pilot: dict[str, Any],
) -> None:
    server = interop_pilot["server"]
    with httpx.Client(timeout=30) as client:
        plan = FlowPlan(
            "MY",
            "tax-filing",
            "SG",
            "-",
            headers={
                "X-Custom-NRIC": "S8116474F",
                "X-Custom-UUID": "f4b70aea-d639-4b79-b8d9-8ace5875f6b1",
            },
        )
        result = drive_flow(client, server.url, plan)
    assert result.outcome == "succeeded", result.page
    assert 'id="claim-country_of_origin">SG<' in result.page
    assert 'id="received-level">3<' in result.page  # the level registered for MockPass in its entry
    assert "S8116474F" not in result.page  # the NRIC never reaches the service
    events = server.pilot.store.events()
    callback = next(e for e in events if e["step"] == "proxy.callback")
    assert (
        callback["outcome"] == "ok"
        and callback["data"]["national_acr"] is None
        and callback["data"]["level"] == 3
    )
    end = next(e for e in events if e["step"] == "flow.end")
    assert end["outcome"] == "ok" and sorted(end["data"]["fields"]) == ["country_of_origin", "sub"]
    assert end["data"]["complete"] is False  # MockPass's ID token carries no names or birth date


def test_my_citizen_through_oidc_provider_signs_in_to_an_sg_service(
    interop_pilot: dict[str, Any],
) -> None:
    server = interop_pilot["server"]
    # oidc-provider runs FAPI 2.0: it takes authorization requests only by PAR, binds tokens by
    # DPoP and encrypts ID tokens; our Proxy (profile fapi2) is its client
    meta = httpx.get(f"{server.pilot.ams['MY'].idp_issuer}/.well-known/openid-configuration").json()
    assert meta["require_pushed_authorization_requests"] is True
    assert "ES256" in meta["dpop_signing_alg_values_supported"]
    assert server.pilot.ams["MY"].proxy_rp.profile == "fapi2"
    with httpx.Client(timeout=30) as client:
        plain = client.get(
            meta["authorization_endpoint"],
            params={"client_id": server.pilot.ams["MY"].proxy_rp.client_id, "scope": "openid"},
        )
        assert (
            plain.status_code == 400 and "Pushed Authorization Request must be used" in plain.text
        )
        result = drive_flow(
            client,
            server.url,
            FlowPlan(
                "SG",
                "company-registration",
                "MY",
                "-",
                level=3,
                headers={"X-Peer-User": "mei.chen"},
            ),
        )
    assert result.outcome == "succeeded", result.page
    assert (
        'id="claim-family_name">Chen<' in result.page
        and 'id="claim-birthdate">1979-02-11<' in result.page
    )
    assert 'id="received-level">4<' in result.page  # eIDAS high maps to ISO level 4
    events = server.pilot.store.events()
    callback = next(e for e in events if e["step"] == "proxy.callback")
    assert callback["data"]["national_acr"] == "http://eidas.europa.eu/LoA/high"
    end = next(e for e in events if e["step"] == "flow.end")
    assert end["data"]["complete"] is True


def test_oidc_provider_refuses_an_account_below_the_requested_level(
    interop_pilot: dict[str, Any],
) -> None:
    server = interop_pilot["server"]
    with httpx.Client(timeout=30) as client:
        result = drive_flow(
            client,
            server.url,
            FlowPlan(
                "SG",
                "company-registration",
                "MY",
                "-",
                level=3,
                headers={"X-Peer-User": "low.only"},
            ),
        )
    assert result.outcome == "failed", result.page
    fails = [e for e in server.pilot.store.events() if e["outcome"] == "fail"]
    assert fails and fails[-1]["step"] == "flow.end"
    assert result.error == "unmet_authentication_requirements"
    assert "authenticates at http://eidas.europa.eu/LoA/low" in result.page
