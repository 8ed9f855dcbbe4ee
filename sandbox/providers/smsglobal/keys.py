"""Where a SMSGlobal handler finds its backend: under the ``web.AppKey`` SMSGlobal owns, in the runtime the
request is served by (never the app object, so one handler serves every runtime)."""

from __future__ import annotations

from aiohttp import web

from sandbox.core.provider import served
from sandbox.providers.smsglobal.service import SmsglobalProvider

KEY: web.AppKey[SmsglobalProvider] = web.AppKey("smsglobal", SmsglobalProvider)


def backend(request: web.Request) -> SmsglobalProvider:
    return served(request)[KEY]
