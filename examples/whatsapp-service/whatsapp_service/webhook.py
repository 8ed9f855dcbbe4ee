"""The webhook endpoint Meta calls: GET verification handshake, POST signed notifications.

https://developers.facebook.com/docs/graph-api/webhooks/getting-started
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging

from aiohttp import web

from whatsapp_service.keys import CONFIG, SERVICE

log = logging.getLogger(__name__)


async def verify(request: web.Request) -> web.Response:
    """Meta sends hub.mode=subscribe, hub.verify_token and hub.challenge; answer the challenge verbatim."""
    query = request.query
    if query.get("hub.mode") == "subscribe" and hmac.compare_digest(
            query.get("hub.verify_token", ""), request.app[CONFIG].verify_token):
        return web.Response(text=query.get("hub.challenge", ""))
    return web.Response(status=403, text="verification failed")


def signature_valid(app_secret: str, body: bytes, header: str) -> bool:
    """X-Hub-Signature-256 is "sha256=" + HMAC-SHA256 of the raw body with the app secret."""
    expected = "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header)


async def notify(request: web.Request) -> web.Response:
    body = await request.read()
    if not signature_valid(request.app[CONFIG].app_secret, body, request.headers.get("X-Hub-Signature-256", "")):
        log.warning("webhook with a missing or wrong X-Hub-Signature-256 refused")
        return web.Response(status=401, text="invalid signature")
    try:
        payload = json.loads(body)
    except ValueError:
        return web.Response(status=400, text="body is not JSON")
    if not isinstance(payload, dict) or payload.get("object") != "whatsapp_business_account":
        return web.Response(status=400, text="not a WhatsApp Business Account notification")
    # Answer 200 only once stored: anything else makes Meta retry, which is what we want on failure.
    try:
        request.app[SERVICE].apply_webhook(payload)
    except (AttributeError, TypeError, ValueError) as exc:  # a malformed envelope: log it, never a 500
        log.warning("webhook not understood: %s", exc)
        return web.Response(status=400, text="notification not understood")
    return web.Response(text="ok")


def routes() -> list[web.AbstractRouteDef]:
    return [web.get("/webhook", verify), web.post("/webhook", notify)]
