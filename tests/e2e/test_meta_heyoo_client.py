"""heyoo 0.1.2 (PyPI; Neurotech-HQ's Cloud API wrapper, requests-based) against the sandbox's Cloud API.

A widely copied Python client (the library behind many Cloud API tutorials), synchronous, last released
March 2024. It keeps its Graph URLs in public attributes set in ``__init__`` (``base_url`` on v14.0,
``v15_base_url`` for mark-as-read, ``url`` for sends); pointing them at the sandbox changes nothing else.
It returns Graph's JSON answer as a dict, the error envelope included (``upload_media`` and
``query_media_url`` return None on an error), and parses webhooks with ``get_*`` helpers; it does not
check signatures, so these tests check them as the app would (``Received.signature_valid``).

heyoo calls ``requests`` synchronously: each call runs in a thread while the in-process sandbox serves
on the test's event loop. Skipped when heyoo is not installed (it comes with the ``test`` extra).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
from pathlib import Path
from typing import Any

import pytest

from sandbox.testing.plugin import RunningSandbox
from tests.conftest import APP_SECRET, PHONE_ID, TOKEN
from tests.e2e.conftest import payload, wamid

heyoo = pytest.importorskip("heyoo", reason="heyoo is not installed (pip install -e '.[test]')")

TO = "15550200001"  # magic number: sent, delivered, read; window open
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


class Heyoo:
    """heyoo's WhatsApp, its three Graph URLs pointed at the sandbox; every call runs in a thread."""

    def __init__(self, base: str, token: str = TOKEN) -> None:
        self.messenger = heyoo.WhatsApp(token=token, phone_number_id=PHONE_ID)
        # The attributes heyoo's __init__ derives from https://graph.facebook.com (docs/integration.md).
        self.messenger.base_url = f"{base}/v14.0"
        self.messenger.v15_base_url = f"{base}/v15.0"
        self.messenger.url = f"{self.messenger.base_url}/{PHONE_ID}/messages"

    async def __call__(self, method: str, *args: Any, **kwargs: Any) -> Any:
        return await asyncio.to_thread(getattr(self.messenger, method), *args, **kwargs)

    def __getattr__(self, name: str) -> Any:  # the webhook helpers are pure functions of the body
        return getattr(self.messenger, name)


@pytest.fixture
def wa(wa_sandbox: RunningSandbox) -> Heyoo:
    return Heyoo(wa_sandbox.url)


# --- sends --------------------------------------------------------------------------------------


async def test_text_send_answers_contacts_and_wamid(wa, wa_sandbox):
    response = await wa("send_message", "Hello from heyoo", TO)
    assert response["messaging_product"] == "whatsapp"
    assert response["contacts"][0]["input"] == TO and response["contacts"][0]["wa_id"] == TO
    sent = await payload(wa_sandbox, wamid(response))
    assert sent["text"] == {"preview_url": True, "body": "Hello from heyoo"}


async def test_reply_to_message_carries_the_context(wa, wa_sandbox):
    first = wamid(await wa("send_message", "first", TO))
    reply = wamid(await wa("reply_to_message", first, TO, "in reply"))
    assert (await payload(wa_sandbox, reply))["context"] == {"message_id": first}


async def test_reaction_to_a_sent_message_is_accepted(wa, wa_sandbox):
    target = wamid(await wa("send_message", "react to me", TO))
    reaction = wamid(await wa("send_reaction", "\U0001F44D", target, TO))
    assert (await payload(wa_sandbox, reaction))["reaction"] == {"message_id": target, "emoji": "\U0001F44D"}


@pytest.mark.parametrize(("method", "kind", "path", "extra"), [
    ("send_image", "image", "/cat.jpg", {"caption": "A cat"}),
    ("send_video", "video", "/clip.mp4", {"caption": "A clip"}),
    ("send_document", "document", "/invoice.pdf", {"caption": "May", "filename": "invoice.pdf"}),
    ("send_audio", "audio", "/voice.ogg", {}),
    ("send_sticker", "sticker", "/sticker.webp", {}),
])
async def test_media_send_by_link_is_fetched_and_delivered(wa, wa_sandbox, media_server, method, kind, path, extra):
    response = await wa(method, media_server + path, recipient_id=TO, **extra)
    await wa_sandbox.control.advance(1)
    entry = await wa_sandbox.control.wait_for_status(wamid(response), "delivered")
    assert entry["payload"][kind]["link"] == media_server + path


