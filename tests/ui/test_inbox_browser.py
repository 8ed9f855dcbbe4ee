"""The web inbox in a real headless Chromium: what the application sends shows up live, and what the
user does in the page reaches the application as the same webhook the control API would send."""

from __future__ import annotations

import base64
from typing import Any

from aiohttp import encode_basic_auth
from playwright.async_api import Page, expect

from sandbox.core.store import Message
from sandbox.testing.plugin import RunningSandbox
from sandbox.testing.receiver import WebhookReceiver

ANA = "+15550200001"  # magic number: window open, sent 0.2 s, delivered 1 s, read 3 s
UNDELIVERABLE = "+15550200003"  # magic number: fails with 131026 after 1 s
PRIYA = "+919876500012"  # Indian persona with the address-message capability
BUTTONS = {
    "type": "button",
    "body": {"text": "Deliver *tomorrow*?"},
    "action": {"buttons": [{"type": "reply", "reply": {"id": "yes", "title": "Yes"}},
                           {"type": "reply", "reply": {"id": "no", "title": "No"}}]},
}
XSS = "<img src=x onerror=alert(1)>"
PIXEL_PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGNQvZwGAAJ/AV9X3CpyAAAAAElFTkSuQmCC")
MODICA_AUTH = {"Authorization": encode_basic_auth("sandbox", "sandbox-secret")}  # default scenario's application
MODICA_USER = "+64211234567"


def row(page: Page, wamid: str) -> Any:
    return page.locator(f'.row[data-id="{wamid}"]')


async def wire(wa_sandbox: RunningSandbox, receiver: WebhookReceiver) -> None:
    await wa_sandbox.control.set_webhook(receiver.url)


def inbound_message(post: Any) -> dict[str, Any]:
    return dict(post.json["entry"][0]["changes"][0]["value"]["messages"][0])


async def test_sent_text_appears_as_a_formatted_bubble(inbox: Page, send_meta: Any) -> None:
    wamid = await send_meta(ANA, "text", {"body": "Hi *Ana*, order _1234_ is ~late~ ```ok```"})
    bubble = row(inbox, wamid).locator(".bubble")
    await expect(bubble.locator("strong")).to_have_text("Ana")
    await expect(bubble.locator("em")).to_have_text("1234")
    await expect(bubble.locator("s")).to_have_text("late")
    await expect(bubble.locator("code.mono")).to_have_text("ok")


async def test_ticks_follow_the_status_as_the_clock_advances(inbox: Page, wa_sandbox: RunningSandbox, send_meta: Any) -> None:
    wamid = await send_meta(ANA, "text", {"body": "status please"})
    ticks = row(inbox, wamid).locator(".bubble .ticks")
    await expect(ticks).to_have_attribute("data-status", "accepted")
    await wa_sandbox.control.advance(0.2)
    await expect(ticks).to_have_attribute("data-status", "sent")
    await wa_sandbox.control.advance(1)
    await expect(ticks).to_have_attribute("data-status", "delivered")
    await wa_sandbox.control.advance(2)
    await expect(ticks).to_have_attribute("data-status", "read")
    await expect(ticks).to_have_css("stroke", "rgb(83, 189, 235)")  # WhatsApp's blue read ticks


async def test_failed_message_shows_its_error_code(inbox: Page, wa_sandbox: RunningSandbox, send_meta: Any) -> None:
    wamid = await send_meta(UNDELIVERABLE, "text", {"body": "are you there?"})
    await wa_sandbox.control.advance(1)
    await expect(row(inbox, wamid).locator(".failure")).to_contain_text("131026")
    await expect(row(inbox, wamid)).to_have_attribute("data-status", "failed")


async def test_tapping_a_reply_button_sends_the_button_reply_webhook(
    inbox: Page, wa_sandbox: RunningSandbox, webhook_receiver: WebhookReceiver, send_meta: Any
) -> None:
    await wire(wa_sandbox, webhook_receiver)
    wamid = await send_meta(ANA, "interactive", BUTTONS)
    await row(inbox, wamid).get_by_role("button", name="Yes").click()
    await expect(inbox.locator(".row.from-user .bubble", has_text="Yes")).to_be_visible()
    message = await wa_sandbox.control.wait_for_webhook(event="message:interactive")
    assert message and webhook_receiver.posts
    sent = inbound_message(next(p for p in webhook_receiver.posts if "messages" in p.json["entry"][0]["changes"][0]["value"]))
    assert sent["interactive"] == {"type": "button_reply", "button_reply": {"id": "yes", "title": "Yes"}}
    assert sent["context"]["id"] == wamid


