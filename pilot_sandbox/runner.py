"""Scripted cross-border sign-ins over real HTTP, as a citizen's browser would do them.

Used by ``eauth pilot run``, by the tests and by the benchmark. A flow starts at a demo service of
AMS B, chooses the citizen's country A at B's Connector, logs in and consents at A's national IdP,
and comes back to the service; the service page says whether the sign-in succeeded and why not.
"""

from __future__ import annotations

import random
import re
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from eauth_toolkit.errors import PilotError
from pilot_sandbox.config import PilotConfig

__all__ = ["FlowPlan", "FlowResult", "drive_flow", "plan_flows", "follow"]

_RID = re.compile(r'name="(rid|sid)" value="([^"]+)"')
_ERROR = re.compile(r"Sign-in failed: <code>([^<]+)</code>")


@dataclass(frozen=True)
class FlowPlan:
    service_ams: str
    service: str
    country: str
    username: str
    password: str = "sandbox"
    level: int | None = None
    consent: str = "allow"
    headers: dict[str, str] = field(default_factory=dict)
    #: how the flow is meant to end: succeeded, failed or abandoned
    expected: str = "succeeded"
    #: where the citizen names their country: on the service's page ("service", sent on in the
    #: request to the Connector) or on the Connector's page ("connector")
    choose_at: str = "service"


@dataclass
class FlowResult:
    plan: FlowPlan
    outcome: str  # succeeded, failed, abandoned
    error: str | None = None
    seconds: float = 0.0
    page: str = ""
    workers: set[str] = field(default_factory=set)


def follow(
    client: httpx.Client,
    response: httpx.Response,
    workers: set[str] | None = None,
    *,
    headers: dict[str, str] | None = None,
    limit: int = 12,
) -> httpx.Response:
    """Follow redirects by hand (so each hop is a real request we can inspect)."""
    for _ in range(limit):
        if workers is not None and "x-eauth-worker" in response.headers:
            workers.add(response.headers["x-eauth-worker"])
        if response.status_code not in (301, 302, 303, 307, 308):
            return response
        response = client.get(str(response.url.join(response.headers["location"])), headers=headers)
    raise PilotError("too many redirects")


def _field(page: str, name: str) -> str | None:
    for n, v in _RID.findall(page):
        if n == name:
            return v
    return None


def drive_flow(client: httpx.Client, base: str, plan: FlowPlan) -> FlowResult:
    """Run one sign-in; the outcome is read from the service page at the end."""
    t0 = time.perf_counter()
    workers: set[str] = set()
    b = plan.service_ams.lower()
    form = {"loa": str(plan.level)} if plan.level else {}
    at_service = plan.choose_at == "service"
    if at_service:
        form["country"] = plan.country
    r = follow(
        client,
        client.post(f"{base}/ams/{b}/services/{plan.service}/login", data=form),
        workers,
        headers=plan.headers if at_service else None,
    )
    rid = _field(r.text, "rid") if "choose-form" in r.text else None
    if rid:
        r = follow(
            client,
            client.post(
                f"{base}/ams/{b}/connector/choose", data={"rid": rid, "country": plan.country}
            ),
            workers,
            headers=plan.headers,
        )
    if "login-form" in r.text:
        a = str(r.url).split("/ams/", 1)[1].split("/", 1)[0]
        rid = _field(r.text, "rid")
        r = client.post(
            f"{base}/ams/{a}/idp/login",
            data={"rid": rid, "username": plan.username, "password": plan.password},
        )
        if r.status_code == 401:
            return FlowResult(
                plan, "abandoned", "invalid_credentials", time.perf_counter() - t0, r.text, workers
            )
        r = follow(client, r, workers)
        if "consent-allow" in r.text:
            sid = _field(r.text, "sid")
            r = follow(
                client,
                client.post(
                    f"{base}/ams/{a}/idp/consent", data={"sid": sid, "decision": plan.consent}
                ),
                workers,
            )
    seconds = time.perf_counter() - t0
    if 'id="signed-in"' in r.text:
        return FlowResult(plan, "succeeded", None, seconds, r.text, workers)
    m = _ERROR.search(r.text)
    code = m.group(1) if m else f"http_{r.status_code}"
    return FlowResult(plan, "failed", code, seconds, r.text, workers)


def plan_flows(config: PilotConfig, n: int, seed: int) -> list[FlowPlan]:
    """A realistic, reproducible mix of personas, services, requested levels and failures."""
    rnd = random.Random(seed)
    where = random.Random(f"{seed}/choose_at")  # half of the citizens choose at the service
    plans = []
    by_code = {a.code: a for a in config.ams}
    for _ in range(n):
        b = rnd.choice(config.ams)
        service = rnd.choice(b.services)
        a = next(x for x in config.ams if x.code != b.code)
        roll = rnd.random()
        country = a.code
        level: int | None = None
        consent, password = "allow", "sandbox"
        if roll < 0.03:
            country = rnd.choice(
                [c for c in ("TH", "VN", "ID", "PH") if c not in by_code]
            )  # outside the agreement
        elif roll < 0.08:
            level = 4  # above what the sending AMS published
        elif roll < 0.13:
            consent = "deny"
        elif roll < 0.17:
            password = "wrong"  # the citizen gives up after a failed login
        elif roll < 0.35:
            level = max(1, service.required_level - 1)
        personas = a.idp.personas or []
        persona = rnd.choice(personas) if personas else None
        username = persona.username if persona else ""
        needed = max(level or 0, service.required_level)
        if password != "sandbox":
            expected = "abandoned"
        elif (
            country != a.code
            or level == 4
            or consent != "allow"
            or (persona is not None and persona.level < needed)
        ):
            expected = "failed"
        else:
            expected = "succeeded"
        plans.append(
            FlowPlan(
                b.code,
                service.id,
                country,
                username,
                password,
                level,
                consent,
                expected=expected,
                choose_at=where.choice(("service", "connector")),
            )
        )
    return plans


def summary(results: list[FlowResult]) -> dict[str, Any]:
    out: dict[str, Any] = {"flows": len(results)}
    for k in ("succeeded", "failed", "abandoned"):
        out[k] = sum(1 for r in results if r.outcome == k)
    errors: dict[str, int] = {}
    for r in results:
        if r.error:
            errors[r.error] = errors.get(r.error, 0) + 1
    out["errors"] = dict(sorted(errors.items(), key=lambda kv: -kv[1]))
    return out
