"""No unconfirmed value raises a confirmed level, in any repository entry or LoA example.

Each profile is assessed as given and again with every value whose evidence does not confirm it
(an ``unconfirmed`` mark of the entry, ``unknown`` or ``secondary_source`` evidence) reset to the
field's unknown default; every rule set must give the same confirmed level for every result.
"""

from __future__ import annotations

import copy
import json
import typing
from enum import Enum
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from eauth_toolkit.loa import TechnologyProfile, assess, profile_from_dict
from eauth_toolkit.loa.models import CONFIRMING_KINDS, AuthenticatorType
from eauth_toolkit.loa.profiles import LoadedProfile, load_profile, repository_profiles
from eauth_toolkit.repository.models import AMS_CODES
from eauth_toolkit.resources import repository_list_dir
from tests.loa.conftest import CONFIRMED, STRONG

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "loa"
#: descriptive fields: they never decide a level and have no unknown default
_DESCRIPTIVE = {"profile_version", "name", "operator", "description", "notes", "evidence"}


def _model_of(annotation: Any) -> type[BaseModel] | None:
    """The model class inside ``X``, ``X | None`` or ``list[X]``."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_of(arg)
        if found is not None:
            return found
    return None


def _unknown_default(tokens: list[str]) -> Any:
    """The fail-closed default of the field at ``tokens`` (list indexes skipped)."""
    model: type[BaseModel] | None = TechnologyProfile
    for token in tokens[:-1]:
        if token.isdigit():
            continue
        assert model is not None, tokens
        model = _model_of(model.model_fields[token].annotation)
    assert model is not None, tokens
    field = model.model_fields[tokens[-1]]
    if field.is_required():
        # the only required fact field: a factor's type, whose unknown value is 'unpublished'
        assert tokens[-1] == "type", tokens
        return AuthenticatorType.unpublished.value
    value = field.get_default(call_default_factory=True)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, (list, tuple)):
        return []
    return value


def _leaves(node: Any, tokens: list[str]) -> typing.Iterator[list[str]]:
    """Pointers (as tokens) of the facts: scalars and lists of scalars."""
    if isinstance(node, dict):
        for key, sub in node.items():
            if not tokens and key in _DESCRIPTIVE:
                continue
            yield from _leaves(sub, [*tokens, key])
    elif isinstance(node, list) and any(isinstance(x, (dict, list)) for x in node):
        for i, sub in enumerate(node):
            yield from _leaves(sub, [*tokens, str(i)])
    elif tokens:
        yield tokens


def _evidence_for(profile: TechnologyProfile, pointer: str) -> Any:
    """The evidence of the most specific pointer covering ``pointer``."""
    best = None
    for p in profile.evidence:
        if (pointer == p or pointer.startswith(p + "/")) and (best is None or len(p) > len(best)):
            best = p
    return None if best is None else profile.evidence[best]


def unconfirmed_reset(profile: TechnologyProfile) -> tuple[TechnologyProfile, list[str]]:
    """The profile with every fact that its evidence does not confirm set to its unknown default."""
    data = profile.model_dump(mode="json", exclude_none=False)
    reset = []
    for tokens in list(_leaves(data, [])):
        pointer = "/" + "/".join(tokens)
        evidence = _evidence_for(profile, pointer)
        if evidence is None or evidence.kind in CONFIRMING_KINDS:
            continue
        node = data
        for token in tokens[:-1]:
            node = node[int(token)] if isinstance(node, list) else node[token]
        default = _unknown_default(tokens)
        if node[tokens[-1]] != default:
            node[tokens[-1]] = copy.deepcopy(default)
            reset.append(pointer)
    return profile_from_dict(data), reset


def confirmed_levels(profile: TechnologyProfile) -> dict[tuple[str, str], int]:
    a = assess(profile)
    return {
        (rs.key, res.id): a.range(rs.key, res.id).confirmed for rs in a.sets for res in rs.results
    }


def _repository() -> list[LoadedProfile]:
    out = []
    for loaded, where, problem in repository_profiles(repository_list_dir()):
        assert loaded is not None, f"{where}: {problem}"
        out.append(loaded)
    return out


def _examples() -> list[LoadedProfile]:
    return [load_profile(p) for p in sorted(EXAMPLES.glob("*.json"))]


REPOSITORY = _repository()
EXAMPLE_PROFILES = _examples()


def _id(loaded: LoadedProfile) -> str:
    if loaded.entry is not None:
        return str(loaded.entry["id"])
    return Path(loaded.source).stem


def test_every_entry_with_a_profile_and_every_example_is_checked() -> None:
    with_profile = [
        e
        for ams in AMS_CODES
        for e in json.loads((repository_list_dir() / f"{ams}.json").read_text(encoding="utf-8"))[
            "entries"
        ]
        if e.get("profile")
    ]
    assert len(REPOSITORY) == len(with_profile) > 20
    assert len(EXAMPLE_PROFILES) == len(list(EXAMPLES.glob("*.json"))) >= 10


@pytest.mark.parametrize("loaded", REPOSITORY + EXAMPLE_PROFILES, ids=_id)
def test_no_unconfirmed_value_raises_the_confirmed_level(loaded: LoadedProfile) -> None:
    given = confirmed_levels(loaded.profile)
    reset, _ = unconfirmed_reset(loaded.profile)
    assert confirmed_levels(reset) == given


def test_the_reset_reaches_unconfirmed_values_and_would_show_a_counted_one() -> None:
    # a favourable value with unknown evidence is reset to the field's unknown default ...
    doc = copy.deepcopy(STRONG)
    doc["evidence"] = {
        "": CONFIRMED,
        "/credential_management/factors/0/key_protection": {"kind": "unknown"},
        "/enrolment/routes/0/evidence": {
            "kind": "secondary_source",
            "url": "https://example.test/n",
        },
        "/authentication/replay_protection": {"kind": "unknown"},
    }
    profile = profile_from_dict(doc)
    reset, pointers = unconfirmed_reset(profile)
    assert sorted(pointers) == [
        "/authentication/replay_protection",
        "/credential_management/factors/0/key_protection",
        "/enrolment/routes/0/evidence",
    ]
    assert reset.credential_management.factors[0].key_protection.value == "unknown"
    assert reset.enrolment.routes[0].evidence == []
    assert reset.authentication.replay_protection is None
    # ... and had the assessment counted it, the comparison would differ: the same values with
    # confirming evidence give a higher confirmed level than the reset profile
    confirmed = copy.deepcopy(doc)
    confirmed["evidence"] = {"": CONFIRMED}
    assert confirmed_levels(profile_from_dict(confirmed)) != confirmed_levels(reset)
    assert confirmed_levels(profile) == confirmed_levels(reset)


def test_a_factor_type_and_a_boolean_have_their_unknown_defaults() -> None:
    assert _unknown_default(["credential_management", "factors", "0", "type"]) == "unpublished"
    assert _unknown_default(["authentication", "session_protection"]) is None
    assert _unknown_default(["enrolment", "routes", "0", "delivery"]) == "unknown"
    assert _unknown_default(["management", "audit"]) == "unknown"


def _entry_sourced(loaded: LoadedProfile, pointer: str) -> bool:
    sources = (loaded.entry or {}).get("sources") or {}
    full = "/profile" + pointer
    return any(full == p or full.startswith(p + "/") for p in sources)


@pytest.mark.parametrize("loaded", REPOSITORY + EXAMPLE_PROFILES, ids=_id)
def test_a_value_without_any_source_stays_at_its_unknown_default(loaded: LoadedProfile) -> None:
    # a value marked unconfirmed is stated only beside the (weak) source that states it
    _, reset = unconfirmed_reset(loaded.profile)
    unsourced = [
        p
        for p in reset
        if (ev := _evidence_for(loaded.profile, p)).kind == "unknown"
        and ev.url is None
        and not _entry_sourced(loaded, p)
    ]
    assert unsourced == []
