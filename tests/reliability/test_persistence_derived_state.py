"""--data-dir in process: provider state derived from the journal (SMSGlobal's outgoing_id map, MAAC's PNP
records and their pending SMS fallbacks) is rebuilt exactly on a restart, and is bounded by the journal's
retention (it forgets what the journal evicted)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import aiohttp
import pytest

from sandbox.runtime import Runtime, build_runtime
from sandbox.settings import Settings
from sandbox.testing.plugin import RunningSandbox
from tests.providers.maac.conftest import FALLBACK_SECONDS, MULTICAST, call, push, seed_body
from tests.providers.smsglobal.conftest import SmsglobalClient

BLOCKED = "+15550200006"  # default scenario: WhatsApp fails, the SMS fallback follows
DELIVERED = "+15550200002"


@pytest.fixture
def wa_sandbox_settings(request: pytest.FixtureRequest, tmp_path: Any) -> Settings:
    marker = request.node.get_closest_marker("wa_sandbox")
    overrides = dict(marker.kwargs) if marker else {}
    return Settings(**{"clock": "manual", "seed": "pytest", "data_dir": str(tmp_path), **overrides})


def restart(wa_sandbox: RunningSandbox) -> Runtime:
    """A second runtime on the same folder, as a restarted process builds it."""
    return build_runtime(Settings(clock="manual", data_dir=wa_sandbox.runtime.settings.data_dir))


def records(runtime: Runtime) -> list[dict[str, Any]]:
    return [asdict(r) for r in runtime.maac.records]


async def maac_push(wa_sandbox: RunningSandbox, phone: str) -> int:
    answer = await push(wa_sandbox, seed_body("Text Header", phone=phone))
    assert answer.status == 200, answer.text
    return int(answer.json["id"])


async def test_rebuilt_pnp_records_equal_the_live_ones(wa_sandbox: RunningSandbox):
    await maac_push(wa_sandbox, DELIVERED)
    await maac_push(wa_sandbox, BLOCKED)
    contacts = [{"phone_number": "+15550300001", "pnp": {}, "sms": {"name": "Ana"}, "customized_id": "c1"}]
    answer = await call(wa_sandbox, "POST", MULTICAST, json_body={"pnp_setting_id": 1, "event_id": 7, "data": contacts})
    assert answer.status == 200, answer.text
    await wa_sandbox.control.advance(FALLBACK_SECONDS + 5)  # delivered, fallen back and delivered by SMS, SMS only
    await maac_push(wa_sandbox, BLOCKED)  # its fallback still pending
    await wa_sandbox.control.advance(5)
    restarted = restart(wa_sandbox)
    assert len(records(restarted)) == 4
    assert records(restarted) == records(wa_sandbox.runtime)
    restarted.persistence.close()


async def test_only_pending_fallbacks_are_scheduled_again(wa_sandbox: RunningSandbox):
    done = await maac_push(wa_sandbox, BLOCKED)
    await wa_sandbox.control.advance(FALLBACK_SECONDS + 5)
    pending = await maac_push(wa_sandbox, BLOCKED)
    restarted = restart(wa_sandbox)
    labels = [job["label"] for job in restarted.scheduler.pending()]
    assert f"maac {pending} fallback" in labels and f"maac {done} fallback" not in labels
    restarted.persistence.close()


async def test_restored_fallback_uses_the_record_sms_variables(wa_sandbox: RunningSandbox):
    await wa_sandbox.control.load_scenario(yaml="""
version: 1
rules:
  - name: whatsapp-fails
    match: {provider: maac, channel: whatsapp}
    timeline: [{after: 1, status: failed, error: blocked}]
maac:
  pnp_settings:
    - {id: 1, name: Greeting, fallback_period: 1, sms_parameters: [name], sms_text: "Hello {name}"}
""")
    body = seed_body("Text Header", phone=BLOCKED)
    body["data"]["sms"] = {"name": "Ana"}
    answer = await push(wa_sandbox, body)
    assert answer.status == 200, answer.text
    restarted = restart(wa_sandbox)
    await restarted.scheduler.advance(FALLBACK_SECONDS + 5)
    sms = restarted.journal.get(f"maac-{answer.json['id']}-sms")
    assert sms is not None and sms.payload["text"] == "Hello Ana"
    restarted.persistence.close()


async def test_restored_counts_include_the_rebuilt_records_and_outgoing_ids(wa_sandbox: RunningSandbox):
    await maac_push(wa_sandbox, DELIVERED)
    await maac_push(wa_sandbox, BLOCKED)
    async with aiohttp.ClientSession() as session:
        await SmsglobalClient(wa_sandbox.url, session).send(destination="61400000123", message="Hi")
    restarted = restart(wa_sandbox)  # its ``restored`` is what /_sandbox/stats serves as persistence.restored
    assert restarted.restored["maac.records"] == 2
    assert restarted.restored["smsglobal.outgoing_ids"] == 1
    restarted.persistence.close()


@pytest.mark.wa_sandbox(max_messages=3)
async def test_pnp_records_are_bounded_by_the_journal(wa_sandbox: RunningSandbox):
    ids = [await maac_push(wa_sandbox, DELIVERED) for _ in range(6)]
    kept = [r.pnp_message_id for r in wa_sandbox.runtime.maac.records]
    assert kept == ids[2:]  # the journal holds the last 3 legs; the 4th record goes at the next push
    restarted = restart(wa_sandbox)
    assert [r.pnp_message_id for r in restarted.maac.records] == ids[3:]
    assert restarted.maac.records.peek_id() == ids[-1] + 1
    restarted.persistence.close()


@pytest.mark.wa_sandbox(max_messages=3)
async def test_outgoing_id_map_is_bounded_by_the_journal(wa_sandbox: RunningSandbox):
    async with aiohttp.ClientSession() as session:
        sg = SmsglobalClient(wa_sandbox.url, session)
        sent = [(await sg.send(destination="61400000123", message=f"m{n}")).json["messages"][0] for n in range(6)]
        assert len(wa_sandbox.runtime.smsglobal.outgoing_ids) == 4  # the 3 journaled and the newest one's evicted
        assert (await sg.call("GET", f"/v2/sms/{sent[0]['outgoing_id']}")).status == 404
        assert (await sg.call("GET", f"/v2/sms/{sent[-1]['outgoing_id']}")).status == 200
    restarted = restart(wa_sandbox)
    assert list(restarted.smsglobal.outgoing_ids) == [s["outgoing_id"] for s in sent[3:]]
    restarted.persistence.close()


async def test_loading_a_scenario_keeps_outgoing_id_lookups(wa_sandbox: RunningSandbox):
    async with aiohttp.ClientSession() as session:
        sg = SmsglobalClient(wa_sandbox.url, session)
        sent = (await sg.send(destination="61400000123", message="Hi")).json["messages"][0]
        # reset: false keeps the journal, and so its outgoing_id lookups
        await wa_sandbox.control.request("POST", "/scenarios/load", json={"yaml": "version: 1\n", "reset": False})
        assert (await sg.call("GET", f"/v2/sms/{sent['outgoing_id']}")).status == 200