async def test_picking_a_list_row_sends_the_list_reply(inbox: Page, wa_sandbox: RunningSandbox, send_meta: Any) -> None:
    wamid = await send_meta(ANA, "interactive", {
        "type": "list", "body": {"text": "Pick a slot"},
        "action": {"button": "Slots", "sections": [{"title": "Morning", "rows": [
            {"id": "m9", "title": "09:00", "description": "Early"}, {"id": "m11", "title": "11:00"}]}]},
    })
    await row(inbox, wamid).get_by_role("button", name="Slots").click()
    await inbox.locator('.list-row[data-row-id="m11"]').click()
    replies = await wa_sandbox.control.wait_for(direction="inbound", type="interactive")
    assert replies[0]["payload"]["interactive"] == {"type": "list_reply", "list_reply": {"id": "m11", "title": "11:00"}}
    assert replies[0]["payload"]["context"]["id"] == wamid


async def test_address_form_has_the_country_fields_and_sends_an_nfm_reply(
    inbox: Page, wa_sandbox: RunningSandbox, send_meta: Any
) -> None:
    wamid = await send_meta(PRIYA, "interactive", {
        "type": "address_message", "body": {"text": "Where should we deliver?"},
        "action": {"name": "address_message", "parameters": {"country": "IN", "values": {"city": "Mumbai"}}},
    })
    await row(inbox, wamid).get_by_role("button", name="Provide address").click()
    form = inbox.locator("#sheet form[data-country=IN]")
    await expect(form.locator("input[name=in_pin_code]")).to_be_visible()
    await expect(form.locator("input[name=city]")).to_have_value("Mumbai")
    await form.locator("input[name=in_pin_code]").fill("400001")
    await form.get_by_role("button", name="Send address").click()
    reply = (await wa_sandbox.control.wait_for(direction="inbound", type="interactive"))[0]["payload"]["interactive"]
    assert reply["type"] == "nfm_reply" and reply["nfm_reply"]["name"] == "address_message"
    assert '"in_pin_code":"400001"' in reply["nfm_reply"]["response_json"].replace(" ", "")


async def test_sharing_a_location_sends_a_location_message(inbox: Page, wa_sandbox: RunningSandbox, send_meta: Any) -> None:
    await send_meta(ANA, "text", {"body": "where are you?"})
    await inbox.locator("#share-location").click()
    await inbox.locator("#sheet input[name=name]").fill("Office")
    await inbox.locator("#sheet").get_by_role("button", name="Share location").click()
    sent = (await wa_sandbox.control.wait_for(direction="inbound", type="location"))[0]["payload"]["location"]
    assert sent["name"] == "Office" and sent["latitude"] == 1.28668
    await expect(inbox.locator(".row.from-user .loc-name")).to_have_text("Office")


async def test_reacting_sends_a_reaction_and_shows_it_on_the_message(
    inbox: Page, wa_sandbox: RunningSandbox, send_meta: Any
) -> None:
    wamid = await send_meta(ANA, "text", {"body": "good news"})
    target = row(inbox, wamid)
    await target.hover()
    await target.get_by_role("button", name="React").click()
    await target.locator('.emoji[data-emoji="👍"]').click()
    sent = (await wa_sandbox.control.wait_for(direction="inbound", type="reaction"))[0]["payload"]["reaction"]
    assert sent == {"message_id": wamid, "emoji": "👍"}
    await expect(target.locator(".reaction")).to_have_text("👍")


async def test_typed_reply_quotes_the_message_it_answers(inbox: Page, wa_sandbox: RunningSandbox, send_meta: Any) -> None:
    wamid = await send_meta(ANA, "text", {"body": "Confirm your slot"})
    await row(inbox, wamid).hover()
    await row(inbox, wamid).get_by_role("button", name="Reply").click()
    await inbox.locator("#composer-text").fill("Confirmed")
    await inbox.locator("#composer-text").press("Enter")
    sent = (await wa_sandbox.control.wait_for(direction="inbound", type="text"))[0]
    assert sent["payload"]["text"] == {"body": "Confirmed"} and sent["payload"]["context"]["id"] == wamid
    await expect(inbox.locator(".row.from-user .quote-text")).to_have_text("Confirm your slot")


