"""QR codes (message_qrdls), through pywa and raw Graph calls.

Source: OPENAPI /{Phone-Number-ID}/message_qrdls and /message_qrdls/{QR-Code-ID} (prefilled_message <= 140,
generate_qr_image PNG|SVG -> qr_image_url, POST with code updates, list newest first, single GET answers
{"data": [item]}, unknown code 803 "QR code not found" HTTP 404, unknown number 803 "Phone number not found"
HTTP 404); pywa create/get/update/delete_qr_code.
"""

from __future__ import annotations

from typing import Any

import pytest
from pywa_async.errors import WhatsAppError
from pywa_async.types import QRCodeImageType

from tests.conftest import AUTH, PHONE_ID


async def graph(wa_sandbox: Any, method: str, path: str, **kw: Any) -> tuple[int, Any]:
    async with wa_sandbox.control.session.request(method, f"{wa_sandbox.url}/v23.0{path}", headers=AUTH, **kw) as resp:
        return resp.status, await resp.json()


async def test_pywa_create_answers_code_deep_link_and_image_url(wa):
    qr = await wa.create_qr_code("Show me Cyber Monday deals!", QRCodeImageType.SVG)
    assert len(qr.code) == 14 and qr.prefilled_message == "Show me Cyber Monday deals!"
    assert qr.deep_link_url == f"https://wa.me/message/{qr.code}"
    assert qr.qr_image_url.endswith(f"/{qr.code}.svg")


async def test_pywa_get_qr_code_reads_it_back_with_the_asked_image_format(wa):
    created = await wa.create_qr_code("Hello!")
    found = await wa.get_qr_code(created.code, image_type=QRCodeImageType.PNG)
    assert (found.code, found.prefilled_message) == (created.code, "Hello!")
    assert found.qr_image_url.endswith(".png")


async def test_get_without_an_image_field_has_no_image_url(wa):
    created = await wa.create_qr_code("Hello!")
    assert (await wa.get_qr_code(created.code)).qr_image_url is None


async def test_pywa_get_qr_codes_lists_newest_first(wa):
    first = await wa.create_qr_code("first")
    second = await wa.create_qr_code("second")
    codes = [qr.code for qr in await wa.get_qr_codes()]
    assert codes == [second.code, first.code]


async def test_pywa_update_changes_the_prefilled_message(wa):
    created = await wa.create_qr_code("Cyber Monday")
    updated = await wa.update_qr_code(created.code, "Cyber Tuesday")
    assert (updated.code, updated.prefilled_message) == (created.code, "Cyber Tuesday")
    assert (await wa.get_qr_code(created.code)).prefilled_message == "Cyber Tuesday"


async def test_pywa_delete_removes_the_code(wa, wa_sandbox):
    created = await wa.create_qr_code("bye")
    assert bool(await wa.delete_qr_code(created.code)) is True
    status, body = await graph(wa_sandbox, "GET", f"/{PHONE_ID}/message_qrdls/{created.code}")
    assert status == 404 and (body["error"]["code"], body["error"]["message"]) == (803, "QR code not found")


async def test_single_get_answers_a_data_array(wa_sandbox):
    _, created = await graph(wa_sandbox, "POST", f"/{PHONE_ID}/message_qrdls", json={"prefilled_message": "Hi"})
    status, body = await graph(wa_sandbox, "GET", f"/{PHONE_ID}/message_qrdls/{created['code']}")
    assert status == 200
    assert body == {"data": [{"code": created["code"], "prefilled_message": "Hi", "deep_link_url": created["deep_link_url"]}]}


async def test_create_without_generate_qr_image_has_no_image_url(wa_sandbox):
    status, body = await graph(wa_sandbox, "POST", f"/{PHONE_ID}/message_qrdls", json={"prefilled_message": "Hi"})
    assert status == 200 and set(body) == {"code", "prefilled_message", "deep_link_url"}


async def test_list_filters_by_code(wa_sandbox):
    _, one = await graph(wa_sandbox, "POST", f"/{PHONE_ID}/message_qrdls", json={"prefilled_message": "one"})
    await graph(wa_sandbox, "POST", f"/{PHONE_ID}/message_qrdls", json={"prefilled_message": "two"})
    _, body = await graph(wa_sandbox, "GET", f"/{PHONE_ID}/message_qrdls?code={one['code']}")
    assert [item["code"] for item in body["data"]] == [one["code"]]


