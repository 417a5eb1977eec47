"""Sample documents for the sandbox: a one-page PDF with a text field, optionally padded.

The padding is an unused, incompressible stream so a sample can have a realistic size (100 KB,
5 MB, 200 MB) without depending on outside files. All objects are built with pyHanko's writer.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.writer import PdfFileWriter

__all__ = ["sample_pdf", "write_sample_pdf"]

_PAGE_TEXT = (
    b"BT /F1 16 Tf 72 760 Td (SANDBOX sample contract - eauth-toolkit) Tj ET\n"
    b"BT /F1 11 Tf 72 730 Td (Amount due: 1,000.00 MYR. Not a real document.) Tj ET\n"
    b"BT /F1 11 Tf 72 690 Td (Remarks:) Tj ET\n"
)


def _build(writer: PdfFileWriter, *, text: str, field_value: str, padding: int) -> None:
    font = writer.add_object(
        generic.DictionaryObject(
            {
                generic.pdf_name("/Type"): generic.pdf_name("/Font"),
                generic.pdf_name("/Subtype"): generic.pdf_name("/Type1"),
                generic.pdf_name("/BaseFont"): generic.pdf_name("/Helvetica"),
            }
        )
    )
    resources = generic.DictionaryObject(
        {generic.pdf_name("/Font"): generic.DictionaryObject({generic.pdf_name("/F1"): font})}
    )
    body = _PAGE_TEXT + f"BT /F1 11 Tf 72 710 Td ({_pdf_text(text)}) Tj ET\n".encode("latin-1")
    content = writer.add_object(generic.StreamObject(stream_data=body))
    page = generic.DictionaryObject(
        {
            generic.pdf_name("/Type"): generic.pdf_name("/Page"),
            generic.pdf_name("/MediaBox"): generic.ArrayObject(
                [generic.NumberObject(n) for n in (0, 0, 595, 842)]
            ),
            generic.pdf_name("/Resources"): resources,
            generic.pdf_name("/Contents"): content,
        }
    )
    if padding > 0:
        # random bytes do not compress, so the file really has this size
        blob = writer.add_object(generic.StreamObject(stream_data=os.urandom(padding)))
        page[generic.pdf_name("/PieceInfo")] = generic.DictionaryObject(
            {
                generic.pdf_name("/EauthPadding"): generic.DictionaryObject(
                    {generic.pdf_name("/Private"): blob}
                )
            }
        )
    page_ref = writer.insert_page(page)
    appearance = writer.add_object(
        generic.StreamObject(
            {
                generic.pdf_name("/Type"): generic.pdf_name("/XObject"),
                generic.pdf_name("/Subtype"): generic.pdf_name("/Form"),
                generic.pdf_name("/BBox"): generic.ArrayObject(
                    [generic.NumberObject(n) for n in (0, 0, 300, 20)]
                ),
                generic.pdf_name("/Resources"): resources,
            },
            stream_data=f"BT /F1 11 Tf 2 6 Td ({_pdf_text(field_value)}) Tj ET".encode("latin-1"),
        )
    )
    field = writer.add_object(
        generic.DictionaryObject(
            {
                generic.pdf_name("/FT"): generic.pdf_name("/Tx"),
                generic.pdf_name("/T"): generic.pdf_string("remarks"),
                generic.pdf_name("/V"): generic.pdf_string(field_value),
                generic.pdf_name("/DA"): generic.pdf_string("/F1 11 Tf 0 g"),
                generic.pdf_name("/Type"): generic.pdf_name("/Annot"),
                generic.pdf_name("/Subtype"): generic.pdf_name("/Widget"),
                generic.pdf_name("/Rect"): generic.ArrayObject(
                    [generic.NumberObject(n) for n in (130, 684, 430, 704)]
                ),
                generic.pdf_name("/F"): generic.NumberObject(4),
                generic.pdf_name("/P"): page_ref,
                generic.pdf_name("/AP"): generic.DictionaryObject(
                    {generic.pdf_name("/N"): appearance}
                ),
            }
        )
    )
    page_obj = page_ref.get_object()
    page_obj[generic.pdf_name("/Annots")] = generic.ArrayObject([field])
    writer.root[generic.pdf_name("/AcroForm")] = generic.DictionaryObject(
        {
            generic.pdf_name("/Fields"): generic.ArrayObject([field]),
            generic.pdf_name("/DR"): resources,
            generic.pdf_name("/DA"): generic.pdf_string("/F1 11 Tf 0 g"),
        }
    )


def _pdf_text(value: str) -> str:
    return value.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def sample_pdf(
    *, text: str = "Signed in the eauth-toolkit sandbox.", field_value: str = "none", size: int = 0
) -> bytes:
    """A one-page SANDBOX PDF with a ``remarks`` text field; ``size`` pads it to about that many bytes."""
    writer = PdfFileWriter()
    _build(writer, text=text, field_value=field_value, padding=max(0, size - 2500))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def write_sample_pdf(path: Path, *, size: int = 0, **kwargs: str) -> Path:
    """Write :func:`sample_pdf` to ``path`` (streamed for large sizes)."""
    writer = PdfFileWriter()
    _build(
        writer,
        text=kwargs.get("text", "Signed in the eauth-toolkit sandbox."),
        field_value=kwargs.get("field_value", "none"),
        padding=max(0, size - 2500),
    )
    with open(path, "wb") as fh:
        writer.write(fh)
    return path
