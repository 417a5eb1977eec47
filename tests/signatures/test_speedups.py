"""Each speed-up gives what the library function it replaces gives (property-based), and the
speed-ups are in place only while one of our validations runs."""

from __future__ import annotations

import io
from typing import Any

import pytest
from asn1crypto import x509
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import HistoricalResolver, PdfFileReader
from pyhanko.sign.validation import generic_cms

from eauth_toolkit.signatures import _speedups
from eauth_toolkit.signatures.api import verify
from eauth_toolkit.signatures.pades import ValidationOptions
from tests.signatures.conftest import Signed

_HEXISH = st.lists(
    st.sampled_from(list(b"0123456789abcdefABCDEF \n\r\t\x00\x0c") + list(b"gz%<")), max_size=300
).map(bytes)


def _outcome(fn: Any, *args: Any) -> Any:
    try:
        return ("ok", fn(*args))
    except Exception as exc:
        return ("error", type(exc).__name__)


def _hex_with(reader: Any, body: bytes, tail: bytes) -> Any:
    stream = io.BytesIO(b"<" + body + tail)
    out = _outcome(reader, stream)
    return out, stream.tell() if out[0] == "ok" else None


@settings(max_examples=300, deadline=None)
@given(body=_HEXISH, closed=st.booleans())
def test_hex_string_reader_matches_pyhanko(body: bytes, closed: bool) -> None:
    tail = b"> rest" if closed else b""
    assert _hex_with(_speedups._read_hex_string, body, tail) == _hex_with(
        _speedups._ORIGINAL, body, tail
    )


_NAMEISH = st.lists(
    st.sampled_from(list(b"AZaz09#2F/ ()<>[]{}%\n\x00~!\x7f\xe9") + [ord("T")] * 8), max_size=200
).map(bytes)


def _name_with(reader: Any, data: bytes) -> Any:
    stream = io.BytesIO(data)
    out = _outcome(reader, stream)
    if out[0] == "ok":
        out = ("ok", type(out[1]).__name__, str(out[1]))
    return out, stream.tell()


@settings(max_examples=500, deadline=None)
@given(body=_NAMEISH, slash=st.booleans())
def test_name_reader_matches_pyhanko(body: bytes, slash: bool) -> None:
    data = (b"/" if slash else b"") + body
    original = _speedups._ORIGINAL_NAME_READ.__func__
    assert _name_with(_speedups._read_name, data) == _name_with(original, data)


_NAMES = st.dictionaries(
    st.sampled_from(["common_name", "organization_name", "country_name", "locality_name"]),
    st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=0x2FF), min_size=1, max_size=20),
    min_size=1,
)


@settings(max_examples=200, deadline=None)
@given(attrs=_NAMES)
def test_name_cache_matches_asn1crypto(attrs: dict[str, str]) -> None:
    if "country_name" in attrs:
        attrs["country_name"] = "MY" if attrs["country_name"] < "m" else "SG"
    name = x509.Name.build(attrs)
    expected = _outcome(_speedups._ORIGINAL_HASHABLE.fget, name)  # type: ignore[attr-defined]
    assert _outcome(_speedups._cached_hashable, name) == expected
    # a second, equal name is answered from the cache
    assert _outcome(_speedups._cached_hashable, x509.Name.load(name.dump())) == expected


_NAME_TEXT = st.sampled_from(["Aminah", "aminah", " AMINAH ", "Lim  Wei", "lim wei", "MY", "SG"])


@settings(max_examples=300, deadline=None)
@given(
    a=st.dictionaries(
        st.sampled_from(["common_name", "organization_name"]), _NAME_TEXT, min_size=1
    ),
    b=st.dictionaries(
        st.sampled_from(["common_name", "organization_name"]), _NAME_TEXT, min_size=1
    ),
    printable=st.booleans(),
)
def test_name_equality_cache_matches_asn1crypto(
    a: dict[str, str], b: dict[str, str], printable: bool
) -> None:
    left = x509.Name.build(a, use_printable=printable)
    right = x509.Name.build(b)
    expected = _outcome(_speedups._ORIGINAL_NAME_EQ, left, right)
    assert _outcome(_speedups._cached_name_eq, left, right) == expected
    # answered again from the cache, for freshly parsed copies too
    again = _speedups._cached_name_eq(x509.Name.load(left.dump()), x509.Name.load(right.dump()))
    assert ("ok", again) == expected
    assert _outcome(_speedups._cached_name_eq, left, "not a name") == ("ok", False)


def _signing_cert_attrs(draw: Any) -> bytes:
    from asn1crypto import cms, tsp

    digest = draw(st.binary(min_size=20, max_size=64))
    issuer = draw(st.text(alphabet="abcdefgh ", min_size=1, max_size=60))
    attrs = [{"type": "content_type", "values": ["data"]}]
    for kind in draw(st.lists(st.sampled_from(["v1", "v2", "v2"]), max_size=3)):
        serial = {
            "issuer": [
                x509.GeneralName({"directory_name": x509.Name.build({"common_name": issuer})})
            ],
            "serial_number": draw(st.integers(min_value=1, max_value=1 << 64)),
        }
        with_serial = draw(st.booleans())
        if kind == "v2":
            certid: dict[str, Any] = {
                "hash_algorithm": {"algorithm": "sha256"},
                "cert_hash": digest,
            }
            if with_serial:
                certid["issuer_serial"] = serial
            value: Any = tsp.SigningCertificateV2({"certs": [certid]})
        else:
            certid = {"cert_hash": digest[:20]}
            if with_serial:
                certid["issuer_serial"] = serial
            value = tsp.SigningCertificate({"certs": [certid]})
        copies = draw(st.integers(min_value=1, max_value=2))
        attrs.append(
            {
                "type": f"signing_certificate{'_v2' if kind == 'v2' else ''}",
                "values": [value] * copies,
            }
        )
    return cms.CMSAttributes(attrs).dump()


