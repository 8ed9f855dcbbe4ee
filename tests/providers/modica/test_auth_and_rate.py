"""HTTP Basic auth per application and the per-application request rate, in every API family."""

from __future__ import annotations

import pytest

from tests.providers.modica.conftest import ModicaClient, basic

SENDS = {
    "v1": ("/rest/gateway/messages", {"destination": "+64211234567", "content": "hi"}),
    "v2": ("/rest/sms/v2/messages", {"destination": "+64211234567", "content": "hi"}),
    "wab": ("/rest/wab/v1/messages", {"to": "+64211234567", "type": "template",
                                      "template": {"name": "t", "language": {"code": "en"}}}),
}
RATE_SCENARIO = """
version: 1
modica:
  applications:
    - {name: sandbox, password: sandbox-secret}
    - {name: other, password: other-secret}
  rate_limit: {per_second: 2, burst: 2}
"""


def error_text(api: str, body: dict) -> tuple[str, str]:
    """(code, text) of an error in the API family's shape."""
    if api == "v1":
        return body["error"], body["error-desc"]
    return str(body["statusCode"]), body["error"]


@pytest.mark.parametrize("api", SENDS)
async def test_missing_credentials_are_401_with_a_basic_challenge(modica: ModicaClient, api):
    path, body = SENDS[api]
    reply = await modica.post(path, body, auth=None)
    assert reply.status == 401 and reply.headers["WWW-Authenticate"].startswith("Basic")
    code, text = error_text(api, reply.body)
    assert code == "401" and "Missing credentials" in text


@pytest.mark.parametrize("api", SENDS)
async def test_wrong_password_is_401(modica: ModicaClient, api):
    path, body = SENDS[api]
    reply = await modica.post(path, body, auth=basic("sandbox", "wrong"))
    assert reply.status == 401 and "Incorrect application name or password" in error_text(api, reply.body)[1]


@pytest.mark.parametrize("header", ["Bearer sandbox-secret", "Basic !!!", "Basic " + "c2FuZGJveA==", "Basic"])
async def test_malformed_authorization_is_401(modica: ModicaClient, header):
    reply = await modica.post(*SENDS["v1"], auth=header)
    assert reply.status == 401 and reply.body["error"] == "401" and "Invalid Authorization header" in reply.body["error-desc"]


async def test_unknown_application_is_401(modica: ModicaClient):
    reply = await modica.post(*SENDS["v1"], auth=basic("nobody", "sandbox-secret"))
    assert reply.status == 401


async def test_get_and_media_need_auth_too(modica: ModicaClient):
    assert (await modica.get("/rest/gateway/messages/1", auth=None)).status == 401
    assert (await modica.get("/rest/sms/v2/messages", params={"id": "x"}, auth=None)).status == 401
    assert (await modica.get("/rest/wab/v1/media", params={"media_id": "x"}, auth=None)).status == 401


@pytest.mark.parametrize("api", SENDS)
async def test_over_the_rate_is_429_with_retry_after(modica: ModicaClient, wa_sandbox, api):
    await wa_sandbox.control.load_scenario(yaml=RATE_SCENARIO)
    path, body = SENDS[api]
    assert [(await modica.post(path, body)).status for _ in range(2)] in ([201, 201], [202, 202], [200, 200])
    reply = await modica.post(path, body)
    assert reply.status == 429 and reply.headers["Retry-After"] == "1"
    code, text = error_text(api, reply.body)
    assert code == "429" and "limited to 2 requests per second" in text


async def test_rate_recovers_as_virtual_time_passes(modica: ModicaClient, wa_sandbox):
    await wa_sandbox.control.load_scenario(yaml=RATE_SCENARIO)
    for _ in range(3):
        await modica.post(*SENDS["v1"])
    await wa_sandbox.control.advance(0.5)
    assert (await modica.post(*SENDS["v1"])).status == 201


async def test_rate_is_per_application(modica: ModicaClient, wa_sandbox):
    await wa_sandbox.control.load_scenario(yaml=RATE_SCENARIO)
    for _ in range(3):
        await modica.post(*SENDS["v1"])
    assert (await modica.post(*SENDS["v1"], auth=basic("other", "other-secret"))).status == 201


async def test_rejected_auth_does_not_spend_the_rate(modica: ModicaClient, wa_sandbox):
    await wa_sandbox.control.load_scenario(yaml=RATE_SCENARIO)
    for _ in range(3):
        await modica.post(*SENDS["v1"], auth=basic("sandbox", "wrong"))
    assert (await modica.post(*SENDS["v1"])).status == 201


async def test_provider_reset_refills_the_rate(modica: ModicaClient, wa_sandbox):
    await wa_sandbox.control.load_scenario(yaml=RATE_SCENARIO)
    for _ in range(3):
        await modica.post(*SENDS["v1"])
    await wa_sandbox.control.reset("modica")
    assert (await modica.post(*SENDS["v1"])).status == 201
