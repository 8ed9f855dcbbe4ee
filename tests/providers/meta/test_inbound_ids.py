"""Ids of messages a user sent carry the inbound marker Meta's webhook examples show (issue 17 item 6)."""

from __future__ import annotations

import base64

from tests.conftest import send

USER = "12065550107"


def marker(wamid: str) -> bytes:
    raw = base64.b64decode(wamid.removeprefix("wamid."))
    return raw[3 + raw[2]:][:6]  # the bytes after the number


async def test_inbound_and_outbound_ids_differ_in_their_marker(wa_sandbox):
    inbound = await wa_sandbox.control.inject_inbound(f"+{USER}", type="text", text="hi")
    _, body = await send(wa_sandbox, {"messaging_product": "whatsapp", "to": USER, "type": "text", "text": {"body": "ok"}})
    assert marker(inbound["id"]) == b"\x15\x02\x00\x12\x18\x20" and "VAgAS" in inbound["id"]
    assert marker(body["messages"][0]["id"]) == b"\x15\x02\x00\x11\x18\x12"
