"""DLR and MO callbacks reaching a real receiver, through the webhook dispatcher (logged, retried)."""

from __future__ import annotations

import base64

import pytest

from sandbox.testing.client import ControlAPIError
from tests.providers.modica.conftest import ModicaClient, basic

V1 = "/rest/gateway/messages"
V2 = "/rest/sms/v2/messages"
WAB = "/rest/wab/v1/messages"


async def test_v1_dlrs_sent_then_received_carry_both_id_names(modica: ModicaClient, wa_sandbox, callbacks):
    message_id = (await modica.post(V1, {"destination": "+64211234567", "content": "hi", "reference": "r-9"})).body[0]
    await wa_sandbox.control.advance(1.5)
    posts = await callbacks.wait_posts(2)
    assert [p.json for p in posts] == [
        {"message_id": message_id, "id": message_id, "status": "sent", "detail": "+64211234567", "reference": "r-9"},
        {"message_id": message_id, "id": message_id, "status": "received", "detail": "+64211234567", "reference": "r-9"},
    ]
    assert posts[0].headers["Content-Type"] == "application/json"


async def test_v2_dlr_ids_are_uuid_strings(modica: ModicaClient, wa_sandbox, callbacks):
    message_id = (await modica.post(V2, {"destination": "+64211234567", "content": "hi"})).body["id"]
    await wa_sandbox.control.advance(0.5)
    post = (await callbacks.wait_posts(1))[0]
    assert post.json == {"message_id": message_id, "id": message_id, "status": "sent", "detail": "+64211234567",
                         "reference": ""}


async def test_dlr_without_a_reference_carries_an_empty_one(modica: ModicaClient, wa_sandbox, callbacks):
    # Seed 003 "DLR Callback": {"id", "status", "reference"}; a client reading body["reference"] must not crash.
    await modica.post(V1, {"destination": "+64211234567", "content": "hi"})
    await wa_sandbox.control.advance(0.5)
    post = (await callbacks.wait_posts(1))[0]
    assert post.json["reference"] == ""


async def test_read_sends_no_dlr(modica: ModicaClient, wa_sandbox, callbacks):
    await modica.post(V1, {"destination": "+64211234567", "content": "hi"})
    await wa_sandbox.control.advance(10)
    assert [p.json["status"] for p in callbacks.posts] == ["sent", "received"]


@pytest.mark.parametrize("reason,status", [("blocked", "rejected"), ("undeliverable", "rejected"), ("expired", "expired"),
                                           ("phone_off", "expired")])
async def test_failures_map_to_rejected_or_expired(modica: ModicaClient, wa_sandbox, callbacks, reason, status):
    yaml = f"""
version: 1
rules:
  - name: fails
    match: {{provider: modica, to: "+64210000001"}}
    timeline: [{{after: 0.2, status: sent}}, {{after: 2, status: failed, error: {reason}}}]
"""
    await wa_sandbox.control.load_scenario(yaml=yaml)
    await wa_sandbox.control.set_webhook(callbacks.url, provider="modica")
    await modica.post(V1, {"destination": "+64210000001", "content": "hi"})
    await wa_sandbox.control.advance(3)
    posts = await callbacks.wait_posts(2)
    assert posts[1].json["status"] == status and posts[1].json["detail"] == reason


async def test_failure_details_from_the_scenario_become_the_detail(modica: ModicaClient, wa_sandbox, callbacks):
    message_id = (await modica.post(V2, {"destination": "+64211234567", "content": "x"})).body["id"]
    await wa_sandbox.control.set_status(message_id, "failed", {"reason": "expired", "details": "Handset off for 48 h"})
    post = (await callbacks.wait_posts(1))[0]
    assert post.json["status"] == "expired" and post.json["detail"] == "Handset off for 48 h"


async def test_dlr_is_retried_until_the_receiver_answers_200(modica: ModicaClient, wa_sandbox, callbacks):
    callbacks.answer_next(500)
    await modica.post(V1, {"destination": "+64211234567", "content": "hi"})
    await wa_sandbox.control.advance(0.5)
    await callbacks.wait_posts(1)
    await wa_sandbox.control.advance(2)
    posts = await callbacks.wait_posts(2)
    assert posts[0].body == posts[1].body and [p.answered for p in posts[:2]] == [500, 200]
    logged = await wa_sandbox.control.webhooks(provider="modica", event="dlr:sent")
    assert [a["status"] for a in logged[0]["attempts"]] == [500, 200]


async def test_no_callback_without_a_dlr_url(modica: ModicaClient, wa_sandbox):
    await modica.post(V1, {"destination": "+64211234567", "content": "hi"})
    await wa_sandbox.control.advance(5)
    assert await wa_sandbox.control.webhooks(provider="modica") == []


