"""The disk cache of pyHanko's trust list reading: same registry as a fresh parse, no parse on a
hit, damaged or foreign entries never used, an unwritable folder harmless, and a warm
``eauth sig verify`` that loads neither the trust list parser nor the database stack."""

from __future__ import annotations

import dataclasses
import os
import pickle
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from asn1crypto.core import Asn1Value

from eauth_toolkit.signatures import tlcache
from eauth_toolkit.signatures.api import default_trust_lists
from eauth_toolkit.signatures.trustlist import TrustList
from tests.signatures.conftest import Signed


@pytest.fixture
def folder(tmp_path: Path) -> Iterator[Path]:
    before = tlcache.cache_folder()
    tlcache.use_folder(tmp_path / "cache")
    yield tmp_path / "cache"
    tlcache.use_exact_folder(before)


def _canonical(value: Any) -> Any:
    """Service descriptions as plain data (certificates by their encoding)."""
    if isinstance(value, Asn1Value):
        return ("asn1", type(value).__name__, value.dump())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (
            type(value).__name__,
            {f.name: _canonical(getattr(value, f.name)) for f in dataclasses.fields(value)},
        )
    if isinstance(value, (set, frozenset)):
        return ("set", sorted(repr(_canonical(v)) for v in value))
    if isinstance(value, (list, tuple)):
        return [_canonical(v) for v in value]
    return value


def _registry(tl: TrustList) -> Any:
    return {
        kind: {
            repr(authority.hashable): sorted(repr(_canonical(si)) for si in services)
            for authority, services in getattr(tl.registry, attr).items()
        }
        for kind, attr in (("ca", "_ca_cert_to_si"), ("tst", "_tst_cert_to_si"))
    }


def _entries(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.pickle"))


def _no_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(_xml: bytes) -> Any:
        raise AssertionError("the trust list was parsed again")

    monkeypatch.setattr(tlcache, "_parse", refuse)


def test_a_cached_registry_is_the_parsed_one_and_is_not_parsed_again(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tlcache.use_folder(None)
    fresh = default_trust_lists()
    tlcache.use_folder(folder)
    first = default_trust_lists()
    assert len(_entries(folder)) == len(fresh) >= 2
    _no_parsing(monkeypatch)
    cached = default_trust_lists()
    for a, b, c in zip(fresh, first, cached, strict=True):
        assert _registry(a) == _registry(b) == _registry(c)
        assert _registry(a)["ca"]  # the comparison compares something
        # everything else is read from the verified XML every time
        assert [(s.name, s.status) for s in a.services] == [(s.name, s.status) for s in c.services]


def test_a_damaged_entry_is_parsed_again_and_replaced(folder: Path) -> None:
    default_trust_lists()
    entry = _entries(folder)[0]
    entry.write_bytes(b"not a pickle")
    lists = default_trust_lists()
    assert all(_registry(tl)["ca"] for tl in lists)
    assert entry.read_bytes() != b"not a pickle"


class _Payload:
    def __reduce__(self) -> Any:
        return (os.system, ("touch should-not-exist",))


def test_an_entry_naming_other_code_is_never_run(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    default_trust_lists()
    monkeypatch.chdir(tmp_path)
    for entry in _entries(folder):
        entry.write_bytes(pickle.dumps(((_Payload(),), ())))
    lists = default_trust_lists()
    assert not (tmp_path / "should-not-exist").exists()
    assert all(_registry(tl)["ca"] for tl in lists)


def test_an_unwritable_cache_folder_changes_nothing(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache folder would be")
    before = tlcache.cache_folder()
    tlcache.use_folder(blocker)
    try:
        lists = default_trust_lists()
    finally:
        tlcache.use_exact_folder(before)
    assert all(_registry(tl)["ca"] for tl in lists)


def test_a_warm_verify_command_loads_no_list_parser_and_no_database(
    signed: Signed, _data_dir_outside_the_checkout: Path
) -> None:
    code = (
        "import sys\n"
        "from eauth_toolkit.cli import main\n"
        "try:\n"
        f"    main(['sig', 'verify', {str(signed.path('my-signer-qc', 'B-LTA'))!r}])\n"
        "except SystemExit as exc:\n"
        "    sys.stderr.write(f'exit {exc.code}\\n')\n"
        "sys.stderr.write(' '.join(sorted(sys.modules)))\n"
    )
    runs = [
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
        for _ in range(2)
    ]
    for run in runs:
        assert run.stderr.startswith("exit 0\n"), run.stderr[-2000:]
    assert list((_data_dir_outside_the_checkout / "cache" / "trust-lists").rglob("*.pickle"))
    cold = set(runs[0].stderr.split()[2:])
    warm = set(runs[1].stderr.split()[2:])
    assert "pyhanko.sign.validation.qualified.eutl_parse" in cold
    heavy = {
        "pyhanko.sign.validation.qualified.eutl_parse",
        "pyhanko.generated.etsi",
        "rich.progress",
    }
    assert not heavy & warm
    assert not {m.split(".")[0] for m in warm} & {"sqlalchemy", "fastapi", "uvicorn", "alembic"}
    assert "eauth_toolkit.repository.store" not in warm
