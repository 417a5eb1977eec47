"""What a part of the pilot answers a browser with, independent of the web framework: a redirect
or a page, with the cookies to set or clear. The routers turn them into responses
(:func:`pilot_sandbox.pages.respond`), so the parts can be called and tested without a server."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from pilot_sandbox.oidc.client import BROWSER_COOKIE

__all__ = ["Cookie", "Redirect", "Page", "Answer", "browser_binding"]


@dataclass(frozen=True)
class Cookie:
    name: str
    value: str = ""
    path: str = "/"
    max_age: int | None = None
    #: clear the cookie instead of setting it
    delete: bool = False


@dataclass(frozen=True)
class Redirect:
    url: str
    cookies: tuple[Cookie, ...] = ()


@dataclass(frozen=True)
class Page:
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    status: int = 200
    cookies: tuple[Cookie, ...] = ()


Answer = Redirect | Page


def browser_binding(cookie: str | None) -> tuple[str, tuple[Cookie, ...]]:
    """The browser's binding value (its cookie, or a new one with the cookie to set): a
    sign-in's ``state`` is only answered in the browser that started it."""
    if cookie and 20 <= len(cookie) <= 64:
        return cookie, ()
    value = secrets.token_urlsafe(24)
    return value, (Cookie(BROWSER_COOKIE, value, path="/ams/", max_age=86400),)
