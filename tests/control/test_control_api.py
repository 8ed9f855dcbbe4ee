"""The /_sandbox/ control API: journal queries, waits, forced statuses, inbound, clock, scenarios, reset."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from sandbox.testing.client import ControlAPIError
from tests.conftest import send

TEXT = {"messaging_product": "whatsapp", "to": "15550200001", "type": "text", "text": {"body": "hi"}}


async def test_health_reports_status_version_and_uptime(wa_sandbox):
    health = await wa_sandbox.control.request("GET", "/health")
    assert health["status"] == "ok" and health["version"] and health["uptime_seconds"] >= 0


async def test_messages_filter_by_recipient_type_and_status(wa_sandbox):
    await send(wa_sandbox, TEXT)
    await send(wa_sandbox, {**TEXT, "to": "15550200002"})
    await wa_sandbox.control.advance(3)
    assert len(await wa_sandbox.control.messages(to="15550200001")) == 1
    assert [m["user"] for m in await wa_sandbox.control.messages(status="delivered")] == ["15550200002"]
    assert await wa_sandbox.control.messages(type="image") == []


async def test_latest_returns_the_newest_matching_message_with_its_webhooks(wa_sandbox):
    await send(wa_sandbox, TEXT)
    _, second = await send(wa_sandbox, {**TEXT, "text": {"body": "second"}})
    latest = await wa_sandbox.control.latest(provider="meta")
    assert latest["id"] == second["messages"][0]["id"] and latest["webhooks"] == []


async def test_latest_without_a_match_is_404(wa_sandbox):
    with pytest.raises(ControlAPIError) as exc:
        await wa_sandbox.control.latest(to="19999999999")
    assert exc.value.status == 404


async def test_wait_returns_as_soon_as_a_matching_message_exists(wa_sandbox):
    waiter = asyncio.create_task(wa_sandbox.control.wait_for(to="15550200001", status="delivered", timeout=5))
    await send(wa_sandbox, TEXT)
    await wa_sandbox.control.advance(1)
    found = await waiter
    assert found[0]["status"] == "delivered"


async def test_wait_times_out_with_408(wa_sandbox):
    with pytest.raises(ControlAPIError) as exc:
        await wa_sandbox.control.wait_for(to="15550200001", timeout=0.05)
    assert exc.value.status == 408 and "timed out" in str(exc.value)


async def test_wait_for_several_messages(wa_sandbox):
    for _ in range(3):
        await send(wa_sandbox, TEXT)
    assert len(await wa_sandbox.control.wait_for(count=3, to="15550200001")) == 3


async def test_force_a_failed_status_with_code(wa_sandbox):
    _, body = await send(wa_sandbox, TEXT)
    entry = await wa_sandbox.control.set_status(body["messages"][0]["id"], "failed", {"code": 131050})
    assert entry["status"] == "failed" and entry["history"][-1]["errors"][0]["code"] == 131050


async def test_force_status_rejects_unknown_status_and_message(wa_sandbox):
    _, body = await send(wa_sandbox, TEXT)
    with pytest.raises(ControlAPIError) as bad:
        await wa_sandbox.control.set_status(body["messages"][0]["id"], "teleported")
    with pytest.raises(ControlAPIError) as missing:
        await wa_sandbox.control.set_status("wamid.nope", "read")
    assert bad.value.status == 400 and missing.value.status == 404


@pytest.mark.parametrize("error", ["blockd", {"reason": "blockd", "details": "typo"}])
async def test_force_status_rejects_a_reason_the_provider_does_not_know(wa_sandbox, error):
    _, body = await send(wa_sandbox, TEXT)
    with pytest.raises(ControlAPIError) as exc:
        await wa_sandbox.control.set_status(body["messages"][0]["id"], "failed", error)
    message = str(exc.value)
    assert exc.value.status == 400
    assert "unknown failure reason 'blockd' (did you mean 'blocked'?); known to meta: blocked, " in message
    assert (await wa_sandbox.control.message(body["messages"][0]["id"]))["status"] != "failed"


async def test_force_status_takes_a_known_reason(wa_sandbox):
    _, body = await send(wa_sandbox, TEXT)
    entry = await wa_sandbox.control.set_status(body["messages"][0]["id"], "failed", "ecosystem_engagement")
    assert entry["history"][-1]["errors"][0]["code"] == 131049


@pytest.mark.parametrize(
    ("kind", "extra"),
    [
        ("text", {"text": {"body": "hello"}}),
        ("image", {"image": {"caption": "look"}}),
        ("audio", {"audio": {"voice": True}}),
        ("video", {"video": {}}),
        ("document", {"document": {"filename": "a.pdf"}}),
        ("sticker", {"sticker": {"animated": True}}),
        ("location", {"location": {"latitude": 1.5, "longitude": 2.5, "name": "Here"}}),
        ("contacts", {"contacts": [{"name": {"formatted_name": "Ann", "first_name": "Ann"}, "phones": [{"phone": "+1555", "type": "MOBILE"}]}]}),
        ("button", {"button": {"payload": "STOP", "text": "Stop"}}),
        ("interactive", {"interactive": {"type": "list_reply", "list_reply": {"id": "a", "title": "A"}}}),
        ("reaction", {"reaction": {"message_id": "wamid.x", "emoji": "😮"}}),
        ("order", {"order": {"catalog_id": "1", "product_items": [{"product_retailer_id": "sku", "quantity": 1, "item_price": 3, "currency": "USD"}]}}),
        ("system", {"system": {"body": "changed", "type": "user_changed_number", "wa_id": "15550000000"}}),
        ("unsupported", {}),
    ],
)
async def test_inject_every_inbound_type(wa_sandbox, kind, extra):
    entry = await wa_sandbox.control.inject_inbound("+15550201111", type=kind, **extra)
    assert entry["type"] == kind and entry["direction"] == "inbound"
    assert entry["payload"]["from"] == "15550201111" and entry["payload"]["id"].startswith("wamid.")


async def test_inject_text_with_referral(wa_sandbox):
    referral = {"source_url": "https://fb.me/x", "source_id": "1", "source_type": "ad", "headline": "Chat"}
    entry = await wa_sandbox.control.inject_inbound("+15550201111", type="text", text="from an ad", referral=referral)
    assert entry["payload"]["referral"]["source_type"] == "ad"


async def test_inject_as_a_reply_adds_context(wa_sandbox):
    _, body = await send(wa_sandbox, TEXT)
    wamid = body["messages"][0]["id"]
    entry = await wa_sandbox.control.inject_inbound("+15550200001", type="text", text="re", context={"message_id": wamid})
    assert entry["payload"]["context"] == {"from": "15550100001", "id": wamid}


@pytest.mark.parametrize(
    ("spec", "status", "words"),
    [
        ({"type": "text"}, 400, "text.body"),
        ({"type": "teleport"}, 400, "unknown inbound message type"),
        ({"type": "text", "text": "x", "from": ""}, 400, "'from'"),
        ({"type": "text", "text": "x", "context": {"message_id": "wamid.none"}}, 404, "not a message"),
        ({"type": "text", "text": "x", "provider": "pigeon"}, 404, "unknown provider"),
    ],
)
async def test_inject_bad_input_is_explained(wa_sandbox, spec, status, words):
    body = {"provider": "meta", "from": "+15550201111", **spec}
    with pytest.raises(ControlAPIError) as exc:
        await wa_sandbox.control.request("POST", "/inbound", json=body)
    assert exc.value.status == status and words in str(exc.value)


async def test_malformed_control_body_is_400_json(wa_sandbox):
    async with wa_sandbox.control.session.post(f"{wa_sandbox.url}/_sandbox/inbound", data=b"{nope") as resp:
        assert resp.status == 400
        assert "not valid JSON" in (await resp.json())["error"]["message"]


async def test_unknown_control_path_is_json_404(wa_sandbox):
    async with wa_sandbox.control.session.get(f"{wa_sandbox.url}/_sandbox/nothing") as resp:
        assert resp.status == 404 and (await resp.json())["error"]["status"] == 404


async def test_clock_advance_moves_virtual_time_only(wa_sandbox):
    before = (await wa_sandbox.control.clock())["now"]
    after = await wa_sandbox.control.advance(3600)
    assert after["now"] == pytest.approx(before + 3600) and after["mode"] == "manual"


async def test_clock_lists_pending_timeline_steps(wa_sandbox):
    await send(wa_sandbox, TEXT)
    pending = (await wa_sandbox.control.clock())["pending"]
    assert [p["label"].split(" -> ")[-1] for p in pending] == ["sent", "delivered", "read"]


async def test_clock_switches_mode_and_rejects_bad_values(wa_sandbox):
    assert (await wa_sandbox.control.set_clock(mode="real", speed=10))["speed"] == 10
    for bad in ({"mode": "sideways"}, {"speed": 0}, {"speed": "fast"}):
        with pytest.raises(ControlAPIError):
            await wa_sandbox.control.request("POST", "/clock", json=bad)


async def test_advance_rejects_negative_seconds(wa_sandbox):
    with pytest.raises(ControlAPIError) as exc:
        await wa_sandbox.control.advance(-1)
    assert exc.value.status == 400


async def test_reset_clears_journal_and_pending_timelines(wa_sandbox):
    await send(wa_sandbox, TEXT)
    await wa_sandbox.control.reset()
    assert await wa_sandbox.control.messages() == []
    assert (await wa_sandbox.control.clock())["pending"] == []


async def test_reset_of_one_provider_clears_it_and_unknown_providers_are_404(wa_sandbox):
    await send(wa_sandbox, TEXT)
    with pytest.raises(ControlAPIError):
        await wa_sandbox.control.reset("pigeon")
    await wa_sandbox.control.reset("meta")
    assert await wa_sandbox.control.messages() == []


async def test_reset_of_one_provider_cancels_its_pending_timeline_steps(wa_sandbox):
    await send(wa_sandbox, TEXT)
    assert len((await wa_sandbox.control.clock())["pending"]) == 3
    await wa_sandbox.control.reset("meta")
    assert (await wa_sandbox.control.clock())["pending"] == []


async def test_seeded_reset_repeats_the_same_ids(wa_sandbox):
    _, first = await send(wa_sandbox, TEXT)
    await wa_sandbox.control.reset()
    _, again = await send(wa_sandbox, TEXT)
    assert first["messages"][0]["id"] == again["messages"][0]["id"]


async def test_magic_numbers_are_served(wa_sandbox):
    table = (await wa_sandbox.control.request("GET", "/magic-numbers"))["magic_numbers"]
    assert {"number": "+15550200003", "rule": "failed-131026", "description": table[2]["description"]} in table


async def test_scenarios_list_and_load_by_name(wa_sandbox):
    listed = await wa_sandbox.control.request("GET", "/scenarios")
    assert "default" in listed["available"]
    loaded = await wa_sandbox.control.load_scenario(name="default")
    assert loaded["active"] == "default"


async def test_load_inline_scenario_changes_outcomes(wa_sandbox):
    yaml_text = """