async def test_client_text_shows_as_text_and_never_runs(inbox: Page, wa_sandbox: RunningSandbox, send_meta: Any) -> None:
    wamid = await send_meta(ANA, "text", {"body": XSS})
    await wa_sandbox.control.inject_inbound(ANA, type="text", text=XSS)
    await expect(row(inbox, wamid).locator(".text")).to_have_text(XSS)
    await expect(inbox.locator(".row.from-user .text")).to_have_text(XSS)
    assert await inbox.locator("#messages img").count() == 0
    assert await inbox.locator("#conversations img").count() == 0
    assert inbox.dialogs == []  # type: ignore[attr-defined]


async def test_webhooks_panel_shows_the_signature_and_resends(
    inbox: Page, wa_sandbox: RunningSandbox, webhook_receiver: WebhookReceiver, send_meta: Any
) -> None:
    await wire(wa_sandbox, webhook_receiver)
    await send_meta(ANA, "text", {"body": "hello"})
    await wa_sandbox.control.advance(0.2)
    entry = inbox.locator('.webhook[data-event="status:sent"]')
    await entry.locator("summary").click()
    await expect(entry.locator(".kv.signature", has_text="X-Hub-Signature-256")).to_contain_text("sha256=")
    await expect(entry.locator("pre.json")).to_contain_text('"status": "sent"')
    await expect(entry.locator(".attempts tbody tr")).to_have_count(1)
    await entry.get_by_role("button", name="Re-send").click()
    await expect(inbox.locator('.webhook[data-event="status:sent (redelivery)"]')).to_have_count(1)
    assert len(await webhook_receiver.wait_posts(2)) == 2


async def test_a_batched_webhook_shows_in_its_chats_webhook_panel(
    inbox: Page, wa_sandbox: RunningSandbox, webhook_receiver: WebhookReceiver, send_meta: Any
) -> None:
    await wire(wa_sandbox, webhook_receiver)
    wamid = await send_meta("+15550200020", "text", {"body": "batched"})  # magic: sent+delivered in one POST
    await expect(row(inbox, wamid)).to_have_count(1)
    await wa_sandbox.control.advance(1)
    await inbox.locator("#webhooks-this-chat").check()
    await expect(inbox.locator('.webhook[data-event="batch:2"]')).to_have_count(1)


async def test_scenario_panel_lists_magic_numbers_and_reset_empties_the_inbox(
    inbox: Page, wa_sandbox: RunningSandbox, send_meta: Any
) -> None:
    wamid = await send_meta(ANA, "text", {"body": "to be forgotten"})
    await expect(row(inbox, wamid)).to_be_visible()
    await inbox.get_by_role("tab", name="Scenario").click()
    await expect(inbox.locator(".magic td.number", has_text="+15550200003")).to_be_visible()
    await inbox.locator("#reset").click()
    await inbox.locator("#reset").click()  # second click confirms
    await expect(row(inbox, wamid)).to_have_count(0)
    assert await wa_sandbox.control.messages() == []


async def test_message_of_another_provider_renders_from_the_journal(inbox: Page, wa_sandbox: RunningSandbox) -> None:
    rt = wa_sandbox.runtime
    message = Message(
        id="sms-1", provider="acme-sms", channel="sms", direction="outbound", business="ACME", user="6421000000",
        type="sms", payload={"message": "Your code is 1234"}, created_at=rt.clock.now(),
    )
    rt.journal.add(message)
    rt.feed.publish({"kind": "message", "id": message.id})
    await expect(row(inbox, "sms-1").locator(".text")).to_have_text("Your code is 1234")
    await expect(row(inbox, "sms-1").locator(".leg")).to_have_text("SMS")
    await expect(inbox.locator(".group-title .provider", has_text="acme-sms")).to_be_visible()