@pytest.mark.parametrize(("method", "kind", "path"), [
    ("send_image", "image", "/cat.jpg"), ("send_video", "video", "/clip.mp4"), ("send_document", "document", "/invoice.pdf"),
])
async def test_media_send_without_caption_sends_null_caption_and_is_accepted(wa, wa_sandbox, media_server, method, kind, path):
    # heyoo always writes the optional fields of image/video/document, unset ones as JSON null: send_image(...)
    # without a caption posts {"link": ..., "caption": null}; send_document by link adds "filename": null
    # (heyoo/__init__.py, send_image/send_video/send_document). Graph takes a null parameter as absent: heyoo's
    # own tests call the live API this way and assert the send answer (tests/test_sending_image.py,
    # test_sending_video.py, test_sending_document.py in Neurotech-HQ/heyoo). Reference meta-cloud-api.md §1.3
    # lists caption (and filename) as optional.
    response = await wa(method, media_server + path, TO)
    sent = (await payload(wa_sandbox, wamid(response)))[kind]
    assert sent["link"] == media_server + path and sent["caption"] is None


async def test_location_send_with_string_coordinates_is_accepted(wa, wa_sandbox):
    # heyoo's docstring example passes the coordinates as strings.
    response = await wa("send_location", "-23.564", "-46.654", "My Location", "Rua dois, 123", TO)
    location = (await payload(wa_sandbox, wamid(response)))["location"]
    assert (location["latitude"], location["name"]) == ("-23.564", "My Location")


async def test_contacts_send_is_accepted(wa, wa_sandbox):
    contacts = [{"name": {"formatted_name": "Barbara J. Johnson", "first_name": "Barbara"},
                 "phones": [{"phone": "+1 (415) 555-0829", "wa_id": "14155550829", "type": "MOBILE"}]}]
    response = await wa("send_contacts", contacts, TO)
    assert (await payload(wa_sandbox, wamid(response)))["contacts"] == contacts


async def test_list_button_message_is_accepted(wa, wa_sandbox):
    # send_button builds an interactive *list* (heyoo's README example).
    button = {"header": "Header Testing", "body": "Body Testing", "footer": "Footer Testing", "action": {
        "button": "Button Testing",
        "sections": [{"title": "iBank", "rows": [{"id": "row 1", "title": "Send Money", "description": ""},
                                                 {"id": "row 2", "title": "Withdraw money", "description": ""}]}]}}
    response = await wa("send_button", button, TO)
    interactive = (await payload(wa_sandbox, wamid(response)))["interactive"]
    assert (interactive["type"], interactive["header"]) == ("list", {"type": "text", "text": "Header Testing"})


async def test_reply_buttons_are_accepted(wa, wa_sandbox):
    button = {"type": "button", "body": {"text": "Confirm?"}, "action": {"buttons": [
        {"type": "reply", "reply": {"id": "yes", "title": "Yes"}},
        {"type": "reply", "reply": {"id": "no", "title": "No"}}]}}
    response = await wa("send_reply_button", button, TO)
    assert (await payload(wa_sandbox, wamid(response)))["interactive"] == button


async def test_template_with_parameters_is_accepted(wa, wa_sandbox):
    components = [
        {"type": "header", "parameters": [{"type": "text", "text": "#1042"}]},
        {"type": "body", "parameters": [{"type": "text", "text": t} for t in ("Ana", "#1042", "May 5")]},
        {"type": "button", "sub_type": "url", "index": "0", "parameters": [{"type": "text", "text": "1042"}]}]
    response = await wa("send_template", "order_update", TO, components, lang="en_US")
    template = (await payload(wa_sandbox, wamid(response)))["template"]
    assert (template["name"], template["language"]) == ("order_update", {"code": "en_US"})


async def test_template_without_parameters_is_accepted(wa):
    response = await wa("send_template", "hello_world", TO, components=[], lang="en_US")
    assert wamid(response).startswith("wamid.")


async def test_custom_json_send_is_accepted(wa, wa_sandbox):
    response = await wa("send_custom_json", {"messaging_product": "whatsapp", "to": TO, "type": "text",
                                             "text": {"body": "raw body"}})
    assert (await payload(wa_sandbox, wamid(response)))["text"] == {"body": "raw body"}


async def test_mark_as_read_on_v15_answers_success(wa, wa_sandbox):
    inbound = await wa_sandbox.control.inject_inbound(f"+{TO}", type="text", text="hello?")
    assert await wa("mark_as_read", inbound["id"]) == {"success": True}


# --- media --------------------------------------------------------------------------------------


async def test_media_upload_query_download_delete(wa, tmp_path):
    image = tmp_path / "dot.png"
    image.write_bytes(PNG)
    uploaded = await wa("upload_media", str(image))
    media_url = await wa("query_media_url", uploaded["id"])
    saved = await wa("download_media", media_url, "image/png", str(tmp_path / "copy"))
    assert Path(saved).read_bytes() == PNG
    assert await wa("delete_media", uploaded["id"]) == {"success": True}
    assert await wa("query_media_url", uploaded["id"]) is None  # heyoo's answer to Graph's 100/33


async def test_uploaded_media_id_sends_as_image(wa, wa_sandbox, tmp_path):
    image = tmp_path / "dot.png"
    image.write_bytes(PNG)
    media_id = (await wa("upload_media", str(image)))["id"]
    response = await wa("send_image", media_id, TO, caption="by id", link=False)
    assert (await payload(wa_sandbox, wamid(response)))["image"] == {"id": media_id, "caption": "by id"}


