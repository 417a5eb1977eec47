"""Finding 4 and the class behind it: malformed parameters are OAuth errors (4xx, OAuth JSON at
the back-channel endpoints, an error redirect or page at the front channel), never a 500; and a
code is consumed only once the token request is valid."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from pilot_helpers import pilot_of
from security_helpers import IdpClient, assertion_with_header, is_oauth_error, location_params

from pilot_sandbox.oidc.provider import JWT_BEARER


@pytest.mark.parametrize(
    "claims",
    [
        json.dumps({"id_token": {"acr": {"essential": True, "values": 5}}}),
        json.dumps({"id_token": {"acr": {"values": {"a": 1}}}}),
        json.dumps({"id_token": {"acr": "urn:x"}}),
        json.dumps({"id_token": [1]}),
        "[" * 3000 + "]" * 3000,
        '{"a":' * 3000 + "1" + "}" * 3000,
    ],
    ids=["values-int", "values-object", "acr-string", "id-token-list", "deep-list", "deep-object"],
)
def test_a_malformed_claims_parameter_is_invalid_request(
    pilot_server: Any, client: httpx.Client, claims: str
) -> None:
    my = IdpClient(pilot_of(pilot_server), pilot_server.url)
    r = my.authorize(client, claims=claims)
    assert r.status_code < 500
    if r.status_code == 303:
        assert location_params(r)["error"] == "invalid_request"
    else:
        assert r.status_code == 400 and "invalid_request" in r.text


@pytest.mark.parametrize("kid", [["a", "b"], {"k": 1}, 7])
@pytest.mark.parametrize(
    ("endpoint", "client_id"),
    [
        ("my/idp", "my/proxy"),
        ("sg/proxy", "my/connector"),
        ("my/connector", "my/services/tax-filing"),
    ],
    ids=["idp", "proxy", "connector"],
)
def test_a_client_assertion_kid_that_is_not_a_string_is_invalid_client(
    pilot_server: Any, kid: Any, endpoint: str, client_id: str
) -> None:
    base = pilot_server.url
    issuer, client = f"{base}/ams/{endpoint}", f"{base}/ams/{client_id}"
    form = {
        "grant_type": "authorization_code",
        "code": "x" * 20,
        "redirect_uri": f"{client}/callback",
        "code_verifier": "v" * 43,
        "client_id": client,
        "client_assertion_type": JWT_BEARER,
        "client_assertion": assertion_with_header(client, issuer, {"kid": kid}),
    }
    r = httpx.post(f"{issuer}/token", data=form)
    assert is_oauth_error(r, "invalid_client") and r.status_code == 401, r.text
    assert r.headers["www-authenticate"].startswith(("Bearer", "DPoP"))


def test_a_non_ascii_verifier_is_refused_before_the_code_is_consumed(
    pilot_server: Any, client: httpx.Client
) -> None:
    my = IdpClient(pilot_of(pilot_server), pilot_server.url)
    code = my.code(client)
    r = my.token(code, code_verifier="é" * 43)
    assert is_oauth_error(r, "invalid_request"), r.text
    ok = my.token(code)
    assert ok.status_code == 200 and "id_token" in ok.json()


def test_a_form_that_is_not_url_encoded_is_an_oauth_error(pilot_server: Any) -> None:
    base = pilot_server.url
    for endpoint in ("my/idp", "sg/proxy", "my/connector"):
        r = httpx.post(
            f"{base}/ams/{endpoint}/token",
            content=b"--x\r\nContent-Disposition: form-data; broken",
            headers={"content-type": "multipart/form-data; boundary=x"},
        )
        assert is_oauth_error(r, "invalid_request"), r.text
        r = httpx.post(f"{base}/ams/{endpoint}/token", json={"grant_type": "authorization_code"})
        assert is_oauth_error(r, "invalid_request"), r.text
        r = httpx.post(
            f"{base}/ams/{endpoint}/token",
            content=b"grant_type=%ff%fe",
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
        assert is_oauth_error(r, "invalid_request"), r.text


def test_an_unknown_ams_at_a_token_endpoint_is_oauth_json(pilot_server: Any) -> None:
    r = httpx.post(f"{pilot_server.url}/ams/zz/idp/token", data={"grant_type": "x"})
    assert r.status_code == 404 and r.json()["error"] == "invalid_request"
