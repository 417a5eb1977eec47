"""The one JSON reading of the repository: every signed payload, protected header and list goes
through :func:`loads` before anything looks at it, so a signature check, the validation and the
store always see the same document.

What is refused (``StrictJsonError`` with a JSON pointer), and why:

* nesting deeper than ``max_depth``, counted on the raw bytes *before* parsing, so a document
  nested thousands of levels deep costs one linear scan and never reaches a recursive parser;
* an object with the same member name twice (RFC 8259 leaves the meaning open, and two parsers
  may each pick a different one: ``{"ams":"MY","ams":"SG"}``);
* ``NaN``, ``Infinity``, numbers too large for a double, and integers outside the I-JSON range
  (RFC 7493: integers beyond +/-(2^53 - 1) are read differently by different parsers, as
  integer or float);
* NUL and the other C0/C1 control characters (other than tab, line feed and carriage return) and
  lone UTF-16 surrogates in any string or member name: they cannot be stored faithfully by every
  database (PostgreSQL refuses NUL in text) and have no place in identifiers or free text;
* bytes that are not UTF-8.
"""

from __future__ import annotations

import gc
import json
import math
import re
from collections.abc import Iterator
from itertools import accumulate
from pathlib import Path
from typing import Any

import orjson

__all__ = ["StrictJsonError", "MAX_DEPTH", "MAX_SAFE_INTEGER", "loads", "dumps", "load_file"]

#: default nesting limit: the deepest repository document (list -> entry -> profile -> phase ->
#: answer) is far below it
MAX_DEPTH = 32

#: the largest integer every JSON implementation reads exactly (RFC 7493 section 2.2)
MAX_SAFE_INTEGER = 2**53 - 1

_STRINGS = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_BRACKETS = bytes(range(256)).translate(None, b"[]{}")
_STEP = [0] * 256
_STEP[ord("[")] = _STEP[ord("{")] = 1
_STEP[ord("]")] = _STEP[ord("}")] = -1
_WHITESPACE = b" \t\r\n"
#: what the fast path leaves to the careful one: escaped control characters and surrogates
#: (``\b``, ``\f``, ``\u00XX``, ``\uD8XX``...), raw DEL and C1 characters
_SUSPECT_ESCAPE = re.compile(
    rb"\\(?:u00[01][0-8bcefBCEF]|u001[0-9a-fA-F]|u007[fF]|u00[89][0-9a-fA-F]|"
    rb"u[dD][89a-fA-F][0-9a-fA-F]{2}|[bf])"
)
_C1 = re.compile(rb"\xc2[\x80-\x9f]")
#: numbers that may be outside the exact range: 16 digits or more, or a large exponent; found
#: by plain substring search after mapping digits to 0, e/E to e and signs to +
_NUMBER_SHAPE = bytes(
    ord("0")
    if chr(b).isdigit() and b < 128
    else ord("e")
    if b in b"eE"
    else ord("+")
    if b in b"+-"
    else ord(" ")
    for b in range(256)
)
_SUSPECT_SHAPES = (b"0" * 16, b"e000", b"e+000")


def _suspect_number(text: bytes) -> bool:
    shape = text.translate(_NUMBER_SHAPE)
    return any(s in shape for s in _SUSPECT_SHAPES)


_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


