"""Graph's cursor paging, one way for every list the sandbox serves (message templates, blocked users,
QR codes, Flows): ``limit``, opaque ``after``/``before`` cursors, and absolute ``next``/``previous``
links on the sandbox that clients (pywa) GET verbatim."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Any, TypeVar
from urllib.parse import urlencode

from aiohttp import web

from sandbox.core.params import whole_number
from sandbox.providers.meta.errors import MetaError
from sandbox.providers.meta.http import public_base, served_path

DEFAULT_LIMIT = 25  # Graph's default page size
MAX_LIMIT = 1000

T = TypeVar("T")


def count_param(raw: str | None, default: int, name: str) -> int:
    """A non-negative whole-number parameter (ASCII digits), else Graph's 100."""
    if raw is None:
        return default
    value = whole_number(raw)
    if value is None:
        raise MetaError(100, message=f"(#100) Param {name} must be a non-negative integer")
    return value


def cursor(raw: str | None) -> int:
    try:
        text = base64.urlsafe_b64decode((raw or "") + "==").decode()
        return int(text.removeprefix("offset:"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise MetaError(100, message=f"(#100) Invalid cursor '{raw}'") from exc


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode().rstrip("=")


def paging(request: web.Request, start: int, count: int, total: int) -> dict[str, Any]:
    """Cursors plus absolute ``next``/``previous`` URLs for a page of ``count`` items at ``start``."""
    result: dict[str, Any] = {"cursors": {"before": encode_cursor(start), "after": encode_cursor(start + count)}}
    base = f"{public_base(request)}{served_path(request)}"
    keep = {k: v for k, v in request.query.items() if k not in ("after", "before")}
    if start + count < total:
        result["next"] = f"{base}?{urlencode({**keep, 'after': encode_cursor(start + count)})}"
    if start > 0:
        result["previous"] = f"{base}?{urlencode({**keep, 'before': encode_cursor(start)})}"
    return result


def page_of(request: web.Request, items: Sequence[T], *, default_limit: int = DEFAULT_LIMIT,
            max_limit: int = MAX_LIMIT) -> tuple[list[T], dict[str, Any]]:
    """The page of ``items`` the request's ``limit`` (clamped to 1..max_limit) and cursor ask for, with
    its ``paging`` object."""
    limit = min(max(count_param(request.query.get("limit"), default_limit, "limit"), 1), max_limit)
    after, before = request.query.get("after"), request.query.get("before")
    start = cursor(after) if after is not None else max(0, cursor(before) - limit) if before is not None else 0
    page = list(items[start : start + limit])
    return page, paging(request, start, len(page), len(items))
