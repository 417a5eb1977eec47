"""Signed submissions against the store, on SQLite and on PostgreSQL: acceptance, the audit
record, history, the authorization matrix and every refusal (with the store left unchanged)."""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from joserfc.jwk import ECKey, OKPKey

from eauth_toolkit.repository.jose import sign_compact
from eauth_toolkit.repository.models import AMS_CODES
from eauth_toolkit.repository.signing import sign_submission, stamp_submission
from eauth_toolkit.repository.store import EntryFilter, RepositoryStore
from eauth_toolkit.repository.submission import SubmissionPolicy, SubmissionRefused
from tests.repository.conftest import Authorities, make_document, make_entry


def refused(
    store: RepositoryStore, jws: str | bytes, code: str, **kwargs: Any
) -> SubmissionRefused:
    """Submit, expect a refusal with ``code``, and check that nothing in the store changed."""
    before = store.dump()
    with pytest.raises(SubmissionRefused) as info:
        store.submit(jws, **kwargs)
    assert info.value.code == code, info.value.to_dict()
    assert store.dump() == before
    return info.value


def test_an_accepted_submission_is_stored_with_its_audit_record(
    store: RepositoryStore, authorities: Authorities
) -> None:
    doc = make_document("SG", [make_entry("SG", "one"), make_entry("SG", "two")])
    jws = sign_submission(doc, authorities.keys["SG"], sequence=1)
    receipt = store.submit(jws, submitter="test")
    assert receipt.diff == {
        "added": ["sg-one", "sg-two"],
        "changed": {},
        "withdrawn": [],
        "unchanged": [],
    }
    one = store.entry("sg-one")
    assert one is not None and one.version == 1 and one.status == "active"
    assert one.assessed_level == 4 and one.claimed_level == 3 and one.level_mismatch
    assert one.assessment is not None
    assert one.assessment["details"]["results"]["iso29115-2013"]["overall"]["confirmed"] == "LoA4"
    [record] = store.submissions()
    assert record["ams"] == "SG" and record["sequence"] == 1 and record["submitter"] == "test"
    assert record["authority_kid"] == "test-sg" and record["jws"] == jws
    assert record["diff"]["added"] == ["sg-one", "sg-two"]
    assert store.next_sequence("SG") == 2 and store.next_sequence("MY") == 1


def test_changes_and_withdrawals_keep_every_version_and_the_history(
    store: RepositoryStore, submit_as: Callable[..., Any]
) -> None:
    submit_as(store, "TH", make_document("TH", [make_entry("TH", "a"), make_entry("TH", "b")]))
    changed = make_entry("TH", "a", description="A new description of the test technology.")
    receipt = submit_as(store, "TH", make_document("TH", [changed, make_entry("TH", "b")]))
    assert receipt.diff["changed"] == {"th-a": ["/description"]}
    assert receipt.diff["unchanged"] == ["th-b"]
    doc = make_document("TH", [])
    doc["withdrawals"] = [{"id": "th-a", "date": "2026-02-01", "reason": "replaced"}]
    receipt = submit_as(store, "TH", doc)
    assert receipt.diff["withdrawn"] == ["th-a"]
    a = store.entry("th-a")
    assert a is not None and a.status == "withdrawn" and a.version == 3
    assert [h["status"] for h in a.document["status_history"]] == ["active", "withdrawn"]
    versions = store.entry_versions("th-a")
    assert [v["version"] for v in versions] == [1, 2, 3]
    assert versions[0]["document"]["description"] != versions[1]["document"]["description"]
    # withdrawn entries stay listed; filters see them by status
    assert [e.id for e in store.entries(EntryFilter(status="withdrawn"))] == ["th-a"]
    assert store.count_entries("TH") == 2
    # re-activating needs a dated status change after the withdrawal
    stale = make_entry("TH", "a")
    refused_exc = refused(
        store,
        sign_submission(make_document("TH", [stale]), _key(store, "TH"), sequence=4),
        "status_conflict",
    )
    assert refused_exc.where == "/entries/0/status_history"
    back = make_entry("TH", "a")
    back["status_history"] = [
        {"status": "active", "date": "2020-01-15", "reason": "launched"},
        {"status": "active", "date": "2026-03-01", "reason": "reinstated"},
    ]
    back["sources"]["/status_history/1"] = "https://example.test/news/back"
    submit_as(store, "TH", make_document("TH", [back]))
    a = store.entry("th-a")
    assert a is not None and a.status == "active"
    assert [h["status"] for h in a.document["status_history"]] == ["active", "withdrawn", "active"]
    assert len(store.submissions("TH")) == 4


