"""Authority keys: JWK or X.509 certificate in the registry, only public keys, only ES256/EdDSA."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from joserfc.jwk import ECKey, OKPKey

from eauth_toolkit.errors import InputError, RepositoryError
from eauth_toolkit.repository.keys import AuthorityRegistry, key_from_data, load_key
from eauth_toolkit.repository.samples import _self_signed
from eauth_toolkit.repository.signing import sign_submission
from eauth_toolkit.repository.store import RepositoryStore
from tests.repository.conftest import REPOSITORY_DIR, make_document, make_entry


def test_an_authority_registered_by_certificate_can_submit(tmp_path: Path) -> None:
    key = ECKey.generate_key("P-256", private=True)
    pem = _self_signed(key, "Test authority of LA", dt.datetime.now(dt.UTC)).decode()
    (tmp_path / "la.pem").write_text(pem)
    registry = AuthorityRegistry.load(
        _registry_file(tmp_path, {"LA": {"name": "LA authority", "certificate": "la.pem"}})
    )
    inline = AuthorityRegistry.from_dict({"authorities": {"LA": {"name": "x", "certificate": pem}}})
    assert registry.get("LA") is not None and inline.get("LA") is not None
    store = RepositoryStore.open(f"sqlite:///{tmp_path / 'db.sqlite3'}", registry)
    try:
        doc = make_document("LA", [make_entry("LA", "lao-id")])
        receipt = store.submit(sign_submission(doc, key, sequence=1))
        assert receipt.diff["added"] == ["la-lao-id"]
    finally:
        store.close()


def _registry_file(folder: Path, authorities: dict[str, object]) -> Path:
    path = folder / "authorities.json"
    path.write_text(json.dumps({"label": "test", "authorities": authorities}))
    return path


def test_the_registry_refuses_private_keys_unknown_codes_and_other_algorithms(
    tmp_path: Path,
) -> None:
    private = ECKey.generate_key("P-256", private=True).as_dict(private=True)
    with pytest.raises(InputError, match="public keys only"):
        AuthorityRegistry.from_dict({"authorities": {"SG": {"name": "x", "jwk": private}}})
    public = ECKey.generate_key("P-256").as_dict(private=False)
    with pytest.raises(InputError, match="not an ASEAN Member State code") as info:
        AuthorityRegistry.from_dict({"authorities": {"XX": {"name": "x", "jwk": public}}})
    assert info.value.where == "authorities#/authorities/XX"
    p384 = ECKey.generate_key("P-384").as_dict(private=False)
    with pytest.raises(RepositoryError, match="unsupported key"):
        AuthorityRegistry.from_dict({"authorities": {"SG": {"name": "x", "jwk": p384}}})
    with pytest.raises(InputError, match="neither 'jwk' nor 'certificate'"):
        AuthorityRegistry.from_dict({"authorities": {"SG": {"name": "x"}}})
    with pytest.raises(InputError, match="authority registry not found"):
        AuthorityRegistry.load(tmp_path / "none.json")


def test_key_files_in_every_accepted_form(tmp_path: Path) -> None:
    ec = ECKey.generate_key("P-256", private=True)
    ed = OKPKey.generate_key("Ed25519", private=True)
    (tmp_path / "ec.pem").write_bytes(ec.as_pem(private=True))
    (tmp_path / "ed.jwk.json").write_text(json.dumps(ed.as_dict(private=True)))
    assert load_key(tmp_path / "ec.pem").is_private
    assert load_key(tmp_path / "ed.jwk.json").is_private
    assert not load_key(REPOSITORY_DIR / "sandbox-publisher-key" / "publisher.cert.pem").is_private
    rsa_pem = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    (tmp_path / "rsa.pem").write_bytes(rsa_pem)
    with pytest.raises(InputError) as info:
        load_key(tmp_path / "rsa.pem")
    assert info.value.where == str(tmp_path / "rsa.pem")
    with pytest.raises(InputError, match="not a JWK, PEM key or PEM certificate"):
        key_from_data("hello", where="k")
    with pytest.raises(InputError, match="key file not found"):
        load_key(tmp_path / "missing.pem")


def test_the_committed_sandbox_registry_covers_the_ten_ams() -> None:
    registry = AuthorityRegistry.load(REPOSITORY_DIR / "authorities.json")
    assert len(registry.authorities) == 10
    for ams, authority in registry.authorities.items():
        assert authority.label == "sandbox"
        key = load_key(REPOSITORY_DIR / "sandbox-authority-keys" / f"{ams}.private.jwk.json")
        assert key.thumbprint() == authority.key.thumbprint()
