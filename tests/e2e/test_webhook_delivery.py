"""Webhook delivery mechanics against a real receiver: handshake, signing, retries, ordering, chaos."""

from __future__ import annotations

import json

import pytest

from sandbox.testing.client import ControlAPIError
from tests.conftest import APP_SECRET, send

TEXT = {"messaging_product": "whatsapp", "to": "15550200001", "type": "text", "text": {"body": "olá 👋"}}


async def test_registering_a_target_performs_the_verification_handshake(wa_sandbox, webhook_receiver):
    result = await wa_sandbox.control.set_webhook(webhook_receiver.url)
    handshake = webhook_receiver.received[0]
    assert result["verified"] is True
    assert handshake.method == "GET"
    assert handshake.query["hub.mode"] == "subscribe" and handshake.query["hub.verify_token"] == "sandbox-verify-token"
    assert handshake.query["hub.challenge"].isdigit()


async def test_failed_handshake_is_reported_clearly_and_target_not_set(wa_sandbox, webhook_receiver):
    webhook_receiver.verify_token = "something-else"
    with pytest.raises(ControlAPIError) as exc:
        await wa_sandbox.control.set_webhook(webhook_receiver.url)
    assert exc.value.status == 422
    assert "answered 403" in str(exc.value) and "hub.challenge" in str(exc.value)
    assert wa_sandbox.runtime.meta.businesses.default().webhook_url is None


async def test_unreachable_handshake_target_is_reported(wa_sandbox):
    with pytest.raises(ControlAPIError) as exc:
        await wa_sandbox.control.set_webhook("http://127.0.0.1:9/hook")
    assert exc.value.status == 422 and "could not reach" in str(exc.value)


async def test_body_is_ascii_json_signed_over_exact_bytes(wa_sandbox, webhook_receiver):
    await wa_sandbox.control.set_webhook(webhook_receiver.url)
    await send(wa_sandbox, TEXT)
    await wa_sandbox.control.advance(0.2)
    post = (await webhook_receiver.wait_posts(1))[0]
    assert post.body.isascii()
    assert post.signature_valid(APP_SECRET)
    assert post.headers["X-Hub-Signature-256"].removeprefix("sha256=").islower()
    assert int(post.headers["Content-Length"]) == len(post.body)
    assert post.headers["Content-Type"] == "application/json"


async def test_one_event_per_post_in_meta_envelope(wa_sandbox, webhook_receiver):
    await wa_sandbox.control.set_webhook(webhook_receiver.url)
    status, body = await send(wa_sandbox, TEXT)
    await wa_sandbox.control.advance(3)
    posts = await webhook_receiver.wait_posts(3)
    for post in posts:
        payload = post.json
        assert payload["object"] == "whatsapp_business_account"
        value = payload["entry"][0]["changes"][0]["value"]
        assert payload["entry"][0]["changes"][0]["field"] == "messages"
        assert len(value["statuses"]) == 1 and value["metadata"]["phone_number_id"] == "100000000000001"
        assert value["contacts"][0]["user_id"] == "US.10000000000000000001"
    assert [p.json["entry"][0]["changes"][0]["value"]["statuses"][0]["status"] for p in posts] == ["sent", "delivered", "read"]


async def test_receiver_500_then_200_is_retried_on_the_virtual_clock(wa_sandbox, webhook_receiver):
    await wa_sandbox.control.set_webhook(webhook_receiver.url)
    webhook_receiver.answer_next(500)
    await send(wa_sandbox, TEXT)
    await wa_sandbox.control.advance(0.2)
    await webhook_receiver.wait_posts(1)
    pending = await wa_sandbox.control.webhooks(state="pending")
    assert len(pending) == 1 and pending[0]["attempts"][0]["status"] == 500
    await wa_sandbox.control.advance(2)  # first retry after ~1 s (+/- jitter)
    delivered = await wa_sandbox.control.wait_for_webhook(event="status:sent")
    assert [a["status"] for a in delivered[0]["attempts"]] == [500, 200]


async def test_later_events_wait_for_an_earlier_failing_one(wa_sandbox, webhook_receiver):
    await wa_sandbox.control.set_webhook(webhook_receiver.url)
    webhook_receiver.answer_next(500, 500)
    await send(wa_sandbox, TEXT)
    await wa_sandbox.control.advance(1)  # sent fails twice... delivered is due but must wait its turn
    await wa_sandbox.control.advance(3)
    await wa_sandbox.control.advance(5)
    await webhook_receiver.wait_posts(5)
    order = [p.json["entry"][0]["changes"][0]["value"]["statuses"][0]["status"] for p in webhook_receiver.posts]
    assert order == ["sent", "sent", "sent", "delivered", "read"]


async def test_delivery_gives_up_after_max_attempts(wa_sandbox, webhook_receiver):
    wa_sandbox.runtime.dispatcher.policy.max_attempts = 2
    await wa_sandbox.control.set_webhook(webhook_receiver.url)
    webhook_receiver.default_status = 503
    await send(wa_sandbox, {**TEXT, "to": "15550200003"})
    await wa_sandbox.control.advance(1)
    await wa_sandbox.control.advance(5)
    failed = await wa_sandbox.control.wait_for_webhook(state="failed")
    assert len(failed[0]["attempts"]) == 2 and failed[0]["attempts"][1]["status"] == 503


async def test_chaos_duplicates_every_delivery_when_asked(wa_sandbox, webhook_receiver):
    await wa_sandbox.control.set_webhook(webhook_receiver.url)
    await wa_sandbox.control.set_chaos(duplicate_probability=1.0)
    await send(wa_sandbox, TEXT)
    await wa_sandbox.control.advance(0.2)
    posts = await webhook_receiver.wait_posts(2)
    assert posts[0].body == posts[1].body
    assert await wa_sandbox.control.set_chaos() == {"shuffle": False, "duplicate_probability": 0.0}


async def test_redelivery_sends_the_same_signed_body_again(wa_sandbox, webhook_receiver):
    await wa_sandbox.control.set_webhook(webhook_receiver.url)
    await send(wa_sandbox, TEXT)
    await wa_sandbox.control.advance(0.2)
    first = (await wa_sandbox.control.wait_for_webhook())[0]
    copy = await wa_sandbox.control.request("POST", f"/webhooks/{first['id']}/redeliver")
    posts = await webhook_receiver.wait_posts(2)
    assert copy["event"].endswith("(redelivery)") and posts[1].body == posts[0].body


async def test_no_target_means_statuses_are_journaled_without_webhooks(wa_sandbox):
    status, body = await send(wa_sandbox, TEXT)
    await wa_sandbox.control.advance(3)
    entry = await wa_sandbox.control.message(body["messages"][0]["id"])
    assert entry["status"] == "read" and entry["webhooks"] == []


async def test_inbound_contacts_carry_profile_name_stable_per_number(wa_sandbox, webhook_receiver):
    await wa_sandbox.control.set_webhook(webhook_receiver.url)
    await wa_sandbox.control.inject_inbound("+15550201234", type="text", text="one")
    await wa_sandbox.control.inject_inbound("+15550201234", type="text", text="two")
    posts = await webhook_receiver.wait_posts(2)
    names = [p.json["entry"][0]["changes"][0]["value"]["contacts"][0]["profile"]["name"] for p in posts]
    assert names[0] == names[1] and names[0]
    assert json.loads(posts[0].body)["entry"][0]["changes"][0]["value"]["messages"][0]["from"] == "15550201234"
