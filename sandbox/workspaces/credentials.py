"""Each workspace's own credentials, through each provider's ``WorkspaceHooks`` (core/workspace_hooks.py).

A workspace mints its credentials from its name and seed (``Minter``); they are written into every
scenario the workspace loads (``prepare``), so a reset or a scenario load keeps them, and indexed by the
registry so that an unprefixed request carrying one lands in its workspace (``Credentials.of``).

What a request carries, per provider (each provider's ``workspace.py`` says it):

| provider  | credential a client sends                         | routing key         |
| --------- | ------------------------------------------------- | ------------------- |
| meta      | ``Authorization: Bearer <token>`` or ``?access_token=`` | the access token |
| smsglobal | ``Authorization: MAC id="<key>", ts=..., mac=...``  | the MAC key (id)    |
| maac      | ``Authorization: Bearer <token>``                 | the token           |
| modica    | ``Authorization: Basic base64(<user>:<password>)`` | the user (application name) |
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from aiohttp import web

from sandbox.core.errors import ControlError
from sandbox.core.provider import ProviderSpec
from sandbox.core.scenario import Scenario
from sandbox.core.workspace_hooks import Minter, Reader, Webhook, WorkspaceHooks
from sandbox.providers.all import PROVIDERS

__all__ = ["Credentials", "Minter", "base_paths", "check_webhooks", "describe", "prepare", "routing_keys"]


def hooks(providers: Iterable[ProviderSpec[Any]] = PROVIDERS) -> dict[str, WorkspaceHooks]:
    """Maps provider name -> its workspace hooks, for the providers that take part in workspaces."""
    return {spec.name: spec.workspace for spec in providers if spec.workspace is not None}


def base_paths(providers: Iterable[ProviderSpec[Any]] = PROVIDERS) -> dict[str, str]:
    return {name: h.base_path for name, h in hooks(providers).items()}


def check_webhooks(raw: Any, providers: Iterable[ProviderSpec[Any]] = PROVIDERS) -> dict[str, Webhook]:
    """``{"<provider>": url | {"<callback field>": url, ...}, ...}``; 400 on anything else."""
    by_name = hooks(providers)
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        shape = ", ".join(f'"{name}": url' for name in by_name)
        raise ControlError(f"'webhooks' must be an object: {{{shape}}}")
    for provider, value in raw.items():
        access = by_name.get(provider)
        if access is None:
            raise ControlError(f"'webhooks': unknown provider '{provider}'; one of: {', '.join(by_name)}")
        urls = [value] if isinstance(value, str) or value is None else list(value.values()) if isinstance(value, dict) else [0]
        if isinstance(value, dict) and not set(value) <= set(access.webhook_fields):
            raise ControlError(f"'webhooks.{provider}': the fields are {', '.join(access.webhook_fields)}")
        for url in urls:
            if url is not None and not (isinstance(url, str) and re.match(r"https?://", url)):
                raise ControlError(f"'webhooks.{provider}' must be an http(s) URL, got {url!r}")
    return dict(raw)


def prepare(scenario: Scenario, mint: Minter, webhooks: dict[str, Webhook],
            providers: Iterable[ProviderSpec[Any]] = PROVIDERS) -> Scenario:
    """The scenario with the workspace's credentials (and webhook URLs, when given) in every provider
    section; the rest of ``raw`` is shared, not copied (it is never changed in place)."""
    raw = dict(scenario.raw)
    for name, access in hooks(providers).items():
        raw[name] = access.apply(scenario.section(name), mint, webhooks.get(name))
    return Scenario(name=scenario.name, description=scenario.description, raw=raw, source=scenario.source,
                    lines=scenario.lines)


def routing_keys(scenario: Scenario, providers: Iterable[ProviderSpec[Any]] = PROVIDERS) -> set[str]:
    return {key for name, access in hooks(providers).items() for key in access.keys(scenario.section(name))}


def describe(scenario: Scenario, providers: Iterable[ProviderSpec[Any]] = PROVIDERS) -> dict[str, dict[str, Any]]:
    return {name: access.describe(scenario.section(name)) for name, access in hooks(providers).items()}


class Credentials:
    """Reads the routing key a request carries, if any (never validated here: the provider does that).

    Built once per server from every provider's schemes: on each unprefixed request (while workspaces
    exist) it costs one header lookup, one partition and one dict lookup, as a fixed table would."""

    def __init__(self, providers: Iterable[ProviderSpec[Any]] = PROVIDERS) -> None:
        # maps Authorization scheme (lower case) -> the reader of the routing key in the rest of the header
        self.readers: dict[str, Reader] = {}
        self.query: tuple[str, ...] = ()  # query parameters read when there is no Authorization header
        for name, access in hooks(providers).items():
            for scheme, reader in access.schemes.items():
                if self.readers.setdefault(scheme, reader) is not reader:
                    # one header, one key: providers sharing a scheme must read it alike (workspace_hooks.bearer)
                    raise ValueError(f"{name} reads the Authorization scheme '{scheme}' unlike another provider")
            self.query += tuple(p for p in access.query if p not in self.query)

    def of(self, request: web.Request) -> str | None:
        header = request.headers.get("Authorization")
        if header is None:
            query = request.query
            for parameter in self.query:  # one for the providers of today (Graph's ?access_token=)
                value = query.get(parameter)
                if value is not None:
                    return value
            return None
        scheme, _, rest = header.strip().partition(" ")
        reader = self.readers.get(scheme.lower())
        return reader(rest.strip()) if reader is not None else None
