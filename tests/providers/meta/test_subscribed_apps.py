"""App subscriptions on a WABA and its webhook override, through pywa.

Sources: OPENAPI /{WABA-ID}/subscribed_apps (GET {data: [{whatsapp_business_api_data: {id, name, link}}]},
{data: []} when none; POST {} or {override_callback_uri, verify_token} -> {"success": true}); Meta's
webhook-override page (the override URL is verified with the GET handshake; POST without it deletes the
override, which is what pywa's delete_waba_callback_url sends).
"""

from __future__ import annotations

from typing import Any

import pytest
from pywa_async.errors import WhatsAppError

from tests.conftest import AUTH, WABA_ID


async def graph(wa_sandbox: Any, method: str, path: str, **kw: Any) -> tuple[int, Any]:
    async with wa_sandbox.control.session.request(method, f"{wa_sandbox.url}{path}", headers=AUTH, **kw) as resp:
        return resp.status, await resp.json()


async def test_the_sandbox_app_is_subscribed_at_start(wa_sandbox):
    status, body = await graph(wa_sandbox, "GET", f"/v23.0/{WABA_ID}/subscribed_apps")
    assert status == 200 and len(body["data"]) == 1
    assert set(body["data"][0]["whatsapp_business_api_data"]) == {"id", "name", "link"}


async def test_unsubscribe_then_subscribe(wa_sandbox):
    assert await graph(wa_sandbox, "DELETE", f"/v23.0/{WABA_ID}/subscribed_apps") == (200, {"success": True})
    assert (await graph(wa_sandbox, "GET", f"/v23.0/{WABA_ID}/subscribed_apps"))[1] == {"data": []}
    assert await graph(wa_sandbox, "POST", f"/v23.0/{WABA_ID}/subscribed_apps") == (200, {"success": True})
    assert len((await graph(wa_sandbox, "GET", f"/v23.0/{WABA_ID}/subscribed_apps"))[1]["data"]) == 1


async def test_pywa_overrides_the_callback_url_after_the_handshake(wa, wa_sandbox, webhook_receiver):
    await wa.override_waba_callback_url(callback_url=webhook_receiver.url, verify_token=webhook_receiver.verify_token)
    _, body = await graph(wa_sandbox, "GET", f"/v23.0/{WABA_ID}/subscribed_apps")
    assert body["data"][0]["override_callback_uri"] == webhook_receiver.url


async def test_an_override_failing_the_handshake_is_rejected_2200(wa, webhook_receiver):
    with pytest.raises(WhatsAppError) as caught:
        await wa.override_waba_callback_url(callback_url=webhook_receiver.url, verify_token="wrong-token")
    assert caught.value.code == 2200


async def test_pywa_deletes_the_override(wa, wa_sandbox, webhook_receiver):
    await wa.override_waba_callback_url(callback_url=webhook_receiver.url, verify_token=webhook_receiver.verify_token)
    await wa.delete_waba_callback_url()
    _, body = await graph(wa_sandbox, "GET", f"/v23.0/{WABA_ID}/subscribed_apps")
    assert "override_callback_uri" not in body["data"][0]


async def test_unknown_waba_is_unsupported_request(wa_sandbox):
    status, body = await graph(wa_sandbox, "GET", "/v23.0/999999999/subscribed_apps")
    assert status == 400 and body["error"]["error_subcode"] == 33
