"""Our HTTP API (/api/whatsapp/...): JSON in, ``{"success": ..., "data" | "error": ...}`` out."""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from whatsapp_service.graph import GraphError, GraphUnavailable
from whatsapp_service.keys import CONFIG, SERVICE
from whatsapp_service.service import InvalidRequest, NotFound, normalise_phone

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def failure(status: int, code: Any, message: str, **extra: Any) -> web.Response:
    return web.json_response({"success": False, "error": {"code": code, "message": message, **extra}}, status=status)


@web.middleware
async def errors_and_auth(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Bearer auth on /api/ when API_TOKEN is set; domain errors become JSON answers, never tracebacks."""
    expected = request.app[CONFIG].api_token
    if expected and request.path.startswith("/api/"):
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(given, expected):
            return failure(401, "unauthorized", "send Authorization: Bearer <API_TOKEN>")
    try:
        return await handler(request)
    except InvalidRequest as exc:
        return failure(400, "invalid_request", str(exc))
    except NotFound as exc:
        return failure(404, "not_found", str(exc))
    except GraphError as exc:
        # Meta refused the request (bad number, unknown template, ...): the caller's problem, with Meta's code.
        return failure(422, exc.code, exc.message, **({"details": exc.details} if exc.details else {}))
    except GraphUnavailable as exc:
        return failure(502, "whatsapp_unavailable", str(exc))


async def _json(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError as exc:
        raise InvalidRequest("the body must be JSON") from exc
    if not isinstance(body, dict):
        raise InvalidRequest("the body must be a JSON object")
    return body


def _int_or_none(value: Any, name: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidRequest(f"{name} must be an integer")
    return value


def _path_id(request: web.Request, name: str) -> int:
    raw = request.match_info[name]
    if not raw.isdigit():
        raise NotFound(f"no {name.removesuffix('_id')} {raw!r}")
    return int(raw)


async def send_text(request: web.Request) -> web.Response:
    body = await _json(request)
    data = await request.app[SERVICE].send_text(
        body.get("phoneNumber"), body.get("content"), _int_or_none(body.get("requestId"), "requestId"))
    return web.json_response({"success": True, "data": data})


async def send_in_conversation(request: web.Request) -> web.Response:
    body = await _json(request)
    if body.get("type", "text") != "text":
        raise InvalidRequest("type must be 'text' (the only type supported)")
    message = await request.app[SERVICE].send_in_conversation(_path_id(request, "conversation_id"), body.get("content"))
    return web.json_response({"success": True, "data": message})


async def conversation(request: web.Request) -> web.Response:
    service = request.app[SERVICE]
    conversation_id = _path_id(request, "conversation_id")
    found = service.store.conversation(conversation_id)
    if found is None:
        raise NotFound(f"no conversation {conversation_id}")
    return web.json_response({"success": True, "data": {**found, "messages": service.store.messages_of(conversation_id)}})


async def conversations(request: web.Request) -> web.Response:
    """``?phoneNumber=+1...`` finds the conversation with one number; without it, every conversation."""
    store = request.app[SERVICE].store
    if "phoneNumber" in request.query:
        found = store.conversation_by_phone(normalise_phone(request.query["phoneNumber"]))
        return web.json_response({"success": True, "data": [found] if found else []})
    return web.json_response({"success": True, "data": store.conversations()})


async def send_template(request: web.Request) -> web.Response:
    body = await _json(request)
    name, language = body.get("templateName"), body.get("languageCode")
    components, recipients = body.get("components", []), body.get("recipients")
    if not isinstance(name, str) or not name or not isinstance(language, str) or not language:
        raise InvalidRequest("templateName and languageCode are required strings")
    if not isinstance(components, list):
        raise InvalidRequest("components must be a list")
    if not isinstance(recipients, list) or not recipients or not all(isinstance(r, dict) for r in recipients):
        raise InvalidRequest("recipients must be a list of at least one {phoneNumber, requestId?}")
    result = await request.app[SERVICE].send_template(name, language, components, recipients)
    return web.json_response({"success": True, **result})


async def batch(request: web.Request) -> web.Response:
    return web.json_response({"success": True, "data": request.app[SERVICE].batch(_path_id(request, "batch_id"))})


async def templates(request: web.Request) -> web.Response:
    return web.json_response({"success": True, "data": await request.app[SERVICE].sync_templates()})


def routes() -> list[web.AbstractRouteDef]:
    return [
        web.post("/api/whatsapp/send", send_text),
        web.post("/api/whatsapp/conversations/{conversation_id}/messages", send_in_conversation),
        web.get("/api/whatsapp/conversations", conversations),
        web.get("/api/whatsapp/conversations/{conversation_id}", conversation),
        web.post("/api/whatsapp/send-template", send_template),
        web.get("/api/whatsapp/send-template/{batch_id}", batch),
        web.get("/api/whatsapp/templates", templates),
    ]
