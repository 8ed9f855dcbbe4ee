"""Modica in a workspace: each application gets its own name (the Basic user) and password; a request
names its workspace by the Basic user; an unknown workspace is the 404 of the API its path belongs to."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from aiohttp import web

from sandbox.core.workspace_hooks import Minter, Section, Webhook, WorkspaceHooks, callbacks, items, suffix
from sandbox.providers.modica.errors import Api, ModicaError
from sandbox.providers.modica.http import error_response
from sandbox.providers.modica.routes import V2, WAB

CALLBACKS = ("mo_url", "dlr_url")


def apply(section: Section, mint: Minter, webhook: Webhook) -> Section:
    applications = items(section, "applications")
    for i, application in enumerate(applications):
        n = suffix(i)
        # the Basic user: "." is not a workspace name character, so no two workspaces' users can be equal
        application["name"] = f"ws.{mint.name}{'.' + n if n else ''}"
        application["password"] = mint.secret(f"password{n}")
        application.update(callbacks(webhook, CALLBACKS))
    return {**section, "applications": applications}


def describe(section: Section) -> dict[str, Any]:
    apps = [{"user": a["name"], "password": a["password"]} for a in section.get("applications") or []]
    return {**apps[0], "applications": apps}


def basic_user(value: str) -> str | None:
    try:
        return base64.b64decode(value, validate=True).decode("utf-8").partition(":")[0]
    except (binascii.Error, ValueError):
        return None


def not_found(request: web.Request, inner: str, why: str) -> web.StreamResponse:
    api: Api = "v2" if inner.startswith(V2) else "wab" if inner.startswith(WAB) else "v1"
    return error_response(api, ModicaError("404", why))


HOOKS = WorkspaceHooks(
    base_path="/rest/gateway",
    apply=apply,
    keys=lambda section: [a["name"] for a in section["applications"]],
    describe=describe,
    webhook_fields=CALLBACKS,
    not_found=not_found,
    schemes={"basic": basic_user},
)
