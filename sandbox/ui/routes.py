"""The web inbox at /_sandbox/inbox: one page, its static assets, a live feed and two small reads.

Everything else the page needs it takes from the control API (/_sandbox/messages, /inbound,
/webhooks, /scenario, /reset, /clock), so acting as the user in the browser sends exactly the
webhook a test's ``POST /_sandbox/inbound`` would.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from aiohttp import web

from sandbox.control.routes import control
from sandbox.core.errors import ControlError
from sandbox.keys import RUNTIME, runtime_of

PREFIX = "/_sandbox/inbox"
STATIC = Path(__file__).parent / "static"
HEARTBEAT = 15.0  # seconds between SSE comments, so proxies keep the stream open and dead peers surface
MAX_DIRECTORY = 1000  # users named in one directory answer
SHUTDOWN = {"kind": "shutdown"}
ASSET_TYPES = {".js": "text/javascript", ".css": "text/css"}  # the only files the page loads

# The page loads only from the sandbox; data is never markup (the JS uses textContent), and this
# policy is a second fence. Media previews may come from the links the application sent.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self' data: http: https:; media-src 'self' http: https:; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'self'; form-action 'none'"
)


async def page(request: web.Request) -> web.StreamResponse:
    html = (STATIC / "index.html").read_text(encoding="utf-8")
    return web.Response(
        text=html,
        content_type="text/html",
        headers={"Content-Security-Policy": CSP, "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"},
    )


@control
async def asset(request: web.Request) -> web.StreamResponse:
    """A file of the page (``app.js``, ``inbox.css``...): only names in the folder, never a path."""
    name = request.match_info["name"]
    path = STATIC / name
    kind = ASSET_TYPES.get(path.suffix)
    if kind is None or "/" in name or name.startswith(".") or not path.is_file():
        raise ControlError(f"the inbox has no asset '{name}'", 404)
    return web.Response(
        body=path.read_bytes(), content_type=kind, charset="utf-8", headers={"Cache-Control": "no-cache"}
    )


async def events(request: web.Request) -> web.StreamResponse:
    """Server-sent events: every change the feed publishes (message, status, read, webhook)."""
    feed = runtime_of(request).feed
    response = web.StreamResponse(
        headers={"Content-Type": "text/event-stream", "Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    )
    await response.prepare(request)
    queue = feed.subscribe()
    try:
        await response.write(b"retry: 1000\nevent: hello\ndata: {}\n\n")
        while True:
            try:
                event = await asyncio.wait_for(queue.get(), HEARTBEAT)
            except TimeoutError:
                await response.write(b": keep-alive\n\n")
                continue
            if event == SHUTDOWN:
                break
            await response.write(f"data: {json.dumps(event, default=str)}\n\n".encode())
    except ConnectionResetError:
        pass  # the browser went away; aiohttp's ClientConnectionResetError is a ConnectionResetError
    finally:
        feed.unsubscribe(queue)
    return response


async def end_streams(app: web.Application) -> None:
    """on_shutdown: close open event streams so the server does not wait for them."""
    app[RUNTIME].feed.publish(dict(SHUTDOWN))


@control
async def directory(request: web.Request) -> web.StreamResponse:
    """Names for the users in the journal (scenario personas or the seeded fake names)."""
    rt = runtime_of(request)
    users: dict[str, str] = {}
    for message in rt.journal:
        if message.user not in users and len(users) < MAX_DIRECTORY:
            users[message.user] = message.meta.get("name") or rt.engine.persona(message.user).name
    return web.json_response({"users": users})


@control
async def address_form(request: web.Request) -> web.StreamResponse:
    """The address form a message opens (a Meta address message): its country's fields, prefilled as the
    app asked and otherwise with what this user would plausibly type; from its provider's spec
    (``address_form``)."""
    rt = runtime_of(request)
    message = rt.journal.get(request.match_info["id"])
    spec = rt.spec(message.provider) if message is not None else None
    form = None
    if message is not None and spec is not None and spec.address_form is not None:
        form = spec.address_form(rt[spec.key], message)
    if form is None:
        raise ControlError(f"'{request.match_info['id']}' is not an address message in the journal", 404)
    return web.json_response(form)


@control
async def media(request: web.Request) -> web.StreamResponse:
    """Preview bytes of a media id from the runtime's one MediaStore, without the provider's auth and
    expiry rules: ``provider`` is whose API showed the id (Meta's media id, Modica's ``media_id``).

    An id the store does not hold for that provider (unknown, evicted, or another provider's) is a
    404 and the page shows a file card.
    """
    rt = runtime_of(request)
    provider, media_id = request.match_info["provider"], request.match_info["id"]
    # a provider may prefix its keys in the one MediaStore (Modica: so an id a test gives both providers
    # never replaces the other's bytes); its spec's media_key_prefix
    spec = rt.spec(provider)
    key = (spec.media_key_prefix if spec is not None else "") + media_id
    record = rt.media_store.get(key)
    if record is None or record.provider != provider:
        raise ControlError(f"no media '{media_id}' in the {provider} media store", 404)
    return web.FileResponse(rt.media_store.path(key),
                            headers={"Content-Type": record.mime_type, "Cache-Control": "no-store"})


ROUTES: list[web.AbstractRouteDef] = [
    web.get(PREFIX, page),
    web.get(f"{PREFIX}/", page),
    web.get(f"{PREFIX}/events", events),
    web.get(f"{PREFIX}/api/directory", directory),
    web.get(f"{PREFIX}/api/address-form/{{id}}", address_form),
    web.get(f"{PREFIX}/api/media/{{provider}}/{{id}}", media),
    web.get(f"{PREFIX}/static/{{name}}", asset),
]
