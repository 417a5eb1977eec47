"""`eauth repo ...`: validate, sign, submit (with the authorization matrix), list, show, publish,
verify, diff, load-samples, audit, token."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from eauth_toolkit.cli import main
from eauth_toolkit.repository.keys import AuthorityRegistry
from eauth_toolkit.repository.models import AMS_CODES
from eauth_toolkit.repository.samples import publisher_certificate_path, publisher_key_path
from eauth_toolkit.repository.store import RepositoryStore
from tests.repository.conftest import DATA, REPOSITORY_DIR, Authorities, make_document, make_entry


class Cli:
    def __init__(self, capsys: pytest.CaptureFixture[str], url: str, registry: Path) -> None:
        self.capsys = capsys
        self.db = ["--database-url", url, "--authorities", str(registry)]

    def __call__(self, *args: str, db: bool = False) -> tuple[int, str, str]:
        argv = ["repo", *args, *(self.db if db else [])]
        code = 0
        try:
            main(argv)
        except SystemExit as exc:
            code = int(exc.code or 0)
        out, err = self.capsys.readouterr()
        return code, out, err


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], tmp_path: Path, authorities: Authorities) -> Cli:
    return Cli(capsys, f"sqlite:///{tmp_path / 'cli.sqlite3'}", authorities.registry_path)


def _write(path: Path, doc: Any) -> Path:
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_validate_the_sample_files_and_report_pointers(cli: Cli, tmp_path: Path) -> None:
    # what `eauth repo validate repository_list/*.json` sees
    files = sorted(str(p) for p in REPOSITORY_DIR.glob("*.json"))
    assert {f"{ams}.json" for ams in AMS_CODES} <= {Path(f).name for f in files}
    code, out, _ = cli("validate", *files)
    assert code == 0, out
    assert out.count("valid submission") == 10
    assert "authorities.json: valid authority registry" in out
    bad_registry = _write(
        tmp_path / "reg.json", {"authorities": {"SG": {"name": "x", "jwk": {"kty": "EC"}}}}
    )
    code, out, _ = cli("validate", str(bad_registry))
    assert code == 1 and "reg.json#/authorities/SG/jwk: cannot load key" in out
    code, out, _ = cli("validate", str(DATA / "submission_invalid.json"))
    assert code == 1
    assert "submission_invalid.json#/entries/0/legal_basis: fact has no source" in out
    assert "submission_invalid.json#/entries/1/technology_type: 'carrier_pigeon'" in out
    code, out, _ = cli("validate", "--json", str(DATA / "submission_invalid.json"))
    assert code == 1 and json.loads(out)[0]["problems"][0]["where"] == "/entries/0/legal_basis"


def test_validate_unreadable_files_exit_2(cli: Cli, tmp_path: Path) -> None:
    code, _, err = cli("validate", str(tmp_path / "missing.json"))
    assert code == 2 and "file not found" in err
    broken = tmp_path / "broken.json"
    broken.write_text('{"ams": ')
    code, _, err = cli("validate", str(broken))
    assert code == 2 and "JSON syntax error" in err and "broken.json:1" in err


def test_submit_list_show_publish_verify_diff(
    cli: Cli, tmp_path: Path, authorities: Authorities
) -> None:
    doc = _write(
        tmp_path / "sg.json", make_document("SG", [make_entry("SG", "a"), make_entry("SG", "b")])
    )
    code, out, err = cli("submit", str(doc), "--key", str(authorities.key_paths["SG"]), db=True)
    assert code == 0, err
    assert "accepted: SG submission #1 (sequence 1): 2 added" in out
    my = make_document(
        "MY", [make_entry("MY", "a", technology_type="one_time_password", profile=None)]
    )
    for e in my["entries"]:
        e["sources"] = {k: v for k, v in e["sources"].items() if not k.startswith("/profile")}
        e["unconfirmed"] = []
    code, out, err = cli(
        "submit",
        str(_write(tmp_path / "my.json", my)),
        "--key",
        str(authorities.key_paths["MY"]),
        db=True,
    )
    assert code == 0, err
    code, out, _ = cli("list", "--json", db=True)
    assert [e["id"] for e in json.loads(out)] == ["my-a", "sg-a", "sg-b"]
    code, out, _ = cli("list", "--json", "--ams", "sg", db=True)
    assert [e["id"] for e in json.loads(out)] == ["sg-a", "sg-b"]
    code, out, _ = cli("list", "--json", "--min-loa", "3", db=True)
    assert [e["id"] for e in json.loads(out)] == ["sg-a", "sg-b"]
    code, out, _ = cli("list", "--json", "--type", "one_time_password", db=True)
    assert [e["id"] for e in json.loads(out)] == ["my-a"]
    code, out, _ = cli("list", db=True)
    assert code == 0 and "3 entries" in out
    code, _, err = cli("list", "--ams", "XX", db=True)
    assert code == 2 and "--ams" in err
    code, _, err = cli("list", "--status", "lost", db=True)
    assert code == 2 and "--status: unknown status" in err
    code, _, err = cli("list", "--type", "pigeon", db=True)
    assert code == 2 and "--type: unknown type" in err
    code, out, _ = cli("show", "sg-a", db=True)
    assert (
        code == 0
        and "assessed level: 4" in out
        and "source /name: https://example.test/about" in out
    )
    assert "level ranges (confirmed-reachable): eIDAS low\u2013high, 1 fact unknown; LoA 4" in out
    code, out, _ = cli("show", "sg-a", "--json", db=True)
    details = json.loads(out)["assessment"]["details"]
    assert details["results"]["iso29115-2013"]["overall"]["confirmed"] == "LoA4"
    code, _, err = cli("show", "sg-nope", db=True)
    assert code == 2 and "no such entry" in err

    key = str(publisher_key_path(REPOSITORY_DIR))
    cert = str(publisher_certificate_path(REPOSITORY_DIR))
    first, second = tmp_path / "list-1.json", tmp_path / "list-2.json"
    code, out, err = cli("publish", "--key", key, "--out", str(first), db=True)
    assert code == 0 and "published list #1" in out and "3 entries" in out, err
    code, out, _ = cli("verify", str(first), "--key", cert)
    assert code == 0 and "VALID list #1" in out
    code, out, _ = cli("verify", str(first), "--key", cert, "--json")
    assert json.loads(out)["valid"] is True

    raw = bytearray(first.read_bytes())
    raw[len(raw) // 2] ^= 0x01
    tampered = tmp_path / "tampered.json"
    tampered.write_bytes(bytes(raw))
    code, _, err = cli("verify", str(tampered), "--key", cert)
    assert code == 1 and "INVALID" in err
    code, _, err = cli("verify", str(first), "--key", str(authorities.key_paths["SG"]))
    assert code == 1 and "bad_signature" in err
    code, _, err = cli("verify", str(tmp_path / "nothing.json"), "--key", cert)
    assert code == 2 and "file not found" in err

    withdraw = make_document("SG", [])
    withdraw["withdrawals"] = [{"id": "sg-b", "date": "2026-06-01", "reason": "retired"}]
    code, out, err = cli(
        "submit",
        str(_write(tmp_path / "w.json", withdraw)),
        "--key",
        str(authorities.key_paths["SG"]),
        db=True,
    )
    assert code == 0 and "1 withdrawn" in out, err
    code, out, _ = cli("publish", "--key", key, "--out", str(second), db=True)
    assert code == 0
    code, out, _ = cli("diff", str(first), str(second), "--key", cert)
    assert (
        code == 0
        and "list #1 -> #2" in out
        and "~ sg-b: /status, /status_history (status active -> withdrawn)" in out
    )
    code, out, _ = cli("diff", str(first), str(second), "--key", cert, "--json")
    assert json.loads(out)["status_changes"] == {"sg-b": {"from": "active", "to": "withdrawn"}}
    code, out, _ = cli("audit", "--json", db=True)
    assert [(a["ams"], a["sequence"], a["channel"]) for a in json.loads(out)] == [
        ("SG", 1, "cli"),
        ("MY", 1, "cli"),
        ("SG", 2, "cli"),
    ]


def test_submit_refusals_exit_1_and_change_nothing(
    cli: Cli, tmp_path: Path, authorities: Authorities
) -> None:
    store = RepositoryStore.open(cli.db[1], AuthorityRegistry.load(authorities.registry_path))
    try:
        doc = _write(tmp_path / "sg.json", make_document("SG"))
        signed = tmp_path / "sg.jws"
        code, _, err = cli(
            "sign",
            str(doc),
            "--key",
            str(authorities.key_paths["SG"]),
            "--sequence",
            "1",
            "--out",
            str(signed),
        )
        assert code == 0, err
        code, out, err = cli("submit", str(signed), db=True)
        assert code == 0, err
        before = store.dump()
        code, _, err = cli("submit", str(signed), db=True)
        assert code == 1 and "submission refused (replayed)" in err
        code, _, err = cli("submit", str(doc), db=True)
        assert code == 2 and "needs --key" in err
        bad = make_document("SG", [make_entry("SG", "x", technology_type="carrier_pigeon")])
        code, _, err = cli(
            "submit",
            str(_write(tmp_path / "bad.json", bad)),
            "--key",
            str(authorities.key_paths["SG"]),
            db=True,
        )
        assert code == 1 and "(schema_invalid): /entries/0/technology_type:" in err
        assert store.dump() == before
    finally:
        store.close()


def test_authorization_matrix_through_the_cli(
    cli: Cli, tmp_path: Path, authorities: Authorities
) -> None:
    """Every authority, signing with its own key, against every other AMS's entries."""
    store = RepositoryStore.open(cli.db[1], AuthorityRegistry.load(authorities.registry_path))
    try:
        for ams in AMS_CODES:
            path = _write(tmp_path / f"{ams}.json", make_document(ams, [make_entry(ams, "base")]))
            assert (
                cli("submit", str(path), "--key", str(authorities.key_paths[ams]), db=True)[0] == 0
            )
        before = store.dump()
        for signer in AMS_CODES:
            for victim in AMS_CODES:
                if victim == signer:
                    continue
                # the signer's own document touching the victim's entry
                doc = make_document(signer, [make_entry(victim, "base", description="hijacked")])
                path = _write(tmp_path / f"{signer}-{victim}.json", doc)
                code, _, err = cli(
                    "submit", str(path), "--key", str(authorities.key_paths[signer]), db=True
                )
                assert code == 1 and "(forbidden): /entries/0/ams" in err, (signer, victim, err)
                # a document speaking for the victim, signed with the signer's key
                doc = make_document(victim, [make_entry(victim, "base", description="hijacked")])
                path = _write(tmp_path / f"{signer}-as-{victim}.json", doc)
                code, _, err = cli(
                    "submit", str(path), "--key", str(authorities.key_paths[signer]), db=True
                )
                assert code == 1 and "(wrong_key)" in err, (signer, victim, err)
        assert store.dump() == before
    finally:
        store.close()


