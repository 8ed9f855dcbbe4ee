"""Cross-site defences (sandbox/origin.py, docs/security.md): each way a web page could forge a request to
the sandbox is refused in the right error shape and changes nothing; programs, the inbox's own requests and
the README's curl lines keep working."""

from __future__ import annotations

from typing import Any

import pytest

from sandbox.origin import SameOrigin, host_name, is_control_path
from sandbox.settings import Settings
from sandbox.testing.plugin import RunningSandbox
from tests.conftest import AUTH, PHONE_ID, send

TEXT = {"messaging_product": "whatsapp", "to": "15550200001", "type": "text", "text": {"body": "hi"}}
INBOUND = b'{"provider": "meta", "from": "15550200001", "text": "hello"}'
ATTACKER = "http://attacker.example.com"


async def _raw(sandbox: RunningSandbox, method: str, path: str, *, data: bytes | None = None,
               headers: dict[str, str] | None = None) -> tuple[int, Any]:
    async with sandbox.control.session.request(method, f"{sandbox.url}{path}", data=data, headers=headers or {}) as resp:
        return resp.status, await resp.json(content_type=None)


async def _journal(sandbox: RunningSandbox) -> list[Any]:
    return list(await sandbox.control.messages())


# --- forgeries --------------------------------------------------------------------------------------


async def test_a_text_plain_post_to_the_control_api_is_415_and_resets_nothing(wa_sandbox):
    await send(wa_sandbox, TEXT)
    status, body = await _raw(wa_sandbox, "POST", "/_sandbox/reset", data=b"{}", headers={"Content-Type": "text/plain"})
    assert status == 415
    assert body["error"]["status"] == 415 and "Content-Type: application/json" in body["error"]["message"]
    assert len(await _journal(wa_sandbox)) == 1


async def test_a_form_post_of_an_inbound_message_is_415_and_injects_nothing(wa_sandbox):
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    status, body = await _raw(wa_sandbox, "POST", "/_sandbox/inbound", data=INBOUND, headers=form)
    assert status == 415 and "application/x-www-form-urlencoded" in body["error"]["message"]
    assert await _journal(wa_sandbox) == []


async def test_an_empty_form_post_is_415_too(wa_sandbox):
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    status, _ = await _raw(wa_sandbox, "POST", "/_sandbox/clock/advance", data=b"", headers=form)
    assert status == 415


async def test_a_json_post_from_a_foreign_origin_is_403(wa_sandbox):
    headers = {"Content-Type": "application/json", "Origin": ATTACKER}
    status, body = await _raw(wa_sandbox, "POST", "/_sandbox/inbound", data=INBOUND, headers=headers)
    assert status == 403 and ATTACKER in body["error"]["message"]
    assert await _journal(wa_sandbox) == []


async def test_a_null_origin_is_refused(wa_sandbox):
    headers = {"Content-Type": "application/json", "Origin": "null"}
    status, _ = await _raw(wa_sandbox, "PUT", "/_sandbox/webhooks/targets/meta", data=b'{"url": "http://127.0.0.1:9/x"}',
                           headers=headers)
    assert status == 403


async def test_a_provider_send_from_a_foreign_origin_is_403_in_the_providers_shape(wa_sandbox):
    status, body = await send(wa_sandbox, TEXT, headers={**AUTH, "Origin": ATTACKER})
    assert status == 403 and body["error"]["code"] == 10 and ATTACKER in body["error"]["error_data"]["details"]
    assert await _journal(wa_sandbox) == []


async def test_a_rebinding_host_cannot_read_the_journal(wa_sandbox):
    await send(wa_sandbox, TEXT)
    status, body = await _raw(wa_sandbox, "GET", "/_sandbox/messages", headers={"Host": "rebind.attacker.example.com:8080"})
    assert status == 403 and "SANDBOX_ALLOWED_HOSTS" in body["error"]["message"]


async def test_a_rebinding_host_cannot_read_provider_paths_either(wa_sandbox):
    path = f"/v23.0/{PHONE_ID}/message_templates"
    status, body = await _raw(wa_sandbox, "GET", path, headers={**AUTH, "Host": "rebind.attacker.example.com"})
    assert status == 403 and "error" in body and "data" not in body


async def test_a_modica_refusal_is_a_403_in_modicas_shape(wa_sandbox):
    status, body = await _raw(wa_sandbox, "POST", "/rest/gateway/messages", data=b"{}",
                              headers={"Content-Type": "application/json", "Origin": ATTACKER})
    assert status == 403 and body["error"] == "403"


# --- what keeps working ------------------------------------------------------------------------------


@pytest.mark.parametrize("host", ["localhost:8080", "127.0.0.1:8080", "[::1]:8080", "sandbox:8080", "wa-sandbox",
                                  "host.docker.internal:8080", "inbox.localhost", "10.0.0.5", "sandbox.test:18080"])
async def test_local_names_docker_service_names_and_addresses_are_accepted(wa_sandbox, host):
    status, _ = await _raw(wa_sandbox, "GET", "/_sandbox/health", headers={"Host": host})
    assert status == 200