def _grab(fn: Any, signed_attrs: Any, v2: bool) -> Any:
    out = _outcome(fn, signed_attrs, v2)
    return (out[0], out[1].dump() if out[0] == "ok" and out[1] is not None else out[1])


@settings(max_examples=300, deadline=None)
@given(data=st.data(), v2=st.booleans())
def test_signing_certificate_attribute_lookup_matches_pyhanko(data: Any, v2: bool) -> None:
    from asn1crypto import cms

    written = data.draw(st.composite(_signing_cert_attrs)())
    attrs = cms.CMSAttributes.load(written)
    expected = _grab(_speedups._ORIGINAL_GRAB, cms.CMSAttributes.load(written), v2)
    assert _grab(_speedups._grab_as_written, attrs, v2) == expected
    # and the signed attributes are left as they were written
    assert not attrs._is_mutated()


def test_signing_certificate_of_128_bytes_leaves_the_signed_attributes_untouched() -> None:
    from asn1crypto import cms, tsp

    for size in range(1, 120):
        value = tsp.SigningCertificateV2(
            {
                "certs": [
                    {
                        "hash_algorithm": {"algorithm": "sha256"},
                        "cert_hash": b"\x01" * 32,
                        "issuer_serial": {
                            "issuer": [
                                x509.GeneralName(
                                    {"directory_name": x509.Name.build({"common_name": "n" * size})}
                                )
                            ],
                            "serial_number": 4096,
                        },
                    }
                ]
            }
        )
        if value.dump()[:3] == b"\x30\x81\x80":
            break
    else:
        raise AssertionError("no size gives a 128-byte attribute")
    written = cms.CMSAttributes([{"type": "signing_certificate_v2", "values": [value]}]).dump()
    plain, fast = cms.CMSAttributes.load(written), cms.CMSAttributes.load(written)
    assert _grab(_speedups._ORIGINAL_GRAB, plain, True) == _grab(
        _speedups._grab_as_written, fast, True
    )
    assert plain._is_mutated()  # pyHanko's own lookup: the quirk marks them changed
    assert not fast._is_mutated() and fast.dump() == written


def _parse(data: bytes) -> Any:
    stream = io.BytesIO(data)
    obj = generic.read_object(stream, generic.Reference(1, 0, None))  # type: ignore[arg-type]
    return obj.encoded_data if isinstance(obj, generic.StreamObject) else obj


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    payload=st.binary(min_size=0, max_size=400),
    length_delta=st.integers(min_value=-3, max_value=3),
    keyword=st.sampled_from([b"endstream", b"endstrem", b""]),
)
def test_lazy_stream_payload_matches_pyhanko(
    monkeypatch: pytest.MonkeyPatch, payload: bytes, length_delta: int, keyword: bytes
) -> None:
    monkeypatch.setattr(_speedups, "LAZY_THRESHOLD", 1)
    length = max(0, len(payload) + length_delta)
    data = b"<< /Length %d >>\nstream\n" % length + payload + b"\n" + keyword + b"\n"
    plain = _outcome(_parse, data)
    with _speedups.applied():
        fast = _outcome(_parse, data)
    assert fast == plain


def test_revision_copies_of_lazy_streams_read_the_same(
    monkeypatch: pytest.MonkeyPatch, signed: Signed
) -> None:
    data = signed.data("my-signer-qc", "B-LTA")

    def streams() -> list[bytes]:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        out = []
        for rev in range(reader.xrefs.total_revisions):
            hist = reader.get_historical_resolver(rev)
            for ref in sorted(reader.xrefs.explicit_refs_in_revision(rev), key=lambda r: r.idnum):
                obj = hist(ref)
                if isinstance(obj, generic.StreamObject):
                    out.append(obj.data)
        return out

    plain = streams()
    monkeypatch.setattr(_speedups, "LAZY_THRESHOLD", 16)
    with _speedups.applied():
        fast = streams()
    assert fast == plain and plain


def test_libraries_untouched_outside_our_validations(
    signed: Signed, offline: ValidationOptions
) -> None:
    originals = (
        generic.read_hex_string_from_stream,
        generic.NameObject.__dict__["read_from_stream"],
        x509.Name.__dict__["hashable"],
        x509.Name.__dict__["__eq__"],
        generic_cms._grab_signing_cert_attr,
        generic._maybe_read_stream_payload,
        HistoricalResolver._subsume_object,
    )
    assert "_encoded_data" not in generic.StreamObject.__dict__
    assert verify(signed.data("my-signer-qc", "B-LT"), offline, name="x.pdf").all_passed
    after = (
        generic.read_hex_string_from_stream,
        generic.NameObject.__dict__["read_from_stream"],
        x509.Name.__dict__["hashable"],
        x509.Name.__dict__["__eq__"],
        generic_cms._grab_signing_cert_attr,
        generic._maybe_read_stream_payload,
        HistoricalResolver._subsume_object,
    )
    assert after == originals
    assert "_encoded_data" not in generic.StreamObject.__dict__
    with _speedups.applied(), _speedups.applied():
        assert generic.read_hex_string_from_stream is _speedups._read_hex_string
    assert generic.read_hex_string_from_stream is originals[0]
