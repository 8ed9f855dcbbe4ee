"""hypothesis-generated bodies against every endpoint that reads a body: random nested JSON, a valid body
with one value swapped for a value of another type, huge strings, unicode (lone surrogates included),
deep nesting, non-JSON bytes, each under any declared content type (and valid bodies as urlencoded
and multipart forms); and the Resumable Upload API's raw chunks with any ``file_offset``.
Each answer: below 500, in time, in the provider's own error shape."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any
from urllib.parse import urlencode

import pytest
import requests
from hypothesis import given
from hypothesis import strategies as st

from sandbox.settings import Settings
from sandbox.testing.plugin import RunningSandbox
from tests.fuzz.harness import (
    FUZZ,
    REQUEST_TIMEOUT,
    TARGETS,
    assert_healthy,
    check_response,
    fuzz_routes,
    json_paths,
    request_and_check,
)

PHONE, WABA, APP = "100000000000001", "200000000000001", "987654321012345"  # APP: any id the sandbox plays as an app

# (target, method, path, a valid body): the valid body is the seed that "one wrong value" mutates.
ENDPOINTS: list[tuple[str, str, str, dict[str, Any]]] = [
    ("control", "POST", "/_sandbox/reset", {"provider": "meta"}),
    ("control", "POST", "/_sandbox/scenarios/load", {"name": "default", "reset": True}),
    ("control", "POST", "/_sandbox/messages/wamid.unknown/status", {"status": "delivered"}),
    ("control", "POST", "/_sandbox/inbound", {"from": "+15551234567", "type": "text", "text": "hi"}),
    ("control", "PUT", "/_sandbox/webhooks/targets/meta", {"url": None}),
    ("control", "PUT", "/_sandbox/chaos", {"shuffle": False, "duplicate_probability": 0}),
    ("control", "POST", "/_sandbox/clock", {"speed": 1000}),
    ("control", "POST", "/_sandbox/clock/advance", {"seconds": 1}),
    ("meta", "POST", f"/v23.0/{PHONE}/messages",
     {"messaging_product": "whatsapp", "to": "+15550200001", "type": "text", "text": {"body": "hello"}}),
    ("meta", "POST", f"/v23.0/{PHONE}/messages",
     {"messaging_product": "whatsapp", "to": "+15550200001", "type": "template",
      "template": {"name": "order_update", "language": {"code": "en_US"},
                   "components": [{"type": "body", "parameters": [{"type": "text", "text": "a"}]}]}}),
    ("meta", "POST", f"/v23.0/{WABA}/message_templates",
     {"name": "fuzz_tpl", "language": "en_US", "category": "UTILITY", "components": [{"type": "BODY", "text": "Hi"}]}),
    ("meta", "POST", f"/v23.0/{PHONE}", {"components": [{"type": "BODY", "text": "Hi"}]}),
    ("meta", "POST", f"/{PHONE}", {"webhook_configuration": {"override_callback_uri": "", "verify_token": "t"}}),
    ("meta", "POST", f"/v23.0/{PHONE}/whatsapp_business_profile",
     {"messaging_product": "whatsapp", "about": "Hi", "email": "a@example.com", "websites": ["https://a.example"],
      "vertical": "RETAIL", "profile_picture_handle": "4::aW1hZ2UvcG5n:x"}),
    ("meta", "POST", f"/v23.0/{PHONE}/conversational_automation",
     {"enable_welcome_message": True, "prompts": ["Hi"], "commands": [{"command_name": "help", "command_description": "Help"}]}),
    ("meta", "POST", f"/v23.0/{PHONE}/register", {"messaging_product": "whatsapp", "pin": "123456"}),
    ("meta", "POST", f"/v23.0/{PHONE}/request_code", {"code_method": "SMS", "language": "en_US"}),
    ("meta", "POST", f"/v23.0/{PHONE}/verify_code", {"code": "123456"}),
    ("meta", "POST", f"/v23.0/{PHONE}/block_users", {"messaging_product": "whatsapp", "block_users": [{"user": "+15550200001"}]}),
    ("meta", "DELETE", f"/v23.0/{PHONE}/block_users", {"messaging_product": "whatsapp", "block_users": [{"user_id": "US.1"}]}),
    ("meta", "POST", f"/v23.0/{WABA}/subscribed_apps", {"verify_token": "t"}),
    ("meta", "POST", f"/v23.0/{APP}/uploads", {"file_length": 10, "file_type": "image/png", "file_name": "a.png"}),
    ("meta", "POST", f"/v23.0/{PHONE}/message_qrdls", {"prefilled_message": "Hi", "generate_qr_image": "SVG"}),
    ("meta", "POST", f"/v23.0/{PHONE}/message_qrdls/ABCDEFGHIJKLM1", {"prefilled_message": "Hi"}),
    ("meta", "POST", f"/v23.0/{PHONE}/settings", {"payload_encryption": {"status": "enabled", "client_encryption_key": "k"}}),
    ("smsglobal", "POST", "/v2/sms", {"destination": "61400000001", "message": "hello", "origin": "Test"}),
    ("smsglobal", "POST", "/v2/opt-outs", {"optouts": [{"number": "61400000007"}]}),
    ("smsglobal", "POST", "/v2/opt-outs/validate", {"optouts": [{"number": "61400000007"}]}),
    ("smsglobal", "POST", "/v2/whatsapp", {"to": ["61400000001"], "message": {"type": "text", "text": "hi"}}),
    ("smsglobal", "POST", "/v2/whatsapp/opt-in", {"opt-in": [{"name": "Ana", "number": "61400000001"}]}),
    ("smsglobal", "POST", "/v2/whatsapp/capability", {"numbers": ["61400000001"]}),
    ("smsglobal", "POST", "/v2/otp", {"destination": "61400000009", "message": "Code {*code*}", "length": 6, "codeExpiry": 600}),
    ("smsglobal", "POST", "/v2/otp/61400000009/validate", {"code": "123456"}),
    ("smsglobal", "POST", "/v2/otp/requestid/1234/validate", {"code": "123456"}),
    ("maac", "POST", "/openapi/v1/pnp/message/push/",
     {"pnp_setting_id": 1, "data": {"phone_number": "+15550200001", "pnp": {}, "sms": {},
                                    "whatsapp": {"template_name": "text_template_1", "language": "en",
                                                 "template_data": {"header": {"parameters": [{"type": "text", "text": "a"}]},
                                                                   "body": {"parameters": [{"type": "text", "text": "b"}]}}}}}),
    ("maac", "POST", "/openapi/v1/pnp/message/multicast/",
     {"pnp_setting_id": 1, "data": [{"phone_number": "+15550200001", "pnp": {}, "sms": {}}]}),
    ("modica", "POST", "/rest/gateway/messages", {"destination": "+64211234567", "content": "hello"}),
    ("modica", "POST", "/rest/gateway/messages/broadcast", {"destination": ["+64211234567"], "content": "hello"}),
    ("modica", "POST", "/rest/sms/v2/messages", {"destination": "+64211234567", "content": "hello"}),
    ("modica", "POST", "/rest/wab/v1/messages", {"to": "+64211234567", "type": "text", "text": {"body": "hello"}}),
    ("modica", "POST", "/rest/wab/v1/messages/broadcast",
     {"destination": ["+64211234567"], "type": "location", "location": {"latitude": -36.8, "longitude": 174.7}}),
]

# JSON values of every type: big and small numbers, unicode (lone surrogates too) and huge strings.
SCALARS = (
    st.none() | st.booleans() | st.integers() | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(st.characters(codec=None), max_size=40)
    | st.text(alphabet="a\u00e9\u4e2d\U0001f600", min_size=5_000, max_size=70_000)
)
JSON_VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4), max_leaves=12)


def _replace(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    copy = dict(value) if isinstance(value, dict) else list(value)
    copy[path[0]] = _replace(value[path[0]], path[1:], new)
    return copy


def _mutated(valid: dict[str, Any]) -> st.SearchStrategy[Any]:
    """The valid body with one value (at any depth) replaced by an arbitrary JSON value."""
    return st.tuples(st.sampled_from(json_paths(valid)[1:]), JSON_VALUES).map(lambda pn: _replace(valid, pn[0], pn[1]))


def _encoded(value: Any) -> bytes:
    return json.dumps(value).encode("utf-8", "surrogatepass")  # NaN/Infinity stay literals, as sloppy clients send


def _bodies(valid: dict[str, Any]) -> st.SearchStrategy[bytes]:
    deep = st.integers(min_value=50, max_value=100_000).map(lambda n: b'{"a":' * n + b"1" + b"}" * n)
    deep_list = st.integers(min_value=50, max_value=100_000).map(lambda n: b"[" * n + b"]" * n)
    return st.one_of(
        _mutated(valid).map(_encoded),
        JSON_VALUES.map(_encoded),
        st.dictionaries(st.sampled_from(sorted(valid)) | st.text(max_size=8), JSON_VALUES, max_size=6).map(_encoded),
        deep, deep_list,
        st.binary(max_size=200),
    )


# Declared content types: a client may send a JSON body under any of them, or none; and Graph, SMSGlobal
# and Modica read forms (urlencoded or multipart) on some routes.
MULTIPART = "multipart/form-data; boundary=XYZ"
CONTENT_TYPES = ("application/json", "application/x-www-form-urlencoded", MULTIPART, "text/plain",
                 "application/xml", "application/json; charset=latin-1", None)


def _form_fields(value: dict[str, Any]) -> list[tuple[str, str]]:
    """A body as form fields, nested values as JSON strings (Graph's form convention)."""
    return [(k, v if isinstance(v, str) else json.dumps(v)) for k, v in value.items()]


def _multipart(value: dict[str, Any]) -> bytes:
    parts = [f'--XYZ\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n' for k, v in _form_fields(value)]
    return ("".join(parts) + "--XYZ--\r\n").encode("utf-8", "surrogatepass")


def _requests(valid: dict[str, Any]) -> st.SearchStrategy[tuple[str | None, bytes]]:
    """(Content-Type, body): mostly JSON bodies as JSON, then any body under any declared type, then the
    valid body with one value swapped sent as a urlencoded or multipart form."""
    form = _mutated(valid).filter(lambda v: isinstance(v, dict))
    return st.one_of(
        st.tuples(st.just("application/json"), _bodies(valid)),
        st.tuples(st.sampled_from(CONTENT_TYPES), _bodies(valid)),
        form.map(lambda v: ("application/x-www-form-urlencoded",
                            urlencode(_form_fields(v)).encode("utf-8", "surrogatepass"))),
        form.map(lambda v: (MULTIPART, _multipart(v))),
    )


def _fuzz_endpoint(base_url: str, target: str, method: str, path: str, valid: dict[str, Any]) -> None:
    session = requests.Session()
    auth = TARGETS[target].auth

    @FUZZ
    @given(request=_requests(valid))
    def run(request: tuple[str | None, bytes]) -> None:
        ctype, body = request
        request_and_check(session, method, base_url, path, body, auth=auth,
                          headers={"Content-Type": ctype} if ctype else {})

    run()


@pytest.fixture
def wa_sandbox_settings() -> Settings:
    return Settings(clock="real", clock_speed=1000, seed="fuzz", webhook_timeout=0.5, media_fetch_links=False)


@pytest.mark.parametrize("target", sorted(TARGETS))
async def test_generated_bodies_never_fail(wa_sandbox: RunningSandbox, target: str, caplog: Any) -> None:
    await fuzz_routes(wa_sandbox.url, caplog, ENDPOINTS, target, _fuzz_endpoint)


# A chunk's file_offset: none, the session's own (read back with GET first), any integer, or any text
# aiohttp's parser lets through (a control character is its own bare 400 before any handler, like an
# oversize header line: docs/reliability-fuzz.md).
OFFSETS = (st.none() | st.just("current") | st.integers(-5, 200).map(str)
           | st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E) | st.sampled_from("\u00e9\u00a0"), max_size=12))
