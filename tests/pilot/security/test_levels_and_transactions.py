"""Findings 1 to 3: the service's own level is the floor; a login transaction belongs to the IdP
and the request that created it, and is answered once."""

from __future__ import annotations

from typing import Any

import httpx
from pilot_helpers import pilot_of
from security_helpers import RID, SID, IdpClient

from pilot_sandbox.runner import FlowPlan, drive_flow


def test_a_request_cannot_lower_the_services_required_level(
    pilot_server: Any, client: httpx.Client
) -> None:
    # MY tax filing requires level 3; rajan.kumar's credential reaches level 2
    result = drive_flow(
        client, pilot_server.url, FlowPlan("MY", "tax-filing", "SG", "rajan.kumar", level=1)
    )
    assert result.outcome == "failed", result.page[-600:]
    assert result.error == "unmet_authentication_requirements"
    starts = [e for e in pilot_of(pilot_server).store.events() if e["step"] == "service.start"]
    assert starts[-1]["data"]["requested_level"] == 3


def test_a_login_request_cannot_be_completed_at_another_idp(
    pilot_server: Any, client: httpx.Client
) -> None:
    my = IdpClient(pilot_of(pilot_server), pilot_server.url)
    rid = my.rid(client)
    r = client.post(
        f"{pilot_server.url}/ams/sg/idp/login",
        data={"rid": rid, "username": "tan.mei.ling", "password": "sandbox"},
    )
    assert r.status_code == 400 and not SID.search(r.text)
    assert "unknown" in r.text


def test_a_login_request_is_answered_once(pilot_server: Any, client: httpx.Client) -> None:
    my = IdpClient(pilot_of(pilot_server), pilot_server.url)
    rid = my.rid(client)
    first = my.login(client, rid)
    assert first.status_code == 200 and SID.search(first.text)
    second = my.login(client, rid, "lee.chong.wei")
    assert second.status_code == 400 and not SID.search(second.text)


def test_a_wrong_password_keeps_the_request_for_another_try(
    pilot_server: Any, client: httpx.Client
) -> None:
    my = IdpClient(pilot_of(pilot_server), pilot_server.url)
    rid = my.rid(client)
    r = client.post(f"{my.idp}/login", data={"rid": rid, "username": "nur.aisyah", "password": "x"})
    assert r.status_code == 401 and RID.search(r.text).group(1) == rid  # type: ignore[union-attr]
    r = my.login(client, rid)
    assert r.status_code == 200 and SID.search(r.text)


def test_a_consent_session_belongs_to_its_idp(pilot_server: Any, client: httpx.Client) -> None:
    my = IdpClient(pilot_of(pilot_server), pilot_server.url)
    r = my.login(client, my.rid(client))
    sid = SID.search(r.text).group(1)  # type: ignore[union-attr]
    r = client.post(
        f"{pilot_server.url}/ams/sg/idp/consent", data={"sid": sid, "decision": "allow"}
    )
    assert r.status_code == 400 and "location" not in r.headers


def test_an_idp_request_id_is_not_a_connector_request(
    pilot_server: Any, client: httpx.Client
) -> None:
    my = IdpClient(pilot_of(pilot_server), pilot_server.url)
    rid = my.rid(client)
    r = client.post(
        f"{pilot_server.url}/ams/my/connector/choose", data={"rid": rid, "country": "SG"}
    )
    assert r.status_code == 400 and "unknown" in r.text


def test_a_level_outside_1_to_4_is_an_invalid_request(
    pilot_server: Any, client: httpx.Client
) -> None:
    r = client.post(f"{pilot_server.url}/ams/my/services/tax-filing/login", data={"loa": "99"})
    assert r.status_code == 400 and "invalid_request" in r.text and "invalid_client" not in r.text
    assert "loa must be a level from 1 to 4" in r.text
    r = client.post(f"{pilot_server.url}/ams/my/services/tax-filing/login", data={"loa": "4"})
    assert r.status_code == 303  # asking for more than the service requires is fine


def test_a_bad_redirect_uri_is_an_invalid_request(pilot_server: Any, client: httpx.Client) -> None:
    base = pilot_server.url
    q = {
        "response_type": "code",
        "client_id": f"{base}/ams/my/services/tax-filing",
        "redirect_uri": "https://attacker.example/cb",
        "scope": "openid",
        "state": "s",
        "nonce": "n",
        "code_challenge": "a" * 43,
        "code_challenge_method": "S256",
    }
    r = client.get(f"{base}/ams/my/connector/authorize", params=q)
    assert r.status_code == 400 and "location" not in r.headers
    assert "invalid_request" in r.text and "invalid_client" not in r.text
