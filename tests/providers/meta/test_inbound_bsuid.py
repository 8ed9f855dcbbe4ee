"""Inbound messages name the sender by BSUID too (meta-cloud-api.md §3.6)."""

from __future__ import annotations


async def test_inbound_message_carries_the_senders_bsuid_as_from_user_id(wa_sandbox, webhook_receiver):
    # meta-cloud-api.md §3.6 (META-BSUID): message common keys include `from_user_id`.
    await wa_sandbox.control.set_webhook(webhook_receiver.url)
    await wa_sandbox.control.inject_inbound("+15550209999", type="text", text="hi")
    [post] = await webhook_receiver.wait_posts(1)
    value = post.json["entry"][0]["changes"][0]["value"]
    assert value["messages"][0]["from_user_id"] == value["contacts"][0]["user_id"]