# --- errors -------------------------------------------------------------------------------------


async def test_invalid_token_answers_graphs_190_envelope(wa_sandbox):
    response = await Heyoo(wa_sandbox.url, token="not-a-token")("send_message", "hi", TO)
    error = response["error"]
    assert (error["code"], error["type"]) == (190, "OAuthException")
    assert error["message"] == "Invalid OAuth access token - Cannot parse access token"


async def test_invalid_token_upload_answers_none(wa_sandbox, tmp_path):
    image = tmp_path / "dot.png"
    image.write_bytes(PNG)
    assert await Heyoo(wa_sandbox.url, token="not-a-token")("upload_media", str(image)) is None


async def test_template_with_wrong_parameter_count_answers_132000(wa):
    components = [{"type": "body", "parameters": [{"type": "text", "text": "Ana"}]}]
    error = (await wa("send_template", "order_update", TO, components))["error"]
    assert (error["code"], error["message"]) == (
        132000, "(#132000) Number of parameters does not match the expected number of params")
    assert "localizable_params" in error["error_data"]["details"]


async def test_unknown_template_answers_132001(wa):
    error = (await wa("send_template", "no_such_template", TO, components=[]))["error"]
    assert error["code"] == 132001


# --- webhooks -----------------------------------------------------------------------------------


async def test_status_webhooks_parse_in_lifecycle_order(wa, wa_sandbox, receiver):
    sent = wamid(await wa("send_message", "track me", TO))
    await wa_sandbox.control.advance(3)
    posts = await receiver.wait_posts(3)
    assert all(p.signature_valid(APP_SECRET) for p in posts)
    assert [wa.changed_field(p.json) for p in posts] == ["messages"] * 3
    assert [wa.get_delivery(p.json) for p in posts] == ["sent", "delivered", "read"]
    assert {wa.preprocess(p.json)["statuses"][0]["id"] for p in posts} == {sent}
    assert not any(wa.is_message(p.json) for p in posts)


async def test_magic_number_failure_arrives_as_a_failed_status_with_131026(wa, wa_sandbox, receiver):
    sent = wamid(await wa("send_message", "will fail", "15550200003"))
    await wa_sandbox.control.advance(1)
    [post] = await receiver.wait_posts(1)
    assert wa.get_delivery(post.json) == "failed"
    status = wa.preprocess(post.json)["statuses"][0]
    assert (status["id"], status["errors"][0]["code"]) == (sent, 131026)


async def test_inbound_text_parses_sender_name_and_body(wa, wa_sandbox, receiver):
    text = "Olá, café às 9h? \U0001F44B"
    inbound = await wa_sandbox.control.inject_inbound(f"+{TO}", type="text", text=text)
    [post] = await receiver.wait_posts(1)
    data = post.json
    assert post.signature_valid(APP_SECRET) and wa.is_message(data)
    assert (wa.get_mobile(data), wa.get_name(data), wa.get_message_type(data)) == (TO, "Ana Souza", "text")
    assert (wa.get_message(data), wa.get_message_id(data)) == (text, inbound["id"])
    assert wa.get_message_timestamp(data).isdigit()


async def test_scripted_button_tap_parses_as_interactive_response(wa, wa_sandbox, receiver):
    button = {"type": "button", "body": {"text": "Confirm?"}, "action": {"buttons": [
        {"type": "reply", "reply": {"id": "yes", "title": "Yes"}}]}}
    await wa("send_reply_button", button, "15550200010")
    await wa_sandbox.control.advance(5)
    await wa_sandbox.control.wait_for_webhook(event="message:interactive")
    [tap] = [p.json for p in receiver.posts if wa.is_message(p.json)]
    assert wa.get_interactive_response(tap) == {"type": "button_reply", "button_reply": {"id": "yes", "title": "Yes"}}


async def test_shared_location_parses(wa, wa_sandbox, receiver):
    await wa("send_message", "Where are you?", "15550200014")
    await wa_sandbox.control.advance(5)
    await wa_sandbox.control.wait_for_webhook(event="message:location")
    [shared] = [p.json for p in receiver.posts if wa.is_message(p.json)]
    location = wa.get_location(shared)
    assert isinstance(location["latitude"], float) and isinstance(location["longitude"], float)


async def test_inbound_image_parses_and_downloads(wa, wa_sandbox, receiver, tmp_path):
    await wa_sandbox.control.inject_inbound(f"+{TO}", type="image",
                                            image={"data": base64.b64encode(PNG).decode(), "mime_type": "image/png"})
    [post] = await receiver.wait_posts(1)
    image = wa.get_image(post.json)
    assert image["mime_type"] == "image/png"
    media_url = await wa("query_media_url", image["id"])
    saved = await wa("download_media", media_url, image["mime_type"], str(tmp_path / "inbound"))
    assert hashlib.sha256(Path(saved).read_bytes()).hexdigest() == hashlib.sha256(PNG).hexdigest()