async def test_the_inboxs_own_requests_pass(wa_sandbox):
    # What the page's fetch sends: JSON, with the sandbox's own origin.
    host = wa_sandbox.url.removeprefix("http://")
    headers = {"Content-Type": "application/json", "Origin": wa_sandbox.url, "Host": host}
    status, body = await _raw(wa_sandbox, "POST", "/_sandbox/inbound", data=INBOUND, headers=headers)
    assert status == 201 and body["user"] == "15550200001"
    status, _ = await _raw(wa_sandbox, "POST", "/_sandbox/clock/advance", data=b'{"seconds": 1}',
                           headers={**headers, "Content-Type": "application/json; charset=utf-8"})
    assert status == 200


async def test_a_post_without_a_body_or_content_type_passes(wa_sandbox):
    # curl -X POST .../_sandbox/reset, and the inbox's redeliver button
    status, body = await _raw(wa_sandbox, "POST", "/_sandbox/reset")
    assert status == 200 and body == {"reset": "all"}


async def test_the_readmes_curl_lines_work(wa_sandbox):
    # README "Quick start": the send, the journal read and the webhook target (each with the headers curl sends).
    curl = {"User-Agent": "curl/8.5.0", "Accept": "*/*"}
    status, _ = await _raw(wa_sandbox, "POST", f"/v23.0/{PHONE_ID}/messages",
                           data=b'{"messaging_product":"whatsapp","to":"15550200001","type":"text","text":{"body":"hi"}}',
                           headers={**curl, **AUTH, "Content-Type": "application/json"})
    assert status == 200
    status, _ = await _raw(wa_sandbox, "GET", "/_sandbox/messages/latest", headers=curl)
    assert status == 200
    status, _ = await _raw(wa_sandbox, "PUT", "/_sandbox/webhooks/targets/meta",
                           data=b'{"url":"http://127.0.0.1:3000/webhook","verify":false}',
                           headers={**curl, "Content-Type": "application/json"})
    assert status == 200


async def test_the_plugins_client_drives_the_sandbox(wa_sandbox):
    await wa_sandbox.control.inject_inbound("15550200001", text="hello")
    await wa_sandbox.control.advance(1)
    await wa_sandbox.control.reset()
    assert await _journal(wa_sandbox) == []


@pytest.mark.wa_sandbox(allowed_hosts="sandbox.example.com, .corp.example.com", allowed_origins="http://app.test:3000")
async def test_configured_hosts_and_origins_are_accepted(wa_sandbox):
    for host in ("sandbox.example.com", "corp.example.com", "api.corp.example.com:8080", "sandbox.test"):
        status, _ = await _raw(wa_sandbox, "GET", "/_sandbox/health", headers={"Host": host})
        assert status == 200, host
    status, _ = await _raw(wa_sandbox, "GET", "/_sandbox/health", headers={"Host": "other.example.com"})
    assert status == 403
    status, _ = await _raw(wa_sandbox, "POST", "/_sandbox/inbound", data=INBOUND,
                           headers={"Content-Type": "application/json", "Origin": "http://app.test:3000"})
    assert status == 201


@pytest.mark.wa_sandbox(allowed_hosts="*")
async def test_a_star_accepts_any_host_but_still_checks_origin(wa_sandbox):
    status, _ = await _raw(wa_sandbox, "GET", "/_sandbox/health", headers={"Host": "anything.example.com"})
    assert status == 200
    status, _ = await _raw(wa_sandbox, "POST", "/_sandbox/reset", headers={"Origin": ATTACKER})
    assert status == 403


# --- the pieces -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "control"), [
    ("/_sandbox", True), ("/_sandbox/reset", True), ("/_sandbox/inbox/api/media/meta/1", True),
    ("/w/team-a/_sandbox/reset", True), ("/w/team-a/v23.0/1/messages", False), ("/w/", False),
    ("/_sandboxes", False), ("/v23.0/1/messages", False), ("/", False),
])
def test_is_control_path_sees_workspace_prefixes(path, control):
    assert is_control_path(path) is control


@pytest.mark.parametrize(("authority", "name"), [
    ("Sandbox:8080", "sandbox"), ("[::1]:8080", "::1"), ("localhost.", "localhost"), ("::1", "::1"),
])
def test_host_name_strips_port_brackets_and_trailing_dot(authority, name):
    assert host_name(authority) == name


def test_the_public_url_and_bound_name_are_the_sandboxs_own():
    guard = SameOrigin.from_settings(Settings(host="devbox.lan", public_url="https://sandbox.ngrok.app"))
    assert guard.allows_host("devbox.lan:8080") and guard.allows_host("sandbox.ngrok.app")
    assert not guard.allows_host("other.ngrok.app")
    assert guard._own_origin("https://sandbox.ngrok.app", "127.0.0.1:8080")


def test_host_verdicts_are_remembered_up_to_a_bound():
    guard = SameOrigin.from_settings(Settings())
    for n in range(1000):
        guard.allows_host(f"h{n}.attacker.example.com")
    assert len(guard.verdicts) == 256


async def test_a_typed_body_that_is_not_json_is_415(wa_sandbox):
    status, _ = await _raw(wa_sandbox, "POST", "/_sandbox/inbound", data=INBOUND, headers={"Content-Type": "application/xml"})
    assert status == 415
