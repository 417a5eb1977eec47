"""Pilot sandbox benchmark: complete sign-ins over loopback HTTP.

1. Cross-border sign-ins (service -> Connector -> Proxy -> national IdP and back: three providers in
   the chain) at concurrency 1, 8 and 32: flows/s, latency p50/p95/p99 of whole flows (first request
   to the signed-in page, as the citizen waits), and the server processes' CPU time per flow read
   from /proc before and after. The service runs in its own process group; the flows are driven by
   a lean keep-alive HTTP client over the standard library (cookies, no automatic redirects: the
   same steps as ``drive_flow`` with httpx, at a fraction of the client CPU), so on 2 cores the
   client takes little of the machine and the latency is the service's. The client's own CPU per
   flow is printed next to the server's. Afterwards: events recorded = flows driven.
2. Direct sign-ins (authorization request, login, consent, token request with private_key_jwt, ID
   token validation) against the built-in reference IdP alone, against MockPass 4.3.4 and against
   oidc-provider 9, at concurrency 8, with the providers' CPU per sign-in and their ratios.

Targets: built-in IdP <= 5 ms server CPU per direct sign-in; cross-border p95 < 150 ms at concurrency 8.

    .venv/bin/python bench/pilot_bench.py [--quick] [--cross-only] [--server-root DIR]

``--server-root`` serves the code of another checkout (e.g. ``git archive`` of an older commit
unpacked in a folder) with the same client, to compare two versions back to back.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urljoin, urlparse, urlsplit

import httpx
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwe, jwt
from joserfc.jwk import KeySet

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pilot_sandbox.keys import key_ring  # noqa: E402
from pilot_sandbox.report import percentile  # noqa: E402
from pilot_sandbox.runner import FlowPlan, drive_flow  # noqa: E402
from pilot_sandbox.store import Store  # noqa: E402

INTEROP = ROOT / "tests" / "interop"
TICK = os.sysconf("SC_CLK_TCK")
JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_http(url: str, timeout: float = 40) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"{url} did not come up")


def group_cpu(pgid: int) -> float:
    """CPU seconds (user + system) of every live process in a process group (uvicorn, or a Node
    peer with its restart supervisor)."""
    total = 0
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            fields = Path(f"/proc/{d}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # field 5 (pgrp) after the command name
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICK


class Proc:
    def __init__(self, args: list[str], env: dict[str, str], cwd: Path = ROOT) -> None:
        self.p = subprocess.Popen(
            args,
            env={**os.environ, **env},
            cwd=cwd,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )

    def cpu(self) -> float:
        return group_cpu(self.p.pid)

    def stop(self) -> None:
        try:
            os.killpg(self.p.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        self.p.wait(timeout=20)


class LeanUrl(str):
    """An absolute URL; ``join`` resolves a redirect target against it (as ``httpx.URL.join``)."""

    def join(self, target: str) -> LeanUrl:
        return LeanUrl(urljoin(self, target))


class LeanResponse:
    __slots__ = ("status_code", "headers", "text", "url")

    def __init__(self, status_code: int, headers: dict[str, str], text: str, url: str) -> None:
        self.status_code = status_code
        self.headers = headers  # lower-case names
        self.text = text
        self.url = LeanUrl(url)


class LeanClient:
    """The part of ``httpx.Client`` that ``drive_flow`` uses, over ``http.client``: one keep-alive
    connection per host, a cookie jar by name (the pilot's cookies are host-wide, path ``/``), no
    automatic redirects. A browser-like client whose own CPU stays small next to the server's."""

    def __init__(self, timeout: float = 60) -> None:
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self._conns: dict[tuple[str, int], http.client.HTTPConnection] = {}

    def _conn(self, host: str, port: int, fresh: bool = False) -> http.client.HTTPConnection:
        conn = self._conns.get((host, port))
        if conn is None or fresh:
            if conn is not None:
                conn.close()
            conn = self._conns[(host, port)] = http.client.HTTPConnection(
                host, port, timeout=self.timeout
            )
        return conn

    def request(
        self,
        method: str,
        url: str,
        *,
        params: dict[str, str] | None = None,
        data: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> LeanResponse:
        if params:
            url += ("&" if "?" in url else "?") + urlencode(params)
        u = urlsplit(url)
        path = (u.path or "/") + (f"?{u.query}" if u.query else "")
        hdrs = {"Accept": "*/*", **(headers or {})}
        if self.cookies:
            hdrs["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urlencode(data)
            hdrs["Content-Type"] = "application/x-www-form-urlencoded"
        host, port = u.hostname or "127.0.0.1", u.port or 80
        for attempt in (0, 1):
            conn = self._conn(host, port, fresh=attempt == 1)
            try:
                conn.request(method, path, body, hdrs)
                resp = conn.getresponse()
                raw = resp.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                if attempt:  # an idle keep-alive connection closed by the server: retry once
                    raise
        for cookie in resp.headers.get_all("set-cookie") or []:
            name, _, rest = cookie.partition("=")
            value, _, attrs = rest.partition(";")
            if "max-age=0" in attrs.lower().replace(" ", "") or not value.strip('"'):
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = value
        return LeanResponse(
            resp.status,
            {k.lower(): v for k, v in resp.getheaders()},
            raw.decode("utf-8", "replace"),
            url,
        )

    def get(
        self,
        url: str,
        *,
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> LeanResponse:
        return self.request("GET", url, params=params, headers=headers)

    def post(
        self, url: str, *, data: dict[str, str] | None = None, headers: dict[str, str] | None = None
    ) -> LeanResponse:
        return self.request("POST", url, data=data, headers=headers)

    def close(self) -> None:
        for conn in self._conns.values():
            conn.close()


def run_load(
    fn: Callable[[Any, int], bool],
    n: int,
    concurrency: int,
    server: Proc,
    make_client: Callable[[], Any] = lambda: httpx.Client(timeout=60),
) -> dict[str, float]:
    """``n`` calls of ``fn`` (one whole sign-in each) on ``concurrency`` threads, each with its own
    client (fresh cookies per sign-in); the latency of each call is one flow, end to end."""
    local = threading.local()
    lat: list[float] = []
    lock = threading.Lock()

    def one(i: int) -> bool:
        client = getattr(local, "c", None)
        if client is None:
            client = local.c = make_client()
        client.cookies.clear()
        t0 = time.perf_counter()
        ok = fn(client, i)
        with lock:
            lat.append((time.perf_counter() - t0) * 1000)
        return ok

    cpu0, t0, me0 = server.cpu(), time.perf_counter(), time.process_time()
    with ThreadPoolExecutor(concurrency) as pool:
        oks = list(pool.map(one, range(n)))
    wall, cpu, me = time.perf_counter() - t0, server.cpu() - cpu0, time.process_time() - me0
    return {
        "n": n,
        "ok": sum(oks),
        "flows_per_s": round(n / wall, 1),
        "p50_ms": percentile(lat, 50) or 0,
        "p95_ms": percentile(lat, 95) or 0,
        "p99_ms": percentile(lat, 99) or 0,
        "server_cpu_ms_per_flow": round(cpu * 1000 / n, 2),
        "client_cpu_ms_per_flow": round(me * 1000 / n, 2),
    }


def assertion(key, client_id: str, aud: str) -> str:  # type: ignore[no-untyped-def]
    now = int(time.time())
    claims = {
        "iss": client_id,
        "sub": client_id,
        "aud": aud,
        "iat": now,
        "exp": now + 60,
        "jti": secrets.token_urlsafe(16),
    }
    return jwt.encode({"alg": "ES256", "kid": key.kid, "typ": "JWT"}, claims, key)


def direct_sign_in(
    client: httpx.Client,
    *,
    authorize: str,
    token: str,
    issuer: str,
    client_id: str,
    redirect_uri: str,
    ring,
    jwks: KeySet,
    scope: str,
    login: Callable[[httpx.Client, httpx.Response], httpx.Response] | None = None,
    headers: dict[str, str] | None = None,
) -> bool:  # type: ignore[no-untyped-def]
    verifier, state, nonce = (
        secrets.token_urlsafe(48),
        secrets.token_urlsafe(12),
        secrets.token_urlsafe(12),
    )
    q = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "scope": scope,
        "state": state,
        "nonce": nonce,
        "code_challenge": create_s256_code_challenge(verifier),
        "code_challenge_method": "S256",
    }
    r = client.get(f"{authorize}?{urlencode(q)}", headers=headers)
    if login is not None:
        r = login(client, r)
    for _ in range(10):
        loc = r.headers.get("location", "")
        if loc.startswith(redirect_uri):
            break
        if r.status_code not in (302, 303):
            return False
        r = client.get(str(r.url.join(loc)), headers=headers)
    params = parse_qs(urlparse(r.headers["location"]).query)
    if params.get("state", [""])[0] != state or "code" not in params:
        return False
    form = {
        "grant_type": "authorization_code",
        "code": params["code"][0],
        "redirect_uri": redirect_uri,
        "code_verifier": verifier,
        "client_id": client_id,
        "client_assertion_type": JWT_BEARER,
        "client_assertion": assertion(ring.signing_key, client_id, issuer),
    }
    resp = client.post(token, data=form)
    if resp.status_code != 200:
        return False
    id_token = resp.json()["id_token"]
    if id_token.count(".") == 4:
        id_token = jwe.decrypt_compact(
            id_token, ring.encryption_keys, algorithms=["ECDH-ES+A256KW", "A256CBC-HS512"]
        ).plaintext.decode()
    claims = jwt.decode(id_token, jwks, algorithms=["ES256"]).claims
    return bool(claims.get("nonce") == nonce and claims.get("iss") == issuer)


def builtin_login(client: httpx.Client, r: httpx.Response) -> httpx.Response:
    base = str(r.url).split("/authorize", 1)[0]
    rid = re.search(r'name="rid" value="([^"]+)"', r.text).group(1)  # type: ignore[union-attr]
    r = client.post(
        f"{base}/login", data={"rid": rid, "username": "tan.mei.ling", "password": "sandbox"}
    )
    sid = re.search(r'name="sid" value="([^"]+)"', r.text).group(1)  # type: ignore[union-attr]
    return client.post(f"{base}/consent", data={"sid": sid, "decision": "allow"})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer flows (a smoke run)")
    ap.add_argument(
        "--workers", type=int, default=1, choices=range(1, 9), help="uvicorn workers of the service"
    )
    ap.add_argument(
        "--cross-only", action="store_true", help="only the cross-border runs (no direct sign-ins)"
    )
    ap.add_argument(
        "--server-root",
        type=Path,
        default=ROOT,
        help="serve the code of this checkout (default: this one), to compare versions",
    )
    args = ap.parse_args()
    scale = 0.25 if args.quick else 1.0
    tmp = Path(tempfile.mkdtemp(prefix="pilot-bench-"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    db = f"sqlite:///{tmp / 'bench.sqlite3'}"
    env = {"EAUTH_DATA_DIR": str(tmp), "EAUTH_BASE_URL": base, "EAUTH_DATABASE_URL": db}
    server = Proc(
        [
            sys.executable,
            "-m",
            "eauth_toolkit",
            "sandbox",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(args.workers),
        ],
        env,
        cwd=args.server_root.resolve(),
    )
    peers: list[Proc] = []
    try:
        wait_http(f"{base}/ams/sg/idp/jwks")
        if args.workers > 1:  # every worker up before measuring
            with httpx.Client(limits=httpx.Limits(max_keepalive_connections=0)) as probe:
                seen: set[str] = set()
                for _ in range(400):
                    seen.add(probe.get(f"{base}/ams/sg/idp/jwks").headers.get("x-eauth-worker", ""))
                    if len(seen) >= args.workers:
                        break
                    time.sleep(0.05)
        print(
            f"pilot_bench: service on {base} ({args.workers} uvicorn worker(s), SQLite, code of "
            f"{args.server_root.resolve()}), {os.cpu_count()} cores"
        )
        results: dict[str, dict[str, float]] = {}

        plans = [
            FlowPlan("MY", "tax-filing", "SG", "tan.mei.ling"),
            FlowPlan("SG", "company-registration", "MY", "nur.aisyah"),
        ]

        def cross(client: LeanClient, i: int) -> bool:
            # LeanClient offers the part of httpx.Client that drive_flow uses
            return drive_flow(client, base, plans[i % 2]).outcome == "succeeded"  # type: ignore[arg-type]

        driven = 0
        for i in range(4):  # warm-up (both directions, twice)
            assert cross(LeanClient(), i), "warm-up flow failed"
            driven += 1
        for conc, n in ((1, 40), (8, 160), (32, 320)):
            n = max(conc, int(n * scale))
            results[f"cross-border c={conc}"] = run_load(cross, n, conc, server, LeanClient)
            driven += n

        store = Store.open(db, lock_dir=tmp)
        recorded = len({e["flow_id"] for e in store.events() if e["step"] == "service.start"})

        if not args.cross_only:
            sg_proxy = key_ring(store, "sg/proxy", encryption=True)
            my_proxy = key_ring(store, "my/proxy", encryption=True)
            idp_jwks = KeySet.import_key_set(httpx.get(f"{base}/ams/sg/idp/jwks").json())
            n_direct = max(8, int(200 * scale))

            def builtin(client: httpx.Client, i: int) -> bool:
                return direct_sign_in(
                    client,
                    authorize=f"{base}/ams/sg/idp/authorize",
                    token=f"{base}/ams/sg/idp/token",
                    issuer=f"{base}/ams/sg/idp",
                    client_id=f"{base}/ams/sg/proxy",
                    redirect_uri=f"{base}/ams/sg/proxy/callback",
                    ring=sg_proxy,
                    jwks=idp_jwks,
                    scope="openid",
                    login=builtin_login,
                )

            direct_sign_in(
                httpx.Client(),
                authorize=f"{base}/ams/sg/idp/authorize",
                token=f"{base}/ams/sg/idp/token",
                issuer=f"{base}/ams/sg/idp",
                client_id=f"{base}/ams/sg/proxy",
                redirect_uri=f"{base}/ams/sg/proxy/callback",
                ring=sg_proxy,
                jwks=idp_jwks,
                scope="openid",
                login=builtin_login,
            )
            results["direct: built-in IdP c=8"] = run_load(builtin, n_direct, 8, server)

            node = shutil.which("node")
            if node and (INTEROP / "node_modules").is_dir():
                mp_port, op_port = free_port(), free_port()
                mockpass = Proc(
                    [node, "mockpass_server.js"],
                    {"PORT": str(mp_port), "SP_RP_JWKS_ENDPOINT": f"{base}/ams/sg/proxy/jwks"},
                    INTEROP,
                )
                peer = Proc(
                    [node, "oidc_provider_server.mjs"],
                    {
                        "PORT": str(op_port),
                        "CLIENT_ID": f"{base}/ams/my/proxy",
                        "REDIRECT_URI": f"{base}/ams/my/proxy/callback",
                        "CLIENT_JWKS_URI": f"{base}/ams/my/proxy/jwks",
                    },
                    INTEROP,
                )
                peers += [mockpass, peer]
                mp_iss, op_iss = (
                    f"http://127.0.0.1:{mp_port}/singpass/v2",
                    f"http://127.0.0.1:{op_port}",
                )
                wait_http(f"{mp_iss}/.well-known/openid-configuration")
                wait_http(f"{op_iss}/.well-known/openid-configuration")
                mp_jwks = KeySet.import_key_set(httpx.get(f"{mp_iss}/.well-known/keys").json())
                op_jwks = KeySet.import_key_set(httpx.get(f"{op_iss}/jwks").json())

                def mockpass_fn(client: httpx.Client, i: int) -> bool:
                    return direct_sign_in(
                        client,
                        authorize=f"{mp_iss}/authorize",
                        token=f"{mp_iss}/token",
                        issuer=mp_iss,
                        client_id=f"{base}/ams/sg/proxy",
                        redirect_uri=f"{base}/ams/sg/proxy/callback",
                        ring=sg_proxy,
                        jwks=mp_jwks,
                        scope="openid",
                    )

                def peer_fn(client: httpx.Client, i: int) -> bool:
                    return direct_sign_in(
                        client,
                        authorize=f"{op_iss}/auth",
                        token=f"{op_iss}/token",
                        issuer=op_iss,
                        client_id=f"{base}/ams/my/proxy",
                        redirect_uri=f"{base}/ams/my/proxy/callback",
                        ring=my_proxy,
                        jwks=op_jwks,
                        scope="openid profile",
                    )

                mockpass_fn(httpx.Client(), 0)
                peer_fn(httpx.Client(), 0)
                results["direct: MockPass 4.3.4 c=8"] = run_load(mockpass_fn, n_direct, 8, mockpass)
                results["direct: oidc-provider 9 c=8"] = run_load(peer_fn, n_direct, 8, peer)
            else:
                print(
                    "(Node peers not installed: run `make node` for the MockPass and oidc-provider comparisons)"
                )

        print(
            f"\n{'run':32s} {'n':>5s} {'ok':>5s} {'flows/s':>8s} {'p50 ms':>8s} {'p95 ms':>8s} {'p99 ms':>8s} {'server CPU ms/flow':>19s} {'client CPU ms/flow':>19s}"
        )
        for name, r in results.items():
            print(
                f"{name:32s} {r['n']:5d} {r['ok']:5d} {r['flows_per_s']:8.1f} {r['p50_ms']:8.1f} {r['p95_ms']:8.1f} {r['p99_ms']:8.1f} {r['server_cpu_ms_per_flow']:19.2f} {r['client_cpu_ms_per_flow']:19.2f}"
            )
        b = results.get("direct: built-in IdP c=8", {}).get("server_cpu_ms_per_flow", 0.0)
        for name in ("direct: MockPass 4.3.4 c=8", "direct: oidc-provider 9 c=8"):
            if name in results:
                other = results[name]
                print(
                    f"ratio {name.split(': ')[1][:-4]:>20s} / built-in IdP: CPU per sign-in x{other['server_cpu_ms_per_flow'] / b:.2f}, "
                    f"sign-ins/s x{other['flows_per_s'] / results['direct: built-in IdP c=8']['flows_per_s']:.2f}"
                )
        p95 = results["cross-border c=8"]["p95_ms"]
        print(
            f"\nevents: {recorded} flows recorded for {driven} driven ({'no event lost' if recorded == driven else 'EVENTS LOST'})"
        )
        if not args.cross_only:
            print(
                f"target built-in IdP <= 5 ms server CPU per direct sign-in: {b:.2f} ms -> {'met' if b <= 5 else 'NOT met'}"
            )
        print(
            f"target cross-border p95 < 150 ms at concurrency 8: {p95:.1f} ms -> {'met' if p95 < 150 else 'NOT met'}"
        )
        (tmp / "pilot_bench.json").write_text(json.dumps(results, indent=2))
        if recorded != driven or any(r["ok"] != r["n"] for r in results.values()):
            raise SystemExit(1)
    finally:
        for p in peers:
            p.stop()
        server.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
