"""``wa-sandbox serve --data-dir``: a kill -9 and a restart lose nothing that was acknowledged.

The sandbox runs as users run it (a subprocess of the console script, manual clock); the webhook
receiver runs in the test. Each test kills the first process with SIGKILL, starts a second one on
the same folder, and checks one kind of state came back.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import pytest

from sandbox.testing.client import SandboxControl
from tests.conftest import AUTH, PHONE_ID, WABA_ID
from tests.reliability.helpers import TEXT, serving, statuses_by_message

TEMPLATE = {
    "name": "order_shipped",
    "language": "en_US",
    "category": "UTILITY",
    "components": [{"type": "BODY", "text": "Your order {{1}} has shipped."}],
}

Step = Callable[[SandboxControl], Awaitable[Any]]


async def _send(control: SandboxControl, count: int) -> list[str]:
    ids = []
    for n in range(count):
        url = f"{control.base_url}/v23.0/{PHONE_ID}/messages"
        async with control.session.post(url, json={**TEXT, "text": {"body": f"n{n}"}}, headers=AUTH) as resp:
            assert resp.status == 200, await resp.text()
            ids.append((await resp.json())["messages"][0]["id"])
    return ids


async def _templates(control: SandboxControl) -> list[dict[str, Any]]:
    async with control.session.get(f"{control.base_url}/v23.0/{WABA_ID}/message_templates", headers=AUTH) as resp:
        return list((await resp.json())["data"])


async def test_acknowledged_messages_survive_kill_9(tmp_path):
    async with serving(tmp_path, kill=True) as control:
        wamids = await _send(control, 3)
        await control.advance(1.0)
    async with serving(tmp_path) as control:
        messages = await control.messages()
        assert sorted(m["id"] for m in messages) == sorted(wamids)
        assert {m["status"] for m in messages} == {"delivered"}


async def test_created_template_survives_kill_9(tmp_path):
    async with serving(tmp_path, kill=True) as control:
        url = f"{control.base_url}/v23.0/{WABA_ID}/message_templates"
        async with control.session.post(url, json=TEMPLATE, headers=AUTH) as resp:
            created = await resp.json()
            assert resp.status == 200, created
    async with serving(tmp_path) as control:
        kept = [t for t in await _templates(control) if t["name"] == "order_shipped"]
        assert [t["id"] for t in kept] == [created["id"]]


@pytest.mark.parametrize("posting", [("--no-delivery-process",), ("--delivery-process",)], ids=["in-process", "child"])
async def test_pending_webhooks_are_delivered_in_order_after_a_kill_9(tmp_path, webhook_receiver, posting):
    webhook_receiver.default_status = 503  # the receiver is down while the first process runs
    async with serving(tmp_path, kill=True, extra=posting) as control:
        await control.set_webhook(webhook_receiver.url, verify=False)
        wamids = await _send(control, 2)
        await control.advance(1.0)  # "sent" attempted (503), "delivered" queued behind it; "read" ahead
    failed = len(webhook_receiver.posts)
    assert failed and statuses_by_message(webhook_receiver.posts) == {}
    webhook_receiver.default_status = 200
    async with serving(tmp_path, extra=posting) as control:
        await webhook_receiver.wait_posts(failed + 4, timeout=10)
        assert statuses_by_message(webhook_receiver.posts) == {w: ["sent", "delivered"] for w in wamids}
        await control.advance(2.0)  # the restored timeline: read at 3 s
        await webhook_receiver.wait_posts(failed + 6, timeout=10)
        assert statuses_by_message(webhook_receiver.posts) == {w: ["sent", "delivered", "read"] for w in wamids}


async def test_clock_ids_and_webhook_target_carry_on_after_a_restart(tmp_path, webhook_receiver):
    async with serving(tmp_path, kill=True) as control:
        await control.set_webhook(webhook_receiver.url, verify=False)
        await control.advance(3600)
        before = (await control.clock())["now"]
        first = await _send(control, 1)
    async with serving(tmp_path) as control:
        assert (await control.clock())["now"] == before
        second = await _send(control, 1)
        assert second != first  # the id generator continues instead of repeating
        await control.advance(0.5)
        posts = await webhook_receiver.wait_posts(2, timeout=10)
        assert {p.json["entry"][0]["changes"][0]["value"]["statuses"][0]["id"] for p in posts} == {*first, *second}


async def test_stats_report_what_a_restart_restored(tmp_path):
    async with serving(tmp_path, kill=True) as control:
        await _send(control, 2)
    async with serving(tmp_path) as control:
        stats = await control.request("GET", "/stats")
        assert stats["persistence"]["enabled"] is True
        assert stats["persistence"]["restored"]["messages"] == 2
        assert stats["persistence"]["restored"]["steps"] == 6  # sent, delivered, read for each


async def test_uploaded_media_survives_kill_9(tmp_path):
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    async with serving(tmp_path, kill=True) as control:
        form = aiohttp.FormData({"messaging_product": "whatsapp", "type": "image/png"})
        form.add_field("file", png, filename="dot.png", content_type="image/png")
        url = f"{control.base_url}/v23.0/{PHONE_ID}/media"
        async with control.session.post(url, data=form, headers=AUTH) as resp:
            media_id = (await resp.json())["id"]
    async with serving(tmp_path) as control:
        async with control.session.get(f"{control.base_url}/v23.0/{media_id}", headers=AUTH) as resp:
            info = await resp.json()
            assert resp.status == 200 and int(info["file_size"]) == len(png)
        async with control.session.get(info["url"], headers=AUTH) as resp:
            assert await resp.read() == png


async def test_a_forced_status_still_replaces_the_script_after_kill_9(tmp_path):
    # issue 17: the cancelled steps are gone from the data dir too, so a restart does not run them again
    async with serving(tmp_path, kill=True) as control:
        [wamid] = await _send(control, 1)
        await control.set_status(wamid, "sent")
    async with serving(tmp_path) as control:
        await control.advance(10)
        message = await control.message(wamid)
        assert [h["status"] for h in message["history"]] == ["accepted", "sent"]
