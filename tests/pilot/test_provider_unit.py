"""The OpenID providers called directly, without a server: authorization, code, token and UserInfo
through :class:`~pilot_sandbox.oidc.provider.Provider` (authlib's server underneath), in both
profiles."""

from __future__ import annotations

import dataclasses
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc.jwk import ECKey

from eauth_toolkit.settings import Settings
from pilot_sandbox.oidc.client import RelyingParty
from pilot_sandbox.oidc.dpop import make_proof
from pilot_sandbox.oidc.errors import OAuthError
from pilot_sandbox.oidc.provider import JWT_BEARER, Provider
from pilot_sandbox.sandbox import Pilot


@pytest.fixture(scope="module")
def pilot(tmp_path_factory: pytest.TempPathFactory) -> Pilot:
    tmp: Path = tmp_path_factory.mktemp("provider")
    return Pilot(
        Settings(
            base_url="http://127.0.0.1:9",
            data_dir=tmp,
            database_url=f"sqlite:///{tmp / 'p.sqlite3'}",
        )
    )


def _request(rp: RelyingParty, **extra: str) -> tuple[dict[str, str], str]:
    verifier = secrets.token_urlsafe(48)
    params = {
        "response_type": "code",
        "client_id": rp.client_id,
        "redirect_uri": rp.redirect_uri,
        "scope": "openid profile",
        "state": secrets.token_urlsafe(8),
        "nonce": secrets.token_urlsafe(8),
        "code_challenge": create_s256_code_challenge(verifier),
        "code_challenge_method": "S256",
        **extra,
    }
    return params, verifier


def _token_form(rp: RelyingParty, code: str, verifier: str) -> dict[str, str]:
    return {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": rp.redirect_uri,
        "code_verifier": verifier,
        "client_id": rp.client_id,
        "client_assertion_type": JWT_BEARER,
        "client_assertion": rp.client_assertion(),
    }


def _code(url: str, provider: Provider, state: str) -> str:
    q = parse_qs(urlparse(url).query)
    assert q["iss"] == [provider.issuer] and q["state"] == [state]  # RFC 9207
    return q["code"][0]


def test_oidc_code_flow_on_the_provider_object(pilot: Pilot) -> None:
    idp, rp = pilot.ams["MY"].idp, pilot.ams["MY"].proxy_rp
    assert idp is not None and idp.profile == "oidc"
    params, verifier = _request(rp, acr_values="urn:x urn:y")
    req = idp.parse_authorization(params)
    assert req.acr_values == ["urn:x", "urn:y"] and not req.acr_essential
    url = idp.code_redirect(req, sub="sub-1", acr="urn:x", claims={"given_name": "Aminah"})
    code = _code(url, idp, params["state"])
    answer = idp.token(_token_form(rp, code, verifier))
    assert answer.status == 200 and answer.body["token_type"] == "Bearer"
    assert answer.headers["Cache-Control"] == "no-store"
    claims = rp.validate_id_token(answer.body["id_token"], nonce=params["nonce"])
    assert (claims["sub"], claims["acr"], claims["given_name"]) == ("sub-1", "urn:x", "Aminah")
    info = idp.userinfo(f"Bearer {answer.body['access_token']}", None, "GET")
    assert info.body == {"sub": "sub-1", "given_name": "Aminah"}
    with pytest.raises(OAuthError) as replay:
        idp.token(_token_form(rp, code, verifier))
    assert replay.value.code == "invalid_grant" and "replay" in replay.value.description


