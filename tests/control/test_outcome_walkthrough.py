"""Living examples: one test per outcome an application must handle (delivered, read, failed, blocked,
fallback to SMS, the user replies), for Meta's Cloud API and for SMS over SMSGlobal (and MAAC's SMS+,
whose fallback is built in), written as a team whose CI runs against the sandbox would write them.

They use only what the README ("Using it from a test suite", "Control API"), docs/smsglobal.md and
docs/maac.md document: the ``wa_sandbox`` and ``webhook_receiver`` fixtures, ``wa_sandbox.control``
(SandboxControl), the default scenario's magic numbers and default credentials. The functions in the
first section play the application under test: each calls the provider's API exactly as an application
would, with only the host changed, and the webhook receiver stands in for the application's endpoint.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import time
from typing import Any
from urllib.parse import urlsplit

import pytest

from sandbox.testing import SandboxControl, WebhookReceiver
from sandbox.testing.client import ControlAPIError
from sandbox.testing.plugin import RunningSandbox
from sandbox.testing.receiver import Received

# Magic numbers of the default scenario (README "Magic numbers"); any other number is delivered and read.
READS = "+15550200001"  # sent 0.2 s, delivered 1 s, read 3 s
DELIVERS = "+15550200002"  # delivered, never read
UNDELIVERABLE = "+15550200003"  # WhatsApp fails with 131026 after 1 s
NOT_ON_WHATSAPP = "+15550200005"  # WhatsApp fails (131026); SMS is delivered
BLOCKED_US = "+15550200006"  # the user blocked the business: WhatsApp fails (131026); SMS is delivered
REPLIES_HI = "+15550200009"  # read, then the user answers "hi" after 5 s
OPTED_OUT = "61400000099"  # SMSGlobal scenario opt-out list
AU_MOBILE = "61400000123"  # no rule: SMS delivered after 1 s

# Default credentials (README "Base URLs and default credentials").
META_TOKEN, META_APP_SECRET, PHONE_NUMBER_ID = "sandbox-token", "sandbox-app-secret", "100000000000001"
SMSGLOBAL_KEY, SMSGLOBAL_SECRET = "sandbox-key", "sandbox-secret"
MAAC_TOKEN = "sandbox-maac-token"


# --- the application under test ------------------------------------------------------------------


async def send_whatsapp(sandbox: RunningSandbox, to: str, text: str) -> str:
    """Cloud API text send; answers the wamid."""
    url = f"{sandbox.base_urls['meta']}/{PHONE_NUMBER_ID}/messages"
    body = {"messaging_product": "whatsapp", "to": to, "type": "text", "text": {"body": text}}
    async with sandbox.control.session.post(url, json=body, headers={"Authorization": f"Bearer {META_TOKEN}"}) as resp:
        answer = await resp.json()
        assert resp.status == 200, answer
        return str(answer["messages"][0]["id"])


NONCES = itertools.count(1)


def smsglobal_mac(method: str, path: str, base_url: str) -> str:
    """MAC header as docs/smsglobal.md "MAC authentication" describes (what the official SDKs sign)."""
    ts, nonce, where = int(time.time()), f"walk{next(NONCES)}", urlsplit(base_url)
    signed = f"{ts}\n{nonce}\n{method}\n{path}\n{where.hostname}\n{where.port}\n\n"
    mac = base64.b64encode(hmac.new(SMSGLOBAL_SECRET.encode(), signed.encode(), hashlib.sha256).digest()).decode()
    return f'MAC id="{SMSGLOBAL_KEY}", ts="{ts}", nonce="{nonce}", mac="{mac}"'


async def smsglobal_post(sandbox: RunningSandbox, path: str, body: dict[str, Any]) -> dict[str, Any]:
    url = sandbox.base_urls["smsglobal"] + path
    headers = {"Authorization": smsglobal_mac("POST", urlsplit(url).path, sandbox.url)}
    async with sandbox.control.session.post(url, json=body, headers=headers) as resp:
        answer = await resp.json()
        assert resp.status == 200, answer
        return dict(answer)


async def send_sms(sandbox: RunningSandbox, to: str, text: str) -> str:
    """SMSGlobal SMS send; answers the message id (the journal's id too)."""
    answer = await smsglobal_post(sandbox, "/sms", {"destination": to, "message": text})
    return str(answer["messages"][0]["id"])


async def push_sms_plus(sandbox: RunningSandbox, phone: str) -> int:
    """MAAC SMS+ push (WhatsApp template first, SMS fallback); answers the pnp_message_id."""
    url = f"{sandbox.base_urls['maac']}/openapi/v1/pnp/message/push/"
    whatsapp = {"template_name": "text_template_1", "language": "en",
                "template_data": {"header": {"parameters": [{"type": "text", "text": "Order"}]},
                                  "body": {"parameters": ["A-1 shipped"]}}}
    body = {"pnp_setting_id": 1, "data": {"phone_number": phone, "pnp": {}, "sms": {}, "whatsapp": whatsapp}}
    async with sandbox.control.session.post(url, json=body, headers={"Authorization": f"Bearer {MAAC_TOKEN}"}) as resp:
        assert resp.status == 200, await resp.text()  # MAAC's errors are text/plain
        return int((await resp.json())["id"])


def meta_value(post: Received) -> dict[str, Any]:
    """The ``value`` of a Meta webhook (README "Webhooks": one event per POST)."""
    assert post.signature_valid(META_APP_SECRET)
    return dict(post.json["entry"][0]["changes"][0]["value"])


def meta_statuses(receiver: WebhookReceiver, wamid: str) -> list[dict[str, Any]]:
    return [s for p in receiver.posts for s in meta_value(p).get("statuses", []) if s["id"] == wamid]


async def listen(control: SandboxControl, receiver: WebhookReceiver) -> None:
    await control.set_webhook(receiver.url)  # Meta: handshake with the receiver's verify token first
    await control.set_webhook(receiver.url, provider="smsglobal")  # notifyUrl (DLRs) and incomingUrl (MO)
    await control.set_webhook(receiver.url, provider="maac")


# --- Meta Cloud API ------------------------------------------------------------------------------


async def test_meta_delivered(wa_sandbox: RunningSandbox, webhook_receiver: WebhookReceiver) -> None:
    await listen(wa_sandbox.control, webhook_receiver)
    wamid = await send_whatsapp(wa_sandbox, DELIVERS, "Your order shipped")
    await wa_sandbox.control.advance(1)  # manual clock; returns once the webhooks were attempted
    assert [s["status"] for s in meta_statuses(webhook_receiver, wamid)] == ["sent", "delivered"]
    assert (await wa_sandbox.control.message(wamid))["status"] == "delivered"


async def test_meta_read(wa_sandbox: RunningSandbox, webhook_receiver: WebhookReceiver) -> None:
    await listen(wa_sandbox.control, webhook_receiver)
    wamid = await send_whatsapp(wa_sandbox, READS, "Your order shipped")
    await wa_sandbox.control.advance(3)
    [read] = await wa_sandbox.control.wait_for_webhook(message_id=wamid, event="status:read")
    assert read["attempts"][-1]["status"] == 200  # the application's endpoint accepted it
    assert meta_statuses(webhook_receiver, wamid)[-1]["status"] == "read"


@pytest.mark.wa_sandbox(clock="real", clock_speed=100)  # a real clock 100x fast: await instead of advance
async def test_meta_read_on_a_real_clock(wa_sandbox: RunningSandbox) -> None:
    wamid = await send_whatsapp(wa_sandbox, READS, "Your order shipped")
    message = await wa_sandbox.control.wait_for_status(wamid, "read", timeout=5)
    assert [h["status"] for h in message["history"]] == ["accepted", "sent", "delivered", "read"]


async def test_meta_failed(wa_sandbox: RunningSandbox, webhook_receiver: WebhookReceiver) -> None:
    await listen(wa_sandbox.control, webhook_receiver)
    wamid = await send_whatsapp(wa_sandbox, UNDELIVERABLE, "Your order shipped")  # the send itself is a 200
    await wa_sandbox.control.advance(1)
    [failed] = meta_statuses(webhook_receiver, wamid)
    assert failed["status"] == "failed" and failed["errors"][0]["code"] == 131026
    assert (await wa_sandbox.control.message(wamid))["history"][-1]["errors"][0]["code"] == 131026


async def test_meta_blocked(wa_sandbox: RunningSandbox, webhook_receiver: WebhookReceiver) -> None:
    # Meta never says a user blocked the business: it is an undeliverable 131026 like any other.
    await listen(wa_sandbox.control, webhook_receiver)
    wamid = await send_whatsapp(wa_sandbox, BLOCKED_US, "Your order shipped")
    await wa_sandbox.control.advance(1)
    [failed] = meta_statuses(webhook_receiver, wamid)
    assert failed["errors"][0]["code"] == 131026
    assert "blocked" in failed["errors"][0]["error_data"]["details"]  # the sandbox's hint, for the developer


async def test_meta_forced_failure_of_any_message(wa_sandbox: RunningSandbox, webhook_receiver: WebhookReceiver) -> None:
    # A failure at the moment the test chooses, for a number without a magic rule.
    await listen(wa_sandbox.control, webhook_receiver)
    wamid = await send_whatsapp(wa_sandbox, "+15550209999", "Your order shipped")
    await wa_sandbox.control.set_status(wamid, "failed", error="blocked")  # or error={"code": 131049}
    assert meta_statuses(webhook_receiver, wamid)[-1]["errors"][0]["code"] == 131026


async def test_meta_failure_falls_back_to_sms(wa_sandbox: RunningSandbox, webhook_receiver: WebhookReceiver) -> None:
    # The application's own fallback: a failed WhatsApp status makes it send the text by SMS.
    await listen(wa_sandbox.control, webhook_receiver)
    wamid = await send_whatsapp(wa_sandbox, NOT_ON_WHATSAPP, "Code 1234")
    await wa_sandbox.control.advance(1)
    if meta_statuses(webhook_receiver, wamid)[-1]["status"] == "failed":  # what the application's handler does
        await send_sms(wa_sandbox, NOT_ON_WHATSAPP, "Code 1234")
    await wa_sandbox.control.advance(1)
    [sms] = await wa_sandbox.control.messages(provider="smsglobal", to=NOT_ON_WHATSAPP)
    assert sms["status"] == "delivered" and sms["payload"]["message"] == "Code 1234"


async def test_meta_user_replies(wa_sandbox: RunningSandbox, webhook_receiver: WebhookReceiver) -> None:
    await listen(wa_sandbox.control, webhook_receiver)
    await send_whatsapp(wa_sandbox, REPLIES_HI, "How was your delivery?")
    await wa_sandbox.control.advance(5)
    [reply] = await wa_sandbox.control.wait_for(to=REPLIES_HI, direction="inbound")
    [post] = [p for p in webhook_receiver.posts if "messages" in meta_value(p)]
    assert meta_value(post)["messages"][0] == reply["payload"]
    assert reply["payload"]["text"] == {"body": "hi"}


async def test_meta_user_replies_to_a_message_when_the_test_says(
    wa_sandbox: RunningSandbox, webhook_receiver: WebhookReceiver
) -> None:
    await listen(wa_sandbox.control, webhook_receiver)
    wamid = await send_whatsapp(wa_sandbox, "+15550209999", "Confirm your slot?")
    await wa_sandbox.control.inject_inbound("+15550209999", type="text", text="Yes", reply_to=wamid)
    [post] = [p for p in webhook_receiver.posts if "messages" in meta_value(p)]
    message = meta_value(post)["messages"][0]
    assert message["text"] == {"body": "Yes"} and message["context"]["id"] == wamid


# --- SMSGlobal (SMS) -----------------------------------------------------------------------------


async def test_sms_delivered(wa_sandbox: RunningSandbox, webhook_receiver: WebhookReceiver) -> None:
    await listen(wa_sandbox.control, webhook_receiver)
    sms_id = await send_sms(wa_sandbox, AU_MOBILE, "Code 1234")
    await wa_sandbox.control.advance(1)
    [receipt] = webhook_receiver.posts  # one receipt per message, final statuses only
    assert receipt.form["id"] == sms_id and receipt.form["status"] == "Delivered"  # form-encoded by default


async def test_sms_read_is_whatsapp_only(wa_sandbox: RunningSandbox) -> None:
    # An SMS is never read (docs/smsglobal.md "Statuses"): the read outcome needs WhatsApp over SMSGlobal.
    sms_id = await send_sms(wa_sandbox, READS, "Code 1234")
    await smsglobal_post(wa_sandbox, "/whatsapp", {"to": [READS.lstrip("+")], "message": "Code 1234"})
    await wa_sandbox.control.advance(3)
    assert (await wa_sandbox.control.message(sms_id))["status"] == "delivered"
    [whatsapp] = await wa_sandbox.control.messages(provider="smsglobal", channel="whatsapp")
    assert whatsapp["status"] == "read"


async def test_sms_failed(wa_sandbox: RunningSandbox, webhook_receiver: WebhookReceiver) -> None:
    # No magic number fails an SMS: the test adds the rule docs/smsglobal.md shows.
    await wa_sandbox.control.load_scenario(yaml="""
version: 1
rules:
  - name: sms-undeliverable
    match: {provider: smsglobal, channel: sms, to: "+61400000666"}
    timeline: [{after: 0.5, status: sent}, {after: 2, status: failed, error: undeliverable}]
""")
    await listen(wa_sandbox.control, webhook_receiver)  # after the load: a load forgets run-time targets
    sms_id = await send_sms(wa_sandbox, "61400000666", "Code 1234")
    await wa_sandbox.control.advance(2)
    [receipt] = webhook_receiver.posts
    assert receipt.form["id"] == sms_id and receipt.form["status"] == "Undelivered"


async def test_sms_blocked_by_an_opt_out(wa_sandbox: RunningSandbox, webhook_receiver: WebhookReceiver) -> None:
    await listen(wa_sandbox.control, webhook_receiver)
    sms_id = await send_sms(wa_sandbox, OPTED_OUT, "Summer sale!")  # accepted, then undelivered at once
    [receipt] = await wa_sandbox.control.wait_for_webhook(message_id=sms_id, event="dlr:")
    assert receipt["event"] == "dlr:Undelivered"
    assert (await wa_sandbox.control.message(sms_id))["history"][-1]["errors"][0]["reason"] == "opted_out"


async def test_sms_plus_falls_back_to_sms(wa_sandbox: RunningSandbox, webhook_receiver: WebhookReceiver) -> None:
    # MAAC's own fallback: WhatsApp not delivered within fallback_period (1 minute) -> the SMS leg.
    await listen(wa_sandbox.control, webhook_receiver)
    pnp_message_id = await push_sms_plus(wa_sandbox, BLOCKED_US)
    await wa_sandbox.control.advance(60 + 1)
    legs = {m["channel"]: m["status"] for m in await wa_sandbox.control.messages(provider="maac", to=BLOCKED_US)}
    assert legs == {"whatsapp": "failed", "sms": "delivered"}
    updates = [json.loads(p.body) for p in webhook_receiver.posts]
    assert updates[-1]["data"]["pnp_message_id"] == pnp_message_id


async def test_sms_user_replies(wa_sandbox: RunningSandbox, webhook_receiver: WebhookReceiver) -> None:
    await listen(wa_sandbox.control, webhook_receiver)
    await send_sms(wa_sandbox, REPLIES_HI, "How was your delivery?")
    await wa_sandbox.control.advance(5)
    [mo] = [p.form for p in webhook_receiver.posts if "msg" in p.form]  # incomingUrl; DLRs carry no msg
    assert mo["msg"] == "hi" and mo["from"] == REPLIES_HI.lstrip("+")


async def test_sms_user_writes_when_the_test_says(wa_sandbox: RunningSandbox, webhook_receiver: WebhookReceiver) -> None:
    await listen(wa_sandbox.control, webhook_receiver)
    await wa_sandbox.control.inject_inbound(f"+{AU_MOBILE}", provider="smsglobal", message="STOP")
    [mo] = webhook_receiver.posts
    assert mo.form["msg"] == "STOP" and mo.form["from"] == AU_MOBILE


# --- when a wait does not come true ----------------------------------------------------------------


async def test_a_wait_that_times_out_says_what_is_missing(wa_sandbox: RunningSandbox) -> None:
    wamid = await send_whatsapp(wa_sandbox, READS, "Your order shipped")
    with pytest.raises(ControlAPIError) as caught:
        await wa_sandbox.control.wait_for_status(wamid, "read", timeout=0.05)  # forgot to advance the clock
    assert caught.value.status == 408
    assert f"{wamid} is accepted" in str(caught.value)
    assert "the clock is manual and the next timeline step or retry is due in 0.2 s: advance it" in str(caught.value)
