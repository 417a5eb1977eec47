"""ASiC containers (ETSI EN 319 162-1): ASiC-S and ASiC-E with CAdES, XAdES or JAdES signatures.

``.asics``/``.scs``, ``.asice``/``.sce`` and ``.bdoc`` files are ZIP archives with a ``mimetype``
entry (``application/vnd.etsi.asic-s+zip`` or ``application/vnd.etsi.asic-e+zip``) and the
signatures under ``META-INF/``:

- ASiC-S: one data object at the root, signed by ``META-INF/signature.p7s`` (detached CAdES) or
  ``META-INF/signatures.xml`` (XAdES);
- ASiC-E with XAdES: ``META-INF/*signatures*.xml``, each ``ds:Reference`` naming a file of the
  container by its path;
- ASiC-E with CAdES: ``META-INF/signature*.p7s``, each signing an ``ASiCManifest*.xml`` that
  lists the data objects with their digests;
- JAdES (ASiC-S or ASiC-E): ``META-INF/*signature*.json``, a detached JWS over the one data
  object, or one whose ``sigD`` names the data objects by their path.

Every signature gets a verdict, its ``coverage`` names the data objects it signs, and the report's
notes list the files that no signature covers. The archive is read in memory and never extracted;
entry count and sizes are bounded.
"""

from __future__ import annotations

import base64
import hashlib
import io
import zipfile
from pathlib import Path
from urllib.parse import unquote

from eauth_toolkit.signatures.models import FileReport
from eauth_toolkit.signatures.other_formats import Check, finish, read_source
from eauth_toolkit.signatures.pades import ValidationOptions

__all__ = ["ContainerData", "validate_asic"]

ASIC_S = "application/vnd.etsi.asic-s+zip"
ASIC_E = "application/vnd.etsi.asic-e+zip"
_ASIC_NS = "http://uri.etsi.org/02918/v1.2.1#"
_DS = "http://www.w3.org/2000/09/xmldsig#"
_MAX_ENTRIES = 10_000
_MAX_TOTAL = 1 << 30  # 1 GiB uncompressed
_DIGESTS = {
    "http://www.w3.org/2000/09/xmldsig#sha1": "sha1",
    "http://www.w3.org/2001/04/xmldsig-more#sha224": "sha224",
    "http://www.w3.org/2001/04/xmlenc#sha256": "sha256",
    "http://www.w3.org/2001/04/xmldsig-more#sha384": "sha384",
    "http://www.w3.org/2001/04/xmlenc#sha512": "sha512",
}


class ContainerData(dict[str, bytes]):
    """The files of a container: references must name them exactly (no single-file fallback)."""

    strict = True


class AsicError(ValueError):
    pass


def _read_zip(raw: bytes) -> dict[str, bytes]:
    try:
        zf = zipfile.ZipFile(io.BytesIO(raw))
    except zipfile.BadZipFile as exc:
        raise AsicError(f"not a ZIP archive ({exc})") from exc
    infos = zf.infolist()
    if len(infos) > _MAX_ENTRIES:
        raise AsicError(f"more than {_MAX_ENTRIES} entries")
    if sum(i.file_size for i in infos) > _MAX_TOTAL:
        raise AsicError("the entries would take more than 1 GiB uncompressed")
    files: dict[str, bytes] = {}
    for info in infos:
        if info.is_dir():
            continue
        if info.filename in files:
            raise AsicError(f"the entry {info.filename} appears twice")
        try:
            files[info.filename] = zf.read(info)
        # zipfile's own refusals: a damaged entry, an encrypted one (RuntimeError), a compression
        # method it does not support (NotImplementedError)
        except (zipfile.BadZipFile, RuntimeError, NotImplementedError) as exc:
            raise AsicError(f"the entry {info.filename} cannot be read ({exc})") from exc
    return files


