"""Business phone numbers and the WABA, as Graph shows them, through pywa and raw requests."""

from __future__ import annotations

from typing import Any

from tests.conftest import AUTH, PHONE_ID, WABA_ID


async def graph(wa_sandbox: Any, path: str, headers: dict[str, str] | None = None) -> tuple[int, Any]:
    async with wa_sandbox.control.session.get(f"{wa_sandbox.url}{path}", headers=AUTH if headers is None else headers) as resp:
        return resp.status, await resp.json()


async def test_pywa_reads_the_business_phone_number(wa):
    number = await wa.get_business_phone_number()
    assert number.id == PHONE_ID and number.display_phone_number == "+1 555-010-0001"
    assert number.verified_name == "Sandbox Business"


async def test_pywa_lists_the_wabas_phone_numbers(wa):
    numbers = await wa.get_business_phone_numbers()
    assert [n.id for n in numbers] == [PHONE_ID]


async def test_default_fields_are_metas_default_set(wa_sandbox):
    status, body = await graph(wa_sandbox, f"/v23.0/{PHONE_ID}")
    assert status == 200
    assert set(body) == {"verified_name", "code_verification_status", "display_phone_number", "quality_rating", "platform_type", "throughput", "id"}
    assert body["throughput"] == {"level": "STANDARD"}


async def test_fields_selects_exactly_those_plus_id(wa_sandbox):
    status, body = await graph(wa_sandbox, f"/{PHONE_ID}?fields=status,name_status")
    assert status == 200 and body == {"status": "CONNECTED", "name_status": "APPROVED", "id": PHONE_ID}


async def test_waba_phone_numbers_list_has_data_and_paging(wa_sandbox):
    status, body = await graph(wa_sandbox, f"/v23.0/{WABA_ID}/phone_numbers?fields=display_phone_number,account_mode")
    assert status == 200 and body["data"] == [{"display_phone_number": "+1 555-010-0001", "account_mode": "LIVE", "id": PHONE_ID}]
    assert "cursors" in body["paging"]


async def test_test_number_reports_sandbox_account_mode(wa_sandbox):
    wa_sandbox.runtime.meta_platform.limits.load({PHONE_ID: {"allowed_recipients": ["+15550200001"]}})
    _, body = await graph(wa_sandbox, f"/{PHONE_ID}?fields=account_mode")
    assert body["account_mode"] == "SANDBOX"


async def test_unknown_waba_is_graph_method_exception(wa_sandbox):
    status, body = await graph(wa_sandbox, "/v23.0/999999999/phone_numbers")
    assert status == 400 and body["error"]["code"] == 100 and body["error"]["error_subcode"] == 33


async def test_phone_number_needs_a_token(wa_sandbox):
    status, body = await graph(wa_sandbox, f"/v23.0/{PHONE_ID}", headers={})
    assert status == 401 and body["error"]["code"] == 104