UPLOAD_LENGTH = 64


def _fuzz_upload_chunks(base_url: str) -> None:
    """One upload session of 64 bytes, then generated chunks: short, exact, past file_length, repeated."""
    session = requests.Session()
    session.headers["Authorization"] = "OAuth sandbox-token"
    opened = session.post(f"{base_url}/v23.0/{APP}/uploads", timeout=REQUEST_TIMEOUT,
                          params={"file_length": UPLOAD_LENGTH, "file_type": "image/png", "file_name": "a.png"})
    assert opened.status_code == 200, opened.text
    url = f"{base_url}/{opened.json()['id']}"

    @FUZZ
    @given(offset=OFFSETS, chunk=st.binary(max_size=100))
    def run(offset: str | None, chunk: bytes) -> None:
        if offset == "current":
            offset = str(session.get(url, timeout=REQUEST_TIMEOUT).json()["file_offset"])
        headers = {} if offset is None else {"file_offset": offset}
        try:
            response = session.post(url, data=chunk, headers=headers, timeout=REQUEST_TIMEOUT)
        except requests.Timeout as exc:
            raise AssertionError(f"no answer within {REQUEST_TIMEOUT} s: POST {url}") from exc
        except ValueError:
            return  # requests refuses a header value it cannot send (a newline...): nothing reached the sandbox
        check_response(url, response.status_code, response.headers.get("Content-Type", ""), response.text)

    run()


async def test_generated_upload_chunks_never_fail(wa_sandbox: RunningSandbox, caplog: Any) -> None:
    caplog.set_level(logging.ERROR)
    await asyncio.to_thread(_fuzz_upload_chunks, wa_sandbox.url)
    assert not [r.getMessage() for r in caplog.records if r.exc_info]
    await asyncio.to_thread(assert_healthy, wa_sandbox.url)
