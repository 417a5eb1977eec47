"""Guards the public API: what ``eauth_toolkit`` exports is deliberate."""

from __future__ import annotations

import importlib
import types

import eauth_toolkit

EXPECTED = {
    "__version__",
    "EauthError",
    "InputError",
    "SchemaError",
    "PlanError",
    "LoaError",
    "RepositoryError",
    "RecognitionError",
    "SignatureError",
    "PilotError",
}


def test_all_is_exactly_the_public_api() -> None:
    assert set(eauth_toolkit.__all__) >= EXPECTED
    for name in eauth_toolkit.__all__:
        assert hasattr(eauth_toolkit, name), name
    public = {
        n
        for n in dir(eauth_toolkit)
        if not n.startswith("_") and not isinstance(getattr(eauth_toolkit, n), types.ModuleType)
    }
    assert public <= set(eauth_toolkit.__all__)


def test_subpackages_declare_all() -> None:
    for name in ["eauth_toolkit.errors", "eauth_toolkit.schemaio", "eauth_toolkit.db"]:
        mod = importlib.import_module(name)
        assert isinstance(mod.__all__, list) and mod.__all__
        for symbol in mod.__all__:
            assert hasattr(mod, symbol), f"{name}.{symbol}"


def test_errors_share_one_root() -> None:
    for name in EXPECTED - {"__version__", "EauthError"}:
        assert issubclass(getattr(eauth_toolkit, name), eauth_toolkit.EauthError)
