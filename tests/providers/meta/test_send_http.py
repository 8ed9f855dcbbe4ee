"""HTTP-level behaviour of POST /{version}/{phone_number_id}/messages: auth, routing, bodies, response shape."""

from __future__ import annotations

import json

import pytest

from tests.conftest import AUTH, PHONE_ID, send

TEXT = {"messaging_product": "whatsapp", "to": "15550200001", "type": "text", "text": {"body": "hi"}}


def assert_graph_error(body: dict, code: int) -> dict:
    error = body["error"]
    assert error["code"] == code and isinstance(error["message"], str) and error["fbtrace_id"]
    return error


async def test_response_has_exactly_metas_keys(wa_sandbox):
    status, body = await send(wa_sandbox, {**TEXT, "to": "+1 (555) 020-0001"})
    assert status == 200
    assert set(body) == {"messaging_product", "contacts", "messages"}
    assert body["contacts"] == [{"input": "+1 (555) 020-0001", "wa_id": "15550200001", "user_id": "US.10000000000000000001"}]
    assert set(body["messages"][0]) == {"id"}


async def test_success_is_compact_json_with_a_fresh_trace_id_header_repeatable_after_reset(wa_sandbox):
    url = f"{wa_sandbox.url}/v23.0/{PHONE_ID}/messages"
    async with wa_sandbox.control.session.post(url, json=TEXT, headers=AUTH) as resp:
        raw, trace = await resp.read(), resp.headers["x-fb-trace-id"]
    assert resp.content_type == "application/json" and raw.startswith(b'{"messaging_product":"whatsapp","contacts":[')
    assert len(trace) == 11 and trace.replace("-", "").replace("_", "").isalnum()
    async with wa_sandbox.control.session.post(url, json=TEXT, headers=AUTH) as resp:
        assert resp.headers["x-fb-trace-id"] != trace
    await wa_sandbox.control.reset()  # the same seed again: the same ids and trace ids
    first = json.loads(raw)["messages"][0]["id"]
    async with wa_sandbox.control.session.post(url, json=TEXT, headers=AUTH) as resp:
        assert (await resp.json())["messages"][0]["id"] == first and resp.headers["x-fb-trace-id"] == trace


@pytest.mark.parametrize("version", ["v13.0", "v23.0", "v26.0", "v99.9"])
async def test_every_version_from_13_is_served(wa_sandbox, version):
    status, _ = await send(wa_sandbox, TEXT, path=f"/{version}/{PHONE_ID}/messages")
    assert status == 200


async def test_versions_below_13_are_refused_in_graph_shape(wa_sandbox):
    status, body = await send(wa_sandbox, TEXT, path=f"/v12.0/{PHONE_ID}/messages")
    assert status == 400 and "deprecated version" in assert_graph_error(body, 2635)["message"]


async def test_missing_token_is_104_oauth(wa_sandbox):
    status, body = await send(wa_sandbox, TEXT, headers={})
    error = assert_graph_error(body, 104)
    assert status == 401 and error["type"] == "OAuthException"


@pytest.mark.parametrize("header", ["Bearer", "Basic abc", "sandbox-token", "Bearer wrong-token"])
async def test_malformed_or_wrong_token_is_190(wa_sandbox, header):
    status, body = await send(wa_sandbox, TEXT, headers={"Authorization": header})
    error = assert_graph_error(body, 190)
    assert status == 401 and error["message"] == "Invalid OAuth access token - Cannot parse access token"


async def test_access_token_query_parameter_is_accepted(wa_sandbox):
    status, _ = await send(wa_sandbox, TEXT, path=f"/v23.0/{PHONE_ID}/messages?access_token=sandbox-token", headers={})
    assert status == 200


async def test_unknown_phone_number_id_is_graph_method_exception(wa_sandbox):
    status, body = await send(wa_sandbox, TEXT, path="/v23.0/123456789/messages")
    error = assert_graph_error(body, 100)
    assert status == 400 and error["type"] == "GraphMethodException" and error["error_subcode"] == 33
    assert "Object with ID '123456789' does not exist" in error["message"]


async def test_unknown_edge_of_a_known_node_is_100_33(wa_sandbox):
    async with wa_sandbox.control.session.get(f"{wa_sandbox.url}/v23.0/{PHONE_ID}/nonsense", headers=AUTH) as resp:
        assert resp.status == 400 and (await resp.json())["error"]["error_subcode"] == 33


async def test_unknown_path_answers_in_graph_shape(wa_sandbox):
    async with wa_sandbox.control.session.get(f"{wa_sandbox.url}/not/a/graph/path") as resp:
        assert resp.status == 400
        assert_graph_error(await resp.json(), 2500)


