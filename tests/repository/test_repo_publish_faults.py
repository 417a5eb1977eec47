"""A publisher killed at every step, on SQLite and PostgreSQL: no two different lists ever carry
the same number, the list file always holds a list that verifies, and start-up recovery cleans up.

The publisher is a real subprocess that sends itself SIGKILL at the injected step.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from eauth_toolkit.repository.jose import sign_list
from eauth_toolkit.repository.keys import load_key
from eauth_toolkit.repository.publication import (
    ListVerificationError,
    list_head,
    publish,
    recover_list_file,
    verify_list,
)
from eauth_toolkit.repository.samples import publisher_certificate_path, publisher_key_path
from eauth_toolkit.repository.store import RepositoryStore, utcnow
from tests.repository.conftest import REPOSITORY_DIR, Authorities, make_document, make_entry

PUBLISHER = load_key(publisher_key_path(REPOSITORY_DIR))
PUBLISHER_CERT = load_key(publisher_certificate_path(REPOSITORY_DIR))

#: the steps of one publication, in order (see ``publish``)
STEPS = (
    "before_sign",
    "after_sign",
    "before_commit",
    "after_commit",
    "after_write",
    "after_rename",
)

KILLER = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    from eauth_toolkit.repository.keys import AuthorityRegistry, load_key
    from eauth_toolkit.repository.publication import publish
    from eauth_toolkit.repository.store import RepositoryStore

    url, registry, key, out, at = sys.argv[1:6]
    store = RepositoryStore.open(url, AuthorityRegistry.load(registry))

    def step(name):
        if name == at:
            os.kill(os.getpid(), signal.SIGKILL)

    publish(store, load_key(key), Path(out), on_step=step)
    sys.exit(3)  # not reached when the step is reached
    """
)


def _lists_in(folder: Path) -> dict[int, set[str]]:
    """Every complete, validly signed list file in ``folder``: number -> SHA-256 digests."""
    found: dict[int, set[str]] = {}
    for p in folder.iterdir():
        if not p.is_file() or p.name.endswith(".lock"):
            continue
        raw = p.read_bytes()
        try:
            number = verify_list(raw, PUBLISHER_CERT).sequence_number
        except ListVerificationError:
            continue
        found.setdefault(number, set()).add(hashlib.sha256(raw).hexdigest())
    return found


def _merge(into: dict[int, set[str]], more: dict[int, set[str]]) -> None:
    for number, digests in more.items():
        into.setdefault(number, set()).update(digests)


def _recorded(store: RepositoryStore) -> dict[int, set[str]]:
    out: dict[int, set[str]] = {}
    for p in store.publications():
        content = store.publication_content(p["sequence_number"])
        assert content is not None
        assert verify_list(content, PUBLISHER_CERT).sequence_number == p["sequence_number"]
        out[p["sequence_number"]] = {hashlib.sha256(content).hexdigest()}
    return out


@pytest.mark.parametrize("step", STEPS)
def test_a_publisher_killed_at_each_step_never_reuses_a_number(
    store: RepositoryStore,
    authorities: Authorities,
    submit_as: Callable[..., Any],
    tmp_path: Path,
    step: str,
) -> None:
    folder = tmp_path / "published"
    out = folder / "list.json"
    submit_as(store, "SG", make_document("SG", [make_entry("SG", "a")]))
    publish(store, PUBLISHER, out)
    submit_as(store, "MY", make_document("MY", [make_entry("MY", "a")]))
    seen: dict[int, set[str]] = {}
    _merge(seen, _lists_in(folder))

    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            KILLER,
            str(store.engine.url.render_as_string(hide_password=False)),
            str(authorities.registry_path),
            str(publisher_key_path(REPOSITORY_DIR)),
            str(out),
            step,
        ],
        cwd=REPOSITORY_DIR.parent,
        capture_output=True,
        timeout=120,
    )
    assert proc.returncode == -9, proc.stderr.decode()[-2000:]

    # right after the crash: the list file is a whole list that verifies, #1 or #2
    after_crash = verify_list(out.read_bytes(), PUBLISHER_CERT).sequence_number
    recorded = store.last_publication_number()
    assert after_crash == (2 if step == "after_rename" else 1)
    assert recorded == (1 if step in ("before_sign", "after_sign", "before_commit") else 2)
    _merge(seen, _lists_in(folder))
    _merge(seen, _recorded(store))
    leftovers = [p for p in folder.iterdir() if p.name.endswith(".tmp")]
    assert bool(leftovers) == (step == "after_write")

    # start-up recovery: temporary files removed, the file brought up to the last record
    report = recover_list_file(store, out, PUBLISHER)
    assert [p.name for p in folder.iterdir() if p.name.endswith(".tmp")] == []
    assert len(report.removed_temporary) == len(leftovers)
    assert report.adopted is None and report.moved_aside is None
    assert verify_list(out.read_bytes(), PUBLISHER_CERT).sequence_number == recorded
    assert out.read_bytes() == store.publication_content()

    # the next publication takes the next free number
    assert publish(store, PUBLISHER, out).sequence_number == recorded + 1
    _merge(seen, _lists_in(folder))
    _merge(seen, _recorded(store))
    assert set(seen) == set(range(1, recorded + 2))
    assert all(len(digests) == 1 for digests in seen.values()), seen
    assert (out.stat().st_mode & 0o777) == 0o644


