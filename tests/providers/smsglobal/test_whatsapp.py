"""WhatsApp over SMSGlobal: send (every message type), lists, incoming, opt-in, capability, media checks."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from aiohttp import web

from sandbox.testing.plugin import RunningSandbox
from sandbox.testing.receiver import WebhookReceiver

from .conftest import SmsglobalClient

OPEN = "15550200001"  # default scenario: window open, sent/delivered/read
PNG = b"\x89PNG" + b"0" * 100
TEMPLATE = {"type": "template", "template_name": "order_update", "params": ["42"]}


async def wa_send(sg: SmsglobalClient, to: Any, message: Any) -> Any:
    return await sg.call("POST", "/v2/whatsapp", json_body={"to": to, "message": message})


async def test_send_template_answers_the_message_object(sg: SmsglobalClient) -> None:
    reply = await wa_send(sg, ["61400000123"], TEMPLATE)
    assert reply.status == 200
    body = reply.json
    assert set(body) == {"id", "recipient", "status", "state", "message", "createdDate"}
    assert isinstance(body["id"], int)
    assert (body["recipient"], body["status"], body["state"]) == ("61400000123", "Processing", "pending")
    assert json.loads(body["message"]) == TEMPLATE


async def test_send_to_several_recipients_answers_messages(sg: SmsglobalClient) -> None:
    reply = await wa_send(sg, ["61400000123", "61400000124"], TEMPLATE)
    assert [m["recipient"] for m in reply.json["messages"]] == ["61400000123", "61400000124"]


@pytest.mark.parametrize(
    "message",
    [
        {"type": "text", "text": "Hello", "preview_url": True},
        {"type": "location", "lat": -33.86, "lng": 151.2, "name": "Sydney", "address": "NSW"},
        "plain text is a text message",
    ],
)
async def test_send_each_non_media_type_is_delivered(sg: SmsglobalClient, wa_sandbox: RunningSandbox, message: Any) -> None:
    sent = (await wa_send(sg, [OPEN], message)).json
    await wa_sandbox.control.advance(4)
    got = await sg.call("GET", f"/v2/whatsapp/{sent['id']}")
    assert (got.json["status"], got.json["state"]) == ("Read", "completed")


@pytest.mark.parametrize(
    ("message", "field", "text"),
    [
        ({"type": "stickers"}, "message.type", "type must be one of"),
        ({"type": "sticker"}, "message.url", "url is required"),
        ({"type": "sticker", "url": "https://x/s.webp", "caption": "no"}, "message.caption", "not a field of a sticker"),
        ({"type": "template"}, "message.template_name", "template_name is required"),
        ({"type": "template", "template_name": "t", "params": [1]}, "message.params", "array of strings"),
        ({"type": "text"}, "message.text", "text is required"),
        ({"type": "text", "text": "x", "preview_url": "yes"}, "message.preview_url", "true or false"),
        ({"type": "image", "url": "ftp://example.com/a.png"}, "message.url", "HTTP or HTTPS"),
        ({"type": "video"}, "message.url", "url is required"),
        ({"type": "location", "lat": 91, "lng": 0}, "message.lat", "[-90, 90]"),
        ({"type": "location", "lat": 0, "lng": -180.5}, "message.lng", "[-180, 180]"),
        ({"type": "audio", "url": "https://x/a.mp3", "caption": "no"}, "message.caption", "not a field of a audio"),
        (None, "message", "message is required"),
    ],
)
async def test_send_validation_errors(sg: SmsglobalClient, message: Any, field: str, text: str) -> None:
    reply = await wa_send(sg, ["61400000123"], message)
    assert reply.status == 400
    assert text in reply.json["errors"][field]["errors"][0]


async def test_send_without_recipients_is_400(sg: SmsglobalClient) -> None:
    reply = await wa_send(sg, [], TEMPLATE)
    assert reply.status == 400 and "to is required" in reply.json["errors"]["to"]["errors"][0]


@pytest.mark.parametrize(("number", "why"), [("61400000002", "not WhatsApp capable"), ("61400000003", "blacklisted")])
async def test_send_to_incapable_or_blacklisted_number_is_403(sg: SmsglobalClient, number: str, why: str) -> None:
    reply = await wa_send(sg, [number], TEMPLATE)
    assert reply.status == 403
    assert reply.json["code"] == 403 and why in reply.json["message"]


async def test_free_form_outside_window_fails(sg: SmsglobalClient, wa_sandbox: RunningSandbox) -> None:
    sent = (await wa_send(sg, ["61400000123"], {"type": "text", "text": "hi"})).json
    await wa_sandbox.control.advance(2)
    got = (await sg.call("GET", f"/v2/whatsapp/{sent['id']}")).json
    assert (got["status"], got["state"]) == ("Failed", "failed")


async def test_free_form_after_user_message_is_delivered(sg: SmsglobalClient, wa_sandbox: RunningSandbox) -> None:
    await wa_sandbox.control.inject_inbound("61400000123", provider="smsglobal", channel="whatsapp", message="hello")
    sent = (await wa_send(sg, ["61400000123"], {"type": "text", "text": "hi"})).json
    await wa_sandbox.control.advance(2)
    assert (await sg.call("GET", f"/v2/whatsapp/{sent['id']}")).json["status"] == "Delivered"


async def test_scenario_failure_moves_status_to_failed(sg: SmsglobalClient, wa_sandbox: RunningSandbox) -> None:
    sent = (await wa_send(sg, ["15550200005"], TEMPLATE)).json  # not a WhatsApp user
    await wa_sandbox.control.advance(2)
    assert (await sg.call("GET", f"/v2/whatsapp/{sent['id']}")).json["state"] == "failed"


async def test_list_and_filters(sg: SmsglobalClient) -> None:
    await wa_send(sg, ["61400000123"], TEMPLATE)
    await wa_send(sg, ["61400000124"], {"type": "template", "template_name": "promo"})
    listed = await sg.call("GET", "/v2/whatsapp", params={"limit": 1})
    assert (listed.json["total"], listed.json["offset"], listed.json["limit"]) == (2, 1, 1)
    assert listed.json["messages"][0]["recipient"] == "61400000124"
    assert (await sg.call("GET", "/v2/whatsapp", params={"search": "order_update"})).json["total"] == 1
    assert (await sg.call("GET", "/v2/whatsapp", params={"destination": "61400000124"})).json["total"] == 1


async def test_list_rejects_limit_over_1000(sg: SmsglobalClient) -> None:
    reply = await sg.call("GET", "/v2/whatsapp", params={"limit": 1001})
    assert reply.status == 400 and "limit" in reply.json["errors"]


async def test_get_unknown_whatsapp_message_is_404(sg: SmsglobalClient) -> None:
    assert (await sg.call("GET", "/v2/whatsapp/99")).status == 404


async def test_incoming_whatsapp_listed_and_posted(
    sg: SmsglobalClient, wa_sandbox: RunningSandbox, webhook_receiver: WebhookReceiver
) -> None:
    await wa_sandbox.control.set_webhook(webhook_receiver.url, provider="smsglobal", format="json")
    injected = await wa_sandbox.control.inject_inbound("61400000123", provider="smsglobal", channel="whatsapp", message="yo")
    [post] = await webhook_receiver.wait_posts(1)
    assert post.json["from"] == "61400000123" and post.json["message"] == "yo"
    listed = (await sg.call("GET", "/v2/whatsapp-incoming")).json["messages"]
    assert [(m["id"], m["from"], m["to"]) for m in listed] == [(int(injected["id"]), "61400000123", "61400000000")]
    got = await sg.call("GET", f"/v2/whatsapp-incoming/{injected['id']}")
    assert set(got.json) == {"id", "from", "to", "message", "createdDate"}


async def test_opt_in_list_and_add(sg: SmsglobalClient) -> None:
    listed = (await sg.call("GET", "/v2/whatsapp/opt-in")).json["optIn"]
    assert {"name": "Ian Incapable", "number": "61400000002", "capable": False, "blacklist": False} in listed
    added = await sg.call("POST", "/v2/whatsapp/opt-in", json_body={"opt-in": [{"name": "Zed", "number": "61400000777"}]})
    assert added.json["optIn"] == [{"name": "Zed", "number": "61400000777", "capable": True, "blacklist": False}]
    assert len((await sg.call("GET", "/v2/whatsapp/opt-in")).json["optIn"]) == len(listed) + 1


async def test_opt_in_with_bad_number_is_400(sg: SmsglobalClient) -> None:
    reply = await sg.call("POST", "/v2/whatsapp/opt-in", json_body={"opt-in": [{"number": "abc"}]})
    assert reply.status == 400 and "opt-in[0].number" in reply.json["errors"]


async def test_capability_answers_each_number(sg: SmsglobalClient) -> None:
    reply = await sg.call("POST", "/v2/whatsapp/capability", json_body={"numbers": ["61400000002", "61400000555"]})
    caps = reply.json["capabilities"]
    assert [(c["number"], c["capable"], c["blacklist"]) for c in caps] == [
        ("61400000002", False, False),
        ("61400000555", True, False),
    ]


async def test_capability_without_numbers_is_400(sg: SmsglobalClient) -> None:
    assert (await sg.call("POST", "/v2/whatsapp/capability", json_body={})).status == 400


# --- media links ---------------------------------------------------------------------------------


@pytest.fixture
async def media_host(aiohttp_server: Any) -> Any:
    """/a.png, /big.png (declares more than 5 MB), /page.html, /empty.png (204), /held.png (answers once
    ``release`` is set); anything else 404. ``hits`` counts requests."""
    release = asyncio.Event()
    hits: list[str] = []

    async def serve(request: web.Request) -> web.Response:
        hits.append(request.path)
        if request.path == "/held.png":
            await release.wait()
        answers = {
            "/a.png": lambda: web.Response(body=PNG, content_type="image/png"),
            "/held.png": lambda: web.Response(body=PNG, content_type="image/png"),
            "/big.png": lambda: web.Response(body=b"0" * (5 * 1024 * 1024 + 1), content_type="image/png"),
            "/page.html": lambda: web.Response(text="<html></html>", content_type="text/html"),
            "/s.webp": lambda: web.Response(body=b"RIFF\x1a\x00\x00\x00WEBPVP8 ", content_type="image/webp"),
            "/big.webp": lambda: web.Response(body=b"0" * (100 * 1024 + 1), content_type="image/webp"),
            "/empty.png": lambda: web.Response(status=204),
        }
        return answers.get(request.path, lambda: web.Response(status=404))()

    app = web.Application()
    app.router.add_get("/{name}", serve)
    server = await aiohttp_server(app)
    server.release, server.hits = release, hits
    return server


@pytest.fixture
def media_url(media_host: Any) -> str:
    return str(media_host.make_url("")).rstrip("/")


async def test_image_with_accepted_link_is_delivered(
    sg: SmsglobalClient, wa_sandbox: RunningSandbox, media_url: str
) -> None:
    await wa_sandbox.control.inject_inbound(OPEN, provider="smsglobal", channel="whatsapp", message="hi")
    sent = (await wa_send(sg, [OPEN], {"type": "image", "url": f"{media_url}/a.png", "caption": "c"})).json
    await wa_sandbox.control.advance(2)
    assert (await sg.call("GET", f"/v2/whatsapp/{sent['id']}")).json["status"] == "Delivered"


async def test_sticker_with_a_webp_link_is_delivered_and_listed_for_the_inbox(
    sg: SmsglobalClient, wa_sandbox: RunningSandbox, media_url: str
) -> None:
    # Seed 001: sticker, image/webp, 100 KB.
    await wa_sandbox.control.inject_inbound(OPEN, provider="smsglobal", channel="whatsapp", message="hi")
    sent = await wa_send(sg, [OPEN], {"type": "sticker", "url": f"{media_url}/s.webp"})
    assert sent.status == 200, sent.text
    await wa_sandbox.control.advance(2)
    assert (await sg.call("GET", f"/v2/whatsapp/{sent.json['id']}")).json["status"] == "Delivered"
    thread = await wa_sandbox.control.messages(provider="smsglobal", channel="whatsapp", type="sticker")
    assert [m["payload"]["message"] for m in thread] == [{"type": "sticker", "url": f"{media_url}/s.webp"}]


@pytest.mark.parametrize(
    ("path", "why"),
    [
        ("/a.png", "image/png is not accepted for sticker"),
        ("/big.webp", "larger than the 100 KB limit for sticker"),
    ],
)
async def test_sticker_with_another_type_or_over_100_kb_fails(
    sg: SmsglobalClient, wa_sandbox: RunningSandbox, media_url: str, path: str, why: str
) -> None:
    sent = (await wa_send(sg, [OPEN], {"type": "sticker", "url": media_url + path})).json
    await wa_sandbox.control.advance(2)
    assert (await sg.call("GET", f"/v2/whatsapp/{sent['id']}")).json["status"] == "Failed"
    assert why in (await wa_sandbox.control.message(str(sent["id"])))["meta"]["media_error"]


@pytest.mark.parametrize(
    ("path", "why"),
    [
        ("/page.html", "text/html is not accepted"),
        ("/missing.png", "HTTP 404"),
        ("/empty.png", "HTTP 204"),  # only a 200 carries the media (the choice Meta's check makes too)
        ("/big.png", "larger than the 5120 KB limit for image"),
    ],
)
async def test_image_with_bad_link_fails(
    sg: SmsglobalClient, wa_sandbox: RunningSandbox, media_url: str, path: str, why: str
) -> None:
    sent = (await wa_send(sg, [OPEN], {"type": "image", "url": media_url + path})).json
    await wa_sandbox.control.advance(2)
    assert (await sg.call("GET", f"/v2/whatsapp/{sent['id']}")).json["status"] == "Failed"
    stored = await wa_sandbox.control.message(str(sent["id"]))
    assert why in stored["meta"]["media_error"]


async def test_bad_link_fails_the_message_before_any_other_status(
    sg: SmsglobalClient, wa_sandbox: RunningSandbox, media_url: str
) -> None:
    sent = (await wa_send(sg, [OPEN], {"type": "image", "url": media_url + "/missing.png"})).json
    await wa_sandbox.control.advance(5)
    stored = await wa_sandbox.control.message(str(sent["id"]))
    assert [h["status"] for h in stored["history"]] == ["accepted", "failed"]
    assert stored["history"][-1]["errors"][0]["reason"] == "media_error"


async def test_send_answers_without_waiting_for_the_media_host(
    sg: SmsglobalClient, wa_sandbox: RunningSandbox, media_host: Any, media_url: str
) -> None:
    await wa_sandbox.control.inject_inbound(OPEN, provider="smsglobal", channel="whatsapp", message="hi")
    reply = await asyncio.wait_for(wa_send(sg, [OPEN], {"type": "image", "url": f"{media_url}/held.png"}), 2)
    assert reply.status == 200 and reply.json["status"] == "Processing"
    media_host.release.set()
    await wa_sandbox.control.advance(2)
    assert (await sg.call("GET", f"/v2/whatsapp/{reply.json['id']}")).json["status"] == "Delivered"


async def test_link_is_fetched_once_for_all_recipients(
    sg: SmsglobalClient, wa_sandbox: RunningSandbox, media_host: Any, media_url: str
) -> None:
    to = ["15550200001", "15550200002", "15550200003"]
    await wa_send(sg, to, {"type": "image", "url": f"{media_url}/missing.png"})
    await wa_sandbox.control.advance(2)
    failed = await wa_sandbox.control.messages(provider="smsglobal", status="failed")
    assert len(failed) == 3 and media_host.hits == ["/missing.png"]


