"""`eauth sig` and `eauth trustlist` through the real entry point: JSON contract, exit codes, reports."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import jsonschema
import pytest
import yaml

from tests.helpers import run_cli
from tests.signatures.conftest import Signed

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "schemas" / "signature-report.schema.json").read_text())
CONTRACT_KEYS = {
    "field", "indication", "sub_indication", "level", "baseline", "signer", "signing_time",
    "proven_time", "trust", "coverage", "modifications", "warnings", "reasons",
}  # fmt: skip


def eauth(*args: str) -> subprocess.CompletedProcess[str]:
    return run_cli(*args)


def test_json_contract_and_exit_0(signed: Signed) -> None:
    res = eauth("sig", "verify", "--json", str(signed.path("my-signer-qc", "B-LTA")))
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)
    jsonschema.validate(doc, SCHEMA)
    assert set(doc) >= {"file", "format", "signatures"}
    [sig] = doc["signatures"]
    assert set(sig) >= CONTRACT_KEYS
    assert set(sig["signer"]) == {"subject", "issuer", "serial"}
    assert set(sig["trust"]) >= {"ams", "service", "status"}
    assert (sig["indication"], sig["level"], sig["baseline"]) == ("TOTAL-PASSED", "QES", "B-LTA")
    assert res.stderr == ""  # no engine log noise


def test_exit_1_when_not_all_pass_and_table(signed: Signed) -> None:
    res = eauth(
        "sig",
        "verify",
        str(signed.path("my-signer-qc", "B-LT")),
        str(signed.path("rogue-signer", "B-T")),
    )
    assert res.returncode == 1
    assert "NO_CERTIFICATE_CHAIN_FOUND" in res.stdout and "TOTAL-PASSED" in res.stdout


def test_exit_2_unreadable_names_reason(tmp_path: Path) -> None:
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"%PDF-1.7\n this is not really a pdf")
    res = eauth("sig", "verify", "--json", str(bad), str(tmp_path / "missing.pdf"))
    assert res.returncode == 2
    docs = json.loads(res.stdout)
    for d in docs:
        jsonschema.validate(d, SCHEMA)
        assert d["error"].startswith("cannot read")
    assert "no such file" in docs[0]["error"]


def test_directory_parallel_and_ams(signed: Signed, tmp_path: Path) -> None:
    res = eauth("sig", "verify", "--json", "-j", "2", "--ams", "MY", str(signed.dir))
    assert res.returncode == 1, res.stderr  # the rogue and B-B files do not pass offline
    docs = json.loads(res.stdout)
    assert len(docs) == len(signed.files)
    by_file = {Path(d["file"]).name: d for d in docs}
    assert by_file["sg-signer-qc_B-LT.pdf"]["signatures"][0]["trust"]["recognised_in"] == "MY"
    assert by_file["sg-signer-qc_B-LT.pdf"]["signatures"][0]["level"] == "QES"


def test_etsi_report(signed: Signed, tmp_path: Path) -> None:
    out = tmp_path / "report.xml"
    res = eauth("sig", "verify", str(signed.path("two", "B-LT")), "--etsi-report", str(out))
    assert res.returncode == 0, res.stderr
    xml = out.read_text()
    assert xml.count("</SignatureValidationReport>") == 2  # one report per signature
    assert "urn:etsi:019102:mainindication:total-passed" in xml


def test_at_time_before_signing_is_not_passed(signed: Signed) -> None:
    res = eauth(
        "sig",
        "verify",
        "--json",
        "--at",
        "2025-06-01T00:00:00Z",
        str(signed.path("my-signer-qc", "B-LTA")),
    )
    assert res.returncode == 1
    assert json.loads(res.stdout)["signatures"][0]["indication"] != "TOTAL-PASSED"
    bad = eauth("sig", "verify", "--at", "yesterday", str(signed.path("my-signer-qc", "B-LTA")))
    assert bad.returncode == 2 and "--at yesterday" in bad.stderr


def test_sign_command(tmp_path: Path) -> None:
    out = tmp_path / "s.pdf"
    res = eauth(
        "sig", "sign", "-o", str(out), "--signer", "my-signer-qc-nosscd", "--baseline", "B-LT"
    )
    assert res.returncode == 0, res.stderr
    check = eauth("sig", "verify", "--json", str(out))
    sig = json.loads(check.stdout)["signatures"][0]
    assert (sig["level"], sig["baseline"]) == ("AdES-QC", "B-LT")
    unknown = eauth("sig", "sign", "-o", str(out), "--force", "--signer", "mallory")
    assert unknown.returncode == 2 and "mallory" in unknown.stderr


def test_trustlist_build_and_show(tmp_path: Path) -> None:
    lists = ROOT / "repository_list" / "trust-lists"
    desc = yaml.safe_load((lists / "MY.yaml").read_text())
    desc["sequence"] = 7
    desc["providers"][0]["services"][0]["certificates"] = [str(lists / "certs" / "my-root.pem")]
    desc["providers"][1]["services"][0]["certificates"] = [str(lists / "certs" / "tsa-root.pem")]
    (tmp_path / "d.yaml").write_text(yaml.safe_dump(desc))
    key = tmp_path / "tlso.key.pem"
    key.write_bytes((ROOT / "eauth_toolkit/signatures/sandbox/keys/my-tlso.key.pem").read_bytes())
    out = tmp_path / "TL.xml"
    res = eauth(
        "trustlist", "build", str(tmp_path / "d.yaml"), "--key", str(key),
        "--cert", str(lists / "certs" / "my-tlso.pem"), "--out", str(out),
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    shown = eauth(
        "trustlist", "show", "--json", str(out), "--signer", str(lists / "certs" / "my-tlso.pem")
    )
    info = json.loads(shown.stdout)
    assert info["territory"] == "MY" and info["sequence"] == 7 and info["signer_pinned"] is True
    # pinned to the other AMS's operator: refused
    wrong = eauth("trustlist", "show", str(out), "--signer", str(lists / "certs" / "sg-tlso.pem"))
    assert wrong.returncode == 2 and "does not verify" in wrong.stderr


@pytest.mark.parametrize(
    ("change", "pointer"),
    [
        (lambda d: d.update(territory="Malaysia"), "#/territory"),
        (
            lambda d: d["providers"][0]["services"][0].update(type="CA/XYZ"),
            "#/providers/0/services/0/type",
        ),
    ],
)
def test_trustlist_description_errors_name_the_field(tmp_path: Path, change, pointer: str) -> None:  # type: ignore[no-untyped-def]
    desc = yaml.safe_load((ROOT / "repository_list" / "trust-lists" / "MY.yaml").read_text())
    change(desc)
    (tmp_path / "d.yaml").write_text(yaml.safe_dump(desc))
    res = eauth(
        "trustlist", "build", str(tmp_path / "d.yaml"), "--key", "k", "--cert", "c", "--out", "o"
    )
    assert res.returncode == 2
    assert pointer in res.stderr


def test_sign_other_formats_and_directory_skips_detached_content(tmp_path: Path) -> None:
    for kind in ("p7s", "jws", "xml"):
        res = eauth(
            "sig",
            "sign",
            "-o",
            str(tmp_path / f"doc.{kind}"),
            "--format",
            kind,
            "--baseline",
            "B-T",
        )
        assert res.returncode == 0, res.stderr
    assert (tmp_path / "doc").exists()  # the detached content, written next to doc.p7s
    res = eauth("sig", "verify", "--json", str(tmp_path))
    docs = json.loads(res.stdout)
    assert sorted(Path(d["file"]).name for d in docs) == ["doc.jws", "doc.p7s", "doc.xml"]
    assert {d["format"] for d in docs} == {"CAdES", "JAdES", "XAdES"}
    # offline, without embedded revocation data, none of them can pass; none is unreadable
    assert res.returncode == 1
    bad = eauth("sig", "sign", "-o", str(tmp_path / "x"), "--format", "docx")
    assert bad.returncode == 2 and "--format docx" in bad.stderr
