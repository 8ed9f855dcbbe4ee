"""SMSGlobal SMS endpoints: send, list, get, delete, credit balance, opt-outs (reference §A4)."""

from __future__ import annotations

import pytest

from sandbox.testing.plugin import RunningSandbox

from .conftest import SmsglobalClient

DEST = "61400000123"


async def test_send_answers_messages_with_numeric_ids_and_processing_status(sg: SmsglobalClient) -> None:
    reply = await sg.send(origin="Sandbox", destination=DEST, message="Hello")
    assert reply.status == 200
    [item] = reply.json["messages"]
    assert isinstance(item["id"], int) and isinstance(item["outgoing_id"], int)
    assert item["origin"] == "Sandbox"
    assert item["destination"] == DEST
    assert item["message"] == "Hello"
    assert item["status"] == "Processing"
    assert item["dateTime"].endswith(" +0000")


async def test_send_without_origin_uses_account_default_origin(sg: SmsglobalClient) -> None:
    reply = await sg.send(destination=DEST, message="Hello", origin=None)
    assert reply.json["messages"][0]["origin"] == "SMSGlobal"


async def test_send_to_destinations_creates_one_message_each(sg: SmsglobalClient) -> None:
    reply = await sg.send(destinations=["61400000001", "+61400000002"], message="Hi all")
    assert [m["destination"] for m in reply.json["messages"]] == ["61400000001", "61400000002"]


async def test_send_messages_array_sends_each_object(sg: SmsglobalClient) -> None:
    reply = await sg.send(messages=[{"destination": "61400000001", "message": "a"}, {"destination": "61400000002", "message": "b"}])
    assert [m["message"] for m in reply.json["messages"]] == ["a", "b"]


async def test_send_goes_through_messaging_journal(sg: SmsglobalClient, wa_sandbox: RunningSandbox) -> None:
    reply = await sg.send(destination=DEST, message="Hello")
    stored = await wa_sandbox.control.message(str(reply.json["messages"][0]["id"]))
    assert stored["provider"] == "smsglobal" and stored["channel"] == "sms"


@pytest.mark.parametrize(
    ("body", "field", "text"),
    [
        ({"message": "Hi"}, "destination", "Destination is required."),
        ({"destination": "12", "message": "Hi"}, "destination", "is invalid"),
        ({"destination": DEST}, "message", "Message is required"),
        ({"destination": DEST, "message": "Hi", "origin": "ThisIsTooLongForASender"}, "origin", "Origin is invalid."),
        ({"destination": DEST, "message": "Hi", "colour": "red"}, "colour", "extra fields"),
        ({"destination": DEST, "message": "Hi", "scheduledDateTime": "tomorrow"}, "scheduledDateTime", "yyyy-MM-dd"),
        ({"destination": DEST, "message": "Hi", "notifyUrl": "ftp://x"}, "notifyUrl", "http or https"),
    ],
)
async def test_send_validation_error_uses_errors_shape(sg: SmsglobalClient, body: dict, field: str, text: str) -> None:
    reply = await sg.send(**body)
    assert reply.status == 400
    [message] = reply.json["errors"][field]["errors"]
    assert text in message


async def test_send_charges_balance_per_part_per_destination(sg: SmsglobalClient) -> None:
    long_text = "x" * 161  # GSM-7: two parts
    await sg.send(destinations=["61400000001", "61400000002"], message=long_text)
    reply = await sg.call("GET", "/v2/user/credit-balance")
    assert reply.json == {"balance": 1000 - 4 * 0.05, "currency": "AUD"}


async def test_send_ucs2_text_counts_70_character_parts(sg: SmsglobalClient, wa_sandbox: RunningSandbox) -> None:
    reply = await sg.send(destination=DEST, message="é" * 10 + "😀" * 31)  # UCS-2: 72 units -> 2 parts
    stored = await wa_sandbox.control.message(str(reply.json["messages"][0]["id"]))
    assert stored["meta"]["parts"] == 2 and stored["meta"]["encoding"] == "UCS-2"


async def test_send_beyond_balance_answers_402_and_sends_nothing(
    sg: SmsglobalClient, wa_sandbox: RunningSandbox
) -> None:
    wa_sandbox.runtime.smsglobal.config.default_account().balance = 0.05
    reply = await sg.send(destinations=["61400000001", "61400000002"], message="Hi")
    assert reply.status == 402
    assert reply.json["code"] == 402
    assert "Insufficient credit balance" in reply.json["message"]
    assert (await sg.call("GET", "/v2/sms")).json["total"] == 0


