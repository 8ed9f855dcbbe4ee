"""Control inputs are checked against the OpenAPI description the sandbox serves (validation.py): the
type, enum and range mistakes that used to pass (``{"now": false}`` set the clock to 1970) are a 400
naming the field, and the documented inputs still pass."""

from __future__ import annotations

from typing import Any

import pytest

from sandbox.control.routes import ROUTES
from sandbox.control.validation import OPERATIONS
from sandbox.testing.plugin import RunningSandbox


async def call(wa_sandbox: RunningSandbox, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    async with wa_sandbox.control.session.request(method, f"{wa_sandbox.url}/_sandbox{path}", json=body) as resp:
        return resp.status, await resp.json()


@pytest.mark.parametrize(("method", "path", "body", "words"), [
    ("POST", "/clock", {"now": False}, "'now' must be a number, got false"),
    ("POST", "/clock", {"speed": True}, "'speed' must be a number, got true"),
    ("POST", "/clock", {"mode": "fast"}, "'mode' must be one of \"real\", \"manual\", got \"fast\""),
    ("POST", "/clock", {"now": -1}, "'now' must be at least 0"),
    ("POST", "/clock/advance", {"seconds": "5"}, "'seconds' must be a number, got \"5\""),
    ("PUT", "/chaos", {"shuffle": "yes"}, "'shuffle' must be a boolean"),
    ("POST", "/scenarios/load", {"name": "default", "reset": "no"}, "'reset' must be a boolean"),
    ("POST", "/scenarios/load", {"reset": False}, "give name (a scenario file"),
    ("POST", "/messages/wamid.x/status", {"status": "delivered", "error": 5}, "'error': a reason string"),
    ("POST", "/inbound", {"from": "abc", "type": "text", "text": "hi"}, "'from' is not a phone number"),
    ("PUT", "/webhooks/targets/meta", {"url": 5}, "'url' must be a string or null, got 5"),
    ("GET", "/webhooks?state=done", None, "'state' must be one of \"pending\", \"delivered\", \"failed\", got \"done\""),
    ("GET", "/messages?limit=1.5", None, "'limit' must be an integer, got \"1.5\""),
    ("GET", "/messages?direction=sideways", None, "'direction' must be one of"),
    ("GET", "/wait/messages?timeout=nan", None, "'timeout' must be a number, got \"nan\""),
])
async def test_an_input_the_description_rules_out_is_400_naming_the_field(wa_sandbox: RunningSandbox, method: str,
                                                                          path: str, body: Any, words: str):
    before = await wa_sandbox.control.clock()
    status, answer = await call(wa_sandbox, method, path, body)
    assert status == 400 and words in answer["error"]["message"], answer
    assert (await wa_sandbox.control.clock())["now"] >= before["now"]  # nothing was applied


@pytest.mark.parametrize(("method", "path", "body"), [
    ("POST", "/scenarios/load", {"name": "default", "yaml": None, "reset": False}),  # the Python client's body
    ("PUT", "/webhooks/targets/meta", {"url": None, "verify": False}),
    ("PUT", "/webhooks/targets/smsglobal", {"notifyUrl": None, "format": "form"}),
    ("POST", "/clock", {"mode": "manual", "speed": 2, "now": 1_700_000_000}),
    ("POST", "/clock/advance?seconds=1", None),  # the query form, without a body
    ("POST", "/reset", {"provider": None}),
])
async def test_documented_inputs_are_accepted(wa_sandbox: RunningSandbox, method: str, path: str, body: Any):
    status, answer = await call(wa_sandbox, method, path, body)
    assert status == 200, answer


async def test_a_clock_move_past_year_9999_is_409_not_infinity(wa_sandbox: RunningSandbox):
    status, answer = await call(wa_sandbox, "POST", "/clock/advance", {"seconds": 253402300799})
    assert status == 409 and "9999-12-31" in answer["error"]["message"]
    assert (await wa_sandbox.control.clock())["now"] < 253402300799


def test_every_control_route_with_a_body_is_described():
    """A route added to the control API without a description would go unchecked."""
    for route in ROUTES:
        if route.method in ("POST", "PUT"):  # type: ignore[attr-defined]
            assert (route.method, route.path) in OPERATIONS, route  # type: ignore[attr-defined]
