"""The entry points: :func:`verify` (one file) and :func:`verify_many` (a batch, optionally parallel).

Trust lists and recognition caps come from a verified published Repository List (``--repository``,
else the service's latest list: :func:`eauth_toolkit.recognition.lists.default_trust`), each AMS
trust list checked against the digest and scheme operator certificate the list gives, unless the
caller passes its own lists. Formats are recognised by content:
PDF (PAdES) now; CMS, JWS and XML signatures go to their own modules.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eauth_toolkit.errors import InputError
from eauth_toolkit.resources import trust_list_dir
from eauth_toolkit.signatures import _speedups, tlcache
from eauth_toolkit.signatures._aio import run_sync
from eauth_toolkit.signatures.levels import TrustSet
from eauth_toolkit.signatures.models import FileReport
from eauth_toolkit.signatures.pades import ValidationOptions, validate_pdf_async
from eauth_toolkit.signatures.trustlist import TrustList, load_trust_list

if TYPE_CHECKING:
    from eauth_toolkit.settings import Settings

__all__ = [
    "DEFAULT_TRUST_LIST_DIR",
    "VerifyRequest",
    "check_ams",
    "default_trust_lists",
    "detect_format",
    "expand_inputs",
    "options_for",
    "verify",
    "verify_bytes",
    "verify_many",
]

# A library leaves logging to the application: only a NullHandler on our own logger.
logging.getLogger("eauth_toolkit.signatures").addHandler(logging.NullHandler())

DEFAULT_TRUST_LIST_DIR = trust_list_dir()


def default_trust_lists(settings: Settings | None = None) -> list[TrustList]:
    """The trust lists the verified default Repository List points to (the service's latest
    list; the shipped SANDBOX sample list published and signed on first use)."""
    from eauth_toolkit.recognition.lists import default_trust

    return default_trust(settings)[0]


@dataclass(frozen=True)
class VerifyRequest:
    """Plain, picklable settings of one run (workers rebuild the options from it)."""

    trust_list_paths: tuple[str, ...] = ()
    ams: str | None = None
    online: bool = False
    at: datetime | None = None
    #: a published Repository List: trust lists and recognition caps come from it
    repository: str | None = None
    #: the list publisher's certificate or JWK (default: the sandbox publisher's certificate)
    publisher_key: str | None = None
    #: the data folder whose default Repository List is used when no list is given (for trust
    #: lists, or for the agreements that cap another AMS's list); default: the environment's
    data_dir: str | None = None


def check_ams(ams: str | None, *, where: str = "ams") -> str | None:
    """The AMS code in upper case; an unknown code is an :class:`InputError` (it would otherwise
    quietly leave no trust list that counts, and turn a valid signature INDETERMINATE)."""
    from eauth_toolkit.ams import AMS_CODES

    if ams is None or ams == "":
        return None
    code = ams.strip().upper()
    if code not in AMS_CODES:
        raise InputError(
            f"unknown AMS code {ams!r} (one of {', '.join(AMS_CODES)})", where=f"{where} {ams}"
        )
    return code


def options_for(request: VerifyRequest) -> ValidationOptions:
    if request.repository:
        from eauth_toolkit.recognition.lists import trust_from_list

        lists, caps = trust_from_list(request.repository, request.publisher_key)
        ams = request.ams.upper() if request.ams else None
        return ValidationOptions(
            trust=TrustSet.for_ams(lists, ams, caps), online=request.online, at=request.at
        )
    ams = check_ams(request.ams)
    if request.trust_list_paths:
        lists = [load_trust_list(Path(p)) for p in request.trust_list_paths]
        # another AMS's list counts in ``ams`` only under an agreement of the default list
        foreign = ams is not None and any(tl.territory != ams for tl in lists)
        caps = _default_trust(request)[1] if foreign else ()
    else:
        lists, caps = _default_trust(request)
    return ValidationOptions(
        trust=TrustSet.for_ams(lists, ams, caps), online=request.online, at=request.at
    )


def _default_trust(request: VerifyRequest) -> tuple[list[Any], tuple[Any, ...]]:
    """Trust lists and caps of the default list of the request's data folder."""
    from eauth_toolkit.recognition.lists import default_trust
    from eauth_toolkit.settings import Settings

    settings = Settings.from_env(data_dir=request.data_dir) if request.data_dir else None
    return default_trust(settings)


def detect_format(head: bytes) -> str | None:
    """The signature format of a file from its first KiB (content, never the name)."""
    from eauth_toolkit.signatures.formats import sniff

    return sniff(head)


async def _verify_async(
    source: Path | bytes,
    options: ValidationOptions,
    name: str | None,
    data: Mapping[str, bytes] | None = None,
) -> FileReport:
    label = name or str(source)
    try:
        if isinstance(source, Path):
            with open(source, "rb") as fh:
                head = fh.read(1024)
        else:
            head = source[:1024]
    except OSError as exc:
        return FileReport(file=label, format=None, error=f"cannot read: {exc.strerror}")
    fmt = detect_format(head)
    if fmt == "PAdES":
        return await validate_pdf_async(source, options, name=label)
    if fmt in ("CAdES", "JAdES", "XAdES", "ASiC"):
        from eauth_toolkit.signatures import other_formats

        with _speedups.applied():
            return await other_formats.validate(fmt, source, options, name=label, data=data)
    return FileReport(
        file=label,
        format=None,
        error="cannot read: not a signed PDF, CMS, JWS, XML document or ASiC container",
    )


