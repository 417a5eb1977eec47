"""Rollback and freeze protection for every reader of the list, on SQLite and PostgreSQL:
``load_verified_list`` and ``eauth repo verify`` / ``eauth repo diff``."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from eauth_toolkit.cli import main
from eauth_toolkit.repository.keys import load_key
from eauth_toolkit.repository.publication import (
    ListVerificationError,
    load_verified_list,
    publish,
)
from eauth_toolkit.repository.samples import publisher_certificate_path, publisher_key_path
from eauth_toolkit.repository.store import RepositoryStore
from tests.repository.conftest import REPOSITORY_DIR, make_document, make_entry

PUBLISHER = load_key(publisher_key_path(REPOSITORY_DIR))
CERT = publisher_certificate_path(REPOSITORY_DIR)
PUBLIC = load_key(CERT)


@pytest.fixture
def three_lists(
    store: RepositoryStore, submit_as: Callable[..., Any], tmp_path: Path
) -> list[Path]:
    """Lists #1, #2 and #3, each a copy of what was published then."""
    out = tmp_path / "list.json"
    copies = []
    for n, ams in enumerate(("SG", "MY", "TH"), start=1):
        submit_as(store, ams, make_document(ams, [make_entry(ams, "a")]))
        publish(store, PUBLISHER, out)
        copy = tmp_path / f"list-{n}.json"
        copy.write_bytes(out.read_bytes())
        copies.append(copy)
    return copies


def test_a_reader_refuses_an_older_list(three_lists: list[Path], tmp_path: Path) -> None:
    one, two, three = three_lists
    assert load_verified_list(two, PUBLIC, not_older_than=2).sequence_number == 2
    with pytest.raises(ListVerificationError) as info:
        load_verified_list(one, PUBLIC, not_older_than=2)
    assert info.value.code == "rollback"
    state = tmp_path / "seen.json"
    assert load_verified_list(three, PUBLIC, state_file=state).sequence_number == 3
    recorded = json.loads(state.read_text())["publishers"][PUBLIC.thumbprint()]
    assert recorded["sequence_number"] == 3
    for older in (one, two):
        with pytest.raises(ListVerificationError) as info:
            load_verified_list(older, PUBLIC, state_file=state)
        assert info.value.code == "rollback"
    assert load_verified_list(three, PUBLIC, state_file=state).sequence_number == 3


def test_a_reader_refuses_another_list_with_a_number_it_has_seen(
    three_lists: list[Path], tmp_path: Path
) -> None:
    from eauth_toolkit.repository.jose import sign_list
    from eauth_toolkit.repository.publication import list_head, read_list_payload

    three = three_lists[2]
    state = tmp_path / "seen.json"
    load_verified_list(three, PUBLIC, state_file=state)
    # a second list #3, validly signed (a publisher whose number was reused)
    payload = read_list_payload(three)
    now = dt.datetime.now(dt.UTC)
    head = list_head(
        sequence_number=3,
        issued_at=now,
        next_update=now + dt.timedelta(days=1),
        publisher_kid=None,
        sandbox=True,
    )
    entries = ",".join(json.dumps(e, separators=(",", ":")) for e in payload["entries"][:1])
    twin = tmp_path / "twin.json"
    twin.write_bytes(sign_list((head + entries + "]}").encode(), PUBLISHER))
    with pytest.raises(ListVerificationError) as info:
        load_verified_list(twin, PUBLIC, state_file=state)
    assert info.value.code == "conflicting_list"
    assert json.loads(state.read_text())["publishers"][PUBLIC.thumbprint()]["sequence_number"] == 3


def test_a_frozen_list_fails_unless_stale_lists_are_allowed(
    store: RepositoryStore, submit_as: Callable[..., Any], tmp_path: Path
) -> None:
    submit_as(store, "SG", make_document("SG"))
    out = tmp_path / "old.json"
    issued = dt.datetime.now(dt.UTC) - dt.timedelta(days=40)
    publish(store, PUBLISHER, out, now=issued, validity=dt.timedelta(days=30))
    public_jwk = load_key(REPOSITORY_DIR / "sandbox-publisher-key" / "publisher.public.jwk.json")
    with pytest.raises(ListVerificationError) as info:
        load_verified_list(out, public_jwk)
    assert info.value.code == "stale_list"
    assert load_verified_list(out, public_jwk, allow_stale=True).sequence_number == 1
    future = tmp_path / "future.json"
    publish(store, PUBLISHER, future, now=dt.datetime.now(dt.UTC) + dt.timedelta(days=2))
    with pytest.raises(ListVerificationError) as info:
        load_verified_list(future, public_jwk)
    assert info.value.code == "not_yet_valid"


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = 0
    try:
        main(["repo", *args])
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_verify_and_diff_commands_refuse_rollbacks(
    three_lists: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    one, two, three = (str(p) for p in three_lists)
    key = str(CERT)
    code, out, _ = _cli(capsys, "verify", two, "--key", key, "--not-older-than", "2")
    assert code == 0 and "VALID list #2" in out
    code, _, err = _cli(capsys, "verify", one, "--key", key, "--not-older-than", "2")
    assert code == 1 and "INVALID (rollback)" in err and "list #1 is older than list #2" in err
    state = str(tmp_path / "state.json")
    assert _cli(capsys, "verify", three, "--key", key, "--state", state)[0] == 0
    code, _, err = _cli(capsys, "verify", two, "--key", key, "--state", state)
    assert code == 1 and "(rollback)" in err
    # diff: both lists verified, a lower number is never "newer"
    code, out, _ = _cli(capsys, "diff", one, three, "--key", key)
    assert code == 0 and "list #1 -> #3" in out and "+ my-a" in out and "+ th-a" in out
    code, out, err = _cli(capsys, "diff", three, one, "--key", key)
    assert code == 1 and "list #1 is older" in err and out == ""
    tampered = tmp_path / "tampered.json"
    raw = bytearray(Path(three).read_bytes())
    raw[40] ^= 1
    tampered.write_bytes(bytes(raw))
    code, out, err = _cli(capsys, "diff", one, str(tampered), "--key", key)
    assert code == 1 and "INVALID" in err and out == ""
    code, _, err = _cli(capsys, "diff", one, three)
    assert code == 2 and "--key" in err
