"""The committed schemas/ files are exactly what the pydantic models generate."""

from __future__ import annotations

import json

from jsonschema.validators import validator_for

from eauth_toolkit.schemagen import drifted, published_models
from eauth_toolkit.schemaio import SCHEMA_DIR


def test_published_schemas_match_models() -> None:
    assert drifted() == [], "run: python -m eauth_toolkit.schemagen"


def test_every_schema_file_is_a_valid_2020_12_schema() -> None:
    files = sorted(SCHEMA_DIR.glob("*.schema.json"))
    for path in files:
        schema = json.loads(path.read_text(encoding="utf-8"))
        assert schema.get("$schema", "").endswith("2020-12/schema"), path.name
        validator_for(schema).check_schema(schema)
    assert len(files) >= len(published_models())
