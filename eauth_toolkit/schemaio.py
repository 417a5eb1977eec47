"""Loading documents and validating them against the published JSON Schemas (2020-12).

:func:`load_document` parses JSON, YAML and TOML files and turns syntax and read errors into an
:class:`~eauth_toolkit.errors.InputError` naming the file and line; :func:`validate` and
:func:`schema_errors` check a document against ``schemas/<name>.schema.json`` and report each
problem with its JSON pointer (after the file name when the caller gives it). Parts that read
other formats (PDF, XML, certificates) have their own readers.
"""

from __future__ import annotations

import json
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eauth_toolkit.errors import InputError, SchemaError
from eauth_toolkit.resources import schemas_dir

__all__ = [
    "SCHEMA_DIR",
    "load_document",
    "load_schema",
    "validate",
    "schema_errors",
    "json_pointer",
]

#: the published schemas: ``schemas/`` in a checkout, ``eauth_toolkit/_data/schemas`` in a wheel
SCHEMA_DIR = schemas_dir()


if TYPE_CHECKING:
    import jsonschema


@lru_cache(maxsize=1)
def _dates_as_text_loader() -> Any:
    """Safe YAML loader that leaves timestamps as strings (built on first use: importing PyYAML
    and jsonschema is left to the commands that read such documents)."""
    import yaml

    class DatesAsText(yaml.SafeLoader):
        pass

    DatesAsText.yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    return DatesAsText


def json_pointer(path: Any) -> str:
    """RFC 6901 pointer for a jsonschema error path."""
    parts = [str(p).replace("~", "~0").replace("/", "~1") for p in path]
    return "/" + "/".join(parts) if parts else "/"


def load_document(path: str | Path) -> Any:
    """Parse a JSON, YAML or TOML file; syntax errors become :class:`InputError` naming the line."""
    import yaml

    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("file not found", where=str(p)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(
            f"cannot read file ({exc.__class__.__name__}: {exc})", where=str(p)
        ) from None
    suffix = p.suffix.lower()
    try:
        if suffix in {".yaml", ".yml"}:
            try:
                return yaml.safe_load(text)
            except ValueError:
                # an impossible date such as 2026-13-01: keep dates as text so that schema
                # validation reports the JSON pointer of the bad value
                return yaml.load(text, Loader=_dates_as_text_loader())  # noqa: S506
        if suffix == ".toml":
            return tomllib.loads(text)
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"JSON syntax error: {exc.msg}", where=f"{p}:{exc.lineno}:{exc.colno}"
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        loc = f"{p}:{mark.line + 1}:{mark.column + 1}" if mark is not None else str(p)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError(f"YAML syntax error: {problem}", where=loc) from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"TOML syntax error: {exc}", where=str(p)) from None
    except (ValueError, TypeError, RecursionError) as exc:
        # e.g. an impossible YAML date such as 2026-13-01, or nesting too deep
        raise InputError(f"cannot parse value: {exc}", where=str(p)) from None


@lru_cache(maxsize=64)
def _validator(name: str) -> jsonschema.protocols.Validator:
    from jsonschema.validators import validator_for

    schema = load_schema(name)
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def load_schema(name: str) -> dict[str, Any]:
    """Load ``schemas/<name>`` (``name`` with or without ``.schema.json``)."""
    fname = name if name.endswith(".json") else f"{name}.schema.json"
    path = SCHEMA_DIR / fname
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError("schema not found", where=str(path)) from None


def schema_errors(document: Any, schema_name: str) -> list[SchemaError]:
    """All schema errors of ``document``, each with its JSON pointer, in document order."""
    validator = _validator(schema_name)
    errors = sorted(
        validator.iter_errors(document), key=lambda e: [str(x) for x in e.absolute_path]
    )
    return [SchemaError(e.message, where=json_pointer(e.absolute_path)) for e in errors]


def validate(document: Any, schema_name: str, *, source: str | None = None) -> None:
    """Raise :class:`SchemaError` for the first schema error, naming source and JSON pointer."""
    errors = schema_errors(document, schema_name)
    if errors:
        first = errors[0]
        where = f"{source}#{first.where}" if source else first.where
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise SchemaError(first.message + more, where=where)
