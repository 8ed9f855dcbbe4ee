"""Display-name updates: ``POST /{phone_number_id}`` with ``new_display_name``, a review on the virtual clock,
then the ``phone_number_name_update`` webhook.

Sources: Meta's display-names page (developers.facebook.com/documentation/business-messaging/whatsapp/
display-names, "Update display name via API": ``POST /{phone_number_id}?new_display_name=...`` answers
``{"success": true}``; ``fields=new_display_name,new_name_status`` then reads ``"new_name_status":
"PENDING_REVIEW"``; once approved, ``verified_name`` and ``name_status`` update and phone_number_name_update
webhooks are triggered; "You can change a display name 10 times per 30-day period"); Meta's
phone_number_name_update webhook reference (value ``display_phone_number``, ``decision`` APPROVED, DEFERRED,
PENDING or REJECTED, ``requested_verified_name``, ``rejection_reason``); OPENAPI PhoneNumberStatusUpdateRequest
(``new_display_name`` 2 to 75 characters) and WhatsAppDisplayNameStatus (DECLINED for a rejected name);
pywa ``update_display_name`` (a JSON body with ``messaging_product``) and ``BusinessPhoneNumber.new_name_status``.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import AUTH, PHONE_ID, WABA_ID

SCENARIO = """
version: 1
meta:
  display_name_review: %s
rules:
  - {name: open, match: {to: "*"}, window: open}
"""


async def graph(wa_sandbox: Any, method: str, path: str, **kw: Any) -> tuple[int, Any]:
    async with wa_sandbox.control.session.request(method, f"{wa_sandbox.url}/v23.0{path}", headers=AUTH, **kw) as resp:
        return resp.status, await resp.json()


async def request_name(wa_sandbox: Any, name: str) -> tuple[int, Any]:
    """As Meta's page sends it: the name in the query string, no body."""
    return await graph(wa_sandbox, "POST", f"/{PHONE_ID}", params={"new_display_name": name})


async def names(wa_sandbox: Any) -> dict[str, Any]:
    fields = "verified_name,name_status,new_display_name,new_name_status"
    return (await graph(wa_sandbox, "GET", f"/{PHONE_ID}", params={"fields": fields}))[1]


async def name_updates(receiver: Any, count: int) -> list[dict[str, Any]]:
    posts = await receiver.wait_posts(count)
    return [json.loads(post.body) for post in posts]


async def test_pywa_update_display_name_is_accepted(wa):
    assert bool(await wa.update_display_name("Pizza Bot")) is True


async def test_the_new_name_reads_back_pending_review(wa_sandbox):
    assert await request_name(wa_sandbox, "Lucky Shrub") == (200, {"success": True})
    _, node = await graph(wa_sandbox, "GET", f"/{PHONE_ID}", params={"fields": "new_display_name,new_name_status"})
    assert node == {"new_display_name": "Lucky Shrub", "new_name_status": "PENDING_REVIEW", "id": PHONE_ID}


async def test_verified_name_is_unchanged_while_under_review(wa_sandbox):
    await request_name(wa_sandbox, "Lucky Shrub")
    await wa_sandbox.control.advance(4)
    node = await names(wa_sandbox)
    assert (node["verified_name"], node["name_status"], node["new_name_status"]) == ("Sandbox Business", "APPROVED", "PENDING_REVIEW")


async def test_before_any_request_there_is_no_new_name(wa_sandbox):
    assert await names(wa_sandbox) == {"verified_name": "Sandbox Business", "name_status": "APPROVED", "id": PHONE_ID}


async def test_approval_updates_verified_name_and_name_status_pywa_reads(wa, wa_sandbox):
    await wa.update_display_name("Pizza Bot")
    await wa_sandbox.control.advance(5)
    number = await wa.get_business_phone_number()
    assert (number.verified_name, number.name_status) == ("Pizza Bot", "APPROVED")
    assert number.new_name_status == "APPROVED"


async def test_the_decision_is_a_phone_number_name_update_webhook(wa_sandbox, webhook_receiver):
    await wa_sandbox.control.set_webhook(webhook_receiver.url)
    await request_name(wa_sandbox, "Lucky Shrub")
    await wa_sandbox.control.advance(5)
    [update] = await name_updates(webhook_receiver, 1)
    assert update["object"] == "whatsapp_business_account" and update["entry"][0]["id"] == WABA_ID
    assert isinstance(update["entry"][0]["time"], int)
    change = update["entry"][0]["changes"][0]
    assert change["field"] == "phone_number_name_update"
    assert change["value"] == {"display_phone_number": "15550100001", "decision": "APPROVED",
                               "requested_verified_name": "Lucky Shrub", "rejection_reason": None}