def test_fapi2_par_dpop_and_encrypted_id_token_on_the_provider_object(pilot: Pilot) -> None:
    idp, rp = pilot.ams["SG"].idp, pilot.ams["SG"].proxy_rp
    assert idp is not None and idp.profile == "fapi2"
    key = ECKey.generate_key("P-256", private=True)
    params, verifier = _request(rp)
    form = {
        **params,
        "client_assertion_type": JWT_BEARER,
        "client_assertion": rp.client_assertion(),
    }
    with pytest.raises(OAuthError) as no_nonce:  # RFC 9449 8: the server's nonce first
        idp.push(form, make_proof(key, "POST", f"{idp.issuer}/par"))
    assert no_nonce.value.code == "use_dpop_nonce" and "DPoP-Nonce" in no_nonce.value.headers
    form["client_assertion"] = rp.client_assertion()
    pushed = idp.push(form, make_proof(key, "POST", f"{idp.issuer}/par", nonce=idp.dpop_nonce()))
    assert pushed.status == 201 and pushed.headers["DPoP-Nonce"] == idp.dpop_nonce()
    with pytest.raises(OAuthError, match="only by request_uri"):
        idp.parse_authorization(params)
    authorize = {"client_id": rp.client_id, "request_uri": pushed.body["request_uri"]}
    req = idp.parse_authorization(authorize)
    with pytest.raises(OAuthError, match="unknown, used or expired"):
        idp.parse_authorization(authorize)  # a request_uri is used once
    code = _code(idp.code_redirect(req, sub="s", acr=None, claims={}), idp, params["state"])
    other = ECKey.generate_key("P-256", private=True)
    with pytest.raises(OAuthError) as unbound:  # another key than the one pushed with
        idp.token(
            _token_form(rp, code, verifier),
            make_proof(other, "POST", f"{idp.issuer}/token", nonce=idp.dpop_nonce()),
        )
    assert unbound.value.code == "invalid_grant" and "dpop_jkt" in unbound.value.description
    params, verifier = _request(rp)
    form = {
        **params,
        "client_assertion_type": JWT_BEARER,
        "client_assertion": rp.client_assertion(),
    }
    pushed = idp.push(form, make_proof(key, "POST", f"{idp.issuer}/par", nonce=idp.dpop_nonce()))
    req = idp.parse_authorization(
        {"client_id": rp.client_id, "request_uri": pushed.body["request_uri"]}
    )
    code = _code(idp.code_redirect(req, sub="s", acr=None, claims={}), idp, params["state"])
    answer = idp.token(
        _token_form(rp, code, verifier),
        make_proof(key, "POST", f"{idp.issuer}/token", nonce=idp.dpop_nonce()),
    )
    assert answer.body["token_type"] == "DPoP" and answer.body["id_token"].count(".") == 4
    assert rp.validate_id_token(answer.body["id_token"], nonce=params["nonce"])["sub"] == "s"
    token = answer.body["access_token"]
    with pytest.raises(OAuthError) as bearer:
        idp.userinfo(f"Bearer {token}", None, "GET")
    assert bearer.value.status == 401 and bearer.value.code == "invalid_token"
    proof = make_proof(
        key, "GET", f"{idp.issuer}/userinfo", nonce=idp.dpop_nonce(), access_token=token
    )
    assert idp.userinfo(f"DPoP {token}", proof, "GET").body == {"sub": "s"}


@pytest.mark.parametrize(
    ("change", "error", "redirected"),
    [
        ({"prompt": "none"}, "login_required", True),
        ({"code_challenge_method": "plain"}, "invalid_request", True),
        ({"state": ""}, "invalid_request", True),
        ({"scope": "profile"}, "invalid_scope", True),
        ({"response_type": "token"}, "unsupported_response_type", True),
        ({"redirect_uri": "https://elsewhere.example/cb"}, "invalid_request", False),
        ({"client_id": "https://stranger.example"}, "invalid_client", False),
    ],
)
def test_authorization_errors_go_back_to_the_client_only_when_safe(
    pilot: Pilot, change: dict[str, str], error: str, redirected: bool
) -> None:
    connector, rp = pilot.ams["MY"].connector, pilot.ams["MY"].service_rps["tax-filing"]
    params, _ = _request(rp)
    params.update(change)
    with pytest.raises(OAuthError) as info:
        connector.parse_authorization(params)
    exc = info.value
    assert exc.code == error and (exc.request is not None) == redirected
    if redirected:
        q = parse_qs(urlparse(connector.error_redirect(exc.request, exc.code, "x")).query)
        assert q["error"] == [error] and q["iss"] == [connector.issuer]
        assert q.get("state", [""]) == [params["state"]] if params["state"] else "state" not in q


