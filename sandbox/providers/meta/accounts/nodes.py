"""The phone number and the WABA as Graph nodes (``PHONE_NUMBER``, ``WABA``, asked by node_registry.py), and
the WABA's ``phone_numbers`` edge. Paths are in meta/routes.py; the JSON views in phone_numbers.py.

- ``GET /{phone_number_id}``, ``GET /{waba_id}``: the node as Graph shows it (``fields`` picks).
- ``GET /{waba_id}/phone_numbers``: the WABA's numbers the token can use.
- ``POST /{phone_number_id}``: the phone number's own settings. Graph takes any of them in one request
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
from sandbox.providers.meta.accounts.phone_numbers import phone_number_json, waba_json
from sandbox.providers.meta.accounts.subscribed_apps import verify_override
from sandbox.providers.meta.config import MetaBusiness
from sandbox.providers.meta.errors import MetaError
from sandbox.providers.meta.http import authenticate, graph_handler, graph_response, waba_numbers
from sandbox.providers.meta.keys import backend
from sandbox.providers.meta.node_registry import Lookup, Node
from sandbox.providers.meta.paging import encode_cursor
from sandbox.providers.meta.params import graph_params, requested_fields


@graph_handler
async def list_phone_numbers(request: web.Request) -> web.StreamResponse:
    token = authenticate(request)
    meta = backend(request)
    numbers = waba_numbers(request, token)
    fields = requested_fields(request)
    data = [phone_number_json(b, meta, fields) for b in numbers]
    return graph_response(request, {"data": data, "paging": {"cursors": {"before": encode_cursor(0), "after": encode_cursor(len(data))}}})


# --- /{phone_number_id} ---------------------------------------------------------------------------


def _find_number(lookup: Lookup) -> MetaBusiness | None:
    return next((b for b in lookup.mine if b.phone_number_id == lookup.node), None)


async def _get_number(request: web.Request, business: MetaBusiness) -> web.StreamResponse:
    return graph_response(request, phone_number_json(business, backend(request), requested_fields(request)))


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


PHONE_NUMBER: Node[MetaBusiness] = Node("phone number", _find_number, get=_get_number, post=update_phone_number)


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


# --- /{waba_id} -----------------------------------------------------------------------------------


def _find_waba(lookup: Lookup) -> MetaBusiness | None:
    """The first of the token's numbers in the WABA (the WABA's view reads its name from it)."""
    return next((b for b in lookup.mine if b.waba_id == lookup.node), None)


async def _get_waba(request: web.Request, business: MetaBusiness) -> web.StreamResponse:
    return graph_response(request, waba_json(business, requested_fields(request)))


WABA: Node[MetaBusiness] = Node("WhatsApp Business Account", _find_waba, get=_get_waba)
