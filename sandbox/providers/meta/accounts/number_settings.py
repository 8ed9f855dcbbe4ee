"""``GET|POST /{phone_number_id}/settings`` (OPENAPI "Settings"; pywa get/update_business_phone_number_settings):
calling, payload encryption, data storage and user identity change settings of a number.

The sandbox keeps what is set and answers it back over Meta-like defaults; none of it changes how
messages flow (no calls, no encryption, no storage regions). Rules from the OpenAPI: one feature per
POST; ``status`` is enabled|disabled; enabling payload encryption needs ``client_encryption_key``.
State: ``NumberAccount.settings`` (accounts.py).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from sandbox.providers.meta.errors import MetaError
from sandbox.providers.meta.http import authenticate, business_for, graph_handler, graph_response
from sandbox.providers.meta.keys import backend
from sandbox.providers.meta.params import fields_of, graph_params

SECTIONS = ("calling", "payload_encryption", "storage_configuration", "user_identity_change")
# UNCONFIRMED defaults for a number nobody configured: the OpenAPI's "Basic settings response" with calling
# off, and call_icon_visibility DEFAULT as pywa's enum (DEFAULT | DISABLE_ALL) has it, not the OpenAPI's "visible".
DEFAULTS: dict[str, dict[str, Any]] = {
    "calling": {"status": "disabled", "call_icon_visibility": "DEFAULT", "ip_addresses": {"default": ["157.240.0.1", "157.240.0.2"]},
                "callback_permission_status": "disabled"},
    "payload_encryption": {"status": "disabled"},
    "storage_configuration": {"status": "default"},
}
STATUSES = ("enabled", "disabled")


@graph_handler
async def get_settings(request: web.Request) -> web.StreamResponse:
    token = authenticate(request)
    business = business_for(request, request.match_info["node"], token)
    wanted = fields_of(request, set(SECTIONS), "WhatsAppBusinessPhoneNumberSettings")
    stored = backend(request).accounts.number(business.phone_number_id).settings
    merged = {name: {**DEFAULTS.get(name, {}), **stored.get(name, {})} for name in SECTIONS if name in DEFAULTS or name in stored}
    return graph_response(request, {k: v for k, v in merged.items() if wanted is None or k in wanted})


@graph_handler
async def update_settings(request: web.Request) -> web.StreamResponse:
    token = authenticate(request)
    business = business_for(request, request.match_info["node"], token)
    params = await graph_params(request)
    given = [k for k in params if k in SECTIONS]
    unknown = sorted(set(params) - set(SECTIONS))
    if unknown:
        raise MetaError(100, f"Unknown setting '{unknown[0]}'; the settings are {', '.join(SECTIONS)}.")
    if len(given) != 1:
        raise MetaError(100, "Only one feature setting can be specified per request: one of " + ", ".join(SECTIONS) + ".")
    name, value = given[0], params[given[0]]
    if not isinstance(value, dict):
        raise MetaError(100, f"Param {name} must be an object.")
    _check(name, value)
    account = backend(request).accounts.number(business.phone_number_id)
    new = _stored(name, value)
    if name == "calling":  # calling takes partial updates (status alone, video alone...)
        new = {**account.settings.get(name, {}), **new}
    account.settings = {**account.settings, name: new}
    return graph_response(request, {"success": True})


def _check(name: str, value: dict[str, Any]) -> None:
    status = value.get("status")
    if name in ("calling", "payload_encryption") and (not isinstance(status, str) or status.lower() not in STATUSES):
        raise MetaError(100, f"Param {name}[status] must be one of {{enabled, disabled}} - got \"{status}\".")
    if name == "payload_encryption" and str(status).lower() == "enabled" and not value.get("client_encryption_key"):
        raise MetaError(100, "Param payload_encryption[client_encryption_key] is required to enable payload encryption.")


def _stored(name: str, value: dict[str, Any]) -> dict[str, Any]:
    """What GET shows. Storage: the OpenAPI's request ``{enabled, region}`` reads back as its response's
    ``{status, data_localization_region}``; pywa's ``{status, data_localization_region}`` is kept as sent."""
    if name == "storage_configuration" and "enabled" in value:
        if value["enabled"] in (True, "true"):
            return {"status": "in_country_storage_enabled", "data_localization_region": value.get("region")}
        return {"status": "default"}
    if name == "payload_encryption":
        return {k: v for k, v in value.items() if k != "client_encryption_key"}  # a key, not a setting to echo
    return dict(value)