def _manifest_refs(manifest: bytes, files: dict[str, bytes], check: Check, name: str) -> list[str]:
    """Check the data objects an ASiCManifest lists; return their names."""
    from eauth_toolkit.signatures.xades import XmlFormatError, parse_xml

    try:
        root = parse_xml(manifest)
    except XmlFormatError as exc:
        check.fail("TOTAL-FAILED", "FORMAT_FAILURE", f"{name}: {exc}", intact=False)
        return []
    covered = []
    for ref in root.iter(f"{{{_ASIC_NS}}}DataObjectReference"):
        uri = unquote(ref.get("URI") or "")
        method = ref.find(f"{{{_DS}}}DigestMethod")
        value = ref.findtext(f"{{{_DS}}}DigestValue")
        alg = _DIGESTS.get("" if method is None else method.get("Algorithm") or "")
        if alg is None or not value:
            check.fail(
                "TOTAL-FAILED",
                "FORMAT_FAILURE",
                f"{name}: {uri} has no usable digest",
                intact=False,
            )
            continue
        check.algorithms.append((alg, None))
        content = files.get(uri)
        if content is None:
            check.fail(
                "INDETERMINATE",
                "SIGNED_DATA_NOT_FOUND",
                f"{name} lists {uri}, which is not in the container",
            )
            continue
        if hashlib.new(alg, content).digest() != base64.b64decode("".join(value.split())):
            check.fail(
                "TOTAL-FAILED",
                "HASH_FAILURE",
                f"{uri} does not match its digest in {name}",
                intact=False,
            )
        covered.append(uri)
    return covered


async def _cades_signatures(
    files: dict[str, bytes], kind: str, options: ValidationOptions, data_names: list[str]
) -> tuple[list[Check], set[str], list[str]]:
    from eauth_toolkit.signatures.cades import cms_checks

    checks: list[Check] = []
    covered: set[str] = set()
    notes: list[str] = []
    sig_files = sorted(n for n in files if n.startswith("META-INF/") and n.lower().endswith(".p7s"))
    manifests = {
        n: files[n]
        for n in files
        if n.startswith("META-INF/") and "asicmanifest" in n.lower() and n.lower().endswith(".xml")
    }
    for sig_name in sig_files:
        manifest_name = None
        for m_name, m in manifests.items():
            if (
                f'URI="{sig_name.removeprefix("META-INF/")}"'.encode() in m
                or f'URI="{sig_name}"'.encode() in m
            ):
                manifest_name = m_name
        if manifest_name is None and kind == "ASiC-S" and len(data_names) == 1:
            target_name, content = data_names[0], files[data_names[0]]
        elif manifest_name is not None:
            target_name, content = manifest_name, manifests[manifest_name]
        else:
            c = Check(label=sig_name)
            c.fail("INDETERMINATE", "SIGNED_DATA_NOT_FOUND", "no ASiCManifest names this signature")
            checks.append(c)
            continue
        try:
            found, _ = await cms_checks(
                files[sig_name], options, content=content, content_name=target_name
            )
        except ValueError as exc:
            c = Check(label=sig_name)
            c.fail("TOTAL-FAILED", "FORMAT_FAILURE", f"{sig_name}: {exc}", intact=False)
            checks.append(c)
            continue
        for c in found:
            c.label = sig_name if c.label is None else f"{sig_name}: {c.label}"
            if manifest_name is not None:
                objects = _manifest_refs(manifests[manifest_name], files, c, manifest_name)
                covered.update(objects)
                c.coverage = ", ".join(objects) or None
            else:
                covered.add(target_name)
                c.coverage = target_name
            checks.append(c)
    return checks, covered, notes


async def _xades_signatures(
    files: dict[str, bytes], options: ValidationOptions
) -> tuple[list[Check], set[str]]:
    from eauth_toolkit.signatures.xades import XmlFormatError, parse_xml, xml_checks

    checks: list[Check] = []
    covered: set[str] = set()
    data = ContainerData({n: b for n, b in files.items() if not n.startswith("META-INF/")})
    for sig_name in sorted(
        n
        for n in files
        if n.startswith("META-INF/") and "signatures" in n.lower() and n.lower().endswith(".xml")
    ):
        try:
            root = parse_xml(files[sig_name])
        except XmlFormatError as exc:
            c = Check(label=sig_name)
            c.fail("TOTAL-FAILED", "FORMAT_FAILURE", str(exc), intact=False)
            checks.append(c)
            continue
        for c in await xml_checks(root, options, data):
            c.label = f"{sig_name}: {c.label}"
            checks.append(c)
        for ref in root.iter(f"{{{_DS}}}Reference"):
            uri = ref.get("URI") or ""
            if uri and not uri.startswith("#"):
                covered.add(unquote(uri))
    return checks, covered


