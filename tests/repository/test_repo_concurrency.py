"""Authorities submitting at the same moment: every submission accepted, nothing lost."""

from __future__ import annotations

import threading
from typing import Any

from eauth_toolkit.repository.keys import AuthorityRegistry
from eauth_toolkit.repository.models import AMS_CODES
from eauth_toolkit.repository.signing import sign_submission
from eauth_toolkit.repository.store import RepositoryStore
from eauth_toolkit.repository.submission import SubmissionRefused
from tests.repository.conftest import Authorities, make_document, make_entry


def _race(jobs: list[Any]) -> list[Any]:
    """Run the callables in threads released together; results or exceptions, in order."""
    barrier = threading.Barrier(len(jobs))
    results: list[Any] = [None] * len(jobs)

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = jobs[i]()
        except Exception as exc:  # noqa: BLE001 - collected and asserted on
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def _store(url: str, registry: AuthorityRegistry) -> RepositoryStore:
    return RepositoryStore.open(url, registry)


def test_two_authorities_submitting_at_once_are_both_accepted(
    database_url: str, authorities: Authorities
) -> None:
    # two separate stores (two engines, like two service workers) over one database
    first = _store(database_url, authorities.registry)
    second = _store(database_url, authorities.registry)
    try:
        sg = sign_submission(
            make_document("SG", [make_entry("SG", f"s{i}") for i in range(30)]),
            authorities.keys["SG"],
            sequence=1,
        )
        my = sign_submission(
            make_document("MY", [make_entry("MY", f"m{i}") for i in range(30)]),
            authorities.keys["MY"],
            sequence=1,
        )
        results = _race([lambda: first.submit(sg), lambda: second.submit(my)])
        assert not [r for r in results if isinstance(r, Exception)], results
        assert {r.ams for r in results} == {"SG", "MY"}
        assert first.count_entries("SG") == 30 and first.count_entries("MY") == 30
        audit = first.submissions()
        assert sorted((a["ams"], a["sequence"], len(a["diff"]["added"])) for a in audit) == [
            ("MY", 1, 30),
            ("SG", 1, 30),
        ]
        assert len(first.dump()["repo_entry_version"]) == 60
    finally:
        first.close()
        second.close()


def test_all_ten_authorities_at_once(database_url: str, authorities: Authorities) -> None:
    store = _store(database_url, authorities.registry)
    try:
        jws = {
            ams: sign_submission(
                make_document(ams, [make_entry(ams, f"x{i}") for i in range(5)]),
                authorities.keys[ams],
                sequence=1,
            )
            for ams in AMS_CODES
        }
        results = _race([lambda j=j: store.submit(j) for j in jws.values()])
        assert not [r for r in results if isinstance(r, Exception)], results
        assert store.count_entries() == 50
        assert sorted(a["ams"] for a in store.submissions()) == sorted(AMS_CODES)
    finally:
        store.close()


def test_one_authority_racing_itself_with_one_sequence_number(
    database_url: str, authorities: Authorities
) -> None:
    store = _store(database_url, authorities.registry)
    try:
        key = authorities.keys["ID"]
        a = sign_submission(make_document("ID", [make_entry("ID", "a")]), key, sequence=1)
        b = sign_submission(make_document("ID", [make_entry("ID", "b")]), key, sequence=1)
        results = _race([lambda: store.submit(a), lambda: store.submit(b)])
        errors = [r for r in results if isinstance(r, Exception)]
        assert len(errors) == 1 and isinstance(errors[0], SubmissionRefused)
        assert errors[0].code in {"replayed", "out_of_order"}
        assert store.count_entries("ID") == 1 and len(store.submissions("ID")) == 1
        assert store.next_sequence("ID") == 2
    finally:
        store.close()


def test_two_service_workers_loading_the_samples_at_once(database_url: str) -> None:
    from eauth_toolkit.repository.samples import load_samples
    from tests.repository.conftest import REPOSITORY_DIR

    registry = AuthorityRegistry.load(REPOSITORY_DIR / "authorities.json")
    a, b = _store(database_url, registry), _store(database_url, registry)
    try:
        results = _race(
            [lambda: load_samples(a, REPOSITORY_DIR), lambda: load_samples(b, REPOSITORY_DIR)]
        )
        assert not [r for r in results if isinstance(r, Exception)], results
        loaded = [
            (item.ams, item.path.name)
            for run in results
            for item in run
            if item.receipt is not None
        ]
        # each AMS file, trust-list pointer and agreement loaded exactly once
        trust = [("MY", "index.yaml"), ("SG", "index.yaml"), ("SG", "sg-my-sandbox.json")]
        assert sorted(loaded) == sorted([(ams, f"{ams}.json") for ams in AMS_CODES] + trust)
        audit = a.submissions()
        assert sorted(r["ams"] for r in audit if r["sequence"] == 1) == sorted(AMS_CODES)
        assert sorted((r["ams"], r["sequence"]) for r in audit if r["sequence"] > 1) == [
            ("MY", 2),
            ("SG", 2),
            ("SG", 3),
        ]
    finally:
        a.close()
        b.close()
