"""REST v1 (/rest/gateway): sends, broadcast, GET, and every error in ``{"error", "error-desc"}``."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.providers.modica.conftest import ModicaClient, basic

SEND = "/rest/gateway/messages"
BROADCAST = "/rest/gateway/messages/broadcast"
MINIMAL = {"destination": "+64211234567", "content": "Hello from the sandbox"}
# go-modica's CreateMessage test body (reference C1 sources), verbatim.
GO_MODICA = {
    "destination": "+642123456789",
    "content": "Hi, this is a test message to ensure you are texting correctly",
    "source": "TEST",
    "scheduled": "2017-05-05T10:00:00+12:00",
    "reference": "alt-reference",
    "class": "mt_message",
    "sms_class": 2,
}


def assert_v1_error(reply, status: int, code: str, text: str) -> None:
    assert reply.status == status
    assert set(reply.body) == {"error", "error-desc"}
    assert reply.body["error"] == code and text in reply.body["error-desc"]


async def test_send_answers_201_with_one_int64_id(modica: ModicaClient):
    reply = await modica.post(SEND, MINIMAL)
    assert reply.status == 201
    assert isinstance(reply.body, list) and len(reply.body) == 1 and isinstance(reply.body[0], int)


async def test_go_modica_body_is_accepted_when_its_schedule_is_ahead(modica: ModicaClient, wa_sandbox):
    await wa_sandbox.control.set_clock(now=datetime.fromisoformat("2017-05-05T09:00:00+12:00").timestamp())
    body = {k: v for k, v in GO_MODICA.items() if k != "class"}  # the doc: source is used *instead of* class
    reply = await modica.post(SEND, body)
    assert reply.status == 201


async def test_reference_body_fields_are_all_accepted(modica: ModicaClient):
    body = {**MINIMAL, "reference": "order-17", "class": "mt_message", "mask": "ACME", "sms_class": 1}
    assert (await modica.post(SEND, body)).status == 201


async def test_scheduled_message_stays_accepted_until_its_time(modica: ModicaClient, wa_sandbox):
    now = (await wa_sandbox.control.clock())["now"]
    scheduled = datetime.fromtimestamp(now + 3600).astimezone().isoformat()
    reply = await modica.post(SEND, {**MINIMAL, "scheduled": scheduled})
    message_id = str(reply.body[0])
    await wa_sandbox.control.advance(60)
    assert (await wa_sandbox.control.message(message_id))["status"] == "accepted"
    await wa_sandbox.control.advance(3600)
    assert (await wa_sandbox.control.message(message_id))["status"] != "accepted"


async def test_get_returns_the_message(modica: ModicaClient):
    message_id = (await modica.post(SEND, {**MINIMAL, "reference": "r-1", "source": "2541"})).body[0]
    reply = await modica.get(f"{SEND}/{message_id}")
    assert reply.status == 200
    assert reply.body == {"id": message_id, "destination": "+64211234567", "source": "2541",
                          "content": "Hello from the sandbox", "reference": "r-1"}


async def test_get_unknown_id_is_404(modica: ModicaClient):
    assert_v1_error(await modica.get(f"{SEND}/123456789"), 404, "404", "no message with id 123456789")


async def test_get_of_another_applications_message_is_404(modica: ModicaClient, wa_sandbox):
    yaml = """
version: 1
modica:
  applications:
    - {name: one, password: p1}
    - {name: two, password: p2}
