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
    "assess",
    "Assessment",
    "TechnologyProfile",
    "verify",
    "verify_many",
    "plan_report",
    "create_app",
}


def test_entry_points_are_the_subpackages_own() -> None:
    from eauth_toolkit import loa, plan, signatures, web

    assert eauth_toolkit.assess is loa.assess
    assert eauth_toolkit.verify is signatures.verify
    assert eauth_toolkit.plan_report is plan.report
    assert eauth_toolkit.create_app is web.create_app


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
    for name in {n for n in EXPECTED if n.endswith("Error")} - {"EauthError"}:
        assert issubclass(getattr(eauth_toolkit, name), eauth_toolkit.EauthError)
