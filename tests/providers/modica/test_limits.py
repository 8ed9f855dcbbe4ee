"""Edge paths: oversize bodies and unexpected failures still answer in Modica's shapes."""

from __future__ import annotations

import pytest

from sandbox.settings import Settings
from tests.providers.modica.conftest import ModicaClient


@pytest.fixture
def wa_sandbox_settings() -> Settings:
    return Settings(clock="manual", seed="pytest", max_body_bytes=2048)


async def test_oversize_body_is_413_in_v1_shape(modica: ModicaClient):
    reply = await modica.post("/rest/gateway/messages", {"destination": "+64211234567", "content": "x" * 4000})
    assert reply.status == 413 and reply.body["error"] == "413"
    assert "larger than the 2048 bytes" in reply.body["error-desc"]


async def test_oversize_media_upload_is_413_in_wab_shape(modica: ModicaClient):
    reply = await modica.post("/rest/wab/v1/media", data=b"x" * 4096, headers={"Content-Type": "image/png"},
                              params={"source": "6421555000"})
    assert reply.status == 413 and reply.body["statusCode"] == 413


async def test_unexpected_failure_is_500_in_v2_shape(modica: ModicaClient, wa_sandbox, monkeypatch):
    def broken(id_format: str) -> str:
        raise RuntimeError("boom")

    monkeypatch.setattr(wa_sandbox.runtime.modica, "new_id", broken)
    reply = await modica.post("/rest/sms/v2/messages", {"destination": "+64211234567", "content": "x"})
    assert reply.status == 500 and reply.body["statusCode"] == 500
    assert "unexpected error" in reply.body["error"]