async def test_list_pages_25_at_a_time(wa_sandbox):
    for n in range(27):
        await graph(wa_sandbox, "POST", f"/{PHONE_ID}/message_qrdls", json={"prefilled_message": f"m{n}"})
    _, page = await graph(wa_sandbox, "GET", f"/{PHONE_ID}/message_qrdls?limit=100")
    assert len(page["data"]) == 25
    async with wa_sandbox.control.session.get(page["paging"]["next"], headers=AUTH) as resp:
        rest = await resp.json()
    assert [item["prefilled_message"] for item in rest["data"]] == ["m1", "m0"]


async def test_image_url_serves_an_image(wa_sandbox):
    _, created = await graph(wa_sandbox, "POST", f"/{PHONE_ID}/message_qrdls", json={"prefilled_message": "Hi", "generate_qr_image": "PNG"})
    async with wa_sandbox.control.session.get(created["qr_image_url"]) as resp:
        assert resp.status == 200 and resp.content_type == "image/png"


async def test_image_of_a_deleted_code_is_803_qr_code_not_found(wa_sandbox):
    """It used to lose the reason (Graph 2500 "Unknown path components", HTTP 400)."""
    _, created = await graph(wa_sandbox, "POST", f"/{PHONE_ID}/message_qrdls", json={"prefilled_message": "Hi", "generate_qr_image": "SVG"})
    await graph(wa_sandbox, "DELETE", f"/{PHONE_ID}/message_qrdls/{created['code']}")
    async with wa_sandbox.control.session.get(created["qr_image_url"]) as resp:
        status, body = resp.status, await resp.json()
    assert status == 404 and (body["error"]["code"], body["error"]["message"]) == (803, "QR code not found")
    assert body["error"]["type"] == "GraphMethodException" and body["error"]["fbtrace_id"]


async def test_image_of_an_unknown_number_is_803_phone_number_not_found(wa_sandbox):
    async with wa_sandbox.control.session.get(f"{wa_sandbox.url}/whatsapp_business/message_qrdls/999/ANED2T5QRU7HG1.png") as resp:
        status, body = resp.status, await resp.json()
    assert status == 404 and (body["error"]["code"], body["error"]["message"]) == (803, "Phone number not found")


async def test_prefilled_message_over_140_characters_is_rejected(wa_sandbox):
    status, body = await graph(wa_sandbox, "POST", f"/{PHONE_ID}/message_qrdls", json={"prefilled_message": "x" * 141})
    assert status == 400 and body["error"]["code"] == 100
    assert body["error"]["message"] == "Invalid prefilled_message length. Maximum 140 characters allowed"


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({}, "(#100) The parameter prefilled_message is required"),
        ({"prefilled_message": "Hi", "generate_qr_image": "GIF"}, "(#100) Param generate_qr_image must be one of {PNG, SVG}"),
    ],
)
async def test_create_parameters_are_checked(wa_sandbox, body, says):
    status, answer = await graph(wa_sandbox, "POST", f"/{PHONE_ID}/message_qrdls", json=body)
    assert status == 400 and answer["error"]["message"].startswith(says)


async def test_update_of_an_unknown_code_is_803(wa):
    with pytest.raises(WhatsAppError) as caught:
        await wa.update_qr_code("ANED2T5QRU7HG1", "Hello")
    assert caught.value.code == 803


async def test_malformed_code_is_rejected(wa_sandbox):
    status, body = await graph(wa_sandbox, "DELETE", f"/{PHONE_ID}/message_qrdls/nope")
    assert status == 400 and body["error"]["message"] == "Invalid QR code ID format. Expected 14-character alphanumeric string"


async def test_unknown_field_is_rejected(wa_sandbox):
    status, body = await graph(wa_sandbox, "GET", f"/{PHONE_ID}/message_qrdls?fields=code,colour")
    assert status == 400 and "Unknown field 'colour'" in body["error"]["error_data"]["details"]


async def test_creation_time_is_given_when_asked(wa_sandbox):
    await wa_sandbox.control.advance(42)
    await graph(wa_sandbox, "POST", f"/{PHONE_ID}/message_qrdls", json={"prefilled_message": "Hi"})
    _, body = await graph(wa_sandbox, "GET", f"/{PHONE_ID}/message_qrdls?fields=code,creation_time")
    assert body["data"][0]["creation_time"] == int(wa_sandbox.runtime.clock.now())


async def test_reset_forgets_qr_codes(wa_sandbox):
    _, created = await graph(wa_sandbox, "POST", f"/{PHONE_ID}/message_qrdls", json={"prefilled_message": "Hi"})
    await wa_sandbox.control.reset()
    status, _ = await graph(wa_sandbox, "GET", f"/{PHONE_ID}/message_qrdls/{created['code']}")
    assert status == 404
