"""SMSGlobal OTP (/v2/otp): send, validate and cancel, by requestId or destination.

Sources: reference providers.md §A4 (paths: Node ``lib/api/Otp.js``, .NET ``Transport/Rest.cs``) and
§A5 (the 400 bodies), the OTP object and rules of https://www.smsglobal.com/otp-api/ ("code length 4
to 10 digits", "expiry time 60 - 600 seconds", "only one valid OTP (the latest one) at a time, per
destination number per API key", cancel "if it's not expired and verified yet"), and the Node SDK's
tests (``test/Otp.spec.js``: 400 ``{"error": "The input code does not match…"}``, 404 when not found).
The first tests drive the official npm SDK; the rest use a signed aiohttp client.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
from pathlib import Path
from typing import Any

from sandbox.testing.plugin import RunningSandbox
from tests.e2e.test_smsglobal_node_sdk import node_modules  # noqa: F401  (the npm SDK install fixture)
from tests.providers.smsglobal.conftest import KEY, SECRET, SmsglobalClient, load
from tests.reliability.helpers import serving

SCRIPT = Path(__file__).parent / "otp_node.js"
TEMPLATE = "{*code*} is your SMSGlobal verification code."


async def node_otp(node_modules: Path, url: str, method: str, *args: str) -> dict[str, Any]:  # noqa: F811
    env = {**os.environ, "NODE_PATH": str(node_modules)}
    proc = await asyncio.create_subprocess_exec(
        "node", str(SCRIPT), url, KEY, SECRET, method, *args,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=env,
    )
    stdout, stderr = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 0, stderr.decode()
    return dict(json.loads(stdout))


async def sent_code(wa_sandbox: RunningSandbox, destination: str) -> str:
    """What the user reads in the SMS (tests get it from the journal, as the user gets it from the SMS)."""
    message = await wa_sandbox.control.latest(provider="smsglobal", user=destination)
    match = re.match(r"(\d+) is your", message["payload"]["message"])
    assert match, message
    return match.group(1)


# --- through the official npm SDK ---------------------------------------------------------------


async def test_node_sdk_otp_send_then_verify_by_request_id(node_modules: Path, wa_sandbox: RunningSandbox) -> None:  # noqa: F811
    sent = await node_otp(node_modules, wa_sandbox.url, "send", json.dumps({"destination": "61400000321", "message": TEMPLATE}))
    data = sent["ok"]["data"]
    assert (sent["ok"]["statusCode"], data["destination"], data["status"]) == (200, "61400000321", "Sent")
    assert re.fullmatch(r"\d{24}", data["requestId"])
    code = await sent_code(wa_sandbox, "61400000321")
    verified = await node_otp(node_modules, wa_sandbox.url, "verifyByRequestId", data["requestId"], code)
    assert verified["ok"]["data"]["status"] == "Verified"


async def test_node_sdk_otp_wrong_code_is_400_with_error(node_modules: Path, wa_sandbox: RunningSandbox) -> None:  # noqa: F811
    await node_otp(node_modules, wa_sandbox.url, "send", json.dumps({"destination": "61400000322", "message": TEMPLATE}))
    code = await sent_code(wa_sandbox, "61400000322")
    wrong = "0000" if code != "0000" else "1111"
    reply = await node_otp(node_modules, wa_sandbox.url, "verifyByDestination", "61400000322", wrong)
    assert reply["err"]["statusCode"] == 400
    assert reply["err"]["data"] == {"error": "The input code does not match with the code sent to the user."}


async def test_node_sdk_otp_cancel_by_destination(node_modules: Path, wa_sandbox: RunningSandbox) -> None:  # noqa: F811
    await node_otp(node_modules, wa_sandbox.url, "send", json.dumps({"destination": "61400000323", "message": TEMPLATE}))
    reply = await node_otp(node_modules, wa_sandbox.url, "cancelByDestination", "61400000323")
    assert reply["ok"]["data"]["status"] == "Cancelled"


async def test_node_sdk_otp_cancel_unknown_request_is_404(node_modules: Path, wa_sandbox: RunningSandbox) -> None:  # noqa: F811
    reply = await node_otp(node_modules, wa_sandbox.url, "cancelByRequestId", "404372541683676561917558")
    assert reply["err"]["statusCode"] == 404


# --- HTTP details --------------------------------------------------------------------------------


async def send_otp(sg: SmsglobalClient, **body: Any) -> Any:
    reply = await sg.call("POST", "/v2/otp", json_body={"message": TEMPLATE, **body})
    assert reply.status == 200, reply.text
    return reply.json


async def test_otp_object_has_the_documented_fields_and_ten_minute_default_validity(sg: SmsglobalClient) -> None:
    data = await send_otp(sg, destination="61400000331")
    assert set(data) == {"requestId", "destination", "validUnitlTimestamp", "createdTimestamp", "lastEventTimestamp", "status"}
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", data["createdTimestamp"])
    created = data["createdTimestamp"]
    assert (data["lastEventTimestamp"], data["status"]) == (created, "Sent")
    minutes = int(data["validUnitlTimestamp"][14:16]) - int(created[14:16])
    assert minutes % 60 == 10


async def test_otp_sms_replaces_the_placeholder_with_a_code_of_the_asked_length(
    sg: SmsglobalClient, wa_sandbox: RunningSandbox
) -> None:
    await send_otp(sg, destination="61400000332", length=8, origin="MyApp")
    message = await wa_sandbox.control.latest(provider="smsglobal", user="61400000332")
    assert re.fullmatch(r"\d{8} is your SMSGlobal verification code\.", message["payload"]["message"])
    assert message["payload"]["origin"] == "MyApp"


async def test_otp_send_accepts_the_php_sdks_empty_optional_fields(sg: SmsglobalClient) -> None:
    # smsglobal-php Otp::send: origin, codeExpiry, length and messageExpiryDateTime are "" when not given.
    data = await send_otp(sg, destination="61400000333", origin="", codeExpiry="", length="", messageExpiryDateTime="")
    assert data["status"] == "Sent"


async def test_otp_message_without_placeholder_is_400_in_errors_shape(sg: SmsglobalClient) -> None:
    reply = await sg.call("POST", "/v2/otp", json_body={"destination": "61400000334", "message": "no code here"})
    assert reply.status == 400
    assert reply.json == {
        "errors": {"message": {"errors": ["Message template should contain a placeholder for code i.e. {*code*}."]}}
    }


async def test_otp_bad_destination_length_and_expiry_are_400(sg: SmsglobalClient) -> None:
    body = {"destination": "xxxxxxxxxxx", "message": TEMPLATE, "length": 3, "codeExpiry": 601}
    reply = await sg.call("POST", "/v2/otp", json_body=body)
    assert reply.status == 400
    errors = reply.json["errors"]
    assert errors["destination"] == {"errors": ["Destination number 'xxxxxxxxxxx' is invalid."]}
    assert set(errors) == {"destination", "length", "codeExpiry"}


async def test_verify_by_destination_answers_verified_then_refuses_a_second_time(
    sg: SmsglobalClient, wa_sandbox: RunningSandbox
) -> None:
    await send_otp(sg, destination="61400000335")
    code = await sent_code(wa_sandbox, "61400000335")
    first = await sg.call("POST", "/v2/otp/61400000335/validate", json_body={"code": code})
    assert (first.status, first.json["status"]) == (200, "Verified")
    again = await sg.call("POST", "/v2/otp/61400000335/validate", json_body={"code": code})
    assert again.status == 400
    assert "already been verified" in again.json["error"]


async def test_verify_after_code_expiry_is_refused(sg: SmsglobalClient, wa_sandbox: RunningSandbox) -> None:
    data = await send_otp(sg, destination="61400000336", codeExpiry=60)
    code = await sent_code(wa_sandbox, "61400000336")
    await wa_sandbox.control.advance(61)
    reply = await sg.call("POST", f"/v2/otp/requestid/{data['requestId']}/validate", json_body={"code": code})
    assert reply.status == 400
    assert "has expired" in reply.json["error"]


async def test_a_newer_otp_makes_the_earlier_one_invalid(sg: SmsglobalClient, wa_sandbox: RunningSandbox) -> None:
    first = await send_otp(sg, destination="61400000337")
    first_code = await sent_code(wa_sandbox, "61400000337")
    await send_otp(sg, destination="61400000337")
    reply = await sg.call("POST", f"/v2/otp/requestid/{first['requestId']}/validate", json_body={"code": first_code})
    assert reply.status == 400
    assert "newer OTP" in reply.json["error"]


async def test_cancelled_otp_cannot_be_verified(sg: SmsglobalClient, wa_sandbox: RunningSandbox) -> None:
    data = await send_otp(sg, destination="61400000338")
    code = await sent_code(wa_sandbox, "61400000338")
    cancelled = await sg.call("POST", f"/v2/otp/requestid/{data['requestId']}/cancel")
    assert (cancelled.status, cancelled.json["status"]) == (200, "Cancelled")
    reply = await sg.call("POST", f"/v2/otp/requestid/{data['requestId']}/validate", json_body={"code": code})
    assert reply.status == 400
    assert "cancelled" in reply.json["error"]


async def test_otp_of_another_account_is_404(sg: SmsglobalClient, wa_sandbox: RunningSandbox) -> None:
    await load(wa_sandbox, """
