"""Typed application keys: every shared object the handlers reach, in one place."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

if TYPE_CHECKING:
    from sandbox.limits import Admission
    from sandbox.runtime import Runtime

RUNTIME: web.AppKey[Runtime] = web.AppKey("runtime")
ADMISSION: web.AppKey[Admission] = web.AppKey("admission")  # requests in flight against the cap
