"""The webhook log's entries carry ``payload``: the body as data (README: target, payload), beside the
``url`` and the raw ``body`` text users already read."""

from __future__ import annotations

import json
from typing import Any

from sandbox.testing.plugin import RunningSandbox
from tests.conftest import send
from tests.providers.smsglobal.conftest import SmsglobalClient
from tests.reliability.helpers import TEXT


async def test_a_meta_webhook_entry_has_its_payload_as_an_object(wa_sandbox: RunningSandbox, webhook_receiver: Any):
    await wa_sandbox.control.set_webhook(webhook_receiver.url, verify=False)
    status, body = await send(wa_sandbox, TEXT)
    assert status == 200, body
    await wa_sandbox.control.advance(1)
    [entry] = await wa_sandbox.control.webhooks(event="status:sent")
    assert entry["url"] == webhook_receiver.url
    assert entry["payload"] == json.loads(entry["body"])  # the same bytes, parsed
    assert entry["payload"]["entry"][0]["changes"][0]["value"]["statuses"][0]["status"] == "sent"


async def test_a_form_encoded_callback_entry_has_its_fields_as_payload(wa_sandbox: RunningSandbox,
                                                                     webhook_receiver: Any):
    sg = SmsglobalClient(wa_sandbox.url, wa_sandbox.control.session)
    item = (await sg.send(destination="61400000123", message="Hi", notifyUrl=webhook_receiver.url)).json["messages"][0]
    await wa_sandbox.control.advance(2)
    [entry] = await wa_sandbox.control.webhooks(provider="smsglobal", event="dlr:Delivered")
    assert entry["payload"]["id"] == str(item["id"]) and entry["payload"]["status"] == "Delivered"
