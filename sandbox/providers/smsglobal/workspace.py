"""SMSGlobal in a workspace: each account gets its own MAC key and secret; a request names its workspace
by the key (the ``id`` of ``Authorization: MAC id="...", ts=..., mac=...``); an unknown workspace is
SMSGlobal's 404 in the format the client accepts."""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web

from sandbox.core.workspace_hooks import Minter, Section, Webhook, WorkspaceHooks, callbacks, items, suffix
from sandbox.providers.smsglobal import wire
from sandbox.providers.smsglobal.errors import SmsglobalError

CALLBACKS = ("notifyUrl", "incomingUrl")
_MAC_ID = re.compile(r'(?:^|[\s,])id\s*=\s*"([^"]*)"')


def apply(section: Section, mint: Minter, webhook: Webhook) -> Section:
    accounts = items(section, "accounts")
    for i, account in enumerate(accounts):
        n = suffix(i)
        account["key"] = mint.token(f"key{n}")
        account["secret"] = mint.secret(f"secret{n}")
        account.update(callbacks(webhook, CALLBACKS))
    return {**section, "accounts": accounts}


def describe(section: Section) -> dict[str, Any]:
    accounts = [{"key": a["key"], "secret": a["secret"]} for a in section.get("accounts") or []]
    return {**accounts[0], "accounts": accounts}


def mac_id(value: str) -> str | None:
    found = _MAC_ID.search(value)
    return found.group(1) if found else None


def not_found(request: web.Request, inner: str, why: str) -> web.StreamResponse:
    return wire.render_error(SmsglobalError(404, why), wire.response_format(request.headers.get("Accept")) or "json")


HOOKS = WorkspaceHooks(
    base_path="/v2",
    apply=apply,
    keys=lambda section: [a["key"] for a in section["accounts"]],
    describe=describe,
    webhook_fields=CALLBACKS,
    not_found=not_found,
    schemes={"mac": mac_id},
)