_DEFAULT_OPTIONS: list[ValidationOptions] = []


def verify(
    source: Path | str | bytes,
    options: ValidationOptions | None = None,
    *,
    name: str | None = None,
    data: Mapping[str, bytes] | None = None,
) -> FileReport:
    """Validate one document (path or bytes). Bad input gives a report with ``error``, never an exception.

    Without ``options``: offline, now, with the repository's trust lists (built once, then reused).
    ``data`` gives the signed files of a detached signature (name -> content); nothing is fetched.
    """
    if options is None:
        if not _DEFAULT_OPTIONS:
            _DEFAULT_OPTIONS.append(options_for(VerifyRequest()))
        options = _DEFAULT_OPTIONS[0]
    src: Path | bytes = Path(source) if isinstance(source, str) else source
    opts = options
    return run_sync(lambda: _verify_async(src, opts, name, data))


def verify_bytes(data: bytes, options: ValidationOptions, *, name: str) -> FileReport:
    return verify(data, options, name=name)


def expand_inputs(paths: Iterable[Path]) -> list[Path]:
    """Files as given; directories walked (sorted) for every regular file inside, except the
    content files of detached signatures (``X`` when ``X.p7s`` is there)."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            found = sorted(q for q in p.rglob("*") if q.is_file())
            names = {q.name for q in found}
            # the content of a detached signature is checked through its FILE.p7s, not on its own
            out.extend(q for q in found if f"{q.name}.p7s" not in names)
        else:
            out.append(p)
    return out


_WORKER_OPTIONS: ValidationOptions | None = None


def _worker_init(request: VerifyRequest, cache: Path | None) -> None:
    global _WORKER_OPTIONS
    if _WORKER_OPTIONS is None:  # not inherited from the parent (spawn start method)
        tlcache.use_exact_folder(cache)  # the parent's trust-list cache, if it has one
        _WORKER_OPTIONS = options_for(request)
    # what the worker inherited or built is never garbage: keep the collector off it
    gc.freeze()


def _worker_run(paths: list[str]) -> list[FileReport]:
    assert _WORKER_OPTIONS is not None
    opts = _WORKER_OPTIONS

    async def run() -> list[FileReport]:
        return [await _verify_async(Path(p), opts, p) for p in paths]

    return run_sync(run)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


@contextmanager
def _long_lived_frozen() -> Iterator[None]:
    """During a batch, the garbage collector leaves alone the objects that existed before it
    (modules, trust anchors, caches), unless the application manages frozen objects itself."""
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def verify_many(
    paths: list[Path],
    request: VerifyRequest,
    *,
    jobs: int = 1,
    progress: Callable[[FileReport], None] | None = None,
    options: ValidationOptions | None = None,
) -> list[FileReport]:
    """Validate a batch; the reports come back in input order (``progress`` is called as each
    file is done, in the order they finish).

    The options (trust anchors, policy) are built once and reused for every file. With
    ``jobs > 1`` the first file is validated here, which also warms every cache (imports, parsed
    trust lists, certificate names); worker processes forked afterwards inherit that state and
    take the remaining files one or two at a time, largest first, so that every worker stays busy
    until the end.
    """
    global _WORKER_OPTIONS
    opts = options or options_for(request)
    reports: list[FileReport | None] = [None] * len(paths)

    def done(i: int, rep: FileReport) -> None:
        reports[i] = rep
        if progress:
            progress(rep)

    with _long_lived_frozen():
        if jobs <= 1 or len(paths) < 4:

            async def run() -> None:
                for i, p in enumerate(paths):
                    done(i, await _verify_async(p, opts, str(p)))

            run_sync(run)
            return [r for r in reports if r is not None]
        done(0, run_sync(lambda: _verify_async(paths[0], opts, str(paths[0]))))
        rest = sorted(range(1, len(paths)), key=lambda i: -_size(paths[i]))
        jobs = min(jobs, os.cpu_count() or 1, len(rest))
        # small tasks: the cost of a task is far below that of a file, and the last ones even out
        chunk = max(1, min(4, len(rest) // (jobs * 16)))
        chunks = [rest[i : i + chunk] for i in range(0, len(rest), chunk)]
        methods = multiprocessing.get_all_start_methods()
        ctx = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        _WORKER_OPTIONS = opts
        try:
            with ProcessPoolExecutor(
                max_workers=jobs,
                mp_context=ctx,
                initializer=_worker_init,
                initargs=(request, tlcache.cache_folder()),
            ) as pool:
                futures = {pool.submit(_worker_run, [str(paths[i]) for i in c]): c for c in chunks}
                for future in as_completed(futures):
                    for i, rep in zip(futures[future], future.result(), strict=True):
                        done(i, rep)
        finally:
            _WORKER_OPTIONS = None
    return [r for r in reports if r is not None]
