"""Meta wire rendering: webhook envelopes and their signature.

Exact format from ../shared/reference/meta-cloud-api.md §3: one event per POST, ASCII-escaped compact
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