version: 1
smsglobal:
  accounts:
    - {key: sandbox-key, secret: sandbox-secret}
    - {key: other-key, secret: other-secret}
""")
    data = await send_otp(sg, destination="61400000339")
    sg.key, sg.secret = "other-key", "other-secret"
    reply = await sg.call("GET", f"/v2/otp/{data['requestId']}")
    assert reply.status == 404
    assert reply.json["code"] == 404


async def test_get_otp_by_request_id(sg: SmsglobalClient) -> None:
    data = await send_otp(sg, destination="61400000340")
    reply = await sg.call("GET", f"/v2/otp/{data['requestId']}/")
    assert (reply.status, reply.json) == (200, data)


async def test_otp_sms_is_charged_and_listed_like_any_sms(sg: SmsglobalClient) -> None:
    before = (await sg.call("GET", "/v2/user/credit-balance")).json["balance"]
    await send_otp(sg, destination="61400000341")
    after = (await sg.call("GET", "/v2/user/credit-balance")).json["balance"]
    listed = (await sg.call("GET", "/v2/sms", params={"destination": "61400000341"})).json
    assert round(before - after, 6) == 0.05
    assert listed["total"] == 1


async def test_otp_sent_before_a_kill_9_validates_after_the_restart(tmp_path: Path) -> None:
    # docs/smsglobal.md: the OTP state lives in its SMS's journal message, which --data-dir keeps.
    async with serving(tmp_path, kill=True) as control:
        data = await send_otp(SmsglobalClient(control.base_url, control.session), destination="61400000342")
        message = await control.latest(provider="smsglobal", user="61400000342")
        code = message["payload"]["message"].split()[0]
    async with serving(tmp_path) as control:
        sg = SmsglobalClient(control.base_url, control.session)
        reply = await sg.call("POST", f"/v2/otp/requestid/{data['requestId']}/validate", json_body={"code": code})
        assert (reply.status, reply.json["status"]) == (200, "Verified"), reply.text
