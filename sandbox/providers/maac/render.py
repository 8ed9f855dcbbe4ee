"""MAAC wire rendering: send-report rows, the ``pnp.status_updated`` webhook and its signature.

- Times are ISO 8601 in Asia/Taipei (+08:00, no DST since 1979) with microseconds, as every example
  in maac-openapi.md shows (``2022-10-14T10:33:41.343356+08:00``).
- Webhook bodies are JSON as Python's ``json.dumps`` writes it by default: ``", "`` / ``": "``
  separators and non-ASCII escaped as ``\\uXXXX``. The doc's Python verification note says both: keep
  the spaces, and the body string holds ``\\u65b0``-style escapes ("if you don't use raw string, you
  need to escape the backslash to present unicode"). The signature is
  ``hex(HMAC-SHA256(ShareSecret, raw body))`` in ``CrescLab-Signature``.
- The doc lists no WhatsApp statuses. By default (``report_whatsapp_as: pnp``) the WhatsApp leg takes
  the PNP fields (``pnp_status``, ``pnp_delivered_at``, ``pnp_*`` statuses): every field and value is
  in the published enum of the send report and ``pnp.status_updated``. The opt-in
  ``report_whatsapp_as: whatsapp`` (UNCONFIRMED) gives it its own ``whatsapp_status``,
  ``whatsapp_delivered_at``, ``whatsapp_error_category`` fields and ``whatsapp_*`` statuses.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from sandbox.providers.maac.config import ReportStyle
from sandbox.providers.maac.records import PnpRecord

TAIPEI = timezone(timedelta(hours=8), "Asia/Taipei")
TOPIC = "pnp.status_updated"


def iso(timestamp: float | None) -> str | None:
    if timestamp is None:
        return None
    return datetime.fromtimestamp(timestamp, UTC).astimezone(TAIPEI).isoformat(timespec="microseconds")


def leg_prefix(leg: str, style: ReportStyle) -> str:
    return "pnp" if leg == "whatsapp" and style == "pnp" else leg


def record_status(record: PnpRecord, style: ReportStyle) -> str | None:
    if record.last_leg is None:
        return None
    leg = record.legs[record.last_leg]
    return f"{leg_prefix(record.last_leg, style)}_{leg.status}"


def report_row(record: PnpRecord, style: ReportStyle) -> dict[str, Any]:
    """One ``results[]`` item of GET /openapi/v1/pnp/message/ (and the webhook's ``data``)."""
    row: dict[str, Any] = {
        "pnp_message_id": record.pnp_message_id,
        "phone_number": record.phone_number,
        "status": record_status(record, style),
        "line_push_template_id": None,
        "line_push_status": None,
        "line_push_delivered_at": None,
        "line_push_error_category": None,
        "pnp_status": None,
        "pnp_delivered_at": None,
    }
    whatsapp, sms = record.leg("whatsapp"), record.leg("sms")
    if style == "pnp" and whatsapp is not None:
        row["pnp_status"] = f"pnp_{whatsapp.status}"
        row["pnp_delivered_at"] = iso(whatsapp.delivered_at)
    row["sms_status"] = f"sms_{sms.status}" if sms else None
    row["sms_delivered_at"] = iso(sms.delivered_at) if sms else None
    row["sms_error_category"] = sms.error_category if sms else None
    if style == "whatsapp":
        row["whatsapp_status"] = f"whatsapp_{whatsapp.status}" if whatsapp else None
        row["whatsapp_delivered_at"] = iso(whatsapp.delivered_at) if whatsapp else None
        row["whatsapp_error_category"] = whatsapp.error_category if whatsapp else None
    row["updated_at"] = iso(record.updated_at)
    row["event_id"] = record.event_id
    row["customized_id"] = record.customized_id
    return row


def webhook_body(record: PnpRecord, style: ReportStyle, now: float) -> bytes:
    row = report_row(record, style)
    data: dict[str, Any] = {
        "pnp_setting_id": record.pnp_setting_id,
        "pnp_setting_name": record.pnp_setting_name,
        "pnp_message_id": row.pop("pnp_message_id"),
        "event_id": row.pop("event_id"),
        "customized_id": row.pop("customized_id"),
        "phone_number": row.pop("phone_number"),
        **row,
    }
    data.pop("updated_at")  # the documented webhook body carries no updated_at
    payload = {"timestamp": iso(now), "topic": TOPIC, "data": data}
    return json.dumps(payload).encode("ascii")


def sign_headers(body: bytes, share_secret: str, idempotency_key: str) -> dict[str, str]:
    signature = hmac.new(share_secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return {
        "Content-Type": "application/json; charset=utf-8",
        "CrescLab-Idempotency-Key": idempotency_key,
        "CrescLab-Signature": signature,
    }
