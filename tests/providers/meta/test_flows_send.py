"""Sending a Flow, and completing it as the user.

Sources: meta-cloud-api.md §1.3 (interactive flow: flow_id xor flow_name, ``mode`` "draft" to test a
draft) and §3.6 (the completion: interactive ``nfm_reply`` named "flow", body "Sent", ``response_json``
with the flow_token, plus ``context``); Meta's Flows error-codes page (Cloud API 132068 "Flow is
blocked", 132069 "Flow is throttled": 10 messages an hour); pywa's FlowStatus (a DRAFT is sent only
with draft mode; a DEPRECATED Flow can no longer be sent).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from pywa_async import handlers, types
from pywa_async.errors import FlowBlocked, FlowThrottled, WhatsAppError
from pywa_async.types.flows import FlowActionType, FlowStatus

from tests.conftest import PHONE_ID, WABA_ID, send
from tests.e2e.conftest import pywa_receiver  # noqa: F401  (fixture)
from tests.providers.meta.test_flows import FLOW_JSON, published

USER = "15550200001"


def flow_button(flow_id: str | None = None, *, name: str | None = None, draft: bool = False) -> types.FlowButton:
    return types.FlowButton(title="Open", flow_id=flow_id, flow_name=name, flow_token="order-7",
                            flow_action_type=FlowActionType.NAVIGATE, flow_action_screen="WELCOME",
                            mode=FlowStatus.DRAFT if draft else FlowStatus.PUBLISHED)


async def send_flow(wa: Any, button: types.FlowButton) -> Any:
    return await wa.send_message(to=USER, text="Tell us how we did", buttons=button)


def flow_message(params: dict[str, Any]) -> dict[str, Any]:
    return {"messaging_product": "whatsapp", "to": USER, "type": "interactive", "interactive": {
        "type": "flow", "body": {"text": "Tell us"},
        "action": {"name": "flow", "parameters": {"flow_message_version": "3", "flow_cta": "Open", **params}}}}


async def test_a_published_flow_is_sent_by_id(wa):
    flow_id = await published(wa)
    assert (await send_flow(wa, flow_button(flow_id))).id.startswith("wamid.")


async def test_a_published_flow_is_sent_by_name(wa):
    await published(wa, "survey")
    assert (await send_flow(wa, flow_button(name="survey"))).id.startswith("wamid.")


async def test_a_draft_flow_without_draft_mode_is_refused(wa):
    created = await wa.create_flow(name="wip", categories=["OTHER"], flow_json=FLOW_JSON)
    with pytest.raises(WhatsAppError) as err:
        await send_flow(wa, flow_button(created.id))
    assert err.value.code == 131009 and "mode" in err.value.details


async def test_a_draft_flow_is_sent_in_draft_mode(wa):
    created = await wa.create_flow(name="wip", categories=["OTHER"], flow_json=FLOW_JSON)
    assert (await send_flow(wa, flow_button(created.id, draft=True))).id.startswith("wamid.")


async def test_a_deprecated_flow_can_no_longer_be_sent(wa):
    flow_id = await published(wa)
    await wa.deprecate_flow(flow_id)
    with pytest.raises(WhatsAppError) as err:
        await send_flow(wa, flow_button(flow_id))
    assert err.value.code == 131009 and "DEPRECATED" in err.value.details


async def test_a_flow_the_sandbox_does_not_know_is_still_accepted(wa_sandbox):
    status, _ = await send(wa_sandbox, flow_message({"flow_id": "1234567890123456", "flow_token": "t"}))
    assert status == 200


async def test_a_flow_the_scenario_marks_blocked_reads_blocked_and_is_132068(wa, wa_sandbox):
    await wa_sandbox.control.load_scenario(reset=False, yaml=f"""
version: 1
meta:
  businesses:
    - {{phone_number_id: "{PHONE_ID}", waba_id: "{WABA_ID}", display_phone_number: "+1 555-010-0001", access_token: sandbox-token}}
  flow_health: {{survey: BLOCKED}}
