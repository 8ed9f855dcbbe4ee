"""One send per message type through the real pywa client, checked in the journal."""

from __future__ import annotations

from typing import Any

from pywa_async import types
from pywa_async.types.templates import TemplateLanguage

from tests.conftest import PHONE_ID, send

TO = "15550200001"  # magic number: delivered and read, window open


async def journal(wa_sandbox: Any, message_id: str) -> dict[str, Any]:
    return await wa_sandbox.control.message(message_id)


async def test_text_is_sent_and_journaled(wa, wa_sandbox):
    sent = await wa.send_message(to=TO, text="Hello *world*")
    entry = await journal(wa_sandbox, sent.id)
    assert sent.id.startswith("wamid.")
    assert entry["type"] == "text"
    assert entry["payload"]["text"]["body"] == "Hello *world*"
    assert entry["business"] == PHONE_ID and entry["user"] == TO and entry["direction"] == "outbound"


async def test_text_with_preview_url(wa, wa_sandbox):
    sent = await wa.send_message(to=TO, text="see https://example.com", preview_url=True)
    assert (await journal(wa_sandbox, sent.id))["payload"]["text"]["preview_url"] is True


async def test_reaction_and_its_removal(wa, wa_sandbox):
    target = await wa.send_message(to=TO, text="react to me")
    reacted = await wa.send_reaction(to=TO, emoji="\U0001F44D", message_id=target.id)
    removed = await wa.remove_reaction(to=TO, message_id=target.id)
    assert (await journal(wa_sandbox, reacted.id))["payload"]["reaction"] == {"message_id": target.id, "emoji": "\U0001F44D"}
    assert (await journal(wa_sandbox, removed.id))["payload"]["reaction"]["emoji"] == ""


async def test_image_by_link_with_caption(wa, wa_sandbox):
    sent = await wa.send_image(to=TO, image="https://example.com/cat.jpg", caption="A cat")
    payload = (await journal(wa_sandbox, sent.id))["payload"]
    assert payload["type"] == "image"
    assert payload["image"] == {"link": "https://example.com/cat.jpg", "caption": "A cat"}


async def test_video_by_link(wa, wa_sandbox):
    sent = await wa.send_video(to=TO, video="https://example.com/clip.mp4", caption="Clip")
    assert (await journal(wa_sandbox, sent.id))["payload"]["video"]["link"] == "https://example.com/clip.mp4"


async def test_document_by_link_with_filename(wa, wa_sandbox):
    sent = await wa.send_document(to=TO, document="https://example.com/invoice.pdf", filename="invoice.pdf", caption="Invoice")
    doc = (await journal(wa_sandbox, sent.id))["payload"]["document"]
    assert doc["filename"] == "invoice.pdf" and doc["caption"] == "Invoice"


async def test_audio_by_link(wa, wa_sandbox):
    sent = await wa.send_audio(to=TO, audio="https://example.com/note.ogg")
    assert (await journal(wa_sandbox, sent.id))["type"] == "audio"


async def test_sticker_by_link(wa, wa_sandbox):
    sent = await wa.send_sticker(to=TO, sticker="https://example.com/s.webp")
    assert (await journal(wa_sandbox, sent.id))["payload"]["sticker"]["link"] == "https://example.com/s.webp"


async def test_location(wa, wa_sandbox):
    sent = await wa.send_location(to=TO, latitude=37.44, longitude=-122.16, name="Philz Coffee", address="101 Forest Ave")
    location = (await journal(wa_sandbox, sent.id))["payload"]["location"]
    assert float(location["latitude"]) == 37.44 and location["name"] == "Philz Coffee"


async def test_contacts(wa, wa_sandbox):
    contact = types.Contact(
        name=types.Contact.Name(formatted_name="Barbara J. Johnson", first_name="Barbara"),
        phones=[types.Contact.Phone(phone="+16505559999", type="Landline")],
    )
    sent = await wa.send_contact(to=TO, contact=contact)
    payload = (await journal(wa_sandbox, sent.id))["payload"]
    assert payload["contacts"][0]["name"]["formatted_name"] == "Barbara J. Johnson"


async def test_interactive_reply_buttons(wa, wa_sandbox):
    buttons = [types.Button(title="Change", callback_data="change"), types.Button(title="Cancel", callback_data="cancel")]
    sent = await wa.send_message(to=TO, text="Your order", header="Order #1", footer="Lucky Shrub", buttons=buttons)
    interactive = (await journal(wa_sandbox, sent.id))["payload"]["interactive"]
    assert interactive["type"] == "button"
    assert [b["reply"]["id"] for b in interactive["action"]["buttons"]] == ["change", "cancel"]


