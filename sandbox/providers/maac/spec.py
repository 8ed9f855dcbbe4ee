"""Crescendo Lab MAAC SMS+ as the program sees it: one ``ProviderSpec`` (sandbox/core/provider.py)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sandbox.core.provider import CoreObjects, ProviderSpec, Section, Snapshot, TargetFields
from sandbox.providers.maac import routes, workspace
from sandbox.providers.maac.config import MaacConfig
from sandbox.providers.maac.config_schema import SECTION_SCHEMA
from sandbox.providers.maac.keys import KEY
from sandbox.providers.maac.service import PROVIDER, MaacProvider

CLOUD_API = "meta"  # whose template registry and businesses the WhatsApp leg checks against (templates.py)


def build(core: CoreObjects, built: Mapping[str, Any], section: Section) -> MaacProvider:
    return MaacProvider(messaging=core.messaging, dispatcher=core.dispatcher, ids=core.ids, clock=core.clock,
                        section=section, cloud_api=built.get(CLOUD_API))


def snapshots(maac: MaacProvider) -> list[Snapshot]:
    """The next ``pnp_message_id``, the webhook URL and ShareSecret (persist.py)."""

    def dump() -> dict[str, Any]:
        return {"next_pnp_message_id": maac.records.peek_id(), "webhook_url": maac.config.webhook_url,
                "share_secret": maac.config.share_secret}

    def load(raw: dict[str, Any]) -> None:
        maac.records.skip_to(int(raw["next_pnp_message_id"]))
        maac.config.webhook_url = raw["webhook_url"]
        maac.config.share_secret = raw["share_secret"]

    return [Snapshot("maac", dump, load,
                     version=lambda: (maac.records.peek_id(), maac.config.webhook_url, maac.config.share_secret))]


def banner_urls(base: str) -> list[str]:
    return [f"  MAAC SMS+        {base}/openapi/v1/pnp/message/push/"]


def banner_credentials(maac: MaacProvider) -> list[str]:
    return [f"  MAAC             token={maac.config.tokens[0]} webhook share secret={maac.config.share_secret}"]


SPEC: ProviderSpec[MaacProvider] = ProviderSpec(
    name=PROVIDER,
    key=KEY,
    build=build,
    configure=MaacProvider.configure,
    section_schema=SECTION_SCHEMA,
    routes=routes.routes,
    render_http_error=routes.render_http_error,
    path_prefixes=routes.PATH_PREFIXES,
    workspace=workspace.HOOKS,
    banner_urls=banner_urls,
    banner_credentials=banner_credentials,
    targets=TargetFields(
        {"webhook_url": "url", "share_secret": "share_secret"},
        live=lambda maac: [maac.config],
        fresh=lambda maac, section: [MaacConfig.from_section(section)],
        key=lambda config: "account",
        items=lambda section: {"account": section.get("webhook") or {}},
    ),
    snapshots=snapshots,
    # records are rebuilt from their legs in the restored journal, pending SMS fallbacks scheduled again
    restored=lambda maac: {"maac.records": maac.restore_records()},
)
