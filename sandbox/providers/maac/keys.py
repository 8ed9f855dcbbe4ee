"""Where a MAAC handler finds its backend: under the ``web.AppKey`` MAAC owns, in the runtime the
request is served by (never the app object, so one handler serves every runtime)."""

from __future__ import annotations

from aiohttp import web

from sandbox.core.provider import served
from sandbox.providers.maac.service import MaacProvider

KEY: web.AppKey[MaacProvider] = web.AppKey("maac", MaacProvider)


def backend(request: web.Request) -> MaacProvider:
    return served(request)[KEY]
