"""Trust-list pointers and agreements reach the list only as signed AMS submissions (HTTP and CLI).

Each is signed by the submitting AMS's own authority key, replay-protected, checked against its
published JSON Schema, audited and versioned; publication reads them from the store and nowhere
else; `eauth sig verify --repository` checks signatures against the trust lists so submitted.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from eauth_toolkit.recognition.sandbox import sandbox_agreement, sign_with_sandbox_keys
from eauth_toolkit.recognition.signed import read_agreement
from eauth_toolkit.repository.keys import load_key
from eauth_toolkit.repository.publication import read_list_payload
from eauth_toolkit.repository.samples import sample_trust_lists
from eauth_toolkit.repository.trustdocs import (
    AGREEMENT_SUBMISSION_TYP,
    TRUSTLIST_TYP,
    sign_document,
)
from eauth_toolkit.signatures.samples import sample_pdf
from eauth_toolkit.signatures.sandbox import serve
from eauth_toolkit.signatures.signing import sign_pdf
from tests.helpers import run_cli
from tests.trust.conftest import (
    PUBLISHER_CERT,
    PUBLISHER_KEY,
    REPO,
    Service,
    key_path,
    publish_list,
)

SIGNED_AGREEMENT = REPO / "agreements" / "sg-my-sandbox.json"


def _pointer(ams: str, **change: Any) -> dict[str, Any]:
    return dict(sample_trust_lists(REPO)[ams], **change)


def _signed(ams: str, body: dict[str, Any], typ: str, sequence: int) -> str:
    return sign_document({"ams": ams, **body}, load_key(key_path(ams)), typ=typ, sequence=sequence)


# --------------------------------------------------------------------------- over HTTP


def test_trust_list_pointer_over_http(service: Service, tmp_path: Path) -> None:
    url = "https://trust.example.sg/tsl/SG.xml"  # SANDBOX: an illustrative address
    moved = _pointer("SG", location=url, sandbox=False)
    # good: SG's authority points to SG's list; the sample pointer is replaced (version 2)
    r = service.submit_trust_list("SG", moved)
    assert r.status_code == 201, r.text
    assert (r.json()["kind"], r.json()["key"], r.json()["version"]) == ("trust-list", "SG", 2)
    assert r.json()["change"] == "replaced"

    # signed with MY's key for SG (sent with SG's token): refused, nothing recorded
    jws = sign_document(
        {"ams": "SG", "trust_list": moved},
        load_key(key_path("MY")),
        typ=TRUSTLIST_TYP,
        sequence=service.store.next_sequence("SG"),
    )
    r = service.post_signed("trust-lists", "SG", jws)
    assert r.status_code == 403 and r.json()["code"] == "wrong_key", r.text
    assert "only for its own AMS" in r.json()["message"]
    # SG's own pointer sent with MY's token: refused
    jws = _signed("SG", {"trust_list": moved}, TRUSTLIST_TYP, service.store.next_sequence("SG"))
    r = service.post_signed("trust-lists", "MY", jws)
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    # the same signed pointer twice: the second is a replay
    assert service.post_signed("trust-lists", "SG", jws).status_code == 201
    r = service.post_signed("trust-lists", "SG", jws)
    assert r.status_code == 409 and r.json()["code"] == "replayed", r.text
    # schema-invalid: the JSON pointer of the first problem, every problem listed
    bad = _pointer("SG", sha256="abc", location="../SG.xml")
    r = service.submit_trust_list("SG", bad)
    assert r.status_code == 422 and r.json()["code"] == "schema_invalid", r.text
    where = {p["where"] for p in r.json()["problems"]}
    assert {"/trust_list/sha256", "/trust_list/location"} <= where
    r = service.submit_trust_list("SG", _pointer("SG", signer_certificate="not a certificate"))
    assert r.status_code == 422 and r.json()["where"] == "/trust_list/signer_certificate"
    # an agreement sent to the trust-list route is refused by its type
    jws = _signed("SG", {"trust_list": moved}, AGREEMENT_SUBMISSION_TYP, 99)
    r = service.post_signed("trust-lists", "SG", jws)
    assert r.status_code == 400 and r.json()["code"] == "bad_typ", r.text

    # versioned (the same pointer again is no new version) and audited
    versions = service.client.get("/api/repository/trust-lists/versions").json()
    sg = [v for v in versions if v["ams"] == "SG"]
    assert [v["version"] for v in sg] == [1, 2] and sg[1]["pointer"]["location"] == url
    audit = service.client.get("/api/repository/audit", params={"ams": "SG"}).json()
    diffs = [(a["channel"], a["diff"]) for a in audit]
    assert diffs[-2:] == [
        (
            "api",
            {
                "added": [],
                "changed": {"trust-list/SG": ["/trust-list"]},
                "withdrawn": [],
                "unchanged": [],
            },
        ),
        ("api", {"added": [], "changed": {}, "withdrawn": [], "unchanged": ["trust-list/SG"]}),
    ]
    # publish includes the latest pointer of each AMS, and only those
    out = tmp_path / "list.json"
    publish_list(service, out)
    pointers = {p["ams"]: p for p in read_list_payload(out)["trust"]["trust_lists"]}
    assert set(pointers) == {"SG", "MY"}
    assert pointers["SG"]["location"] == url and pointers["SG"]["sandbox"] is False


def test_agreement_over_http(service: Service, tmp_path: Path) -> None:
    signed = json.loads(SIGNED_AGREEMENT.read_text(encoding="utf-8"))
    # the sample is recorded already (submitted by SG): the same document again changes nothing
    r = service.submit_agreement("MY", {"agreement": signed})
    assert r.status_code == 201 and r.json()["change"] == "unchanged", r.text
    # a newer document with the same id, signed by both parties, replaces it
    longer = sandbox_agreement().model_copy(update={"valid_until": dt.date(2029, 12, 31)})
    r = service.submit_agreement("MY", {"agreement": sign_with_sandbox_keys(longer, REPO)})
    assert r.status_code == 201 and (r.json()["version"], r.json()["change"]) == (2, "replaced")
    # missing MY's signature: refused at submission, naming the party
    half = copy.deepcopy(signed)
    half["signatures"] = half["signatures"][:1]
    r = service.submit_agreement("SG", {"agreement": half})
    assert r.status_code == 422 and r.json()["code"] == "missing_signature"
    assert "lacks the signature of MY's authority" in r.json()["message"]
    # a party's signature replaced by another AMS's: refused
    forged = copy.deepcopy(signed)
    forged["signatures"][1]["signature"] = forged["signatures"][0]["signature"]
    r = service.submit_agreement("SG", {"agreement": forged})
    assert r.status_code == 403 and r.json()["code"] == "bad_signature", r.text
    # wrong AMS key: SG's document signed with TH's key
    r = service.submit_agreement("SG", {"agreement": signed}, key_ams="TH")
    assert r.status_code == 403 and r.json()["code"] == "wrong_key", r.text
    # TH is no party: it may not submit it
    r = service.submit_agreement("TH", {"agreement": signed})
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    # schema-invalid, with the JSON pointer
    r = service.submit_agreement("SG", {"agreement": {"payload": 5, "signatures": []}})
    assert r.status_code == 422 and r.json()["code"] == "schema_invalid"
    assert {p["where"] for p in r.json()["problems"]} >= {
        "/agreement/payload",
        "/agreement/signatures",
    }
    r = service.submit_agreement("SG", {"withdrawal": {"id": "sg-my-sandbox"}})
    assert r.status_code == 422 and r.json()["where"] == "/withdrawal"
    # a withdrawal of an agreement the registry does not hold
    jws = _signed(
        "SG",
        {"withdrawal": {"id": "no-such-agreement", "reason": "x"}},
        AGREEMENT_SUBMISSION_TYP,
        service.store.next_sequence("SG"),
    )
    r = service.post_signed("agreements", "SG", jws)
    assert r.status_code == 422 and r.json()["code"] == "unknown_entry"

    out = tmp_path / "list.json"
    n1 = publish_list(service, out).sequence_number
    [carried] = read_list_payload(out)["trust"]["agreements"]
    assert carried["id"] == "sg-my-sandbox" and carried["in_force"]
    assert read_agreement(carried["document"]).valid_until == dt.date(2029, 12, 31)

    # withdrawn by a party: gone from the next list, kept in the versions
    withdrawal = {"id": "sg-my-sandbox", "reason": "recognition ends"}
    jws = _signed(
        "SG",
        {"withdrawal": withdrawal},
        AGREEMENT_SUBMISSION_TYP,
        service.store.next_sequence("SG"),
    )
    r = service.post_signed("agreements", "SG", jws)
    assert r.status_code == 201 and r.json()["change"] == "withdrawn", r.text
    r = service.post_signed("agreements", "SG", jws)
    assert r.status_code == 409 and r.json()["code"] == "replayed"
    n2 = publish_list(service, out).sequence_number
    assert n2 == n1 + 1 and read_list_payload(out)["trust"]["agreements"] == []
    versions = service.client.get("/api/repository/agreements/versions").json()
    assert [(v["version"], v["status"]) for v in versions] == [
        (1, "active"),
        (2, "active"),
        (3, "withdrawn"),
    ]
    assert versions[-1]["reason"] == "recognition ends"


# --------------------------------------------------------------------------- over the CLI


@pytest.fixture(scope="module")
def my_signed_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A MY qualified signature (B-LT) made with the sandbox PKI."""
    with serve() as pki:
        data = sign_pdf(sample_pdf(), pki=pki, signer="my-signer-qc", baseline="B-LT")
    path = tmp_path_factory.mktemp("signed") / "my.pdf"
    path.write_bytes(data)
    return path


