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

__all__ = [
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
]
