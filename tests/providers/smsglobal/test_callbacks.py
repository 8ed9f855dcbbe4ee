"""Delivery receipts (notifyUrl) and MO (incomingUrl) through the webhook dispatcher, to a real receiver."""

from __future__ import annotations

from urllib.parse import parse_qs

from sandbox.testing.plugin import RunningSandbox
from sandbox.testing.receiver import WebhookReceiver

from .conftest import SmsglobalClient, load

DEST = "61400000123"

UNDELIVERABLE = """
version: 1
rules:
  - name: sms-undeliverable
    match: {provider: smsglobal, channel: sms, to: "+61400000666"}
    timeline:
      - {after: 0.5, status: sent}
      - {after: 2, status: failed, error: undeliverable}
"""


def form(body: bytes) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(body.decode()).items()}


async def test_dlr_reaches_notify_url_form_encoded(
    sg: SmsglobalClient, wa_sandbox: RunningSandbox, webhook_receiver: WebhookReceiver
) -> None:
    item = (await sg.send(destination=DEST, message="Hi", notifyUrl=webhook_receiver.url)).json["messages"][0]
    await wa_sandbox.control.advance(2)
    [post] = await webhook_receiver.wait_posts(1)
    assert post.headers["Content-Type"] == "application/x-www-form-urlencoded"
    fields = form(post.body)
    assert fields["id"] == str(item["id"])
    assert fields["outgoing_id"] == str(item["outgoing_id"])
    assert fields["status"] == "Delivered"
    assert fields["update_time"].endswith("+00:00")


async def test_rule_with_undeliverable_error_gives_undelivered_dlr(
    sg: SmsglobalClient, wa_sandbox: RunningSandbox, webhook_receiver: WebhookReceiver
) -> None:
    await load(wa_sandbox, UNDELIVERABLE)
    item = (await sg.send(destination="61400000666", message="Hi", notifyUrl=webhook_receiver.url)).json["messages"][0]
    await wa_sandbox.control.advance(3)
    [post] = await webhook_receiver.wait_posts(1)
    assert form(post.body)["status"] == "Undelivered"
    assert (await sg.call("GET", f"/v2/sms/{item['id']}")).json["status"] == "undelivered"


async def test_dlr_is_logged_and_retried_until_accepted(
    sg: SmsglobalClient, wa_sandbox: RunningSandbox, webhook_receiver: WebhookReceiver
) -> None:
    webhook_receiver.answer_next(500)
    await sg.send(destination=DEST, message="Hi", notifyUrl=webhook_receiver.url)
    await wa_sandbox.control.advance(2)
    await webhook_receiver.wait_posts(1)
    await wa_sandbox.control.advance(5)
    await webhook_receiver.wait_posts(2)
    [delivery] = await wa_sandbox.control.wait_for_webhook(provider="smsglobal")
    assert [a["status"] for a in delivery["attempts"]] == [500, 200]
    assert delivery["event"] == "dlr:Delivered"


async def test_account_default_notify_url_and_json_format(
    sg: SmsglobalClient, wa_sandbox: RunningSandbox, webhook_receiver: WebhookReceiver
) -> None:
    await wa_sandbox.control.set_webhook(webhook_receiver.url, provider="smsglobal", format="json")
    item = (await sg.send(destination=DEST, message="Hi")).json["messages"][0]
    await wa_sandbox.control.advance(2)
    [post] = await webhook_receiver.wait_posts(1)
    assert post.json["id"] == item["id"] and post.json["status"] == "Delivered"


async def test_no_dlr_without_notify_url(sg: SmsglobalClient, wa_sandbox: RunningSandbox) -> None:
    await sg.send(destination=DEST, message="Hi")
    await wa_sandbox.control.advance(5)
    assert await wa_sandbox.control.webhooks(provider="smsglobal") == []


async def test_injected_mo_reaches_incoming_url_and_is_listed(
    sg: SmsglobalClient, wa_sandbox: RunningSandbox, webhook_receiver: WebhookReceiver
) -> None:
    await sg.send(destination=DEST, message="Reply to me", incomingUrl=webhook_receiver.url)
    injected = await wa_sandbox.control.inject_inbound("+" + DEST, provider="smsglobal", message="STOP")
    [post] = await webhook_receiver.wait_posts(1)
    fields = form(post.body)
    assert (fields["from"], fields["to"], fields["msg"]) == (DEST, "61400000000", "STOP")
    listed = await sg.call("GET", "/v2/sms-incoming")
    [incoming] = listed.json["messages"]
    assert incoming["id"] == int(injected["id"])
    assert (incoming["origin"], incoming["destination"], incoming["message"]) == (DEST, "61400000000", "STOP")
    assert incoming["isMultipart"] is False and incoming["totalParts"] == 1


