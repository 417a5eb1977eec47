"""Publishing the signed list: round trip, any changed byte fails, atomicity under a crash, diff."""

from __future__ import annotations

import errno
import json
import os
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from joserfc.jwk import ECKey, OKPKey

from eauth_toolkit.errors import InputError
from eauth_toolkit.repository.keys import load_key
from eauth_toolkit.repository.models import PublishedList
from eauth_toolkit.repository.publication import (
    ListVerificationError,
    PublicationWriteError,
    diff_lists,
    export_list,
    publish,
    read_list_payload,
    verify_list,
)
from eauth_toolkit.repository.samples import publisher_certificate_path, publisher_key_path
from eauth_toolkit.repository.store import RepositoryStore
from eauth_toolkit.schemaio import schema_errors
from tests.repository.conftest import REPOSITORY_DIR, make_document, make_entry

PUBLISHER = load_key(publisher_key_path(REPOSITORY_DIR))
PUBLISHER_CERT = load_key(publisher_certificate_path(REPOSITORY_DIR))


@pytest.fixture
def filled(store: RepositoryStore, submit_as: Callable[..., Any]) -> RepositoryStore:
    sqlite_store = store
    submit_as(
        sqlite_store, "SG", make_document("SG", [make_entry("SG", "a"), make_entry("SG", "b")])
    )
    restricted = make_entry("MY", "secret", disclosure={"restricted": True, "note": "national law"})
    submit_as(sqlite_store, "MY", make_document("MY", [make_entry("MY", "a"), restricted]))
    return sqlite_store


def test_publish_then_verify_round_trips(filled: RepositoryStore, tmp_path: Path) -> None:
    out = tmp_path / "list.json"
    result = publish(filled, PUBLISHER, out)
    assert result.sequence_number == 1 and result.entry_count == 4
    for key in (
        PUBLISHER_CERT,
        load_key(REPOSITORY_DIR / "sandbox-publisher-key" / "publisher.public.jwk.json"),
    ):
        verified = verify_list(out.read_bytes(), key)
        assert verified.sequence_number == 1 and verified.algorithm == "ES256"
    payload = verified.payload
    PublishedList.model_validate(payload)
    assert schema_errors(payload, "repository-list") == []
    by_id = {e["id"]: e for e in payload["entries"]}
    assert by_id["sg-a"]["assessed_level"]["iso29115"] == 4 and by_id["sg-a"]["level_mismatch"]
    assert by_id["sg-a"]["status_history"][0]["status"] == "active"
    secret = by_id["my-secret"]
    assert secret["profile"] is None and secret["oidc"] is None
    assert secret["description"].startswith("Details withheld")
    assert payload["next_update"] > payload["issued_at"]
    second = publish(filled, PUBLISHER, out)
    assert second.sequence_number == 2
    assert [p["sequence_number"] for p in filled.publications()] == [1, 2]
    assert filled.publication_content() == out.read_bytes()


def test_any_changed_byte_fails_verification(filled: RepositoryStore, tmp_path: Path) -> None:
    out = tmp_path / "list.json"
    publish(filled, PUBLISHER, out)
    raw = out.read_bytes()
    verify_list(raw, PUBLISHER_CERT)
    rng = random.Random(20261128)
    positions = set(rng.sample(range(len(raw)), 300))
    positions |= {0, len(raw) - 1, len(raw) - 2, len(raw) - 3, raw.index(b'"signature"') + 14}
    positions |= set(range(len(raw) - 12, len(raw)))  # the end of the signature
    for pos in sorted(positions):
        for replacement in {
            raw[pos] ^ 0x01,
            raw[pos] ^ 0x20,
            ord("A") if raw[pos] != ord("A") else ord("B"),
        }:
            changed = raw[:pos] + bytes([replacement]) + raw[pos + 1 :]
            with pytest.raises(ListVerificationError):
                verify_list(changed, PUBLISHER_CERT)
    with pytest.raises(ListVerificationError):
        verify_list(raw + b"\n", PUBLISHER_CERT)
    with pytest.raises(ListVerificationError):
        verify_list(raw[:-1], PUBLISHER_CERT)


def test_a_list_does_not_verify_with_another_key(filled: RepositoryStore, tmp_path: Path) -> None:
    out = tmp_path / "list.json"
    publish(filled, PUBLISHER, out)
    with pytest.raises(ListVerificationError) as info:
        verify_list(out.read_bytes(), ECKey.generate_key("P-256"))
    assert info.value.code == "bad_signature"
    with pytest.raises(ListVerificationError):
        verify_list(out.read_bytes(), OKPKey.generate_key("Ed25519"))


