"""``GET|POST|DELETE /{waba_id}/subscribed_apps`` (OPENAPI Webhook Subscriptions).

The sandbox plays one app (accounts.SANDBOX_APP), subscribed to every WABA at start. ``POST`` may carry
``override_callback_uri`` + ``verify_token`` (Meta's webhook-override page): the URL is verified with
Meta's GET handshake before it is kept, as Meta does.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from aiohttp import web

from sandbox.core.errors import ControlError
from sandbox.providers.meta.accounts.state import SANDBOX_APP, WabaAccount
from sandbox.providers.meta.config import MetaBusiness
from sandbox.providers.meta.errors import MetaError, unsupported_request
from sandbox.providers.meta.http import authenticate, graph_handler, graph_response
from sandbox.providers.meta.keys import backend
from sandbox.providers.meta.params import graph_params, require
from sandbox.providers.meta.service import verify_webhook


def _waba(request: web.Request) -> tuple[MetaBusiness, WabaAccount]:
    token = authenticate(request)
    node = request.match_info["node"]
    meta = backend(request)
    found = [b for b in meta.businesses.by_waba(node) if b.access_token == token]
    if not found:
        raise unsupported_request(request.method, node)
    return found[0], meta.accounts.waba(node)


def _app_json(account: WabaAccount) -> dict[str, Any]:
    item: dict[str, Any] = {"whatsapp_business_api_data": dict(SANDBOX_APP)}
    if account.override_callback_uri:
        item["override_callback_uri"] = account.override_callback_uri
    return item


@graph_handler
async def list_apps(request: web.Request) -> web.StreamResponse:
    _, account = _waba(request)
    return graph_response(request, {"data": [_app_json(account)] if account.subscribed else []})


@graph_handler
async def subscribe(request: web.Request) -> web.StreamResponse:
    business, account = _waba(request)
    params = await graph_params(request)
    uri = params.get("override_callback_uri")
    if not uri:
        account.subscribed = True
        # Meta's webhook-override page: a POST without override_callback_uri deletes the WABA's override
        # (pywa delete_waba_callback_url does exactly that).
        account.override_callback_uri = None
        return graph_response(request, {"success": True})
    await verify_override(request, business, str(uri), str(require(params, "verify_token")))
    account.subscribed, account.override_callback_uri = True, str(uri)
    return graph_response(request, {"success": True, "data": [_app_json(account)]})  # OPENAPI custom_callback_success


@graph_handler
async def unsubscribe(request: web.Request) -> web.StreamResponse:
    _, account = _waba(request)
    account.subscribed, account.override_callback_uri = False, None
    return graph_response(request, {"success": True})


async def verify_override(request: web.Request, business: MetaBusiness, uri: str, token: str) -> None:
    """Meta verifies an override URL with the GET handshake before keeping it."""
    if not uri.startswith(("http://", "https://")):
        raise MetaError(100, f"Param override_callback_uri must be an http(s) URL; got '{uri}'.")
    try:
        await verify_webhook(backend(request), replace(business, verify_token=token), uri)
    except ControlError as exc:
        # Graph's callback-verification error (code 2200; wording UNCONFIRMED).
        raise MetaError(2200, message=f"(#2200) Callback verification failed: {exc}") from exc
