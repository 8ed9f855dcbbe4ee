"""``GET|POST /{phone_number_id}/settings``, through pywa and raw Graph calls.

Source: OPENAPI /{Phone-Number-ID}/settings (GET: calling, payload_encryption, storage_configuration;
POST: one feature per request, status enabled|disabled, client_encryption_key to enable encryption,
storage {enabled, region}); pywa get/update_business_phone_number_settings.
"""

from __future__ import annotations

from typing import Any

import pytest
from pywa_async.types.calls import CallingSettings, CallingSettingsStatus
from pywa_async.types.others import UserIdentityChangeSettings

from tests.conftest import AUTH, PHONE_ID


async def graph(wa_sandbox: Any, method: str, path: str, **kw: Any) -> tuple[int, Any]:
    async with wa_sandbox.control.session.request(method, f"{wa_sandbox.url}/v23.0{path}", headers=AUTH, **kw) as resp:
        return resp.status, await resp.json()


async def test_pywa_reads_default_settings_with_calling_off(wa):
    settings = await wa.get_business_phone_number_settings()
    assert settings.calling.status == CallingSettingsStatus.DISABLED


async def test_pywa_calling_update_is_read_back(wa):
    assert bool(await wa.update_business_phone_number_settings(calling=CallingSettings(status=CallingSettingsStatus.ENABLED))) is True
    assert (await wa.get_business_phone_number_settings()).calling.status == CallingSettingsStatus.ENABLED


async def test_pywa_user_identity_change_is_read_back(wa):
    await wa.update_business_phone_number_settings(user_identity_change=UserIdentityChangeSettings(enable_identity_key_check=True))
    settings = await wa.get_business_phone_number_settings()
    assert settings.user_identity_change.enable_identity_key_check is True


async def test_storage_request_shape_reads_back_as_the_response_shape(wa_sandbox):
    body = {"storage_configuration": {"enabled": True, "region": "us"}}
    assert (await graph(wa_sandbox, "POST", f"/{PHONE_ID}/settings", json=body))[0] == 200
    _, got = await graph(wa_sandbox, "GET", f"/{PHONE_ID}/settings")
    assert got["storage_configuration"] == {"status": "in_country_storage_enabled", "data_localization_region": "us"}


async def test_calling_takes_partial_updates(wa_sandbox):
    await graph(wa_sandbox, "POST", f"/{PHONE_ID}/settings", json={"calling": {"status": "enabled", "call_icon_visibility": "hidden"}})
    await graph(wa_sandbox, "POST", f"/{PHONE_ID}/settings", json={"calling": {"status": "enabled", "video": {"status": "enabled"}}})
    _, got = await graph(wa_sandbox, "GET", f"/{PHONE_ID}/settings")
    assert got["calling"]["call_icon_visibility"] == "hidden" and got["calling"]["video"] == {"status": "enabled"}


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"calling": {"status": "enabled"}, "payload_encryption": {"status": "disabled"}}, "Only one feature setting"),
        ({}, "Only one feature setting"),
        ({"colour": {}}, "Unknown setting 'colour'"),
        ({"calling": {"status": "sometimes"}}, "must be one of {enabled, disabled}"),
        ({"payload_encryption": {"status": "enabled"}}, "client_encryption_key] is required"),
    ],
)
async def test_update_is_checked(wa_sandbox, body, says):
    status, answer = await graph(wa_sandbox, "POST", f"/{PHONE_ID}/settings", json=body)
    assert status == 400 and answer["error"]["code"] == 100
    assert says in answer["error"]["error_data"]["details"]


async def test_fields_limit_the_answer(wa_sandbox):
    _, got = await graph(wa_sandbox, "GET", f"/{PHONE_ID}/settings?fields=payload_encryption")
    assert got == {"payload_encryption": {"status": "disabled"}}
