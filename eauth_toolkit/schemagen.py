"""Published JSON Schemas generated from the pydantic models (the models are the source of truth).

Any module named ``models`` (or ``config``) under ``eauth_toolkit`` or ``pilot_sandbox`` may define
``PUBLISHED_SCHEMAS = {"name": Model}``; ``python -m eauth_toolkit.schemagen`` writes them to
``schemas/<name>.schema.json`` and ``tests/test_schemas_in_sync.py`` fails when they drift.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import sys
from typing import Any

from pydantic import BaseModel

from eauth_toolkit.schemaio import SCHEMA_DIR

__all__ = ["published_models", "render", "write_all", "drifted"]

SCHEMA_BASE_ID = "https://eauth-toolkit.example/schemas/"
_PACKAGES = ("eauth_toolkit", "pilot_sandbox")
_MODULE_NAMES = {"models", "config"}


def published_models() -> dict[str, type[BaseModel]]:
    found: dict[str, type[BaseModel]] = {}
    for pkg_name in _PACKAGES:
        pkg = importlib.import_module(pkg_name)
        for info in pkgutil.walk_packages(pkg.__path__, prefix=f"{pkg_name}."):
            if info.name.rsplit(".", 1)[-1] not in _MODULE_NAMES:
                continue
            module = importlib.import_module(info.name)
            for name, model in getattr(module, "PUBLISHED_SCHEMAS", {}).items():
                if name in found and found[name] is not model:
                    raise RuntimeError(f"schema {name!r} is published twice ({info.name})")
                found[name] = model
    return dict(sorted(found.items()))


def render(name: str, model: type[BaseModel]) -> str:
    schema: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{SCHEMA_BASE_ID}{name}.schema.json",
    }
    schema.update(model.model_json_schema(mode="validation"))
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def write_all() -> list[str]:
    written = []
    for name, model in published_models().items():
        path = SCHEMA_DIR / f"{name}.schema.json"
        text = render(name, model)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            written.append(path.name)
    return written


def drifted() -> list[str]:
    """Names of published schemas whose committed file differs from the model."""
    out = []
    for name, model in published_models().items():
        path = SCHEMA_DIR / f"{name}.schema.json"
        if not path.exists() or path.read_text(encoding="utf-8") != render(name, model):
            out.append(name)
    return out


if __name__ == "__main__":
    for n in write_all():
        print(f"wrote schemas/{n}")
    sys.exit(0)
