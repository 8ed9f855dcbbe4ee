"""@kapso/whatsapp-cloud-api 0.3.0 (npm; TypeScript, Zod-checked builders) against the sandbox's Cloud API.

After whatsapp-api-js, the most downloaded maintained Cloud API client on npm. Its documented ``baseUrl``
option points it at the sandbox (nothing else changes). It converts every request body and query to
snake_case and every JSON answer to camelCase, raises Graph errors as ``GraphApiError`` (code, type,
subcode, fbtrace_id, a category and a retry hint derived from the code), and ships webhook helpers
(``verifySignature`` over the raw body, ``normalizeWebhook``) that the sandbox's signed webhooks go through.

The library and its lockfile are in tests/e2e/meta_kapso/; tests/e2e/npm_cache.py installs them into a
cache outside the repository and skips these tests with the reason when node, npm or the registry is missing.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import pytest

from sandbox.testing.plugin import RunningSandbox
from sandbox.testing.receiver import Received
from tests.conftest import APP_SECRET, PHONE_ID, TOKEN, WABA_ID
from tests.e2e.conftest import payload
from tests.e2e.npm_cache import installed

HERE = Path(__file__).parent / "meta_kapso"
TO = "15550200001"  # magic number: sent, delivered, read; window open
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


class NodeWorker:
    """One ``node run.mjs`` for the module (node and the library load once): a job line in, an answer line out."""

    def __init__(self, modules: Path, stderr: IO[str]) -> None:
        self.stderr = stderr
        self.proc = subprocess.Popen(["node", str(HERE / "run.mjs"), str(modules)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=stderr, text=True)

    def exchange(self, line: str) -> str:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        answer = self.proc.stdout.readline()
        if not answer:
            self.stderr.seek(0)
            raise AssertionError(f"the node worker stopped (exit {self.proc.poll()}): {self.stderr.read()[-2000:]}")
        return answer

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()  # the worker ends at the end of its input
        self.proc.wait(10)


@pytest.fixture(scope="module")
def worker() -> Iterator[NodeWorker]:
    modules = installed(HERE, "@kapso/whatsapp-cloud-api", min_node=20)  # engines: node >= 20.19
    with tempfile.TemporaryFile("w+") as stderr:
        node = NodeWorker(modules, stderr)
        yield node
        node.close()


class KapsoClient:
    """Sends jobs (commands for the library) to the worker; keeps the requests the library made."""

    def __init__(self, worker: NodeWorker, sandbox: RunningSandbox) -> None:
        self.worker, self.sandbox = worker, sandbox
        self.requests: list[dict[str, str]] = []

    async def run(self, *commands: dict[str, Any]) -> list[dict[str, Any]]:
        job = {"base": self.sandbox.url, "token": TOKEN, "appSecret": APP_SECRET, "v": "v23.0",
               "commands": list(commands)}
        # A thread: the worker outlives each test's event loop; the sandbox serves on this loop meanwhile.
        answer = await asyncio.wait_for(asyncio.to_thread(self.worker.exchange, json.dumps(job)), 60)
        out = json.loads(answer)
        self.requests += out["requests"]
        return list(out["results"])

    async def call(self, method: str, **input: Any) -> Any:
        """``client.<method>(input)`` as an app writes it; the library's answer (raises on its error)."""
        [result] = await self.run({"op": "call", "call": method, "input": input})
        assert "ok" in result, result
        return result["ok"]

    async def error(self, method: str, token: str | None = None, **input: Any) -> dict[str, Any]:
        """What the library threw (``GraphApiError.toJSON()``)."""
        [result] = await self.run({"op": "call", "call": method, "input": input, "token": token})
        assert "err" in result, result
        return dict(result["err"])

    async def send(self, method: str, to: str = TO, **input: Any) -> str:
        response = await self.call(f"messages.{method}", phoneNumberId=PHONE_ID, to=to, **input)
        return str(response["messages"][0]["id"])

    async def webhooks(self, posts: list[Received]) -> list[dict[str, Any]]:
        """Each POST as received (raw bytes, X-Hub-Signature-256) through verifySignature and normalizeWebhook."""
        results = await self.run(*({"op": "webhook", "body": base64.b64encode(p.body).decode(),
                                    "signature": p.headers.get("X-Hub-Signature-256", "")} for p in posts))
        return [r["ok"] for r in results]


