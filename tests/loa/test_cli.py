"""`eauth loa ...`: normal output through CliRunner, bad input through the real entry point."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from eauth_toolkit.cli import app
from tests.helpers import run_cli

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples" / "loa").glob("*.json"))
runner = CliRunner()


def eauth(*args: str) -> subprocess.CompletedProcess[str]:
    return run_cli(*args)


def test_assess_examples_json() -> None:
    result = runner.invoke(app, ["loa", "assess", *map(str, EXAMPLES), "--json"])
    assert result.exit_code == 0, result.output
    docs = json.loads(result.stdout)
    assert isinstance(docs, list) and len(docs) == len(EXAMPLES) >= 8
    for doc in docs:
        iso = doc["iso29115"]
        assert 0 <= iso["overall"] <= 4
        assert iso["overall"] == min(*iso["phases"].values(), iso["management"])
        assert set(iso["phases"]) == {"enrolment", "credential_management", "authentication"}
        if iso["overall"] < 4:
            assert iso["limiting"], doc["file"]
        assert doc["eidas"] in (None, "low", "substantial", "high")
        assert set(doc["nist"]) >= {"ial", "aal"}
        assert set(doc["claim"]) == {"claimed", "holds"}
    levels = {d["file"].rsplit("/", 1)[-1]: d["iso29115"]["phases"] for d in docs}
    # the examples differ in strength where it matters
    assert levels["wordpress-core-login.json"]["authentication"] == 0
    assert levels["estonia-id-card.json"]["credential_management"] == 4
    assert levels["github-passkey.json"]["authentication"] == 4
    assert levels["thaid-self-registration.json"]["enrolment"] == 2


def test_assess_single_file_gives_object_and_table() -> None:
    path = str(ROOT / "examples" / "loa" / "estonia-id-card.json")
    result = runner.invoke(app, ["loa", "assess", path, "--json"])
    doc = json.loads(result.stdout)
    assert doc["claim"] == {"claimed": 4, "holds": False}
    assert {r["id"] for r in doc["iso29115"]["limiting"]} <= {"MGT-2-01", "MGT-2-02", "MGT-2-03"}
    table = runner.invoke(app, ["loa", "assess", path])
    assert table.exit_code == 0
    assert "credential management" in table.stdout and "MGT-2-01" in table.stdout


def test_assess_repository_entry_with_profile(tmp_path: Path) -> None:
    entry = {
        "id": "x-1",
        "ams": "SG",
        "profile": {"name": "Entry tech", "enrolment": {"identity_proofing": "none"}},
    }
    path = tmp_path / "entry.json"
    path.write_text(json.dumps(entry), encoding="utf-8")
    result = runner.invoke(app, ["loa", "assess", str(path), "--json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["iso29115"]["phases"]["enrolment"] == 1


def test_map() -> None:
    result = runner.invoke(app, ["loa", "map", "iso29115:3", "--to", "eidas"])
    assert (
        result.exit_code == 0 and "substantial" in result.stdout and "not official" in result.stdout
    )
    result = runner.invoke(app, ["loa", "map", "iso29115:4", "--to", "nist", "--json"])
    docs = json.loads(result.stdout)
    assert docs[0]["value"] == {"ial": 3, "aal": 3}
    assert docs[0]["sources"]


def test_guidance_html_and_markdown(tmp_path: Path) -> None:
    repo = tmp_path / "repository_list"
    repo.mkdir()
    (repo / "ZZ.json").write_text(
        json.dumps(
            {
                "ams": "ZZ",
                "entries": [
                    {
                        "id": "zz-card",
                        "ams": "ZZ",
                        "name": "Card",
                        "claimed_level": {"iso29115": 3},
                        "profile": json.loads(
                            (ROOT / "examples/loa/estonia-id-card.json").read_text()
                        ),
                    },
                    {"id": "zz-none", "ams": "ZZ", "name": "No profile"},
                    {
                        "id": "zz-bad",
                        "ams": "ZZ",
                        "name": "Bad",
                        "profile": {"name": "b", "management": {"audit": "yearly"}},
                    },
                ],
            }
        ),
        encoding="utf-8",
    )
    (repo / "broken.json").write_text("{", encoding="utf-8")
    html = runner.invoke(app, ["loa", "guidance", "--format", "html", "--repository", str(repo)])
    assert html.exit_code == 0, html.output
    assert html.stdout.startswith("<!doctype html>")
    assert "ENR-4-01" in html.stdout and "Implementing Regulation (EU) 2015/1502" in html.stdout
    assert "zz-card" in html.stdout and "zz-none" not in html.stdout
    assert "not assessed" in html.stdout  # the invalid profile is listed, not fatal
    md = runner.invoke(app, ["loa", "guidance", "--repository", str(tmp_path / "absent")])
    assert md.exit_code == 0
    assert "## Rules per phase" in md.stdout and "No repository folder was given" in md.stdout
    out = tmp_path / "guidance.html"
    written = runner.invoke(app, ["loa", "guidance", "--format", "html", "-o", str(out)])
    assert written.exit_code == 0 and out.read_text(encoding="utf-8").count("<table>") >= 6


BAD_PROFILES = [
    (
        "unknown-enum.json",
        '{"name": "x", "enrolment": {"identity_proofing": "telepathy"}}',
        "#/enrolment/identity_proofing",
    ),
    ("missing-name.json", '{"enrolment": {}}', "#/: 'name' is a required property"),
    ("wrong-type.json", '{"name": "x", "claimed_level": "three"}', "#/claimed_level"),
    (
        "bad-list.json",
        '{"name": "x", "credential_management": {"authenticators": "password"}}',
        "#/credential_management/authenticators",
    ),
    ("unknown-field.json", '{"name": "x", "colour": "blue"}', "#/"),
    (
        "entry.json",
        '{"id": "e", "profile": {"name": "x", "authentication": {"replay_protection": "maybe"}}}',
        "#/profile/authentication/replay_protection",
    ),
    ("syntax.json", '{\n  "name": "x",\n  "enrolment": {\n}', ":4:"),
    ("syntax.yaml", "name: x\nenrolment: [unclosed\n", "syntax.yaml:"),
]


@pytest.mark.parametrize(("fname", "text", "where"), BAD_PROFILES, ids=[b[0] for b in BAD_PROFILES])
def test_bad_input_is_one_line_with_pointer(
    tmp_path: Path, fname: str, text: str, where: str
) -> None:
    path = tmp_path / fname
    path.write_text(text, encoding="utf-8")
    out = eauth("loa", "assess", str(path))
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    assert lines[0].startswith(f"error: {path}")
    assert where in lines[0]
    assert "Traceback" not in out.stderr and out.stdout == ""


def test_missing_file_and_bad_level_exit_2(tmp_path: Path) -> None:
    out = eauth("loa", "assess", str(tmp_path / "nope.json"))
    assert (
        out.returncode == 2
        and "file not found" in out.stderr
        and len(out.stderr.strip().splitlines()) == 1
    )
    out = eauth("loa", "map", "iso29115:9", "--to", "eidas")
    assert out.returncode == 2 and out.stderr.startswith("error: iso29115:9:")


def test_assess_confirmed_only_is_never_higher() -> None:
    loose = json.loads(runner.invoke(app, ["loa", "assess", *map(str, EXAMPLES), "--json"]).stdout)
    strict = json.loads(
        runner.invoke(
            app, ["loa", "assess", *map(str, EXAMPLES), "--json", "--confirmed-only"]
        ).stdout
    )
    for a, b in zip(loose, strict, strict=True):
        for phase, level in a["iso29115"]["phases"].items():
            assert b["iso29115"]["phases"][phase] <= level
    assert any(
        b["iso29115"]["phases"] != a["iso29115"]["phases"]
        for a, b in zip(loose, strict, strict=True)
    )


def test_assess_list_file_uses_entry_claims(tmp_path: Path) -> None:
    card = json.loads((ROOT / "examples/loa/estonia-id-card.json").read_text(encoding="utf-8"))
    del card["claimed_level"]
    doc = {
        "ams": "ZZ",
        "entries": [
            {"id": "a", "claimed_level": {"iso29115": 1}, "profile": card},
            {"id": "b"},
            {"id": "c", "claimed_level": {"iso29115": 2}, "profile": {"name": "weak"}},
        ],
    }
    path = tmp_path / "ZZ.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    result = runner.invoke(app, ["loa", "assess", str(path), "--json"])
    assert result.exit_code == 0, result.output
    docs = json.loads(result.stdout)
    assert [d["file"] for d in docs] == [f"{path}#/entries/0/profile", f"{path}#/entries/2/profile"]
    assert [d["claim"] for d in docs] == [
        {"claimed": 1, "holds": True},
        {"claimed": 2, "holds": False},
    ]
    doc["entries"][2]["profile"] = {"name": "weak", "enrolment": {"evidence": ["selfie"]}}
    path.write_text(json.dumps(doc), encoding="utf-8")
    out = eauth("loa", "assess", str(path))
    assert out.returncode == 2
    assert out.stderr.startswith(f"error: {path}#/entries/2/profile/enrolment/evidence/0:")
