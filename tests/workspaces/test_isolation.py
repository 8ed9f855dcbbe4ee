"""Two workspaces side by side: one does everything a test can do; the other (and the default) saw nothing."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from sandbox.testing import WebhookReceiver
from tests.workspaces.conftest import PHONE_ID, TEXT, WABA_ID, Caller, by_prefix

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000")


async def _receiver(aiohttp_server: Any) -> WebhookReceiver:
    receiver = WebhookReceiver()
    server = await aiohttp_server(receiver.app())
    receiver.url = str(server.make_url("/webhook"))
    return receiver


async def snapshot(control, caller: Caller) -> dict[str, Any]:
    """Everything a test can observe of one workspace."""
    templates = await caller.graph("GET", f"/{WABA_ID}/message_templates", params={"limit": "100"})
    return {
        "messages": [(m["id"], m["status"]) for m in await control.messages()],
        "webhooks": [w["id"] for w in await control.webhooks()],
        "clock": (await control.clock())["now"],
        "chaos": await control.request("GET", "/chaos"),
        "scenario": (await control.request("GET", "/scenario"))["name"],
        "templates": sorted(t["name"] for t in templates.body["data"]),
        "media": (await control.request("GET", "/stats"))["media"],
    }


async def test_one_workspace_doing_everything_leaves_the_other_and_the_default_untouched(wa_sandbox, aiohttp_server):
    control = wa_sandbox.control
    active_ws, quiet_ws = await control.create_workspace(name="active"), await control.create_workspace(name="quiet")
    active, quiet = control.for_workspace("active"), control.for_workspace("quiet")
    a, q = by_prefix(wa_sandbox, active_ws), by_prefix(wa_sandbox, quiet_ws)
    a_hook, q_hook = await _receiver(aiohttp_server), await _receiver(aiohttp_server)
    a_hook.verify_token = active_ws["credentials"]["meta"]["verify_token"]  # the handshake uses the workspace's
    q_hook.verify_token = quiet_ws["credentials"]["meta"]["verify_token"]
    await active.set_webhook(a_hook.url)
    await quiet.set_webhook(q_hook.url)
    quiet_sent = (await q.graph("POST", f"/{PHONE_ID}/messages", json=TEXT)).body["messages"][0]["id"]
    before = await snapshot(quiet, q)
    default = Caller(wa_sandbox, wa_sandbox.url, {"meta": {"access_token": "sandbox-token"}})
    default_before = await snapshot(control, default)

    # the active workspace does everything, to the very same magic number and phone_number_id
    sent = (await a.graph("POST", f"/{PHONE_ID}/messages", json=TEXT)).body["messages"][0]["id"]
    await active.advance(10)
    [read] = await active.wait_for(id=sent, status="read")
    await active.set_chaos(shuffle=True, duplicate_probability=1)
    spec = {"name": "active_only", "language": "en_US", "category": "UTILITY",
            "components": [{"type": "BODY", "text": "Only in the active workspace."}]}
    assert (await a.graph("POST", f"/{WABA_ID}/message_templates", json=spec)).status == 200
    form = aiohttp.FormData()
    form.add_field("file", PNG, filename="dot.png", content_type="image/png")
    form.add_field("messaging_product", "whatsapp")
    assert (await a.graph("POST", f"/{PHONE_ID}/media", data=form)).status == 200
    assert len(a_hook.posts) == 3  # sent, delivered, read: its own receiver
    after_everything = await snapshot(active, a)
    assert "active_only" in after_everything["templates"] and after_everything["media"] != before["media"]
    assert after_everything["chaos"] != before["chaos"] and after_everything["clock"] > before["clock"]
    await active.load_scenario(name="flaky-network")
    assert (await active.request("GET", "/scenario"))["name"] == "flaky-network"
    await active.reset()
    assert await active.messages() == []

    assert await snapshot(quiet, q) == before
    assert await snapshot(control, default) == default_before
    assert q_hook.posts == []
    # and the quiet one still works on its own timeline, signed with its own secret
    await quiet.advance(3)
    posts = await q_hook.wait_posts(3)
    assert {p.json["entry"][0]["changes"][0]["value"]["statuses"][0]["id"] for p in posts} == {quiet_sent}
    assert all(p.signature_valid(quiet_ws["credentials"]["meta"]["app_secret"]) for p in posts)
    assert not any(p.signature_valid(active_ws["credentials"]["meta"]["app_secret"]) for p in posts)
    assert len(a_hook.posts) == 3


@pytest.mark.parametrize("first", ["a", "b"])
async def test_the_same_number_in_two_workspaces_is_two_conversations(wa_sandbox, first):
    control = wa_sandbox.control
    ws = {n: await control.create_workspace(name=n) for n in ("a", "b")}
    sent = (await by_prefix(wa_sandbox, ws[first]).graph("POST", f"/{PHONE_ID}/messages", json=TEXT)).body
    other = "b" if first == "a" else "a"
    with pytest.raises(Exception) as caught:
        await control.for_workspace(other).wait_for(to="15550200001", timeout=0.2)
    assert "timed out" in str(caught.value)
    [found] = await control.for_workspace(first).wait_for(to="15550200001", timeout=1)
    assert found["id"] == sent["messages"][0]["id"]
