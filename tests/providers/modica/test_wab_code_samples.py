"""WhatsApp (WAB) as Modica's code-samples page shows it (issue 17 item 2; docs/modica.md): the 202 array
answers, `destination` beside `to`, broadcast, reading a message back, media upload with `source`."""

from __future__ import annotations

import re
import uuid

import pytest

from tests.providers.modica.conftest import ModicaClient

SEND = "/rest/wab/v1/messages"
BROADCAST = "/rest/wab/v1/messages/broadcast"
MEDIA = "/rest/wab/v1/media"
SOURCE = {"source": "6421555000"}
TEMPLATE = {"type": "template", "template": {"name": "order_update", "language": {"code": "en"}}}
# The code-samples page's send, verbatim but for a template (a text needs the 24-hour window).
PAGE_SEND = {"destination": "+64123456879", "source": "1234567890", **TEMPLATE}


def assert_wab_error(reply, status: int, text: str) -> None:
    assert reply.status == status, reply.body
    assert set(reply.body) == {"message", "statusCode", "error"} and reply.body["statusCode"] == status
    assert text in reply.body["error"]


async def test_send_with_destination_answers_202_with_an_array_of_one(modica: ModicaClient, wa_sandbox):
    reply = await modica.post(SEND, PAGE_SEND)
    assert reply.status == 202
    [item] = reply.body
    assert item == {"id": item["id"], "status": "accepted", "reference": ""} and str(uuid.UUID(item["id"])) == item["id"]
    stored = await wa_sandbox.control.message(item["id"])
    assert stored["user"] == "64123456879" and stored["meta"]["destination"] == "+64123456879"


async def test_send_echoes_its_reference_and_the_dlr_carries_it(modica: ModicaClient, wa_sandbox, callbacks):
    reply = await modica.post(SEND, {**PAGE_SEND, "reference": "order-17"})
    assert reply.body[0]["reference"] == "order-17"
    await wa_sandbox.control.advance(1)
    assert (await callbacks.wait_posts(1))[0].json["reference"] == "order-17"


async def test_destination_and_to_naming_two_numbers_is_refused(modica: ModicaClient):
    reply = await modica.post(SEND, {**PAGE_SEND, "to": "+64211234567"})
    assert_wab_error(reply, 400, "Invalid destination attribute")
    assert (await modica.post(SEND, {**PAGE_SEND, "to": PAGE_SEND["destination"]})).status == 202


async def test_broadcast_sends_one_message_per_destination(modica: ModicaClient, wa_sandbox):
    targets = ["+64123456789", "+64223456788"]
    reply = await modica.post(BROADCAST, {"destination": targets, "source": "1234567890", **TEMPLATE})
    assert reply.status == 202
    assert [item["destination"] for item in reply.body] == targets
    assert {item["status"] for item in reply.body} == {"accepted"}
    for item, target in zip(reply.body, targets, strict=True):
        assert (await wa_sandbox.control.message(item["id"]))["meta"]["destination"] == target


@pytest.mark.parametrize(("body", "text"), [
    ({"destination": ["+64123456789", "021 123"], **TEMPLATE}, "Invalid destination attribute"),
    ({"destination": "+64123456789", **TEMPLATE}, "must be an array"),
    ({"destination": [], **TEMPLATE}, "must be an array"),
    ({**TEMPLATE}, "Missing required destination attribute"),
    ({"destination": ["+64123456789"], "type": "text", "text": {}}, "text.body"),
])
async def test_a_bad_broadcast_is_refused_whole(modica: ModicaClient, wa_sandbox, body, text):
    assert_wab_error(await modica.post(BROADCAST, body), 400, text)
    assert await wa_sandbox.control.messages(provider="modica") == []


async def test_a_single_send_with_a_list_points_to_broadcast(modica: ModicaClient):
    assert_wab_error(await modica.post(SEND, {**PAGE_SEND, "destination": ["+64123456789"]}), 400, "broadcast")


async def test_a_sent_message_reads_back_with_its_status(modica: ModicaClient, wa_sandbox):
    message_id = (await modica.post(SEND, {**PAGE_SEND, "reference": "r-1"})).body[0]["id"]
    await wa_sandbox.control.advance(1.5)
    reply = await modica.get(SEND, params={"id": message_id})
    assert reply.status == 200
    assert reply.body == {"id": message_id, "source": "1234567890", "destination": "+64123456879", "direction": "MT",
                          "reference": "r-1", "type": "template", "content": TEMPLATE, "status": "received"}


async def test_a_users_message_reads_back_as_mo(modica: ModicaClient, wa_sandbox):
    mo = await wa_sandbox.control.inject_inbound("+64211234567", provider="modica", type="text", text="hi")
    body = (await modica.get(SEND, params={"id": mo["id"]})).body
    assert (body["direction"], body["source"], body["status"]) == ("MO", "+64211234567", "received")
    assert body["content"]["text"] == {"body": "hi"}


@pytest.mark.parametrize(("params", "status", "text"), [
    ({}, 400, "Missing required id attribute"),
    ({"id": "nope"}, 400, "is not a UUID"),
    ({"id": str(uuid.UUID(int=7))}, 404, "No message matched"),
])
async def test_reading_back_a_bad_id_is_a_wab_error(modica: ModicaClient, params, status, text):
    assert_wab_error(await modica.get(SEND, params=params), status, text)


async def test_an_sms_does_not_read_back_as_whatsapp(modica: ModicaClient):
    sms_id = (await modica.post("/rest/sms/v2/messages", {"destination": "+64211234567", "content": "x"})).body["id"]
    assert_wab_error(await modica.get(SEND, params={"id": sms_id}), 404, "No message matched")


async def test_media_upload_answers_an_array_with_an_alphanumeric_id(modica: ModicaClient):
    reply = await modica.post(MEDIA, data=b"\x89PNG", headers={"Content-Type": "image/png"}, params=SOURCE)
    assert reply.status == 200
    [item] = reply.body
    assert set(item) == {"id"} and re.fullmatch(r"[a-zA-Z0-9]+", item["id"])
    assert (await modica.get(MEDIA, params={"media_id": item["id"], **SOURCE})).body == b"\x89PNG"


async def test_users_media_ids_match_the_media_id_pattern(modica: ModicaClient, wa_sandbox):
    mo = await wa_sandbox.control.inject_inbound("+64211234567", provider="modica", type="image",
                                                 image={"data": "/9j/"})
    assert re.fullmatch(r"[a-zA-Z0-9]+", mo["payload"]["image"]["id"])


@pytest.mark.parametrize(("params", "code"), [({}, "required"), ({"source": "0642"}, "invalid"),
                                              ({"source": "64-21"}, "invalid"), ({"source": "1" * 31}, "invalid")])
async def test_media_upload_without_a_valid_source_is_422(modica: ModicaClient, params, code):
    reply = await modica.post(MEDIA, data=b"\x89PNG", headers={"Content-Type": "image/png"}, params=params)
    assert reply.status == 422
    [error] = reply.body["errors"]
    assert (error["field"], error["code"]) == ("source", code) and "source" in error["description"]


@pytest.mark.parametrize(("location", "field"), [
    ({"latitude": 200, "longitude": 0}, "location.latitude"),
    ({"latitude": -90.5, "longitude": 0}, "location.latitude"),
    ({"latitude": 0, "longitude": 180.01}, "location.longitude"),
])
async def test_coordinates_out_of_range_are_refused(modica: ModicaClient, location, field):
    body = {"destination": "+64211234567", "type": "location", "location": location}
    assert_wab_error(await modica.post(SEND, body), 400, f"Invalid {field} attribute")
