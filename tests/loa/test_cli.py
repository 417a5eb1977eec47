"""`eauth loa ...`: ranges, advice for a target, map agreeing with assess, migrate, and bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from eauth_toolkit.cli import app
from tests.helpers import run_cli

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples" / "loa").glob("*.json"))
runner = CliRunner()


def eauth(*args: str) -> subprocess.CompletedProcess[str]:
    return run_cli(*args)


def test_assess_examples_gives_ranges_for_every_framework() -> None:
    result = runner.invoke(app, ["loa", "assess", *map(str, EXAMPLES), "--json"])
    assert result.exit_code == 0, result.output
    docs = json.loads(result.stdout)
    assert len(docs) == len(EXAMPLES) >= 8
    for doc in docs:
        results = doc["results"]
        assert set(results) == {
            "eidas-2015-1502",
            "iso29115-2013",
            "nist-800-63-3",
            "nist-800-63-4",
        }
        for key, entry in results.items():
            for rid in ("overall",) if not key.startswith("nist") else ("ial", "aal"):
                res = entry[rid]
                assert res["scope"] and res["label"]
                assert set(res["phases"]) <= {
                    "enrolment",
                    "credential_management",
                    "authentication",
                    "management",
                }
        assert "management" in results["eidas-2015-1502"]["overall"]["phases"]
        assert "management" in results["iso29115-2013"]["overall"]["phases"]
        assert "organisational" in results["nist-800-63-3"]["ial"]["scope"]


def test_target_lists_every_control_still_needed_in_every_phase(tmp_path: Path) -> None:
    empty = tmp_path / "empty.json"
    empty.write_text(json.dumps({"name": "nothing known"}), encoding="utf-8")
    result = runner.invoke(app, ["loa", "assess", str(empty), "--json", "--target", "substantial"])
    assert result.exit_code == 0, result.output
    controls = json.loads(result.stdout)["advice"]["controls"]
    assert {c["phase"] for c in controls} == {
        "enrolment",
        "credential_management",
        "authentication",
        "management",
    }
    assert all(c["clause"].startswith("Annex 2.") for c in controls)
    assert all(c["level"] in ("low", "substantial") for c in controls)
    table = runner.invoke(app, ["loa", "assess", str(empty), "--target", "LoA3"])
    assert table.exit_code == 0 and "Still needed for iso29115-2013 LoA3" in table.stdout
    bad = eauth("loa", "assess", str(empty), "--target", "ultra")
    assert bad.returncode == 2 and "unknown target level" in bad.stderr


def test_map_agrees_with_the_mapping_in_assess() -> None:
    doc = json.loads(runner.invoke(app, ["loa", "assess", str(EXAMPLES[0]), "--json"]).stdout)
    iso = doc["results"]["iso29115-2013"]["overall"]
    n = int(iso["reachable"].removeprefix("LoA"))
    mapped = json.loads(
        runner.invoke(app, ["loa", "map", f"iso29115:{n}", "--to", "eidas", "--json"]).stdout
    )
    assert mapped[0]["kind"] == "mapping"
    assert mapped[0]["value"] == doc["mapping"]["eidas"]["mapped"]["reachable"]
    nist = json.loads(
        runner.invoke(app, ["loa", "map", f"iso29115:{n}", "--to", "nist", "--json"]).stdout
    )
    assert {m["target"] for m in nist} == {"nist-800-63-3", "nist-800-63-4"}


def test_bad_files_are_reported_and_the_others_still_assessed(tmp_path: Path) -> None:
    bom = tmp_path / "bom.json"
    bom.write_bytes("\ufeff".encode() + json.dumps({"name": "with a byte-order mark"}).encode())
    dup = tmp_path / "dup.json"
    dup.write_text(
        '{"name": "a", "management": {"audit": "internal", "audit": "independent"}}',
        encoding="utf-8",
    )
    many = tmp_path / "many.json"
    many.write_text(
        json.dumps(
            {
                "name": "",
                "enrolment": {"routes": [{"identity_proofing": "telepathy"}]},
                "management": {"audit": 3},
            }
        ),
        encoding="utf-8",
    )
    old = tmp_path / "old.json"
    old.write_text(
        json.dumps({"name": "old", "enrolment": {"identity_proofing": "in_person"}}),
        encoding="utf-8",
    )
    r = eauth("loa", "assess", str(bom), str(dup), str(many), str(old), str(EXAMPLES[0]), "--json")
    assert r.returncode == 2, r.stderr
    out = json.loads(r.stdout)
    assert [d["name"] for d in out["results"]] == [
        "with a byte-order mark",
        json.loads(EXAMPLES[0].read_text())["name"],
    ]
    errors = {e["where"].split("#")[0].rsplit("/", 1)[-1]: e for e in out["errors"]}
    assert errors["dup.json"]["where"].endswith("#/management/audit")
    assert "duplicate key" in errors["dup.json"]["error"]
    many_err = errors["many.json"]["error"]
    assert "/enrolment/routes/0/identity_proofing" in many_err + errors["many.json"]["where"]
    assert "/management/audit" in many_err and "/name" in many_err + errors["many.json"]["where"]
    assert errors["old.json"]["where"].endswith("#/enrolment/identity_proofing")
    assert "eauth loa migrate FILE" in errors["old.json"]["error"]
    assert (
        "Traceback" not in r.stderr
        and "4 of 5 files" not in r.stderr
        and "3 of 5 files could not be assessed" in r.stderr
    )


def test_migrate_upgrades_a_format_1_profile(tmp_path: Path) -> None:
    old = {
        "name": "old card",
        "enrolment": {"identity_proofing": "in_person", "credential_binding": "enrolment_code"},
        "credential_management": {
            "authenticators": ["smart_card", "password"],
            "key_protection": "hardware",
            "verifier_storage": "protected",
        },
        "sources": {
            "/enrolment/identity_proofing": "https://example.test/a",
            "/credential_management/authenticators": "https://example.test/b",
        },
        "unconfirmed": ["/credential_management/key_protection"],
    }
    path = tmp_path / "old.json"
    path.write_text(json.dumps(old), encoding="utf-8")
    r = eauth("loa", "migrate", str(path), "--in-place")
    assert r.returncode == 0, r.stderr
    new = json.loads(path.read_text(encoding="utf-8"))
    assert new["profile_version"] == "2"
    assert new["enrolment"]["routes"] == [
        {"identity_proofing": "in_person", "delivery": "code_to_contact_of_record"}
    ]
    assert new["credential_management"]["factors"] == [
        {"type": "smart_card", "key_protection": "hardware", "verifier_storage": "protected"},
        {"type": "password", "verifier_storage": "protected"},
    ]
    ev = new["evidence"]
    assert ev["/enrolment/routes/0/identity_proofing"] == {
        "kind": "public_document",
        "url": "https://example.test/a",
    }
    assert ev["/credential_management/factors/1/type"]["kind"] == "public_document"
    assert ev["/credential_management/factors/0/key_protection"]["kind"] == "unknown"
    assert eauth("loa", "assess", str(path)).returncode == 0


def _in_a_fresh_process(code: str) -> None:
    """Run ``code`` in a new interpreter with the first example profile as its argument."""
    r = subprocess.run(
        [sys.executable, "-c", code, str(EXAMPLES[0])],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert r.returncode == 0, r.stderr[-500:]


def test_eauth_loa_does_not_import_the_signature_or_web_stack() -> None:
    code = (
        "import sys\n"
        "from eauth_toolkit.cli import main\n"
        "try:\n    main(['loa', 'assess', sys.argv[1], '--json'])\n"
        "except SystemExit as exc:\n    assert not exc.code, exc.code\n"
        "heavy = sorted({m for m in sys.modules if m.startswith(('pyhanko', 'fastapi', 'starlette',"
        " 'sqlalchemy', 'eauth_toolkit.signatures', 'eauth_toolkit.web'))})\n"
        "assert not heavy, heavy[:5]\n"
    )
    _in_a_fresh_process(code)


def test_the_loa_engine_does_not_import_the_signature_or_web_stack() -> None:
    code = (
        "import sys\n"
        "from eauth_toolkit.loa.profiles import load_profiles\n"
        "from eauth_toolkit.loa.assessment import assess\n"
        "from eauth_toolkit.loa.document import render_markdown\n"
        "[assess(p.profile).to_dict() for p in load_profiles(sys.argv[1])]\n"
        "heavy = sorted({m.split('.')[0] + '.' + m.split('.')[1] if m.startswith('eauth_toolkit.') else m.split('.')[0]"
        " for m in sys.modules if m.startswith(('pyhanko', 'fastapi', 'starlette', 'sqlalchemy', 'cryptography',"
        " 'eauth_toolkit.signatures', 'eauth_toolkit.web', 'eauth_toolkit.repository'))})\n"
        "assert not heavy, heavy\n"
    )
    _in_a_fresh_process(code)


def test_guidance_takes_its_technologies_from_the_verified_published_list(tmp_path: Path) -> None:
    data = tmp_path / "data"
    r = eauth("loa", "guidance", "--data-dir", str(data))
    assert r.returncode == 0, r.stderr
    assert "The technologies of Repository List #1" in r.stdout and "| SG | sg-singpass" in r.stdout
    listed = data / "repository-list.json"
    assert listed.is_file()
    # a list changed after signing is refused with one line, not rendered
    doc = json.loads(listed.read_text())
    doc["payload"] = doc["payload"][:-8] + ("A" * 8 if doc["payload"][-8:] != "A" * 8 else "B" * 8)
    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps(doc))
    r = eauth("loa", "guidance", "--list", str(tampered), "--data-dir", str(data))
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert str(tampered) in r.stderr and len(r.stderr.strip().splitlines()) == 1
    # draft files are shown only when asked for, and say that they are drafts
    r = eauth("loa", "guidance", "--repository", str(ROOT / "repository_list"))
    assert r.returncode == 0 and "draft submission files" in r.stdout
    r = eauth("loa", "guidance", "--repository", str(ROOT), "--list", str(listed))
    assert r.returncode == 2 and "either --list or --repository" in r.stderr
