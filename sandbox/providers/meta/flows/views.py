"""How Graph shows a WhatsApp Flow (OPENAPI "Get Flow"; pywa ``FlowDetails``): ``fields`` with Graph's
modifiers, Graph's timestamps, the preview, the owning WABA and app, and ``health_status``."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from sandbox.providers.meta.accounts.phone_numbers import waba_json
from sandbox.providers.meta.accounts.state import SANDBOX_APP
from sandbox.providers.meta.config import MetaBusiness
from sandbox.providers.meta.errors import MetaError
from sandbox.providers.meta.flows.model import Flow, flow_error
from sandbox.providers.meta.service import MetaProvider

FIELDS = ("id", "name", "status", "categories", "validation_errors", "json_version", "data_api_version",
          "endpoint_uri", "data_channel_uri", "preview", "whatsapp_business_account", "application",
          "health_status", "updated_at", "metric")
DEFAULT_FIELDS = {"id", "name", "status", "categories", "validation_errors"}  # the OpenAPI list example's
PREVIEW_DAYS = 30  # UNCONFIRMED: how long a preview_url lives


@dataclass(frozen=True)
class Fields:
    names: set[str]
    phone_number: str | None = None  # health_status.phone_number(<id>)


def fields_of(request: web.Request) -> Fields:
    """``fields`` with Graph's modifiers: ``preview.invalidate(true)``, ``health_status.phone_number(1)``;
    ``metric...`` answers 139006 (the sandbox has no endpoint traffic to measure)."""
    raw = request.query.get("fields")
    if not raw:
        return Fields(set(DEFAULT_FIELDS))
    names, phone = set(), None
    for item in filter(None, (part.strip() for part in raw.split(","))):
        base = item.split(".", 1)[0].split("{", 1)[0]
        if base not in FIELDS:
            raise MetaError(100, message=f"(#100) Tried accessing nonexisting field ({base}) on node type (WhatsAppFlow)")
        if base == "metric":
            raise flow_error("no_metrics")
        if base == "health_status" and ".phone_number(" in item:
            phone = item.split(".phone_number(", 1)[1].rstrip(")")
        names.add(base)
    return Fields(names, phone)


def date_of(request: web.Request, when: float) -> str | int:
    """Graph's ``+0000`` timestamps (pywa parses ``%Y-%m-%dT%H:%M:%S%z``); ``date_format=U``: unix seconds."""
    if request.query.get("date_format") == "U":
        return int(when)
    return datetime.fromtimestamp(when, UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def flow_view(request: web.Request, meta: MetaProvider, business: MetaBusiness, flow: Flow, fields: Fields) -> dict[str, Any]:
    """``business``: a number of the Flow's WABA (its ``whatsapp_business_account``)."""
    status = meta.flow_health.status_of(flow)
    token = hashlib.sha256(f"{flow.id}:{flow.updated_at}".encode()).hexdigest()[:32]
    every: dict[str, Any] = {
        "id": flow.id, "name": flow.name, "status": status, "categories": flow.categories,
        "validation_errors": flow.validation_errors, "json_version": flow.json_version,
        "data_api_version": flow.data_api_version, "endpoint_uri": flow.endpoint_uri,
        "data_channel_uri": flow.data_channel_uri,
        "preview": {"preview_url": f"https://business.facebook.com/wa/manage/flows/{flow.id}/preview/?token={token}",
                    "expires_at": date_of(request, meta.clock.now() + PREVIEW_DAYS * 86400)},
        "whatsapp_business_account": waba_json(business, None),
        "application": _application(flow),
        "health_status": _health(meta, business, flow, status, fields.phone_number),
        "updated_at": date_of(request, flow.updated_at),
    }
    return {k: v for k, v in every.items() if (k in fields.names or k == "id") and v is not None}


def _application(flow: Flow) -> dict[str, str]:
    if flow.application_id is None:
        return dict(SANDBOX_APP)
    return {"id": flow.application_id, "name": f"App {flow.application_id}",  # UNCONFIRMED name of another app
            "link": f"https://www.facebook.com/games/?app_id={flow.application_id}"}


def _health(meta: MetaProvider, business: MetaBusiness, flow: Flow, status: str, phone: str | None) -> dict[str, Any]:
    """OpenAPI "Get Flow" health_status: the worst ``can_send_message`` of the Flow, WABA, app (and number)."""
    can = {"DRAFT": "AVAILABLE", "PUBLISHED": "AVAILABLE", "THROTTLED": "LIMITED"}.get(status, "BLOCKED")
    entities = [{"entity_type": "FLOW", "id": flow.id, "can_send_message": can},
                {"entity_type": "WABA", "id": business.waba_id, "can_send_message": "AVAILABLE"},
                {"entity_type": "APP", "id": _application(flow)["id"], "can_send_message": "AVAILABLE"}]
    number = meta.businesses.by_phone_number_id(phone or "")
    if number is not None and number.waba_id == business.waba_id:
        registered = meta.accounts.number(number.phone_number_id).registered
        entities.append({"entity_type": "PHONE_NUMBER", "id": number.phone_number_id,
                         "can_send_message": "AVAILABLE" if registered else "BLOCKED"})
    order = ["AVAILABLE", "LIMITED", "BLOCKED"]
    worst = max((e["can_send_message"] for e in entities), key=order.index)
    return {"can_send_message": worst, "entities": entities}
