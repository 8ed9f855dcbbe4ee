"""A small suite run under pytest-xdist by tests/test_plugin_xdist.py (not collected by the main run:
its file name does not start with test_). Every test sends to the same magic number and drives its
own clock, as tests in a real suite do; with one shared sandbox they must not see each other."""

from __future__ import annotations

import aiohttp
import pytest

PHONE_ID = "100000000000001"


async def _send(workspace, text):
    token = workspace.credentials["meta"]["access_token"]
    async with aiohttp.ClientSession() as session:
        url = f"{workspace.base_urls['meta']}/{PHONE_ID}/messages"
        body = {"messaging_product": "whatsapp", "to": "+15550200001", "type": "text", "text": {"body": text}}
        async with session.post(url, json=body, headers={"Authorization": f"Bearer {token}"}) as resp:
            assert resp.status == 200, await resp.text()
            return (await resp.json())["messages"][0]["id"]


@pytest.mark.parametrize("n", range(12))
async def test_each_test_sees_only_its_own_messages_and_webhooks(wa_workspace, webhook_receiver, n):
    await wa_workspace.listen(webhook_receiver)
    sent = [await _send(wa_workspace, f"test {n} message {i}") for i in range(n % 3 + 1)]
    await wa_workspace.control.advance(3)
    [read] = await wa_workspace.control.wait_for(id=sent[0], status="read")
    mine = await wa_workspace.control.messages(to="15550200001")
    assert sorted(m["id"] for m in mine) == sorted(sent)  # the same number: only this test's
    posts = await webhook_receiver.wait_posts(3 * len(sent))
    ids = {p.json["entry"][0]["changes"][0]["value"]["statuses"][0]["id"] for p in posts}
    assert ids == set(sent)
    assert all(p.signature_valid(wa_workspace.credentials["meta"]["app_secret"]) for p in posts)
    await wa_workspace.control.reset()  # touches nobody else's


@pytest.mark.wa_workspace(scenario="india-shop")
async def test_a_test_can_have_its_own_scenario(wa_workspace):
    assert (await wa_workspace.control.request("GET", "/scenario"))["name"] == "india-shop"
