"""openid-client 6 (a certified relying-party library we did not write) as a FAPI 2.0 client of our
national IdP and of our Connector: PAR, DPoP, private_key_jwt, PKCE, `iss`, encrypted ID token and
DPoP-bound UserInfo must all satisfy it."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest

HERE = Path(__file__).resolve().parent
pytestmark = pytest.mark.interop

_RID = re.compile(r'name="(rid|sid)" value="([^"]+)"')


def _node(step: str, env: dict[str, str]) -> dict[str, Any]:
    node = shutil.which("node")
    assert node is not None, "Node.js is required for the interoperability tests"
    out = subprocess.run(
        [node, str(HERE / "openid_client_fapi.mjs"), step],
        cwd=HERE,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    return dict(json.loads(out.stdout))


def _client_env(pilot: Any, owner: str, issuer: str, client_id: str, tmp: Path) -> dict[str, str]:
    ring = pilot.keys(owner)
    enc = next(iter(ring.enc))
    return {
        "ISSUER": issuer,
        "CLIENT_ID": client_id,
        "REDIRECT_URI": f"{client_id}/callback",
        "SIG_JWK": json.dumps(ring.signing_key.as_dict(private=True)),
        "ENC_JWK": json.dumps(enc.as_dict(private=True)),
        "STATE_FILE": str(tmp / f"{owner.replace('/', '-')}.json"),
    }


def _field(page: str, name: str) -> str:
    return next(v for n, v in _RID.findall(page) if n == name)


def _until(client: httpx.Client, r: httpx.Response, prefix: str) -> httpx.Response | str:
    """Follow redirects until one goes to ``prefix`` (returned as a URL) or a page is shown."""
    for _ in range(12):
        if r.status_code != 303:
            return r
        loc = str(r.url.join(r.headers["location"]))
        if loc.startswith(prefix):
            return loc
        r = client.get(loc)
    raise AssertionError("too many redirects")


def _login(client: httpx.Client, page: httpx.Response, base: str, ams: str, user: str) -> Any:
    r = client.post(
        f"{base}/ams/{ams}/idp/login",
        data={"rid": _field(page.text, "rid"), "username": user, "password": "sandbox"},
    )
    return client.post(
        f"{base}/ams/{ams}/idp/consent", data={"sid": _field(r.text, "sid"), "decision": "allow"}
    )


def test_openid_client_signs_in_at_our_fapi2_idp(pilot_server: Any, tmp_path: Path) -> None:
    base, pilot = pilot_server.url, pilot_server.server.config.app.state.pilot
    client_id = f"{base}/ams/sg/proxy"
    env = _client_env(pilot, "sg/proxy", f"{base}/ams/sg/idp", client_id, tmp_path)
    url = _node("start", env)["url"]
    assert "request_uri=" in url and "code_challenge" not in url
    with httpx.Client(timeout=30) as browser:
        page = browser.get(url)
        callback = _until(browser, _login(browser, page, base, "sg", "tan.mei.ling"), client_id)
    assert isinstance(callback, str) and "iss=" in callback
    out = _node("finish", {**env, "CALLBACK_URL": callback})
    assert out["token_type"].lower() == "dpop" and out["id_token_was_encrypted"] is True
    assert out["claims"]["iss"] == f"{base}/ams/sg/idp" and out["claims"]["aud"] == client_id
    assert (
        out["userinfo"]["family_name"] == "Tan" and out["userinfo"]["sub"] == out["claims"]["sub"]
    )


def test_openid_client_signs_in_at_our_fapi2_connector(pilot_server: Any, tmp_path: Path) -> None:
    base, pilot = pilot_server.url, pilot_server.server.config.app.state.pilot
    client_id = f"{base}/ams/sg/services/company-registration"
    env = _client_env(
        pilot, "sg/services/company-registration", f"{base}/ams/sg/connector", client_id, tmp_path
    )
    url = _node("start", env)["url"]
    with httpx.Client(timeout=30) as browser:
        page = browser.get(url)
        assert "choose-form" in page.text
        r = browser.post(
            f"{base}/ams/sg/connector/choose",
            data={"rid": _field(page.text, "rid"), "country": "MY"},
        )
        login = _until(browser, r, client_id)
        assert not isinstance(login, str)
        callback = _until(browser, _login(browser, login, base, "my", "nur.aisyah"), client_id)
    assert isinstance(callback, str)
    out = _node("finish", {**env, "CALLBACK_URL": callback})
    assert out["token_type"].lower() == "dpop" and out["id_token_was_encrypted"] is True
    assert out["claims"]["acr"] == "urn:eauth:loa:iso29115:3"
    assert out["claims"]["country_of_origin"] == "MY"
    assert out["userinfo"]["family_name"] == "Ahmad"
