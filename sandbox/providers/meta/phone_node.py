"""``POST /{phone_number_id}``: the phone number's own settings.

``webhook_configuration.override_callback_uri`` (+ ``verify_token``) sets the number's alternate callback
URL, verified with Meta's GET handshake; an empty one deletes it (Meta's webhook-override page; pywa
``set_phone_alternate_callback_url`` / ``delete_phone_alternate_callback_url``). Read back with
``GET /{phone_number_id}?fields=webhook_configuration``.
"""

from __future__ import annotations

from aiohttp import web

from sandbox.keys import RUNTIME
from sandbox.providers.meta.config import MetaBusiness
from sandbox.providers.meta.errors import MetaError
from sandbox.providers.meta.http import graph_response
from sandbox.providers.meta.params import graph_params
from sandbox.providers.meta.subscribed_apps import verify_override


async def update_phone_number(request: web.Request, business: MetaBusiness) -> web.StreamResponse:
    params = await graph_params(request)
    config = params.get("webhook_configuration")
    if not isinstance(config, dict):
        raise MetaError(100, "The sandbox updates a phone number's webhook_configuration only; send {\"webhook_configuration\": {\"override_callback_uri\", \"verify_token\"}}.")
    account = request.app[RUNTIME].meta_platform.accounts.number(business.phone_number_id)
    uri = config.get("override_callback_uri")
    if not uri:
        account.override_callback_uri = None
        return graph_response(request, {"success": True})
    token = config.get("verify_token")
    if not token:
        raise MetaError(100, message="(#100) The parameter webhook_configuration[verify_token] is required")
    await verify_override(request, business, str(uri), str(token))
    account.override_callback_uri = str(uri)
    return graph_response(request, {"success": True})

