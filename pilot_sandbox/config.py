"""The pilot configuration (``pilot.toml``): deployment settings only (participants, identity
providers and their URLs, profiles, services, scope and duration, where the Repository List is).
Technologies, ``acr`` mappings, agreed levels and agreements come from the verified list.

The pydantic model is the source of truth; ``schemas/pilot-config.schema.json`` is generated from it.
Bad configuration raises :class:`PilotError` naming the file and the key.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from eauth_toolkit.ams import AmsCode
from eauth_toolkit.errors import InputError, PilotError
from eauth_toolkit.schemaio import load_document

__all__ = [
    "Persona",
    "IdentityProvider",
    "Service",
    "Participant",
    "PilotInfo",
    "PilotConfig",
    "TrustSettings",
    "load_pilot_config",
    "PUBLISHED_SCHEMAS",
]

_SLUG = r"^[a-z0-9][a-z0-9-]{0,40}$"


class Persona(BaseModel):
    """A sandbox citizen known to a built-in reference IdP."""

    model_config = ConfigDict(extra="forbid")

    username: str = Field(pattern=r"^[a-z0-9._-]{2,40}$")
    given_name: str = Field(min_length=1)
    family_name: str = Field(min_length=1)
    birthdate: dt.date
    #: the highest ISO/IEC 29115 level this persona's credential reaches
    level: int = Field(ge=1, le=4)


class IdentityProvider(BaseModel):
    """The national identity provider of one AMS: the built-in one or an external OpenID provider."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["builtin", "external"] = "builtin"
    #: entry id of the technology in the Collaborative Repository List (sandbox entries)
    entry: str = Field(min_length=1)
    #: issuer URL of an external provider (discovery at ``{issuer}/.well-known/openid-configuration``)
    issuer: str | None = None
    #: client id the Proxy uses at an external provider (default: the Proxy's URL)
    client_id: str | None = None
    #: scope sent to the provider
    scope: str = "openid profile"
    #: request ``acr`` as an essential claim (off for providers that return no ``acr``)
    request_acr: bool = True
    personas: list[Persona] = Field(default_factory=list)

    @model_validator(mode="after")
    def _kind(self) -> IdentityProvider:
        if self.kind == "external" and not self.issuer:
            raise ValueError("an external identity provider needs issuer")
        if self.kind == "builtin" and not self.personas:
            raise ValueError("a built-in identity provider needs at least one persona")
        if self.issuer is not None and not re.match(r"^https?://", self.issuer):
            raise ValueError("issuer must be an http(s) URL")
        return self


class Service(BaseModel):
    """A demo relying party of one AMS."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=_SLUG)
    name: str = Field(min_length=1)
    required_level: int = Field(ge=1, le=4)


class Participant(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: AmsCode
    name: str = Field(min_length=1)
    #: the protocol profile of this AMS's IdP, Proxy, Connector and services: ``oidc`` (OpenID
    #: Connect code flow, PKCE, private_key_jwt) or ``fapi2`` (FAPI 2.0 Security Profile: PAR,
    #: DPoP-bound tokens, ID tokens encrypted to the client)
    profile: Literal["oidc", "fapi2"] = "oidc"
    idp: IdentityProvider
    services: list[Service] = Field(min_length=1)


class PilotInfo(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    scope: str = Field(min_length=1)
    start: dt.date
    end: dt.date

    @model_validator(mode="after")
    def _dates(self) -> PilotInfo:
        if self.end < self.start:
            raise ValueError("end is before start")
        return self


#: thumbprint of the SANDBOX trust anchor shipped with the pilot
SANDBOX_ANCHOR_THUMBPRINT = "VicwIMgDptV3CaLOBtXHrIepgIkGD52JopaRikz5-o8"


class TrustSettings(BaseModel):
    """``[trust]``: the published Repository List the gateways take technologies, ``acr``
    mappings, agreed levels and agreements from."""

    model_config = ConfigDict(extra="forbid")

    #: the list file (relative to pilot.toml); default: the service's own latest list in its
    #: data folder, published at the first start from the sample submissions
    repository: str | None = None
    #: the publisher's certificate (PEM); default: the SANDBOX publisher's
    publisher_certificate: str | None = None
    #: the trust anchor's private key (JWK) that signs the pilot's trust configuration (relative
    #: to pilot.toml); default: the SANDBOX anchor shipped in ``pilot_sandbox/sandbox_keys``
    anchor_key: str | None = None
    #: the RFC 7638 thumbprint of the trust anchor's key, pinned here: the trust configuration
    #: verifies only with that key, never with one read from the store or the data folder
    anchor_thumbprint: str = Field(
        default=SANDBOX_ANCHOR_THUMBPRINT, pattern=r"^[A-Za-z0-9_-]{43}$"
    )


class PilotConfig(BaseModel):
    """``pilot.toml``: the two-AMS mutual-recognition pilot."""

    model_config = ConfigDict(extra="forbid")

    pilot: PilotInfo
    ams: list[Participant] = Field(min_length=2, max_length=2)
    trust: TrustSettings = Field(default_factory=TrustSettings)

    @model_validator(mode="after")
    def _consistent(self) -> PilotConfig:
        codes = [a.code for a in self.ams]
        if len(set(codes)) != 2:
            raise ValueError("ams: the two participants must be different AMS")
        return self

    def participant(self, code: str) -> Participant:
        for a in self.ams:
            if a.code == code.upper():
                return a
        raise PilotError(f"{code} is not a participant of this pilot", code="invalid_request")


def _loc(loc: tuple[object, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"


def load_pilot_config(path: str | Path) -> PilotConfig:
    """Read and validate ``pilot.toml``; errors name the file and the key."""
    try:
        doc = load_document(path)
    except InputError as exc:
        raise PilotError(exc.message, where=exc.where) from None
    try:
        return PilotConfig.model_validate(doc)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = [p for p in first["loc"] if not (isinstance(p, str) and p.startswith("function-"))]
        msg = first["msg"].removeprefix("Value error, ")
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise PilotError(f"{msg}{more}", where=f"{path}: {_loc(tuple(loc))}") from None


PUBLISHED_SCHEMAS = {"pilot-config": PilotConfig}