async def test_sms_leg_sharing_a_message_id_with_a_whatsapp_leg_shows_as_fallback(
    inbox: Page, wa_sandbox: RunningSandbox
) -> None:
    rt = wa_sandbox.runtime
    common = {"provider": "acme-pnp", "direction": "outbound", "business": "1", "user": "886912345678"}
    whatsapp = Message(id="pnp-7-wa", channel="whatsapp", type="template", created_at=rt.clock.now(),
                       payload={"template_name": "order_update", "template_data": {"body": {"parameters": [{"text": "A-1"}]}}},
                       meta={"pnp_message_id": 7}, **common)
    sms = Message(id="pnp-7-sms", channel="sms", type="sms", created_at=rt.clock.now() + 1,
                  payload={"text": "Order A-1 shipped", "segments": 1}, meta={"pnp_message_id": 7}, **common)
    for message in (whatsapp, sms):
        rt.journal.add(message)
        rt.feed.publish({"kind": "message", "id": message.id})
    await expect(row(inbox, "pnp-7-wa").locator(".param")).to_have_text("{{1}}A-1")
    await expect(row(inbox, "pnp-7-sms").locator(".leg")).to_have_text("SMS fallback · 1 part(s)")


async def test_template_shows_the_text_the_user_sees(inbox: Page, send_meta: Any) -> None:
    wamid = await send_meta(ANA, "template", {"name": "hello_world", "language": {"code": "en_US"}})
    bubble = row(inbox, wamid).locator(".bubble")
    await expect(bubble.locator(".kind-note")).to_have_text("hello_world · en_US")
    await expect(bubble.locator(".kind-note svg.icon-document")).to_have_count(1)  # inline SVG, not an emoji
    await expect(bubble.locator(".text")).to_contain_text("Hello World")


async def send_modica(wa_sandbox: RunningSandbox, kind: str, obj: dict[str, Any], data: bytes,
                      mime: str) -> tuple[str, str]:
    """Upload media and send it over Modica's WAB API as the application would: (message id, media_id)."""
    base, session = f"{wa_sandbox.url}/rest/wab/v1", wa_sandbox.control.session
    async with session.post(f"{base}/media?source=6421555000", data=data, headers={**MODICA_AUTH, "Content-Type": mime}) as resp:
        media_id = (await resp.json())[0]["id"]
    body = {"to": MODICA_USER, "type": kind, kind: {"id": media_id, **obj}}
    async with session.post(f"{base}/messages", json=body, headers=MODICA_AUTH) as resp:
        assert resp.status == 202, await resp.text()
        return str((await resp.json())[0]["id"]), str(media_id)


async def test_modica_image_by_media_id_shows_inline(inbox: Page, wa_sandbox: RunningSandbox) -> None:
    sent, media_id = await send_modica(wa_sandbox, "image", {"caption": "Your receipt"}, PIXEL_PNG, "image/png")
    image = row(inbox, sent).locator("img.media")
    await expect(image).to_have_attribute("src", f"/_sandbox/inbox/api/media/modica/{media_id}")
    await expect(image).to_have_js_property("naturalWidth", 1)  # the bytes loaded: no file card fallback
    await expect(row(inbox, sent).locator(".caption")).to_have_text("Your receipt")


async def test_modica_users_document_is_a_download_link(inbox: Page, wa_sandbox: RunningSandbox) -> None:
    sent = await wa_sandbox.control.inject_inbound(
        MODICA_USER, provider="modica", business="sandbox", type="document",
        document={"mime_type": "application/pdf", "filename": "invoice.pdf", "data": base64.b64encode(b"%PDF").decode()},
    )
    link = row(inbox, sent["id"]).locator("a.file-link")
    await expect(link).to_have_attribute("href", f"/_sandbox/inbox/api/media/modica/{sent['payload']['document']['id']}")
    await expect(link.locator(".file-name")).to_have_text("invoice.pdf")
    async with wa_sandbox.control.session.get(wa_sandbox.url + str(await link.get_attribute("href"))) as resp:
        assert await resp.read() == b"%PDF"



async def test_smsglobal_sticker_link_is_previewed_as_media(inbox: Page, wa_sandbox: RunningSandbox) -> None:
    rt = wa_sandbox.runtime
    url = f"{wa_sandbox.url}/_sandbox/inbox/static/missing-sticker.webp"  # loopback; 404 shows the file card
    message = Message(
        id="sg-sticker-1", provider="smsglobal", channel="whatsapp", direction="outbound", business="key",
        user="61400000123", type="sticker", payload={"message": {"type": "sticker", "url": url}},
        created_at=rt.clock.now(),
    )
    rt.journal.add(message)
    rt.feed.publish({"kind": "message", "id": message.id})
    card = row(inbox, "sg-sticker-1").locator(".file-card.file-sticker")
    await expect(card.locator(".file-name")).to_have_text("missing-sticker.webp")