async def _jades_signatures(
    files: dict[str, bytes], options: ValidationOptions
) -> tuple[list[Check], set[str]]:
    """JAdES signatures (``META-INF/*signature*.json``): a detached JWS over the one data
    object (ASiC-S), or one whose ``sigD`` names the data objects by path (ASiC-E)."""
    from eauth_toolkit.signatures.jades import JadesFormatError, jws_checks, jws_members

    checks: list[Check] = []
    covered: set[str] = set()
    data = ContainerData({n: b for n, b in files.items() if not n.startswith("META-INF/")})
    data.pop("mimetype", None)
    for sig_name in sorted(
        n
        for n in files
        if n.startswith("META-INF/") and "signature" in n.lower() and n.lower().endswith(".json")
    ):
        try:
            members, _ = jws_members(files[sig_name])
        except (JadesFormatError, UnicodeDecodeError) as exc:
            c = Check(label=sig_name)
            c.fail("TOTAL-FAILED", "FORMAT_FAILURE", f"{sig_name}: not a JWS ({exc})", intact=False)
            checks.append(c)
            continue
        for c in await jws_checks(members, options, data):
            c.label = sig_name if c.label is None else f"{sig_name}: {c.label}"
            names = [
                part.removeprefix("detached file ")
                for part in (c.coverage or "").split(", ")
                if part.startswith("detached file ")
            ]
            covered.update(names)
            if names:
                c.coverage = ", ".join(names)
            checks.append(c)
    return checks, covered


async def _time_stamps(
    files: dict[str, bytes], data_names: list[str], options: ValidationOptions
) -> list[str]:
    """Notes on ``META-INF/timestamp.tst`` tokens over the data object (ASiC-S, time-stamped)."""
    from eauth_toolkit.signatures.other_formats import check_timestamp

    notes = []
    for tst in sorted(n for n in files if n.startswith("META-INF/") and n.lower().endswith(".tst")):
        if len(data_names) != 1:
            notes.append(f"{tst}: a time stamp, but not over exactly one data object")
            continue
        outcome = await check_timestamp(
            files[tst], files[data_names[0]], options, what=f"time stamp {tst}"
        )
        when = f" of {outcome.time:%Y-%m-%d %H:%M:%SZ}" if outcome.time else ""
        if outcome.ok:
            notes.append(f"{tst}: a valid time stamp{when} over {data_names[0]}; no signature")
        else:
            notes.append(f"{tst}: {outcome.reason}; no signature")
    return notes


async def validate_asic(
    source: Path | bytes, options: ValidationOptions, *, name: str
) -> FileReport:
    raw = read_source(source)
    try:
        files = _read_zip(raw)
    except AsicError as exc:
        return FileReport(file=name, format=None, error=f"cannot read: {exc}")
    mimetype = files.get("mimetype", b"").decode("ascii", errors="replace").strip()
    data_names = sorted(n for n in files if n != "mimetype" and not n.startswith("META-INF/"))
    if mimetype == ASIC_S:
        kind = "ASiC-S"
    elif mimetype == ASIC_E:
        kind = "ASiC-E"
    elif not mimetype and any(n.startswith("META-INF/") for n in files):
        kind = "ASiC-S" if len(data_names) == 1 else "ASiC-E"
    else:
        return FileReport(
            file=name,
            format=None,
            error=f"cannot read: a ZIP archive, not an ASiC container (mimetype {mimetype or 'missing'})",
        )
    notes = [
        f"{kind} container ({mimetype or 'no mimetype entry'}), {len(data_names)} data object(s)"
    ]
    if kind == "ASiC-S" and len(data_names) != 1:
        notes.append(
            f"an ASiC-S container should hold one data object, this one holds {len(data_names)}"
        )
    c_checks, c_cov, c_notes = await _cades_signatures(files, kind, options, data_names)
    x_checks, x_cov = await _xades_signatures(files, options)
    j_checks, j_cov = await _jades_signatures(files, options)
    checks = c_checks + x_checks + j_checks
    notes += c_notes
    if not checks:
        stamps = await _time_stamps(files, data_names, options)
        if stamps:  # a time-stamped ASiC-S: no signature, the time stamp is what it carries
            return FileReport(file=name, format=None, notes=notes + stamps)
        return FileReport(
            file=name, format=None, error=f"cannot read: an {kind} container without any signature"
        )
    uncovered = [n for n in data_names if n not in c_cov | x_cov | j_cov]
    for n in uncovered:
        notes.append(f"{n} is not covered by any signature")
    for c in checks:
        mine = set((c.coverage or "").split(", "))
        others = [n for n in data_names if n not in mine and f"detached file {n}" not in mine]
        if others and c.intact:
            c.warnings.append(f"this signature does not cover: {', '.join(others)}")
    kinds = [
        f for f, found in (("CAdES", c_checks), ("XAdES", x_checks), ("JAdES", j_checks)) if found
    ]
    fmt = kinds[0] if len(kinds) == 1 else "CAdES"
    return await finish(checks, options, name=name, fmt=fmt, notes=notes)
