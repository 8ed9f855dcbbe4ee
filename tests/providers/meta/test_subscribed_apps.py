"""App subscriptions on a WABA and its webhook override, through pywa.

Sources: OPENAPI /{WABA-ID}/subscribed_apps (GET {data: [{whatsapp_business_api_data: {id, name, link}}]},
{data: []} when none; POST {} or {override_callback_uri, verify_token} -> {"success": true}); Meta's
webhook-override page (the override URL is verified with the GET handshake; POST without it deletes the
override, which is what pywa's delete_waba_callback_url sends). Message status and inbound webhooks
follow the same state (phone-number override > WABA override > the app's callback URL; no subscribed
app, no webhooks), and Meta's block-users page: "The user cannot contact your business".
"""

from __future__ import annotations

from typing import Any

import pytest
from pywa_async.errors import WhatsAppError

from sandbox.testing.receiver import WebhookReceiver
from tests.conftest import AUTH, WABA_ID


async def graph(wa_sandbox: Any, method: str, path: str, **kw: Any) -> tuple[int, Any]:
    async with wa_sandbox.control.session.request(method, f"{wa_sandbox.url}{path}", headers=AUTH, **kw) as resp:
        return resp.status, await resp.json()


async def test_the_sandbox_app_is_subscribed_at_start(wa_sandbox):
    status, body = await graph(wa_sandbox, "GET", f"/v23.0/{WABA_ID}/subscribed_apps")
    assert status == 200 and len(body["data"]) == 1
    assert set(body["data"][0]["whatsapp_business_api_data"]) == {"id", "name", "link"}


async def test_unsubscribe_then_subscribe(wa_sandbox):
    assert await graph(wa_sandbox, "DELETE", f"/v23.0/{WABA_ID}/subscribed_apps") == (200, {"success": True})
    assert (await graph(wa_sandbox, "GET", f"/v23.0/{WABA_ID}/subscribed_apps"))[1] == {"data": []}
    assert await graph(wa_sandbox, "POST", f"/v23.0/{WABA_ID}/subscribed_apps") == (200, {"success": True})
    assert len((await graph(wa_sandbox, "GET", f"/v23.0/{WABA_ID}/subscribed_apps"))[1]["data"]) == 1


async def test_pywa_overrides_the_callback_url_after_the_handshake(wa, wa_sandbox, webhook_receiver):
    await wa.override_waba_callback_url(callback_url=webhook_receiver.url, verify_token=webhook_receiver.verify_token)
    _, body = await graph(wa_sandbox, "GET", f"/v23.0/{WABA_ID}/subscribed_apps")
    assert body["data"][0]["override_callback_uri"] == webhook_receiver.url


async def test_an_override_failing_the_handshake_is_rejected_2200(wa, webhook_receiver):
    with pytest.raises(WhatsAppError) as caught:
        await wa.override_waba_callback_url(callback_url=webhook_receiver.url, verify_token="wrong-token")
    assert caught.value.code == 2200


async def test_pywa_deletes_the_override(wa, wa_sandbox, webhook_receiver):
    await wa.override_waba_callback_url(callback_url=webhook_receiver.url, verify_token=webhook_receiver.verify_token)
    await wa.delete_waba_callback_url()
    _, body = await graph(wa_sandbox, "GET", f"/v23.0/{WABA_ID}/subscribed_apps")
    assert "override_callback_uri" not in body["data"][0]


async def test_unknown_waba_is_unsupported_request(wa_sandbox):
    status, body = await graph(wa_sandbox, "GET", "/v23.0/999999999/subscribed_apps")
    assert status == 400 and body["error"]["error_subcode"] == 33


# --- where the WABA's webhooks go (template status updates; message webhooks: see the lead's patch) ---

TEMPLATE = {"name": "order_ready", "language": "en_US", "category": "UTILITY", "components": [{"type": "BODY", "text": "Order {{1}} is ready."}]}


async def other_receiver(aiohttp_server: Any) -> WebhookReceiver:
    receiver = WebhookReceiver(verify_token="override-token")
    server = await aiohttp_server(receiver.app())
    receiver.url = str(server.make_url("/override"))
    return receiver


@pytest.mark.parametrize("what", ["template review", "message statuses"])
async def test_an_unsubscribed_waba_gets_no_webhooks(wa, wa_sandbox, webhook_receiver, what):
    await wa_sandbox.control.set_webhook(webhook_receiver.url)
    await graph(wa_sandbox, "DELETE", f"/v23.0/{WABA_ID}/subscribed_apps")
    if what == "template review":
        await graph(wa_sandbox, "POST", f"/v23.0/{WABA_ID}/message_templates", json=TEMPLATE)
    else:
        await wa.send_message(to="15550200001", text="hello")
    await wa_sandbox.control.advance(5)
    assert await wa_sandbox.control.webhooks() == []


async def test_template_status_webhook_goes_to_the_waba_override(wa, wa_sandbox, webhook_receiver, aiohttp_server):
    override = await other_receiver(aiohttp_server)
    await wa_sandbox.control.set_webhook(webhook_receiver.url)
    await wa.override_waba_callback_url(callback_url=override.url, verify_token=override.verify_token)
    await graph(wa_sandbox, "POST", f"/v23.0/{WABA_ID}/message_templates", json=TEMPLATE)
    await wa_sandbox.control.advance(5)
    [post] = await override.wait_posts(1)
    assert post.json["entry"][0]["changes"][0]["field"] == "message_template_status_update"
    assert webhook_receiver.posts == []


async def test_pywa_phone_override_is_shown_in_webhook_configuration(wa, wa_sandbox, webhook_receiver, aiohttp_server):
    override = await other_receiver(aiohttp_server)
    await wa_sandbox.control.set_webhook(webhook_receiver.url)
    await wa.override_phone_callback_url(callback_url=override.url, verify_token=override.verify_token)
    number = await wa.get_business_phone_number()
    assert number.webhook_configuration == {"phone_number": override.url, "application": webhook_receiver.url}
    await wa.delete_phone_callback_url()
    assert (await wa.get_business_phone_number()).webhook_configuration == {"application": webhook_receiver.url}


async def test_a_phone_override_failing_the_handshake_is_rejected_2200(wa, aiohttp_server):
    override = await other_receiver(aiohttp_server)
    with pytest.raises(WhatsAppError) as caught:
        await wa.override_phone_callback_url(callback_url=override.url, verify_token="not-it")
    assert caught.value.code == 2200


# --- message webhooks follow the same state ----------------------------------------------------------


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
