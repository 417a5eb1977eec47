"""The walk of one acr value: signed submission, peer review, publication, the gateway's decision.

Submissions and reviews go over HTTP; lists are published by the repository's publisher; the
decision is the library call the pilot gateways make (:class:`TrustSource`), which re-reads the
list file on every flow.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import logging
import os
from pathlib import Path

import pytest

from eauth_toolkit.errors import RecognitionError
from eauth_toolkit.recognition.trust import TrustSource
from eauth_toolkit.repository.keys import AuthorityRegistry, certificate_validity, load_key
from eauth_toolkit.repository.publication import publish
from eauth_toolkit.repository.reviews import sign_review
from eauth_toolkit.repository.trust import trust_picture
from tests.trust.conftest import (
    PUBLISHER_CERT,
    PUBLISHER_KEY,
    REPO,
    Service,
    key_path,
    pilot_entry,
    publish_list,
    submission,
)

SG_IDP = "sg-sandbox-national-idp"
ACR_2FA = "urn:sandbox:sg:ndi:acr:2fa"
ACR_PASSWORD = "urn:sandbox:sg:ndi:acr:password"


def _source(path: Path) -> TrustSource:
    return TrustSource(
        path,
        load_key(PUBLISHER_CERT),
        authorities=AuthorityRegistry.load(REPO / "authorities.json"),
        key_valid=certificate_validity(PUBLISHER_CERT),
    )


def _endorse(service: Service, ams: str, entry: str) -> None:
    jws = sign_review(
        ams=ams,
        entry=entry,
        level=3,
        decision="endorse",
        reason="profile and evidence checked",
        key=load_key(key_path(ams)),
        sequence=service.store.next_sequence(ams),
    )
    r = service.post_review(ams, jws)
    assert r.status_code == 201, r.text


def _sign_in(source: TrustSource, acr: str = ACR_2FA):  # type: ignore[no-untyped-def]
    return source.current().authentication(
        technology=SG_IDP, from_ams="SG", relying_ams="MY", acr=acr
    )


def test_acr_walk_review_publication_withdrawal(service: Service, tmp_path: Path) -> None:
    out = tmp_path / "list.json"
    assert service.submit("SG", submission("SG", [pilot_entry(SG_IDP)])).status_code == 201

    # list 1: the level is proposed, not yet agreed: the flow is refused, naming the list
    n1 = publish_list(service, out).sequence_number
    source = _source(out)
    d = _sign_in(source)
    assert not d.accepted and d.code == "level_not_agreed"
    assert f"#{n1}" in d.reason and d.agreement == "sg-my-sandbox"

    # MY (the other party to the agreement) endorses; list 2 makes the level agreed
    _endorse(service, "MY", SG_IDP)
    n2 = publish_list(service, out).sequence_number
    d = _sign_in(source)  # same TrustSource: the new file takes effect without a restart
    assert d.accepted and d.level == 3, d.reason
    assert (d.list_sequence, d.agreement) == (n2, "sg-my-sandbox")
    assert "endorsed by MY" in d.reason
    assert d.to_event()["list_sequence"] == n2
    d = _sign_in(source, ACR_PASSWORD)
    assert d.accepted and d.level == 2
    d = _sign_in(source, "urn:other")
    assert not d.accepted and d.code == "unknown_acr"
    # the reverse direction is governed by MY's technology, which is not in the list
    view = source.current()
    assert [e["id"] for e in view.technologies("SG")] == [SG_IDP]
    assert [a.id for a in view.agreements_in_force()] == ["sg-my-sandbox"]

    # SG withdraws its IdP; list 3: the next SG sign-in at a MY service is refused
    withdrawal = {"id": SG_IDP, "date": "2026-11-30", "reason": "replaced by a new IdP"}
    assert service.submit("SG", submission("SG", [], [withdrawal])).status_code == 201
    n3 = publish_list(service, out).sequence_number
    d = _sign_in(source)
    assert not d.accepted and d.code == "withdrawn"
    assert "withdrawn" in d.reason and "replaced by a new IdP" in d.reason
    assert f"#{n3}" in d.reason


def test_bad_list_keeps_the_last_good_one(
    service: Service, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    out = tmp_path / "list.json"
    assert service.submit("SG", submission("SG", [pilot_entry(SG_IDP)])).status_code == 201
    _endorse(service, "MY", SG_IDP)
    good = publish_list(service, out).sequence_number
    source = _source(out)
    assert _sign_in(source).accepted
    raw = out.read_bytes()
    before = out.stat()
    at = raw.index(b'"payload": "') + 300
    out.write_bytes(raw[:at] + (b"A" if raw[at : at + 1] != b"A" else b"B") + raw[at + 1 :])
    # same size and the old modification time put back: the change is still seen (the reader
    # compares inode, size, modification and change times before it re-reads the file)
    os.utime(out, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert out.stat().st_size == before.st_size and out.stat().st_mtime_ns == before.st_mtime_ns
    with caplog.at_level(logging.WARNING):
        d = _sign_in(source)
    assert d.accepted and d.list_sequence == good
    assert source.last_error and "refused" in source.last_error
    assert f"keeping Repository List #{good}" in caplog.text
    # a reader that never saw a good list fails closed
    fresh = _source(out)
    with pytest.raises(Exception, match="no good Repository List"):
        fresh.current()


def _carrying(service: Service, document: dict) -> dict:  # type: ignore[type-arg]
    """The service's trust picture with ``document`` in place of its agreement: what a publisher
    that skipped the registry's checks would carry (the reader checks again)."""
    picture = trust_picture(service.store, REPO)
    picture["agreements"] = [
        {"id": "sg-my-sandbox", "parties": ["SG", "MY"], "in_force": True, "document": document}
    ]
    return picture


