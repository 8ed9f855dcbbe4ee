"""A forced status sticks (issue 17): the rest of the script is cancelled and GET /v2/sms/{id} agrees."""

from __future__ import annotations

import pytest

from sandbox.testing.client import ControlAPIError
from sandbox.testing.plugin import RunningSandbox
from sandbox.testing.receiver import WebhookReceiver

from .conftest import SmsglobalClient
from .test_callbacks import form

DEST = "61400000123"


async def test_forced_expired_is_the_last_receipt_and_what_get_answers(
    sg: SmsglobalClient, wa_sandbox: RunningSandbox, webhook_receiver: WebhookReceiver
) -> None:
    item = (await sg.send(destination=DEST, message="Hi", notifyUrl=webhook_receiver.url)).json["messages"][0]
    entry = await wa_sandbox.control.set_status(str(item["id"]), "failed", "expired")
    await wa_sandbox.control.advance(10)  # past the default script's sent / delivered
    assert [form(p.body)["status"] for p in webhook_receiver.posts] == ["Expired"]
    got = (await sg.call("GET", f"/v2/sms/{item['id']}")).json
    message = await wa_sandbox.control.message(str(item["id"]))
    assert got["status"] == "expired" == entry["history"][-1]["errors"][0]["status"]
    assert message["status"] == "failed" and [h["status"] for h in message["history"]] == ["accepted", "failed"]


async def test_a_delivered_sms_cannot_be_forced_to_fail(sg: SmsglobalClient, wa_sandbox: RunningSandbox) -> None:
    item = (await sg.send(destination=DEST, message="Hi")).json["messages"][0]
    await wa_sandbox.control.advance(5)
    with pytest.raises(ControlAPIError) as exc:
        await wa_sandbox.control.set_status(str(item["id"]), "failed", "undeliverable")
    assert exc.value.status == 409 and "'delivered' is final" in str(exc.value)
    assert (await sg.call("GET", f"/v2/sms/{item['id']}")).json["status"] == "delivered"


async def test_forced_failure_cancels_the_scripted_reply(sg: SmsglobalClient, wa_sandbox: RunningSandbox) -> None:
    await wa_sandbox.control.load_scenario(yaml="""
version: 1
rules:
  - name: answers
    match: {provider: smsglobal, to: "+61400000777"}
    timeline: [{after: 1, status: sent}, {after: 2, status: delivered}]
    user: [{after: 5, reply: "YES"}]
""")
    item = (await sg.send(destination="61400000777", message="Confirm?")).json["messages"][0]
    await wa_sandbox.control.set_status(str(item["id"]), "failed", "undeliverable")
    await wa_sandbox.control.advance(10)
    assert await wa_sandbox.control.messages(provider="smsglobal", direction="inbound") == []
