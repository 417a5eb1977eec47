"""The pilot report, built only from the events recorded in the store.

Participants, scope and duration, the success/failure funnel, requested-versus-returned LoA, failure
reasons, latency p50/p95/p99 per step, completeness of the minimum data set, and figures per service.
Written as JSON and as HTML with inline SVG charts (no scripts), and served at ``/pilot/report``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from eauth_toolkit.recognition import MINIMUM_DATA_SET
from eauth_toolkit.web.templating import environment
from pilot_sandbox.config import PilotConfig
from pilot_sandbox.events import FUNNEL
from pilot_sandbox.pages import render
from pilot_sandbox.store import Store

__all__ = ["build_report", "percentile", "render_html", "write_report", "router"]


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100); None for no values."""
    if not values:
        return None
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(round(q / 100 * len(s) + 0.5)) - 1))
    return round(s[k], 2)


def _stats(values: list[float]) -> dict[str, Any]:
    return {
        "n": len(values),
        "p50": percentile(values, 50),
        "p95": percentile(values, 95),
        "p99": percentile(values, 99),
    }


def _iso(ts: float | None) -> str | None:
    return dt.datetime.fromtimestamp(ts, dt.UTC).isoformat(timespec="seconds") if ts else None


def _decision_sources(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The Repository List numbers and agreements the gateways' decisions relied on, with how
    many decisions of each step and outcome, and the last reason given."""
    counts: Counter[tuple[int, str, str, str]] = Counter()
    reasons: dict[tuple[int, str, str, str], str] = {}
    for e in events:
        d = e.get("data") or {}
        if not isinstance(d.get("list_sequence"), int):
            continue
        k = (int(d["list_sequence"]), str(d.get("agreement") or "-"), e["step"], e["outcome"])
        counts[k] += 1
        reasons[k] = str(d.get("decision") or e.get("description") or "")
    return [
        {
            "list_sequence": k[0],
            "agreement": k[1],
            "step": k[2],
            "outcome": k[3],
            "count": n,
            "reason": reasons[k],
        }
        for k, n in sorted(counts.items())
    ]


def build_report(config: PilotConfig, events: list[dict[str, Any]]) -> dict[str, Any]:
    flows: dict[str, list[dict[str, Any]]] = defaultdict(list)
    loose: list[dict[str, Any]] = []
    for e in events:
        (flows[e["flow_id"]] if e["flow_id"] not in ("", "-") else loose).append(e)
    started = {
        f: evs
        for f, evs in flows.items()
        if any(e["step"] == "service.start" and e["outcome"] == "ok" for e in evs)
    }

    outcomes: Counter[str] = Counter()
    matrix: dict[str, Counter[str]] = defaultdict(Counter)
    root_causes: Counter[tuple[str, str]] = Counter()
    examples: dict[tuple[str, str], str] = {}
    e2e: list[float] = []
    field_counts: Counter[str] = Counter()
    complete = 0
    per_service: dict[tuple[str, str], dict[str, Any]] = {}
    for evs in started.values():
        start = next(e for e in evs if e["step"] == "service.start")
        svc = (start["ams"], start["data"].get("service", "?"))
        ps = per_service.setdefault(
            svc,
            {
                "ams": svc[0],
                "service": svc[1],
                "flows": 0,
                "succeeded": 0,
                "failed": 0,
                "abandoned": 0,
                "_e2e": [],
            },
        )
        ps["flows"] += 1
        requested = str(start["data"].get("requested_level"))
        end = next((e for e in evs if e["step"] == "flow.end"), None)
        fails = [e for e in evs if e["outcome"] == "fail"]
        if end is not None and end["outcome"] == "ok":
            outcome = "succeeded"
            total = (end["at"] - start["at"]) * 1000 + (start["duration_ms"] or 0)
            e2e.append(total)
            ps["_e2e"].append(total)
            fields = end["data"].get("fields", [])
            field_counts.update(fields)
            complete += int(len(fields) == len(MINIMUM_DATA_SET))
        elif end is not None or any(e["error"] != "invalid_credentials" for e in fails):
            outcome = "failed"
        else:
            outcome = "abandoned"
        outcomes[outcome] += 1
        ps[outcome] += 1
        returned = None
        for e in evs:
            if e["data"].get("returned_level") is not None:
                returned = e["data"]["returned_level"]
        if outcome != "abandoned":
            matrix[requested][str(returned) if returned is not None else "none"] += 1
        if fails:
            first = fails[0]
            key = (first["error"] or "error", first["step"])
            root_causes[key] += 1
            examples.setdefault(key, first["description"] or "")
    for e in loose:
        if e["outcome"] == "fail":
            key = (e["error"] or "error", e["step"])
            root_causes[key] += 1
            examples.setdefault(key, e["description"] or "")

    by_step: dict[str, list[float]] = defaultdict(list)
    for fid in started:
        for e in flows[fid]:
            if e["outcome"] == "ok" and e["duration_ms"] is not None:
                by_step[e["step"]].append(float(e["duration_ms"]))
    order = [
        "service.start",
        "connector.authorize",
        "connector.choose",
        "proxy.authorize",
        "idp.authorize",
        "idp.login",
        "idp.consent",
        "idp.token",
        "proxy.callback",
        "proxy.token",
        "connector.callback",
        "connector.token",
        "flow.end",
    ]
    latency = [{"step": s, **_stats(by_step[s])} for s in order if by_step.get(s)]
    latency += [{"step": s, **_stats(v)} for s, v in sorted(by_step.items()) if s not in order]
    latency.append({"step": "end to end (successful flows)", **_stats(e2e)})

    succeeded = outcomes["succeeded"]
    times = [e["at"] for e in events]
    return {
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "sandbox": True,
        "pilot": {
            "name": config.pilot.name,
            "scope": config.pilot.scope,
            "duration": {
                "start": config.pilot.start.isoformat(),
                "end": config.pilot.end.isoformat(),
            },
            "observed": {
                "first_event": _iso(min(times) if times else None),
                "last_event": _iso(max(times) if times else None),
            },
        },
        "participants": [
            {
                "ams": a.code,
                "name": a.name,
                "identity_provider": {
                    "kind": a.idp.kind,
                    "entry": a.idp.entry,
                    "issuer": a.idp.issuer,
                },
                "services": [
                    {"id": s.id, "name": s.name, "required_level": s.required_level}
                    for s in a.services
                ],
            }
            for a in config.ams
        ],
        "decision_sources": _decision_sources(events),
        "flows": {
            "total": len(started),
            **{k: outcomes[k] for k in ("succeeded", "failed", "abandoned")},
            "events": len(events),
        },
        "funnel": [
            {
                "stage": label,
                "step": step,
                "count": sum(
                    1
                    for evs in started.values()
                    if any(e["step"] == step and e["outcome"] == "ok" for e in evs)
                ),
            }
            for label, step in FUNNEL
        ],
        "loa_matrix": {req: dict(sorted(cols.items())) for req, cols in sorted(matrix.items())},
        "failure_reasons": [
            {"error": k[0], "step": k[1], "count": n, "example": examples[k]}
            for k, n in root_causes.most_common()
        ],
        "latency_ms": latency,
        "dataset_completeness": {
            "successful_flows": succeeded,
            "complete_flows": complete,
            "fields": {
                f: (round(field_counts[f] / succeeded, 4) if succeeded else None)
                for f in MINIMUM_DATA_SET
            },
        },
        "per_service": [
            {k: v for k, v in ps.items() if k != "_e2e"}
            | {
                "success_rate": round(ps["succeeded"] / ps["flows"], 4) if ps["flows"] else None,
                "p95_ms": percentile(ps["_e2e"], 95),
            }
            for _, ps in sorted(per_service.items())
        ],
    }


def _bars(
    items: list[tuple[str, float]], *, unit: str = "", width: int = 780, color: str = "#123c69"
) -> str:
    """A horizontal bar chart as inline SVG."""
    if not items:
        return '<p class="muted">no data</p>'
    top = max(v for _, v in items) or 1
    row, label_w = 24, 360
    h = row * len(items) + 8
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{h}" '
        f'viewBox="0 0 {width} {h}" role="img">'
    ]
    for i, (label, v) in enumerate(items):
        y = 4 + i * row
        w = max(1, int((width - label_w - 90) * v / top)) if v else 0
        text = str(label) if len(str(label)) <= 56 else str(label)[:55] + "…"
        safe = text.replace("&", "&amp;").replace("<", "&lt;")
        out.append(
            f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end" font-size="12">{safe}</text>'
        )
        out.append(
            f'<rect x="{label_w}" y="{y + 3}" width="{w}" height="{row - 8}" fill="{color}"/>'
        )
        out.append(f'<text x="{label_w + w + 5}" y="{y + 15}" font-size="12">{v:g}{unit}</text>')
    out.append("</svg>")
    return "".join(out)


def _charts(report: dict[str, Any]) -> dict[str, str]:
    return {
        "funnel": _bars([(f["stage"], f["count"]) for f in report["funnel"]]),
        "failures": _bars(
            [(f"{f['error']} @ {f['step']}", f["count"]) for f in report["failure_reasons"]],
            color="#a11d1d",
        ),
        "latency": _bars(
            [(f"{row['step']} p95", row["p95"] or 0) for row in report["latency_ms"]],
            unit=" ms",
            color="#8a5a00",
        ),
        "completeness": _bars(
            [
                (k, round((v or 0) * 100, 1))
                for k, v in report["dataset_completeness"]["fields"].items()
            ],
            unit=" %",
            color="#176b2c",
        ),
    }


def render_html(report: dict[str, Any]) -> str:
    """The standalone HTML report (for ``eauth pilot report --out``)."""
    return environment.get_template("pilot_report.html").render(
        report=report, charts=_charts(report), standalone=True
    )


def write_report(store: Store, config: PilotConfig, out: Path) -> dict[str, Any]:
    report = build_report(config, store.events())
    out.mkdir(parents=True, exist_ok=True)
    (out / "pilot-report.json").write_text(
        json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    (out / "pilot-report.html").write_text(render_html(report), encoding="utf-8")
    return report


def router(pilot: Any) -> APIRouter:
    r = APIRouter(tags=["pilot: report"])

    @r.get("/pilot/report", response_class=HTMLResponse)
    def report_page(request: Request) -> Response:
        report = build_report(pilot.config, pilot.store.events())
        return render(
            request,
            "pilot_report.html",
            {"report": report, "charts": _charts(report), "standalone": False},
        )

    @r.get("/pilot/report.json")
    def report_json() -> JSONResponse:
        return JSONResponse(build_report(pilot.config, pilot.store.events()))

    @r.get("/pilot/trust-configuration", response_class=Response)
    def trust_configuration() -> Response:
        from pilot_sandbox.trust import _latest

        latest = _latest(pilot.store)
        return Response(latest[2] if latest else "", media_type="application/jose")

    return r
