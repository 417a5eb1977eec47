"""Speed-ups of the libraries under the validator, with unchanged results, applied only while
one of our own validations runs (:func:`applied`, a context manager; the libraries' own code is
put back when the last running validation ends, so an application that imports this package
keeps pyHanko and asn1crypto as they are).

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

3. A cache for ``asn1crypto.x509.Name.__eq__`` (RFC 5280 name comparison, which string-preps
every attribute of both names on every call; path building and signer identification compare the
same few names over and over), keyed by the encoded contents of both names. Bounded.

4. pyHanko's lookup of the signing-certificate attribute (``_grab_signing_cert_attr``, done
several times per signature) copies the attribute by re-encoding it. Through an asn1crypto quirk
(a value whose length is exactly 128 bytes, header ``30 81 80``, is taken for an indefinite
length and re-encoded in full, which marks parts of it as changed) that copy leaves the
signature's signed attributes marked as changed, so that every later use re-encodes them all,
and pyHanko hashes that re-encoding instead of the bytes as written (which its own comment says
it means to hash). This lookup copies the attribute from the bytes it was parsed from, leaving
the signed attributes untouched; the result is the same attribute. Anything unusual (several
values, none, a real indefinite length, a changed value) goes to pyHanko's own lookup.

6. A faster reader for PDF names (``/Type``, ``/ByteRange``...; every dictionary key is one),
installed into pyHanko's object parser. pyHanko reads a name one byte at a time through a
generator, then decodes it one byte at a time; this reader finds the end of the name with one
search. A name with an escape (``#``), a byte outside ``!``..``~``, or no delimiter in sight (the
end of the file, or a very long name) is handed to pyHanko's own reader.

5. Stream payloads larger than 1 MB are not read when their object is parsed, only when their
bytes are used (and then not kept), so walking a document's object graph, as the difference
analysis does, does not pull a 200 MB image into memory. Anything unusual about such a stream
(a wrong /Length, no ``endstream`` where expected) goes to pyHanko's own reader unchanged.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from asn1crypto import core, tsp, x509
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.misc import PdfStreamError, read_non_whitespace, skip_over_whitespace
from pyhanko.pdf_utils.reader import HistoricalResolver
from pyhanko.sign.general import find_unique_cms_attribute
from pyhanko.sign.validation import generic_cms

__all__ = ["applied", "install", "uninstall"]

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


_ORIGINAL_NAME_EQ = x509.Name.__eq__
_NAME_EQ_CACHE: dict[tuple[bytes, bytes], bool] = {}


def _cached_name_eq(self: x509.Name, other: Any) -> bool:
    if type(self) is not x509.Name or type(other) is not x509.Name:
        return _ORIGINAL_NAME_EQ(self, other)  # type: ignore[no-any-return]
    key = (self.chosen.contents, other.chosen.contents)
    value = _NAME_EQ_CACHE.get(key)
    if value is None:
        value = _ORIGINAL_NAME_EQ(self, other)
        if len(_NAME_EQ_CACHE) >= _NAME_CACHE_MAX:
            _NAME_EQ_CACHE.clear()
        _NAME_EQ_CACHE[key] = value
    return value


_ORIGINAL_GRAB = generic_cms._grab_signing_cert_attr


def _as_written(value: Any) -> bytes | None:
    """The encoding ``value`` was parsed from (None when it was changed since, or is not a
    plain definite-length value)."""
    header = getattr(value, "_header", None)
    contents = getattr(value, "_contents", None)
    if not isinstance(header, bytes) or not isinstance(contents, bytes):
        return None
    if value._is_mutated() or header[:1] != b"\x30" or header[1:2] == b"\x80":
        return None  # changed, not a SEQUENCE, or of indefinite length
    return header + contents


def _grab_as_written(signed_attrs: Any, v2: bool) -> Any:
    try:
        value = find_unique_cms_attribute(signed_attrs, f"signing_certificate{'_v2' if v2 else ''}")
    except Exception:
        return _ORIGINAL_GRAB(signed_attrs, v2)  # absent or several: pyHanko's own answer
    der = _as_written(value) if isinstance(value, core.Sequence) else None
    if der is None:
        return _ORIGINAL_GRAB(signed_attrs, v2)
    return (tsp.SigningCertificateV2 if v2 else tsp.SigningCertificate).load(der)


_ORIGINAL_NAME_READ = generic.NameObject.__dict__["read_from_stream"]
#: what ends a name: PDF white space and delimiters
_NAME_END = re.compile(rb"[ \n\r\t\f\x00()<>\[\]{}/%]")
_NAME_PLAIN = re.compile(rb"[!-~]*")  # printable ASCII (no escape: checked apart)
_NAME_CHUNK = 128


def _read_name(stream: Any) -> Any:
    start = stream.tell()
    if stream.read(1) == b"/":
        buf = stream.read(_NAME_CHUNK)
        end = _NAME_END.search(buf)
        if end is not None:
            name = buf[: end.start()]
            if b"#" not in name and _NAME_PLAIN.fullmatch(name):
                stream.seek(start + 1 + len(name))
                return generic.NameObject("/" + name.decode("ascii"))
    stream.seek(start)
    return _ORIGINAL_NAME_READ.__func__(stream)


LAZY_THRESHOLD = 1 << 20
_ORIGINAL_PAYLOAD = generic._maybe_read_stream_payload
_ORIGINAL_ENCODED = generic.StreamObject.__dict__.get("_encoded_data")


class _LazyPayload:
    """Where a stream's encoded bytes are in the file; read on each use."""

    __slots__ = ("stream", "offset", "length")

    def __init__(self, stream: Any, offset: int, length: int) -> None:
        self.stream, self.offset, self.length = stream, offset, length

    def read(self) -> bytes:
        here = self.stream.tell()
        try:
            self.stream.seek(self.offset)
            data = self.stream.read(self.length)
        finally:
            self.stream.seek(here)
        if len(data) != self.length:
            raise PdfStreamError("Stream ended inside a stream payload")
        return bytes(data)


