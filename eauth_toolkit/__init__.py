"""eauth-toolkit: ASEAN e-authentication (Work Plan B.2) and e-signature (B.3) interoperability.

The public API is listed in ``__all__`` and guarded by ``tests/test_public_api.py``.
"""

from eauth_toolkit.errors import (
    EauthError,
    InputError,
    LoaError,
    PilotError,
    PlanError,
    RecognitionError,
    RepositoryError,
    SchemaError,
    SignatureError,
)

__version__ = "0.1.0"

#: convenient entry points, imported on first use so ``import eauth_toolkit`` stays light
_LAZY = {
    "assess": "eauth_toolkit.loa",
    "Assessment": "eauth_toolkit.loa",
    "TechnologyProfile": "eauth_toolkit.loa",
    "verify": "eauth_toolkit.signatures",
    "verify_many": "eauth_toolkit.signatures",
    "plan_report": ("eauth_toolkit.plan", "report"),
    "create_app": "eauth_toolkit.web",
}


def __getattr__(name: str) -> object:
    target = _LAZY.get(name)
    if target is None:
        raise AttributeError(f"module 'eauth_toolkit' has no attribute {name!r}")
    import importlib

    module_name, attr = target if isinstance(target, tuple) else (target, name)
    value = getattr(importlib.import_module(module_name), attr)
    globals()[name] = value
    return value


__all__ = [
    "__version__",
    "assess",
    "Assessment",
    "TechnologyProfile",
    "verify",
    "verify_many",
    "plan_report",
    "create_app",
    "EauthError",
    "InputError",
    "SchemaError",
    "PlanError",
    "LoaError",
    "RepositoryError",
    "RecognitionError",
    "SignatureError",
    "PilotError",
]
