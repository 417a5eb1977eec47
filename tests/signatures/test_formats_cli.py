"""`eauth sig verify` on the non-PDF formats through the real entry point: --data for detached
signatures, --at for past validation, ASiC containers and e-invoices, the same JSON contract."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema

from eauth_toolkit.resources import schemas_dir
from tests.signatures import test_formats_realworld

#: the session fixture that generates the files (made once for both modules)
fixtures_dir = test_formats_realworld.format_fixtures

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((schemas_dir() / "signature-report.schema.json").read_text())


def eauth(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "eauth_toolkit", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        env={**os.environ, "COLUMNS": "240"},
    )


def test_detached_signature_with_data(fixtures_dir: Path) -> None:
    sig = str(fixtures_dir / "cades-B-LT.p7s")
    good = eauth("sig", "verify", "--json", sig, "--data", str(fixtures_dir / "contract.txt"))
    assert good.returncode == 0, good.stdout + good.stderr
    doc = json.loads(good.stdout)
    jsonschema.validate(doc, SCHEMA)
    [verdict] = doc["signatures"]
    assert (verdict["indication"], verdict["baseline"]) == ("TOTAL-PASSED", "B-LT")
    assert verdict["proven_time"] is not None
    changed = str(fixtures_dir / "contract-changed.txt")
    bad = eauth("sig", "verify", "--json", sig, "--data", changed)
    assert bad.returncode == 1
    assert json.loads(bad.stdout)["signatures"][0]["sub_indication"] == "HASH_FAILURE"
    missing = eauth("sig", "verify", sig, "--data", str(fixtures_dir / "no-such-file"))
    assert missing.returncode == 2
    assert "--data" in missing.stderr and "Traceback" not in missing.stderr


def test_expired_signer_verifies_at_a_past_time(fixtures_dir: Path) -> None:
    xml = str(fixtures_dir / "xades-expired-signer.xml")
    now = json.loads(eauth("sig", "verify", "--json", xml).stdout)
    past = eauth("sig", "verify", "--json", "--at", "2024-06-01T00:00:00Z", xml)
    assert now["signatures"][0]["indication"] == "INDETERMINATE"
    assert past.returncode == 0, past.stdout
    assert json.loads(past.stdout)["signatures"][0]["level"] == "AdES"


def test_container_and_invoices_in_one_run(fixtures_dir: Path) -> None:
    files = ["asice-xades.asice", "myinvois-invoice.xml", "myinvois-invoice-changed.json"]
    res = eauth("sig", "verify", "--json", *(str(fixtures_dir / f) for f in files))
    assert res.returncode == 1  # the changed invoice fails
    docs = json.loads(res.stdout)
    for d in docs:
        jsonschema.validate(d, SCHEMA)
    asic, xml, changed = docs
    assert len(asic["signatures"]) == 2
    assert any("readme.txt is not covered" in n for n in asic["notes"])
    assert any("TIN C25845632020" in n for n in xml["notes"])
    assert xml["signatures"][0]["trust"]["ams"] == "MY"
    assert changed["signatures"][0]["sub_indication"] == "HASH_FAILURE"
    assert any("document body" in r for r in changed["signatures"][0]["reasons"])