version: 1
name: everything-fails
rules:
  - name: all
    match: {to: "*"}
    timeline: [{after: 1, status: failed, error: {code: 131026}}]
"""
    await wa_sandbox.control.load_scenario(yaml=yaml_text)
    _, body = await send(wa_sandbox, TEXT)
    await wa_sandbox.control.advance(1)
    assert (await wa_sandbox.control.message(body["messages"][0]["id"]))["status"] == "failed"


async def test_loading_a_broken_scenario_names_the_line(wa_sandbox):
    with pytest.raises(ControlAPIError) as exc:
        await wa_sandbox.control.load_scenario(yaml="version: 1\nrules:\n  - name: x\n    match: {to: 5}\n")
    assert exc.value.status == 422 and "<inline>:4" in str(exc.value)


async def test_loading_a_scenario_with_an_unknown_reason_is_422_and_keeps_the_active_one(wa_sandbox):
    yaml_text = "version: 1\nname: typo\nrules:\n  - name: vip\n    match: {provider: meta}\n" \
                "    timeline: [{after: 1, status: failed, error: not_whatsap_user}]\n"
    with pytest.raises(ControlAPIError) as exc:
        await wa_sandbox.control.load_scenario(yaml=yaml_text)
    assert exc.value.status == 422
    assert ("<inline>:6: rules.0.timeline.0.error: rule 'vip': unknown failure reason 'not_whatsap_user' "
            "(did you mean 'not_whatsapp_user'?); known to meta: ") in str(exc.value)
    assert (await wa_sandbox.control.request("GET", "/scenario"))["name"] != "typo"


async def test_unknown_scenario_name_is_404(wa_sandbox):
    with pytest.raises(ControlAPIError) as exc:
        await wa_sandbox.control.load_scenario(name="nope")
    assert exc.value.status == 404


async def test_scenario_rule_reject_gives_a_synchronous_meta_error(wa_sandbox):
    await wa_sandbox.control.load_scenario(yaml="""
