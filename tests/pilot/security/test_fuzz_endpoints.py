"""A property-based fuzz of every endpoint of the IdPs, Proxies, Connectors and demo services:
whatever the parameters, headers or body, the answer is never a 5xx."""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

_KEYS = [
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "nonce",
    "code_challenge",
    "code_challenge_method",
    "claims",
    "acr_values",
    "prompt",
    "request_uri",
    "response_mode",
    "grant_type",
    "code",
    "code_verifier",
    "client_assertion_type",
    "client_assertion",
    "rid",
    "sid",
    "username",
    "password",
    "decision",
    "country",
    "loa",
    "iss",
    "error",
    "eauth_flow",
    "eauth_citizen_country",
]


def _b64(obj: Any) -> str:
    raw = obj if isinstance(obj, bytes) else json.dumps(obj).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
_jws = st.builds(
    lambda h, p, s: f"{_b64(h)}.{_b64(p)}.{_b64(s)}",
    st.fixed_dictionaries({"alg": st.sampled_from(["ES256", "PS256", "none", 1]), "kid": _json})
    | _json,
    _json,
    st.binary(max_size=64),
)


def _values(base: str) -> st.SearchStrategy[str]:
    known = (
        [
            "code",
            "openid",
            "openid profile",
            "S256",
            "none",
            "allow",
            "SG",
            "MY",
            "TH",
            "sg",
            "99",
            "authorization_code",
            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "urn:ietf:params:oauth:request_uri:abc",
            json.dumps({"id_token": {"acr": {"values": 5}}}),
            "[" * 2000,
            "a" * 43,
            "é" * 43,
        ]
        + [f"{base}/ams/{c}/{p}" for c in ("sg", "my") for p in ("proxy", "connector", "idp")]
        + [f"{base}/ams/my/services/tax-filing", f"{base}/ams/sg/services/company-registration"]
    )
    return st.sampled_from(known) | st.text(max_size=80) | _jws


def _clients(base: str) -> list[str]:
    return [f"{base}/ams/{c}/{p}" for c in ("sg", "my") for p in ("proxy", "connector")] + [
        f"{base}/ams/my/services/tax-filing",
        f"{base}/ams/sg/services/company-registration",
    ]


def _params(base: str) -> st.SearchStrategy[list[tuple[str, str]]]:
    """A request that is nearly right (a real client, its redirect URI, a PKCE challenge, a
    client assertion naming it) with some parameters replaced, dropped or repeated."""
    key = st.sampled_from(_KEYS) | st.text(min_size=1, max_size=10)

    def nearly_right(client: str, aud: str, kid: Any, claims: Any, exp: Any) -> dict[str, str]:
        header, payload = {"alg": "ES256", "kid": kid}, {"iss": client, "sub": client}
        payload.update({"aud": aud, "exp": exp, "jti": "j"})
        return {
            "response_type": "code",
            "client_id": client,
            "redirect_uri": f"{client}/callback",
            "scope": "openid",
            "state": "s",
            "nonce": "n",
            "code_challenge": "a" * 43,
            "code_challenge_method": "S256",
            "claims": json.dumps({"id_token": {"acr": claims}}),
            "grant_type": "authorization_code",
            "code": "c" * 32,
            "code_verifier": "v" * 43,
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": f"{_b64(header)}.{_b64(payload)}.{_b64(b'sig')}",
        }

    start = st.builds(
        nearly_right,
        st.sampled_from(_clients(base)),
        st.sampled_from(_clients(base) + [f"{base}/ams/my/idp"]),
        _json,
        _json,
        _json | st.integers(),
    )
    return st.builds(
        lambda d, drop, extra: [(k, v) for k, v in d.items() if k not in drop] + extra,
        start,
        st.sets(st.sampled_from(_KEYS), max_size=6),
        st.lists(st.tuples(key, _values(base)), max_size=6),
    )


_GET = [
    "/ams/{c}/idp/authorize",
    "/ams/{c}/proxy/authorize",
    "/ams/{c}/connector/authorize",
    "/ams/{c}/proxy/callback",
    "/ams/{c}/connector/callback",
    "/ams/{c}/{p}/userinfo",
    "/ams/{c}/{p}/.well-known/openid-configuration",
    "/ams/{c}/{p}/jwks",
    "/ams/my/services/tax-filing/callback",
    "/ams/sg/services/company-registration/callback",
]
_POST = [
    "/ams/{c}/{p}/token",
    "/ams/{c}/{p}/par",
    "/ams/{c}/{p}/userinfo",
    "/ams/{c}/idp/login",
    "/ams/{c}/idp/consent",
    "/ams/{c}/connector/choose",
    "/ams/my/services/tax-filing/login",
]


def _path(template: str, c: str, p: str) -> str:
    return template.format(c=c, p=p)


_where = st.tuples(
    st.sampled_from(["sg", "my", "zz", "SG"]), st.sampled_from(["idp", "proxy", "connector", "x"])
)
_headers = st.dictionaries(
    st.sampled_from(["DPoP", "Authorization", "Cookie"]),
    st.sampled_from(["Bearer abc", "DPoP abc", "eauth_browser=" + "b" * 30]) | _jws,
    max_size=3,
)
_FUZZ = settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)


@pytest.mark.slow
def test_no_request_makes_a_provider_fail(pilot_server: Any) -> None:
    base = pilot_server.url
    seen: list[int] = []
    with httpx.Client(timeout=30) as client:

        @_FUZZ
        @given(
            st.sampled_from(_GET + _POST),
            _where,
            st.data(),
            _headers,
            st.sampled_from(["form", "json", "multipart", "raw"]),
        )
        def one(template: str, where: tuple[str, str], data: Any, headers: dict, body: str) -> None:
            url = base + _path(template, *where)
            params = data.draw(_params(base))
            if template in _GET:
                r = client.get(url, params=params, headers=headers)
            elif body == "form":
                r = client.post(url, data=dict(params), headers=headers)
            elif body == "json":
                r = client.post(url, json=dict(params), headers=headers)
            elif body == "multipart":
                r = client.post(url, files={"f": b"x"}, data=dict(params), headers=headers)
            else:
                from urllib.parse import urlencode

                r = client.post(
                    url,
                    content=urlencode(params).encode() + b"%ff",
                    headers={**headers, "content-type": "application/x-www-form-urlencoded"},
                )
            seen.append(r.status_code)
            assert r.status_code < 500, (r.status_code, url, params, r.text[:300])

        one()
    assert len(seen) >= 100 and any(400 <= s < 500 for s in seen)
