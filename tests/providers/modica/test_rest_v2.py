"""REST v2 (/rest/sms/v2): 202 ``{id, status: "accepted", detail}``, GET ?id=, errors in ``{message, statusCode, error}``."""

from __future__ import annotations

import re
import uuid

import pytest
import yaml

from tests.providers.modica.conftest import ModicaClient

SEND = "/rest/sms/v2/messages"
MINIMAL = {"destination": "+64211234567", "content": "Your code is 123456"}
V2_TEXT = re.compile(r"^[-_ a-zA-Z0-9]+$")  # the provider OpenAPI's pattern for message and error


def assert_v2_error(reply, status: int, text: str) -> None:
    assert reply.status == status
    assert set(reply.body) == {"message", "statusCode", "error"}
    assert reply.body["statusCode"] == status
    assert V2_TEXT.match(reply.body["message"]) and V2_TEXT.match(reply.body["error"])
    assert text in reply.body["error"]


async def test_send_answers_202_accepted_with_a_uuid(modica: ModicaClient):
    reply = await modica.post(SEND, MINIMAL)
    assert reply.status == 202 and reply.body["status"] == "accepted"
    assert str(uuid.UUID(reply.body["id"])) == reply.body["id"]


async def test_send_202_carries_detail_with_the_destination(modica: ModicaClient):
    # Provider OpenAPI (api-evangelist/optus rest-v2, reference providers.md §C2): the 202 is
    # SingleMessageResponse = StatusCallback {id, status, detail}, detail example '+642712345678'.
    reply = await modica.post(SEND, MINIMAL)
    assert set(reply.body) == {"id", "status", "detail"}
    assert reply.body["detail"] == MINIMAL["destination"]


async def test_every_documented_field_is_accepted(modica: ModicaClient):
    body = {**MINIMAL, "source": "2541", "reference": "signup-42", "mask": "ACME", "sms_class": 1,
            "integration_id": "3fa85f64-5717-4562-b3fc-2c963f66afa6"}
    assert (await modica.post(SEND, body)).status == 202


async def test_get_returns_message_details_with_modica_status(modica: ModicaClient, wa_sandbox):
    message_id = (await modica.post(SEND, {**MINIMAL, "reference": "my-ref-1234"})).body["id"]
    reply = await modica.get(SEND, params={"id": message_id})
    assert reply.body == {"id": message_id, "source": "2541", "destination": "+64211234567", "direction": "MT",
                          "reference": "my-ref-1234", "content": "Your code is 123456", "status": "accepted"}
    await wa_sandbox.control.advance(1.5)
    assert (await modica.get(SEND, params={"id": message_id})).body["status"] == "received"


async def test_get_of_a_message_without_reference_omits_it(modica: ModicaClient):
    # Provider OpenAPI (api-evangelist/optus rest-v2) MessageDetails.reference: {type: string}, not
    # nullable (OpenAPI 3.0.3), so a message sent without one has no reference rather than null.
    message_id = (await modica.post(SEND, MINIMAL)).body["id"]
    reply = await modica.get(SEND, params={"id": message_id})
    assert reply.status == 200 and "reference" not in reply.body
    assert None not in reply.body.values()


async def test_get_of_an_mo_says_direction_mo(modica: ModicaClient, wa_sandbox):
    mo = await wa_sandbox.control.inject_inbound("+64211234567", provider="modica", content="STOP")
    reply = await modica.get(SEND, params={"id": mo["id"]})
    assert reply.body["direction"] == "MO" and reply.body["content"] == "STOP" and reply.body["status"] == "received"


async def test_get_without_id_is_missing_attrib(modica: ModicaClient):
    assert_v2_error(await modica.get(SEND), 400, "missing_attrib - Missing required id attribute")


async def test_get_with_a_non_uuid_is_invalid_attrib(modica: ModicaClient):
    assert_v2_error(await modica.get(SEND, params={"id": "12345"}), 400, "invalid_attrib")


async def test_get_of_an_unknown_uuid_is_404(modica: ModicaClient):
    reply = await modica.get(SEND, params={"id": "3fa85f64-5717-4562-b3fc-2c963f66afa6"})
    assert_v2_error(reply, 404, "No message matched the supplied id")


@pytest.mark.parametrize("body,text", [
    ({"content": "x"}, "missing_attrib - Missing required destination attribute"),
    ({"destination": "+64211234567"}, "missing_attrib - Missing required content attribute"),
    ({"destination": "64211234567", "content": "x"}, "invalid_attrib - Invalid destination attribute"),
    ({**MINIMAL, "integration_id": "not-a-uuid"}, "invalid_attrib - Invalid integration_id attribute"),
    ({**MINIMAL, "scheduled": "soon"}, "400 - Invalid scheduled timestamp"),
])
async def test_invalid_bodies_in_v2_shape(modica: ModicaClient, body, text):
    assert_v2_error(await modica.post(SEND, body), 400, text)


async def test_scheduled_in_the_past_is_422_in_v2_shape(modica: ModicaClient):
    assert_v2_error(await modica.post(SEND, {**MINIMAL, "scheduled": "2020-01-01T00:00:00Z"}), 422, "must not be in the past")


async def test_invalid_json_in_v2_shape(modica: ModicaClient):
    reply = await modica.post(SEND, data=b"{", headers={"Content-Type": "application/json"})
    assert_v2_error(reply, 400, "invalid_json")


async def test_unknown_v2_path_is_404_in_v2_shape(modica: ModicaClient):
    assert_v2_error(await modica.post("/rest/sms/v2/message", MINIMAL), 404, "Not Found")


async def test_openapi_document_is_served_without_auth(modica: ModicaClient):
    reply = await modica.get("/rest/sms/v2/openapi.yaml", auth=None)
    assert reply.status == 200 and reply.headers["Content-Type"].startswith("application/yaml")
    spec = yaml.safe_load(reply.body)
    assert set(spec["paths"]["/messages"]) == {"get", "post"}


async def test_get_does_not_serve_whatsapp_messages(modica: ModicaClient):
    body = {"to": "+64211234567", "type": "template", "template": {"name": "t", "language": {"code": "en"}}}
    message_id = (await modica.post("/rest/wab/v1/messages", body)).body[0]["id"]
    assert_v2_error(await modica.get(SEND, params={"id": message_id}), 404, "No message matched")
