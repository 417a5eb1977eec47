"""The exception tree of eauth-toolkit.

::

    EauthError                      root: every error the toolkit raises on purpose
    ├── InputError                  bad input from a user or another system (``where`` says where)
    │   └── SchemaError             a document failed its JSON Schema (``where``: file#/json/pointer)
    ├── PlanError                   Work Plan data or status problems
    ├── LoaError                    LoA profile or guidance problems
    ├── RepositoryError             repository list submissions, store and publication
    ├── RecognitionError            mutual-recognition agreements
    ├── SignatureError              signature validation could not be evaluated at all
    └── PilotError                  the pilot sandbox (configuration, protocol)

Verdicts (assessments, signature indications, recognition decisions) are values, not exceptions:
an exception means "could not evaluate at all". Library functions raise these classes for bad input;
a file that cannot be read or written may also surface as :class:`OSError`. The ``eauth`` command
turns both into one line ``error: <where>: <message>`` with exit code 2, and the service into a 4xx
answer.
"""

from __future__ import annotations

__all__ = [
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


class EauthError(Exception):
    """Root of every error raised on purpose by eauth-toolkit."""

    #: a short machine-readable code (a standard's code where one exists)
    code: str = "error"

    def __init__(self, message: str, *, where: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.where = where
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        if self.where:
            return f"{self.where}: {self.message}"
        return self.message


class InputError(EauthError):
    """Bad input; ``where`` names the file, line, field or JSON pointer."""

    code = "invalid_input"


class SchemaError(InputError):
    """A document failed validation against its JSON Schema; ``where`` is the JSON pointer of the
    problem, after the file name (``file#/pointer``) when the file is known."""

    code = "schema_invalid"


class PlanError(EauthError):
    code = "plan_error"


class LoaError(EauthError):
    code = "loa_error"


class RepositoryError(EauthError):
    code = "repository_error"


class RecognitionError(EauthError):
    code = "recognition_error"


class SignatureError(EauthError):
    code = "signature_error"


class PilotError(EauthError):
    code = "pilot_error"