"""
    await wa_sandbox.control.load_scenario(yaml=yaml)
    message_id = (await modica.post(SEND, MINIMAL, auth=basic("one", "p1"))).body[0]
    reply = await modica.get(f"{SEND}/{message_id}", auth=basic("two", "p2"))
    assert_v1_error(reply, 404, "404", "for application 'two'")


async def test_broadcast_answers_one_result_per_destination(modica: ModicaClient):
    body = {"destination": ["+64211234567", "+64219876543"], "content": "Sale today"}
    reply = await modica.post(BROADCAST, body)
    assert reply.status == 201
    assert [r["destination"] for r in reply.body] == body["destination"]
    assert all(isinstance(r["id"], int) and r["status"] == "success" for r in reply.body)


async def test_broadcast_reports_a_bad_destination_in_its_own_entry(modica: ModicaClient):
    reply = await modica.post(BROADCAST, {"destination": ["+64211234567", "021 123"], "content": "x"})
    assert reply.status == 201
    assert reply.body[1] == {"destination": "021 123", "status": "invalid_attrib", "message": reply.body[1]["message"]}
    assert "international format" in reply.body[1]["message"]


async def test_broadcast_of_1000_is_accepted(modica: ModicaClient, wa_sandbox):
    numbers = [f"+6421{n:06d}" for n in range(1000)]
    reply = await modica.post(BROADCAST, {"destination": numbers, "content": "x"})
    assert reply.status == 201 and len(reply.body) == 1000


async def test_broadcast_over_1000_is_broadcast_limit(modica: ModicaClient):
    numbers = [f"+6421{n:06d}" for n in range(1001)]
    reply = await modica.post(BROADCAST, {"destination": numbers, "content": "x"})
    assert_v1_error(reply, 400, "broadcast_limit", "1001 destinations, the limit is 1000")


@pytest.mark.parametrize("body,code,text", [
    ({"content": "x"}, "missing_attrib", "Missing required destination attribute"),
    ({"destination": "+64211234567"}, "missing_attrib", "Missing required content attribute"),
    ({"destination": "+64211234567", "content": ""}, "missing_attrib", "Missing required content attribute"),
    ({"destination": "0211234567", "content": "x"}, "invalid_attrib", "international format"),
    ({"destination": 64211234567, "content": "x"}, "invalid_attrib", "international format"),
    ({"destination": ["+64211234567"], "content": "x"}, "invalid_attrib", "broadcast"),
    ({**MINIMAL, "content": 5}, "invalid_attrib", "content attribute: must be a string"),
    ({**MINIMAL, "source": "2541", "class": "mt_message"}, "invalid_attrib", "either source or class"),
    ({**MINIMAL, "mask": "M" * 21}, "invalid_attrib", "longer than 20"),
    ({**MINIMAL, "sms_class": 4}, "invalid_attrib", "sms_class"),
    ({**MINIMAL, "reference": 12}, "invalid_attrib", "reference attribute: must be a string"),
    ({**MINIMAL, "content": "x" * 5001}, "invalid_attrib", "limit is 5000"),
])
async def test_invalid_bodies_name_the_attribute(modica: ModicaClient, body, code, text):
    assert_v1_error(await modica.post(SEND, body), 400, code, text)


async def test_scheduled_not_rfc3339_is_400(modica: ModicaClient):
    reply = await modica.post(SEND, {**MINIMAL, "scheduled": "tomorrow at noon"})
    assert_v1_error(reply, 400, "400", "must be RFC3339")


async def test_scheduled_without_offset_is_400(modica: ModicaClient):
    assert_v1_error(await modica.post(SEND, {**MINIMAL, "scheduled": "2030-01-01T10:00:00"}), 400, "400", "RFC3339")


async def test_scheduled_in_the_past_is_422(modica: ModicaClient):
    reply = await modica.post(SEND, {**MINIMAL, "scheduled": "2017-05-05T10:00:00+12:00"})
    assert_v1_error(reply, 422, "422", "must not be in the past")


async def test_scheduled_beyond_60_days_is_invalid_attrib(modica: ModicaClient, wa_sandbox):
    now = (await wa_sandbox.control.clock())["now"]
    later = datetime.fromtimestamp(now + 61 * 86400).astimezone().isoformat()
    assert_v1_error(await modica.post(SEND, {**MINIMAL, "scheduled": later}), 400, "invalid_attrib", "60 days")


@pytest.mark.parametrize("raw", [b"", b"{not json", b"\xff\xfe"])
async def test_unparseable_body_is_invalid_json(modica: ModicaClient, raw):
    reply = await modica.post(SEND, data=raw, headers={"Content-Type": "application/json"})
    assert_v1_error(reply, 400, "invalid_json", "")


async def test_json_array_body_is_invalid_json(modica: ModicaClient):
    assert_v1_error(await modica.post(SEND, [MINIMAL]), 400, "invalid_json", "must be a JSON object")


async def test_posting_to_the_base_path_is_404_in_v1_shape(modica: ModicaClient):
    assert_v1_error(await modica.post("/rest/gateway", MINIMAL), 404, "404", "post to /rest/gateway/messages")


async def test_unsupported_method_is_405_in_v1_shape(modica: ModicaClient):
    assert_v1_error(await modica.request("DELETE", f"{SEND}/1"), 405, "405", "only GET and POST")


async def test_scenario_reject_rule_answers_send_failed(modica: ModicaClient, wa_sandbox):
    yaml = """
version: 1
rules:
  - name: unroutable
    match: {provider: modica, to: "+64210000000"}
    reject: {code: send_failed, details: "No route to the mobile network"}
"""
    await wa_sandbox.control.load_scenario(yaml=yaml)
    reply = await modica.post(SEND, {"destination": "+64210000000", "content": "x"})
    assert_v1_error(reply, 400, "send_failed", "No route to the mobile network")
