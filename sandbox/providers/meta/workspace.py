"""Meta in a workspace: each business gets its own access token, app secret and verify token; a request
names its workspace by its access token (``Authorization: Bearer``/``OAuth``, or Graph's ``?access_token=``);
an unknown workspace is an alias that does not exist (#803)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from sandbox.core.workspace_hooks import (
    Minter,
    Section,
    Webhook,
    WorkspaceHooks,
    bearer,
    callbacks,
    items,
    suffix,
)
from sandbox.providers.meta.config import DEFAULT_BUSINESS, MetaBusinesses
from sandbox.providers.meta.errors import MetaError
from sandbox.providers.meta.http import error_response
from sandbox.providers.meta.keys import backend

KEPT = ("phone_number_id", "waba_id", "access_token", "app_secret", "verify_token")


def apply(section: Section, mint: Minter, webhook: Webhook) -> Section:
    businesses = items(section, "businesses", DEFAULT_BUSINESS)  # keyed by phone_number_id (targets.py)
    for i, business in enumerate(businesses):
        n = suffix(i)
        business["access_token"] = mint.token(f"token{n}")
        business["app_secret"] = mint.secret(f"app-secret{n}")
        business["verify_token"] = mint.token(f"verify{n}")
        business.update(callbacks(webhook, ("webhook_url",)))
    return {**section, "businesses": businesses}


def describe(section: Section) -> dict[str, Any]:
    businesses = [b.to_json() for b in MetaBusinesses(section.get("businesses") or []).all()]
    first = businesses[0]
    return {"access_token": first["access_token"], "app_secret": first["app_secret"],
            "verify_token": first["verify_token"], "phone_number_id": first["phone_number_id"],
            "waba_id": first["waba_id"], "businesses": [{k: b[k] for k in KEPT} for b in businesses]}


def not_found(request: web.Request, inner: str, why: str) -> web.StreamResponse:
    """Graph's #803 is its answer for an alias (here a workspace) that does not exist."""
    error = MetaError(803, message=f"(#803) Some of the aliases you requested do not exist: {why}")
    return error_response(backend(request), error)


HOOKS = WorkspaceHooks(
    base_path="/v23.0",
    apply=apply,
    keys=lambda section: [b["access_token"] for b in section["businesses"]],
    describe=describe,
    webhook_fields=("webhook_url",),
    not_found=not_found,
    schemes={"bearer": bearer, "oauth": bearer},  # Graph accepts "OAuth <token>" too
    query=("access_token",),  # Graph's query form
)
