"""Each example scenario shipped beside the default one, exercised for what its description promises."""

from __future__ import annotations

import json

from tests.conftest import send

INDIA_AUTH = {"Authorization": "Bearer india-token"}


def interactive(to: str, body: dict) -> dict:
    return {"messaging_product": "whatsapp", "to": to, "type": "interactive", "interactive": body}


ADDRESS = {"type": "address_message", "body": {"text": "Where should we deliver?"},
           "action": {"name": "address_message", "parameters": {"country": "IN"}}}


async def test_india_shop_prefixes_91_and_collects_an_address(wa_sandbox):
    await wa_sandbox.control.load_scenario(name="india-shop")
    status, body = await send(wa_sandbox, interactive("98765 22222", ADDRESS), path="/v23.0/100000000000091/messages", headers=INDIA_AUTH)
    assert status == 200 and body["contacts"][0]["wa_id"] == "919876522222"
    await wa_sandbox.control.advance(20)
    reply = (await wa_sandbox.control.wait_for(direction="inbound"))[0]
    values = json.loads(reply["payload"]["interactive"]["nfm_reply"]["response_json"])["values"]
    assert values["city"] == "Mumbai" and len(values["in_pin_code"]) == 6


async def test_india_shop_old_app_fails_address_messages_with_1026(wa_sandbox):
    await wa_sandbox.control.load_scenario(name="india-shop")
    _, body = await send(wa_sandbox, interactive("+919876511111", ADDRESS), path="/v23.0/100000000000091/messages", headers=INDIA_AUTH)
    await wa_sandbox.control.advance(1)
    entry = await wa_sandbox.control.message(body["messages"][0]["id"])
    assert entry["history"][-1]["errors"][0]["code"] == 1026


async def test_flaky_network_mixes_outcomes_reproducibly(wa_sandbox):
    async def run() -> list[str]:
        await wa_sandbox.control.load_scenario(name="flaky-network")
        ids = []
        for n in range(40):
            _, body = await send(wa_sandbox, {"messaging_product": "whatsapp", "to": f"1555040{n:04d}", "type": "text", "text": {"body": "hi"}})
            ids.append(body["messages"][0]["id"])
        await wa_sandbox.control.advance(60)
        return [(await wa_sandbox.control.message(i))["status"] for i in ids]

    first = await run()
    assert {"read", "failed"} <= set(first)
    assert await run() == first  # same seed, same sends: same outcomes


async def test_support_bot_user_answers_second_button(wa_sandbox):
    await wa_sandbox.control.load_scenario(name="support-bot")
    await send(wa_sandbox, interactive("+15550300001", {"type": "button", "body": {"text": "Topic?"}, "action": {"buttons": [
        {"type": "reply", "reply": {"id": "sales", "title": "Sales"}}, {"type": "reply", "reply": {"id": "support", "title": "Support"}}]}}))
    await wa_sandbox.control.advance(4)
    reply = (await wa_sandbox.control.wait_for(direction="inbound"))[0]
    assert reply["payload"]["interactive"]["button_reply"]["id"] == "support"


async def test_support_bot_user_picks_billing_row_by_id(wa_sandbox):
    await wa_sandbox.control.load_scenario(name="support-bot")
    await send(wa_sandbox, interactive("+15550300001", {"type": "list", "body": {"text": "Topic?"}, "action": {"button": "Topics", "sections": [
        {"title": "All", "rows": [{"id": "sales", "title": "Sales"}, {"id": "billing", "title": "Billing"}]}]}}))
    await wa_sandbox.control.advance(4)
    reply = (await wa_sandbox.control.wait_for(direction="inbound"))[0]
    assert reply["payload"]["interactive"]["list_reply"]["id"] == "billing"


async def test_support_bot_shares_the_scripted_location(wa_sandbox):
    await wa_sandbox.control.load_scenario(name="support-bot")
    await send(wa_sandbox, interactive("+15550300001", {"type": "location_request_message", "body": {"text": "Where?"}, "action": {"name": "send_location"}}))
    await wa_sandbox.control.advance(4)
    reply = (await wa_sandbox.control.wait_for(direction="inbound"))[0]
    assert reply["payload"]["location"]["name"] == "Home"


async def test_support_bot_voice_note_is_played(wa_sandbox, webhook_receiver, media_server):
    await wa_sandbox.control.load_scenario(name="support-bot")
    await wa_sandbox.control.set_webhook(webhook_receiver.url)
    await send(wa_sandbox, {"messaging_product": "whatsapp", "to": "+15550300001", "type": "audio", "audio": {"link": f"{media_server}/voice.ogg"}})
    await wa_sandbox.control.advance(6)
    played = await wa_sandbox.control.wait_for_webhook(event="status:played")
    assert json.loads(played[0]["body"])["entry"][0]["changes"][0]["value"]["statuses"][0]["status"] == "played"


async def test_chaos_shuffle_lets_later_events_overtake_a_failing_one(wa_sandbox, webhook_receiver):
    await wa_sandbox.control.set_webhook(webhook_receiver.url)
    await wa_sandbox.control.set_chaos(shuffle=True)
    webhook_receiver.answer_next(500)
    await send(wa_sandbox, {"messaging_product": "whatsapp", "to": "15550200001", "type": "text", "text": {"body": "x"}})
    await wa_sandbox.control.advance(0.9)  # sent fails; its retry (~1 s later) is still pending
    await wa_sandbox.control.advance(0.1)  # delivered is due: with shuffle it does not wait for sent
    delivered = await wa_sandbox.control.wait_for_webhook(event="status:delivered")
    pending = await wa_sandbox.control.webhooks(state="pending", event="status:sent")
    assert delivered and pending
