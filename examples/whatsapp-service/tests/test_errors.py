"""Configuration mistakes and Graph API failures reach the caller as clear JSON errors."""

from __future__ import annotations

import pytest

from whatsapp_service.config import Config, ConfigError

HELLO = {"phoneNumber": "+15550200001", "content": "hello"}


def test_missing_configuration_is_named():
    with pytest.raises(ConfigError, match="WABA_ID, APP_SECRET"):
        Config.from_env({"WHATSAPP_TOKEN": "t", "PHONE_NUMBER_ID": "1", "VERIFY_TOKEN": "v"})


def test_graph_api_base_defaults_to_meta():
    env = {"WHATSAPP_TOKEN": "t", "PHONE_NUMBER_ID": "1", "WABA_ID": "2", "APP_SECRET": "s", "VERIFY_TOKEN": "v"}
    assert Config.from_env(env).graph_api_base == "https://graph.facebook.com/v23.0"


async def test_a_wrong_access_token_answers_422_with_metas_code_190(start_service):
    service = await start_service(WHATSAPP_TOKEN="expired-token")
    status, answer = await service.call("POST", "/api/whatsapp/send", HELLO)
    assert status == 422
    assert answer["error"]["code"] == 190
    assert "access token" in answer["error"]["message"]


async def test_an_unreachable_graph_api_answers_502(start_service, unused_tcp_port):
    service = await start_service(GRAPH_API_BASE=f"http://127.0.0.1:{unused_tcp_port}/v23.0")
    status, answer = await service.call("POST", "/api/whatsapp/send", HELLO)
    assert status == 502
    assert answer["error"]["code"] == "whatsapp_unavailable"
