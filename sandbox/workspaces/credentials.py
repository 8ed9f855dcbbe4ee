"""Each workspace's own credentials, one small table per provider.

A workspace mints its credentials from its name and seed (the same name and seed give the same
credentials, so a test's fixtures are reproducible; two live workspaces never share one, since names
are unique). They are written into every scenario the workspace loads (``Access.apply``), so a reset
or a scenario load keeps them, and indexed by the registry so that an unprefixed request carrying
one lands in its workspace (``credential_of``).

What a request carries, per provider:

| provider  | credential a client sends                         | routing key         |
| --------- | ------------------------------------------------- | ------------------- |
| meta      | ``Authorization: Bearer <token>`` or ``?access_token=`` | the access token |
| smsglobal | ``Authorization: MAC id="<key>", ts=..., mac=...``  | the MAC key (id)    |
| maac      | ``Authorization: Bearer <token>``                 | the token           |
| modica    | ``Authorization: Basic base64(<user>:<password>)`` | the user (application name) |

Each row below knows where its provider keeps credentials and webhook URLs in the scenario; when
providers get one contract (issue 16) a row moves into its provider.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from sandbox.core.errors import ControlError
from sandbox.core.scenario import Scenario
from sandbox.providers.meta.config import DEFAULT_BUSINESS, MetaBusinesses

Section = dict[str, Any]


@dataclass(frozen=True)
class Minter:
    """Deterministic credentials of one workspace: HMAC of a label under its name and seed."""

    name: str
    seed: str

    def _hex(self, label: str, length: int) -> str:
        key = f"wa-sandbox workspace {self.name} {self.seed}".encode()
        return hmac.new(key, label.encode(), hashlib.sha256).hexdigest()[:length]

    def token(self, label: str) -> str:
        """A credential that names its workspace (readable in logs): ``ws-ci-1-token-3f9a...``."""
        return f"ws-{self.name}-{label}-{self._hex(label, 20)}"

    def secret(self, label: str) -> str:
        return self._hex(label, 32)


Webhook = Any  # a URL, or for SMSGlobal/Modica an object naming each callback


@dataclass(frozen=True)
class Access:
    provider: str
    base_path: str  # below the mount: where the provider's client points its base URL
    apply: Callable[[Section, Minter, Webhook], Section]  # the section with the workspace's credentials
    keys: Callable[[Section], list[str]]  # the routing keys in a section (after apply)
    describe: Callable[[Section], dict[str, Any]]  # what a test needs to authenticate and verify webhooks
    webhook_fields: tuple[str, ...]  # the callback fields a ``webhooks`` object may name (else one URL)


def _suffix(index: int) -> str:
    return "" if index == 0 else str(index + 1)


def _items(section: Section, listing: str, default: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Copies of a section's items; without any, the one the provider assumes (its defaults fill the rest)."""
    return [dict(item) for item in section.get(listing) or [default or {}]]


def _callbacks(webhook: Webhook, fields: tuple[str, ...]) -> dict[str, str]:
    if webhook is None:
        return {}
    if isinstance(webhook, str):
        return dict.fromkeys(fields, webhook)
    return {k: v for k, v in webhook.items() if k in fields}


# --- meta ------------------------------------------------------------------------------------------


def _meta_apply(section: Section, mint: Minter, webhook: Webhook) -> Section:
    businesses = _items(section, "businesses", DEFAULT_BUSINESS)  # keyed by phone_number_id (targets.py)
    for i, business in enumerate(businesses):
        n = _suffix(i)
        business["access_token"] = mint.token(f"token{n}")
        business["app_secret"] = mint.secret(f"app-secret{n}")
        business["verify_token"] = mint.token(f"verify{n}")
        business.update(_callbacks(webhook, ("webhook_url",)))
    return {**section, "businesses": businesses}


def _meta_describe(section: Section) -> dict[str, Any]:
    businesses = [b.to_json() for b in MetaBusinesses(section.get("businesses") or []).all()]
    keep = ("phone_number_id", "waba_id", "access_token", "app_secret", "verify_token")
    first = businesses[0]
    return {"access_token": first["access_token"], "app_secret": first["app_secret"],
            "verify_token": first["verify_token"], "phone_number_id": first["phone_number_id"],
            "waba_id": first["waba_id"], "businesses": [{k: b[k] for k in keep} for b in businesses]}


# --- smsglobal -------------------------------------------------------------------------------------


def _smsglobal_apply(section: Section, mint: Minter, webhook: Webhook) -> Section:
    accounts = _items(section, "accounts")
    for i, account in enumerate(accounts):
        n = _suffix(i)
        account["key"] = mint.token(f"key{n}")
        account["secret"] = mint.secret(f"secret{n}")
        account.update(_callbacks(webhook, ("notifyUrl", "incomingUrl")))
    return {**section, "accounts": accounts}


