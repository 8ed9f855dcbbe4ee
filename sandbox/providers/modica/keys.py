"""Where a Modica handler finds its backend: under the ``web.AppKey`` Modica owns, in the runtime the
request is served by (never the app object, so one handler serves every runtime)."""

from __future__ import annotations

from aiohttp import web

from sandbox.core.provider import served
from sandbox.providers.modica.service import ModicaProvider

KEY: web.AppKey[ModicaProvider] = web.AppKey("modica", ModicaProvider)


def backend(request: web.Request) -> ModicaProvider:
    return served(request)[KEY]
