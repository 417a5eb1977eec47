"""Hostile submissions signed by a real authority, on SQLite and PostgreSQL: one strict JSON
reading (duplicate members, integers out of range, control characters, deep nesting) and the
header rules of RFC 7515 (``crit``, unknown parameters, ``typ``, keys in the header). Every
refusal names its reason and leaves the store unchanged; through the API it is a 4xx problem
document, never a 500."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from fastapi.testclient import TestClient
from joserfc.jwk import Key

from eauth_toolkit.repository.jose import SUBMISSION_TYP
from eauth_toolkit.repository.store import RepositoryStore, utcnow
from eauth_toolkit.settings import Settings
from eauth_toolkit.web.app import create_app
from eauth_toolkit.web.routes.repository import STORE_STATE_KEY
from tests.repository.conftest import Authorities, make_document, make_entry
from tests.repository.test_repo_api import repository_dir_for
from tests.repository.test_repo_submissions import refused


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def raw_jws(header: bytes | dict[str, Any], payload: bytes, key: Key) -> str:
    """A compact ES256 JWS over exactly these header and payload bytes (no library checks, so
    that headers a careful library would refuse can be sent)."""
    if isinstance(header, dict):
        header = json.dumps(header).encode()
    signing_input = f"{_b64(header)}.{_b64(payload)}".encode("ascii")
    der = key.private_key.sign(signing_input, ec.ECDSA(hashes.SHA256()))  # type: ignore[union-attr]
    r, s = decode_dss_signature(der)
    return f"{signing_input.decode()}.{_b64(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"


def _header(**extra: Any) -> dict[str, Any]:
    return {"alg": "ES256", "kid": "test-sg", "typ": SUBMISSION_TYP, **extra}


def stamped(store: RepositoryStore, ams: str = "SG", **changes: Any) -> dict[str, Any]:
    doc = make_document(ams, [make_entry(ams, "a")])
    doc.update(
        sequence=store.next_sequence(ams),
        issued_at=utcnow().isoformat().replace("+00:00", "Z"),
        jti=str(uuid.uuid4()),
    )
    doc.update(changes)
    return doc


def _text(doc: dict[str, Any]) -> str:
    return json.dumps(doc, separators=(",", ":"))


def test_duplicate_members_are_refused_with_their_pointer(
    store: RepositoryStore, authorities: Authorities
) -> None:
    sg = authorities.keys["SG"]
    doc = stamped(store)
    text = _text(doc).replace('{"ams":"SG"', '{"ams":"MY","ams":"SG"', 1)
    exc = refused(store, raw_jws(_header(), text.encode(), sg), "schema_invalid")
    assert exc.where == "/ams" and "appears twice" in exc.message
    inner = _text(doc).replace('"status":"active"', '"status":"withdrawn","status":"active"', 1)
    exc = refused(store, raw_jws(_header(), inner.encode(), sg), "schema_invalid")
    assert exc.where == "/entries/0/status"
    header = (
        b'{"alg":"none","alg":"ES256","kid":"test-sg","typ":"' + SUBMISSION_TYP.encode() + b'"}'
    )
    exc = refused(store, raw_jws(header, _text(doc).encode(), sg), "bad_jws")
    assert "twice" in exc.message
    # the same document without the tricks is accepted: the refusals were for the tricks
    assert store.submit(raw_jws(_header(), _text(doc).encode(), sg)).ams == "SG"


@pytest.mark.parametrize("number", [2**31, 2**53 + 1, 2**63, 2**64])
def test_integers_out_of_range_are_refused_with_their_pointer(
    store: RepositoryStore, authorities: Authorities, number: int
) -> None:
    doc = stamped(store, sequence=number)
    exc = refused(
        store, raw_jws(_header(), _text(doc).encode(), authorities.keys["SG"]), "schema_invalid"
    )
    assert exc.where == "/sequence", exc.to_dict()


@pytest.mark.parametrize(
    ("field", "value", "pointer"),
    [
        ("jti", "abc\u0000defghij", "/jti"),
        ("name", "Sing\u0000pass", "/entries/0/name"),
        ("description", "bell \u0007 here", "/entries/0/description"),
        ("name", "lone \ud800 surrogate", "/entries/0/name"),
    ],
)
def test_control_characters_are_refused_on_both_databases(
    store: RepositoryStore, authorities: Authorities, field: str, value: str, pointer: str
) -> None:
    doc = stamped(store)
    if field == "jti":
        doc["jti"] = value
    else:
        doc["entries"][0][field] = value
    payload = json.dumps(doc, separators=(",", ":")).encode()  # \u escapes, as JSON allows
    exc = refused(store, raw_jws(_header(), payload, authorities.keys["SG"]), "schema_invalid")
    assert exc.where == pointer


def test_deep_nesting_is_refused_before_parsing(
    store: RepositoryStore, authorities: Authorities
) -> None:
    doc = stamped(store)
    doc["sandbox_note"] = "PLACEHOLDER"
    text = _text(doc).replace('"PLACEHOLDER"', "[" * 1000 + "]" * 1000)
    exc = refused(
        store, raw_jws(_header(), text.encode(), authorities.keys["SG"]), "schema_invalid"
    )
    assert "nested 1001 levels deep" in exc.message


@pytest.mark.parametrize(
    ("extra", "code"),
    [
        ({"crit": []}, "bad_jws"),
        ({"crit": ["alg"]}, "bad_jws"),
        ({"crit": ["kid"]}, "bad_jws"),
        ({"crit": "exp"}, "bad_jws"),
        ({"crit": ["exp"]}, "bad_jws"),  # listed but absent
        ({"crit": ["exp"], "exp": 1}, "unknown_critical"),
        ({"crit": ["b64"], "b64": False}, "unknown_critical"),
        ({"x5c": ["MIIB"]}, "key_in_header"),
        ({"jwk": {"kty": "EC"}}, "key_in_header"),
        ({"jku": "https://example.org/keys"}, "key_in_header"),
        ({"typ": "JWT"}, "bad_typ"),
        ({"typ": None}, "bad_typ"),
    ],
)
def test_header_rules_of_rfc_7515(
    store: RepositoryStore, authorities: Authorities, extra: dict[str, Any], code: str
) -> None:
    header = _header(**extra)
    if header.get("typ") is None:
        del header["typ"]
    jws = raw_jws(header, _text(stamped(store)).encode(), authorities.keys["SG"])
    refused(store, jws, code)


def test_unknown_non_critical_headers_are_ignored_and_typ_compares_as_a_media_type(
    store: RepositoryStore, authorities: Authorities
) -> None:
    sg = authorities.keys["SG"]
    header = _header(note="sent by the MyDigital ID desk", **{"x-trace": [1, 2]})
    assert store.submit(raw_jws(header, _text(stamped(store)).encode(), sg)).sequence == 1
    header = _header(typ="Application/EAUTH-Repo-Submission+JWS")
    assert store.submit(raw_jws(header, _text(stamped(store)).encode(), sg)).sequence == 2


# --------------------------------------------------------------------------- through the API


@pytest.fixture
def client(
    database_url: str, authorities: Authorities, tmp_path: Path
) -> Iterator[tuple[TestClient, RepositoryStore, str]]:
    settings = Settings(
        database_url=database_url,
        data_dir=tmp_path,
        load_samples=False,
        repository_dir=repository_dir_for(authorities, tmp_path),
    )
    app = create_app(settings)
    store: RepositoryStore = getattr(app.state, STORE_STATE_KEY)
    token = store.create_token("SG", "SG desk")
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c, store, token
    store.close()


def test_hostile_submissions_are_4xx_problem_documents(
    client: tuple[TestClient, RepositoryStore, str], authorities: Authorities
) -> None:
    c, store, token = client
    sg = authorities.keys["SG"]
    auth = {"Authorization": f"Bearer {token}"}
    deep = _text(stamped(store, sandbox_note="X")).replace('"X"', "[" * 1000 + "]" * 1000)
    cases = [
        (raw_jws(_header(), deep.encode(), sg), 422, "schema_invalid", "/"),
        (
            raw_jws(_header(), _text(stamped(store, sequence=2**31)).encode(), sg),
            422,
            "schema_invalid",
            "/sequence",
        ),
        (
            raw_jws(_header(), _text(stamped(store, sequence=2**63)).encode(), sg),
            422,
            "schema_invalid",
            "/sequence",
        ),
        (
            raw_jws(_header(), _text(stamped(store, jti="a\u0000bcdefgh")).encode(), sg),
            422,
            "schema_invalid",
            "/jti",
        ),
        (
            raw_jws(_header(crit=["exp"], exp=1), _text(stamped(store)).encode(), sg),
            400,
            "unknown_critical",
            None,
        ),
        (
            raw_jws(_header(x5c=["MIIB" * 500] * 3), _text(stamped(store)).encode(), sg),
            400,
            "key_in_header",
            None,
        ),
    ]
    before = store.dump()
    for jws, status, code, where in cases:
        r = c.post("/api/repository/submissions", json={"jws": jws}, headers=auth)
        assert r.status_code == status, r.text
        assert r.headers["content-type"] == "application/problem+json"
        body = r.json()
        assert body["code"] == code and body["status"] == status and body["title"]
        assert body["where"] == where
    assert store.dump() == before
    r = c.post(
        "/api/repository/submissions",
        json={"jws": raw_jws(_header(), _text(stamped(store)).encode(), sg)},
        headers=auth,
    )
    assert r.status_code == 201, r.text


def test_the_request_body_is_read_strictly_too(
    client: tuple[TestClient, RepositoryStore, str], authorities: Authorities
) -> None:
    c, store, token = client
    good = raw_jws(_header(), _text(stamped(store)).encode(), authorities.keys["SG"])
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    for body, where in (
        (f'{{"jws":"x.y.z","jws":"{good}"}}', "/jws"),
        ('{"jws":' + "[" * 50 + "]" * 50 + "}", "/"),
        ('{"jws":"a\\u0000"}', "/jws"),
    ):
        r = c.post("/api/repository/submissions", content=body.encode(), headers=headers)
        assert r.status_code == 422 and r.json()["code"] == "bad_request_body", r.text
        assert r.json()["where"] == where
    assert store.submissions() == []
    r = c.post("/api/repository/submissions", content=f'{{"jws":"{good}"}}', headers=headers)
    assert r.status_code == 201