@pytest.fixture
def kapso(worker: NodeWorker, wa_sandbox: RunningSandbox) -> KapsoClient:
    return KapsoClient(worker, wa_sandbox)


# --- sends --------------------------------------------------------------------------------------


async def test_text_send_answer_reaches_the_app_camel_cased(kapso, wa_sandbox):
    response = await kapso.call("messages.sendText", phoneNumberId=PHONE_ID, to=f"+{TO}", body="Hello from Kapso",
                                previewUrl=True)
    assert response["messagingProduct"] == "whatsapp"
    assert response["contacts"] == [{"input": f"+{TO}", "waId": TO, "userId": "US.10000000000000000001"}]
    sent = await payload(wa_sandbox, response["messages"][0]["id"])
    assert (sent["recipient_type"], sent["text"]) == ("individual", {"body": "Hello from Kapso", "preview_url": True})
    assert kapso.requests == [{"method": "POST", "url": f"/v23.0/{PHONE_ID}/messages"}]


@pytest.mark.parametrize(("method", "kind", "media"), [
    ("sendImage", "image", {"link": "/cat.jpg", "caption": "A cat"}),
    ("sendVideo", "video", {"link": "/clip.mp4", "caption": "A clip"}),
    ("sendAudio", "audio", {"link": "/voice.ogg", "voice": True}),
    ("sendDocument", "document", {"link": "/invoice.pdf", "filename": "invoice.pdf", "caption": "May"}),
    ("sendSticker", "sticker", {"link": "/sticker.webp"}),
])
async def test_media_sends_by_link_are_fetched_and_delivered(kapso, wa_sandbox, media_server, method, kind, media):
    media = {**media, "link": media_server + media["link"]}
    wamid = await kapso.send(method, **{kind: media})
    await wa_sandbox.control.advance(1)
    entry = await wa_sandbox.control.wait_for_status(wamid, "delivered")
    assert entry["payload"][kind] == media


async def test_location_send_is_accepted(kapso, wa_sandbox):
    location = {"latitude": -23.5505, "longitude": -46.6333, "name": "HQ", "address": "Av. Paulista, 1000"}
    wamid = await kapso.send("sendLocation", location=location)
    assert (await payload(wa_sandbox, wamid))["location"] == location


async def test_contacts_send_arrives_snake_cased(kapso, wa_sandbox):
    wamid = await kapso.send("sendContacts", contacts=[{
        "name": {"formattedName": "Barbara J. Johnson", "firstName": "Barbara"},
        "phones": [{"phone": "+1 (415) 555-0829", "waId": "14155550829", "type": "MOBILE"}]}])
    assert (await payload(wa_sandbox, wamid))["contacts"] == [{
        "name": {"formatted_name": "Barbara J. Johnson", "first_name": "Barbara"},
        "phones": [{"phone": "+1 (415) 555-0829", "wa_id": "14155550829", "type": "MOBILE"}]}]


async def test_reply_with_context_and_callback_data_is_accepted(kapso, wa_sandbox):
    first = await kapso.send("sendText", body="first")
    wamid = await kapso.send("sendText", body="in reply", contextMessageId=first, bizOpaqueCallbackData="order-7")
    sent = await payload(wa_sandbox, wamid)
    assert (sent["context"], sent["biz_opaque_callback_data"]) == ({"message_id": first}, "order-7")


async def test_reaction_to_a_sent_message_is_accepted(kapso, wa_sandbox):
    target = await kapso.send("sendText", body="react to me")
    wamid = await kapso.send("sendReaction", reaction={"messageId": target, "emoji": "\U0001F44D"})
    assert (await payload(wa_sandbox, wamid))["reaction"] == {"message_id": target, "emoji": "\U0001F44D"}


