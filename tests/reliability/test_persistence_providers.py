"""``wa-sandbox serve --data-dir``: SMSGlobal, MAAC and Modica state beyond the journal survives a kill -9.

As in test_persistence_restart.py: the sandbox runs as a subprocess of the console script (manual clock),
each test changes one kind of provider state through the provider's own HTTP API or the control API,
kills the process with SIGKILL, starts a second one on the same folder and checks, through the
provider's API or the callbacks a real receiver gets, that the state came back.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from sandbox.testing.client import SandboxControl
from sandbox.testing.receiver import WebhookReceiver
from tests.providers.maac.conftest import AUTH as MAAC_AUTH
from tests.providers.maac.conftest import (
    FALLBACK_SECONDS,
    PUSH,
    REPORT,
    opt_in_whatsapp_statuses,
    seed_body,
    signature_valid,
)
from tests.providers.modica.conftest import ModicaClient
from tests.providers.smsglobal.conftest import SmsglobalClient
from tests.reliability.helpers import serving

REPORT_WINDOW = "pnp_setting_id=1&updated_at_min=2000-01-01T00:00:00Z&updated_at_max=2100-01-01T00:00:00Z"
BLOCKED = "+15550200006"  # default scenario: WhatsApp fails (blocked), so the SMS fallback is sent
DELIVERED = "+15550200002"  # default scenario: WhatsApp delivered


def smsglobal(control: SandboxControl) -> SmsglobalClient:
    return SmsglobalClient(control.base_url, control.session)


async def maac_push(control: SandboxControl, phone: str) -> int:
    url = f"{control.base_url}{PUSH}"
    async with control.session.post(url, json=seed_body("Text Header", phone=phone), headers=MAAC_AUTH) as resp:
        assert resp.status == 200, await resp.text()
        return int((await resp.json())["id"])


async def maac_report(control: SandboxControl) -> list[dict[str, Any]]:
    async with control.session.get(f"{control.base_url}{REPORT}?{REPORT_WINDOW}", headers=MAAC_AUTH) as resp:
        assert resp.status == 200, await resp.text()
        return list((await resp.json())["results"])


# --- SMSGlobal ------------------------------------------------------------------------------------


async def test_smsglobal_opt_outs_changed_at_run_time_survive_kill_9(tmp_path):
    async with serving(tmp_path, kill=True) as control:
        sg = smsglobal(control)
        assert (await sg.call("POST", "/v2/opt-outs", json_body={"optouts": [{"number": "61400000050"}]})).status == 200
        assert (await sg.call("DELETE", "/v2/opt-outs/61400000099")).status == 204  # the scenario's one
    async with serving(tmp_path) as control:
        listed = (await smsglobal(control).call("GET", "/v2/opt-outs")).json["optouts"]
        assert [o["number"] for o in listed] == ["61400000050"]


async def test_smsglobal_whatsapp_opt_ins_added_at_run_time_survive_kill_9(tmp_path):
    body = {"opt-in": [{"name": "Zed", "number": "61400000777"}]}
    async with serving(tmp_path, kill=True) as control:
        assert (await smsglobal(control).call("POST", "/v2/whatsapp/opt-in", json_body=body)).status == 200
    async with serving(tmp_path) as control:
        listed = (await smsglobal(control).call("GET", "/v2/whatsapp/opt-in")).json["optIn"]
        assert {"name": "Zed", "number": "61400000777", "capable": True, "blacklist": False} in listed


async def test_smsglobal_sms_is_found_by_outgoing_id_after_kill_9(tmp_path):
    async with serving(tmp_path, kill=True) as control:
        sent = (await smsglobal(control).send(destination="61400000123", message="Hi")).json["messages"][0]
    async with serving(tmp_path) as control:
        await control.advance(5)
        found = await smsglobal(control).call("GET", f"/v2/sms/{sent['outgoing_id']}")
        assert found.status == 200, found.text
        assert (found.json["id"], found.json["outgoing_id"], found.json["status"]) == (
            sent["id"], sent["outgoing_id"], "delivered"
        )


async def test_smsglobal_deleted_sms_stays_deleted_after_kill_9(tmp_path):
    async with serving(tmp_path, kill=True) as control:
        sg = smsglobal(control)
        sent = (await sg.send(destination="61400000123", message="Hi")).json["messages"][0]
        assert (await sg.call("DELETE", f"/v2/sms/{sent['id']}")).status == 204
    async with serving(tmp_path) as control:
        assert (await smsglobal(control).call("GET", f"/v2/sms/{sent['id']}")).status == 404


async def test_smsglobal_balance_spent_before_kill_9_stays_spent(tmp_path):
    async with serving(tmp_path, kill=True) as control:
        sg = smsglobal(control)
        await sg.send(destination="61400000123", message="Hi")
        spent = (await sg.call("GET", "/v2/user/credit-balance")).json["balance"]
    async with serving(tmp_path) as control:
        assert (await smsglobal(control).call("GET", "/v2/user/credit-balance")).json["balance"] == spent < 1000


async def test_smsglobal_dlr_goes_to_the_control_api_target_after_kill_9(tmp_path, webhook_receiver: WebhookReceiver):
    async with serving(tmp_path, kill=True) as control:
        await control.set_webhook(webhook_receiver.url, provider="smsglobal", format="json")
    async with serving(tmp_path) as control:
        sent = (await smsglobal(control).send(destination="61400000123", message="Hi")).json["messages"][0]
        await control.advance(5)
        [post] = await webhook_receiver.wait_posts(1, timeout=10)
        assert post.json["id"] == sent["id"] and post.json["status"] == "Delivered"  # json: the format set too


# --- MAAC -----------------------------------------------------------------------------------------


async def test_maac_records_are_reported_after_kill_9(tmp_path):
    async with serving(tmp_path, kill=True) as control:
        await opt_in_whatsapp_statuses(control)  # whatsapp_* statuses are opt-in (UNCONFIRMED); kept over the restart
        pnp_message_id = await maac_push(control, DELIVERED)
        await control.advance(5)
        before = await maac_report(control)
    async with serving(tmp_path) as control:
        after = await maac_report(control)
        assert after == before
        assert (after[0]["pnp_message_id"], after[0]["status"]) == (pnp_message_id, "whatsapp_delivered")


async def test_maac_ids_continue_after_kill_9(tmp_path):
    async with serving(tmp_path, kill=True) as control:
        first = await maac_push(control, DELIVERED)
    async with serving(tmp_path) as control:
        assert await maac_push(control, DELIVERED) == first + 1


async def test_maac_ids_never_reuse_a_restored_one_after_kill_9(tmp_path):
    async with serving(tmp_path, kill=True) as control:
        first = await maac_push(control, DELIVERED)
    async with serving(tmp_path, kill=True) as control:
        second = await maac_push(control, DELIVERED)
    async with serving(tmp_path) as control:
        third = await maac_push(control, DELIVERED)
        assert [first, second, third] == [1, 2, 3]
        assert {r["pnp_message_id"] for r in await maac_report(control)} == {1, 2, 3}


async def test_maac_sms_fallback_runs_at_its_virtual_time_after_kill_9(tmp_path):
    async with serving(tmp_path, kill=True) as control:
        await opt_in_whatsapp_statuses(control)  # the row's whatsapp_status is opt-in (UNCONFIRMED)
        pnp_message_id = await maac_push(control, BLOCKED)
        await control.advance(5)  # WhatsApp has failed; the fallback is 55 s away
    async with serving(tmp_path) as control:
        await control.advance(FALLBACK_SECONDS)
        whatsapp = await control.message(f"maac-{pnp_message_id}-whatsapp")
        sms = await control.message(f"maac-{pnp_message_id}-sms")
        assert sms["created_at"] - whatsapp["created_at"] == FALLBACK_SECONDS
        assert sms["status"] == "delivered"
        [row] = await maac_report(control)
        assert (row["status"], row["whatsapp_status"]) == ("sms_delivered", "whatsapp_undeliverable")


async def test_maac_sms_fallback_due_during_the_downtime_runs_at_once(tmp_path):
    async with serving(tmp_path, kill=True) as control:
        pnp_message_id = await maac_push(control, BLOCKED)
        started = (await control.clock())["now"]
    async with serving(tmp_path) as control:
        await control.set_clock(now=started + 3600)  # the downtime: the fallback (and WhatsApp's failure) are due
        sms = await control.wait_for(provider="maac", channel="sms")
        assert sms[0]["id"] == f"maac-{pnp_message_id}-sms"


async def test_maac_webhook_set_through_the_control_api_survives_kill_9(tmp_path, webhook_receiver: WebhookReceiver):
    async with serving(tmp_path, kill=True) as control:
        await control.set_webhook(webhook_receiver.url, provider="maac", share_secret="rotated-secret")
    async with serving(tmp_path) as control:
        pnp_message_id = await maac_push(control, DELIVERED)
        [post] = await webhook_receiver.wait_posts(1, timeout=10)
        assert post.json["data"]["pnp_message_id"] == pnp_message_id
        assert signature_valid(post, "rotated-secret")


# --- Modica ---------------------------------------------------------------------------------------


async def test_modica_dlr_goes_to_the_control_api_target_after_kill_9(tmp_path, webhook_receiver: WebhookReceiver):
    async with serving(tmp_path, kill=True) as control:
        await control.set_webhook(None, provider="modica", dlr_url=webhook_receiver.url)
    async with serving(tmp_path) as control:
        modica = ModicaClient(SimpleNamespace(control=control, url=control.base_url))  # type: ignore[arg-type]
        sent = await modica.post("/rest/gateway/messages", {"destination": "+64211234567", "content": "hi"})
        assert sent.status == 201, sent.body
        await control.advance(1.5)
        posts = await webhook_receiver.wait_posts(2, timeout=10)
        assert [p.json["status"] for p in posts] == ["sent", "received"]
        assert posts[0].json["message_id"] == sent.body[0]
