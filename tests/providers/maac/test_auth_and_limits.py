"""Authorization (403 as MAAC answers it) and the documented rate limits (429)."""

from __future__ import annotations

import pytest

from sandbox.testing.plugin import RunningSandbox

from .conftest import MULTICAST, PUSH, call, push, report, seed_body

pytestmark = pytest.mark.asyncio
FORBIDDEN = "You do not have permission to perform this action"


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong-token"}, {"Authorization": "sandbox-maac-token"}, {"Authorization": "Basic c2FuZGJveA=="}],
    ids=["missing", "unknown-token", "no-scheme", "basic"],
)
async def test_push_without_a_valid_bearer_token_is_403_text(wa_sandbox: RunningSandbox, headers: dict) -> None:
    answer = await push(wa_sandbox, seed_body("Text Header"), headers=headers)
    assert (answer.status, answer.content_type, answer.text) == (403, "text/plain", FORBIDDEN)


async def test_report_with_unknown_token_is_403_json_detail(wa_sandbox: RunningSandbox) -> None:
    answer = await call(
        wa_sandbox, "GET", "/openapi/v1/pnp/message/", query="pnp_setting_id=1", headers={"Authorization": "Bearer nope"}
    )
    assert (answer.status, answer.json) == (403, {"detail": f"{FORBIDDEN}."})


async def test_settings_with_unknown_token_is_403_json_detail(wa_sandbox: RunningSandbox) -> None:
    answer = await call(wa_sandbox, "GET", "/openapi/v1/pnp/setting/", headers={"Authorization": "Bearer nope"})
    assert (answer.status, answer.json) == (403, {"detail": f"{FORBIDDEN}."})


async def test_forbidden_push_creates_no_record(wa_sandbox: RunningSandbox) -> None:
    await push(wa_sandbox, seed_body("Text Header"), headers={"Authorization": "Bearer nope"})
    answer = await report(wa_sandbox, "pnp_setting_id=1&updated_at_min=2000-01-01T00:00Z&updated_at_max=2100-01-01T00:00Z")
    assert answer.json["results"] == []


async def test_scenario_tokens_replace_the_default(wa_sandbox: RunningSandbox) -> None:
    await wa_sandbox.control.load_scenario(yaml="version: 1\nmaac:\n  tokens: [team-token]\n")
    assert (await push(wa_sandbox, seed_body("Text Header"))).status == 403
    answer = await push(wa_sandbox, seed_body("Text Header"), headers={"Authorization": "Bearer team-token"})
    assert answer.status == 200


async def test_push_above_170_per_second_is_429(wa_sandbox: RunningSandbox) -> None:
    body = seed_body("Text Header")
    statuses = [(await push(wa_sandbox, body)).status for _ in range(171)]
    assert statuses[:170] == [200] * 170
    last = await push(wa_sandbox, body)
    assert last.status == 429
    assert last.json["detail"].startswith("Request was throttled.")


async def test_push_rate_refills_after_a_second(wa_sandbox: RunningSandbox) -> None:
    body = seed_body("Text Header")
    for _ in range(170):
        await push(wa_sandbox, body)
    assert (await push(wa_sandbox, body)).status == 429
    await wa_sandbox.control.advance(1)
    assert (await push(wa_sandbox, body)).status == 200


async def test_multicast_above_10_per_second_is_429(wa_sandbox: RunningSandbox) -> None:
    body = {"pnp_setting_id": 1, "data": [{"phone_number": "+15550300001", "pnp": {}, "sms": {}}]}
    statuses = [(await call(wa_sandbox, "POST", MULTICAST, json_body=body)).status for _ in range(11)]
    assert statuses == [200] * 10 + [429]


async def test_throttled_push_says_when_to_retry(wa_sandbox: RunningSandbox) -> None:
    await wa_sandbox.control.load_scenario(yaml="version: 1\nmaac:\n  rate_limits: {push: 1}\n")
    await push(wa_sandbox, seed_body("Text Header"))
    answer = await call(wa_sandbox, "POST", PUSH, json_body=seed_body("Text Header"))
    assert answer.status == 429
    assert answer.json == {"detail": "Request was throttled. Expected available in 1 second."}
