"""How the pilot's routes run: one worker-thread hop per request, and no per-request framework work
the handlers do not use.

The pilot's handlers are plain functions of the request, the path parameters (all strings) and
the body (bytes): no model to validate, no dependency to resolve. :class:`PilotRoute` keeps them
documented in the OpenAPI document like any FastAPI route, but serves them with a lean handler:
the body is read in the event loop (at most 64 KiB, :func:`pilot_sandbox.pages.body`), then the
handler runs, with everything it does (store reads and writes, back-channel calls, templates), in
one call to a worker thread (:func:`in_thread`). Nothing that blocks runs on the event loop.

:func:`in_thread` hands a call to a thread pool through the event loop's executor, with the
caller's context (the request's :func:`~pilot_sandbox.store.deferred_writes` batch). It does what
``starlette.concurrency.run_in_threadpool`` does for these handlers (which are never cancelled
half-way: the thread finishes its call) at about two thirds of its CPU.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import inspect
import threading
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.routing import Match
from starlette.types import Scope

__all__ = ["PilotRoute", "in_thread", "THREADS"]

T = TypeVar("T")

#: worker threads per process (as many as Starlette's default thread limiter allows)
THREADS = 40

_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def _executor() -> ThreadPoolExecutor:
    global _pool
    if _pool is None:
        with _pool_lock:
            if _pool is None:
                _pool = ThreadPoolExecutor(THREADS, thread_name_prefix="pilot")
    return _pool


async def in_thread(func: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """``func(*args, **kwargs)`` in a worker thread, in a copy of the caller's context."""
    ctx = contextvars.copy_context()
    call = functools.partial(ctx.run, func, *args, **kwargs)
    return await asyncio.get_running_loop().run_in_executor(_executor(), call)


class PilotRoute(APIRoute):
    """A FastAPI route (documented as usual) whose plain-function endpoint takes only ``request``,
    path parameters and ``data`` (the body), served by :meth:`get_route_handler`.

    A request whose path does not end with the route's literal tail (``/callback``, ``/token``)
    is told apart without the path's regular expression: a sign-in's requests are matched
    against some forty pilot routes."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        self.tail = path.rpartition("}")[2]
        super().__init__(path, endpoint, **kwargs)

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if self.tail and not scope.get("path", "").endswith(self.tail):
            return Match.NONE, {}
        return super().matches(scope)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        from pilot_sandbox.pages import body

        call = self.endpoint
        if inspect.iscoroutinefunction(call):
            raise TypeError(f"{self.path}: pilot handlers are plain functions")
        names = list(inspect.signature(call).parameters)
        path_names = [n for n in names if n not in ("request", "data")]
        missing = [n for n in path_names if n not in self.param_convertors]
        if missing:
            raise TypeError(f"{self.path}: {', '.join(missing)} must be path parameters")
        wants_request = "request" in names
        wants_body = "data" in names

        async def handler(request: Request) -> Response:
            kwargs: dict[str, Any] = {n: request.path_params[n] for n in path_names}
            if wants_request:
                kwargs["request"] = request
            if wants_body:
                kwargs["data"] = await body(request)
            result = await in_thread(call, **kwargs)
            return result if isinstance(result, Response) else JSONResponse(result)

        return handler
