"""Meta Cloud API: its one route table (every Graph path, versioned /v23.0/... and unversioned alike), and
what unrouted paths answer."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from sandbox.providers.meta.accounts import (
    block_users,
    business_profile,
    nodes,
    number_settings,
    qr_codes,
    registration,
    subscribed_apps,
)
from sandbox.providers.meta.errors import http_error, unsupported_request
from sandbox.providers.meta.flows import routes as flow_routes
from sandbox.providers.meta.http import authenticate, check_version, error_response, graph_handler
from sandbox.providers.meta.keys import backend
from sandbox.providers.meta.media import file_handles, resumable_upload
from sandbox.providers.meta.media import routes as media_routes
from sandbox.providers.meta.media.library import ATTACHMENTS_PATH
from sandbox.providers.meta.messages import send
from sandbox.providers.meta.node_registry import Node, dispatcher
from sandbox.providers.meta.templates import routes as template_routes

VERSION = r"{version:v\d+\.\d+}"
NODE = r"{node:\d+}"
PATH_PREFIXES = ("/",)  # whatever no other provider owns: Graph's numeric nodes sit at the root


@graph_handler
async def unknown_edge(request: web.Request) -> web.StreamResponse:
    """Any other numeric node/edge: authenticated like Graph, then 100/33."""
    check_version(request)
    authenticate(request)
    raise unsupported_request(request.method, request.match_info.get("node", ""))


# ``GET|POST|DELETE /{id}``: what a bare id can name, asked in this order (node_registry.py); the first
# that serves the method and finds the id among the token's objects answers, else Graph's 100/33. Ids
# rarely collide (the scenario's phone numbers and WABAs, the runtime's generated ids), but when they do
# the order decides, so it is fixed: a POST to an id that is both a number and a template edits the number.
NODES: tuple[Node[Any], ...] = (nodes.PHONE_NUMBER, nodes.WABA, media_routes.MEDIA, template_routes.TEMPLATE,
                                flow_routes.FLOW)


def routes() -> list[web.AbstractRouteDef]:
    """Every Graph path Meta serves, versioned and unversioned alike; ``{node}`` is a phone number, WABA,
    app, media, template or Flow id (``NODES`` tells which)."""
    node_handler = dispatcher(NODES)
    table: list[web.AbstractRouteDef] = []
    for prefix in (f"/{VERSION}", ""):
        node = f"{prefix}/{NODE}"
        table += [
            web.post(f"{node}/messages", send.send_message),  # messages/
            # media (media/), templates (templates/), the WABA's numbers (accounts/)
            web.post(f"{node}/media", media_routes.upload_media),
            web.get(f"{node}/message_templates", template_routes.list_templates),
            web.post(f"{node}/message_templates", template_routes.create_template),
            web.delete(f"{node}/message_templates", template_routes.delete_templates),
            web.get(f"{node}/phone_numbers", nodes.list_phone_numbers),
            # /{id}, whatever it names (NODES): Graph ignores a trailing slash (pywa POSTs /{phone_number_id}/
            # to set a webhook override)
            *(route for path in (node, f"{node}/") for route in (
                web.get(path, node_handler),
                web.post(path, node_handler),
                web.delete(path, node_handler),
            )),
            # number and WABA settings (accounts/)
            web.get(f"{node}/whatsapp_business_profile", business_profile.get_profile),
            web.post(f"{node}/whatsapp_business_profile", business_profile.update_profile),
            web.post(f"{node}/conversational_automation", business_profile.update_automation),
            web.post(f"{node}/register", registration.register),
            web.post(f"{node}/deregister", registration.deregister),
            web.post(f"{node}/request_code", registration.request_code),
            web.post(f"{node}/verify_code", registration.verify_code),
            web.get(f"{node}/block_users", block_users.list_blocked),
            web.post(f"{node}/block_users", block_users.block),
            web.delete(f"{node}/block_users", block_users.unblock),
            web.get(f"{node}/subscribed_apps", subscribed_apps.list_apps),
            web.post(f"{node}/subscribed_apps", subscribed_apps.subscribe),
            web.delete(f"{node}/subscribed_apps", subscribed_apps.unsubscribe),
            # the Resumable Upload API (media/)
            web.post(f"{node}/uploads", resumable_upload.start_session),
            web.post(f"{prefix}/upload:{{session}}", resumable_upload.upload_bytes),
            web.get(f"{prefix}/upload:{{session}}", resumable_upload.session_status),
            # QR codes and number settings (accounts/)
            web.get(f"{node}/message_qrdls", qr_codes.list_codes),
            web.post(f"{node}/message_qrdls", qr_codes.create_or_update),
            web.get(f"{node}/message_qrdls/{{code}}", qr_codes.get_code),
            web.post(f"{node}/message_qrdls/{{code}}", qr_codes.create_or_update),
            web.delete(f"{node}/message_qrdls/{{code}}", qr_codes.delete_code),
            web.get(f"{node}/settings", number_settings.get_settings),
            web.post(f"{node}/settings", number_settings.update_settings),
            # WhatsApp Flows (flows/); /{flow_id} itself is a node (NODES)
            web.get(f"{node}/flows", flow_routes.list_flows),
            web.post(f"{node}/flows", flow_routes.create_flow),
            web.post(f"{node}/migrate_flows", flow_routes.migrate_flows),
            web.get(f"{node}/assets", flow_routes.list_assets),
            web.post(f"{node}/assets", flow_routes.upload_asset),
            web.post(f"{node}/publish", flow_routes.publish_flow),
            web.post(f"{node}/deprecate", flow_routes.deprecate_flow),
        ]
    # Where the sandbox serves files it links to (media downloads, QR images, Flow JSON, template samples):
    # lookaside-style paths, never versioned.
    table += [
        web.get(ATTACHMENTS_PATH, media_routes.download_media),
        web.get(f"{qr_codes.IMAGE_PATH}{{number:\\d+}}/{{code}}.{{ext:png|svg}}", qr_codes.qr_image),
        web.get(f"{flow_routes.ASSET_PATH}{{flow_id:\\d+}}/{{digest:[0-9a-f]+}}/flow.json", flow_routes.download_asset),
        web.get(f"{file_handles.SAMPLE_PATH}{{name}}", resumable_upload.template_sample),
    ]
    return table


CATCH_ALL_METHODS = ("GET", "POST", "DELETE")  # Graph's verbs: what a node only the catch-alls below serve allows


def fallback_routes() -> list[web.AbstractRouteDef]:
    """Registered last, after every provider's fixed paths."""
    table: list[web.AbstractRouteDef] = []
    for prefix in (f"/{VERSION}", ""):
        table += [
            web.route("*", f"{prefix}/{NODE}", unknown_edge),
            web.route("*", f"{prefix}/{NODE}/{{edge}}", unknown_edge),
        ]
    return table


def render_http_error(request: web.Request, status: int, reason: str) -> web.StreamResponse:
    """Unrouted paths and stray failures outside the other providers' prefixes, in Graph's envelope."""
    meta = backend(request)
    error = http_error(status, request.method, request.path, reason, meta.settings.max_body_bytes)
    return error_response(meta, error)
