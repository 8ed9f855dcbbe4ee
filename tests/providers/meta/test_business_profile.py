"""Business profile and conversational automation, through pywa and raw Graph calls.

Sources: Meta's business-profiles page (GET answers {"data": [{...flat profile, messaging_product}]};
about 1-139, address 256, description 512, email 128, websites <= 2 with http(s)://, vertical enum) and
OPENAPI /{Phone-Number-ID}/whatsapp_business_profile; conversational-components page (ice breakers <= 4,
commands <= 30) and OPENAPI /{Phone-Number-ID}/conversational_automation.
"""

from __future__ import annotations

from typing import Any

import pytest
from pywa_async import types
from pywa_async.errors import WhatsAppError

from tests.conftest import AUTH, PHONE_ID


async def graph(wa_sandbox: Any, method: str, path: str, **kw: Any) -> tuple[int, Any]:
    async with wa_sandbox.control.session.request(method, f"{wa_sandbox.url}{path}", headers=AUTH, **kw) as resp:
        return resp.status, await resp.json()


async def test_pywa_reads_the_default_business_profile(wa):
    profile = await wa.get_business_profile()
    assert profile.about == "Hey there! I am using WhatsApp."
    assert profile.industry == types.Industry.UNDEFINED


async def test_pywa_update_is_read_back(wa):
    result = await wa.update_business_profile(
        about="Succulent specialists!", address="1 Hacker Way", email="lucky@luckyshrub.com",
        industry=types.Industry.RETAIL, websites=["https://www.luckyshrub.com"],
    )
    assert bool(result) is True
    profile = await wa.get_business_profile()
    assert (profile.about, profile.address, profile.email) == ("Succulent specialists!", "1 Hacker Way", "lucky@luckyshrub.com")
    assert profile.industry == types.Industry.RETAIL and profile.websites == ("https://www.luckyshrub.com",)


async def test_get_answers_a_flat_data_item_with_messaging_product(wa_sandbox):
    status, body = await graph(wa_sandbox, "GET", f"/v23.0/{PHONE_ID}/whatsapp_business_profile?fields=about,vertical")
    assert status == 200
    assert body == {"data": [{"about": "Hey there! I am using WhatsApp.", "vertical": "UNDEFINED", "messaging_product": "whatsapp"}]}


async def test_get_with_an_unknown_field_is_graphs_nonexisting_field_error(wa_sandbox):
    status, body = await graph(wa_sandbox, "GET", f"/v23.0/{PHONE_ID}/whatsapp_business_profile?fields=about,colour")
    assert status == 400 and body["error"]["code"] == 100
    assert body["error"]["message"] == "(#100) Tried accessing nonexisting field (colour) on node type (WhatsAppBusinessProfile)"


async def test_update_without_messaging_product_is_rejected(wa_sandbox):
    status, body = await graph(wa_sandbox, "POST", f"/v23.0/{PHONE_ID}/whatsapp_business_profile", json={"about": "x"})
    assert status == 400 and body["error"]["message"] == "(#100) The parameter messaging_product is required"


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("about", "a" * 140, "at most 139"),
        ("about", "", "cannot be empty"),
        ("description", "d" * 513, "at most 512"),
        ("email", "not-an-email", "valid email"),
        ("websites", ["https://a.example", "https://b.example", "https://c.example"], "at most 2"),
        ("websites", ["www.example.com"], "http:// or https://"),
        ("vertical", "SPACESHIPS", "must be one of"),
    ],
)
async def test_update_checks_metas_limits(wa_sandbox, field, value, says):
    body = {"messaging_product": "whatsapp", field: value}
    status, answer = await graph(wa_sandbox, "POST", f"/v23.0/{PHONE_ID}/whatsapp_business_profile", json=body)
    assert status == 400 and answer["error"]["code"] == 100
    assert says in answer["error"]["error_data"]["details"]


async def test_pywa_invalid_update_raises_whatsapp_error(wa):
    with pytest.raises(WhatsAppError) as caught:
        await wa.update_business_profile(email="nope")
    assert caught.value.code == 100


async def test_profile_of_an_unknown_number_is_unsupported_request(wa_sandbox):
    status, body = await graph(wa_sandbox, "GET", "/v23.0/999999999/whatsapp_business_profile")
    assert status == 400 and body["error"]["code"] == 100 and body["error"]["error_subcode"] == 33


async def test_pywa_conversational_automation_is_read_back_on_the_number(wa):
    await wa.update_conversational_automation(
        ice_breakers=["Plan a trip", "Track my order"],
        commands=[types.Command(name="tickets", description="Book flight tickets")],
    )
    number = await wa.get_business_phone_number()
    automation = number.conversational_automation
    assert automation.ice_breakers == ("Plan a trip", "Track my order")
    assert [(c.name, c.description) for c in automation.commands] == [("tickets", "Book flight tickets")]


async def test_more_than_four_ice_breakers_are_rejected(wa_sandbox):
    body = {"prompts": ["a", "b", "c", "d", "e"]}
    status, answer = await graph(wa_sandbox, "POST", f"/v23.0/{PHONE_ID}/conversational_automation", json=body)
    assert status == 400 and "at most 4 ice breakers" in answer["error"]["error_data"]["details"]