def _key(store: RepositoryStore, ams: str) -> Any:
    return _KEYS[ams]


_KEYS: dict[str, Any] = {}


@pytest.fixture(autouse=True)
def _remember_keys(authorities: Authorities) -> None:
    _KEYS.update(authorities.keys)


def test_authorization_matrix_every_authority_against_every_other_ams(
    store: RepositoryStore, authorities: Authorities, submit_as: Callable[..., Any]
) -> None:
    for ams in AMS_CODES:
        submit_as(store, ams, make_document(ams, [make_entry(ams, "base")]))
    for signer in AMS_CODES:
        key = authorities.keys[signer]
        for victim in AMS_CODES:
            if victim == signer:
                continue
            seq = store.next_sequence(signer)
            # 1. the signer's own document carrying the victim's entry
            doc = make_document(signer, [make_entry(victim, "base", description="hijacked")])
            exc = refused(store, sign_submission(doc, key, sequence=seq), "forbidden")
            assert exc.where == "/entries/0/ams" and victim in exc.message
            # 2. the signer's document withdrawing the victim's entry
            doc = make_document(signer, [])
            doc["withdrawals"] = [
                {"id": f"{victim.lower()}-base", "date": "2026-01-01", "reason": "x"}
            ]
            exc = refused(store, sign_submission(doc, key, sequence=seq), "forbidden")
            assert exc.where == "/withdrawals/0/id"
            # 3. a document speaking for the victim, signed with the signer's key
            doc = make_document(victim, [make_entry(victim, "base", description="hijacked")])
            exc = refused(
                store, sign_submission(doc, key, sequence=store.next_sequence(victim)), "wrong_key"
            )
            assert f"key of {signer}'s authority, not {victim}'s" in exc.message
    for ams in AMS_CODES:
        entry = store.entry(f"{ams.lower()}-base")
        assert entry is not None and entry.version == 1
        assert entry.document["description"] != "hijacked"