def _unrecorded_list(store: RepositoryStore, number: int, texts: list[str]) -> bytes:
    now = utcnow()
    head = list_head(
        sequence_number=number,
        issued_at=now,
        next_update=now,
        publisher_kid=None,
        sandbox=True,
    )
    return sign_list((head + ",".join(texts) + "]}").encode("utf-8"), PUBLISHER)


def test_an_unrecorded_list_file_is_adopted_when_it_is_the_next_list(
    sqlite_store: RepositoryStore, submit_as: Callable[..., Any], tmp_path: Path
) -> None:
    out = tmp_path / "list.json"
    submit_as(sqlite_store, "SG", make_document("SG", [make_entry("SG", "a")]))
    publish(sqlite_store, PUBLISHER, out)
    submit_as(sqlite_store, "MY", make_document("MY", [make_entry("MY", "a")]))
    # what a publisher that renamed the file before committing left behind
    orphan = _unrecorded_list(sqlite_store, 2, sqlite_store.published_texts())
    out.write_bytes(orphan)
    report = recover_list_file(sqlite_store, out, PUBLISHER)
    assert report.adopted == 2 and report.moved_aside is None
    assert sqlite_store.publication_content(2) == orphan == out.read_bytes()
    assert publish(sqlite_store, PUBLISHER, out).sequence_number == 3


def test_an_unrecorded_list_file_that_differs_is_moved_aside(
    sqlite_store: RepositoryStore, submit_as: Callable[..., Any], tmp_path: Path
) -> None:
    out = tmp_path / "list.json"
    submit_as(sqlite_store, "SG", make_document("SG", [make_entry("SG", "a")]))
    publish(sqlite_store, PUBLISHER, out)
    old_texts = sqlite_store.published_texts()
    submit_as(sqlite_store, "MY", make_document("MY", [make_entry("MY", "a")]))
    orphan = _unrecorded_list(sqlite_store, 2, old_texts)  # not the entries of today
    out.write_bytes(orphan)
    result = publish(sqlite_store, PUBLISHER, out)
    assert result.sequence_number == 2
    aside = [p for p in tmp_path.iterdir() if ".unrecorded-" in p.name]
    assert len(aside) == 1 and aside[0].read_bytes() == orphan
    assert sqlite_store.publication_content(2) != orphan
    assert verify_list(out.read_bytes(), PUBLISHER_CERT).sequence_number == 2


def test_concurrent_publishers_never_share_a_number(
    store: RepositoryStore, submit_as: Callable[..., Any], tmp_path: Path
) -> None:
    import threading

    from eauth_toolkit.errors import RepositoryError

    submit_as(store, "SG", make_document("SG", [make_entry("SG", "a")]))
    out = tmp_path / "list.json"
    numbers: list[int] = []
    conflicts: list[str] = []

    def one() -> None:
        try:
            numbers.append(publish(store, PUBLISHER, out).sequence_number)
        except RepositoryError as exc:
            conflicts.append(exc.code)

    threads = [threading.Thread(target=one) for _ in range(6)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert set(conflicts) <= {"publication_conflict"}
    assert len(numbers) == len(set(numbers)) and numbers
    recorded = _recorded(store)
    assert sorted(recorded) == sorted(numbers) == list(range(1, len(numbers) + 1))
    assert verify_list(out.read_bytes(), PUBLISHER_CERT).sequence_number == max(numbers)