async def test_send_by_bsuid_alone_answers_the_bsuid_without_wa_id(kapso, wa_sandbox):
    bsuid = "US.10000000000000000001"  # Ana Souza's, scenarios/default.yaml
    response = await kapso.call("messages.sendText", phoneNumberId=PHONE_ID, recipient=bsuid, body="by user id")
    assert response["contacts"] == [{"input": bsuid, "userId": bsuid}]


async def test_template_with_header_body_and_url_button_parameters_is_accepted(kapso, wa_sandbox):
    wamid = await kapso.send("sendTemplate", template={
        "name": "order_update", "language": {"code": "en_US", "policy": "deterministic"},
        "components": [
            {"type": "header", "parameters": [{"type": "text", "text": "#1042"}]},
            {"type": "body", "parameters": [{"type": "text", "text": t} for t in ("Ana", "#1042", "May 5")]},
            {"type": "button", "subType": "url", "index": "0", "parameters": [{"type": "text", "text": "1042"}]}]})
    template = (await payload(wa_sandbox, wamid))["template"]
    assert [c["type"] for c in template["components"]] == ["header", "body", "button"]
    assert template["components"][2]["sub_type"] == "url"


async def test_template_with_wrong_parameter_count_raises_graph_api_error_132000(kapso):
    error = await kapso.error("messages.sendTemplate", phoneNumberId=PHONE_ID, to=TO, template={
        "name": "order_update", "language": {"code": "en_US"},
        "components": [{"type": "body", "parameters": [{"type": "text", "text": "Ana"}]}]})
    assert (error["name"], error["httpStatus"], error["code"]) == ("GraphApiError", 400, 132000)
    assert (error["category"], error["retry"]) == ("template", {"action": "fix_and_retry"})
    assert error["details"] and error["fbtraceId"]


async def test_unknown_template_raises_graph_api_error_132001_with_http_404(kapso):
    error = await kapso.error("messages.sendTemplate", phoneNumberId=PHONE_ID, to=TO,
                              template={"name": "no_such_template", "language": {"code": "en_US"}})
    assert (error["httpStatus"], error["code"], error["category"]) == (404, 132001, "template")


INTERACTIVE = {
    "sendInteractiveButtons": ("button", {
        "bodyText": "Confirm?", "footerText": "Reply below", "header": {"type": "text", "text": "Order #1042"},
        "buttons": [{"id": "yes", "title": "Yes"}, {"id": "no", "title": "No"}]}),
    "sendInteractiveList": ("list", {
        "bodyText": "Shipping?", "buttonText": "Options",
        "sections": [{"title": "All", "rows": [{"id": "express", "title": "Express", "description": "1 day"}]}]}),
    "sendInteractiveCtaUrl": ("cta_url", {
        "bodyText": "Track it", "parameters": {"displayText": "Track", "url": "https://shop.example/t/1042"}}),
    "sendInteractiveLocationRequest": ("location_request_message", {
        "bodyText": "Where should we deliver?", "parameters": {"requestMessage": "Send location"}}),
    "sendInteractiveCallPermission": ("call_permission_request", {
        "bodyText": "May we call you?", "parameters": {"phoneNumber": TO}}),
    "sendInteractiveCarousel": ("carousel", {"bodyText": "Our picks", "cards": [
        {"cardIndex": i, "header": {"type": "image", "image": {"link": f"https://shop.example/{i}.jpg"}},
         "bodyText": f"Pick {i}", "action": {"displayText": "Buy", "url": f"https://shop.example/p/{i}"}}
        for i in range(2)]}),
}


@pytest.mark.parametrize("method", list(INTERACTIVE))
async def test_interactive_kind_is_accepted_with_its_type(kapso, wa_sandbox, method):
    kind, fields = INTERACTIVE[method]
    wamid = await kapso.send(method, **fields)
    assert (await payload(wa_sandbox, wamid))["interactive"]["type"] == kind