def test_refusals_leave_the_store_unchanged(
    store: RepositoryStore, authorities: Authorities, submit_as: Callable[..., Any]
) -> None:
    key = authorities.keys["SG"]
    first = sign_submission(make_document("SG"), key, sequence=1)
    store.submit(first)
    doc = make_document("SG", [make_entry("SG", "more")])

    # unsigned: a bare JSON document, an alg=none token, an empty body, a JWS without signature
    refused(store, json.dumps(doc), "unsigned")
    none_header = base64.urlsafe_b64encode(b'{"alg":"none"}').rstrip(b"=").decode()
    body = base64.urlsafe_b64encode(json.dumps(doc).encode()).rstrip(b"=").decode()
    refused(store, f"{none_header}.{body}.", "unsigned")
    refused(store, "", "unsigned")
    refused(store, "not a jws", "unsigned")
    # bad signature: the payload changed after signing
    good = sign_submission(doc, key, sequence=2)
    h, p, s = good.split(".")
    tampered = dict(json.loads(base64.urlsafe_b64decode(p + "==")), authority="someone else")
    p2 = base64.urlsafe_b64encode(json.dumps(tampered).encode()).rstrip(b"=").decode()
    refused(store, f"{h}.{p2}.{s}", "bad_signature")
    # a key nobody registered
    stranger = ECKey.generate_key("P-256", private=True)
    exc = refused(store, sign_submission(doc, stranger, sequence=2), "bad_signature")
    assert "registered key of SG's authority" in exc.message
    # an Ed25519 key nobody registered (EdDSA is accepted as an algorithm)
    refused(
        store, sign_submission(doc, OKPKey.generate_key("Ed25519"), sequence=2), "bad_signature"
    )
    # replay of an accepted submission, and an older sequence
    exc = refused(store, first, "replayed")
    refused(store, sign_submission(doc, key, sequence=1), "replayed")
    # schema-invalid content, with the pointer
    bad = make_document("SG", [make_entry("SG", "bad", technology_type="carrier_pigeon")])
    exc = refused(store, sign_submission(bad, key, sequence=2), "schema_invalid")
    assert exc.where == "/entries/0/technology_type"
    unsourced = make_entry("SG", "unsourced")
    del unsourced["sources"]["/operator"]
    exc = refused(
        store, sign_submission(make_document("SG", [unsourced]), key, sequence=2), "schema_invalid"
    )
    assert exc.where == "/entries/0/operator"
    # missing replay protection
    exc = refused(store, sign_submission(doc, key), "schema_invalid")
    assert {p.where for p in exc.problems} == {"/sequence", "/issued_at", "/jti"}
    # stale and future issued_at
    old = dt.datetime.now(dt.UTC) - dt.timedelta(days=3)
    refused(store, sign_submission(doc, key, sequence=2, now=old), "stale")
    future = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
    refused(store, sign_submission(doc, key, sequence=2, now=future), "stale")
    # withdrawing an entry that does not exist
    gone = make_document("SG", [])
    gone["withdrawals"] = [{"id": "sg-nothing", "date": "2026-01-01", "reason": "x"}]
    exc = refused(store, sign_submission(gone, key, sequence=2), "unknown_entry")
    assert exc.where == "/withdrawals/0/id"
    # a payload that is not a submission
    refused(store, sign_compact(b"[1,2,3]", key), "schema_invalid")
    refused(store, sign_compact(b'{"ams":"XX"}', key), "schema_invalid")
    # a date-time the schema validator would let through, a float level, deep nesting
    stamped = stamp_submission(doc, sequence=2)
    stamped["issued_at"] = "yesterday at noon"
    exc = refused(store, sign_compact(json.dumps(stamped).encode(), key), "schema_invalid")
    assert exc.where == "/issued_at"
    floaty = make_entry("SG", "floaty")
    floaty["claimed_level"]["iso29115"] = 3.0
    exc = refused(
        store, sign_submission(make_document("SG", [floaty]), key, sequence=2), "schema_invalid"
    )
    assert exc.where == "/entries/0/claimed_level/iso29115"
    deep = b'{"ams":"SG","x":' + b"[" * 5000 + b"]" * 5000 + b"}"
    refused(store, sign_compact(deep, key), "schema_invalid")
    # after all that, the next good submission still goes through
    assert store.submit(sign_submission(doc, key, sequence=2)).sequence == 2


def test_out_of_order_submissions_are_refused(
    store: RepositoryStore, authorities: Authorities
) -> None:
    key = authorities.keys["VN"]
    later = sign_submission(make_document("VN", [make_entry("VN", "b")]), key, sequence=3)
    earlier = sign_submission(make_document("VN", [make_entry("VN", "a")]), key, sequence=2)
    store.submit(later)
    exc = refused(store, earlier, "out_of_order")
    assert exc.where == "/sequence" and "last accepted sequence 3" in exc.message


def test_oversized_submissions_are_refused(database_url: str, authorities: Authorities) -> None:
    store = RepositoryStore.open(
        database_url, authorities.registry, policy=SubmissionPolicy(max_bytes=20_000)
    )
    try:
        big = make_document("PH", [make_entry("PH", f"e{i}") for i in range(20)])
        exc = refused(store, sign_submission(big, authorities.keys["PH"], sequence=1), "oversized")
        assert "at most 20000" in exc.message
        small = make_document("PH", [make_entry("PH", "e0")])
        assert store.submit(sign_submission(small, authorities.keys["PH"], sequence=1)).id == 1
    finally:
        store.close()


def test_the_stamp_is_what_the_registry_checks(authorities: Authorities) -> None:
    now = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)
    stamped = stamp_submission(make_document("BN"), sequence=5, now=now, jti="fixed-jti-0001")
    assert stamped["sequence"] == 5 and stamped["issued_at"] == "2026-11-28T12:00:00Z"
    assert stamped["jti"] == "fixed-jti-0001"
