"""OAuth 2.0 / OpenID Connect errors with their protocol codes (RFC 6749 5.2, OIDC Core 3.1.2.6)."""

from __future__ import annotations

from typing import Any

from eauth_toolkit.errors import PilotError

__all__ = ["OAuthError"]


class OAuthError(PilotError):
    """A protocol error: ``code`` is the OAuth/OIDC error code, ``description`` a readable text.

    ``redirect`` is False when the error must not be sent to the redirect URI (unknown client or
    redirect URI), so it is shown to the user instead."""

    def __init__(
        self, error: str, description: str, *, status: int = 400, redirect: bool = True
    ) -> None:
        super().__init__(description, code=error)
        self.description = description
        self.status = status
        self.redirect = redirect
        #: the authorization request the error answers, when known (for the error redirect)
        self.request: Any = None
        #: the flow the error belongs to, when known (for the event)
        self.flow_id: str = ""
        #: extra response headers (a DPoP nonce)
        self.headers: dict[str, str] = {}
        #: the error authorization response to send the browser to, once it is known to be safe
        self.location: str | None = None
        #: the authentication scheme a 401 names in ``WWW-Authenticate``
        self.scheme = "Bearer"

    def as_json(self) -> dict[str, str]:
        return {"error": self.code, "error_description": self.description}
