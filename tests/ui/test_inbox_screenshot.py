"""A realistic session rendered end to end: every rich Meta type on one page without a script error.

The picture is docs/inbox.png in the README: ``WA_SANDBOX_SCREENSHOT=docs/inbox.png pytest tests/ui -k screenshot``
rewrites it (fonts-noto-color-emoji makes the emoji render); otherwise it goes to the test's tmp folder.
"""

from __future__ import annotations

import os
import struct
import zlib
from pathlib import Path
from typing import Any

from aiohttp import web
from playwright.async_api import Page, expect

from sandbox.core.store import Message
from sandbox.testing.plugin import RunningSandbox
from sandbox.testing.receiver import WebhookReceiver

ANA = "+15550200001"


def parcel_png(width: int = 480, height: int = 270) -> bytes:
    """A small warm-gradient PNG standing in for a product photo (no imaging library needed)."""
    rows = bytearray()
    for y in range(height):
        rows.append(0)
        for x in range(width):
            box = 150 < x < 330 and 70 < y < 210
            r, g, b = (196, 150, 98) if box else (250 - y // 6, 214 - x // 12, 170 + x // 10)
            if box and (abs(x - 240) < 6 or abs(y - 110) < 5):
                r, g, b = (232, 205, 150)
            rows += bytes((r, g, b))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(bytes(rows))) + chunk(b"IEND", b"")


async def test_rich_conversation_renders_every_meta_type(
    inbox: Page, wa_sandbox: RunningSandbox, webhook_receiver: WebhookReceiver, send_meta: Any,
    aiohttp_server: Any, tmp_path: Path,
) -> None:
    png = parcel_png()
    media_app = web.Application()

    async def parcel(_: web.Request) -> web.Response:
        return web.Response(body=png, content_type="image/png")

    media_app.router.add_get("/parcel.png", parcel)
    media = await aiohttp_server(media_app)
    await wa_sandbox.control.set_webhook(webhook_receiver.url)
    control = wa_sandbox.control

    await send_meta("+15550200003", "text", {"body": "Your verification code is 482 913"})
    await send_meta("+919876500012", "interactive", {
        "type": "address_message", "body": {"text": "Where should we deliver your order?"},
        "action": {"name": "address_message", "parameters": {"country": "IN"}},
    })
    sms = Message(id="sms-demo", provider="smsglobal", channel="sms", direction="outbound", business="SandboxSMS",
                  user="61400000001", type="sms", payload={"message": "Your table for 2 is booked for 7pm."},
                  created_at=wa_sandbox.runtime.clock.now(), status="delivered")
    wa_sandbox.runtime.journal.add(sms)
    wa_sandbox.runtime.feed.publish({"kind": "message", "id": sms.id})
    await control.advance(2)

    await control.inject_inbound(ANA, type="text", text="Hi! Is my order on its way? 📦")
    await control.advance(30)
    order = await send_meta(ANA, "text", {"body": "*Order #4521* is packed ✅\nArriving _tomorrow_ between 9 and 11. "
                                                   "Track it: https://example.com/t/4521"})
    await send_meta(ANA, "image", {"link": str(media.make_url("/parcel.png")), "caption": "Your parcel, ready to go"})
    await control.advance(5)
    await send_meta(ANA, "location", {"latitude": 1.2868, "longitude": 103.8545, "name": "Pickup point",
                                      "address": "1 Fullerton Rd, Singapore"})
    await control.advance(40)
    ask = await send_meta(ANA, "interactive", {
        "type": "button", "header": {"type": "text", "text": "Delivery options"},
        "body": {"text": "Nobody home tomorrow? We can leave it with a neighbour."},
        "footer": {"text": "Reply within 24 h"},
        "action": {"buttons": [{"type": "reply", "reply": {"id": "neighbour", "title": "Leave with neighbour"}},
                               {"type": "reply", "reply": {"id": "reschedule", "title": "Reschedule"}}]},
    })
    await control.advance(4)
    await inbox.locator('.conversation[data-user="15550200001"]').click()
    await inbox.locator(f'.row[data-id="{ask}"]').get_by_role("button", name="Reschedule").click()
    await expect(inbox.locator(".row.from-user .bubble", has_text="Reschedule")).to_be_visible()
    await control.inject_inbound(ANA, type="reaction", reaction={"message_id": order, "emoji": "👍"})
    await send_meta(ANA, "interactive", {
        "type": "list", "body": {"text": "Pick a new delivery slot"}, "footer": {"text": "Times are local"},
        "action": {"button": "Choose a slot", "sections": [{"title": "Friday", "rows": [
            {"id": "fri-am", "title": "09:00 – 11:00"}, {"id": "fri-pm", "title": "14:00 – 16:00"}]}]},
    })
    await control.advance(1.2)
    await expect(inbox.locator(".row .reaction")).to_have_text("👍")
    await expect(inbox.locator(".row img.media")).to_be_visible()
    await inbox.locator('.webhook[data-event="message:interactive"] summary').first.click()
    await inbox.mouse.move(0, 0)
    await inbox.set_viewport_size({"width": 1440, "height": 1180})
    await inbox.locator("#messages").evaluate("box => { box.scrollTop = box.scrollHeight; }")
    target = Path(os.environ.get("WA_SANDBOX_SCREENSHOT") or tmp_path / "inbox.png")
    await inbox.screenshot(path=str(target))
    assert target.stat().st_size > 10_000