async def test_incoming_get_and_delete(sg: SmsglobalClient, wa_sandbox: RunningSandbox) -> None:
    injected = await wa_sandbox.control.inject_inbound(DEST, provider="smsglobal", message="hello")
    got = await sg.call("GET", f"/v2/sms-incoming/{injected['id']}")
    assert got.json["message"] == "hello"
    assert (await sg.call("DELETE", f"/v2/sms-incoming/{injected['id']}")).status == 204
    assert (await sg.call("GET", f"/v2/sms-incoming/{injected['id']}")).status == 404


async def test_scripted_reply_reaches_incoming_url(
    sg: SmsglobalClient, wa_sandbox: RunningSandbox, webhook_receiver: WebhookReceiver
) -> None:
    # +15550200009 replies "hi" after 5 s in the default scenario.
    await sg.send(destination="15550200009", message="Hi?", origin="61400000000", incomingUrl=webhook_receiver.url)
    await wa_sandbox.control.advance(6)
    [post] = await webhook_receiver.wait_posts(1)
    assert form(post.body)["msg"] == "hi" and form(post.body)["from"] == "15550200009"
    assert len(await wa_sandbox.control.webhooks(provider="smsglobal")) == 1


async def test_inject_without_text_is_a_control_error(wa_sandbox: RunningSandbox) -> None:
    reply = await wa_sandbox.control.session.post(
        f"{wa_sandbox.url}/_sandbox/inbound", json={"provider": "smsglobal", "from": DEST}
    )
    assert reply.status == 400
    assert "'message'" in (await reply.json())["error"]["message"]


# --- incoming `campaign` (reference providers.md §A4 "Incoming message object": Go
# types/api/sms_incoming.go, .NET Response/SmsIncoming.cs; Go fixture `"campaign": {"id": 1340232}`) ---


async def test_reply_to_a_campaign_send_lists_the_campaign_object(
    sg: SmsglobalClient, wa_sandbox: RunningSandbox
) -> None:
    await sg.send(destination=DEST, message="Sale today", campaign="1340232")
    injected = await wa_sandbox.control.inject_inbound(DEST, provider="smsglobal", message="YES")
    [listed] = (await sg.call("GET", "/v2/sms-incoming")).json["messages"]
    assert listed["campaign"] == {"id": 1340232}
    got = await sg.call("GET", f"/v2/sms-incoming/{injected['id']}")
    assert got.json["campaign"] == {"id": 1340232}


async def test_named_campaign_gets_a_stable_numeric_id(sg: SmsglobalClient, wa_sandbox: RunningSandbox) -> None:
    await sg.send(destination=DEST, message="Sale today", campaign="spring-sale")
    await wa_sandbox.control.inject_inbound(DEST, provider="smsglobal", message="YES")
    await sg.send(destination="61400000124", message="Sale today", campaign="spring-sale")
    await wa_sandbox.control.inject_inbound("61400000124", provider="smsglobal", message="NO")
    first, second = (await sg.call("GET", "/v2/sms-incoming")).json["messages"]
    assert isinstance(first["campaign"]["id"], int)  # the Go SDK decodes `ID int`
    assert first["campaign"] == second["campaign"]


async def test_incoming_without_a_campaign_send_has_no_campaign(sg: SmsglobalClient, wa_sandbox: RunningSandbox) -> None:
    await sg.send(destination=DEST, message="Plain")
    await wa_sandbox.control.inject_inbound(DEST, provider="smsglobal", message="ok")
    [listed] = (await sg.call("GET", "/v2/sms-incoming")).json["messages"]
    assert "campaign" not in listed


async def test_incoming_callback_carries_the_campaign_form_encoded(
    sg: SmsglobalClient, wa_sandbox: RunningSandbox, webhook_receiver: WebhookReceiver
) -> None:
    await sg.send(destination=DEST, message="Sale", campaign="1340232", incomingUrl=webhook_receiver.url)
    await wa_sandbox.control.inject_inbound(DEST, provider="smsglobal", message="YES")
    [post] = await webhook_receiver.wait_posts(1)
    assert form(post.body)["campaign[id]"] == "1340232"


async def test_incoming_callback_carries_the_campaign_object_in_json(
    sg: SmsglobalClient, wa_sandbox: RunningSandbox, webhook_receiver: WebhookReceiver
) -> None:
    await wa_sandbox.control.set_webhook(webhook_receiver.url, provider="smsglobal", format="json")
    await sg.send(destination=DEST, message="Sale", campaign="1340232")
    await wa_sandbox.control.inject_inbound(DEST, provider="smsglobal", message="YES")
    [post] = await webhook_receiver.wait_posts(1)
    assert post.json["campaign"] == {"id": 1340232}


async def test_scripted_reply_to_a_campaign_send_carries_the_campaign(
    sg: SmsglobalClient, wa_sandbox: RunningSandbox
) -> None:
    # +15550200009 replies "hi" after 5 s in the default scenario.
    await sg.send(destination="15550200009", message="Hi?", campaign="1340232")
    await wa_sandbox.control.advance(6)
    [listed] = (await sg.call("GET", "/v2/sms-incoming")).json["messages"]
    assert listed["campaign"] == {"id": 1340232}
