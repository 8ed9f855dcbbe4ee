"""MAAC in a workspace: its own bearer token(s) and webhook share secret; a request names its workspace by
its ``Authorization: Bearer`` token; an unknown workspace is MAAC's 404 ``{"detail": ...}``."""

from __future__ import annotations

from typing import Any

from sandbox.core.workspace_hooks import Minter, Section, Webhook, WorkspaceHooks, bearer, callbacks, suffix
from sandbox.providers.maac import errors


def apply(section: Section, mint: Minter, webhook: Webhook) -> Section:
    hook = {**(section.get("webhook") or {}), "share_secret": mint.secret("share-secret")}
    hook.update(callbacks(webhook, ("url",)))
    tokens = [mint.token(f"maac{suffix(i)}") for i in range(len(section.get("tokens") or [None]))]
    return {**section, "tokens": tokens, "webhook": hook}


def describe(section: Section) -> dict[str, Any]:
    return {"token": section["tokens"][0], "tokens": list(section["tokens"]),
            "share_secret": section["webhook"]["share_secret"]}


HOOKS = WorkspaceHooks(
    base_path="",
    apply=apply,
    keys=lambda section: list(section["tokens"]),
    describe=describe,
    webhook_fields=("url",),
    not_found=lambda request, inner, why: errors.render(errors.detail_error(404, why)),
    schemes={"bearer": bearer},
)
