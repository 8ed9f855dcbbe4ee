"""The send bodies every target gets: realistic text and template sends to the open-window magic number.

``recipient_type`` and ``template.language.policy`` are included because Meta's published OpenAPI
(the spec Prism mocks) marks them required; the sandbox and Meta accept them too.
"""

from __future__ import annotations

import json
from typing import Any

PHONE_NUMBER_ID = "100000000000001"
SEND_PATH = f"/v23.0/{PHONE_NUMBER_ID}/messages"
TOKEN = "sandbox-token"
RECIPIENT = "15550200001"  # default scenario: sent 0.2 s, delivered 1 s, read 3 s, 24-hour window open
# Meta's spec constrains User-Agent to "name/1.2.3" (SDKs send one); Prism rejects requests without it.
HEADERS = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json", "User-Agent": "wa-sandbox-bench/1.0.0"}

TEXT: dict[str, Any] = {
    "messaging_product": "whatsapp",
    "recipient_type": "individual",
    "to": RECIPIENT,
    "type": "text",
    "text": {"preview_url": False, "body": "Hi Ana, your order #1042 has shipped and will arrive on May 5. Track it in the app."},
}
TEMPLATE: dict[str, Any] = {
    "messaging_product": "whatsapp",
    "recipient_type": "individual",
    "to": RECIPIENT,
    "type": "template",
    "template": {"name": "hello_world", "language": {"code": "en_US", "policy": "deterministic"}},
}
BODIES = (TEXT, TEMPLATE)

# What the canned targets (bare aiohttp, WireMock) answer: the shape of Meta's send response.
WAMID = "wamid.HBgLMTU1NTAyMDAwMDEVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA"
CANNED_RESPONSE: dict[str, Any] = {
    "messaging_product": "whatsapp",
    "contacts": [{"input": RECIPIENT, "wa_id": RECIPIENT}],
    "messages": [{"id": WAMID}],
}


# One status webhook as the sandbox posts it to the receiver (Meta's envelope, one status): what the
# receiver target is saturated with to measure its own ceiling.
STATUS_WEBHOOK: dict[str, Any] = {
    "object": "whatsapp_business_account",
    "entry": [{"id": "100000000000002", "changes": [{"field": "messages", "value": {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550000001", "phone_number_id": PHONE_NUMBER_ID},
        "statuses": [{"id": WAMID, "status": "delivered", "timestamp": "1795271989",
                      "recipient_id": RECIPIENT, "biz_opaque_callback_data": "1795271988.000000",
                      "pricing": {"billable": True, "pricing_model": "PMP", "category": "utility", "type": "regular"}}],
    }}]}],
}


def body_bytes(index: int, sent_at: float | None = None) -> bytes:
    """Text and template alternate. ``sent_at`` rides in biz_opaque_callback_data, which Meta echoes in
    every status webhook: the receiver computes the scheduled-vs-delivered lag from it."""
    body = BODIES[index % len(BODIES)]
    if sent_at is not None:
        body = {**body, "biz_opaque_callback_data": f"{sent_at:.6f}"}
    return json.dumps(body, separators=(",", ":")).encode()
