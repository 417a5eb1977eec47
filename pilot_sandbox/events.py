"""Recording flow steps as events in the store (one row per step, with its duration)."""

from __future__ import annotations

import time
from types import TracebackType
from typing import Any

from pilot_sandbox.oidc.errors import OAuthError
from pilot_sandbox.store import Store

__all__ = ["Step", "FUNNEL"]

#: the funnel of a cross-border sign-in: (stage, step whose successful event marks it)
FUNNEL = (
    ("started at the service", "service.start"),
    ("country accepted by the Connector", "connector.choose"),
    ("sent to the national IdP by the Proxy", "proxy.authorize"),
    ("authenticated by the national IdP", "proxy.callback"),
    ("LoA checks passed at the Connector", "connector.callback"),
    ("signed in at the service", "flow.end"),
)


class Step:
    """One step of one flow: ``ok()`` or ``fail()`` writes its event with the elapsed time.

    Used as a context manager, an :class:`OAuthError` leaving the block is recorded as the step's
    failure (with the flow it names, when the step did not know it yet) and passes on; a request
    for a DPoP nonce or for a part that does not exist (404) is not a failed step."""

    def __init__(self, store: Store, *, flow_id: str, step: str, component: str, ams: str) -> None:
        self.store = store
        self.flow_id = flow_id
        self.step = step
        self.component = component
        self.ams = ams
        self.data: dict[str, Any] = {}
        self._t0 = time.perf_counter()
        self.done = False

    def _write(
        self, outcome: str, error: str | None, description: str | None, data: dict[str, Any]
    ) -> None:
        if self.done:
            return
        self.done = True
        self.data.update(data)
        self.store.record(
            flow_id=self.flow_id,
            step=self.step,
            component=self.component,
            ams=self.ams,
            outcome=outcome,
            error=error,
            description=description,
            duration_ms=round((time.perf_counter() - self._t0) * 1000, 3),
            data=self.data,
        )

    def __enter__(self) -> Step:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if isinstance(exc, OAuthError) and exc.status != 404 and exc.code != "use_dpop_nonce":
            self.flow_id = self.flow_id or exc.flow_id
            self.fail(exc.code, exc.description)

    def ok(self, **data: Any) -> None:
        self._write("ok", None, None, data)

    def fail(self, error: str, description: str, **data: Any) -> None:
        self._write("fail", error, description, data)
