"""Register, deregister, request_code and verify_code, through pywa.

Sources: OPENAPI /{Phone-Number-ID}/register|deregister|request_code|verify_code (success {"success": true};
400 "Invalid PIN format. PIN must be exactly 6 digits"; "code_method must be SMS or VOICE"); meta-cloud-api.md
§2.2 133010 "Account not registered" (a send from an unregistered number); Meta's error-codes page 133005
"Two step verification PIN Mismatch".
"""

from __future__ import annotations

from typing import Any

import pytest
from pywa_async.errors import WhatsAppError

from tests.conftest import AUTH, PHONE_ID


async def graph(wa_sandbox: Any, method: str, path: str, **kw: Any) -> tuple[int, Any]:
    async with wa_sandbox.control.session.request(method, f"{wa_sandbox.url}{path}", headers=AUTH, **kw) as resp:
        return resp.status, await resp.json()


async def test_pywa_registers_the_number(wa):
    assert bool(await wa.register_phone_number(pin="123456")) is True
    number = await wa.get_business_phone_number()
    assert number.is_pin_enabled is True and number.status == "CONNECTED"


async def test_a_deregistered_number_cannot_send_133010(wa):
    await wa.deregister_phone_number()
    with pytest.raises(WhatsAppError) as caught:
        await wa.send_message(to="15550200001", text="hello")
    assert caught.value.code == 133010 and caught.value.status_code == 400


async def test_registering_again_lets_the_number_send(wa):
    await wa.deregister_phone_number()
    await wa.register_phone_number(pin="123456")
    sent = await wa.send_message(to="15550200001", text="back")
    assert sent.id.startswith("wamid.")


async def test_deregistered_number_shows_disconnected(wa, wa_sandbox):
    await wa.deregister_phone_number()
    status, body = await graph(wa_sandbox, "GET", f"/v23.0/{PHONE_ID}?fields=status")
    assert body == {"status": "DISCONNECTED", "id": PHONE_ID}


async def test_deregistering_twice_is_not_registered_error(wa):
    await wa.deregister_phone_number()
    with pytest.raises(WhatsAppError) as caught:
        await wa.deregister_phone_number()
    assert caught.value.code == 100 and "not registered" in caught.value.message


async def test_pin_must_be_six_digits(wa_sandbox):
    status, body = await graph(wa_sandbox, "POST", f"/v23.0/{PHONE_ID}/register", json={"messaging_product": "whatsapp", "pin": "12"})
    assert status == 400 and body["error"]["error_data"]["details"] == "Invalid PIN format. PIN must be exactly 6 digits"


async def test_a_different_pin_after_the_first_is_133005(wa):
    await wa.register_phone_number(pin="123456")
    with pytest.raises(WhatsAppError) as caught:
        await wa.register_phone_number(pin="654321")
    assert caught.value.code == 133005


async def test_pywa_request_and_verify_code(wa):
    assert bool(await wa.request_verification_code(code_method="SMS", language_code="en")) is True
    assert (await wa.get_business_phone_number()).code_verification_status == "NOT_VERIFIED"
    assert bool(await wa.verify_phone_number(code="123456")) is True
    assert (await wa.get_business_phone_number()).code_verification_status == "VERIFIED"


async def test_a_wrong_code_is_rejected(wa):
    await wa.request_verification_code(code_method="VOICE", language_code="en")
    with pytest.raises(WhatsAppError) as caught:
        await wa.verify_phone_number(code="000000")
    assert caught.value.code == 100


async def test_code_method_must_be_sms_or_voice(wa_sandbox):
    status, body = await graph(wa_sandbox, "POST", f"/v23.0/{PHONE_ID}/request_code?code_method=FAX&language=en")
    assert status == 400 and body["error"]["error_data"]["details"] == "Invalid parameter: code_method must be SMS or VOICE"


async def test_request_code_takes_a_json_body_too(wa_sandbox):
    status, body = await graph(wa_sandbox, "POST", f"/{PHONE_ID}/request_code", json={"code_method": "SMS", "language": "en_US"})
    assert status == 200 and body == {"success": True}