class StrictJsonError(ValueError):
    """A JSON text the repository refuses; ``where`` is the JSON pointer of the fault."""

    def __init__(self, message: str, where: str = "/", line: tuple[int, int] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.where = where
        #: (line, column) of a syntax error
        self.line = line


class _Duplicate(Exception):
    def __init__(self, name: str) -> None:
        self.name = name


def _depth(skeleton: bytes) -> int:
    """The deepest nesting of a JSON text whose strings were emptied (of any JSON text: an
    upper bound)."""
    brackets = skeleton.translate(None, _BRACKETS)
    if not brackets:
        return 0
    return max(accumulate(map(_STEP.__getitem__, brackets)))


def _members(skeleton: bytes) -> int:
    """How many object members a JSON text whose strings were emptied holds."""
    return skeleton.translate(None, _WHITESPACE).count(b'"":')


def _fast(data: bytes, skeleton: bytes | None) -> Any:
    """The document when every rule visibly holds (C-speed checks), else ``_SLOW``: then the
    careful reading decides and names the pointer. ``skeleton`` is ``data`` with its strings
    emptied, computed only when needed."""
    if _SUSPECT_ESCAPE.search(data) or b"\x7f" in data or _C1.search(data):
        return _SLOW
    # a parse creates only new, acyclic objects: the cyclic garbage collector is paused meanwhile,
    # since its passes over a large document's million objects are pure overhead
    enabled = gc.isenabled()
    gc.disable()
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError:
        return _SLOW
    finally:
        if enabled:
            gc.enable()
    if _suspect_number(data):
        skeleton = skeleton if skeleton is not None else _STRINGS.sub(b'""', data)
        if _suspect_number(skeleton):
            return _SLOW
    if orjson.dumps(value) != data:  # not compact: count the members instead
        skeleton = skeleton if skeleton is not None else _STRINGS.sub(b'""', data)
        if _members(skeleton) != _members(_STRINGS.sub(b'""', orjson.dumps(value))):
            return _SLOW  # a member name appeared twice somewhere
    return value


_SLOW = object()


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        seen: set[str] = set()
        for name, _ in pairs:
            if name in seen:
                raise _Duplicate(name)
            seen.add(name)
    return out


def _constant(name: str) -> Any:
    raise StrictJsonError(f"{name} is not a JSON number")


def _token(value: object) -> str:
    return str(value).replace("~", "~0").replace("/", "~1")


def _walk(node: Any, pointer: str) -> Iterator[tuple[str, Any]]:
    """(pointer, value) of every value, member names as values too."""
    stack = [(pointer, node)]
    while stack:
        where, value = stack.pop()
        if isinstance(value, dict):
            for name, sub in value.items():
                child = f"{where}/{_token(name)}"
                yield child, name
                stack.append((child, sub))
        elif isinstance(value, list):
            stack.extend((f"{where}/{i}", sub) for i, sub in enumerate(value))
        else:
            yield where, value


def _find_duplicate(raw: str, name: str) -> str:
    """The pointer of the object holding ``name`` twice (found by a second, recording parse)."""
    found: list[Any] = []

    def record(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out = dict(pairs)
        if len(out) != len(pairs):
            found.append(out)
        return out

    root = json.loads(raw, object_pairs_hook=record)
    if not found:
        return "/"
    target = found[0]
    stack: list[tuple[str, Any]] = [("", root)]
    while stack:
        where, value = stack.pop()
        if value is target:
            return f"{where}/{_token(name)}"
        if isinstance(value, dict):
            stack.extend((f"{where}/{_token(k)}", v) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((f"{where}/{i}", v) for i, v in enumerate(value))
    return "/"


def loads(raw: bytes | str, *, max_depth: int = MAX_DEPTH) -> Any:
    """Parse ``raw`` by the rules in the module docstring; raise :class:`StrictJsonError`."""
    if isinstance(raw, str):
        try:
            data = raw.encode("utf-8")
        except UnicodeError:
            raise StrictJsonError("the text holds a lone UTF-16 surrogate") from None
    else:
        data = raw
    skeleton = None
    if _depth(data) > max_depth:  # brackets in strings count too: a bound, made exact below
        skeleton = _STRINGS.sub(b'""', data)
        depth = _depth(skeleton)
        if depth > max_depth:
            raise StrictJsonError(f"nested {depth} levels deep; at most {max_depth} are accepted")
    value = _fast(data, skeleton)
    if value is not _SLOW:
        return value
    return _careful(data)


def _careful(data: bytes) -> Any:
    try:
        text = data.decode("utf-8")
    except UnicodeError as exc:
        raise StrictJsonError(f"not UTF-8 (byte {exc.start})") from None  # type: ignore[attr-defined]
    try:
        value = json.loads(text, object_pairs_hook=_pairs, parse_constant=_constant)
    except _Duplicate as dup:
        where = _find_duplicate(text, dup.name)
        raise StrictJsonError(f"member {dup.name!r} appears twice in one object", where) from None
    except json.JSONDecodeError as exc:
        raise StrictJsonError(
            f"JSON syntax error: {exc.msg} (line {exc.lineno}, column {exc.colno})",
            line=(exc.lineno, exc.colno),
        ) from None
    except RecursionError:  # only when max_depth was raised above what the parser can take
        raise StrictJsonError("nested too deeply") from None
    for where, item in _walk(value, ""):
        if isinstance(item, str):
            bad = _BAD_CHARS.search(item)
            if bad is not None:
                raise StrictJsonError(
                    f"control character or lone surrogate U+{ord(bad.group()):04X} in a string",
                    where or "/",
                )
        elif isinstance(item, bool) or item is None:
            continue
        elif isinstance(item, int):
            if not -MAX_SAFE_INTEGER <= item <= MAX_SAFE_INTEGER:
                raise StrictJsonError(
                    f"integer {item} is outside the range every JSON reader keeps exactly "
                    f"(+/-{MAX_SAFE_INTEGER})",
                    where or "/",
                )
        elif isinstance(item, float) and not math.isfinite(item):
            raise StrictJsonError("number is too large for a double", where or "/")
    return value


def dumps(value: Any) -> bytes:
    """The compact UTF-8 JSON of a document :func:`loads` accepted (what validators read)."""
    return orjson.dumps(value)


def load_file(path: str | Path) -> Any:
    """A JSON file read by :func:`loads`; every problem is an ``InputError`` naming the file and
    the JSON pointer."""
    from eauth_toolkit.errors import InputError

    p = Path(path)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise InputError("file not found", where=str(p)) from None
    except IsADirectoryError:
        raise InputError("is a folder, not a file", where=str(p)) from None
    except OSError as exc:
        raise InputError(f"cannot read file ({exc.strerror or exc})", where=str(p)) from None
    try:
        return loads(raw)
    except StrictJsonError as exc:
        if exc.line is not None:
            raise InputError(exc.message, where=f"{p}:{exc.line[0]}:{exc.line[1]}") from None
        raise InputError(exc.message, where=f"{p}#{exc.where}") from None
