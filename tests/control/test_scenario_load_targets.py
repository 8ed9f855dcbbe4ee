"""Webhook targets across a scenario switch: a load with ``reset: false`` keeps those set at run time
(unless the new scenario names its own), a load that resets goes back to the scenario's (targets.py),
and so does a reset, of all providers or one."""

from __future__ import annotations

from typing import Any

import pytest

from sandbox.testing.plugin import RunningSandbox
from sandbox.testing.receiver import WebhookReceiver
from tests.conftest import send

TEXT = {"messaging_product": "whatsapp", "to": "15550200001", "type": "text", "text": {"body": "hi"}}
RECEIVER = "http://127.0.0.1:9/hooks"


async def targets(wa_sandbox: RunningSandbox, provider: str) -> dict[str, Any]:
    listed = await wa_sandbox.control.request("GET", "/webhooks/targets")
    return dict(listed[provider][0])


async def test_a_load_without_reset_keeps_the_meta_target_set_at_run_time(
    wa_sandbox: RunningSandbox, webhook_receiver: WebhookReceiver
) -> None:
    await wa_sandbox.control.set_webhook(webhook_receiver.url, verify=False, app_secret="run-time-secret")
    await wa_sandbox.control.load_scenario(yaml="version: 1\nname: next\n", reset=False)
    await send(wa_sandbox, TEXT)
    await wa_sandbox.control.advance(0.2)
    [post] = await webhook_receiver.wait_posts(1)
    assert post.json["entry"][0]["changes"][0]["value"]["statuses"][0]["recipient_id"] == "15550200001"
    assert (await targets(wa_sandbox, "meta"))["app_secret"] == "run-time-secret"


@pytest.mark.parametrize(
    ("provider", "spec", "field"),
    [
        ("smsglobal", {"url": RECEIVER}, "notifyUrl"),
        ("maac", {"url": RECEIVER, "share_secret": "run-time"}, "url"),
        ("modica", {"url": RECEIVER}, "dlr_url"),
    ],
)
async def test_a_load_without_reset_keeps_every_providers_run_time_target(
    wa_sandbox: RunningSandbox, provider: str, spec: dict[str, Any], field: str
) -> None:
    await wa_sandbox.control.request("PUT", f"/webhooks/targets/{provider}", json=spec)
    await wa_sandbox.control.load_scenario(yaml="version: 1\n", reset=False)
    assert (await targets(wa_sandbox, provider))[field] == RECEIVER


async def test_a_load_without_reset_takes_the_target_the_new_scenario_names(wa_sandbox: RunningSandbox) -> None:
    await wa_sandbox.control.set_webhook(RECEIVER, verify=False, app_secret="run-time-secret")
    await wa_sandbox.control.load_scenario(yaml="""
version: 1
meta:
  businesses:
    - {phone_number_id: "100000000000001", waba_id: "200000000000001", display_phone_number: "+1 555-010-0001",
       webhook_url: "http://127.0.0.1:9/from-the-file"}
""", reset=False)
    target = await targets(wa_sandbox, "meta")
    assert target["webhook_url"] == "http://127.0.0.1:9/from-the-file"
    assert target["app_secret"] == "run-time-secret"  # the file names no secret: the run-time one stays


async def test_a_load_that_resets_goes_back_to_the_scenario_targets(wa_sandbox: RunningSandbox) -> None:
    await wa_sandbox.control.set_webhook(RECEIVER, verify=False)
    await wa_sandbox.control.request("PUT", "/webhooks/targets/smsglobal", json={"url": RECEIVER})
    await wa_sandbox.control.load_scenario(yaml="version: 1\n")
    assert (await targets(wa_sandbox, "meta"))["webhook_url"] is None
    assert (await targets(wa_sandbox, "smsglobal"))["notifyUrl"] is None


async def test_a_second_load_without_reset_still_keeps_the_run_time_target(wa_sandbox: RunningSandbox) -> None:
    await wa_sandbox.control.set_webhook(RECEIVER, verify=False)
    await wa_sandbox.control.load_scenario(yaml="version: 1\nname: one\n", reset=False)
    await wa_sandbox.control.load_scenario(yaml="version: 1\nname: two\n", reset=False)
    assert (await targets(wa_sandbox, "meta"))["webhook_url"] == RECEIVER


@pytest.mark.parametrize(("provider", "field"), [("meta", "webhook_url"), ("smsglobal", "notifyUrl"), ("modica", "dlr_url")])
async def test_resetting_one_provider_puts_its_target_back_to_the_scenarios(
    wa_sandbox: RunningSandbox, provider: str, field: str
) -> None:
    await wa_sandbox.control.request("PUT", f"/webhooks/targets/{provider}", json={"url": RECEIVER, "verify": False})
    await wa_sandbox.control.reset(provider)
    assert (await targets(wa_sandbox, provider))[field] is None
