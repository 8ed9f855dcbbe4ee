"""Sending text: a conversation is created, and the statuses Meta reports reach the service's store."""

from __future__ import annotations

DELIVERED_AND_READ = "+15550200001"  # magic number: sent at 0.2 s, delivered at 1 s, read at 3 s


async def send_text(service, phone_number: str, content: str = "Your service request has been received.", **extra):
    return await service.call("POST", "/api/whatsapp/send", {"phoneNumber": phone_number, "content": content, **extra})


async def status_of(service, conversation_id: int, message_id: int) -> str:
    _, conversation = await service.call("GET", f"/api/whatsapp/conversations/{conversation_id}")
    return next(m["status"] for m in conversation["data"]["messages"] if m["message_id"] == message_id)


async def test_send_text_creates_a_conversation_with_the_request_id(service):
    status, answer = await send_text(service, DELIVERED_AND_READ, requestId=123)
    assert status == 200, answer
    assert answer["data"]["conversation"] == {"conversation_id": 1, "phone_number": "15550200001", "request_id": 123}
    assert answer["data"]["message"]["status"] == "accepted"
    assert answer["data"]["message"]["wamid"].startswith("wamid.")


async def test_sent_delivered_and_read_statuses_land_in_the_store(service, wa_sandbox):
    _, answer = await send_text(service, DELIVERED_AND_READ)
    conversation_id, message_id = answer["data"]["conversation"]["conversation_id"], answer["data"]["message"]["message_id"]
    seen = []
    for seconds in (0.5, 1, 2):  # virtual time 0.5, 1.5 and 3.5 s after the send
        await wa_sandbox.control.advance(seconds)
        seen.append(await status_of(service, conversation_id, message_id))
    assert seen == ["sent", "delivered", "read"]


async def test_send_in_conversation_reuses_the_conversation(service, wa_sandbox):
    _, first = await send_text(service, DELIVERED_AND_READ)
    conversation_id = first["data"]["conversation"]["conversation_id"]
    status, answer = await service.call("POST", f"/api/whatsapp/conversations/{conversation_id}/messages",
                                {"content": "A technician will contact you shortly."})
    assert status == 200, answer
    await wa_sandbox.control.advance(5)
    conversation = await service.conversation(DELIVERED_AND_READ)
    assert [(m["content"], m["status"]) for m in conversation["messages"]] == [
        ("Your service request has been received.", "read"),
        ("A technician will contact you shortly.", "read"),
    ]


async def test_status_never_moves_backwards_when_webhooks_arrive_late(service, wa_sandbox):
    _, answer = await send_text(service, DELIVERED_AND_READ)
    await wa_sandbox.control.advance(5)
    await wa_sandbox.control.set_status(answer["data"]["message"]["wamid"], "delivered")  # a late duplicate
    conversation = await service.conversation(DELIVERED_AND_READ)
    assert conversation["messages"][0]["status"] == "read"


async def test_send_in_unknown_conversation_is_404(service):
    status, answer = await service.call("POST", "/api/whatsapp/conversations/999/messages", {"content": "hi"})
    assert status == 404
    assert answer["error"]["message"] == "no conversation 999"


async def test_malformed_phone_number_is_refused_before_calling_meta(service, wa_sandbox):
    status, answer = await send_text(service, "12ab")
    assert status == 400
    assert "international format" in answer["error"]["message"]
    assert await wa_sandbox.control.messages() == []


async def test_api_requires_the_service_token(service):
    async with service.client.post("/api/whatsapp/send", json={}, headers={"Authorization": "Bearer wrong"}) as resp:
        assert resp.status == 401