def test_load_samples_and_token(cli: Cli, tmp_path: Path) -> None:
    url = cli.db[1]
    sandbox = ["--database-url", url, "--authorities", str(REPOSITORY_DIR / "authorities.json")]
    code, out, err = cli("load-samples", *sandbox)
    assert code == 0, err
    # ten AMS files, then the trust-list pointers of MY and SG and the SG-MY agreement: each an
    # ordinary submission signed with its SANDBOX authority key
    assert out.count("accepted") == 13
    assert "MY: accepted index.yaml as sequence 2" in out
    assert "SG: accepted sg-my-sandbox.json as sequence 3" in out
    code, out, _ = cli("load-samples", *sandbox)
    assert out.count("skipped (already loaded)") == 13
    code, out, _ = cli("list", "--json", "--ams", "SG", *sandbox)
    ids = [e["id"] for e in json.loads(out)]
    assert "sg-singpass" in ids
    code, out, _ = cli("token", "--ams", "SG", "--label", "test desk", *sandbox)
    assert code == 0 and out.startswith("eauth_sg_")
    store = RepositoryStore.open(url, AuthorityRegistry.load(REPOSITORY_DIR / "authorities.json"))
    try:
        assert store.token_owner(out.strip()) == ("SG", "test desk")
        code, done, _ = cli("revoke-token", out.strip(), *sandbox)
        assert code == 0 and "revoked" in done
        assert store.token_owner(out.strip()) is None
        code, _, err = cli("revoke-token", out.strip(), *sandbox)
        assert code == 2 and "no such valid token" in err
    finally:
        store.close()