async def test_address_message_to_an_indian_number_is_accepted(kapso, wa_sandbox):
    wamid = await kapso.send("sendInteractiveAddress", to="919876543210", bodyText="Where to?",
                             parameters={"country": "IN", "values": {"name": "Asha", "inPinCode": "400001"}})
    action = (await payload(wa_sandbox, wamid))["interactive"]["action"]
    assert action == {"name": "address_message",
                      "parameters": {"country": "IN", "values": {"name": "Asha", "in_pin_code": "400001"}}}


async def test_mark_as_read_with_typing_indicator_answers_success(kapso, wa_sandbox):
    inbound = await wa_sandbox.control.inject_inbound(f"+{TO}", type="text", text="hello?")
    answer = await kapso.call("messages.markRead", phoneNumberId=PHONE_ID, messageId=inbound["id"],
                              typingIndicator={"type": "text"})
    assert answer == {"success": True}


# --- media --------------------------------------------------------------------------------------


async def upload(kapso: KapsoClient) -> str:
    [result] = await kapso.run({"op": "upload", "data": base64.b64encode(PNG).decode(),
                                "input": {"phoneNumberId": PHONE_ID, "type": "image/png", "fileName": "dot.png"}})
    return str(result["ok"]["id"])


async def test_media_upload_get_download_delete(kapso):
    media_id = await upload(kapso)
    info = await kapso.call("media.get", mediaId=media_id, phoneNumberId=PHONE_ID)
    assert (info["id"], info["mimeType"], info["fileSize"]) == (media_id, "image/png", str(len(PNG)))
    assert info["sha256"] == hashlib.sha256(PNG).hexdigest()
    [download] = await kapso.run({"op": "download", "input": {"mediaId": media_id, "auth": "always"}})
    assert (download["ok"]["status"], download["ok"]["type"]) == (200, "image/png")
    assert base64.b64decode(download["ok"]["data"]) == PNG
    assert await kapso.call("media.delete", mediaId=media_id, phoneNumberId=PHONE_ID) == {"success": True}
    gone = await kapso.error("media.get", mediaId=media_id)
    assert (gone["httpStatus"], gone["code"], gone["errorSubcode"]) == (400, 100, 33)


async def test_media_download_without_the_token_gets_graphs_404(kapso):
    # media.download's default auth "auto" sends the Authorization header only to *.kapso.ai hosts, so against
    # Graph (and the sandbox) the media URL is fetched without it; Meta answers 404 then (reference §4 Media
    # API: "Download ... with Authorization: Bearer (fails without it) ... failure -> 404"). Apps calling
    # Meta directly must pass auth: "always", as the test above does.
    media_id = await upload(kapso)
    [download] = await kapso.run({"op": "download", "input": {"mediaId": media_id}})
    assert download["ok"]["status"] == 404
    assert json.loads(base64.b64decode(download["ok"]["data"]))["error"]["code"] == 100


async def test_uploaded_media_id_sends_as_image(kapso, wa_sandbox):
    media_id = await upload(kapso)
    wamid = await kapso.send("sendImage", image={"id": media_id, "caption": "by id"})
    assert (await payload(wa_sandbox, wamid))["image"] == {"id": media_id, "caption": "by id"}


# --- templates, phone number, Flows ---------------------------------------------------------------


async def test_templates_list_pages_with_the_after_cursor(kapso):
    first = await kapso.call("templates.list", businessAccountId=WABA_ID, limit=1)
    second = await kapso.call("templates.list", businessAccountId=WABA_ID, limit=1,
                              after=first["paging"]["cursors"]["after"])
    assert len(first["data"]) == len(second["data"]) == 1
    assert first["data"][0]["name"] != second["data"][0]["name"]
    assert first["data"][0]["parameterFormat"] in {"POSITIONAL", "NAMED"}


async def test_template_create_then_delete_by_name(kapso):
    created = await kapso.call("templates.create", businessAccountId=WABA_ID, name="kapso_shipped", language="en_US",
                               category="UTILITY", components=[
                                   {"type": "BODY", "text": "Hi {{1}}, shipped.", "example": {"bodyText": [["Ana"]]}}])
    assert created["status"] in {"PENDING", "APPROVED"} and created["category"] == "UTILITY"
    assert await kapso.call("templates.delete", businessAccountId=WABA_ID, name="kapso_shipped") == {"success": True}
    assert kapso.requests[-1] == {"method": "DELETE", "url": f"/v23.0/{WABA_ID}/message_templates?name=kapso_shipped"}