async def test_whatsapp_dlrs_use_the_same_statuses(modica: ModicaClient, wa_sandbox, callbacks):
    body = {"to": "+64211234567", "type": "template", "template": {"name": "t", "language": {"code": "en"}}}
    message_id = (await modica.post(WAB, body)).body[0]["id"]
    await wa_sandbox.control.advance(5)
    assert [(p.json["id"], p.json["status"]) for p in await callbacks.wait_posts(2)] == [
        (message_id, "sent"), (message_id, "received")]


# --- MO -------------------------------------------------------------------------------------------


async def test_sms_mo_reaches_the_mo_url(wa_sandbox, callbacks):
    mo = await wa_sandbox.control.inject_inbound("+64211234567", provider="modica", content="STOP")
    post = (await callbacks.wait_posts(1))[0]
    assert post.json == {"id": mo["id"], "source": "+64211234567", "destination": "2541", "content": "STOP",
                         "operator": post.json["operator"]}
    assert post.json["operator"] in ("Spark", "One NZ", "2degrees")


async def test_binary_mo_is_base64_with_encoding(wa_sandbox, callbacks):
    content = base64.b64encode(b"\x00\x01binary").decode()
    await wa_sandbox.control.inject_inbound("+64211234567", provider="modica", content=content, encoding="base64")
    post = (await callbacks.wait_posts(1))[0]
    assert post.json["encoding"] == "base64" and base64.b64decode(post.json["content"]) == b"\x00\x01binary"


async def test_mo_answering_an_mt_carries_reply_to_and_reference(modica: ModicaClient, wa_sandbox, callbacks):
    mt = (await modica.post(V1, {"destination": "+64211234567", "content": "Reply YES", "reference": "poll-1"})).body[0]
    await wa_sandbox.control.inject_inbound("+64211234567", provider="modica", content="YES", reply_to=str(mt))
    mo = next(p.json for p in await callbacks.wait_posts(1) if p.json.get("content") == "YES")
    assert mo["reply_to"] == mt and mo["reference"] == "poll-1" and isinstance(mo["id"], int)


async def test_scripted_user_reply_arrives_as_an_mo(modica: ModicaClient, wa_sandbox, callbacks):
    mt = (await modica.post(V2, {"destination": "+15550200009", "content": "Hello?"})).body["id"]
    await wa_sandbox.control.advance(6)
    await callbacks.wait_posts(3)
    mos = [p.json for p in callbacks.posts if "content" in p.json]
    assert len(mos) == 1 and len(await wa_sandbox.control.messages(provider="modica", direction="inbound")) == 1
    assert mos[0]["content"] == "hi" and mos[0]["reply_to"] == mt and mos[0]["source"] == "+15550200009"


async def test_whatsapp_mo_has_destination_both_ways_and_an_object_content(wa_sandbox, callbacks):
    await wa_sandbox.control.inject_inbound("+64211234567", provider="modica", type="text", text="hello")
    post = (await callbacks.wait_posts(1))[0].json
    assert post["Destination"] == post["destination"] == "+6421555000" and post["source"] == "+64211234567"
    assert post["content"]["type"] == "text" and post["content"]["text"] == {"body": "hello"}
    assert post["content"]["from"] == "64211234567" and post["content"]["id"] == post["id"]


async def test_whatsapp_destination_field_is_configurable(wa_sandbox, webhook_receiver):
    yaml = """
version: 1
modica:
  applications: [{name: sandbox, password: sandbox-secret, wab_destination_field: Destination}]
"""
    await wa_sandbox.control.load_scenario(yaml=yaml)
    await wa_sandbox.control.set_webhook(webhook_receiver.url, provider="modica")
    await wa_sandbox.control.inject_inbound("+64211234567", provider="modica", type="text", text="hello")
    post = (await webhook_receiver.wait_posts(1))[0].json
    assert "Destination" in post and "destination" not in post


@pytest.mark.parametrize("kind,obj", [
    ("button", {"payload": "YES", "text": "Yes"}),
    ("interactive", {"type": "button_reply", "button_reply": {"id": "b1", "title": "Yes"}}),
    ("location", {"latitude": -36.85, "longitude": 174.76}),
    ("system", {"body": "User changed number", "type": "user_changed_number"}),
])
async def test_whatsapp_mo_content_types_from_the_seed_table(wa_sandbox, callbacks, kind, obj):
    await wa_sandbox.control.inject_inbound("+64211234567", provider="modica", type=kind, **{kind: obj})
    content = (await callbacks.wait_posts(1))[0].json["content"]
    assert content["type"] == kind and content[kind] == obj