def _smsglobal_describe(section: Section) -> dict[str, Any]:
    accounts = [{"key": a["key"], "secret": a["secret"]} for a in section.get("accounts") or []]
    return {**accounts[0], "accounts": accounts}


# --- maac ------------------------------------------------------------------------------------------


def _maac_apply(section: Section, mint: Minter, webhook: Webhook) -> Section:
    hook = {**(section.get("webhook") or {}), "share_secret": mint.secret("share-secret")}
    hook.update(_callbacks(webhook, ("url",)))
    tokens = [mint.token(f"maac{_suffix(i)}") for i in range(len(section.get("tokens") or [None]))]
    return {**section, "tokens": tokens, "webhook": hook}


def _maac_describe(section: Section) -> dict[str, Any]:
    return {"token": section["tokens"][0], "tokens": list(section["tokens"]),
            "share_secret": section["webhook"]["share_secret"]}


# --- modica ----------------------------------------------------------------------------------------


def _modica_apply(section: Section, mint: Minter, webhook: Webhook) -> Section:
    applications = _items(section, "applications")
    for i, application in enumerate(applications):
        n = _suffix(i)
        # the Basic user: "." is not a name character, so no two workspaces' users can be equal
        application["name"] = f"ws.{mint.name}{'.' + n if n else ''}"
        application["password"] = mint.secret(f"password{n}")
        application.update(_callbacks(webhook, ("mo_url", "dlr_url")))
    return {**section, "applications": applications}


def _modica_describe(section: Section) -> dict[str, Any]:
    apps = [{"user": a["name"], "password": a["password"]} for a in section.get("applications") or []]
    return {**apps[0], "applications": apps}


ACCESS: tuple[Access, ...] = (
    Access("meta", "/v23.0", _meta_apply, lambda s: [b["access_token"] for b in s["businesses"]], _meta_describe,
           ("webhook_url",)),
    Access("smsglobal", "/v2", _smsglobal_apply, lambda s: [a["key"] for a in s["accounts"]], _smsglobal_describe,
           ("notifyUrl", "incomingUrl")),
    Access("maac", "", _maac_apply, lambda s: list(s["tokens"]), _maac_describe, ("url",)),
    Access("modica", "/rest/gateway", _modica_apply, lambda s: [a["name"] for a in s["applications"]],
           _modica_describe, ("mo_url", "dlr_url")),
)
BASE_PATHS = {a.provider: a.base_path for a in ACCESS}


def check_webhooks(raw: Any) -> dict[str, Webhook]:
    """``{"meta": url, "smsglobal": url | {"notifyUrl", "incomingUrl"}, ...}``; 400 on anything else."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ControlError("'webhooks' must be an object: {\"meta\": url, \"smsglobal\": url, \"maac\": url, \"modica\": url}")
    by_name = {a.provider: a for a in ACCESS}
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


def prepare(scenario: Scenario, mint: Minter, webhooks: dict[str, Webhook]) -> Scenario:
    """The scenario with the workspace's credentials (and webhook URLs, when given) in every provider
    section; the rest of ``raw`` is shared, not copied (it is never changed in place)."""
    raw = dict(scenario.raw)
    for access in ACCESS:
        raw[access.provider] = access.apply(scenario.section(access.provider), mint, webhooks.get(access.provider))
    return Scenario(name=scenario.name, description=scenario.description, raw=raw, source=scenario.source,
                    lines=scenario.lines)


def routing_keys(scenario: Scenario) -> set[str]:
    return {key for access in ACCESS for key in access.keys(scenario.section(access.provider))}


def describe(scenario: Scenario) -> dict[str, dict[str, Any]]:
    return {access.provider: access.describe(scenario.section(access.provider)) for access in ACCESS}


# --- reading a request -----------------------------------------------------------------------------

_MAC_ID = re.compile(r'(?:^|[\s,])id\s*=\s*"([^"]*)"')


def _basic_user(value: str) -> str | None:
    try:
        return base64.b64decode(value, validate=True).decode("utf-8").partition(":")[0]
    except (binascii.Error, ValueError):
        return None


def _mac_id(value: str) -> str | None:
    found = _MAC_ID.search(value)
    return found.group(1) if found else None


# maps Authorization scheme (lower case) -> the routing key in the rest of the header
READERS: dict[str, Callable[[str], str | None]] = {
    "bearer": lambda value: value,  # Meta, MAAC
    "oauth": lambda value: value,  # Meta (Graph accepts "OAuth <token>")
    "mac": _mac_id,  # SMSGlobal
    "basic": _basic_user,  # Modica
}


def credential_of(request: web.Request) -> str | None:
    """The routing key a request carries, if any (never validated here: the provider does that)."""
    header = request.headers.get("Authorization")
    if header is None:
        return request.query.get("access_token")  # Graph's query form
    scheme, _, rest = header.strip().partition(" ")
    reader = READERS.get(scheme.lower())
    return reader(rest.strip()) if reader is not None else None