def test_verify_warns_about_a_stale_or_sandbox_list(
    cli: Cli, tmp_path: Path, authorities: Authorities
) -> None:
    import datetime as dt

    from eauth_toolkit.repository.keys import load_key
    from eauth_toolkit.repository.publication import publish

    store = RepositoryStore.open(cli.db[1], AuthorityRegistry.load(authorities.registry_path))
    try:
        old = tmp_path / "old.json"
        past = dt.datetime.now(dt.UTC) - dt.timedelta(days=60)
        publish(store, load_key(publisher_key_path(REPOSITORY_DIR)), old, now=past, sandbox=False)
    finally:
        store.close()
    cert = str(publisher_certificate_path(REPOSITORY_DIR))
    jwk = str(REPOSITORY_DIR / "sandbox-publisher-key" / "publisher.public.jwk.json")
    code, out, err = cli("verify", str(old), "--key", jwk)
    assert code == 1 and "INVALID (stale_list)" in err and "past its next update" in err
    code, out, err = cli("verify", str(old), "--key", jwk, "--allow-stale")
    assert code == 0 and "VALID list #1" in out
    assert "past its next update" in err and "SANDBOX" not in err
    code, out, _ = cli("verify", str(old), "--key", jwk, "--json", "--allow-stale")
    assert json.loads(out)["past_next_update"] is True
    # the sandbox certificate was issued after that list: with it, the list does not verify
    code, _, err = cli("verify", str(old), "--key", cert, "--allow-stale")
    assert (
        code == 1
        and "(certificate_not_valid)" in err
        and "outside the publisher certificate" in err
    )
    fresh = tmp_path / "fresh.json"
    key = str(publisher_key_path(REPOSITORY_DIR))
    code, _, _ = cli(
        "publish", "--key", key, "--out", str(fresh), "--operator", "Test secretariat", db=True
    )
    assert code == 0
    code, out, err = cli("verify", str(fresh), "--key", cert)
    assert code == 0 and "note: this is a SANDBOX list" in err and "past its next update" not in err
    from eauth_toolkit.repository.publication import read_list_payload

    assert read_list_payload(fresh)["scheme_information"]["scheme_operator"] == "Test secretariat"


def test_an_unreachable_store_is_a_one_line_error(cli: Cli, authorities: Authorities) -> None:
    reg = ["--authorities", str(authorities.registry_path)]
    code, _, err = cli("list", "--database-url", "nosuchdb://x", *reg)
    assert code == 2 and "cannot open the store" in err
    code, _, err = cli(
        "list", "--database-url", "postgresql+psycopg://u:secret@127.0.0.1:1/x", *reg
    )
    assert code == 2 and "cannot open the store" in err
    assert "secret" not in err and "u:***@" in err
