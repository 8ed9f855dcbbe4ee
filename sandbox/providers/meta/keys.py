"""Where a Meta handler finds its backend: under the ``web.AppKey`` Meta owns, in the runtime the request
is served by (never the app object, so one handler serves every runtime)."""

from __future__ import annotations

from aiohttp import web

from sandbox.core.provider import served
from sandbox.providers.meta.service import MetaProvider

KEY: web.AppKey[MetaProvider] = web.AppKey("meta", MetaProvider)
# why a Graph request has no parameters: its JSON body came as a form (http.py)
JSON_READ_AS_FORM: web.RequestKey[str] = web.RequestKey("json_read_as_form")


def backend(request: web.Request) -> MetaProvider:
    return served(request)[KEY]
