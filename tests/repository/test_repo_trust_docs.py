"""The store's trust-list pointers and agreements on SQLite and PostgreSQL: loaded once from the
samples as signed submissions, versioned, withdrawn, and read back for publication."""

from __future__ import annotations

import datetime as dt

import pytest

from eauth_toolkit.repository.keys import AuthorityRegistry, load_key
from eauth_toolkit.repository.samples import authority_key_path, load_trust_samples
from eauth_toolkit.repository.store import RepositoryStore
from eauth_toolkit.repository.submission import SubmissionRefused
from eauth_toolkit.repository.trust import trust_picture
from eauth_toolkit.repository.trustdocs import (
    AGREEMENT_SUBMISSION_TYP,
    agreement_statuses,
    agreement_versions,
    current_trust_lists,
    sign_document,
    submit_agreement,
)
from tests.repository.conftest import REPOSITORY_DIR


def test_trust_documents_in_the_store(database_url: str) -> None:
    registry = AuthorityRegistry.load(REPOSITORY_DIR / "authorities.json")
    store = RepositoryStore.open(database_url, registry)
    try:
        first = load_trust_samples(store, REPOSITORY_DIR)
        assert [(r.ams, r.path.name, r.receipt is not None) for r in first] == [
            ("MY", "index.yaml", True),
            ("SG", "index.yaml", True),
            ("SG", "sg-my-sandbox.json", True),
        ]
        again = load_trust_samples(store, REPOSITORY_DIR)
        assert [r.skipped for r in again] == ["already loaded"] * 3
        assert [p["ams"] for p in current_trust_lists(store)] == ["MY", "SG"]
        [status] = agreement_statuses(store, on=dt.date(2026, 11, 30))
        assert status.in_force and status.signed_by == ("SG", "MY")
        picture = trust_picture(store, REPOSITORY_DIR, on=dt.date(2026, 11, 30))
        assert [a["id"] for a in picture["agreements"]] == ["sg-my-sandbox"]

        def withdraw(ams: str, sequence: int) -> str:
            return sign_document(
                {"ams": ams, "withdrawal": {"id": "sg-my-sandbox", "reason": "ends"}},
                load_key(authority_key_path(REPOSITORY_DIR, ams)),
                typ=AGREEMENT_SUBMISSION_TYP,
                sequence=sequence,
            )

        with pytest.raises(SubmissionRefused) as refused:
            submit_agreement(store, withdraw("TH", store.next_sequence("TH")))
        assert refused.value.code == "forbidden"
        jws = withdraw("MY", store.next_sequence("MY"))
        assert submit_agreement(store, jws).change == "withdrawn"
        with pytest.raises(SubmissionRefused) as refused:
            submit_agreement(store, jws)
        assert refused.value.code == "replayed"
        assert agreement_statuses(store) == []
        assert trust_picture(store, REPOSITORY_DIR)["agreements"] == []
        assert [(v["version"], v["status"]) for v in agreement_versions(store)] == [
            (1, "active"),
            (2, "withdrawn"),
        ]
        # nothing is deleted: the audit trail holds every accepted submission
        kinds = [label for s in store.submissions() for label in s["diff"]["added"]]
        assert kinds == ["trust-list/MY", "trust-list/SG", "agreement/sg-my-sandbox"]
    finally:
        store.close()
