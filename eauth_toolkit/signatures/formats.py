"""Format detection from content: what a file *is*, not what it contains somewhere.

A CMS object is recognised by its ASN.1 structure (a SEQUENCE, DER or BER, holding the
signed-data content type) before anything else, so a CMS that carries a PDF is a CMS; a PDF
starts with ``%PDF-`` (allowing the junk before it that readers tolerate, but not inside another
structure); XML is recognised in any encoding XML allows (byte-order marks, UTF-16); a ZIP with
an ASiC ``mimetype`` or ``META-INF/`` entry is an ASiC container.
"""

from __future__ import annotations

import base64

__all__ = ["sniff"]

#: DER of the OID 1.2.840.113549.1.7.2 (id-signedData)
_SIGNED_DATA_OID = bytes.fromhex("06092a864886f70d010702")


def _is_cms(head: bytes) -> bool:
    if head[:1] != b"\x30" or len(head) < 4:
        return False
    # after the outer SEQUENCE header the first element is the content type OID
    n = head[1]
    offset = 2 if n < 0x80 else 2 + (n & 0x7F)  # 0x80: BER indefinite length, no length octets
    return head[offset : offset + len(_SIGNED_DATA_OID)] == _SIGNED_DATA_OID


def _is_b64_cms(stripped: bytes) -> bool:
    if not stripped.startswith(b"MI"):
        return False
    chunk = b"".join(stripped[:64].split())
    chunk = chunk[: len(chunk) - len(chunk) % 4]
    try:
        return _is_cms(base64.b64decode(chunk))
    except ValueError:
        return False


def _xml_text(head: bytes) -> bytes | None:
    """``head`` as UTF-8 bytes when it looks like XML in some encoding, else None."""
    for bom, codec in (
        (b"\xef\xbb\xbf", "utf-8"),
        (b"\xff\xfe", "utf-16-le"),
        (b"\xfe\xff", "utf-16-be"),
    ):
        if head.startswith(bom):
            return head[len(bom) :].decode(codec, errors="ignore").encode()
    if head.startswith(b"<\x00"):
        return head.decode("utf-16-le", errors="ignore").encode()
    if head.startswith(b"\x00<"):
        return head.decode("utf-16-be", errors="ignore").encode()
    return head


def sniff(head: bytes) -> str | None:
    """``PAdES``, ``CAdES``, ``JAdES``, ``XAdES``, ``ASiC`` or None for the first KiB of a file."""
    if _is_cms(head):
        return "CAdES"
    if head.startswith(b"PK\x03\x04"):
        return "ASiC"
    text = _xml_text(head) or b""
    stripped = text.lstrip()
    if stripped.startswith(b"%PDF-"):
        return "PAdES"
    if stripped.startswith(b"<"):
        return "XAdES"
    if stripped.startswith(b"{") or stripped.startswith(b"ey"):
        return "JAdES"
    if stripped.startswith(b"-----BEGIN PKCS7") or stripped.startswith(b"-----BEGIN CMS"):
        return "CAdES"
    if _is_b64_cms(stripped):
        return "CAdES"
    if b"%PDF-" in head[:1024]:
        return "PAdES"  # a PDF with bytes before its header, which PDF readers accept
    if head[:1] == b"\x30":
        return "CAdES"  # some other DER: the CMS reader says what is wrong with it
    return None