async def test_a_scenario_can_reject_names_with_a_reason(wa_sandbox, webhook_receiver):
    await wa_sandbox.control.load_scenario(yaml=SCENARIO % "{outcome: REJECTED, reason: NAME_FORMAT_UNACCEPTABLE}")
    await wa_sandbox.control.set_webhook(webhook_receiver.url)
    await request_name(wa_sandbox, "Lucky Shrub")
    await wa_sandbox.control.advance(5)
    [update] = await name_updates(webhook_receiver, 1)
    value = update["entry"][0]["changes"][0]["value"]
    assert (value["decision"], value["rejection_reason"]) == ("REJECTED", "NAME_FORMAT_UNACCEPTABLE")
    node = await names(wa_sandbox)
    assert (node["verified_name"], node["name_status"]) == ("Sandbox Business", "APPROVED")  # the old name stays
    assert (node["new_display_name"], node["new_name_status"]) == ("Lucky Shrub", "DECLINED")


async def test_an_override_scripts_one_name_and_its_delay(wa_sandbox):
    await wa_sandbox.control.load_scenario(yaml=SCENARIO % '{overrides: {"Bad Name": {outcome: REJECTED, delay: 60}}}')
    await request_name(wa_sandbox, "Bad Name")
    await wa_sandbox.control.advance(59)
    assert (await names(wa_sandbox))["new_name_status"] == "PENDING_REVIEW"
    await wa_sandbox.control.advance(1)
    assert (await names(wa_sandbox))["new_name_status"] == "DECLINED"


async def test_a_deferred_decision_keeps_the_name_under_review(wa_sandbox, webhook_receiver):
    await wa_sandbox.control.load_scenario(yaml=SCENARIO % "{outcome: DEFERRED}")
    await wa_sandbox.control.set_webhook(webhook_receiver.url)
    await request_name(wa_sandbox, "Lucky Shrub")
    await wa_sandbox.control.advance(5)
    [update] = await name_updates(webhook_receiver, 1)
    assert update["entry"][0]["changes"][0]["value"]["decision"] == "DEFERRED"
    node = await names(wa_sandbox)
    assert (node["verified_name"], node["new_name_status"]) == ("Sandbox Business", "PENDING_REVIEW")


async def test_a_new_request_replaces_the_one_under_review(wa_sandbox, webhook_receiver):
    await wa_sandbox.control.set_webhook(webhook_receiver.url)
    await request_name(wa_sandbox, "First Name Co")
    await wa_sandbox.control.advance(3)
    await request_name(wa_sandbox, "Second Name Co")
    await wa_sandbox.control.advance(2)  # the first request's review would have decided now
    assert (await names(wa_sandbox))["new_name_status"] == "PENDING_REVIEW"
    await wa_sandbox.control.advance(3)
    [update] = await name_updates(webhook_receiver, 1)
    assert update["entry"][0]["changes"][0]["value"]["requested_verified_name"] == "Second Name Co"
    assert (await names(wa_sandbox))["verified_name"] == "Second Name Co"


@pytest.mark.parametrize("name", ["", "x", "x" * 76])
async def test_the_name_must_be_2_to_75_characters(wa_sandbox, name):
    status, body = await graph(wa_sandbox, "POST", f"/{PHONE_ID}", json={"messaging_product": "whatsapp", "new_display_name": name})
    assert status == 400 and body["error"]["code"] == 100
    assert "new_display_name must be 2 to 75 characters" in body["error"]["error_data"]["details"]


async def test_an_eleventh_change_within_30_days_is_refused(wa_sandbox):
    for n in range(10):
        assert (await request_name(wa_sandbox, f"Name Number {n}"))[0] == 200
    status, body = await request_name(wa_sandbox, "One Too Many")
    assert status == 400 and body["error"]["code"] == 100
    assert "10 times per 30-day period" in body["error"]["error_data"]["details"]
    await wa_sandbox.control.advance(30 * 86400)
    assert (await request_name(wa_sandbox, "One Too Many"))[0] == 200


async def test_a_body_with_no_setting_the_sandbox_knows_is_100(wa_sandbox):
    status, body = await graph(wa_sandbox, "POST", f"/{PHONE_ID}", json={"messaging_product": "whatsapp"})
    assert status == 400 and body["error"]["code"] == 100
    assert "new_display_name" in body["error"]["error_data"]["details"]


async def test_reset_forgets_the_request_and_the_approved_name(wa_sandbox):
    await request_name(wa_sandbox, "Lucky Shrub")
    await wa_sandbox.control.advance(5)
    await request_name(wa_sandbox, "Luckier Shrub")
    await wa_sandbox.control.reset()
    await wa_sandbox.control.advance(5)
    assert await names(wa_sandbox) == {"verified_name": "Sandbox Business", "name_status": "APPROVED", "id": PHONE_ID}
