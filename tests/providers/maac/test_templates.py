"""The WhatsApp leg is checked against the Cloud API's template registry (and the MAAC-only list)."""

from __future__ import annotations

import pytest

from sandbox.testing.plugin import RunningSandbox

from .conftest import push, seed_body

pytestmark = pytest.mark.asyncio


def _shipping_receipt(body_params: list[str]) -> dict:
    body = seed_body("Image Header (using media url)")
    body["data"]["whatsapp"].update(template_name="shipping_receipt", language="en_US")
    body["data"]["whatsapp"]["template_data"]["body"]["parameters"] = body_params
    return body


async def _whatsapp_leg(sandbox: RunningSandbox) -> dict:
    await sandbox.control.advance(1)
    return await sandbox.control.latest(provider="maac", channel="whatsapp")


async def test_cloud_api_registry_template_is_sent(wa_sandbox: RunningSandbox) -> None:
    assert (await push(wa_sandbox, _shipping_receipt(["Ana", "#1042"]))).status == 200
    leg = await _whatsapp_leg(wa_sandbox)
    assert leg["status"] != "failed"


async def test_cloud_api_registry_rules_fail_a_wrong_parameter_count(wa_sandbox: RunningSandbox) -> None:
    await push(wa_sandbox, _shipping_receipt(["Ana"]))
    leg = await _whatsapp_leg(wa_sandbox)
    error = leg["history"][-1]["errors"][0]
    assert (leg["status"], error["code"], error["error_category"]) == ("failed", 132000, "template_error")


async def test_template_in_another_language_does_not_exist(wa_sandbox: RunningSandbox) -> None:
    body = seed_body("Image Header (using media ID)")
    body["data"]["whatsapp"]["language"] = "zh_TW"
    await push(wa_sandbox, body)
    leg = await _whatsapp_leg(wa_sandbox)
    assert leg["history"][-1]["errors"][0]["code"] == 132001


async def test_body_parameter_count_is_checked_for_maac_templates(wa_sandbox: RunningSandbox) -> None:
    body = seed_body("Location Header")
    body["data"]["whatsapp"]["template_data"]["body"]["parameters"] = []
    await push(wa_sandbox, body)
    leg = await _whatsapp_leg(wa_sandbox)
    assert leg["history"][-1]["errors"][0]["code"] == 132000
