"""SMSGlobal MXT REST v2 as the program sees it: one ``ProviderSpec`` (sandbox/core/provider.py)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
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
from sandbox.providers.smsglobal import http, routes, workspace
from sandbox.providers.smsglobal.config import OptIn, SmsglobalConfig
from sandbox.providers.smsglobal.config_schema import SECTION_SCHEMA
from sandbox.providers.smsglobal.keys import KEY
from sandbox.providers.smsglobal.service import PROVIDER, SmsglobalProvider


def build(core: CoreObjects, built: Mapping[str, Any], section: Section) -> SmsglobalProvider:
    settings = core.settings
    return SmsglobalProvider(messaging=core.messaging, dispatcher=core.dispatcher, ids=core.ids, clock=core.clock,
                             config=SmsglobalConfig.parse(section), link_policy=lambda: settings.link_policy)


def configure(smsglobal: SmsglobalProvider, section: Section) -> None:
    smsglobal.configure(SmsglobalConfig.parse(section))


def snapshots(smsglobal: SmsglobalProvider) -> list[Snapshot]:
    """Opt-outs and WhatsApp opt-ins; what of an account changes at run time (persist.py)."""

    def lists() -> dict[str, Any]:
        return {"opt_outs": smsglobal.opt_outs, "opt_in": [asdict(o) for o in smsglobal.opt_in.values()]}

    def lists_load(raw: dict[str, Any]) -> None:
        smsglobal.opt_outs = {str(n): float(at) for n, at in raw["opt_outs"].items()}
        smsglobal.opt_in = {o["number"]: OptIn(**o) for o in raw["opt_in"]}

    return [
        Snapshot("smsglobal.lists", lists, lists_load, version=lambda: smsglobal.lists_revision),
        fields_snapshot("smsglobal.accounts", lambda: smsglobal.config.accounts.values(), "key",
                        ("balance", "notify_url", "incoming_url", "callback_format")),
    ]


def banner_urls(base: str) -> list[str]:
    return [f"  SMSGlobal        {base}/v2/sms, {base}/v2/whatsapp"]


def banner_credentials(smsglobal: SmsglobalProvider) -> list[str]:
    return [f"  SMSGlobal        MAC key={key} secret={account.secret}"
            for key, account in smsglobal.config.accounts.items()]


SPEC: ProviderSpec[SmsglobalProvider] = ProviderSpec(
    name=PROVIDER,
    key=KEY,
    build=build,
    configure=configure,
    section_schema=SECTION_SCHEMA,
    routes=routes.routes,
    render_http_error=http.render_http_error,
    path_prefixes=routes.PATH_PREFIXES,
    workspace=workspace.HOOKS,
    banner_urls=banner_urls,
    banner_credentials=banner_credentials,
    targets=TargetFields(
        {"notify_url": "notifyUrl", "incoming_url": "incomingUrl", "callback_format": "callback_format"},
        live=lambda smsglobal: smsglobal.config.accounts.values(),
        fresh=lambda smsglobal, section: SmsglobalConfig.parse(section).accounts.values(),
        key=lambda account: str(account.key),
        items=lambda section: listed(section, "accounts", "key"),
    ),
    snapshots=snapshots,
    # the outgoing_id map is rebuilt from the restored journal (each SMS keeps its outgoing_id)
    restored=lambda smsglobal: {"smsglobal.outgoing_ids": smsglobal.restore_outgoing_ids()},
)
