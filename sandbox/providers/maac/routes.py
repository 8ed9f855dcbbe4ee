"""MAAC Open API route table (SMS+ only): host root, paths with MAAC's trailing slash.

| Method | Path                                   | What                                 |
|--------|----------------------------------------|--------------------------------------|
| POST   | /openapi/v1/pnp/message/push/          | one SMS+ message (WhatsApp then SMS) |
| POST   | /openapi/v1/pnp/message/multicast/     | up to 150 SMS+ messages, SMS only    |
| GET    | /openapi/v1/pnp/message/               | send report                          |
| GET    | /openapi/v1/pnp/setting/               | SMS+ settings                        |
| GET    | /openapi/v1/pnp/setting/{id}/          | one setting with its metric          |
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from sandbox.core.boundary import ErrorShape, error_boundary
from sandbox.core.params import whole_number
from sandbox.core.ratelimit import TokenBuckets
from sandbox.providers.maac import errors, push, report
from sandbox.providers.maac.errors import FORBIDDEN_DETAIL, MaacError, detail_error, text_error, throttled
from sandbox.providers.maac.keys import backend
from sandbox.providers.maac.service import MaacProvider

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
PATH_PREFIXES = ("/openapi/",)
BASE = "/openapi/v1/pnp"


def _maac_errors(plain: bool) -> ErrorShape[MaacError]:
    """``plain``: the route answers errors in text/plain (push, multicast) rather than JSON."""
    return ErrorShape(
        domain=MaacError,
        render=lambda request, exc: errors.render(exc),
        too_large=lambda limit: MaacError(413, f"request body is larger than the {limit} bytes the sandbox accepts"),
        unparsable=lambda why: MaacError(400, f"the request body could not be parsed: {why}"),
        unexpected=lambda: text_error("emit_failed") if plain else detail_error(500, "The sandbox hit an unexpected error; see its log."),
    )


def maac_handler(*, plain: bool) -> Callable[[Handler], Handler]:
    """Every MAAC route: MaacError -> its body; anything unexpected -> MAAC's shape, never a traceback."""
    return error_boundary(_maac_errors(plain))


def _provider(request: web.Request) -> MaacProvider:
    return backend(request)


def _authenticate(request: web.Request, *, plain: bool) -> str:
    """``Authorization: Bearer {Access token}``; anything else is 403 (maac-openapi.md Response 403)."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or token not in _provider(request).config.tokens:
        raise text_error("forbidden") if plain else detail_error(403, FORBIDDEN_DETAIL)
    return token


def _json_only(request: web.Request) -> None:
    """Push and multicast parse JSON only: another Content-Type is Django REST framework's 415 (its
    parser runs after authentication and throttling, when the view first reads the body). A request
    without a Content-Type is read as JSON (UNCONFIRMED leniency: DRF would see no data and answer that
    pnp_setting_id is required)."""
    if "Content-Type" not in request.headers:
        return
    media_type = request.content_type
    if media_type != "application/json" and not media_type.endswith("+json"):
        raise detail_error(415, f'Unsupported media type "{request.headers["Content-Type"]}" in request.')


def _throttle(buckets: TokenBuckets, token: str) -> None:
    """Per official account (one token each): 429 above the documented rate."""
    if not buckets.take(token):
        raise throttled(buckets.retry_after(token))


@maac_handler(plain=True)
async def push_message(request: web.Request) -> web.StreamResponse:
    provider = _provider(request)
    token = _authenticate(request, plain=True)
    _throttle(provider.push_limit, token)
    _json_only(request)
    command = push.parse_push(push.parse_json(await request.read()), provider.config)
    (pnp_message_id,) = provider.push(command)
    return web.json_response({"id": pnp_message_id, "result": "success"})


@maac_handler(plain=True)
async def multicast_message(request: web.Request) -> web.StreamResponse:
    provider = _provider(request)
    token = _authenticate(request, plain=True)
    _throttle(provider.multicast_limit, token)
    _json_only(request)
    command = push.parse_multicast(push.parse_json(await request.read()), provider.config)
    ids = provider.push(command)
    return web.json_response([{"id": i, "result": "pending"} for i in ids])


@maac_handler(plain=False)
async def message_report(request: web.Request) -> web.StreamResponse:
    provider = _provider(request)
    _authenticate(request, plain=False)
    query = report.parse_query(request.query, provider.config)
    return web.json_response(report.page(provider.records, query, provider.config.report_whatsapp_as))


@maac_handler(plain=False)
async def settings_list(request: web.Request) -> web.StreamResponse:
    """One page holds 300 settings; a sandbox never has more, so ``next`` is always null."""
    provider = _provider(request)
    _authenticate(request, plain=False)
    if request.query.get("start"):
        raise detail_error(404, "Invalid cursor")
    results = [s.to_json() for s in provider.config.settings.values()]
    return web.json_response({"results": results, "next": None})


@maac_handler(plain=False)
async def setting_detail(request: web.Request) -> web.StreamResponse:
    provider = _provider(request)
    _authenticate(request, plain=False)
    raw = request.match_info["setting_id"]
    number = whole_number(raw)
    setting = provider.config.settings.get(number) if number is not None else None
    if setting is None:
        raise detail_error(404, "Not found.")
    return web.json_response({**setting.to_json(), "metric": provider.metric(setting.id)})


def render_http_error(request: web.Request, status: int, reason: str) -> web.StreamResponse:
    """Unrouted paths and methods under /openapi/ answer as Django REST framework does."""
    if status == 404:
        return errors.render(detail_error(404, "Not found."))
    if status == 405:
        return errors.render(detail_error(405, f'Method "{request.method}" not allowed.'))
    return errors.render(detail_error(status, reason))


def routes() -> list[web.AbstractRouteDef]:
    return [
        web.post(f"{BASE}/message/push/", push_message),
        web.post(f"{BASE}/message/multicast/", multicast_message),
        web.get(f"{BASE}/message/", message_report),
        web.get(f"{BASE}/setting/", settings_list),
        web.get(f"{BASE}/setting/{{setting_id}}/", setting_detail),
    ]
