"""Graph edges for number and WABA administration, mounted by management.management_routes."""

from __future__ import annotations

from aiohttp import web

from sandbox.providers.meta.accounts.block_users import block_routes
from sandbox.providers.meta.accounts.business_profile import profile_routes
from sandbox.providers.meta.accounts.number_settings import settings_routes
from sandbox.providers.meta.accounts.qr_codes import qr_routes
from sandbox.providers.meta.accounts.registration import registration_routes
from sandbox.providers.meta.accounts.subscribed_apps import subscribed_apps_routes
from sandbox.providers.meta.flows.routes import flow_routes
from sandbox.providers.meta.media.resumable_upload import upload_routes


def admin_routes(prefix: str, node: str) -> list[web.AbstractRouteDef]:
    return [
        *profile_routes(prefix, node),  # whatsapp_business_profile, conversational_automation
        *registration_routes(prefix, node),  # register, deregister, request_code, verify_code
        *block_routes(prefix, node),  # block_users
        *subscribed_apps_routes(prefix, node),  # /{waba_id}/subscribed_apps
        *upload_routes(prefix, node),  # /{app_id}/uploads, /upload:{session} (Resumable Upload API)
        *qr_routes(prefix, node),  # message_qrdls
        *settings_routes(prefix, node),  # /{phone_number_id}/settings
        *flow_routes(prefix, node),  # /{waba_id}/flows, migrate_flows, /{flow_id}/assets|publish|deprecate
    ]
