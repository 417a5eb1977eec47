"""Peer review of proposed levels, over HTTP and the CLI."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from eauth_toolkit.cli import app as cli_app
from eauth_toolkit.repository.keys import load_key
from eauth_toolkit.repository.reviews import sign_review
from tests.trust.conftest import Service, key_path, pilot_entry, submission

ENTRY = "sg-sandbox-national-idp"


def _review(service: Service, ams: str, decision: str, reason: str, level: int = 3) -> str:
    return sign_review(
        ams=ams,
        entry=ENTRY,
        level=level,
        decision=decision,
        reason=reason,
        key=load_key(key_path(ams)),
        sequence=service.store.next_sequence(ams),
    )


def test_parties_of_the_agreement_agree_the_level(service: Service) -> None:
    r = service.submit("SG", submission("SG", [pilot_entry(ENTRY)]))
    assert r.status_code == 201, r.text
    status = service.client.get(f"/api/repository/levels/{ENTRY}").json()
    assert status["state"] == "proposed" and status["proposed_level"] == 3
    assert status["reviewers"] == ["MY"] and status["endorsements_needed"] == 1
    assert status["policy"] == "agreement sg-my-sandbox: every party"

    # MY objects: the level is not agreed, and the reason is kept
    r = service.post_review("MY", _review(service, "MY", "object", "no second factor evidence"))
    assert r.status_code == 201, r.text
    assert r.json()["status"]["state"] == "objected"
    assert "no second factor evidence" in r.json()["status"]["reason"]

    # a review by an AMS outside the agreement is recorded but does not count
    r = service.post_review("TH", _review(service, "TH", "endorse", "looks fine"))
    assert r.status_code == 201 and r.json()["status"]["state"] == "objected"

    # MY's later endorsement replaces its objection: agreed
    jws = _review(service, "MY", "endorse", "evidence received on 2026-11-29")
    r = service.post_review("MY", jws)
    assert r.status_code == 201, r.text
    st = r.json()["status"]
    assert st["state"] == "agreed" and st["agreed_level"] == 3 and st["endorsed_by"] == ["MY"]

    # replay of the same signed review: refused, nothing recorded twice
    r = service.post_review("MY", jws)
    assert r.status_code == 409 and r.json()["code"] == "replayed"
    assert len(service.client.get(f"/api/repository/levels/{ENTRY}").json()["reviews"]) == 3

    # every review is in the audit trail with its channel and submitter
    audit = [a for a in service.store.submissions("MY") if a["channel"] != "samples"]
    assert len(audit) == 2 and all(a["channel"] == "api" for a in audit)

    agreed = service.client.get("/api/repository/levels", params={"agreed": True}).json()
    assert [s["entry"] for s in agreed] == [ENTRY]

    page = service.client.get(f"/repository/{ENTRY}")
    assert page.status_code == 200
    assert "Peer review of the proposed level" in page.text and "agreed" in page.text
    assert "evidence received on 2026-11-29" in page.text


def test_reviews_are_refused_with_the_reason(service: Service) -> None:
    assert service.submit("SG", submission("SG", [pilot_entry(ENTRY)])).status_code == 201
    # own entry
    r = service.post_review("SG", _review(service, "SG", "endorse", "ours"))
    assert r.status_code == 422 and r.json()["where"] == "/review/entry"
    # token of another AMS than the signer
    r = service.post_review("TH", _review(service, "MY", "endorse", "x"))
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    # another level than the one proposed
    r = service.post_review("MY", _review(service, "MY", "endorse", "x", level=4))
    assert r.status_code == 422 and "proposes level 3" in r.json()["message"]
    # signed with the wrong authority key
    jws = sign_review(
        ams="MY",
        entry=ENTRY,
        level=3,
        decision="endorse",
        reason="x",
        key=load_key(key_path("ID")),
        sequence=1,
    )
    r = service.post_review("MY", jws)
    assert r.status_code == 403 and r.json()["code"] == "wrong_key"
    # a submission-type JWS is not a review
    r = service.post_review("MY", "not.a.jws")
    assert r.status_code == 400
    r = service.client.get("/api/repository/levels/sg-none")
    assert r.status_code == 404
    assert service.client.get(f"/api/repository/levels/{ENTRY}").json()["reviews"] == []


def test_cli_review_majority_of_participating_ams(tmp_path: Path) -> None:
    runner = CliRunner()
    db = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    doc = tmp_path / "th.json"
    entry = pilot_entry(ENTRY) | {"id": "th-sandbox-idp", "ams": "TH"}
    doc.write_text(json.dumps(submission("TH", [entry])))
    r = runner.invoke(
        cli_app,
        ["repo", "submit", str(doc), "--key", str(key_path("TH")), "--database-url", db],
    )
    assert r.exit_code == 0, r.output
    base = ["repo", "review", "th-sandbox-idp", "--database-url", db]
    # a majority of the nine other AMS is five endorsements
    for i, ams in enumerate(("BN", "KH", "ID", "LA")):
        r = runner.invoke(
            cli_app, [*base, "--endorse", "--reason", f"ok {i}", "--key", str(key_path(ams))]
        )
        assert r.exit_code == 0, r.output
        assert f"{i + 1} of 5 endorsements" in r.output
    r = runner.invoke(cli_app, [*base, "--endorse", "--reason", "ok", "--key", str(key_path("MY"))])
    assert r.exit_code == 0 and "is agreed" in r.output, r.output
    r = runner.invoke(cli_app, [*base, "--endorse", "--reason", "x", "--key", str(key_path("TH"))])
    assert r.exit_code == 1 and "may not review its own entry" in r.output
    r = runner.invoke(cli_app, [*base, "--endorse", "--object", "--reason", "x", "--key", "k"])
    assert r.exit_code == 2 and "exactly one of --endorse and --object" in r.output
    r = runner.invoke(cli_app, ["repo", "levels", "--agreed", "--json", "--database-url", db])
    assert r.exit_code == 0
    [agreed] = json.loads(r.output)
    assert agreed["entry"] == "th-sandbox-idp"
    assert agreed["endorsed_by"] == ["BN", "KH", "ID", "LA", "MY"]


def test_guidance_lists_agreed_levels_with_endorsers(service: Service, tmp_path: Path) -> None:
    from tests.trust.conftest import PUBLISHER_CERT, publish_list

    assert service.submit("SG", submission("SG", [pilot_entry(ENTRY)])).status_code == 201
    out = tmp_path / "list.json"
    n = publish_list(service, out).sequence_number
    runner = CliRunner()
    args = ["loa", "guidance", "--list", str(out), "--publisher-key", str(PUBLISHER_CERT)]
    r = runner.invoke(cli_app, args)
    assert r.exit_code == 0, r.output
    assert f"Repository List #{n}. No level is agreed yet." in r.output
    assert service.post_review("MY", _review(service, "MY", "endorse", "ok")).status_code == 201
    n = publish_list(service, out).sequence_number
    r = runner.invoke(cli_app, args)
    assert r.exit_code == 0, r.output
    assert "## Mutually agreed levels" in r.output and f"Repository List #{n}" in r.output
    listed, agreed_part = r.output.split("## Mutually agreed levels")
    # the technologies are the list's own: the entry submitted to the service, not sample files
    assert f"The technologies of Repository List #{n}" in listed and f"| {ENTRY} |" in listed
    assert "| singpass" not in listed.lower()
    row = next(line for line in agreed_part.splitlines() if f"| {ENTRY} |" in line)
    assert "| SG |" in row and "| 3 |" in row and "| MY |" in row
    assert "agreement sg-my-sandbox: every party" in row
