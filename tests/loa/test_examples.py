"""The example profiles: valid, sourced fact by fact, and honest about what is unconfirmed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from eauth_toolkit.loa import TechnologyProfile, assess
from eauth_toolkit.schemaio import schema_errors

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples" / "loa").glob("*.json"))
DEFAULTS = TechnologyProfile(name="defaults").model_dump(mode="json")


def stated_facts(doc: dict[str, Any], defaults: dict[str, Any], prefix: str = "") -> list[str]:
    """JSON pointers of the fields whose value differs from the default (the facts stated)."""
    out = []
    for key, value in doc.items():
        if key in ("sources", "unconfirmed", "notes", "description"):
            continue
        pointer = f"{prefix}/{key}"
        if isinstance(value, dict):
            out += stated_facts(value, defaults.get(key, {}), pointer)
        elif value != defaults.get(key):
            out.append(pointer)
    return out


def test_there_are_at_least_eight_examples() -> None:
    assert len(EXAMPLES) >= 8


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_is_valid_and_every_fact_is_sourced_or_unconfirmed(path: Path) -> None:
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert schema_errors(doc, "technology-profile") == []
    profile = TechnologyProfile.model_validate(doc)
    facts = stated_facts(doc, DEFAULTS)
    assert facts, "an example states facts"
    covered = set(profile.sources) | set(profile.unconfirmed)
    missing = [f for f in facts if f not in covered]
    assert missing == [], f"facts without a source or an 'unconfirmed' mark: {missing}"
    assert set(profile.sources).isdisjoint(profile.unconfirmed)
    for pointer in [*profile.sources, *profile.unconfirmed]:
        assert pointer in facts, f"{pointer} is not a stated fact of {path.name}"
    assert all(url.startswith(("https://", "http://")) for url in profile.sources.values())
    assert assess(profile).name == profile.name


def test_confirmed_only_resets_unconfirmed_facts_to_unknown() -> None:
    path = next(p for p in EXAMPLES if p.name == "github-password-totp.json")
    profile = TechnologyProfile.model_validate_json(path.read_text(encoding="utf-8"))
    strict = profile.without_unconfirmed()
    assert strict.unconfirmed == []
    assert strict.authentication.guessing_protection is None
    assert (
        strict.credential_management.authenticators == profile.credential_management.authenticators
    )
    assert strict.authentication.replay_protection is True  # sourced, so kept
    assert assess(profile).authentication == 3
    assert assess(strict).authentication == 0
