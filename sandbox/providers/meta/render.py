"""Meta wire rendering: webhook envelopes and their signature.

Exact format from ../shared/reference/meta-cloud-api.md §3: one event per POST (or, with batching on,
several: ``batch_envelope`` and providers/meta/messages/batching.py), ASCII-escaped compact
JSON signed over those exact bytes, lowercase hex. ``contacts[0].user_id`` is always present (pywa
drops updates without it, §0.1), even on ``failed`` statuses where Meta omits ``contacts``.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from sandbox.core import jsonbody
from sandbox.providers.meta.config import MetaBusiness


def envelope(business: MetaBusiness, value: dict[str, Any], field: str = "messages") -> dict[str, Any]:
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": business.waba_id, "changes": [{"value": value, "field": field}]}],
    }


def update_value(business: MetaBusiness, kind: str, items: list[dict[str, Any]],
                 contacts: list[dict[str, Any]]) -> dict[str, Any]:
    """A ``messages`` field value: ``kind`` is "statuses" or "messages"."""
    return {"messaging_product": "whatsapp", "metadata": metadata(business), "contacts": contacts, kind: items}


def batch_envelope(business: MetaBusiness, updates: list[tuple[str, dict[str, Any], dict[str, Any]]]) -> dict[str, Any]:
    """Several ``(kind, item, contact)`` updates of one number in one payload: one entry (its WABA);
    updates of the same kind in a row share a change's value (each contact listed once, in first-seen
    order); a change of kind starts a new ``changes`` item, so the payload keeps the updates' order."""
    changes: list[dict[str, Any]] = []
    current: str | None = None
    for kind, item, contact in updates:
        if kind != current:
            value = update_value(business, kind, [], [])
            changes.append({"value": value, "field": "messages"})
            current = kind
        if contact not in value["contacts"]:
            value["contacts"].append(contact)
        value[kind].append(item)
    return {"object": "whatsapp_business_account", "entry": [{"id": business.waba_id, "changes": changes}]}


def metadata(business: MetaBusiness) -> dict[str, str]:
    return {"display_phone_number": business.display_digits, "phone_number_id": business.phone_number_id}


def contact(wa_id: str | None, user_id: str, name: str) -> dict[str, Any]:
    out: dict[str, Any] = {"profile": {"name": name}}
    if wa_id:
        out["wa_id"] = wa_id
    out["user_id"] = user_id
    return out


def encode(payload: dict[str, Any]) -> bytes:
    """ASCII-only compact JSON: the same HMAC whether a client verifies raw or re-escaped bytes."""
    return jsonbody.dumps_ascii(payload)


def sign_headers(body: bytes, app_secret: str) -> dict[str, str]:
    sha256 = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    sha1 = hmac.new(app_secret.encode(), body, hashlib.sha1).hexdigest()
    return {
        "Content-Type": "application/json",
        "X-Hub-Signature-256": f"sha256={sha256}",
        "X-Hub-Signature": f"sha1={sha1}",  # legacy header some clients still read
        "User-Agent": "facebookexternalua",
    }
