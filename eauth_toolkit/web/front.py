"""Front doors: routes of a part served with only the service's own layers.

A request to the service passes, before it reaches its route, FastAPI's own layers (exception
telemetry, FastAPI's body-size wrapper, the exception handlers' layer, an exit stack for uploaded
files) and a scan of every route of the service. For the pilot's routes, some 17 requests per
sign-in with a small handler each, those layers were about a sixth of the CPU the event loop spent
on a request. :class:`Service` (the app :func:`~eauth_toolkit.web.app.create_app` builds) lets a
part name a path prefix and the routes under it (:meth:`Service.add_front`); such a request then
goes through:

1. Starlette's server-error layer, with the service's own 500 handler, as every request;
2. the service's own middleware (:attr:`FastAPI.user_middleware`: body limits, content types,
   the parts' middleware), the same instances' classes in the same order;
3. the route itself, with the service's exception handlers in place (the scope entry Starlette's
   exception layer would set), so an error answers exactly as it would have.

What is not used by these routes is skipped: FastAPI's telemetry hook (nothing is recorded while
telemetry is not configured), its body-size wrapper (the service sets no ``max_body_size``: the
body limits are the service's own), the exit stack for uploaded files (these routes take none).
A request under the prefix that matches none of the routes (a 404, a 405) goes the full way.
The routes stay in the app's route list, so the OpenAPI document lists them as before.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI
from starlette.exceptions import HTTPException
from starlette.middleware.errors import ServerErrorMiddleware
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["Service"]


class Service(FastAPI):
    """The service's app: FastAPI with front doors (see the module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._fronts: list[tuple[str, tuple[BaseRoute, ...]]] = []
        self._front_stack: ASGIApp | None = None

    def add_front(self, prefix: str, routes: Sequence[BaseRoute]) -> None:
        """Serve ``routes`` (already in the app's route list) through the front door when the
        path starts with ``prefix``."""
        self._fronts.append((prefix, tuple(routes)))
        self._front_stack = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self._fronts:
            path = scope["path"]
            for prefix, routes in self._fronts:
                if path.startswith(prefix):
                    for route in routes:
                        match, child = route.matches(scope)
                        if match is Match.FULL:
                            scope["app"] = self
                            if self.root_path:
                                scope["root_path"] = self.root_path
                            scope.update(child)
                            scope["front.route"] = route
                            stack = self._front_stack or self._build_front()
                            await stack(scope, receive, send)
                            return
                    break
        await super().__call__(scope, receive, send)

    def _build_front(self) -> ASGIApp:
        handlers: dict[Any, Any] = {}
        statuses: dict[int, Any] = {}
        error_handler = None
        for key, value in self.exception_handlers.items():
            if key in (500, Exception):
                error_handler = value
            elif isinstance(key, int):
                statuses[key] = value
            else:
                handlers[key] = value
        handlers.setdefault(HTTPException, _plain_http_error)
        caught = (handlers, statuses)

        async def route(scope: Scope, receive: Receive, send: Send) -> None:
            scope["starlette.exception_handlers"] = caught
            await scope["front.route"].handle(scope, receive, send)

        app: ASGIApp = route
        for middleware in reversed(self.user_middleware):
            factory, args, kwargs = middleware
            app = factory(app, *args, **kwargs)
        self._front_stack = ServerErrorMiddleware(app, handler=error_handler, debug=self.debug)
        return self._front_stack


async def _plain_http_error(request: Any, exc: HTTPException) -> Any:
    from starlette.middleware.exceptions import ExceptionMiddleware

    return await ExceptionMiddleware(None).http_exception(request, exc)  # type: ignore[arg-type]
