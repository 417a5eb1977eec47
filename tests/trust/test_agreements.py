"""Agreement documents: signed by every party, in force only with all signatures and between dates."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from joserfc.jwk import ECKey

from eauth_toolkit.errors import RecognitionError
from eauth_toolkit.recognition.caps import signature_caps
from eauth_toolkit.recognition.models import Agreement
from eauth_toolkit.recognition.sandbox import (
    SANDBOX_AGREEMENT_ID,
    sandbox_agreement,
    sign_with_sandbox_keys,
)
from eauth_toolkit.recognition.signed import add_signature, check_agreement, read_agreement
from eauth_toolkit.repository.keys import AuthorityRegistry
from eauth_toolkit.signatures.levels import TrustSet, agreements

ROOT = Path(__file__).resolve().parents[2]
REPO = ROOT / "repository_list"
TODAY = dt.date(2026, 11, 30)


@pytest.fixture(scope="module")
def registry() -> AuthorityRegistry:
    return AuthorityRegistry.load(REPO / "authorities.json")


@pytest.fixture(scope="module")
def committed() -> dict[str, Any]:
    return json.loads((REPO / "agreements" / f"{SANDBOX_AGREEMENT_ID}.json").read_text())


def test_committed_sandbox_agreement_is_signed_by_both_parties(
    committed: dict[str, Any], registry: AuthorityRegistry
) -> None:
    assert len(committed["signatures"]) == 2
    st = check_agreement(committed, registry, on=TODAY)
    assert st.in_force and st.valid, st.reasons
    assert st.signed_by == ("SG", "MY")
    # the committed document says what the generating script says
    assert read_agreement(committed) == sandbox_agreement()
    assert st.agreement.sandbox


def test_missing_party_signature_is_not_in_force(
    committed: dict[str, Any], registry: AuthorityRegistry
) -> None:
    only_sg = dict(committed, signatures=committed["signatures"][:1])
    st = check_agreement(only_sg, registry, on=TODAY)
    assert not st.in_force
    assert st.missing == ("MY",)
    assert "lacks the signature of MY's authority" in st.reason


def test_outside_dates_is_not_in_force(
    committed: dict[str, Any], registry: AuthorityRegistry
) -> None:
    st = check_agreement(committed, registry, on=dt.date(2029, 1, 1))
    assert not st.in_force and st.valid
    assert "ended on 2028-12-31" in st.reason
    st = check_agreement(committed, registry, on=dt.date(2023, 6, 1))
    assert not st.in_force and "in force only from 2024-01-01" in st.reason


def test_changed_payload_breaks_every_signature(
    committed: dict[str, Any], registry: AuthorityRegistry
) -> None:
    agreement = read_agreement(committed).model_copy(update={"valid_until": dt.date(2040, 1, 1)})
    forged = sign_with_sandbox_keys(agreement, REPO, parties=["SG"])
    forged["signatures"].append(committed["signatures"][1])  # MY's signature over the old text
    st = check_agreement(forged, registry, on=TODAY)
    assert not st.in_force and not st.valid
    assert "signature of MY does not verify" in st.reason


def test_non_party_and_wrong_key_are_refused(registry: AuthorityRegistry) -> None:
    agreement = sandbox_agreement()
    with pytest.raises(RecognitionError, match="TH is not a party"):
        add_signature(agreement, ECKey.generate_key("P-256", private=True), ams="TH")
    # MY's slot signed with a key that is not MY's registered key
    doc = sign_with_sandbox_keys(agreement, REPO, parties=["SG"])
    doc = add_signature(doc, ECKey.generate_key("P-256", private=True), ams="MY")
    st = check_agreement(doc, registry, on=TODAY)
    assert not st.in_force and st.missing == ("MY",)
    assert "registered key of MY's authority" in st.reason


def test_garbage_document_is_one_clear_error(registry: AuthorityRegistry) -> None:
    with pytest.raises(RecognitionError, match="JWS JSON general serialization"):
        check_agreement({"payload": 3}, registry, on=TODAY)
    bad = {"payload": "eyJ4IjoxfQ", "signatures": []}
    with pytest.raises(RecognitionError) as exc:
        check_agreement(bad, registry, on=TODAY)
    assert exc.value.where and exc.value.where.startswith("agreement#/payload")


def test_agreement_covers_authentication_and_signatures() -> None:
    a = sandbox_agreement()
    assert {r.technology for r in a.recognitions} == {
        "sg-sandbox-national-idp",
        "my-sandbox-national-idp",
    }
    assert a.signature_cap("MY", "SG") == "AdES"
    assert a.signature_cap("SG", "MY") == "QES"
    assert a.signature_cap("SG", "TH") is None
    with pytest.raises(ValueError, match="at least one"):
        Agreement(id="x", title="x", parties=["SG", "MY"])


def test_signature_caps_come_from_signed_agreements_only(committed: dict[str, Any]) -> None:
    caps = {(c.from_ams, c.to_ams): (c.max_level, c.agreement) for c in agreements()}
    assert caps == {
        ("SG", "MY"): ("QES", SANDBOX_AGREEMENT_ID),
        ("MY", "SG"): ("AdES", SANDBOX_AGREEMENT_ID),
    }
    # an agreement that lacks MY's signature gives no caps and recognises no list
    half = copy.deepcopy(committed)
    half["signatures"] = half["signatures"][:1]
    statuses = [check_agreement(half, AuthorityRegistry.load(REPO / "authorities.json"), on=TODAY)]
    assert [s.in_force for s in statuses] == [False]
    caps_none = signature_caps(statuses)
    assert caps_none == ()
    assert TrustSet.for_ams([], "SG", caps_none).cap_for("MY") is None
    assert TrustSet.for_ams([], "SG", caps_none).caps == ()


def test_parties_sign_in_turn_over_the_cli(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from eauth_toolkit.cli import app as cli_app

    runner = CliRunner()
    keys = REPO / "sandbox-authority-keys"
    plain = tmp_path / "agreement.json"
    plain.write_text(sandbox_agreement().model_dump_json())
    first, both = tmp_path / "sg.json", tmp_path / "both.json"

    def run(*args: str):  # type: ignore[no-untyped-def]
        return runner.invoke(cli_app, ["repo", *args])

    r = run(
        "agreement-sign",
        str(plain),
        "--key",
        str(keys / "SG.private.jwk.json"),
        "--out",
        str(first),
    )
    assert r.exit_code == 0 and "still to sign: MY" in r.output, r.output
    r = run("agreement-check", str(first))
    assert r.exit_code == 1 and "lacks the signature of MY's authority" in r.output
    r = run(
        "agreement-sign", str(first), "--key", str(keys / "MY.private.jwk.json"), "--out", str(both)
    )
    assert r.exit_code == 0 and "every party has signed" in r.output
    r = run("agreement-check", str(both), "--json")
    assert r.exit_code == 0 and json.loads(r.output)["signed_by"] == ["SG", "MY"]
    r = run("agreement-check", str(both), "--on", "2029-01-01")
    assert r.exit_code == 1 and "ended on 2028-12-31" in r.output
    r = run(
        "agreement-sign",
        str(first),
        "--key",
        str(keys / "TH.private.jwk.json"),
        "--out",
        str(tmp_path / "x.json"),
    )
    assert r.exit_code == 2 and "TH is not a party" in r.output
    r = run("agreement-check", str(plain))
    assert r.exit_code == 2 and "JWS JSON general serialization" in r.output
