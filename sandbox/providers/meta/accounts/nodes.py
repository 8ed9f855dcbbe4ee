"""``POST /{phone_number_id}``: the phone number's own settings. Graph takes any of them in one request
(OPENAPI PhoneNumberStatusUpdateRequest); the sandbox models two:

- ``webhook_configuration.override_callback_uri`` (+ ``verify_token``) sets the number's alternate callback
  URL, verified with Meta's GET handshake; an empty one deletes it (Meta's webhook-override page; pywa
  ``set_phone_alternate_callback_url`` / ``delete_phone_alternate_callback_url``). Read back with
  ``GET /{phone_number_id}?fields=webhook_configuration``.
- ``new_display_name``: a display-name change, reviewed (display_name.py; pywa ``update_display_name``).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from sandbox.providers.meta.accounts.display_name import checked_name, request_name
from sandbox.providers.meta.accounts.subscribed_apps import verify_override
from sandbox.providers.meta.config import MetaBusiness
from sandbox.providers.meta.errors import MetaError
from sandbox.providers.meta.http import graph_response
from sandbox.providers.meta.keys import backend
from sandbox.providers.meta.params import graph_params


async def update_phone_number(request: web.Request, business: MetaBusiness) -> web.StreamResponse:
    params = await graph_params(request)
    if "webhook_configuration" not in params and "new_display_name" not in params:
        raise MetaError(100, "The sandbox updates a phone number's webhook_configuration and new_display_name; send "
                             "{\"webhook_configuration\": {\"override_callback_uri\", \"verify_token\"}} or {\"new_display_name\": \"...\"}.")
    platform = backend(request)
    # every check before any change: a refused handshake leaves the name unrequested, and the other way round
    name = checked_name(platform, business, params["new_display_name"]) if "new_display_name" in params else None
    if "webhook_configuration" in params:
        await _set_override(request, business, params["webhook_configuration"])
    if name is not None:
        request_name(platform, business, name)
    return graph_response(request, {"success": True})


async def _set_override(request: web.Request, business: MetaBusiness, config: Any) -> None:
    if not isinstance(config, dict):
        raise MetaError(100, "webhook_configuration must be an object: {\"override_callback_uri\", \"verify_token\"}.")
    account = backend(request).accounts.number(business.phone_number_id)
    uri = config.get("override_callback_uri")
    if not uri:
        account.override_callback_uri = None
        return
    token = config.get("verify_token")
    if not token:
        raise MetaError(100, message="(#100) The parameter webhook_configuration[verify_token] is required")
    await verify_override(request, business, str(uri), str(token))
    account.override_callback_uri = str(uri)
