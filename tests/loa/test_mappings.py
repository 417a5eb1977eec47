"""Mappings to eIDAS and NIST SP 800-63: tables are data with sources, and applied per phase."""

from __future__ import annotations

import pytest

from eauth_toolkit.errors import InputError
from eauth_toolkit.loa import (
    default_guidance,
    map_level,
    mapping_table,
    parse_level,
    to_eidas,
    to_nist,
)


@pytest.mark.parametrize(
    ("level", "eidas"), [(0, None), (1, None), (2, "low"), (3, "substantial"), (4, "high")]
)
def test_eidas(level: int, eidas: str | None) -> None:
    assert to_eidas(level) == eidas


@pytest.mark.parametrize(
    ("enrol", "auth", "ial", "aal"),
    [(1, 1, 1, 1), (2, 2, 1, 1), (3, 3, 2, 2), (4, 4, 3, 3), (4, 1, 3, 1), (0, 3, None, 2)],
)
def test_nist_800_63_3(enrol: int, auth: int, ial: int | None, aal: int | None) -> None:
    levels = to_nist(enrol, auth)
    assert (levels.ial, levels.aal) == (ial, aal)


def test_nist_800_63_4_differs_for_self_asserted_identity() -> None:
    assert to_nist(1, revision="800-63-3").ial == 1
    assert to_nist(1, revision="800-63-4").ial is None
    assert to_nist(2, revision="800-63-4").ial == 1


@pytest.mark.parametrize("text", ["iso29115:3", "ISO29115:3", "loa3", "3", " 3 "])
def test_parse_level(text: str) -> None:
    assert parse_level(text) == 3


@pytest.mark.parametrize("text", ["iso29115:5", "eidas:high", "", "three"])
def test_parse_level_rejects(text: str) -> None:
    with pytest.raises(InputError):
        parse_level(text)


def test_every_table_has_sources_and_says_it_is_not_official() -> None:
    g = default_guidance()
    for name in ("eidas", "nist-800-63-3", "nist-800-63-4"):
        table = mapping_table(name, g)
        assert table["sources"] and table["notes"]
        assert table["official"] is False
        assert set(table["table"]) == {"0", "1", "2", "3", "4"}


def test_map_level_targets() -> None:
    (eidas,) = map_level(4, "eidas")
    assert eidas.value == "high" and eidas.sources and not eidas.official
    nist = map_level(3, "nist")
    assert [m.target for m in nist] == ["nist-800-63-3", "nist-800-63-4"]
    assert nist[0].value == {"ial": 2, "aal": 2}
    with pytest.raises(InputError):
        map_level(3, "kantara")
