"""serve --delivery-process: webhook posts from a child process, every decision still in the dispatcher."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import os
import signal
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from sandbox.app import create_app
from sandbox.core.delivery_process import DeliveryProcess, FrameBuffer, frame, pays_on, usable_cpus
from sandbox.keys import RUNTIME
from sandbox.settings import Settings
from sandbox.testing.client import SandboxControl
from sandbox.testing.plugin import RunningSandbox
from sandbox.testing.receiver import WebhookReceiver
from tests.conftest import APP_SECRET, send

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
        assert remote.pid is not None and remote._pipes is not None
        os.kill(remote.pid, signal.SIGKILL)
        await remote._pipes.exited
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


async def test_posts_queued_in_one_loop_turn_go_to_the_child_in_one_frame(webhook_receiver: WebhookReceiver) -> None:
    remote = DeliveryProcess(timeout=5)
    try:
        await remote.start()
        bodies = [f'{{"n":{n}}}'.encode() for n in range(20)]
        results = await asyncio.gather(*(remote.post(webhook_receiver.url, b, {}) for b in bodies))
    finally:
        await remote.stop()
    assert [r[0] for r in results] == [200] * 20
    assert remote.frames_out == 1  # one write for the twenty, not twenty
    assert sorted(p.body for p in webhook_receiver.posts) == sorted(bodies)


def test_frames_split_or_joined_by_the_pipe_are_read_whole() -> None:
    data = frame([(1, 200, "ok", None)]) + frame([(2, None, "", "refused"), (3, 204, "", None)])
    buffer = FrameBuffer()
    got = [batch for i in range(0, len(data), 3) for batch in buffer.feed(data[i:i + 3])]
    assert got == [[(1, 200, "ok", None)], [(2, None, "", "refused"), (3, 204, "", None)]]
    assert buffer.feed(b"") == []


async def test_a_child_that_stops_answering_fails_its_posts_after_their_timeout(webhook_receiver: WebhookReceiver) -> None:
    remote = DeliveryProcess(timeout=0.2, grace=0.1)
    try:
        await remote.start()
        assert remote.pid is not None
        os.kill(remote.pid, signal.SIGSTOP)  # alive, but answers nothing
        status, _, error = await asyncio.wait_for(remote.post(webhook_receiver.url, b"{}", {}), 5)
        assert status is None and error is not None and "did not answer" in error
    finally:
        if remote.pid is not None:
            os.kill(remote.pid, signal.SIGKILL)
        await remote.stop()


def test_the_child_pays_from_three_usable_cpus_on() -> None:
    assert (pays_on(1), pays_on(2), pays_on(3), pays_on(4)) == (False, False, True, True)


@pytest.mark.parametrize(("files", "cpus"), [
    ({}, None),  # no cgroup file system: the affinity mask
    ({"cpu.max": "max 100000\n"}, None),  # v2, no quota
    ({"cpu.max": "150000 100000\n"}, 2),  # v2, 1.5 CPUs' time: the child gets the half
    ({"cpu.max": "50000 100000\n"}, 1),
    ({"cpu/cpu.cfs_quota_us": "-1\n", "cpu/cpu.cfs_period_us": "100000\n"}, None),  # v1, no quota
    ({"cpu/cpu.cfs_quota_us": "100000\n", "cpu/cpu.cfs_period_us": "100000\n"}, 1),
    ({"cpu.max": "garbled"}, None),
])
def test_usable_cpus_are_the_affinity_mask_lowered_to_the_cgroups_cpu_quota(
    tmp_path: Path, files: dict[str, str], cpus: int | None
) -> None:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    mask = len(os.sched_getaffinity(0))
    assert usable_cpus(tmp_path) == (mask if cpus is None else min(mask, cpus))


async def _holding_receiver(aiohttp_server: Any) -> tuple[str, list[bytes], asyncio.Event]:
    """A receiver that holds every POST until ``release`` is set (then answers 200 at once)."""
    arrived: list[bytes] = []
    release = asyncio.Event()

    async def hold(request: web.Request) -> web.Response:
        arrived.append(await request.read())
        await release.wait()
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/hook", hold)
    server = await aiohttp_server(app)
    return str(server.make_url("/hook")), arrived, release


@pytest.mark.wa_sandbox(delivery_process=True, verify_webhooks=False)
async def test_a_child_killed_mid_batch_fails_every_post_it_held_and_the_dispatcher_retries_each(
    wa_sandbox: RunningSandbox, aiohttp_server: Any
) -> None:
    url, arrived, release = await _holding_receiver(aiohttp_server)
    await wa_sandbox.control.set_webhook(url, verify=False)
    wamids = [(await send(wa_sandbox, TEXT))[1]["messages"][0]["id"] for _ in range(3)]  # three keys: three posts at once
    await wa_sandbox.control.advance(0.5)  # the three `sent` statuses: posted, held by the receiver
    await wait_until_true(lambda: len(arrived) == 3)
    remote = wa_sandbox.runtime.dispatcher.remote
    assert remote is not None and remote.pid is not None
    os.kill(remote.pid, signal.SIGKILL)
    dispatcher = wa_sandbox.runtime.dispatcher
    await wait_until_true(lambda: all(d.attempts for d in dispatcher.deliveries() if d.event == "status:sent"))
    sent = [d for d in dispatcher.deliveries() if d.event == "status:sent"]
    assert len(sent) == 3 and all(d.state == "pending" and d.attempts[0].status is None
                                  and "delivery process exited" in str(d.attempts[0].error) for d in sent)
    release.set()
    await wa_sandbox.control.advance(5)  # the retries (1 s +/- jitter), then delivered and read, via a new child
    for wamid in wamids:
        await wa_sandbox.control.wait_for_webhook(message_id=wamid, event="status:read", state="delivered")
    assert remote.restarts == 1
    assert [[a.status for a in d.attempts] for d in sent] == [[None, 200]] * 3
    statuses = [json.loads(b)["entry"][0]["changes"][0]["value"]["statuses"][0] for b in arrived[3:]]
    for wamid in wamids:  # each message's updates still in lifecycle order after the crash
        assert [s["status"] for s in statuses if s["id"] == wamid] == ["sent", "delivered", "read"]


async def wait_until_true(check: Any, timeout: float = 5.0) -> None:
    async with asyncio.timeout(timeout):
        while not check():
            await asyncio.sleep(0.01)  # polling a test double's list: no event to wait on


async def _lifecycle_posts(aiohttp_server: Any, receiver: WebhookReceiver, *, delivery_process: bool) -> list[Any]:
    """A plain send, a batched-magic-number send and an inbound message on a fresh sandbox (same seed and
    clock each time): what the receiver got, as (body, headers) sorted (keys race one another)."""
    receiver.received.clear()
    app = create_app(Settings(clock="manual", seed="parity", verify_webhooks=False, delivery_process=delivery_process))
    server = await aiohttp_server(app)
    url = str(server.make_url("")).rstrip("/")
    async with SandboxControl(url, server_loop=asyncio.get_running_loop()) as control:
        await control.set_clock(now=1_750_000_000)
        await control.set_webhook(receiver.url, verify=False)
        runtime = app[RUNTIME]
        sandbox = RunningSandbox(url=url, runtime=runtime, control=control, app=app)
        await send(sandbox, TEXT)
        await send(sandbox, {**TEXT, "to": "15550200020"})  # the batched-statuses magic number: a batch of two
        await control.advance(1)
        await control.inject_inbound("+15550200001", type="text", text={"body": "where is it?"})
        await control.advance(3)
        await receiver.wait_posts(5)
        assert await runtime.dispatcher.idle(5)
        assert (runtime.dispatcher.remote is not None) == delivery_process
    await server.close()
    return sorted((p.body, sorted(p.headers.items())) for p in receiver.posts)


async def test_the_child_posts_exactly_the_bytes_and_signatures_the_parent_posts(
    aiohttp_server: Any, webhook_receiver: WebhookReceiver
) -> None:
    in_process = await _lifecycle_posts(aiohttp_server, webhook_receiver, delivery_process=False)
    through_child = await _lifecycle_posts(aiohttp_server, webhook_receiver, delivery_process=True)
    assert len(in_process) == 6  # sent, delivered, read; a batch of two, then read; the inbound message
    assert through_child == in_process
    for body, headers in through_child:  # and the signatures still sign those bytes
        expected = hmac.new(APP_SECRET.encode(), body, hashlib.sha256).hexdigest()
        assert dict(headers)["X-Hub-Signature-256"] == f"sha256={expected}"


@pytest.mark.wa_sandbox(delivery_process=True, verify_webhooks=False)
async def test_a_reset_drops_a_post_the_child_holds_and_its_late_answer_changes_nothing(
    wa_sandbox: RunningSandbox, aiohttp_server: Any
) -> None:
    url, arrived, release = await _holding_receiver(aiohttp_server)
    await wa_sandbox.control.set_webhook(url, verify=False)
    await send(wa_sandbox, TEXT)
    await wa_sandbox.control.advance(0.5)  # `sent`: posted, held by the receiver
    await wait_until_true(lambda: len(arrived) == 1)
    dispatcher = wa_sandbox.runtime.dispatcher
    [held] = dispatcher.deliveries()
    await wa_sandbox.control.reset()
    release.set()  # the child now gets its 200 and answers it
    await wait_until_true(lambda: dispatcher._in_flight == 0)
    assert held.state == "dropped" and held.attempts == [] and dispatcher.deliveries() == []
    stats = dispatcher.stats()
    assert (stats["dropped_by_reset"], stats["delivered"], stats["pending_in_memory"]) == (1, 0, 0)
    await wa_sandbox.control.advance(10)  # nothing of the reset message is posted any more
    assert len(arrived) == 1


async def test_a_child_that_cannot_start_is_an_attempt_without_an_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.executable", "/nonexistent/python")
    remote = DeliveryProcess(timeout=5)
    status, _, error = await remote.post("http://127.0.0.1:9/hook", b"{}", {})
    assert status is None and error is not None and error.startswith("cannot start the delivery process")
    await remote.stop()


async def test_the_late_exit_of_a_replaced_child_fails_only_its_own_posts(aiohttp_server: Any, unused_tcp_port: int) -> None:
    url, arrived, release = await _holding_receiver(aiohttp_server)
    remote = DeliveryProcess(timeout=5)
    try:
        assert (await remote.post(f"http://127.0.0.1:{unused_tcp_port}/", b"", {}))[0] is None  # seq 1: the old child's
        old = remote._pipes
        assert old is not None and remote.pid is not None
        os.kill(remote.pid, signal.SIGKILL)
        await old.exited
        held = asyncio.ensure_future(remote.post(url, b"{}", {}))  # starts the next child, held by the receiver
        await wait_until_true(lambda: len(arrived) == 1)
        lost: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        remote._pending[old.first_seq] = lost  # a post the old child held when it died
        remote._child_exited(old, -9)  # the old child's exit, noticed only now (its stdin had closed first)
        assert lost.result() == (None, "", "delivery process exited (code -9)")
        assert not held.done()
        release.set()
        assert (await held)[:1] == (200,) and remote.restarts == 1
    finally:
        await remote.stop()


@pytest.mark.wa_sandbox(delivery_process=True, verify_webhooks=False)
async def test_the_child_starts_with_the_dispatcher_not_with_the_first_webhook(wa_sandbox: RunningSandbox) -> None:
    dispatcher = wa_sandbox.runtime.dispatcher
    assert dispatcher.warming is not None  # begun by start(), before any send
    await dispatcher.warming
    remote = dispatcher.remote
    assert remote is not None and remote.pid is not None and remote.frames_out == 0
