from __future__ import annotations

from pathlib import Path

import pytest

from eauth_toolkit.errors import InputError
from eauth_toolkit.schemaio import json_pointer, load_document


@pytest.mark.parametrize(
    ("name", "text", "where"),
    [
        ("bad.json", '{"a": 1,\n "b": }', "bad.json:2:"),
        ("bad.yaml", "a: [1, 2\nb: 3\n", "bad.yaml:"),
        ("bad.toml", "a = = 1\n", "bad.toml"),
    ],
)
def test_syntax_errors_name_the_file_and_line(
    tmp_path: Path, name: str, text: str, where: str
) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_document(path)
    assert where in str(info.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="file not found"):
        load_document(tmp_path / "nope.json")


def test_json_pointer_escapes() -> None:
    assert json_pointer(["a/b", "c~d", 0]) == "/a~1b/c~0d/0"
    assert json_pointer([]) == "/"


def test_impossible_yaml_date_stays_text_for_schema_validation(tmp_path: Path) -> None:
    path = tmp_path / "date.yaml"
    path.write_text("due: 2026-13-01\nother: 2026-01-02\n", encoding="utf-8")
    assert load_document(path) == {"due": "2026-13-01", "other": "2026-01-02"}