async def test_interactive_list(wa, wa_sandbox):
    menu = types.SectionList(
        button_title="Shipping",
        sections=[types.Section(title="Fast", rows=[types.SectionRow(title="Express", callback_data="express", description="1 day")])],
    )
    sent = await wa.send_message(to=TO, text="Which shipping option?", buttons=menu)
    interactive = (await journal(wa_sandbox, sent.id))["payload"]["interactive"]
    assert interactive["type"] == "list"
    assert interactive["action"]["sections"][0]["rows"][0]["id"] == "express"


async def test_interactive_cta_url(wa, wa_sandbox):
    sent = await wa.send_message(to=TO, text="See dates", buttons=types.URLButton(title="See Dates", url="https://example.com/dates"))
    interactive = (await journal(wa_sandbox, sent.id))["payload"]["interactive"]
    assert interactive["type"] == "cta_url"
    assert interactive["action"]["parameters"]["url"] == "https://example.com/dates"


async def test_interactive_flow(wa, wa_sandbox):
    button = types.FlowButton(title="Open flow", flow_id="1234567890", flow_token="token-1", flow_action_type="navigate", flow_action_screen="START")
    sent = await wa.send_message(to=TO, text="Book a table", buttons=button)
    interactive = (await journal(wa_sandbox, sent.id))["payload"]["interactive"]
    assert interactive["type"] == "flow"
    assert interactive["action"]["parameters"]["flow_id"] == "1234567890"


async def test_location_request(wa, wa_sandbox):
    sent = await wa.request_location(to=TO, text="Where should we deliver?")
    assert (await journal(wa_sandbox, sent.id))["payload"]["interactive"]["type"] == "location_request_message"


async def test_template_hello_world(wa, wa_sandbox):
    sent = await wa.send_template(to=TO, name="hello_world", language=TemplateLanguage.ENGLISH_US)
    payload = (await journal(wa_sandbox, sent.id))["payload"]
    assert payload["type"] == "template" and payload["template"]["name"] == "hello_world"


async def test_contextual_reply_and_tracker(wa, wa_sandbox):
    first = await wa.send_message(to=TO, text="first")
    reply = await wa.send_message(to=TO, text="second", reply_to_message_id=first.id, tracker="order-42")
    entry = await journal(wa_sandbox, reply.id)
    assert entry["payload"]["context"] == {"message_id": first.id}
    assert entry["meta"]["biz_opaque_callback_data"] == "order-42"


async def test_send_to_bsuid_recipient_answers_user_id(wa, wa_sandbox):
    sent = await wa.send_message(to="US.10000000000000000001", text="by user id")
    entry = await journal(wa_sandbox, sent.id)
    assert entry["payload"]["recipient"] == "US.10000000000000000001"
    assert "to" not in entry["payload"]


async def test_mark_as_read_and_typing_indicator(wa, wa_sandbox):
    inbound = await wa_sandbox.control.inject_inbound("+15550200001", type="text", text="hi")
    assert (await wa.mark_message_as_read(message_id=inbound["id"])).success is True
    assert (await wa.indicate_typing(message_id=inbound["id"])).success is True
    entry = await journal(wa_sandbox, inbound["id"])
    assert "read_by_business" in entry["meta"] and "typing_indicator" in entry["meta"]


async def test_address_message_raw_request(wa_sandbox):
    # pywa has no address-message builder: seed 002's India example, sent as raw JSON.
    status, body = await send(wa_sandbox, {
        "messaging_product": "whatsapp", "recipient_type": "individual", "to": "+919876500012", "type": "interactive",
        "interactive": {"type": "address_message", "body": {"text": "Thanks for your order!"},
                        "action": {"name": "address_message", "parameters": {"country": "IN", "values": {"name": "Priya", "phone_number": "+919876500012"}}}},
    })
    assert status == 200
    entry = await journal(wa_sandbox, body["messages"][0]["id"])
    assert entry["payload"]["interactive"]["action"]["parameters"]["country"] == "IN"


async def test_carousel_raw_request(wa_sandbox):
    card = {"card_index": 0, "type": "cta_url", "header": {"type": "image", "image": {"link": "https://example.com/1.png"}},
            "body": {"text": "Card"}, "action": {"name": "cta_url", "parameters": {"display_text": "Buy", "url": "https://example.com/buy"}}}
    status, body = await send(wa_sandbox, {
        "messaging_product": "whatsapp", "to": TO, "type": "interactive",
        "interactive": {"type": "carousel", "body": {"text": "Our picks"}, "action": {"cards": [card, {**card, "card_index": 1}]}},
    })
    assert status == 200, body
    assert (await journal(wa_sandbox, body["messages"][0]["id"]))["payload"]["interactive"]["type"] == "carousel"


async def test_unversioned_path_is_served(wa_sandbox):
    status, body = await send(wa_sandbox, {"messaging_product": "whatsapp", "to": TO, "type": "text", "text": {"body": "no version"}}, path=f"/{PHONE_ID}/messages")
    assert status == 200 and body["messages"][0]["id"].startswith("wamid.")
