"""pnp.status_updated delivery: headers, signature over the raw body, MAAC's retry schedule."""

from __future__ import annotations

import hashlib
import hmac
import json
import re

import pytest

from sandbox.testing.plugin import RunningSandbox
from sandbox.testing.receiver import WebhookReceiver

from .conftest import listen, opt_in_whatsapp_statuses, push, seed_body, signature_valid

pytestmark = pytest.mark.asyncio


async def test_webhook_carries_maac_headers(wa_sandbox: RunningSandbox, webhook_receiver: WebhookReceiver) -> None:
    await listen(wa_sandbox, webhook_receiver)
    await push(wa_sandbox, seed_body("Text Header"))
    (post,) = await webhook_receiver.wait_posts(1)
    assert post.headers["Content-Type"] == "application/json; charset=utf-8"
    assert re.fullmatch(r"[0-9a-f]{32}", post.headers["CrescLab-Idempotency-Key"])
    assert signature_valid(post)


async def test_webhook_body_keeps_spaces_after_commas_and_colons(
    wa_sandbox: RunningSandbox, webhook_receiver: WebhookReceiver
) -> None:
    """The doc's verification note: sign/verify the body as sent, with ", " and ": " separators."""
    await listen(wa_sandbox, webhook_receiver)
    await push(wa_sandbox, seed_body("Text Header"))
    (post,) = await webhook_receiver.wait_posts(1)
    assert post.body.startswith(b'{"timestamp": "')
    assert b'"topic": "pnp.status_updated", "data": {"pnp_setting_id": 1, ' in post.body


async def test_signature_uses_the_configured_share_secret(wa_sandbox: RunningSandbox, webhook_receiver: WebhookReceiver) -> None:
    await wa_sandbox.control.set_webhook(webhook_receiver.url, provider="maac", share_secret="s3cret")
    await push(wa_sandbox, seed_body("Text Header"))
    (post,) = await webhook_receiver.wait_posts(1)
    expected = hmac.new(b"s3cret", post.body, hashlib.sha256).hexdigest()
    assert post.headers["CrescLab-Signature"] == expected


async def test_failed_delivery_is_retried_after_1_2_and_4_seconds(
    wa_sandbox: RunningSandbox, webhook_receiver: WebhookReceiver
) -> None:
    await opt_in_whatsapp_statuses(wa_sandbox)  # the event names a whatsapp_* status (opt-in)
    await listen(wa_sandbox, webhook_receiver)
    webhook_receiver.answer_next(500, 503, 429)
    await push(wa_sandbox, seed_body("Text Header", phone="+15550200020"))
    await webhook_receiver.wait_posts(1)
    for _ in range(7):
        await wa_sandbox.control.advance(1)
    (delivery,) = await wa_sandbox.control.webhooks(provider="maac", event="status:whatsapp_preparing")
    times = [a["at"] for a in delivery["attempts"]]
    assert [round(t - times[0], 3) for t in times] == [0, 1, 3, 7]
    assert delivery["state"] == "delivered"
    keys = {p.headers["CrescLab-Idempotency-Key"] for p in webhook_receiver.posts[:4]}
    assert len(keys) == 1


async def test_delivery_gives_up_after_the_third_retry(wa_sandbox: RunningSandbox, webhook_receiver: WebhookReceiver) -> None:
    await opt_in_whatsapp_statuses(wa_sandbox)  # the event names a whatsapp_* status (opt-in)
    await listen(wa_sandbox, webhook_receiver)
    webhook_receiver.answer_next(500, 500, 500, 500, 500)
    await push(wa_sandbox, seed_body("Text Header", phone="+15550200020"))
    await webhook_receiver.wait_posts(1)
    for _ in range(10):
        await wa_sandbox.control.advance(1)
    (delivery,) = await wa_sandbox.control.webhooks(provider="maac", event="status:whatsapp_preparing")
    assert (len(delivery["attempts"]), delivery["state"]) == (4, "failed")


async def test_client_error_answer_is_not_retried(wa_sandbox: RunningSandbox, webhook_receiver: WebhookReceiver) -> None:
    await opt_in_whatsapp_statuses(wa_sandbox)  # the event names a whatsapp_* status (opt-in)
    await listen(wa_sandbox, webhook_receiver)
    webhook_receiver.answer_next(400)
    await push(wa_sandbox, seed_body("Text Header", phone="+15550200020"))
    await webhook_receiver.wait_posts(1)
    await wa_sandbox.control.advance(10)
    (delivery,) = await wa_sandbox.control.webhooks(provider="maac", event="status:whatsapp_preparing")
    assert (len(delivery["attempts"]), delivery["state"]) == (1, "failed")


async def test_webhook_target_is_listed_by_the_control_api(wa_sandbox: RunningSandbox, webhook_receiver: WebhookReceiver) -> None:
    await listen(wa_sandbox, webhook_receiver)
    targets = await wa_sandbox.control.request("GET", "/webhooks/targets")
    assert targets["maac"] == [
        {"url": webhook_receiver.url, "share_secret": "sandbox-maac-share-secret", "topics": ["pnp.status_updated"]}
    ]


async def test_webhook_body_escapes_non_ascii_as_the_docs_signature_note_shows(
    wa_sandbox: RunningSandbox, webhook_receiver: WebhookReceiver
) -> None:
    """maac-openapi.md "驗證 Webhook 數位簽章": the body string holds ``\\u65b0``-style escapes ("if you don't
    use raw string, you need to escape the backslash to present unicode") and keeps ", " / ": ": it is
    Python's ``json.dumps`` with its defaults, so a receiver that re-serialises the parsed body that way
    gets the signed bytes back."""
    await listen(wa_sandbox, webhook_receiver)
    body = seed_body("Text Header")
    body["data"]["customized_id"] = "訂單-1"
    await push(wa_sandbox, body)
    (post,) = await webhook_receiver.wait_posts(1)
    assert b'"customized_id": "\\u8a02\\u55ae-1"' in post.body
    assert post.body.isascii()
    assert json.dumps(json.loads(post.body)).encode() == post.body
    assert signature_valid(post)
