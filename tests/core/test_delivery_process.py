"""serve --delivery-process: webhook posts from a child process, every decision still in the dispatcher."""

from __future__ import annotations

import json
import os
import signal

import pytest

from sandbox.core.delivery_process import DeliveryProcess
from sandbox.testing.plugin import RunningSandbox
from sandbox.testing.receiver import WebhookReceiver
from tests.conftest import send

TEXT = {"messaging_product": "whatsapp", "to": "15550200001", "type": "text", "text": {"body": "hi"}}


async def test_a_post_answers_the_receivers_status_and_body(webhook_receiver: WebhookReceiver) -> None:
    remote = DeliveryProcess(concurrency=4, timeout=5)
    webhook_receiver.answer_next(202)
    try:
        status, excerpt, error = await remote.post(webhook_receiver.url, b'{"a":1}', {"Content-Type": "application/json"})
    finally:
        await remote.stop()
    [post] = webhook_receiver.posts
    assert (status, error) == (202, None) and isinstance(excerpt, str)
    assert post.body == b'{"a":1}' and post.headers["Content-Type"] == "application/json"


async def test_no_answer_is_an_error_without_a_status(unused_tcp_port: int) -> None:
    remote = DeliveryProcess(concurrency=4, timeout=5)
    try:
        status, _, error = await remote.post(f"http://127.0.0.1:{unused_tcp_port}/hook", b"{}", {})
    finally:
        await remote.stop()
    assert status is None and error is not None and "Connect" in error


async def test_a_killed_child_fails_what_it_held_and_the_next_post_starts_another(
    webhook_receiver: WebhookReceiver,
) -> None:
    remote = DeliveryProcess(concurrency=4, timeout=5)
    try:
        assert (await remote.post(webhook_receiver.url, b"{}", {}))[0] == 200
        assert remote._proc is not None
        os.kill(remote._proc.pid, signal.SIGKILL)
        await remote._proc.wait()
        status, _, error = await remote.post(webhook_receiver.url, b"{}", {})  # a new child answers
        assert (status, error, remote.restarts) == (200, None, 1)
    finally:
        await remote.stop()


@pytest.mark.wa_sandbox(delivery_process=True)
async def test_the_sandbox_delivers_its_webhooks_through_the_child_in_lifecycle_order(
    wa_sandbox: RunningSandbox, webhook_receiver: WebhookReceiver
) -> None:
    await wa_sandbox.control.set_webhook(webhook_receiver.url)
    webhook_receiver.answer_next(500)  # the first attempt fails: the retry goes through the child too
    await send(wa_sandbox, TEXT)
    await wa_sandbox.control.advance(3)
    await webhook_receiver.wait_posts(1)  # delivered and read wait behind the sent status's retry
    dispatcher = wa_sandbox.runtime.dispatcher
    failed_once = await wa_sandbox.runtime.feed.wait_for(
        lambda: next((d for d in dispatcher.deliveries() if d.event == "status:sent" and d.attempts), None), 5)
    assert failed_once is not None and failed_once.attempts[0].status == 500
    await wa_sandbox.control.advance(2)  # the retry, 1 s (+/- jitter) after the failure
    posts = await webhook_receiver.wait_posts(4)
    statuses = [json.loads(p.body)["entry"][0]["changes"][0]["value"]["statuses"][0]["status"] for p in posts]
    assert statuses[1:] == ["sent", "delivered", "read"]
    [first] = await wa_sandbox.control.webhooks(event="status:sent")
    assert [a["status"] for a in first["attempts"]] == [500, 200]
    assert dispatcher.remote is not None
