"""Batched webhooks (README "Batched webhooks"): several updates of one number in one signed POST."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import pytest

from sandbox.testing.client import ControlAPIError
from tests.conftest import APP_SECRET, PHONE_ID, WABA_ID, send
from tests.reliability.helpers import serving

BATCHED = "15550200020"  # the default scenario's batched-statuses magic number
ANA, BEN = "15550200001", "15550200009"  # sent 0.2 s, delivered 1 s, read 3 s


def text(to: str, body: str = "hi") -> dict[str, Any]:
    return {"messaging_product": "whatsapp", "to": to, "type": "text", "text": {"body": body}}


def statuses(post: Any) -> list[dict[str, Any]]:
    return [s for change in post.json["entry"][0]["changes"] for s in change["value"].get("statuses", [])]


def value_of(post: Any) -> dict[str, Any]:
    (entry,) = post.json["entry"]
    (change,) = entry["changes"]
    return dict(change["value"])


async def test_the_magic_number_sends_sent_and_delivered_in_one_signed_post(wa_sandbox, webhook_receiver):
    await wa_sandbox.control.set_webhook(webhook_receiver.url, verify=False)
    _, body = await send(wa_sandbox, text(BATCHED))
    wamid = body["messages"][0]["id"]
    await wa_sandbox.control.advance(1)
    (post,) = await webhook_receiver.wait_posts(1)
    value = value_of(post)
    assert [(s["id"], s["status"]) for s in value["statuses"]] == [(wamid, "sent"), (wamid, "delivered")]
    assert value["contacts"] == [{"profile": {"name": value["contacts"][0]["profile"]["name"]}, "wa_id": BATCHED,
                                  "user_id": value["contacts"][0]["user_id"]}]  # one user: listed once
    assert value["metadata"]["phone_number_id"] == PHONE_ID and post.json["entry"][0]["id"] == WABA_ID
    assert post.body.isascii() and int(post.headers["Content-Length"]) == len(post.body)
    assert post.signature_valid(APP_SECRET)
    expected = hmac.new(APP_SECRET.encode(), post.body, hashlib.sha1).hexdigest()
    assert post.headers["X-Hub-Signature"] == f"sha1={expected}"
    await wa_sandbox.control.advance(2)
    posts = await webhook_receiver.wait_posts(2)
    assert [s["status"] for s in value_of(posts[1])["statuses"]] == ["read"]  # a batch of one: alone
    assert len(posts) == 2


async def test_a_batch_is_listed_under_each_of_its_messages_and_events(wa_sandbox, webhook_receiver):
    await wa_sandbox.control.set_webhook(webhook_receiver.url, verify=False)
    _, body = await send(wa_sandbox, text(BATCHED))
    wamid = body["messages"][0]["id"]
    await wa_sandbox.control.advance(1)
    (delivery,) = await wa_sandbox.control.wait_for_webhook(message_id=wamid, event="status:delivered")
    assert delivery["event"] == "batch:2"
    assert delivery["updates"] == [{"message_id": wamid, "event": "status:sent"},
                                   {"message_id": wamid, "event": "status:delivered"}]
    message = await wa_sandbox.control.message(wamid)
    assert [w["id"] for w in message["webhooks"]] == [delivery["id"]]


async def _run(wa_sandbox: Any, receiver: Any, batching: dict[str, Any]) -> list[Any]:
    """Two users' sends and a user's message, from the same clock and seed each time."""
    await wa_sandbox.control.reset()  # ids start over from the seed
    await wa_sandbox.control.set_clock(now=1_750_000_000)
    await wa_sandbox.control.set_webhook(receiver.url, verify=False)  # no handshake: it would draw an id
    await wa_sandbox.control.request("PUT", "/webhooks/batching", json=batching)
    receiver.received.clear()
    await send(wa_sandbox, text(ANA))
    await send(wa_sandbox, text(BEN))
    await wa_sandbox.control.advance(2)
    await wa_sandbox.control.inject_inbound(f"+{ANA}", type="text", text={"body": "where is it?"})
    await wa_sandbox.control.advance(6)
    return list(receiver.posts)


def same(item: dict[str, Any]) -> dict[str, Any]:
    """An update without the id of a user's message: ids come from the seeded generator, which also draws
    each POST's delivery id, so fewer POSTs shift the ids drawn after them (the sends' wamids come first)."""
    return {k: v for k, v in item.items() if k != "id" or "status" in item}


async def test_each_update_in_a_batch_is_exactly_what_it_would_be_alone(wa_sandbox, webhook_receiver):
    alone = await _run(wa_sandbox, webhook_receiver, {"max_size": 1})
    batched = await _run(wa_sandbox, webhook_receiver, {"max_size": 100, "window_ms": 5000})
    assert len(alone) == 8 and len(batched) == 1  # 6 statuses, Ana's message, Ben's scripted "hi" (5 s)
    changes = batched[0].json["entry"][0]["changes"]
    # sent/delivered of both users, Ana's message (a new change), both reads, Ben's reply
    assert [list(c["value"].keys())[-1] for c in changes] == ["statuses", "messages", "statuses", "messages"]
    items = [(kind, same(item)) for c in changes for kind in ("statuses", "messages") for item in c["value"].get(kind, [])]
    assert items == [(kind, same(value_of(p)[kind][0])) for p in alone for kind in ("statuses", "messages")
                     if kind in value_of(p)]
    for change in changes:
        assert {k: v for k, v in change["value"].items() if k not in ("statuses", "messages", "contacts")} == \
            {k: v for k, v in value_of(alone[0]).items() if k not in ("statuses", "contacts")}
        for item in change["value"].get("statuses", []) + change["value"].get("messages", []):
            own = next(value_of(p)["contacts"][0] for p in alone
                       if same(item) in map(same, value_of(p).get("statuses", []) + value_of(p).get("messages", [])))
            assert own in change["value"]["contacts"]
        assert len(change["value"]["contacts"]) == len({c["user_id"] for c in change["value"]["contacts"]})


async def test_a_batch_never_mixes_businesses_or_targets(wa_sandbox, webhook_receiver):
    other = {"phone_number_id": "100000000000002", "waba_id": "200000000000002", "display_phone_number": "+1 555-010-0002",
             "access_token": "other-token", "app_secret": "other-secret", "webhook_url": webhook_receiver.url}
    first = {"phone_number_id": PHONE_ID, "waba_id": WABA_ID, "display_phone_number": "+1 555-010-0001",
             "access_token": "sandbox-token", "app_secret": APP_SECRET, "webhook_url": webhook_receiver.url}
    third = {**other, "phone_number_id": "100000000000003", "webhook_url": webhook_receiver.url + "/third"}
    scenario = {"version": 1, "meta": {"businesses": [first, other, third], "webhook_batch": {"max_size": 50, "window_ms": 500},
                                       "limits": {"*": {"throughput": 0, "pair_every": 0, "pair_burst": 0}}}}
    await wa_sandbox.control.load_scenario(yaml=json.dumps(scenario))
    for business, token in ((first, "sandbox-token"), (other, "other-token"), (third, "other-token")):
        for to in (ANA, BEN):
            status, body = await send(wa_sandbox, text(to), path=f"/v23.0/{business['phone_number_id']}/messages",
                                      headers={"Authorization": f"Bearer {token}"})
            assert status == 200, body
    await wa_sandbox.control.advance(0.2)
    await wa_sandbox.control.advance(1)
    posts = await webhook_receiver.wait_posts(3)
    assert len(posts) == 3  # one batch per number and target, each with both users' sent statuses
    secrets = {first["phone_number_id"]: APP_SECRET, other["phone_number_id"]: "other-secret",
               third["phone_number_id"]: "other-secret"}
    wabas = {b["phone_number_id"]: b["waba_id"] for b in (first, other, third)}
    for post in posts:
        (entry,) = post.json["entry"]
        (number,) = {c["value"]["metadata"]["phone_number_id"] for c in entry["changes"]}
        assert entry["id"] == wabas[number] and post.signature_valid(secrets[number])
        assert post.path == ("/webhook/third" if number == third["phone_number_id"] else "/webhook")
        assert len(statuses(post)) == 2


async def test_a_failed_batch_is_retried_whole_and_holds_the_next_one(wa_sandbox, webhook_receiver):
    await wa_sandbox.control.set_webhook(webhook_receiver.url, verify=False)
    await wa_sandbox.control.request("PUT", "/webhooks/batching", json={"max_size": 10, "window_ms": 100})
    webhook_receiver.answer_next(500)
    await send(wa_sandbox, text(ANA))
    await send(wa_sandbox, text(BEN))
    await wa_sandbox.control.advance(0.3)  # both sent statuses: one batch, refused
    (refused,) = await webhook_receiver.wait_posts(1)
    await wa_sandbox.control.advance(0.8)  # both delivered: a second batch, waiting behind the first
    assert len(webhook_receiver.posts) == 1
    pending = await wa_sandbox.control.webhooks(state="pending")
    assert sorted(d["event"] for d in pending) == ["batch:2", "batch:2"]
    await wa_sandbox.control.advance(1.5)  # the retry (~1 s), then the second batch (reads come at 3 s)
    posts = await webhook_receiver.wait_posts(3)
    assert posts[1].body == refused.body  # the same bytes, the same signature
    assert [[s["status"] for s in statuses(p)] for p in posts] == [["sent", "sent"], ["sent", "sent"],
                                                                   ["delivered", "delivered"]]


async def test_batching_is_off_by_default_and_set_at_run_time(wa_sandbox, webhook_receiver):
    state = await wa_sandbox.control.request("GET", "/webhooks/batching")
    assert state["active"] == {"max_size": 1, "window_ms": 0} and state["set_at_run_time"] is None
    assert state["rules"] == {"batched-statuses": {"max_size": 2, "window_ms": 0}}
    await wa_sandbox.control.set_webhook(webhook_receiver.url, verify=False)
    await send(wa_sandbox, text(ANA))
    await send(wa_sandbox, text(BEN))
    await wa_sandbox.control.advance(0.2)
    assert all(len(statuses(p)) == 1 for p in await webhook_receiver.wait_posts(2))
    changed = await wa_sandbox.control.request("PUT", "/webhooks/batching", json={"max_size": 2, "window_ms": 50})
    assert changed["active"] == changed["set_at_run_time"] == {"max_size": 2, "window_ms": 50}
    await wa_sandbox.control.advance(0.8)
    posts = await webhook_receiver.wait_posts(3)
    assert [len(statuses(p)) for p in posts] == [1, 1, 2]
    back = await wa_sandbox.control.request("PUT", "/webhooks/batching", json={})
    assert back["active"] == {"max_size": 1, "window_ms": 0} and back["set_at_run_time"] is None


async def test_the_run_time_setting_overrides_the_magic_numbers_rule(wa_sandbox, webhook_receiver):
    await wa_sandbox.control.set_webhook(webhook_receiver.url, verify=False)
    await wa_sandbox.control.request("PUT", "/webhooks/batching", json={"max_size": 1})
    await send(wa_sandbox, text(BATCHED))
    await wa_sandbox.control.advance(1)
    posts = await webhook_receiver.wait_posts(2)
    assert [[s["status"] for s in statuses(p)] for p in posts] == [["sent"], ["delivered"]]


@pytest.mark.parametrize("body, words", [
    ({"max_size": 0}, "max_size must be a whole number from 1 (off) to 1000"),
    ({"max_size": 1001}, "to 1000"),
    ({"max_size": 2, "window_ms": -1}, "window_ms must be a number of milliseconds from 0 to 60000"),
    ({"max_size": "2"}, "max_size"),
    ({"size": 2}, "unknown field(s) size"),
])
async def test_bad_batching_settings_are_refused_with_a_reason(wa_sandbox, body, words):
    with pytest.raises(ControlAPIError) as exc:
        await wa_sandbox.control.request("PUT", "/webhooks/batching", json=body)
    assert exc.value.status == 400 and words in str(exc.value)
    assert (await wa_sandbox.control.request("GET", "/webhooks/batching"))["set_at_run_time"] is None


async def test_a_scenario_with_a_bad_batch_setting_is_refused_at_load(wa_sandbox):
    bad = {"version": 1, "meta": {"webhook_batch": {"max_size": 5000}}}
    with pytest.raises(ControlAPIError) as exc:
        await wa_sandbox.control.load_scenario(yaml=json.dumps(bad))
    assert exc.value.status == 422 and "meta.webhook_batch.max_size: 5000 is greater than the maximum of 1000" in str(exc.value)


async def test_a_reset_drops_the_run_time_setting_and_open_batches(wa_sandbox, webhook_receiver):
    await wa_sandbox.control.set_webhook(webhook_receiver.url, verify=False)
    await wa_sandbox.control.request("PUT", "/webhooks/batching", json={"max_size": 10, "window_ms": 5000})
    await send(wa_sandbox, text(ANA))
    await wa_sandbox.control.advance(0.2)
    assert (await wa_sandbox.control.request("GET", "/webhooks/batching"))["pending_updates"] == 1
    await wa_sandbox.control.reset()
    state = await wa_sandbox.control.request("GET", "/webhooks/batching")
    assert state["pending_updates"] == 0 and state["set_at_run_time"] is None
    await wa_sandbox.control.advance(10)
    assert webhook_receiver.posts == []


async def test_an_open_batch_survives_a_kill_9_with_data_dir(tmp_path, webhook_receiver):
    async with serving(tmp_path, kill=True) as control:
        await control.set_webhook(webhook_receiver.url, verify=False)
        await control.request("PUT", "/webhooks/batching", json={"max_size": 10, "window_ms": 2000})
        url = f"{control.base_url}/v23.0/{PHONE_ID}/messages"
        async with control.session.post(url, json=text(ANA), headers={"Authorization": "Bearer sandbox-token"}) as resp:
            assert resp.status == 200
        await control.advance(1)  # sent and delivered wait in the open window (it closes at 2.2)
        assert (await control.request("GET", "/webhooks/batching"))["pending_updates"] == 2
        assert webhook_receiver.posts == []
    async with serving(tmp_path) as control:
        state = await control.request("GET", "/webhooks/batching")
        assert state["pending_updates"] == 2 and state["set_at_run_time"] == {"max_size": 10, "window_ms": 2000}
        await control.advance(1.5)
        (post,) = await webhook_receiver.wait_posts(1)
        assert [s["status"] for s in statuses(post)] == ["sent", "delivered"] and post.signature_valid(APP_SECRET)
