"""Trust-list pointers and agreements over HTTP, as signed submissions of the AMS authorities.

* ``POST /api/repository/trust-lists``: an AMS's pointer to its own TS 119 612 trust list;
* ``POST /api/repository/agreements``: an agreement signed by every party (or a party's
  withdrawal of one), sent by any party;
* ``GET /api/repository/trust-lists/versions`` and ``/agreements/versions``: every accepted
  version, oldest first.

The body is ``{"jws": "<compact JWS>"}`` signed by the authority of the AMS the bearer token is bound
to, as for entry submissions (``eauth repo trustlist-submit`` and ``eauth repo agreement-submit``
build one); refusals are problem documents naming the reason and the JSON pointer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from fastapi.security import HTTPAuthorizationCredentials

from eauth_toolkit.repository.store import RepositoryStore
from eauth_toolkit.repository.submission import SubmissionRefused
from eauth_toolkit.repository.trustdocs import (
    TrustReceipt,
    agreement_versions,
    submit_agreement,
    submit_trust_list,
    trust_list_versions,
)
from eauth_toolkit.web.routes.repository_api import (
    PREFIX,
    _bearer,
    _responses,
    read_signed,
    refused,
    signed_body,
)

__all__ = ["build_trust_router"]


def build_trust_router(store: RepositoryStore) -> APIRouter:
    router = APIRouter(prefix=PREFIX, tags=["repository"])

    async def accept(
        request: Request,
        credentials: HTTPAuthorizationCredentials | None,
        submit: Callable[..., TrustReceipt],
    ) -> Any:
        signed = await read_signed(request, credentials, store)
        if isinstance(signed, Response):
            return signed
        jws, ams, label = signed
        try:
            receipt = await run_in_threadpool(
                lambda: submit(
                    store,
                    jws,
                    channel="api",
                    token_ams=ams,
                    submitter=f"API token {label!r} ({ams})",
                )
            )
        except SubmissionRefused as exc:
            return refused(exc)
        return receipt.to_dict()

    @router.post(
        "/trust-lists",
        status_code=201,
        summary="Point to the AMS's own trust list (signed trust-list pointer)",
        responses=_responses(400, 401, 403, 409, 413, 422, 503, 507),
        openapi_extra={"requestBody": signed_body},
    )
    async def post_trust_list(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> Any:
        """Where the AMS's TS 119 612 trust list is, its SHA-256 and its scheme operator's
        signing certificate; a newer pointer replaces the old one in the next list."""
        return await accept(request, credentials, submit_trust_list)

    @router.post(
        "/agreements",
        status_code=201,
        summary="Submit an agreement signed by every party, or withdraw one",
        responses=_responses(400, 401, 403, 409, 413, 422, 503, 507),
        openapi_extra={"requestBody": signed_body},
    )
    async def post_agreement(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> Any:
        """Any party submits the agreement once every party's authority has signed it; the
        registry checks every signature. A withdrawal takes it out of the next list."""
        return await accept(request, credentials, submit_agreement)

    @router.get("/trust-lists/versions", summary="Every accepted trust-list pointer, per AMS")
    def get_trust_lists() -> Any:
        return trust_list_versions(store)

    @router.get("/agreements/versions", summary="Every accepted agreement version and withdrawal")
    def get_agreements() -> Any:
        return agreement_versions(store)

    return router
