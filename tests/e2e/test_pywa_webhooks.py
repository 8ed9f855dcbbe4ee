"""Status, inbound and scripted-reply webhooks, received and parsed by pywa's own webhook handling."""

from __future__ import annotations

import json

from pywa_async import types

from tests.conftest import send


async def test_statuses_arrive_in_lifecycle_order_and_pywa_parses_them(wa, wa_sandbox, pywa_receiver):
    sent = await wa.send_message(to="15550200001", text="hello")
    await wa_sandbox.control.advance(3)
    statuses = await pywa_receiver.wait(lambda u: isinstance(u, types.MessageStatus) and u.status == types.MessageStatusType.READ)
    seen = [u.status for u in pywa_receiver.of(types.MessageStatus) if u.id == sent.id]
    assert seen == [types.MessageStatusType.SENT, types.MessageStatusType.DELIVERED, types.MessageStatusType.READ]
    assert statuses[0].from_user.wa_id == "15550200001"
    assert pywa_receiver.rejected == []


async def test_failed_status_carries_error_code_pywa_understands(wa, wa_sandbox, pywa_receiver):
    sent = await wa.send_message(to="15550200003", text="will fail")
    await wa_sandbox.control.advance(1)
    failed = await pywa_receiver.wait(lambda u: isinstance(u, types.MessageStatus) and u.id == sent.id)
    assert failed[0].status == types.MessageStatusType.FAILED
    assert failed[0].error.code == 131026


async def test_status_echoes_biz_opaque_callback_data(wa, wa_sandbox, pywa_receiver):
    sent = await wa.send_message(to="15550200002", text="tracked", tracker="order-7")
    await wa_sandbox.control.advance(1)
    status = await pywa_receiver.wait(lambda u: isinstance(u, types.MessageStatus) and u.id == sent.id)
    assert status[0].tracker == "order-7"


async def test_injected_inbound_text_is_parsed_as_message(wa_sandbox, pywa_receiver):
    await wa_sandbox.control.inject_inbound("+15550209999", type="text", text="Does it come in blue?")
    msg = await pywa_receiver.wait(lambda u: isinstance(u, types.Message))
    assert msg[0].text == "Does it come in blue?"
    assert msg[0].from_user.wa_id == "15550209999"


async def test_scripted_user_replies_hi(wa, wa_sandbox, pywa_receiver):
    await wa.send_message(to="15550200009", text="Anyone there?")
    await wa_sandbox.control.advance(5)
    msg = await pywa_receiver.wait(lambda u: isinstance(u, types.Message))
    assert msg[0].text == "hi"


async def test_a_scripted_reply_sends_exactly_one_inbound_webhook(wa, wa_sandbox, pywa_receiver):
    await wa.send_message(to="15550200009", text="Anyone there?")
    await wa_sandbox.control.advance(5)
    await pywa_receiver.wait(lambda u: isinstance(u, types.Message))
    await wa_sandbox.control.advance(60)  # nothing else is scheduled: a duplicate would already be out
    assert len(await wa_sandbox.control.webhooks(event="message:")) == 1
    assert len(await wa_sandbox.control.messages(direction="inbound")) == 1


async def test_scripted_tap_on_first_reply_button(wa, wa_sandbox, pywa_receiver):
    sent = await wa.send_message(to="15550200010", text="Confirm?", buttons=[
        types.Button(title="Yes", callback_data="yes"), types.Button(title="No", callback_data="no")])
    await wa_sandbox.control.advance(5)
    tap = await pywa_receiver.wait(lambda u: isinstance(u, types.CallbackButton))
    assert tap[0].data == "yes" and tap[0].title == "Yes"
    assert tap[0].reply_to_message.id == sent.id


async def test_scripted_pick_of_first_list_row(wa, wa_sandbox, pywa_receiver):
    menu = types.SectionList(button_title="Options", sections=[
        types.Section(title="All", rows=[types.SectionRow(title="Express", callback_data="express", description="1 day"),
                                         types.SectionRow(title="Standard", callback_data="standard")])])
    await wa.send_message(to="15550200011", text="Shipping?", buttons=menu)
    await wa_sandbox.control.advance(5)
    pick = await pywa_receiver.wait(lambda u: isinstance(u, types.CallbackSelection))
    assert pick[0].data == "express" and pick[0].description == "1 day"


async def test_injected_button_reply_to_a_message(wa, wa_sandbox, pywa_receiver):
    sent = await wa.send_message(to="15550200001", text="Pick", buttons=[types.Button(title="A", callback_data="a")])
    await wa_sandbox.control.inject_inbound("+15550200001", type="interactive", context={"message_id": sent.id},
                                            interactive={"type": "button_reply", "button_reply": {"id": "a", "title": "A"}})
    tap = await pywa_receiver.wait(lambda u: isinstance(u, types.CallbackButton))
    assert tap[0].data == "a"


async def test_scripted_address_submission_gives_nfm_reply(wa_sandbox, pywa_receiver):
    status, body = await send(wa_sandbox, {
        "messaging_product": "whatsapp", "to": "+919876500012", "type": "interactive",
        "interactive": {"type": "address_message", "body": {"text": "Where to?"},
                        "action": {"name": "address_message", "parameters": {"country": "IN", "values": {"name": "Priya Sharma"}}}}})
    assert status == 200
    await wa_sandbox.control.advance(10)
    hooks = await wa_sandbox.control.wait_for_webhook(event="message:interactive")
    # pywa has no typed object for address replies; it still validates the signature and parses the update.
    assert pywa_receiver.rejected == []
    message = json.loads(hooks[0]["body"])["entry"][0]["changes"][0]["value"]["messages"][0]
    nfm = message["interactive"]["nfm_reply"]
    values = json.loads(nfm["response_json"])["values"]
    assert nfm["name"] == "address_message" and message["context"]["id"] == body["messages"][0]["id"]
    assert values["name"] == "Priya Sharma" and len(values["in_pin_code"]) == 6
    assert "sg_post_code" not in values


async def test_address_message_to_unsupported_client_fails_with_1026(wa_sandbox, pywa_receiver):
    status, body = await send(wa_sandbox, {
        "messaging_product": "whatsapp", "to": "+919876500013", "type": "interactive",
        "interactive": {"type": "address_message", "body": {"text": "Where to?"},
                        "action": {"name": "address_message", "parameters": {"country": "IN"}}}})
    await wa_sandbox.control.advance(1)
    failed = await pywa_receiver.wait(lambda u: isinstance(u, types.MessageStatus) and u.id == body["messages"][0]["id"])
    assert failed[0].status == types.MessageStatusType.FAILED and failed[0].error.code == 1026


async def test_pywa_dispatches_only_the_first_update_of_a_batched_post(wa, wa_sandbox, pywa_receiver):
    """What README "Batched webhooks" says of pywa 4.x (david-lev/pywa#229): the magic number's one POST
    carries sent and delivered; pywa's handler sees only the first. When pywa reads every update, this
    test fails and the README's note should go."""
    sent = await wa.send_message(to="15550200020", text="batched")
    await wa_sandbox.control.advance(1)
    (batch,) = await wa_sandbox.control.wait_for_webhook(message_id=sent.id, event="status:delivered")
    assert [u["event"] for u in batch["updates"]] == ["status:sent", "status:delivered"]
    await pywa_receiver.wait(lambda u: isinstance(u, types.MessageStatus) and u.id == sent.id)
    assert [u.status for u in pywa_receiver.of(types.MessageStatus) if u.id == sent.id] == [types.MessageStatusType.SENT]