def _repo(db: str, *args: str) -> Any:
    return run_cli("repo", *args, "--database-url", db)


def test_trust_list_and_agreement_over_the_cli(tmp_path: Path, my_signed_pdf: Path) -> None:
    db = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    keys = REPO / "sandbox-authority-keys"
    tl = REPO / "trust-lists"
    # an authority points to its own list: the pointer is built from the signed XML and its signer
    res = _repo(
        db,
        "trustlist-submit",
        str(tl / "MY.xml"),
        "--signer",
        str(tl / "certs" / "my-tlso.pem"),
        "--key",
        str(keys / "MY.private.jwk.json"),
    )
    assert res.returncode == 0, res.stderr
    assert "accepted: MY trust-list MY version 1 (added)" in res.stdout
    # MY's list submitted with SG's key: refused
    res = _repo(
        db,
        "trustlist-submit",
        str(tl / "MY.xml"),
        "--signer",
        str(tl / "certs" / "my-tlso.pem"),
        "--key",
        str(keys / "SG.private.jwk.json"),
    )
    assert res.returncode == 1 and "wrong_key" in res.stderr, res.stderr
    # schema-invalid: the JSON pointer is named
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"trust_list": _pointer("SG", sha256="abc")}))
    res = _repo(db, "trustlist-submit", str(bad), "--key", str(keys / "SG.private.jwk.json"))
    assert res.returncode == 1 and "/trust_list/sha256" in res.stderr, res.stderr
    res = run_cli("repo", "validate", str(bad))  # the same schema, before anything is signed
    assert res.returncode == 1 and "bad.json#/trust_list/sha256" in res.stdout, res.stdout
    # a signed pointer sent twice: the second is a replay
    jws = tmp_path / "sg.jws"
    jws.write_text(_signed("SG", {"trust_list": _pointer("SG")}, TRUSTLIST_TYP, 1))
    assert _repo(db, "trustlist-submit", str(jws)).returncode == 0
    res = _repo(db, "trustlist-submit", str(jws))
    assert res.returncode == 1 and "replayed" in res.stderr, res.stderr
    # an agreement missing MY's signature: refused with the reason
    half = json.loads(SIGNED_AGREEMENT.read_text(encoding="utf-8"))
    half["signatures"] = half["signatures"][:1]
    (tmp_path / "half.json").write_text(json.dumps(half))
    res = _repo(
        db,
        "agreement-submit",
        str(tmp_path / "half.json"),
        "--key",
        str(keys / "SG.private.jwk.json"),
    )
    assert res.returncode == 1 and "missing_signature" in res.stderr
    assert "lacks the signature of MY's authority" in res.stderr
    # signed by both: accepted from either party
    res = _repo(
        db, "agreement-submit", str(SIGNED_AGREEMENT), "--key", str(keys / "MY.private.jwk.json")
    )
    assert res.returncode == 0 and "agreement sg-my-sandbox version 1 (added)" in res.stdout
    out = tmp_path / "list.json"
    res = _repo(db, "publish", "--key", str(PUBLISHER_KEY), "--out", str(out))
    assert res.returncode == 0, res.stderr
    trust = read_list_payload(out)["trust"]
    assert {p["ams"] for p in trust["trust_lists"]} == {"MY", "SG"}
    assert [a["id"] for a in trust["agreements"]] == ["sg-my-sandbox"]

    # sig verify --repository takes MY's list from the list: the signer is on a granted service
    def check(listed: Path, ams: str) -> dict[str, Any]:
        res = run_cli(
            "sig", "verify", "--json", "--ams", ams, "--repository", str(listed),
            "--publisher-key", str(PUBLISHER_CERT), str(my_signed_pdf),
        )  # fmt: skip
        assert res.returncode in (0, 1), res.stderr
        return dict(json.loads(res.stdout)["signatures"][0])

    sig = check(out, "MY")
    assert sig["level"] == "QES" and sig["trust"]["ams"] == "MY", sig
    assert check(out, "SG")["level"] == "AdES"  # MY's list counts in SG up to AdES

    # MY withdraws the agreement: the next list does not carry it, and in SG the signature is no
    # longer on a list that counts there
    res = _repo(
        db, "agreement-withdraw", "sg-my-sandbox", "--reason", "ends",
        "--key", str(keys / "MY.private.jwk.json"),
    )  # fmt: skip
    assert res.returncode == 0 and "(withdrawn)" in res.stdout, res.stderr
    assert _repo(db, "publish", "--key", str(PUBLISHER_KEY), "--out", str(out)).returncode == 0
    assert read_list_payload(out)["trust"]["agreements"] == []
    sig = check(out, "SG")
    assert sig["level"] != "QES" and sig["trust"]["agreement"] is None, sig

    # a list from a store that has only SG's pointer: MY's signer is on no list it gives
    db2 = f"sqlite:///{tmp_path / 'only-sg.sqlite3'}"
    jws.write_text(_signed("SG", {"trust_list": _pointer("SG")}, TRUSTLIST_TYP, 1))
    assert _repo(db2, "trustlist-submit", str(jws)).returncode == 0
    only_sg = tmp_path / "only-sg.json"
    assert _repo(db2, "publish", "--key", str(PUBLISHER_KEY), "--out", str(only_sg)).returncode == 0
    sig = check(only_sg, "MY")
    assert sig["level"] != "QES" and sig["trust"]["ams"] is None, sig


