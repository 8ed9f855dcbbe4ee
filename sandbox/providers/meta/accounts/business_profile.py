"""``GET|POST /{phone_number_id}/whatsapp_business_profile`` and ``POST /{phone_number_id}/conversational_automation``.

Shapes and limits from Meta's business-profiles page (developers.facebook.com/documentation/business-messaging/
whatsapp/business-phone-numbers/business-profiles) and OPENAPI WhatsAppBusinessProfile*: the GET answers
``{"data": [{...profile, "messaging_product": "whatsapp"}]}`` flat, as Meta's page and pywa's
``BusinessProfile.from_dict(data["data"][0])`` have it (the OpenAPI example nests it under ``business_profile``).
"""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web

from sandbox.core import jsonbody
from sandbox.providers.meta.errors import MetaError
from sandbox.providers.meta.http import authenticate, business_for, graph_handler, graph_response
from sandbox.providers.meta.keys import backend
from sandbox.providers.meta.media.file_handles import profile_picture_url
from sandbox.providers.meta.params import fields_of, graph_params, require

PROFILE_FIELDS = {"about", "address", "description", "email", "profile_picture_url", "websites", "vertical", "messaging_product"}
# OPENAPI WhatsAppBusinessVertical, plus NOT_A_BIZ (Meta's page and pywa's Industry enum).
VERTICALS = {
    "OTHER", "AUTO", "BEAUTY", "APPAREL", "EDU", "ENTERTAIN", "EVENT_PLAN", "FINANCE", "GROCERY", "GOVT",
    "HOTEL", "HEALTH", "NONPROFIT", "PROF_SERVICES", "RETAIL", "TRAVEL", "RESTAURANT", "ALCOHOL",
    "ONLINE_GAMBLING", "PHYSICAL_GAMBLING", "OTC_DRUGS", "NOT_A_BIZ",
}  # fmt: skip
# field -> maximum length (Meta's page: about 1..139, address 256, description 512, email 128).
TEXT_LIMITS = {"about": 139, "address": 256, "description": 512, "email": 128}
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@graph_handler
async def get_profile(request: web.Request) -> web.StreamResponse:
    token = authenticate(request)
    business = business_for(request, request.match_info["node"], token)
    wanted = fields_of(request, PROFILE_FIELDS, "WhatsAppBusinessProfile") or PROFILE_FIELDS
    profile = backend(request).accounts.number(business.phone_number_id).profile
    item = {k: v for k, v in profile.items() if k in wanted and v not in (None, "", [])}
    item["messaging_product"] = "whatsapp"  # Meta's example carries it even when not asked for
    return graph_response(request, {"data": [item]})


@graph_handler
async def update_profile(request: web.Request) -> web.StreamResponse:
    token = authenticate(request)
    business = business_for(request, request.match_info["node"], token)
    params = await graph_params(request)
    require(params, "messaging_product")
    changes = _checked(params)
    platform = backend(request)
    if params.get("profile_picture_handle"):  # a Resumable Upload handle (file_handles.py)
        changes["profile_picture_url"] = profile_picture_url(platform, params["profile_picture_handle"])
    profile = platform.accounts.number(business.phone_number_id).profile
    profile.update(changes)
    return graph_response(request, {"success": True})


def _checked(params: dict[str, Any]) -> dict[str, Any]:
    """The profile fields the update sets, each checked against Meta's limits."""
    changes: dict[str, Any] = {}
    for name, limit in TEXT_LIMITS.items():
        if name in params:
            changes[name] = _text(name, params[name], limit)
    if changes.get("about") == "":
        raise MetaError(100, "Param about cannot be empty: the About text must be 1 to 139 characters.")
    if changes.get("email") and not EMAIL.match(changes["email"]):
        raise MetaError(100, f"Param email must be a valid email address; got '{changes['email']}'.")
    if "websites" in params:
        changes["websites"] = _websites(params["websites"])
    if "vertical" in params:
        changes["vertical"] = _vertical(params["vertical"])
    return changes


def _text(name: str, value: Any, limit: int) -> str:
    if not isinstance(value, str):
        raise MetaError(100, f"Param {name} must be a string.")
    if len(value) > limit:
        raise MetaError(100, f"Param {name} must be at most {limit} characters long; it has {len(value)}.")
    return value


def _websites(value: Any) -> list[str]:
    if value in ("", None):
        return []
    if not isinstance(value, list) or not all(isinstance(w, str) for w in value):
        raise MetaError(100, "Param websites must be an array of URL strings.")
    if len(value) > 2:
        raise MetaError(100, f"Param websites can have at most 2 URLs; it has {len(value)}.")
    for url in value:
        if not url.startswith(("http://", "https://")) or len(url) > 256:
            raise MetaError(100, f"Param websites[] must be an http:// or https:// URL of at most 256 characters; got '{url}'.")
    return list(value)


def _vertical(value: Any) -> str:
    if value in ("", None):
        return "UNDEFINED"  # UNCONFIRMED: clearing the vertical shows it as unset, as a new number does
    if not isinstance(value, str) or value.upper() not in VERTICALS:
        raise MetaError(100, f"Param vertical must be one of {', '.join(sorted(VERTICALS))}; got '{value}'.")
    return value.upper()


@graph_handler
async def update_automation(request: web.Request) -> web.StreamResponse:
    """Ice breakers (``prompts``, ≤ 4 of ≤ 80 chars), ``commands`` (≤ 30: name ≤ 32, description ≤ 256) and
    ``enable_welcome_message`` (Meta's conversational-components page); read back with
    ``GET /{phone_number_id}?fields=conversational_automation``."""
    token = authenticate(request)
    business = business_for(request, request.match_info["node"], token)
    params = await graph_params(request)
    automation = backend(request).accounts.number(business.phone_number_id).automation
    if "enable_welcome_message" in params:
        automation["enable_welcome_message"] = str(params["enable_welcome_message"]).lower() == "true"
    if "prompts" in params:
        automation["prompts"] = _prompts(params["prompts"])
    if "commands" in params:
        automation["commands"] = _commands(params["commands"])
    return graph_response(request, {"success": True})


def _prompts(value: Any) -> list[str]:
    value = jsonbody.loads_if_json(value)  # Graph takes the array as a JSON string too
    if not isinstance(value, list) or not all(isinstance(p, str) for p in value):
        raise MetaError(100, "Param prompts must be an array of strings.")
    if len(value) > 4 or any(len(p) > 80 for p in value):
        raise MetaError(100, "Param prompts can have at most 4 ice breakers of at most 80 characters each.")
    return list(value)


def _commands(value: Any) -> list[dict[str, str]]:
    value = jsonbody.loads_if_json(value)  # pywa sends commands as a JSON string
    if not isinstance(value, list) or not all(isinstance(c, dict) for c in value):
        raise MetaError(100, "Param commands must be an array of {command_name, command_description} objects.")
    if len(value) > 30:
        raise MetaError(100, f"Param commands can have at most 30 commands; it has {len(value)}.")
    for command in value:
        name, description = command.get("command_name"), command.get("command_description")
        if not isinstance(name, str) or not name or len(name) > 32:
            raise MetaError(100, "Param commands[].command_name is required and must be at most 32 characters.")
        if not isinstance(description, str) or not description or len(description) > 256:
            raise MetaError(100, "Param commands[].command_description is required and must be at most 256 characters.")
    return [{"command_name": c["command_name"], "command_description": c["command_description"]} for c in value]
