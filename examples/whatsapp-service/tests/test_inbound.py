"""Messages from users reach their conversation through the webhook."""

from __future__ import annotations

REPLIES_HI = "+15550200009"  # magic number: read, then the user replies "hi" 5 s after the send


async def test_user_reply_is_stored_in_the_conversation(service, wa_sandbox):
    await service.call("POST", "/api/whatsapp/send", {"phoneNumber": REPLIES_HI, "content": "How was our service?"})
    await wa_sandbox.control.advance(6)
    conversation = await service.conversation(REPLIES_HI)
    assert conversation["contact_name"] == "Ben Carter"
    assert [(m["direction"], m["content"]) for m in conversation["messages"]] == [
        ("outbound", "How was our service?"), ("inbound", "hi")]
    assert conversation["messages"][1]["wamid"].startswith("wamid.")


async def test_a_new_user_writing_first_opens_a_conversation_we_can_answer(service, wa_sandbox):
    await wa_sandbox.control.inject_inbound("+15550207777", type="text", text="Is my technician coming?")
    conversation = await service.conversation("+15550207777")
    status, _ = await service.call("POST", f"/api/whatsapp/conversations/{conversation['conversation_id']}/messages",
                           {"content": "Yes, at 10:00."})
    assert status == 200
    await wa_sandbox.control.advance(5)  # the user wrote, so the window is open and free-form text is read
    messages = (await service.conversation("+15550207777"))["messages"]
    assert [(m["direction"], m["status"]) for m in messages] == [("inbound", "received"), ("outbound", "read")]