async def test_get_sms_by_id_and_by_outgoing_id(sg: SmsglobalClient) -> None:
    item = (await sg.send(destination=DEST, message="Hello")).json["messages"][0]
    by_id = await sg.call("GET", f"/v2/sms/{item['id']}")
    by_outgoing = await sg.call("GET", f"/v2/sms/{item['outgoing_id']}")
    assert by_id.json["id"] == by_outgoing.json["id"] == item["id"]


async def test_get_unknown_sms_answers_404(sg: SmsglobalClient) -> None:
    reply = await sg.call("GET", "/v2/sms/123")
    assert reply.status == 404
    assert reply.json == {"code": 404, "message": "No outgoing SMS with id 123"}


async def test_delete_sms_answers_204_then_404(sg: SmsglobalClient) -> None:
    item = (await sg.send(destination=DEST, message="Hello")).json["messages"][0]
    deleted = await sg.call("DELETE", f"/v2/sms/{item['id']}")
    assert deleted.status == 204 and deleted.text == ""
    assert (await sg.call("GET", f"/v2/sms/{item['id']}")).status == 404


async def test_trailing_slash_forms_route(sg: SmsglobalClient) -> None:
    sent = await sg.call("POST", "/v2/sms/", json_body={"destination": DEST, "message": "Hi"})
    listed = await sg.call("GET", "/v2/sms/")
    assert sent.status == 200 and listed.json["total"] == 1


async def test_status_moves_on_timeline_and_read_is_ignored(sg: SmsglobalClient, wa_sandbox: RunningSandbox) -> None:
    item = (await sg.send(destination=DEST, message="Hello")).json["messages"][0]
    await wa_sandbox.control.advance(0.5)
    assert (await sg.call("GET", f"/v2/sms/{item['id']}")).json["status"] == "sent"
    await wa_sandbox.control.advance(5)
    assert (await sg.call("GET", f"/v2/sms/{item['id']}")).json["status"] == "delivered"


async def test_scheduled_message_is_scheduled_until_its_time(sg: SmsglobalClient, wa_sandbox: RunningSandbox) -> None:
    now = wa_sandbox.runtime.clock.now()
    from datetime import UTC, datetime

    at = datetime.fromtimestamp(now + 3600, UTC).strftime("%Y-%m-%d %H:%M:%S")
    item = (await sg.send(destination=DEST, message="Later", scheduledDateTime=at)).json["messages"][0]
    assert item["status"] == "Scheduled"
    await wa_sandbox.control.advance(3000)
    assert (await sg.call("GET", f"/v2/sms/{item['id']}")).json["status"] == "Scheduled"
    await wa_sandbox.control.advance(700)
    assert (await sg.call("GET", f"/v2/sms/{item['id']}")).json["status"] == "delivered"


async def test_message_expires_when_not_delivered_before_expiry(sg: SmsglobalClient, wa_sandbox: RunningSandbox) -> None:
    from datetime import UTC, datetime

    expiry = datetime.fromtimestamp(wa_sandbox.runtime.clock.now() + 10, UTC).strftime("%Y-%m-%d %H:%M:%S")
    # +15550200008 is the default scenario's slow network: delivered after 30 s.
    item = (await sg.send(destination="15550200008", message="Hi", expiryDateTime=expiry)).json["messages"][0]
    await wa_sandbox.control.advance(60)
    assert (await sg.call("GET", f"/v2/sms/{item['id']}")).json["status"] == "expired"


async def test_send_to_opted_out_number_is_undelivered(sg: SmsglobalClient, wa_sandbox: RunningSandbox) -> None:
    item = (await sg.send(destination="61400000099", message="Hi")).json["messages"][0]
    await wa_sandbox.control.advance(1)
    assert (await sg.call("GET", f"/v2/sms/{item['id']}")).json["status"] == "undelivered"


# --- list ----------------------------------------------------------------------------------------


async def _send_many(sg: SmsglobalClient, count: int) -> None:
    await sg.send(messages=[{"destination": f"6140000{i:04d}", "message": f"m{i}"} for i in range(count)])


async def test_list_defaults_to_offset_1_limit_20_newest_first(sg: SmsglobalClient) -> None:
    await _send_many(sg, 25)
    reply = await sg.call("GET", "/v2/sms")
    assert (reply.json["total"], reply.json["offset"], reply.json["limit"]) == (25, 1, 20)
    assert len(reply.json["messages"]) == 20
    assert reply.json["messages"][0]["message"] == "m24"


