"""A disk cache of pyHanko's reading of trust lists, so that a command does not load pyHanko's
TS 119 612 parser (generated XML bindings, the largest part of ``eauth sig verify``'s start-up)
nor parse again a list it has already read.

What is cached is only the result of ``trust_list_to_registry_unsafe`` (the ``TSPRegistry`` used
for the qualification check), keyed by the SHA-256 of the signed XML it was read from and by the
pyHanko version. The list's XML signature is still verified every time the list is loaded, and
everything else (services, statuses, anchors) is still read from the verified XML; a cache entry
is only looked up for bytes whose signature has just verified.

Entries are files ``<sha256>.pickle`` in the folder given to :func:`use_folder` (the CLI uses
``cache/trust-lists/`` in the user data folder, with a subfolder per pyHanko version); without a
folder nothing is cached. An entry holds the registry's service descriptions (certificates as
their DER encoding) and is read with an unpickler that builds only those types (pyHanko's service
descriptions, ASN.1 values, dates and sets), never anything else; the registry is then rebuilt
with pyHanko's own ``register_ca``/``register_tst``. An entry that cannot be read is parsed again
and replaced. Writing is best effort: a read-only or
full folder leaves the validation unchanged.
"""

from __future__ import annotations

import hashlib
import importlib
import io
import logging
import os
import pickle
import tempfile
from pathlib import Path
from typing import Any

from asn1crypto.core import Asn1Value
from pyhanko.sign.validation.qualified import tsp
from pyhanko.sign.validation.qualified.tsp import TSPRegistry
from pyhanko.version import __version__ as _PYHANKO_VERSION

__all__ = ["cache_folder", "registry_for", "use_exact_folder", "use_folder"]

log = logging.getLogger("eauth_toolkit.signatures")

_FOLDER: list[Path] = []


def use_folder(folder: Path | None) -> None:
    """Cache in ``folder`` (made when first written); None: no disk cache."""
    _FOLDER.clear()
    if folder is not None:
        _FOLDER.append(Path(folder) / f"pyhanko-{_PYHANKO_VERSION}")


def cache_folder() -> Path | None:
    """The folder entries are kept in (None: no disk cache)."""
    return _FOLDER[0] if _FOLDER else None


def use_exact_folder(folder: Path | None) -> None:
    """Use a folder :func:`cache_folder` returned (e.g. in a worker process started afresh)."""
    _FOLDER[:] = [] if folder is None else [Path(folder)]


_PLAIN = {
    ("builtins", "set"),
    ("builtins", "frozenset"),
    ("datetime", "datetime"),
    ("datetime", "timedelta"),
    ("datetime", "timezone"),
}


def _asn1(module: str, name: str, der: bytes) -> Asn1Value:
    """An asn1crypto value from its encoding (how certificates are kept in an entry)."""
    cls = _asn1_class(module, name)
    return cls.load(der)


def _asn1_class(module: str, name: str) -> type[Asn1Value]:
    if module.startswith("asn1crypto."):
        found = getattr(importlib.import_module(module), name, None)
        if isinstance(found, type) and issubclass(found, Asn1Value):
            return found
    raise pickle.UnpicklingError(f"{module}.{name} is not an ASN.1 type")


class _RegistryPickler(pickle.Pickler):
    """ASN.1 values are written as their encoding (``_asn1``), not as asn1crypto's inner state."""

    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, Asn1Value):
            cls = type(obj)
            return _asn1, (cls.__module__, cls.__qualname__, obj.dump())
        return NotImplemented


class _RegistryUnpickler(pickle.Unpickler):
    """Builds only the types a registry's services consist of."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) == (__name__, "_asn1"):
            return _asn1
        if (module, name) in _PLAIN:
            return super().find_class(module, name)
        if module == tsp.__name__:
            found = getattr(tsp, name, None)
            if isinstance(found, type) and found.__module__ == tsp.__name__:
                return found
        raise pickle.UnpicklingError(f"{module}.{name} is not part of a trust list registry")


def _parse(signed_xml: bytes) -> TSPRegistry:
    from pyhanko.sign.validation.qualified.eutl_parse import trust_list_to_registry_unsafe

    registry, _errors = trust_list_to_registry_unsafe(signed_xml.decode("utf-8"))
    return registry


def registry_for(signed_xml: bytes) -> TSPRegistry:
    """pyHanko's registry for a trust list whose XML signature has been verified: from the cache
    when this exact XML was read before, else parsed (and cached). Parsing errors propagate."""
    folder = cache_folder()
    if folder is None:
        return _parse(signed_xml)
    entry = folder / f"{hashlib.sha256(signed_xml).hexdigest()}.pickle"
    try:
        data = entry.read_bytes()
    except OSError:
        data = None
    if data is not None:
        try:
            return _rebuild(_RegistryUnpickler(io.BytesIO(data)).load())
        except Exception as exc:
            log.debug("trust list cache entry %s unreadable; parsing again", entry, exc_info=exc)
    registry = _parse(signed_xml)
    _write(entry, registry)
    return registry


def _services(registry: TSPRegistry) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """The CA and time-stamping services a registry was built from (it registers each one under
    every certificate of its provider)."""

    def distinct(by_authority: Any) -> tuple[Any, ...]:
        seen: dict[int, Any] = {}
        for services in by_authority.values():
            for si in services:
                seen.setdefault(id(si), si)
        return tuple(seen.values())

    return distinct(registry._ca_cert_to_si), distinct(registry._tst_cert_to_si)


def _rebuild(services: Any) -> TSPRegistry:
    cas, tsts = services
    registry = TSPRegistry()
    for si in cas:
        if not isinstance(si, tsp.CAServiceInformation):
            raise TypeError("not a CA service")
        registry.register_ca(si)
    for si in tsts:
        if not isinstance(si, tsp.QTSTServiceInformation):
            raise TypeError("not a time-stamping service")
        registry.register_tst(si)
    return registry


def _write(entry: Path, registry: TSPRegistry) -> None:
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=entry.parent, prefix=".tmp-", suffix=".pickle")
        try:
            with os.fdopen(fd, "wb") as fh:
                _RegistryPickler(fh, protocol=pickle.HIGHEST_PROTOCOL).dump(_services(registry))
            os.replace(tmp, entry)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except Exception as exc:
        log.debug("trust list cache entry %s not written", entry, exc_info=exc)