""")
    flow_id = await published(wa, "survey")
    assert (await wa.get_flow(flow_id)).status == FlowStatus.BLOCKED
    with pytest.raises(FlowBlocked) as err:
        await send_flow(wa, flow_button(flow_id))
    assert err.value.code == 132068


async def test_a_throttled_flow_sends_ten_an_hour(wa, wa_sandbox):
    flow_id = await published(wa)
    wa_sandbox.runtime.meta_platform.flow_health.health = {flow_id: "THROTTLED"}
    for _ in range(10):
        await send_flow(wa, flow_button(flow_id))
    with pytest.raises(FlowThrottled):
        await send_flow(wa, flow_button(flow_id))
    await wa_sandbox.control.advance(3600)
    assert (await send_flow(wa, flow_button(flow_id))).id


async def test_a_template_whose_flow_button_names_a_deprecated_flow_is_refused(wa, wa_sandbox):
    flow_id = await published(wa, "survey")
    template = {"name": "feedback", "language": "en_US", "category": "UTILITY", "components": [
        {"type": "BODY", "text": "How did we do?"},
        {"type": "BUTTONS", "buttons": [{"type": "FLOW", "text": "Rate us", "flow_id": flow_id, "navigate_screen": "WELCOME",
                                         "flow_action": "navigate"}]}]}
    wa_sandbox.runtime.meta_platform.templates.load([template], [WABA_ID])
    body = {"messaging_product": "whatsapp", "to": USER, "type": "template",
            "template": {"name": "feedback", "language": {"code": "en_US"}}}
    assert (await send(wa_sandbox, body))[0] == 200
    await wa.deprecate_flow(flow_id)
    status, refused = await send(wa_sandbox, body)
    assert status == 400 and refused["error"]["code"] == 131009


async def test_the_user_completes_a_sent_flow_through_the_control_api(wa, wa_sandbox, pywa_receiver):  # noqa: F811
    pywa_receiver.wa.add_handlers(handlers.FlowCompletionHandler(pywa_receiver._record))
    sent = await send_flow(wa, flow_button(await published(wa)))
    response = {"flow_token": "order-7", "rating": "5"}
    await wa_sandbox.control.inject_inbound(f"+{USER}", type="interactive", context={"message_id": sent.id}, interactive={
        "type": "nfm_reply", "nfm_reply": {"name": "flow", "body": "Sent", "response_json": json.dumps(response)}})
    done = await pywa_receiver.wait(lambda u: isinstance(u, types.FlowCompletion))
    assert (done[0].token, done[0].response["rating"]) == ("order-7", "5")
    assert done[0].reply_to_message.id == sent.id


SCRIPTED = f"""
version: 1
meta:
  businesses:
    - {{phone_number_id: "{PHONE_ID}", waba_id: "{WABA_ID}", display_phone_number: "+1 555-010-0001", access_token: sandbox-token}}
rules:
  - name: completes-the-flow
    match: {{to: "+{USER}"}}
    window: open
    user: [{{after: 5, submit_flow: {{rating: "4"}}}}]
"""


async def test_a_scenario_scripts_the_user_completing_the_flow(wa, wa_sandbox, pywa_receiver):  # noqa: F811
    pywa_receiver.wa.add_handlers(handlers.FlowCompletionHandler(pywa_receiver._record))
    await wa_sandbox.control.load_scenario(yaml=SCRIPTED, reset=False)
    sent = await send_flow(wa, flow_button(await published(wa)))
    await wa_sandbox.control.advance(5)
    done = await pywa_receiver.wait(lambda u: isinstance(u, types.FlowCompletion))
    assert (done[0].token, done[0].response, done[0].body) == ("order-7", {"rating": "4"}, "Sent")
    assert done[0].reply_to_message.id == sent.id


async def test_submit_flow_does_not_apply_to_a_text_message(wa, wa_sandbox):
    await wa_sandbox.control.load_scenario(yaml=SCRIPTED, reset=False)
    sent = await wa.send_message(to=USER, text="no flow here")
    await wa_sandbox.control.advance(5)
    assert await wa_sandbox.control.messages(direction="inbound") == []
    assert "submit_flow" in " ".join((await wa_sandbox.control.message(sent.id))["meta"]["notes"])