def test_an_eddsa_publisher_key_works_too(filled: RepositoryStore, tmp_path: Path) -> None:
    key = OKPKey.generate_key("Ed25519", private=True)
    out = tmp_path / "list.json"
    publish(filled, key, out)
    assert verify_list(out.read_bytes(), key).algorithm == "EdDSA"


def test_a_failed_write_keeps_the_previous_file_and_the_record(
    filled: RepositoryStore, tmp_path: Path
) -> None:
    out = tmp_path / "list.json"
    publish(filled, PUBLISHER, out)
    before = out.read_bytes()

    def crash(step: str) -> None:
        if step == "after_write":
            raise OSError(errno.EIO, "disk pulled out")

    with pytest.raises(PublicationWriteError) as info:
        publish(filled, PUBLISHER, out, on_step=crash)
    assert "list #2 is recorded but was not written" in info.value.message
    assert out.read_bytes() == before
    assert verify_list(out.read_bytes(), PUBLISHER_CERT).sequence_number == 1
    assert [p["sequence_number"] for p in filled.publications()] == [1, 2]
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")) == []
    assert export_list(filled, out) == 2
    assert out.read_bytes() == filled.publication_content(2)
    assert publish(filled, PUBLISHER, out).sequence_number == 3


def test_diff_between_two_versions(
    filled: RepositoryStore, tmp_path: Path, submit_as: Callable[..., Any]
) -> None:
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    publish(filled, PUBLISHER, old)
    doc = make_document("SG", [make_entry("SG", "c")])
    doc["withdrawals"] = [{"id": "sg-a", "date": "2026-06-01", "reason": "retired"}]
    submit_as(filled, "SG", doc)
    publish(filled, PUBLISHER, new)
    d = diff_lists(read_list_payload(old), read_list_payload(new))
    assert d["from_sequence"] == 1 and d["to_sequence"] == 2
    assert d["added"] == ["sg-c"] and d["removed"] == []
    assert d["changed"] == {"sg-a": ["/status", "/status_history"]}
    assert d["status_changes"] == {"sg-a": {"from": "active", "to": "withdrawn"}}


def test_reading_what_is_not_a_list(tmp_path: Path) -> None:
    p = tmp_path / "x.json"
    p.write_text(json.dumps({"hello": 1}))
    with pytest.raises(InputError):
        read_list_payload(p)
    with pytest.raises(InputError):
        read_list_payload(tmp_path / "missing.json")
    with pytest.raises(ListVerificationError):
        verify_list(b"\x00\x01", PUBLISHER_CERT)
    assert os.path.exists(p)


def test_a_signed_list_is_read_by_the_strict_reading_and_header_rules() -> None:
    import base64

    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

    from eauth_toolkit.repository.jose import LIST_TYP, canonical_list_bytes, sign_list

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    def signed(header: dict[str, Any], payload: bytes) -> bytes:
        protected = b64(json.dumps(header).encode())
        der = PUBLISHER.private_key.sign(  # type: ignore[union-attr]
            f"{protected}.{b64(payload)}".encode(), ec.ECDSA(hashes.SHA256())
        )
        r, s = decode_dss_signature(der)
        return canonical_list_bytes(
            {
                "protected": protected,
                "payload": b64(payload),
                "signature": b64(r.to_bytes(32, "big") + s.to_bytes(32, "big")),
            }
        )

    head = (
        b'{"list_format":"eauth-repository-list/1","scheme_information":{},'
        b'"issued_at":"2026-01-01T00:00:00Z","next_update":"2026-02-01T00:00:00Z",'
    )
    good = head + b'"sequence_number":4,"entries":[]}'
    assert verify_list(sign_list(good, PUBLISHER), PUBLISHER_CERT).sequence_number == 4
    twice = head + b'"sequence_number":4,"sequence_number":5,"entries":[]}'
    with pytest.raises(ListVerificationError) as info:
        verify_list(sign_list(twice, PUBLISHER), PUBLISHER_CERT)
    assert info.value.code == "bad_payload" and "/sequence_number" in info.value.message
    huge = head + b'"sequence_number":18446744073709551616,"entries":[]}'
    with pytest.raises(ListVerificationError) as info:
        verify_list(sign_list(huge, PUBLISHER), PUBLISHER_CERT)
    assert info.value.code == "bad_payload"
    header = {"alg": "ES256", "typ": LIST_TYP}
    assert verify_list(signed(header, good), PUBLISHER_CERT).sequence_number == 4
    for extra, code in (
        ({"typ": "eauth-repo-submission+jws"}, "bad_typ"),
        ({"crit": ["exp"], "exp": 1}, "unknown_critical"),
        ({"x5c": ["MIIB"]}, "key_in_header"),
    ):
        with pytest.raises(ListVerificationError) as info:
            verify_list(signed(header | extra, good), PUBLISHER_CERT)
        assert info.value.code == code
