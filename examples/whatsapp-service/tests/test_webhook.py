"""The webhook endpoint: Meta's verification handshake and X-Hub-Signature-256 on every POST."""

from __future__ import annotations


async def test_handshake_with_the_wrong_verify_token_is_refused(service):
    params = {"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1234"}
    async with service.client.get("/webhook", params=params) as resp:
        assert resp.status == 403


async def test_handshake_echoes_the_challenge(service, wa_sandbox):
    params = {"hub.mode": "subscribe", "hub.verify_token": wa_sandbox.meta_business["verify_token"], "hub.challenge": "1234"}
    async with service.client.get("/webhook", params=params) as resp:
        assert (resp.status, await resp.text()) == (200, "1234")


async def captured_delivery(service, wa_sandbox, webhook_receiver):
    """A real signed status webhook from the sandbox, caught by the plugin's receiver instead of the service."""
    await service.call("POST", "/api/whatsapp/send", {"phoneNumber": "+15550200001", "content": "hello"})
    await wa_sandbox.control.set_webhook(webhook_receiver.url)
    await wa_sandbox.control.advance(0.5)
    return (await webhook_receiver.wait_posts(1))[0]


async def test_a_signed_delivery_is_applied(service, wa_sandbox, webhook_receiver):
    post = await captured_delivery(service, wa_sandbox, webhook_receiver)
    signature = {"X-Hub-Signature-256": post.headers["X-Hub-Signature-256"]}
    async with service.client.post("/webhook", data=post.body, headers=signature) as resp:
        assert resp.status == 200
    _, conversation = await service.call("GET", "/api/whatsapp/conversations/1")
    assert conversation["data"]["messages"][0]["status"] == "sent"


async def test_a_tampered_delivery_is_refused_and_not_applied(service, wa_sandbox, webhook_receiver):
    post = await captured_delivery(service, wa_sandbox, webhook_receiver)
    tampered = post.body.replace(b'"sent"', b'"read"')
    signature = {"X-Hub-Signature-256": post.headers["X-Hub-Signature-256"]}
    async with service.client.post("/webhook", data=tampered, headers=signature) as resp:
        assert resp.status == 401
    _, conversation = await service.call("GET", "/api/whatsapp/conversations/1")
    assert conversation["data"]["messages"][0]["status"] == "accepted"
