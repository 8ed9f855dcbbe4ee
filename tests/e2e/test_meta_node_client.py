"""whatsapp-api-js 6.3.0 (npm; TypeScript) against the sandbox's Cloud API: a second real client, independent of pywa.

It sends every message kind, handles media, and runs webhooks through its own ``post()``: signature check
(``X-Hub-Signature-256`` over the raw body, which it re-escapes to ASCII first, as Meta's bodies are) and
payload parsing into the ``on.message`` / ``on.status`` arguments an app receives.

The library and its lockfile are in tests/e2e/meta_node/; tests/e2e/npm_cache.py installs them into a cache
folder outside the repository (``$WA_SANDBOX_NPM_CACHE``, default ``~/.cache/wa-sandbox/npm``), keyed by the
lockfile, so a run after the first costs nothing. The tests skip with the reason when node or npm is
missing, too old, or the registry cannot be reached.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from sandbox.testing.plugin import RunningSandbox
from sandbox.testing.receiver import Received
from tests.conftest import APP_SECRET, PHONE_ID, TOKEN, VERIFY_TOKEN
from tests.e2e.conftest import wamid
from tests.e2e.npm_cache import installed

HERE = Path(__file__).parent / "meta_node"
TO = "15550200001"  # magic number: sent, delivered, read; window open
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


@pytest.fixture(scope="module")
def node_modules() -> Path:
    return installed(HERE, "whatsapp-api-js", min_node=20)  # global fetch, FormData, Blob and WebCrypto


class NodeClient:
    """One ``node run.mjs`` per ``run``: the commands go in on stdin, the library's answers come back."""

    def __init__(self, modules: Path, sandbox: RunningSandbox) -> None:
        self.modules, self.sandbox = modules, sandbox
        self.requests: list[dict[str, str]] = []

    async def run(self, *commands: dict[str, Any]) -> list[dict[str, Any]]:
        job = {"base": self.sandbox.url, "token": TOKEN, "appSecret": APP_SECRET, "phoneID": PHONE_ID,
               "v": "v23.0", "commands": list(commands)}
        proc = await asyncio.create_subprocess_exec(
            "node", str(HERE / "run.mjs"), str(self.modules),
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        stdout, stderr = await asyncio.wait_for(proc.communicate(json.dumps(job).encode()), 60)
        assert proc.returncode == 0, stderr.decode()
        out = json.loads(stdout)
        self.requests += out["requests"]
        return list(out["results"])

    async def one(self, command: dict[str, Any]) -> Any:
        [result] = await self.run(command)
        assert "ok" in result, result
        return result["ok"]

    async def send(self, message: str, to: Any = TO, **extra: Any) -> dict[str, Any]:
        """``message``: the JavaScript an app writes with the library's classes (``M``)."""
        return dict(await self.one({"op": "send", "to": to, "message": message, **extra}))

    async def webhooks(self, posts: list[Received]) -> list[dict[str, Any]]:
        """Each POST through the library's ``post()``, with the raw body and signature as received."""
        return await self.run(*({"op": "webhook", "body": p.body.decode("ascii"),
                                 "signature": p.headers.get("X-Hub-Signature-256", "")} for p in posts))


@pytest.fixture
def client(node_modules: Path, wa_sandbox: RunningSandbox) -> NodeClient:
    return NodeClient(node_modules, wa_sandbox)


# --- sends --------------------------------------------------------------------------------------


async def test_text_send_answers_contacts_and_wamid(client, wa_sandbox):
    response = await client.send("new M.Text('Hello from whatsapp-api-js', true)")
    assert response["messaging_product"] == "whatsapp"
    [contact] = response["contacts"]
    assert (contact["input"], contact["wa_id"]) == (TO, TO)
    entry = await wa_sandbox.control.message(wamid(response))
    assert entry["payload"]["text"] == {"body": "Hello from whatsapp-api-js", "preview_url": True}
    assert client.requests == [{"method": "POST", "url": f"/v23.0/{PHONE_ID}/messages"}]


async def test_image_by_link_is_fetched_and_sent(client, wa_sandbox, media_server):
    response = await client.send(f"new M.Image('{media_server}/cat.jpg', false, 'A cat')")
    await wa_sandbox.control.advance(1)
    entry = await wa_sandbox.control.wait_for_status(wamid(response), "delivered")
    assert entry["payload"]["image"] == {"link": f"{media_server}/cat.jpg", "caption": "A cat"}


async def test_template_with_header_body_and_url_button_parameters_is_accepted(client, wa_sandbox):
    response = await client.send(
        "new M.Template('order_update', new M.Language('en_US'),"
        " new M.HeaderComponent(new M.HeaderParameter('#1042')),"
        " new M.BodyComponent(new M.BodyParameter('Ana'), new M.BodyParameter('#1042'), new M.BodyParameter('May 5')),"
        " new M.URLComponent('1042'))")
    entry = await wa_sandbox.control.message(wamid(response))
    template = entry["payload"]["template"]
    assert template["language"] == {"code": "en_US", "policy": "deterministic"}
    assert [c["type"] for c in template["components"]] == ["header", "body", "button"]


async def test_template_with_wrong_parameter_count_gets_132000(client):
    response = await client.send(
        "new M.Template('order_update', 'en_US', new M.HeaderComponent(new M.HeaderParameter('#1042')),"
        " new M.BodyComponent(new M.BodyParameter('Ana')), new M.URLComponent('1042'))")
    assert response["error"]["code"] == 132000


async def test_interactive_reply_buttons_are_accepted(client, wa_sandbox):
    response = await client.send(
        "new M.Interactive(new M.ActionButtons(new M.Button('yes', 'Yes'), new M.Button('no', 'No')),"
        " new M.Body('Confirm?'), undefined, new M.Footer('Reply below'))")
    interactive = (await wa_sandbox.control.message(wamid(response)))["payload"]["interactive"]
    assert interactive["type"] == "button"
    assert [b["reply"]["id"] for b in interactive["action"]["buttons"]] == ["yes", "no"]


async def test_interactive_list_is_accepted(client, wa_sandbox):
    response = await client.send(
        "new M.Interactive(new M.ActionList('Options', new M.ListSection('All',"
        " new M.Row('express', 'Express', '1 day'), new M.Row('standard', 'Standard'))), new M.Body('Shipping?'))")
    interactive = (await wa_sandbox.control.message(wamid(response)))["payload"]["interactive"]
    assert interactive["type"] == "list"
    assert interactive["action"]["sections"][0]["rows"][0] == {"id": "express", "title": "Express", "description": "1 day"}


async def test_reaction_to_a_sent_message_is_accepted(client, wa_sandbox):
    target = wamid(await client.send("new M.Text('react to me')"))
    response = await client.send(f"new M.Reaction('{target}', '\U0001F44D')")
    assert (await wa_sandbox.control.message(wamid(response)))["payload"]["reaction"] == {
        "message_id": target, "emoji": "\U0001F44D"}


async def test_mark_as_read_with_typing_indicator_answers_success(client, wa_sandbox):
    inbound = await wa_sandbox.control.inject_inbound(f"+{TO}", type="text", text="hello?")
    read = await client.one({"op": "read", "message_id": inbound["id"]})
    typing = await client.one({"op": "read", "message_id": inbound["id"], "indicator": "text"})
    assert read == {"success": True} and typing == {"success": True}


async def test_block_and_unblock_a_user_on_the_unversioned_edge(client, wa_sandbox):
    await wa_sandbox.control.inject_inbound(f"+{TO}", type="text", text="stop messaging me")
    blocked, unblocked = await client.run({"op": "block", "users": [TO]}, {"op": "unblock", "users": [TO]})
    assert blocked["ok"]["block_users"]["added_users"] == [{"input": TO, "wa_id": TO}]
    assert unblocked["ok"]["block_users"]["removed_users"] == [{"input": TO, "wa_id": TO}]
    assert client.requests == [{"method": "POST", "url": f"/{PHONE_ID}/block_users"},
                               {"method": "DELETE", "url": f"/{PHONE_ID}/block_users"}]


# --- media --------------------------------------------------------------------------------------


async def test_media_upload_retrieve_download_delete(client):
    uploaded = await client.one({"op": "upload", "mime": "image/png", "data": base64.b64encode(PNG).decode(),
                                 "filename": "dot.png"})
    media_id = uploaded["id"]
    info = await client.one({"op": "retrieve", "id": media_id, "phoneID": PHONE_ID})
    assert (info["id"], info["mime_type"], info["file_size"]) == (media_id, "image/png", str(len(PNG)))
    assert info["sha256"] == hashlib.sha256(PNG).hexdigest()
    download = await client.one({"op": "download", "url": info["url"]})
    assert (download["status"], download["type"], base64.b64decode(download["data"])) == (200, "image/png", PNG)
    assert await client.one({"op": "delete", "id": media_id, "phoneID": PHONE_ID}) == {"success": True}
    gone = await client.one({"op": "retrieve", "id": media_id})
    assert gone["error"]["code"] == 100


async def test_uploaded_media_id_sends_as_image(client, wa_sandbox):
    uploaded = await client.one({"op": "upload", "mime": "image/png", "data": base64.b64encode(PNG).decode(),
                                 "filename": "dot.png"})
    response = await client.send(f"new M.Image('{uploaded['id']}', true, 'by id')")
    assert (await wa_sandbox.control.message(wamid(response)))["payload"]["image"]["id"] == uploaded["id"]


# --- webhooks -----------------------------------------------------------------------------------


async def test_webhook_verification_handshake_passes_the_library_check(client, receiver):
    [handshake] = [r for r in receiver.received if r.method == "GET"]
    challenge = await client.one({"op": "verify", "verify_token": VERIFY_TOKEN, "query": handshake.query})
    assert challenge == handshake.query["hub.challenge"]


async def test_status_webhooks_verify_and_parse_in_lifecycle_order(client, wa_sandbox, receiver):
    sent = wamid(await client.send("new M.Text('track me')", biz_opaque_callback_data="order-7"))
    await wa_sandbox.control.advance(3)
    results = await client.webhooks(await receiver.wait_posts(3))
    statuses = [r["ok"] for r in results]
    assert [s["status"] for s in statuses] == ["sent", "delivered", "read"]
    for status in statuses:
        assert (status["event"], status["phoneID"], status["id"], status["phone"]) == ("status", PHONE_ID, sent, TO)
        assert status["biz_opaque_callback_data"] == "order-7" and status["type"] == "individual"
    assert statuses[0]["pricing"]["category"] and statuses[0]["conversation"]["id"]
    print(statuses)


async def test_send_by_bsuid_and_its_status_webhook_name_the_user_by_bsuid(client, wa_sandbox, receiver):
    bsuid = "US.10000000000000000001"  # Ana Souza's, scenarios/default.yaml
    response = await client.send("new M.Text('by user id')", to={"bsuid": bsuid})
    assert response["contacts"] == [{"input": bsuid, "user_id": bsuid}]
    await wa_sandbox.control.advance(0.2)
    [result] = await client.webhooks(await receiver.wait_posts(1))
    status = result["ok"]
    assert (status["status"], status["id"], status["recipient"]) == ("sent", wamid(response), {"bsuid": bsuid})


async def test_failed_status_webhook_carries_the_error_code(client, wa_sandbox, receiver):
    sent = wamid(await client.send("new M.Text('will fail')", to="15550200003"))
    await wa_sandbox.control.advance(1)
    [result] = await client.webhooks(await receiver.wait_posts(1))
    failed = result["ok"]
    assert (failed["status"], failed["id"], failed["error"]["code"]) == ("failed", sent, 131026)


async def test_inbound_text_with_non_ascii_verifies_and_parses(client, wa_sandbox, receiver):
    text = "Olá, café às 9h? \U0001F44B"
    inbound = await wa_sandbox.control.inject_inbound(f"+{TO}", type="text", text=text)
    [result] = await client.webhooks(await receiver.wait_posts(1))
    message = result["ok"]
    assert (message["event"], message["phoneID"], message["from"]) == ("message", PHONE_ID, TO)
    assert message["message"]["id"] == inbound["id"] and message["message"]["text"] == {"body": text}
    assert message["name"] == "Ana Souza"


async def test_scripted_button_tap_webhook_parses_with_context(client, wa_sandbox, receiver):
    sent = wamid(await client.send(
        "new M.Interactive(new M.ActionButtons(new M.Button('yes', 'Yes'), new M.Button('no', 'No')), new M.Body('Confirm?'))",
        to="15550200010"))
    await wa_sandbox.control.advance(5)
    await wa_sandbox.control.wait_for_webhook(event="message:interactive")
    [result] = [r for r in await client.webhooks(receiver.posts) if r["ok"]["event"] == "message"]
    message = result["ok"]["message"]
    assert message["interactive"] == {"type": "button_reply", "button_reply": {"id": "yes", "title": "Yes"}}
    assert message["context"]["id"] == sent


async def test_tampered_webhook_body_fails_the_library_signature_check(client, wa_sandbox, receiver):
    await wa_sandbox.control.inject_inbound(f"+{TO}", type="text", text="original")
    [post] = await receiver.wait_posts(1)
    tampered = post.body.replace(b"original", b"tampered")
    [result] = await client.run({"op": "webhook", "body": tampered.decode(), "signature": post.headers["X-Hub-Signature-256"]})
    assert result["err"]["name"] == "WhatsAppAPIFailedToVerifyError"


# --- Graph parameter decoding -------------------------------------------------------------------


async def test_contacts_message_whose_contacts_is_a_json_string_is_accepted(client, wa_sandbox):
    # whatsapp-api-js serialises `contacts` as a JSON-encoded string (Contacts.toJSON returns
    # JSON.stringify(...)), inside a JSON body. Graph decodes an object or array parameter given as a JSON
    # string, as the sandbox already does for the form-encoded variant (http.json_body) and for pywa's
    # `commands` string (business_profile._decoded); the send path rejected it with 100.
    response = await client.send(
        "new M.Contacts([new M.Name('Barbara J. Johnson', 'Barbara', 'Johnson'),"
        " new M.Phone('+1 (415) 555-0829', 'MOBILE', '14125550829'), new M.Organization('Social Tsunami')])")
    contacts = (await wa_sandbox.control.message(wamid(response)))["payload"]["contacts"]
    assert contacts == [{"name": {"formatted_name": "Barbara J. Johnson", "first_name": "Barbara", "last_name": "Johnson"},
                         "phones": [{"phone": "+1 (415) 555-0829", "type": "MOBILE", "wa_id": "14125550829"}],
                         "org": {"company": "Social Tsunami"}}]
