"""Where message webhooks go: the subscription and override state (Meta's webhook-override page:
phone-number override > WABA override > the app's callback URL; no subscribed app, no webhooks) and
Meta's block-users page ("The user cannot contact your business")."""

from __future__ import annotations

from typing import Any

from sandbox.testing.receiver import WebhookReceiver
from tests.conftest import AUTH, WABA_ID


async def other_receiver(aiohttp_server: Any) -> WebhookReceiver:
    receiver = WebhookReceiver(verify_token="override-token")
    server = await aiohttp_server(receiver.app())
    receiver.url = str(server.make_url("/override"))
    return receiver


async def test_an_unsubscribed_waba_gets_no_status_webhooks(wa, wa_sandbox, webhook_receiver):
    await wa_sandbox.control.set_webhook(webhook_receiver.url)
    async with wa_sandbox.control.session.delete(f"{wa_sandbox.url}/v23.0/{WABA_ID}/subscribed_apps", headers=AUTH):
        pass
    await wa.send_message(to="15550200001", text="hello")
    await wa_sandbox.control.advance(5)
    assert await wa_sandbox.control.webhooks() == []


async def test_status_webhooks_go_to_the_phone_override(wa, wa_sandbox, webhook_receiver, aiohttp_server):
    override = await other_receiver(aiohttp_server)
    await wa_sandbox.control.set_webhook(webhook_receiver.url)
    await wa.override_phone_callback_url(callback_url=override.url, verify_token=override.verify_token)
    await wa.send_message(to="15550200001", text="hello")
    await wa_sandbox.control.advance(1)
    posts = await override.wait_posts(1)
    assert posts[0].json["entry"][0]["changes"][0]["value"]["statuses"][0]["status"] == "sent"
    assert webhook_receiver.posts == []


async def test_a_blocked_users_messages_send_no_webhook(wa, wa_sandbox, webhook_receiver):
    await wa_sandbox.control.set_webhook(webhook_receiver.url)
    await wa_sandbox.control.inject_inbound("+15550200001", type="text", text="hi")
    await webhook_receiver.wait_posts(1)
    await wa.block_users(["15550200001"])
    await wa_sandbox.control.inject_inbound("+15550200001", type="text", text="let me in")
    await wa_sandbox.control.advance(5)
    assert len(await wa_sandbox.control.webhooks(event="message:")) == 1
