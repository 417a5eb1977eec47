"""The pilot configuration (deployment settings only), the sample entries' acr mapping as the
published list carries it, and the recognition decisions."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pilot_helpers import PILOT_TOML, pilot_variant

from eauth_toolkit.errors import PilotError
from eauth_toolkit.recognition import (
    check_published,
    check_request,
    check_returned,
    decide,
    loa_urn,
    parse_loa_urn,
)
from eauth_toolkit.recognition.sandbox import sandbox_agreement
from eauth_toolkit.recognition.trust import TrustSource
from eauth_toolkit.repository.keys import AuthorityRegistry, certificate_validity, load_key
from eauth_toolkit.resources import repository_list_dir
from eauth_toolkit.schemaio import validate
from eauth_toolkit.settings import Settings
from eauth_toolkit.web.app import create_app
from pilot_sandbox.config import load_pilot_config
from pilot_sandbox.entries import ENTRY_DIR, technology_entry
from pilot_sandbox.trustlist import publish_sample_list, sample_entry


def test_default_pilot_is_valid_and_matches_the_published_schema() -> None:
    config = load_pilot_config(PILOT_TOML)
    assert [a.code for a in config.ams] == ["SG", "MY"]
    validate(config.model_dump(mode="json"), "pilot-config")
    # deployment settings only: technologies and agreements come from the published list
    assert "agreement" not in config.model_dump() and config.trust.repository is None


@pytest.mark.parametrize(
    ("pattern", "repl", "where", "message"),
    [
        (
            r"required_level = 3",
            "required_level = 7",
            "ams[1].services[0].required_level",
            "less than or equal to 4",
        ),
        (r'code = "MY"', 'code = "XX"', "ams[1].code", "Input should be"),
        (
            r"\[trust\]\n",
            '[agreement]\nid = "sg-my"\n\n[trust]\n',
            "agreement",
            "Extra inputs",
        ),
        (
            r"birthdate = 1988-03-14",
            'birthdate = "last year"',
            "ams[0].idp.personas[0].birthdate",
            "date",
        ),
        (r"\[pilot\]\n", "[pilot]\ncolour = 1\n", "pilot.colour", "Extra inputs"),
    ],
)
def test_bad_configuration_stops_start_up_naming_the_key(
    tmp_path: Path, pattern: str, repl: str, where: str, message: str
) -> None:
    path = pilot_variant(tmp_path, replace=[(pattern, repl)])
    with pytest.raises(PilotError) as info:
        load_pilot_config(path)
    assert where in str(info.value) and message in str(info.value)
    with pytest.raises(PilotError, match=where.replace("[", r"\[").replace("]", r"\]")):
        create_app(Settings(data_dir=tmp_path, pilot_config=path, base_url="http://127.0.0.1:9"))


def test_toml_syntax_error_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "pilot.toml"
    path.write_text("[pilot\n", encoding="utf-8")
    with pytest.raises(PilotError, match="TOML syntax error"):
        load_pilot_config(path)


def test_sample_list_maps_national_acr_to_iso_levels(tmp_path: Path) -> None:
    """The sample entries go through the repository: submitted, endorsed, published; the
    gateways read them from the verified list."""
    repo = repository_list_dir()
    out = tmp_path / "list.json"
    n = publish_sample_list(
        load_pilot_config(PILOT_TOML),
        base_url="http://h",
        repository_dir=repo,
        data_dir=tmp_path,
        out=out,
    )
    cert = repo / "sandbox-publisher-key" / "publisher.cert.pem"
    view = TrustSource(
        out,
        load_key(cert),
        authorities=AuthorityRegistry.load(repo / "authorities.json"),
        key_valid=certificate_validity(cert),
    ).current()
    assert view.list_sequence == n
    sg = technology_entry(view, "sg-sandbox-national-idp")
    assert sg.issuer == "http://h/ams/sg/idp"
    assert sg.level_of("urn:sandbox:sg:ndi:acr:2fa") == 3 and sg.published_levels == {2, 3}
    assert sg.acrs_at_least(3) == ["urn:sandbox:sg:ndi:acr:2fa"]
    with pytest.raises(PilotError, match="not in the vocabulary"):
        sg.level_of("urn:sandbox:sg:ndi:acr:retina")
    assert view.levels["sg-sandbox-national-idp"]["state"] == "agreed"
    with pytest.raises(PilotError, match=f"not in the Repository List #{n}"):
        technology_entry(view, "sg-mockpass-sandbox")
    mockpass = sample_entry(
        "sg-mockpass-sandbox", base_url="http://h", issuer="http://m/singpass/v2"
    )
    assert (
        mockpass["oidc"]["issuer"] == "http://m/singpass/v2" and not mockpass["oidc"]["acr_values"]
    )
    for path in ENTRY_DIR.glob("*.json"):
        assert "SANDBOX" in path.read_text(encoding="utf-8")


def test_recognition_decisions_and_the_three_loa_checks() -> None:
    agreement = sandbox_agreement()
    ok = decide(
        agreement,
        technology="sg-sandbox-national-idp",
        from_ams="SG",
        relying_ams="MY",
        on=dt.date(2026, 12, 1),
    )
    assert ok.recognised and ok.max_level == 3
    early = decide(
        agreement,
        technology="sg-sandbox-national-idp",
        from_ams="SG",
        relying_ams="MY",
        on=dt.date(2026, 1, 1),
    )
    assert not early.recognised and "not in force" in early.reason
    outsider = decide(
        agreement, technology="th-id", from_ams="TH", relying_ams="MY", on=dt.date(2026, 12, 1)
    )
    assert not outsider.recognised and "TH is not a party" in outsider.reason
    assert check_request(3, {2, 3}, 3).passed
    assert not check_request(4, {2, 3}, 3).passed
    assert "agreement" in check_request(3, {2, 3, 4}, 2).reason
    assert (
        check_returned(3, 3).passed
        and not check_returned(3, 2).passed
        and not check_returned(3, None).passed
    )
    assert check_published(3, {2, 3}).passed and not check_published(4, {2, 3}).passed
    assert parse_loa_urn(loa_urn(2)) == 2 and parse_loa_urn("urn:eauth:loa:iso29115:5") is None


@pytest.mark.parametrize(
    ("entry_id", "issuer"),
    [
        ("sg-sandbox-national-idp", None),
        ("my-sandbox-national-idp", None),
        ("sg-mockpass-sandbox", "http://127.0.0.1:5156/singpass/v2"),
        ("my-oidc-provider-sandbox", "http://127.0.0.1:3000"),
    ],
)
def test_sandbox_entries_follow_the_repository_entry_format(
    entry_id: str, issuer: str | None
) -> None:
    entry = sample_entry(entry_id, base_url="http://127.0.0.1:8000", issuer=issuer)
    validate(entry, "repository-entry", source=entry_id)
    assert entry["status"] == "active" and "SANDBOX" in entry["name"]


def test_start_without_a_verified_list_is_refused(tmp_path: Path) -> None:
    """A configured list that does not verify stops the start: the pilot fails closed."""
    bad = tmp_path / "list.json"
    bad.write_text('{"payload": "not a signed list"}', encoding="utf-8")
    path = pilot_variant(tmp_path, replace=[(r"\[trust\]\n", f'[trust]\nrepository = "{bad}"\n')])
    assert load_pilot_config(path).trust.repository == str(bad)
    with pytest.raises(PilotError, match="no verified Repository List") as info:
        create_app(Settings(data_dir=tmp_path, pilot_config=path, base_url="http://127.0.0.1:9"))
    assert str(bad) in str(info.value)