async def test_phone_number_settings_and_business_profile(kapso):
    settings = await kapso.call("phoneNumbers.settings.get", phoneNumberId=PHONE_ID)
    assert settings["calling"]["status"] in {"enabled", "disabled"}
    updated = await kapso.call("phoneNumbers.businessProfile.update", phoneNumberId=PHONE_ID, about="Open 9-5",
                               websites=["https://shop.example"])
    assert updated == {"success": True}
    profile = await kapso.call("phoneNumbers.businessProfile.get", phoneNumberId=PHONE_ID, fields="about,websites")
    assert profile["data"][0]["about"] == "Open 9-5" and profile["data"][0]["websites"] == ["https://shop.example"]


async def test_phone_number_verification_and_registration(kapso):
    assert await kapso.call("phoneNumbers.requestCode", phoneNumberId=PHONE_ID, codeMethod="SMS",
                            language="en_US") == {"success": True}
    assert await kapso.call("phoneNumbers.register", phoneNumberId=PHONE_ID, pin="123456") == {"success": True}
    assert await kapso.call("phoneNumbers.deregister", phoneNumberId=PHONE_ID) == {"success": True}


FLOW_JSON = {"version": "7.2", "screens": [{"id": "WELCOME", "title": "Welcome", "terminal": True, "layout": {
    "type": "SingleColumnLayout", "children": [
        {"type": "TextHeading", "text": "Hi"},
        {"type": "Footer", "label": "Done", "onClickAction": {"name": "complete", "payload": {}}}]}}]}


async def test_flow_deploy_creates_publishes_previews_and_the_flow_sends(kapso, wa_sandbox):
    [deployed] = await kapso.run({"op": "call", "call": "flows.deploy", "args": [
        FLOW_JSON, {"name": "kapso_signup", "wabaId": WABA_ID, "publish": True, "preview": True}]})
    flow_id = deployed["ok"]["flowId"]
    assert deployed["ok"]["previewUrl"].startswith("https://")
    flow = await kapso.call("flows.get", flowId=flow_id, fields="name,status,validation_errors")
    assert (flow["name"], flow["status"], flow["validationErrors"]) == ("kapso_signup", "PUBLISHED", [])
    wamid = await kapso.send("sendInteractiveFlow", bodyText="Sign up",
                             parameters={"flowId": flow_id, "flowCta": "Open", "flowToken": "tok-1"})
    parameters = (await payload(wa_sandbox, wamid))["interactive"]["action"]["parameters"]
    assert (parameters["flow_id"], parameters["flow_token"], parameters["flow_message_version"]) == (flow_id, "tok-1", "3")


# --- errors -------------------------------------------------------------------------------------


async def test_invalid_token_raises_graph_api_error_190_asking_for_a_new_token(kapso):
    error = await kapso.error("messages.sendText", token="not-a-token", phoneNumberId=PHONE_ID, to=TO, body="hi")
    assert (error["httpStatus"], error["code"], error["type"]) == (401, 190, "OAuthException")
    assert error["message"] == "Invalid OAuth access token - Cannot parse access token"
    assert (error["category"], error["retry"]) == ("authorization", {"action": "refresh_token"})


# --- webhooks -----------------------------------------------------------------------------------


async def test_status_webhooks_verify_and_normalize_in_lifecycle_order(kapso, wa_sandbox, receiver):
    wamid = await kapso.send("sendText", body="track me", bizOpaqueCallbackData="order-7")
    await wa_sandbox.control.advance(3)
    results = await kapso.webhooks(await receiver.wait_posts(3))
    assert all(r["verified"] for r in results)
    statuses = [s for r in results for s in r["normalized"]["statuses"]]
    assert [s["status"] for s in statuses] == ["sent", "delivered", "read"]
    for status in statuses:
        assert (status["id"], status["recipientId"], status["bizOpaqueCallbackData"]) == (wamid, TO, "order-7")
    assert statuses[0]["pricing"]["category"] and statuses[0]["conversation"]["id"]
    assert {r["normalized"]["phoneNumberId"] for r in results} == {PHONE_ID}