def test_sig_verify_default_is_the_verified_sample_list(
    tmp_path: Path, my_signed_pdf: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With no options, `sig verify` takes trust from the service's latest list; on first use that
    is the SANDBOX sample list, submitted and published into the data folder, then verified."""
    from eauth_toolkit.repository.keys import AuthorityRegistry
    from eauth_toolkit.repository.publication import publish
    from eauth_toolkit.repository.store import RepositoryStore
    from eauth_toolkit.repository.trust import trust_picture

    data = tmp_path / "data"
    monkeypatch.setenv("EAUTH_DATA_DIR", str(data))

    def verify_for_sg() -> dict[str, Any]:
        res = run_cli("sig", "verify", "--json", "--ams", "SG", str(my_signed_pdf))
        assert res.returncode == 0, res.stderr
        return dict(json.loads(res.stdout)["signatures"][0])

    sig = verify_for_sg()
    assert sig["level"] == "AdES"
    assert (sig["trust"]["agreement"], sig["trust"]["list_sequence"]) == ("sg-my-sandbox", 1)
    listed = data / "repository-list.json"
    trust = read_list_payload(listed)["trust"]
    assert {p["ams"] for p in trust["trust_lists"]} == {"MY", "SG"}
    # what the list carries came in as signed sample submissions, recorded in the audit trail
    store = RepositoryStore.open(
        f"sqlite:///{data / 'eauth.sqlite3'}", AuthorityRegistry.load(REPO / "authorities.json")
    )
    try:
        samples = [s for s in store.submissions() if s["channel"] == "samples"]
        labels = {label for s in samples for label in s["diff"]["added"]}
        assert {"trust-list/MY", "trust-list/SG", "agreement/sg-my-sandbox"} <= labels
        # a list past its next update is published again from the same store on the next use
        past = dt.datetime.now(dt.UTC) - dt.timedelta(days=3)
        publish(
            store,
            load_key(PUBLISHER_KEY),
            listed,
            now=past,
            validity=dt.timedelta(days=1),
            trust=trust_picture(store, REPO),
        )
    finally:
        store.close()
    assert verify_for_sg()["trust"]["list_sequence"] == 3

    # no list and no way to make one: one line saying how to get one
    monkeypatch.setenv("EAUTH_DATA_DIR", str(tmp_path / "other"))
    monkeypatch.setenv("EAUTH_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    res = run_cli("sig", "verify", str(my_signed_pdf))
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert res.stderr.startswith("error:") and len(res.stderr.strip().splitlines()) == 1
    assert "no published Repository List" in res.stderr and "--repository LIST" in res.stderr


def test_service_signature_check_needs_a_published_list(
    service: Service, my_signed_pdf: Path, tmp_path: Path
) -> None:
    """The service checks signatures only against its own published list: none yet is a 503
    naming why, never trust lists read from elsewhere; once published, the list's are used."""
    pdf = my_signed_pdf.read_bytes()
    files = {"file": ("my.pdf", pdf, "application/pdf")}
    r = service.client.post("/api/signatures/verify", files=files, data={"ams": "SG"})
    assert r.status_code == 503, r.text
    assert "no Repository List has been published" in r.text
    number = publish_list(
        service, service.settings.data_dir / "repository-list.json"
    ).sequence_number
    r = service.client.post("/api/signatures/verify", files=files, data={"ams": "SG"})
    assert r.status_code == 200, r.text
    [sig] = r.json()["signatures"]
    assert sig["level"] == "AdES" and sig["trust"]["list_sequence"] == number
