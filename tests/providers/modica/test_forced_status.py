"""A forced status sticks (issue 17): no DLR after it, and GET agrees with the journal."""

from __future__ import annotations

import pytest

from sandbox.testing.client import ControlAPIError
from tests.providers.modica.conftest import ModicaClient

V2 = "/rest/sms/v2/messages"
WAB = "/rest/wab/v1/messages"
TEMPLATE = {"to": "+64211234567", "type": "template",
            "template": {"name": "order_update", "language": {"code": "en"}, "components": []}}


@pytest.mark.parametrize("reason", ["expired", "rejected"])
async def test_forced_failure_is_the_last_dlr_and_what_get_answers(modica: ModicaClient, wa_sandbox, callbacks, reason):
    message_id = (await modica.post(V2, {"destination": "+64211234567", "content": "hi"})).body["id"]
    await wa_sandbox.control.set_status(message_id, "failed", reason)
    await wa_sandbox.control.advance(10)
    assert [p.json["status"] for p in callbacks.posts] == [reason]
    got = (await modica.get(V2, params={"id": message_id})).body
    assert got["status"] == reason
    assert (await wa_sandbox.control.message(message_id))["status"] == "failed"


async def test_forced_sent_replaces_the_rest_of_the_script(modica: ModicaClient, wa_sandbox, callbacks):
    message_id = (await modica.post(V2, {"destination": "+64211234567", "content": "hi"})).body["id"]
    await wa_sandbox.control.set_status(message_id, "sent")
    await wa_sandbox.control.advance(10)
    assert [p.json["status"] for p in callbacks.posts] == ["sent"]
    assert (await modica.get(V2, params={"id": message_id})).body["status"] == "sent"


async def test_a_failed_whatsapp_message_is_never_read(modica: ModicaClient, wa_sandbox, callbacks):
    await modica.post(WAB, TEMPLATE)
    [message] = await wa_sandbox.control.messages(provider="modica", channel="whatsapp")
    message_id = message["id"]
    await wa_sandbox.control.set_status(message_id, "failed", "undeliverable")
    with pytest.raises(ControlAPIError) as exc:
        await wa_sandbox.control.set_status(message_id, "read")
    await wa_sandbox.control.advance(10)
    assert exc.value.status == 409
    assert (await wa_sandbox.control.message(message_id))["status"] == "failed"
    assert [p.json["status"] for p in callbacks.posts if "status" in p.json] == ["rejected"]