def test_a_client_assertion_is_checked_before_the_code_is_touched(pilot: Pilot) -> None:
    connector, rp = pilot.ams["MY"].connector, pilot.ams["MY"].service_rps["tax-filing"]
    params, verifier = _request(rp)
    req = connector.parse_authorization(params)
    code = _code(
        connector.code_redirect(req, sub="s", acr=None, claims={}), connector, params["state"]
    )
    form: dict[str, Any] = _token_form(rp, code, verifier)
    form["client_assertion"] = form["client_assertion"][:-4] + "AAAA"
    with pytest.raises(OAuthError) as bad:
        connector.token(form)
    assert bad.value.code == "invalid_client" and bad.value.status == 401
    assert connector.token(_token_form(rp, code, verifier)).status == 200


def test_a_dpop_key_seen_before_still_has_to_sign_each_proof() -> None:
    """Known DPoP keys are remembered (import and thumbprint), never their signatures: a proof
    that names a known key in its header but is signed by another key is refused."""
    import time

    from joserfc import jwt

    from pilot_sandbox.oidc.dpop import verify_proof

    url = "https://idp.example/token"
    known, other = ECKey.generate_key("P-256"), ECKey.generate_key("P-256")
    first = verify_proof(make_proof(known, "POST", url, nonce="n"), "POST", url, lambda: ["n"])
    again = verify_proof(make_proof(known, "POST", url, nonce="n"), "POST", url, lambda: ["n"])
    assert first.jkt == again.jkt == known.thumbprint() and first.jti != again.jti
    claims = {"htm": "POST", "htu": url, "iat": int(time.time()), "jti": "j1", "nonce": "n"}
    header = {"typ": "dpop+jwt", "alg": "ES256", "jwk": known.as_dict(private=False)}
    forged = jwt.encode(header, claims, other, algorithms=["ES256"])
    with pytest.raises(OAuthError) as refused:
        verify_proof(forged, "POST", url, lambda: ["n"])
    assert refused.value.code == "invalid_dpop_proof"
    private = dict(header, jwk=known.as_dict(private=True))
    with pytest.raises(OAuthError):
        verify_proof(
            jwt.encode(private, claims, known, algorithms=["ES256"]), "POST", url, lambda: ["n"]
        )


def test_a_response_must_name_the_provider_that_always_names_itself(pilot: Pilot) -> None:
    """RFC 9207 2.4 (mix-up): the ``iss`` of an authorization response is checked before anything
    else, errors included; it must be there when the provider says it always sends it (a provider
    of this pilot, or discovery's ``authorization_response_iss_parameter_supported``) and in the
    fapi2 profile. A provider that does not announce it may leave it out."""
    fapi, basic = pilot.ams["SG"].proxy_rp, pilot.ams["MY"].proxy_rp
    for rp in (fapi, basic):
        issuer = rp.provider.issuer
        for params in ({"code": "c", "state": "s"}, {"error": "access_denied", "state": "s"}):
            with pytest.raises(OAuthError) as missing:
                rp.complete(params, {})
            assert missing.value.code == "invalid_request", (rp.profile, params)
            assert "does not name its issuer" in missing.value.description
            with pytest.raises(OAuthError) as other:
                rp.complete({**params, "iss": "https://attacker.example"}, {})
            assert other.value.code == "invalid_request"
            assert "attacker.example" in other.value.description
        with pytest.raises(OAuthError) as passed_on:
            rp.complete({"error": "access_denied", "state": "s", "iss": issuer}, {})
        assert passed_on.value.code == "access_denied"
    quiet = basic.provider
    try:
        basic.provider = dataclasses.replace(quiet, sends_iss=False)
        with pytest.raises(OAuthError) as passed_on:
            basic.complete({"error": "access_denied", "state": "s"}, {})
        assert passed_on.value.code == "access_denied"
        fapi_quiet = fapi.provider
        fapi.provider = dataclasses.replace(fapi_quiet, sends_iss=False)
        with pytest.raises(OAuthError) as still_needed:  # fapi2 needs it from any provider
            fapi.complete({"error": "access_denied", "state": "s"}, {})
        assert still_needed.value.code == "invalid_request"
    finally:
        basic.provider = quiet
        fapi.provider = fapi_quiet