async def test_whatsapp_mo_passes_referral_and_context(modica: ModicaClient, wa_sandbox, callbacks):
    body = {"to": "+64211234567", "type": "template", "template": {"name": "t", "language": {"code": "en"}}}
    mt = (await modica.post(WAB, body)).body[0]["id"]
    referral = {"source_type": "ad", "source_id": "123"}
    await wa_sandbox.control.inject_inbound("+64211234567", provider="modica", type="text", text="hi",
                                            referral=referral, reply_to=mt)
    content = (await callbacks.wait_posts(1))[0].json["content"]
    assert content["referral"] == referral and content["context"] == {"from": "6421555000", "id": mt}


async def test_whatsapp_image_mo_is_downloadable_from_the_media_api(modica: ModicaClient, wa_sandbox, callbacks):
    data = base64.b64encode(b"\xff\xd8jpeg").decode()
    await wa_sandbox.control.inject_inbound("+64211234567", provider="modica", type="image",
                                            image={"caption": "receipt", "data": data})
    image = (await callbacks.wait_posts(1))[0].json["content"]["image"]
    assert image["mime_type"] == "image/jpeg" and "data" not in image
    download = await modica.get("/rest/wab/v1/media", params={"media_id": image["id"]})
    assert download.body == b"\xff\xd8jpeg"


# --- control API ----------------------------------------------------------------------------------


async def test_mo_and_dlr_urls_are_set_separately(modica: ModicaClient, wa_sandbox, webhook_receiver):
    result = await wa_sandbox.control.request("PUT", "/webhooks/targets/modica",
                                              json={"dlr_url": webhook_receiver.url + "/dlr", "mo_url": None})
    assert result["application"]["dlr_url"].endswith("/dlr") and result["application"]["mo_url"] is None
    await wa_sandbox.control.inject_inbound("+64211234567", provider="modica", content="ignored")
    await modica.post(V1, {"destination": "+64211234567", "content": "hi"})
    await wa_sandbox.control.advance(0.5)
    posts = await webhook_receiver.wait_posts(1)
    assert [p.path for p in posts] == ["/webhook/dlr"]


async def test_targets_list_each_application(wa_sandbox):
    targets = (await wa_sandbox.control.request("GET", "/webhooks/targets"))["modica"]
    assert targets[0]["application"] == "sandbox" and targets[0]["mo_url"] is None


@pytest.mark.parametrize("body,status,text", [
    ({"url": "ftp://x"}, 400, "'url' must be an http(s) URL"),
    ({}, 400, "give 'url'"),
    ({"url": "http://x", "application": "nope"}, 404, "no Modica application named 'nope'"),
])
async def test_bad_webhook_targets_are_refused(wa_sandbox, body, status, text):
    with pytest.raises(ControlAPIError) as caught:
        await wa_sandbox.control.request("PUT", "/webhooks/targets/modica", json=body)
    assert caught.value.status == status and text in str(caught.value)


@pytest.mark.parametrize("spec,status,text", [
    ({"content": "x"}, 400, "'from'"),
    ({"from": "abc", "content": "x"}, 400, "not a phone number"),
    ({"from": "+64211234567"}, 400, "needs 'content'"),
    ({"from": "+64211234567", "content": "x", "encoding": "utf8"}, 400, "'encoding'"),
    ({"from": "+64211234567", "content": "***", "encoding": "base64"}, 400, "not valid base64"),
    ({"from": "+64211234567", "content": "x", "channel": "fax"}, 400, "'channel'"),
    ({"from": "+64211234567", "content": "x", "reply_to": "999"}, 404, "reply_to '999'"),
    ({"from": "+64211234567", "channel": "whatsapp", "type": "fax"}, 400, "one of text"),
    ({"from": "+64211234567", "type": "text", "text": ""}, 400, "WhatsApp text needs"),
    ({"from": "+64211234567", "type": "button", "button": "x"}, 400, "needs a 'button' object"),
])
async def test_bad_injections_are_refused(wa_sandbox, spec, status, text):
    with pytest.raises(ControlAPIError) as caught:
        await wa_sandbox.control.request("POST", "/inbound", json={"provider": "modica", **spec})
    assert caught.value.status == status and text in str(caught.value)


async def test_credentials_in_the_callback_url_arrive_as_basic_auth(modica: ModicaClient, wa_sandbox, webhook_receiver):
    url = webhook_receiver.url.replace("http://", "http://cb%40user:p%3Ass@")
    await wa_sandbox.control.set_webhook(url, provider="modica")
    await wa_sandbox.control.inject_inbound("+64211234567", provider="modica", content="hi")
    post = (await webhook_receiver.wait_posts(1))[0]
    assert post.headers["Authorization"] == basic("cb@user", "p:ss")