async def test_list_offset_is_one_based(sg: SmsglobalClient) -> None:
    await _send_many(sg, 5)
    reply = await sg.call("GET", "/v2/sms", params={"offset": 5, "limit": 2})
    assert [m["message"] for m in reply.json["messages"]] == ["m0"]


async def test_list_offset_past_end_is_empty_page(sg: SmsglobalClient) -> None:
    await _send_many(sg, 2)
    reply = await sg.call("GET", "/v2/sms", params={"offset": 3})
    assert reply.status == 200 and reply.json["messages"] == [] and reply.json["total"] == 2


@pytest.mark.parametrize(
    ("params", "field", "text"),
    [
        ({"offset": 0}, "offset", "at least 1"),
        ({"limit": 1001}, "limit", "between 1 and 1000"),
        ({"limit": 0}, "limit", "between 1 and 1000"),
        ({"offset": "x"}, "offset", "whole number"),
        ({"offset": 9001, "limit": 1000}, "offset", "must not exceed 10000"),
        ({"startDate": "2020-01-01"}, "startDate", "Y-m-d H:i:s"),
    ],
)
async def test_list_rejects_bad_pagination(sg: SmsglobalClient, params: dict, field: str, text: str) -> None:
    reply = await sg.call("GET", "/v2/sms", params=params)
    assert reply.status == 400
    assert text in reply.json["errors"][field]["errors"][0]


async def test_list_accepts_offset_plus_limit_of_exactly_10000(sg: SmsglobalClient) -> None:
    reply = await sg.call("GET", "/v2/sms", params={"offset": 9000, "limit": 1000})
    assert reply.status == 200


async def test_list_filters_by_destination_status_and_search(sg: SmsglobalClient, wa_sandbox: RunningSandbox) -> None:
    await sg.send(destination="61400000001", message="apple pie")
    await sg.send(destination="61400000002", message="banana")
    await wa_sandbox.control.advance(5)
    assert (await sg.call("GET", "/v2/sms", params={"destination": "61400000002"})).json["total"] == 1
    assert (await sg.call("GET", "/v2/sms", params={"search": "APPLE"})).json["messages"][0]["destination"] == "61400000001"
    assert (await sg.call("GET", "/v2/sms", params={"status": "delivered"})).json["total"] == 2
    assert (await sg.call("GET", "/v2/sms", params={"status": "undelivered"})).json["total"] == 0


async def test_list_filters_by_date_range_in_account_time(sg: SmsglobalClient, wa_sandbox: RunningSandbox) -> None:
    from datetime import UTC, datetime

    await sg.send(destination=DEST, message="old")
    await wa_sandbox.control.advance(3600)
    await sg.send(destination=DEST, message="new")
    start = datetime.fromtimestamp(wa_sandbox.runtime.clock.now() - 60, UTC).strftime("%Y-%m-%d %H:%M:%S")
    reply = await sg.call("GET", "/v2/sms", params={"startDate": start})
    assert [m["message"] for m in reply.json["messages"]] == ["new"]


# --- opt-outs ------------------------------------------------------------------------------------


async def test_opt_out_lifecycle(sg: SmsglobalClient) -> None:
    added = await sg.call("POST", "/v2/opt-outs", json_body={"optouts": [{"number": "61400000050"}, {"number": "x"}]})
    assert added.json["optouts"] == [{"number": "61400000050", "status": "valid"}, {"number": "x", "status": "invalid"}]
    listed = await sg.call("GET", "/v2/opt-outs")
    assert {o["number"] for o in listed.json["optouts"]} == {"61400000050", "61400000099"}
    validated = await sg.call("POST", "/v2/opt-outs/validate", json_body={"optouts": [{"number": "61400000050"}]})
    assert validated.json["optouts"][0]["status"] == "exist"
    assert (await sg.call("DELETE", "/v2/opt-outs/61400000050")).status == 204
    assert (await sg.call("DELETE", "/v2/opt-outs/61400000050")).status == 404


async def test_opt_out_without_numbers_is_400(sg: SmsglobalClient) -> None:
    reply = await sg.call("POST", "/v2/opt-outs", json_body={})
    assert reply.status == 400 and "optouts" in reply.json["errors"]


async def test_reset_restores_balance(sg: SmsglobalClient, wa_sandbox: RunningSandbox) -> None:
    await sg.send(destination=DEST, message="Hi")
    await wa_sandbox.control.reset("smsglobal")
    assert (await sg.call("GET", "/v2/user/credit-balance")).json["balance"] == 1000