def test_agreement_missing_a_signature_is_refused_with_the_reason(
    service: Service, tmp_path: Path
) -> None:
    assert service.submit("SG", submission("SG", [pilot_entry(SG_IDP)])).status_code == 201
    _endorse(service, "MY", SG_IDP)
    half = copy.deepcopy(json.loads((REPO / "agreements" / "sg-my-sandbox.json").read_text()))
    half["signatures"] = half["signatures"][:1]
    # the registry refuses it at submission, naming the missing party
    r = service.submit_agreement("SG", {"agreement": half})
    assert r.status_code == 422, r.text
    assert r.json()["code"] == "missing_signature"
    assert r.json()["where"] == "/agreement/signatures"
    assert "lacks the signature of MY's authority" in r.json()["message"]
    # and a list that carries it anyway does not make it count
    out = tmp_path / "list.json"
    publish(service.store, load_key(PUBLISHER_KEY), out, trust=_carrying(service, half))
    d = _sign_in(_source(out))
    assert not d.accepted and d.code == "not_recognised"
    assert "lacks the signature of MY's authority" in d.reason


def test_agreement_past_its_end_date_is_refused(service: Service, tmp_path: Path) -> None:
    """An agreement re-signed by both parties with an end date in the past."""
    import datetime as dt

    from eauth_toolkit.recognition.sandbox import sandbox_agreement, sign_with_sandbox_keys

    assert service.submit("SG", submission("SG", [pilot_entry(SG_IDP)])).status_code == 201
    ended = sandbox_agreement().model_copy(update={"valid_until": dt.date(2026, 6, 30)})
    document = sign_with_sandbox_keys(ended, REPO)
    r = service.submit_agreement("MY", {"agreement": document})
    assert r.status_code == 422 and r.json()["code"] == "expired", r.text
    assert "ended on 2026-06-30" in r.json()["message"]
    out = tmp_path / "list.json"
    publish(service.store, load_key(PUBLISHER_KEY), out, trust=_carrying(service, document))
    d = _sign_in(_source(out))
    assert not d.accepted and d.code == "not_recognised"
    assert "ended on 2026-06-30" in d.reason


def test_list_without_trust_picture_still_verifies(service: Service, tmp_path: Path) -> None:
    """A list published before lists carried the trust picture verifies; it recognises nothing."""
    from eauth_toolkit.repository.models import PublishedList
    from eauth_toolkit.repository.publication import read_list_payload
    from eauth_toolkit.schemaio import schema_errors

    assert service.submit("SG", submission("SG", [pilot_entry(SG_IDP)])).status_code == 201
    old = tmp_path / "old.json"
    publish(service.store, load_key(PUBLISHER_KEY), old)  # no trust section
    payload = read_list_payload(old)
    assert "trust" not in payload
    assert schema_errors(payload, "repository-list") == []
    PublishedList.model_validate(payload)
    d = _sign_in(_source(old))
    assert not d.accepted and "no agreement in the list recognises it" in d.reason
    new = tmp_path / "new.json"
    publish_list(service, new)
    assert schema_errors(read_list_payload(new), "repository-list") == []


def test_an_unchanged_list_past_its_next_update_fails_closed(
    service: Service, tmp_path: Path
) -> None:
    """A frozen list: the file never changes, but once its next update has passed no decision is
    taken on it (a reader cannot be kept on an old list by withholding the new one)."""
    out = tmp_path / "list.json"
    assert service.submit("SG", submission("SG", [pilot_entry(SG_IDP)])).status_code == 201
    _endorse(service, "MY", SG_IDP)
    n = publish_list(service, out).sequence_number
    source = _source(out)
    assert _sign_in(source).accepted
    due = dt.datetime.fromisoformat(source.current().next_update.replace("Z", "+00:00"))
    with pytest.raises(RecognitionError, match=f"#{n} is past its next update") as caught:
        source.current(now=due + dt.timedelta(seconds=1))
    assert caught.value.code == "stale_list"
    assert source.last_error and "past its next update" in source.last_error
    # before the next update the same file is still used
    assert source.current(now=due - dt.timedelta(seconds=1)).list_sequence == n
