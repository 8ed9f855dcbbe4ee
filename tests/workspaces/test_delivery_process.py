"""Workspaces and ``--delivery-process``: every workspace's webhooks go through the server's one child."""

from __future__ import annotations

import os
from typing import Any

import pytest

from sandbox.keys import WORKSPACES
from sandbox.testing import WebhookReceiver
from tests.workspaces.conftest import PHONE_ID, TEXT, by_prefix, default


async def _receiver(aiohttp_server: Any, verify_token: str) -> WebhookReceiver:
    receiver = WebhookReceiver(verify_token=verify_token)
    server = await aiohttp_server(receiver.app())
    receiver.url = str(server.make_url("/webhook"))
    return receiver


async def _lifecycle(control: Any, caller: Any, receiver: WebhookReceiver) -> str:
    """One send, its sent/delivered/read webhooks at the receiver, signed with the workspace's secret."""
    wamid = (await caller.graph("POST", f"/{PHONE_ID}/messages", json=TEXT)).body["messages"][0]["id"]
    await control.advance(4)
    for status in ("sent", "delivered", "read"):
        await control.wait_for_webhook(message_id=wamid, event=f"status:{status}", state="delivered")
    return wamid


@pytest.mark.wa_sandbox(delivery_process=True)
async def test_every_workspace_posts_its_webhooks_through_the_servers_one_child(wa_sandbox, aiohttp_server):
    control = wa_sandbox.control
    remote = wa_sandbox.runtime.dispatcher.remote
    assert remote is not None
    made = [await control.create_workspace(name=name) for name in ("one", "two")]
    for spec in made:
        hook = await _receiver(aiohttp_server, spec["credentials"]["meta"]["verify_token"])
        ws = control.for_workspace(spec["name"])
        await ws.set_webhook(hook.url)
        wamid = await _lifecycle(ws, by_prefix(wa_sandbox, spec), hook)
        assert [p.json["entry"][0]["changes"][0]["value"]["statuses"][0]["id"] for p in hook.posts] == [wamid] * 3
        assert all(p.signature_valid(spec["credentials"]["meta"]["app_secret"]) for p in hook.posts)
    for spec in made:  # the default runtime's dispatcher owns the child; the workspaces' borrow it
        assert wa_sandbox.app[WORKSPACES].get(spec["name"]).runtime.dispatcher.remote is remote
    pid = remote.pid
    assert pid is not None and remote.restarts == 0
    await control.delete_workspace("one")  # a workspace going away leaves the shared child running
    assert remote.pid == pid
    os.kill(pid, 0)
    hook = await _receiver(aiohttp_server, "sandbox-verify-token")
    await control.set_webhook(hook.url)
    await _lifecycle(control, default(wa_sandbox), hook)
    assert remote.pid == pid and remote.restarts == 0 and len(hook.posts) == 3
