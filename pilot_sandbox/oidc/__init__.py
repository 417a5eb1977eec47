"""OpenID Connect pieces shared by the sandbox IdPs, gateways and demo services: the provider side
(authorization code with PKCE, ``private_key_jwt``, ES256 ID tokens) and the relying-party side.
JOSE is done by joserfc, PKCE by authlib."""

from pilot_sandbox.oidc.client import RelyingParty, UpstreamProvider
from pilot_sandbox.oidc.errors import OAuthError
from pilot_sandbox.oidc.provider import AuthRequest, Provider

__all__ = ["OAuthError", "AuthRequest", "Provider", "RelyingParty", "UpstreamProvider"]