async def raw_post(wa_sandbox, data: bytes, content_type: str) -> tuple[int, dict]:
    url = f"{wa_sandbox.url}/v23.0/{PHONE_ID}/messages"
    async with wa_sandbox.control.session.post(url, data=data, headers={**AUTH, "Content-Type": content_type}) as resp:
        return resp.status, await resp.json()


@pytest.mark.parametrize(
    ("data", "ctype", "words"),
    [
        (b"{not json", "application/json", "not valid JSON"),
        (b"[1, 2]", "application/json", "must be a JSON object"),
        (b"", "application/json", "empty"),
        (b"\xff\xfe", "application/json", "not valid JSON"),
        (b"<xml/>", "application/xml", "Unsupported Content-Type"),
    ],
)
async def test_bad_bodies_get_the_graph_envelope(wa_sandbox, data, ctype, words):
    status, body = await raw_post(wa_sandbox, data, ctype)
    assert status == 400 and words in assert_graph_error(body, 100)["error_data"]["details"]


async def test_oversize_body_gets_the_graph_envelope(wa_sandbox):
    big = b'{"messaging_product":"whatsapp","text":{"body":"' + b"x" * (5 * 1024 * 1024) + b'"}}'
    status, body = await raw_post(wa_sandbox, big, "application/json")
    assert status == 400 and "larger than" in assert_graph_error(body, 100)["error_data"]["details"]


async def test_form_encoded_graph_style_body_is_accepted(wa_sandbox):
    form = b"messaging_product=whatsapp&to=15550200001&type=text&text=%7B%22body%22%3A%22hi%22%7D"
    status, body = await raw_post(wa_sandbox, form, "application/x-www-form-urlencoded")
    assert status == 200 and body["messages"][0]["id"].startswith("wamid.")


async def test_a_json_body_sent_as_a_form_keeps_graphs_error_and_says_why(wa_sandbox):
    # curl -d without -H 'Content-Type: application/json': Graph reads a form and finds no parameters.
    body = b'{"messaging_product":"whatsapp","to":"+15550200001","type":"text","text":{"body":"Hello"}}'
    status, reply = await raw_post(wa_sandbox, body, "application/x-www-form-urlencoded")
    error = assert_graph_error(reply, 100)
    assert status == 400 and error["message"] == "(#100) The parameter messaging_product is required."
    assert error["error_data"]["details"] == (
        "The parameter messaging_product is required: the request body was read as a form because its Content-Type"
        " is application/x-www-form-urlencoded (what curl -d sends by default), so none of its JSON fields were seen:"
        " send it with Content-Type: application/json")


async def test_a_real_form_without_messaging_product_gets_no_json_hint(wa_sandbox):
    status, reply = await raw_post(wa_sandbox, b"to=15550200001&type=text", "application/x-www-form-urlencoded")
    assert status == 400 and assert_graph_error(reply, 100)["error_data"]["details"] == "The parameter messaging_product is required."


@pytest.mark.parametrize("to", ["not-a-number", "12", "+1 555 CALL"])
async def test_unusable_recipient_is_invalid_parameter(wa_sandbox, to):
    status, body = await send(wa_sandbox, {**TEXT, "to": to})
    assert status == 400 and assert_graph_error(body, 100)


async def test_mark_read_of_unknown_message_is_invalid_parameter(wa_sandbox):
    status, body = await send(wa_sandbox, {"messaging_product": "whatsapp", "status": "read", "message_id": "wamid.none"})
    assert status == 400 and "message_id" in assert_graph_error(body, 100)["error_data"]["details"]


async def test_india_business_prefixes_its_country_code(wa_sandbox):
    await wa_sandbox.control.load_scenario(yaml="""
version: 1
meta:
  businesses:
    - {phone_number_id: "100000000000091", waba_id: "200000000000091", display_phone_number: "+91 98765 00001",
       access_token: india-token}
rules:
  - {name: open, match: {to: "*"}, window: open}
""")
    status, body = await send(wa_sandbox, {**TEXT, "to": "(631) 555-1234"}, path="/v23.0/100000000000091/messages",
                              headers={"Authorization": "Bearer india-token"})
    assert status == 200 and body["contacts"][0]["wa_id"] == "916315551234"


async def test_reaction_to_unknown_message_fails_by_webhook_with_131009(wa_sandbox):
    status, body = await send(wa_sandbox, {"messaging_product": "whatsapp", "to": "15550200001", "type": "reaction",
                                           "reaction": {"message_id": "wamid.unknown", "emoji": "😀"}})
    assert status == 200
    await wa_sandbox.control.advance(1)
    entry = await wa_sandbox.control.message(body["messages"][0]["id"])
    assert entry["status"] == "failed" and entry["history"][-1]["errors"][0]["code"] == 131009
