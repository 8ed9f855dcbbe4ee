"""Rate limits on the manual clock: throughput (130429), pair rate (131056), test-number allow list (131030)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import PHONE_ID, send


def text_to(to: str) -> dict[str, Any]:
    return {"messaging_product": "whatsapp", "to": to, "type": "text", "text": {"body": "hi"}}


def configure(wa_sandbox: Any, **limits: Any) -> None:
    wa_sandbox.runtime.meta_platform.limits.load({PHONE_ID: limits})


async def test_81st_message_in_one_second_is_130429(wa_sandbox):
    configure(wa_sandbox, pair_burst=0)
    for i in range(80):
        status, _ = await send(wa_sandbox, text_to(f"1555030{i:04d}"))
        assert status == 200
    status, reply = await send(wa_sandbox, text_to("15550309999"))
    error = reply["error"]
    assert status == 400 and error["code"] == 130429 and error["message"] == "(#130429) Rate limit hit"
    assert error["error_data"]["details"] == "Cloud API message throughput has been reached."


async def test_throughput_refills_as_the_clock_moves(wa_sandbox):
    configure(wa_sandbox, throughput=2, pair_burst=0)
    await send(wa_sandbox, text_to("15550300001"))
    await send(wa_sandbox, text_to("15550300002"))
    assert (await send(wa_sandbox, text_to("15550300003")))[0] == 400
    await wa_sandbox.control.advance(0.5)
    assert (await send(wa_sandbox, text_to("15550300003")))[0] == 200


async def test_46th_message_to_one_user_is_131056(wa_sandbox):
    for _ in range(45):
        assert (await send(wa_sandbox, text_to("15550200001")))[0] == 200
        await wa_sandbox.control.advance(0.05)  # stay under 80 mps
    status, reply = await send(wa_sandbox, text_to("15550200001"))
    assert status == 400 and reply["error"]["code"] == 131056
    assert reply["error"]["message"] == "(#131056) (Business Account, Consumer Account) pair rate limit hit"


async def test_pair_rate_allows_one_more_message_after_six_seconds(wa_sandbox):
    configure(wa_sandbox, pair_every=6, pair_burst=1)
    assert (await send(wa_sandbox, text_to("15550200001")))[0] == 200
    assert (await send(wa_sandbox, text_to("15550200001")))[1]["error"]["code"] == 131056
    assert (await send(wa_sandbox, text_to("15550200002")))[0] == 200  # another user is not limited
    await wa_sandbox.control.advance(6)
    assert (await send(wa_sandbox, text_to("15550200001")))[0] == 200


async def test_test_number_refuses_recipients_outside_its_allow_list(wa_sandbox):
    configure(wa_sandbox, allowed_recipients=["+15550200001"])
    assert (await send(wa_sandbox, text_to("+1 555 020 0001")))[0] == 200
    status, reply = await send(wa_sandbox, text_to("15550200002"))
    assert status == 400 and reply["error"]["code"] == 131030 and reply["error"]["error_subcode"] == 2655007
    assert reply["error"]["message"] == "(#131030) Recipient phone number not in allowed list"


def test_allow_list_keeps_at_most_five_numbers(wa_sandbox):
    configure(wa_sandbox, allowed_recipients=[f"+1555020000{i}" for i in range(1, 8)])
    limits = wa_sandbox.runtime.meta_platform.limits._for(PHONE_ID, 1)
    assert limits.allowed is not None and len(limits.allowed) == 5


@pytest.mark.parametrize("yaml_limits", ['"*": {throughput: 1}', '"100000000000001": {throughput: 1}'])
async def test_limits_come_from_the_scenario(wa_sandbox, yaml_limits):
    scenario = f"""
version: 1
meta:
  businesses:
    - {{phone_number_id: "{PHONE_ID}", waba_id: "200000000000001", display_phone_number: "+1 555-010-0001"}}
  limits:
    {yaml_limits}
"""
    await wa_sandbox.control.load_scenario(yaml=scenario)
    assert (await send(wa_sandbox, text_to("15550300001")))[0] == 200
    assert (await send(wa_sandbox, text_to("15550300002")))[1]["error"]["code"] == 130429


def text_to_bsuid(bsuid: str) -> dict[str, Any]:
    return {"messaging_product": "whatsapp", "recipient": bsuid, "type": "text", "text": {"body": "hi"}}


async def test_sends_by_number_and_by_bsuid_share_the_users_pair_rate(wa_sandbox):
    configure(wa_sandbox, pair_every=6, pair_burst=1)
    assert (await send(wa_sandbox, text_to("15550200001")))[0] == 200
    status, reply = await send(wa_sandbox, text_to_bsuid("US.10000000000000000001"))  # the same person (Ana)
    assert status == 400 and reply["error"]["code"] == 131056


async def test_allow_list_admits_a_bsuid_of_an_allowed_number(wa_sandbox):
    configure(wa_sandbox, allowed_recipients=["+15550200001"])
    assert (await send(wa_sandbox, text_to_bsuid("US.10000000000000000001")))[0] == 200
    assert (await send(wa_sandbox, text_to_bsuid("US.99999999999999999999")))[1]["error"]["code"] == 131030
