"""Block users, through pywa.

Sources: OPENAPI /{Phone-Number-ID}/block_users (POST -> block_users.added_users [{input, wa_id}], DELETE ->
removed_users, GET -> {data: [{messaging_product, wa_id}], paging}); Meta's block-users page (only users who
messaged in the last 24 hours can be blocked; <= 1,000 per request; the business cannot message a blocked
user); pywa errors 139100 BulkBlockingFailed and UsersBlockedResult (failed_users + errors).
"""

from __future__ import annotations

from typing import Any

import pytest
from pywa_async.errors import WhatsAppError

from tests.conftest import AUTH, PHONE_ID

USER = "15550200001"


async def graph(wa_sandbox: Any, method: str, path: str, **kw: Any) -> tuple[int, Any]:
    async with wa_sandbox.control.session.request(method, f"{wa_sandbox.url}{path}", headers=AUTH, **kw) as resp:
        return resp.status, await resp.json()


async def test_pywa_blocks_a_user_who_wrote_today(wa, wa_sandbox):
    await wa_sandbox.control.inject_inbound(f"+{USER}", type="text", text="hi")
    result = await wa.block_users([USER])
    assert [(u.input, u.wa_id) for u in result.added_users] == [(USER, USER)]
    assert result.failed_users == () and result.errors is None


async def test_a_user_silent_for_24_hours_cannot_be_blocked_139100(wa, wa_sandbox):
    await wa_sandbox.control.inject_inbound(f"+{USER}", type="text", text="hi")
    await wa_sandbox.control.advance(24 * 3600)
    result = await wa.block_users([USER])
    assert result.added_users == ()
    assert result.failed_users[0].input == USER and result.failed_users[0].errors[0].code == 139100
    assert result.errors is not None and result.errors.code == 139100


async def test_sending_to_a_blocked_user_is_an_error(wa, wa_sandbox):
    await wa_sandbox.control.inject_inbound(f"+{USER}", type="text", text="hi")
    await wa.block_users([USER])
    with pytest.raises(WhatsAppError) as caught:
        await wa.send_message(to=USER, text="still there?")
    assert caught.value.code == 131026


async def test_a_user_blocked_by_bsuid_cannot_be_messaged_by_number(wa, wa_sandbox):
    await wa_sandbox.control.inject_inbound(f"+{USER}", type="text", text="hi")
    bsuid = wa_sandbox.runtime.meta.messaging.engine.persona(USER).user_id
    result = await wa.block_users([bsuid])
    assert [(u.input, u.bsuid, u.wa_id) for u in result.added_users] == [(bsuid, bsuid, None)]
    with pytest.raises(WhatsAppError):
        await wa.send_message(to=USER, text="hello")


async def test_pywa_lists_and_unblocks(wa, wa_sandbox):
    await wa_sandbox.control.inject_inbound(f"+{USER}", type="text", text="hi")
    await wa.block_users([USER])
    assert [u.wa_id for u in await wa.get_blocked_users()] == [USER]
    removed = await wa.unblock_users([USER])
    assert [u.wa_id for u in removed.removed_users] == [USER]
    assert list(await wa.get_blocked_users()) == []
    sent = await wa.send_message(to=USER, text="welcome back")
    assert sent.id.startswith("wamid.")


async def test_blocked_list_item_has_metas_fields(wa_sandbox):
    await wa_sandbox.control.inject_inbound(f"+{USER}", type="text", text="hi")
    body = {"messaging_product": "whatsapp", "block_users": [{"user": f"+{USER}"}]}
    await graph(wa_sandbox, "POST", f"/v23.0/{PHONE_ID}/block_users", json=body)
    status, listed = await graph(wa_sandbox, "GET", f"/v23.0/{PHONE_ID}/block_users")
    assert status == 200 and listed["data"] == [{"messaging_product": "whatsapp", "input": f"+{USER}", "wa_id": USER}]
    assert "cursors" in listed["paging"]


async def test_more_than_1000_users_per_request_is_rejected(wa_sandbox):
    body = {"messaging_product": "whatsapp", "block_users": [{"user": f"1555030{i:04d}"} for i in range(1001)]}
    status, answer = await graph(wa_sandbox, "POST", f"/v23.0/{PHONE_ID}/block_users", json=body)
    assert status == 400 and "at most 1000" in answer["error"]["error_data"]["details"]