def _lazy_payload(stream: Any, data: Any, handler: Any) -> Any:
    pos = stream.tell()
    try:
        if read_non_whitespace(stream, allow_eof=True) != b"s" or stream.read(5) != b"tream":
            raise LookupError
        skip_over_whitespace(stream, stop_after_eol=True)
        length = data[generic.pdf_name("/Length")]
        if isinstance(length, generic.IndirectObject):
            here = stream.tell()
            length = handler.get_object(length)
            stream.seek(here)
        if not isinstance(length, int) or length < LAZY_THRESHOLD:
            raise LookupError
        start = stream.tell()
        stream.seek(start + length)
        if read_non_whitespace(stream) + stream.read(8) != b"endstream":
            raise LookupError
        return _LazyPayload(stream, start, length)
    except Exception:
        stream.seek(pos)
        return _ORIGINAL_PAYLOAD(stream, data, handler)


def _get_encoded(self: Any) -> Any:
    value = self.__dict__.get("_eauth_encoded_data")
    return value.read() if isinstance(value, _LazyPayload) else value


def _set_encoded(self: Any, value: Any) -> None:
    self.__dict__["_eauth_encoded_data"] = value


_ORIGINAL_SUBSUME = HistoricalResolver._subsume_object


def _subsume(self: Any, obj: Any) -> Any:
    """A revision's copy of a lazy stream stays lazy (pyHanko copies the payload otherwise)."""
    lazy = obj.__dict__.get("_eauth_encoded_data") if type(obj) is generic.StreamObject else None
    if not isinstance(lazy, _LazyPayload):
        return _ORIGINAL_SUBSUME(self, obj)
    obj.__dict__["_eauth_encoded_data"] = b""
    try:
        result = _ORIGINAL_SUBSUME(self, obj)
    finally:
        obj.__dict__["_eauth_encoded_data"] = lazy
    result.__dict__["_eauth_encoded_data"] = lazy
    return result


def install() -> None:
    """Put every speed-up in place (idempotent)."""
    generic.read_hex_string_from_stream = _read_hex_string
    x509.Name.hashable = property(_cached_hashable)  # type: ignore[method-assign,assignment]
    x509.Name.__eq__ = _cached_name_eq  # type: ignore[method-assign,assignment]
    generic_cms._grab_signing_cert_attr = _grab_as_written
    generic._maybe_read_stream_payload = _lazy_payload
    generic.NameObject.read_from_stream = staticmethod(_read_name)  # type: ignore[method-assign]
    setattr(generic.StreamObject, "_encoded_data", property(_get_encoded, _set_encoded))  # noqa: B010
    HistoricalResolver._subsume_object = _subsume  # type: ignore[method-assign]


def uninstall() -> None:
    """Back to the libraries' own code (the benchmark measures plain pyHanko this way)."""
    generic.read_hex_string_from_stream = _ORIGINAL
    x509.Name.hashable = _ORIGINAL_HASHABLE  # type: ignore[method-assign]
    x509.Name.__eq__ = _ORIGINAL_NAME_EQ  # type: ignore[method-assign]
    generic_cms._grab_signing_cert_attr = _ORIGINAL_GRAB
    generic._maybe_read_stream_payload = _ORIGINAL_PAYLOAD
    generic.NameObject.read_from_stream = _ORIGINAL_NAME_READ  # type: ignore[method-assign]
    HistoricalResolver._subsume_object = _ORIGINAL_SUBSUME  # type: ignore[method-assign]
    if isinstance(generic.StreamObject.__dict__.get("_encoded_data"), property):
        delattr(generic.StreamObject, "_encoded_data")  # noqa: B043


_LOCK = threading.Lock()
_ACTIVE = 0


@contextmanager
def applied() -> Iterator[None]:
    """Apply the speed-ups for the duration of the block (nested and concurrent blocks share
    them; the originals come back when the last one ends)."""
    global _ACTIVE
    with _LOCK:
        if _ACTIVE == 0:
            install()
        _ACTIVE += 1
    try:
        yield
    finally:
        with _LOCK:
            _ACTIVE -= 1
            if _ACTIVE == 0:
                uninstall()