version: 1
rules:
  - name: not-allowed
    match: {to: "+15550200001"}
    reject: {code: 131030}
""")
    status, body = await send(wa_sandbox, TEXT)
    assert status == 400 and body["error"]["code"] == 131030


async def test_scenario_one_of_draws_from_the_seeded_generator(wa_sandbox):
    await wa_sandbox.control.load_scenario(yaml="""
version: 1
rules:
  - name: coin
    match: {to: "*"}
    one_of:
      - {weight: 1, window: open, timeline: [{after: 1, status: delivered}]}
      - {weight: 1, window: open, timeline: [{after: 1, status: failed, error: undeliverable}]}
""")
    ids = []
    for _ in range(20):
        _, body = await send(wa_sandbox, TEXT)
        ids.append(body["messages"][0]["id"])
    await wa_sandbox.control.advance(1)
    statuses = {(await wa_sandbox.control.message(i))["status"] for i in ids}
    assert statuses == {"delivered", "failed"}


async def test_scenario_schema_is_served(wa_sandbox):
    schema = await wa_sandbox.control.request("GET", "/scenario/schema")
    assert schema["title"] == "wa-sandbox scenario"


async def test_openapi_document_is_served(wa_sandbox):
    async with wa_sandbox.control.session.get(f"{wa_sandbox.url}/_sandbox/openapi.yaml") as resp:
        assert resp.status == 200 and "openapi:" in await resp.text()


async def test_batched_webhooks_are_those_of_the_provider_whose_spec_offers_them(wa_sandbox):
    rt = wa_sandbox.runtime
    assert (await wa_sandbox.control.request("GET", "/webhooks/batching"))["provider"] == "meta"
    rt.providers = tuple(replace(s, webhook_batching=None) for s in rt.providers)  # no spec offers them
    with pytest.raises(ControlAPIError) as exc:
        await wa_sandbox.control.request("GET", "/webhooks/batching")
    assert exc.value.status == 404 and "no provider of this sandbox batches its webhooks" in str(exc.value)


async def test_inbound_without_a_provider_goes_to_the_first_provider_of_the_tuple(wa_sandbox):
    sent = await wa_sandbox.control.request("POST", "/inbound", json={"from": "+15550200001", "type": "text",
                                                                      "text": "hi"})
    assert sent["provider"] == wa_sandbox.runtime.providers[0].name == "meta"
