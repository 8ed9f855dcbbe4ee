"""Modica Mobile Gateway as the program sees it: one ``ProviderSpec`` (sandbox/core/provider.py)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sandbox.core.provider import (
    CoreObjects,
    ProviderSpec,
    Section,
    Snapshot,
    TargetFields,
    fields_snapshot,
    listed,
)
from sandbox.providers.modica import routes, workspace
from sandbox.providers.modica.config import ModicaConfig
from sandbox.providers.modica.config_schema import SECTION_SCHEMA
from sandbox.providers.modica.keys import KEY
from sandbox.providers.modica.media import KEY_PREFIX, ModicaMedia
from sandbox.providers.modica.service import PROVIDER, ModicaProvider


def build(core: CoreObjects, built: Mapping[str, Any], section: Section) -> ModicaProvider:
    return ModicaProvider(messaging=core.messaging, dispatcher=core.dispatcher, ids=core.ids, clock=core.clock,
                          section=section, media=ModicaMedia(core.media_store, core.clock))


def snapshots(modica: ModicaProvider) -> list[Snapshot]:
    """Each application's MO and DLR callback URLs (persist.py)."""
    return [fields_snapshot("modica.webhooks", lambda: modica.config.applications.values(), "name", ("mo_url", "dlr_url"))]


def banner_urls(base: str) -> list[str]:
    return [f"  Modica           {base}/rest/gateway/messages, {base}/rest/sms/v2/messages, {base}/rest/wab/v1/messages"]


def banner_credentials(modica: ModicaProvider) -> list[str]:
    return [f"  Modica           Basic {name} / {application.password}"
            for name, application in modica.config.applications.items()]


SPEC: ProviderSpec[ModicaProvider] = ProviderSpec(
    name=PROVIDER,
    key=KEY,
    build=build,
    configure=ModicaProvider.configure,
    section_schema=SECTION_SCHEMA,
    routes=routes.routes,
    render_http_error=routes.render_http_error,
    path_prefixes=routes.PATH_PREFIXES,
    workspace=workspace.HOOKS,
    banner_urls=banner_urls,
    banner_credentials=banner_credentials,
    targets=TargetFields(
        {"mo_url": "mo_url", "dlr_url": "dlr_url"},
        live=lambda modica: modica.config.applications.values(),
        fresh=lambda modica, section: ModicaConfig.from_section(section).applications.values(),
        key=lambda application: str(application.name),
        items=lambda section: listed(section, "applications", "name"),
    ),
    snapshots=snapshots,
    media_key_prefix=KEY_PREFIX,  # its media_id is the store's key without it (media.py)
)
