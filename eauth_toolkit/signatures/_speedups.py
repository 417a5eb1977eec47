"""Two speed-ups of the libraries under the validator, with unchanged results.

1. A faster reader for PDF hex strings, installed into pyHanko's object parser.

pyHanko reads a hex string one byte at a time through a generator; a signature's /Contents is a
hex string of several kilobytes, read again every time the signature dictionary is loaded, and
that tokenising dominated the cost of validating a signature. This reader finds the closing ``>``
with one search and decodes with ``bytes.fromhex``. It keeps the parser's rules: PDF white space
is ignored, an odd number of digits is padded with ``0``, any other byte is an error, and a string
that never ends is an error. A string containing ``%`` (a comment, which the original parser
skips) is handed to pyHanko's own reader.

2. A cache for ``asn1crypto.x509.Name.hashable`` (the normalised form used whenever certificate
names are compared during path building), keyed by the name's DER encoding, so a name that is
changed in place gets a fresh entry. The cache is bounded.
"""

from __future__ import annotations

import os
from typing import Any

from asn1crypto import x509
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.misc import PdfStreamError

__all__ = ["install", "uninstall"]

_ORIGINAL = generic.read_hex_string_from_stream
_WHITESPACE = b"\x00\t\n\x0c\r "
_HEX = frozenset(b"0123456789abcdefABCDEF")
_CHUNK = 1 << 16


def _read_hex_string(stream: Any) -> Any:
    start = stream.tell()
    stream.read(1)  # the opening '<'
    parts: list[bytes] = []
    while True:
        buf = stream.read(_CHUNK)
        if not buf:
            raise PdfStreamError("Stream ended inside a hex string")
        end = buf.find(b">")
        if end < 0:
            parts.append(buf)
            continue
        parts.append(buf[:end])
        consumed = sum(len(p) for p in parts)
        break
    raw = b"".join(parts)
    if b"%" in raw:
        stream.seek(start, os.SEEK_SET)
        return _ORIGINAL(stream)
    stream.seek(start + 1 + consumed + 1, os.SEEK_SET)
    digits = raw.translate(None, _WHITESPACE)
    if not _HEX.issuperset(digits):
        bad = next(bytes([b]) for b in digits if b not in _HEX)
        raise PdfStreamError("Unexpected token in hex string: " + repr(bad))
    if len(digits) % 2:
        digits += b"0"
    return generic.pdf_string(bytes.fromhex(digits.decode("ascii")))


_ORIGINAL_HASHABLE = x509.Name.hashable
_NAME_CACHE: dict[bytes, str] = {}
_NAME_CACHE_MAX = 8192


def _cached_hashable(self: x509.Name) -> str:
    key = self.dump()
    value = _NAME_CACHE.get(key)
    if value is None:
        value = _ORIGINAL_HASHABLE.fget(self)  # type: ignore[attr-defined]
        if len(_NAME_CACHE) >= _NAME_CACHE_MAX:
            _NAME_CACHE.clear()
        _NAME_CACHE[key] = value
    return value


def install() -> None:
    """Use the fast hex string reader and the name cache (idempotent)."""
    generic.read_hex_string_from_stream = _read_hex_string
    x509.Name.hashable = property(_cached_hashable)  # type: ignore[method-assign,assignment]


def uninstall() -> None:
    """Back to the libraries' own code (the benchmark measures plain pyHanko this way)."""
    generic.read_hex_string_from_stream = _ORIGINAL
    x509.Name.hashable = _ORIGINAL_HASHABLE  # type: ignore[method-assign]
