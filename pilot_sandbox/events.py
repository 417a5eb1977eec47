"""Recording flow steps as events in the store (one row per step, with its duration)."""

from __future__ import annotations

import time
from typing import Any

from pilot_sandbox.store import Store

__all__ = ["Step", "FUNNEL"]

#: the funnel of a cross-border sign-in: (stage, step whose successful event marks it)
FUNNEL = (
    ("started at the service", "service.start"),
    ("country chosen at the Connector", "connector.choose"),
    ("sent to the national IdP by the Proxy", "proxy.authorize"),
    ("authenticated by the national IdP", "proxy.callback"),
    ("LoA checks passed at the Connector", "connector.callback"),
    ("signed in at the service", "flow.end"),
)


class Step:
    """One step of one flow: ``ok()`` or ``fail()`` writes its event with the elapsed time."""

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

    def ok(self, **data: Any) -> None:
        self._write("ok", None, None, data)

    def fail(self, error: str, description: str, **data: Any) -> None:
        self._write("fail", error, description, data)