async def test_magic_number_failure_arrives_as_a_failed_status_with_131026(kapso, wa_sandbox, receiver):
    wamid = await kapso.send("sendText", to="15550200003", body="will fail")
    await wa_sandbox.control.advance(1)
    [result] = await kapso.webhooks(await receiver.wait_posts(1))
    [failed] = result["normalized"]["statuses"]
    assert result["verified"] and (failed["status"], failed["id"]) == ("failed", wamid)
    assert failed["errors"][0]["code"] == 131026


async def test_inbound_text_with_non_ascii_verifies_and_normalizes_as_inbound(kapso, wa_sandbox, receiver):
    text = "Olá, café às 9h? \U0001F44B"
    inbound = await wa_sandbox.control.inject_inbound(f"+{TO}", type="text", text=text)
    [result] = await kapso.webhooks(await receiver.wait_posts(1))
    [message] = result["normalized"]["messages"]
    assert result["verified"]
    assert (message["id"], message["from"], message["text"]) == (inbound["id"], TO, {"body": text})
    assert message["kapso"]["direction"] == "inbound"
    assert result["normalized"]["contacts"][0]["profile"]["name"] == "Ana Souza"


async def test_scripted_button_tap_normalizes_with_context(kapso, wa_sandbox, receiver):
    wamid = await kapso.send("sendInteractiveButtons", to="15550200010", bodyText="Confirm?",
                             buttons=[{"id": "yes", "title": "Yes"}, {"id": "no", "title": "No"}])
    await wa_sandbox.control.advance(5)
    await wa_sandbox.control.wait_for_webhook(event="message:interactive")
    [message] = [m for r in await kapso.webhooks(receiver.posts) for m in r["normalized"]["messages"]]
    assert message["interactive"] == {"type": "button_reply", "buttonReply": {"id": "yes", "title": "Yes"}}
    assert message["context"]["id"] == wamid


COMPLETES_FLOWS = f"""
version: 1
meta:
  businesses:
    - {{phone_number_id: "{PHONE_ID}", waba_id: "{WABA_ID}", display_phone_number: "+1 555-010-0001", access_token: {TOKEN}}}
rules:
  - name: completes-the-flow
    match: {{to: "+{TO}"}}
    window: open
    user: [{{after: 5, submit_flow: {{rating: "4"}}}}]
"""


async def test_scripted_flow_completion_normalizes_with_the_flow_response(kapso, wa_sandbox, receiver):
    await wa_sandbox.control.load_scenario(yaml=COMPLETES_FLOWS, reset=False)
    [deployed] = await kapso.run({"op": "call", "call": "flows.deploy", "args": [
        FLOW_JSON, {"name": "kapso_rating", "wabaId": WABA_ID, "publish": True}]})
    wamid = await kapso.send("sendInteractiveFlow", bodyText="Rate us", parameters={
        "flowId": deployed["ok"]["flowId"], "flowCta": "Rate", "flowToken": "order-7"})
    await wa_sandbox.control.advance(5)
    await wa_sandbox.control.wait_for_webhook(event="message:interactive")
    [message] = [m for r in await kapso.webhooks(receiver.posts) for m in r["normalized"]["messages"]]
    assert (message["interactive"]["type"], message["context"]["id"]) == ("nfm_reply", wamid)
    assert message["kapso"]["flowToken"] == "order-7" and message["kapso"]["flowResponse"]["rating"] == "4"


async def test_tampered_webhook_body_fails_verify_signature(kapso, wa_sandbox, receiver):
    await wa_sandbox.control.inject_inbound(f"+{TO}", type="text", text="original")
    [post] = await receiver.wait_posts(1)
    post.body = post.body.replace(b"original", b"tampered")
    [result] = await kapso.webhooks([post])
    assert result["verified"] is False
