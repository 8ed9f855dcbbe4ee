"""Meta WhatsApp Cloud API as the program sees it: one ``ProviderSpec`` (sandbox/core/provider.py)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from sandbox.core.provider import (
    CoreObjects,
    ProviderSpec,
    Section,
    Snapshot,
    TargetFields,
    fields_snapshot,
    listed,
)
from sandbox.providers.meta import routes, workspace
from sandbox.providers.meta.accounts.display_name import resume_reviews
from sandbox.providers.meta.config import MetaBusinesses
from sandbox.providers.meta.config_schema import MERGE_KEYS, RULE_FIELDS, SECTION_SCHEMA
from sandbox.providers.meta.keys import KEY
from sandbox.providers.meta.messages import inbound
from sandbox.providers.meta.service import PROVIDER, MetaProvider
from sandbox.providers.meta.templates.registry import Template

if TYPE_CHECKING:
    from sandbox.core.store import Message


def build(core: CoreObjects, built: Mapping[str, Any], section: Section) -> MetaProvider:
    meta = MetaProvider.create(core.settings, core.clock, core.ids, core.scheduler, core.messaging, core.dispatcher,
                               core.media_store)
    meta.configure(section)
    return meta


def snapshots(meta: MetaProvider) -> list[Snapshot]:
    """Templates, webhook targets and secrets, number and WABA settings, upload sessions, open webhook
    batches and the run-time batching setting (persist.py)."""
    return [
        Snapshot("meta.templates", lambda: [asdict(t) for t in meta.templates.all()],
                 lambda raw: meta.templates.replace_all([Template(**item) for item in raw]),
                 version=lambda: tuple((t.id, t.status, t.edits, t.rejected_reason) for t in meta.templates.all())),
        fields_snapshot("meta.webhooks", lambda: meta.businesses.all(), "phone_number_id",
                        ("webhook_url", "app_secret", "verify_token")),
        Snapshot("meta.accounts", lambda: meta.accounts.to_json(), lambda raw: meta.accounts.load_json(raw),
                 version=lambda: meta.accounts.revision()),
        Snapshot("meta.uploads", lambda: meta.uploads.to_json(), lambda raw: meta.uploads.load_json(raw),
                 version=lambda: meta.uploads.revision()),
        Snapshot("meta.batching", meta.batching.dump, meta.batching.restore, version=lambda: meta.batching.revision),
    ]


def restored(meta: MetaProvider) -> dict[str, int]:
    """Reviews were jobs lost with the process: a template or display name still pending starts again."""
    for template in meta.templates.all():
        if template.status == "PENDING":
            meta.schedule_review(template, meta.businesses)
    resume_reviews(meta, meta.businesses)
    return {}


def address_form(meta: MetaProvider, message: Message) -> dict[str, Any] | None:
    """The form an address message opens in the web inbox: its country's fields, prefilled as the app
    asked and otherwise with what this user would plausibly type (seeded per user). None for any other
    message."""
    if (message.payload.get("interactive") or {}).get("type") != "address_message":
        return None
    country, reply = meta.address_form(message)
    fields = inbound.ADDRESS_FIELDS.get(country, inbound.ADDRESS_FIELDS["IN"])
    values = json.loads(reply["nfm_reply"]["response_json"])["values"]
    return {"country": country, "fields": fields, "values": values}


def banner_urls(base: str) -> list[str]:
    return [f"  Meta Cloud API   {base}/v23.0/<phone_number_id>/messages"]


def banner_credentials(meta: MetaProvider) -> list[str]:
    return [f"  Meta business    phone_number_id={b.phone_number_id} waba_id={b.waba_id} number={b.display_phone_number} "
            f"token={b.access_token} app_secret={b.app_secret} verify_token={b.verify_token} "
            f"webhook={b.webhook_url or '(none: set --meta-webhook-url)'}" for b in meta.businesses.all()]


SPEC: ProviderSpec[MetaProvider] = ProviderSpec(
    name=PROVIDER,
    key=KEY,
    build=build,
    configure=MetaProvider.configure,
    section_schema=SECTION_SCHEMA,
    rule_schema=RULE_FIELDS,  # webhook_batch
    merge_keys=MERGE_KEYS,  # businesses, templates
    routes=routes.routes,
    fallback_routes=routes.fallback_routes,  # the numeric catch-alls, after every provider's fixed paths
    catch_all_methods=routes.CATCH_ALL_METHODS,  # Graph's nodes are read, written and deleted through them
    render_http_error=routes.render_http_error,
    path_prefixes=routes.PATH_PREFIXES,
    workspace=workspace.HOOKS,
    banner_urls=banner_urls,
    banner_credentials=banner_credentials,
    targets=TargetFields(
        {"webhook_url": "webhook_url", "app_secret": "app_secret", "verify_token": "verify_token"},
        live=lambda meta: meta.businesses.all(),
        fresh=lambda meta, section: MetaBusinesses(section.get("businesses", []), meta.settings.meta_webhook_url).all(),
        key=lambda business: str(business.phone_number_id),
        items=lambda section: listed(section, "businesses", "phone_number_id"),
    ),
    snapshots=snapshots,
    restored=restored,
    owns_unlabelled_media=True,  # Meta's were the only media before records named their provider
    aliases={"meta_platform": lambda meta: meta, "meta_validator": lambda meta: meta.validator},
    webhook_batching=lambda meta: meta.batching,  # Graph's batched webhooks (messages/batching.py)
    address_form=address_form,
)
