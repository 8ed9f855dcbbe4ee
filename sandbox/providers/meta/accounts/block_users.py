"""``GET|POST|DELETE /{phone_number_id}/block_users`` (OPENAPI Block Users; Meta's block-users page).

Meta's rules: only users who messaged the business in the last 24 hours can be blocked; at most 1,000
users per request and 64,000 on the list; unblocking has no 24-hour rule; the business cannot message a
blocked user ("Attempts to message a blocked user return an error"). Failures are per user, in
``block_users.failed_users``, with a top-level ``errors`` object as pywa's ``UsersBlockedResult`` reads it.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from sandbox.core.messaging import WINDOW_SECONDS
from sandbox.core.numbers import InvalidNumber, normalize
from sandbox.providers.meta.accounts.state import BlockedUser, NumberAccount
from sandbox.providers.meta.config import MetaBusiness
from sandbox.providers.meta.errors import MetaError, render_error
from sandbox.providers.meta.http import authenticate, business_for, graph_handler, graph_response
from sandbox.providers.meta.keys import backend
from sandbox.providers.meta.paging import page_of
from sandbox.providers.meta.params import graph_params, require
from sandbox.providers.meta.service import MetaProvider

MAX_PER_REQUEST = 1000
MAX_BLOCKLIST = 64_000
BULK_FAILED = 139100  # "Failed to block/unblock users" (pywa errors.BulkBlockingFailed)
LIMIT_REACHED = 139101  # "Blocklist limit reached"


def _target(request: web.Request) -> tuple[MetaProvider, MetaBusiness, NumberAccount]:
    token = authenticate(request)
    business = business_for(request, request.match_info["node"], token)
    meta = backend(request)
    return meta, business, meta.accounts.number(business.phone_number_id)


@graph_handler
async def list_blocked(request: web.Request) -> web.StreamResponse:
    _, _, account = _target(request)
    users = list(account.blocked.values())
    page, paging = page_of(request, users)
    # OPENAPI's item is {messaging_product, wa_id}; `input` is added because pywa 4.5's BlockedUser needs it.
    data = [{"messaging_product": "whatsapp", **_user_json(u)} for u in page]
    return graph_response(request, {"data": data, "paging": paging})


@graph_handler
async def block(request: web.Request) -> web.StreamResponse:
    meta, business, account = _target(request)
    entries = await _entries(request)
    added: list[dict[str, Any]] = []
    failed: list[dict[str, Any]] = []
    for entry in entries:
        problem, user = _resolve(meta, business, entry)
        if problem is None and user is not None:
            problem = _cannot_block(meta, business, account, user)
        if problem is not None or user is None:
            failed.append({"input": _input_of(entry), "errors": [_failure(problem or "")]})
            continue
        account.blocked[user.number or user.input] = user
        added.append(_user_json(user))
    body: dict[str, Any] = {"messaging_product": "whatsapp", "block_users": {"added_users": added}}
    if failed:
        body["block_users"]["failed_users"] = failed
        body["errors"] = _bulk_error(meta, "Failed to block some users, see the block_users response list for details")
    return graph_response(request, body)


@graph_handler
async def unblock(request: web.Request) -> web.StreamResponse:
    meta, business, account = _target(request)
    removed: list[dict[str, Any]] = []
    failed: list[dict[str, Any]] = []
    for entry in await _entries(request):
        problem, user = _resolve(meta, business, entry)
        if problem is not None or user is None:
            failed.append({"input": _input_of(entry), "errors": [_failure(problem or "")]})
            continue
        account.blocked.pop(user.number or user.input, None)
        removed.append(_user_json(user))  # UNCONFIRMED: unblocking someone not blocked is not an error
    body: dict[str, Any] = {"messaging_product": "whatsapp", "block_users": {"removed_users": removed}}
    if failed:
        body["block_users"]["failed_users"] = failed
        body["errors"] = _bulk_error(meta, "Failed to unblock some users, see the block_users response list for details")
    return graph_response(request, body)


async def _entries(request: web.Request) -> list[dict[str, Any]]:
    params = await graph_params(request)
    require(params, "messaging_product")
    entries = require(params, "block_users")
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise MetaError(100, 'Param block_users must be an array of {"user": "<phone number>"} or {"user_id": "<BSUID>"} objects.')
    if len(entries) > MAX_PER_REQUEST:
        raise MetaError(100, f"Param block_users can have at most {MAX_PER_REQUEST} users per request; it has {len(entries)}.")
    return entries


def _resolve(meta: MetaProvider, business: MetaBusiness, entry: dict[str, Any]) -> tuple[str | None, BlockedUser | None]:
    """A ``user`` (phone number) or ``user_id`` (BSUID, as pywa sends it) -> the person, or a problem."""
    if isinstance(entry.get("user_id"), str) and entry["user_id"]:
        bsuid = entry["user_id"]
        number = meta.messaging.engine.number_of(bsuid)
        return None, BlockedUser(input=bsuid, wa_id=None, user_id=bsuid, number=number)
    raw = entry.get("user")
    if not isinstance(raw, (str, int)) or not str(raw).strip():
        return "Each block_users item needs a user (phone number) or a user_id (BSUID).", None
    try:
        recipient = normalize(str(raw), business.country_code)
    except InvalidNumber as exc:
        return str(exc), None
    return None, BlockedUser(input=str(raw), wa_id=recipient.wa_id, user_id=None, number=recipient.wa_id)


def _cannot_block(meta: MetaProvider, business: MetaBusiness, account: NumberAccount, user: BlockedUser) -> str | None:
    if len(account.blocked) >= MAX_BLOCKLIST:
        return "limit"
    last = meta.messaging.journal.last_inbound("meta", business.phone_number_id, user.number or user.input)
    if last is None or meta.clock.now() - last >= WINDOW_SECONDS:
        return "Failed to block user: only users who messaged this business in the last 24 hours can be blocked."
    return None


def _failure(problem: str) -> dict[str, Any]:
    if problem == "limit":
        return {"message": "Blocklist limit reached", "code": LIMIT_REACHED,
                "error_data": {"details": f"The blocklist already holds {MAX_BLOCKLIST} users."}}
    return {"message": "Failed to block/unblock users", "code": BULK_FAILED, "error_data": {"details": problem}}


def _bulk_error(meta: MetaProvider, details: str) -> dict[str, Any]:
    error = MetaError(BULK_FAILED, details, message=f"(#{BULK_FAILED}) Failed to block/unblock users")
    return render_error(error, meta.ids.fbtrace_id())["error"]


def _input_of(entry: dict[str, Any]) -> str:
    return str(entry.get("user") or entry.get("user_id") or "")


def _user_json(user: BlockedUser) -> dict[str, Any]:
    item: dict[str, Any] = {"input": user.input}
    if user.wa_id:
        item["wa_id"] = user.wa_id
    if user.user_id:
        item["user_id"] = user.user_id
    return item
