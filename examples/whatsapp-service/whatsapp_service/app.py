"""create_app(config): the aiohttp application, its Graph API session and its store."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
from aiohttp import web

from whatsapp_service import api, webhook
from whatsapp_service.config import Config
from whatsapp_service.graph import CloudAPI
from whatsapp_service.keys import CONFIG, SERVICE
from whatsapp_service.service import WhatsAppService
from whatsapp_service.store import Store


def create_app(config: Config) -> web.Application:
    app = web.Application(middlewares=[api.errors_and_auth])
    app[CONFIG] = config
    app.add_routes(api.routes() + webhook.routes() + [web.get("/health", health)])
    app.cleanup_ctx.append(_service)
    return app


async def _service(app: web.Application) -> AsyncIterator[None]:
    config = app[CONFIG]
    store = Store(config.database_path)
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
        app[SERVICE] = WhatsAppService(CloudAPI(config, session), store)
        yield
    store.close()


async def health(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})
