"""``wa-sandbox serve --data-dir``: what a business sets on its Meta number and WABA through Graph
(business profile, conversational automation, registration and PIN, blocked users, subscribed apps
and the webhook override; docs/meta-business-management.md) survives a kill -9.

As in test_persistence_restart.py: a subprocess of the console script (manual clock), changed through
Graph, killed with SIGKILL, started again on the same folder and checked through Graph.
"""

from __future__ import annotations

from typing import Any

from sandbox.testing.client import SandboxControl
from sandbox.testing.receiver import WebhookReceiver
from tests.conftest import AUTH, PHONE_ID, WABA_ID
from tests.reliability.helpers import TEXT, serving

USER = "+15550207001"


async def graph(control: SandboxControl, method: str, path: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
    async with control.session.request(method, f"{control.base_url}/v23.0/{path}", json=body, headers=AUTH) as resp:
        return resp.status, await resp.json()


async def test_meta_profile_automation_and_registration_survive_kill_9(tmp_path):
    profile = {"messaging_product": "whatsapp", "about": "Open 9 to 5", "websites": ["https://shop.example"]}
    async with serving(tmp_path, kill=True) as control:
        assert (await graph(control, "POST", f"{PHONE_ID}/whatsapp_business_profile", profile))[0] == 200
        automation = {"enable_welcome_message": True, "prompts": ["Opening hours?"]}
        assert (await graph(control, "POST", f"{PHONE_ID}/conversational_automation", automation))[0] == 200
        assert (await graph(control, "POST", f"{PHONE_ID}/register", {"messaging_product": "whatsapp", "pin": "246810"}))[0] == 200
        assert (await graph(control, "POST", f"{PHONE_ID}/deregister"))[0] == 200
    async with serving(tmp_path) as control:
        _, got = await graph(control, "GET", f"{PHONE_ID}/whatsapp_business_profile")
        assert got["data"][0]["about"] == "Open 9 to 5" and got["data"][0]["websites"] == ["https://shop.example"]
        _, node = await graph(control, "GET", f"{PHONE_ID}?fields=conversational_automation,is_pin_enabled,status")
        assert node["conversational_automation"]["prompts"] == ["Opening hours?"] and node["is_pin_enabled"] is True
        assert node["status"] == "DISCONNECTED"
        status, sent = await graph(control, "POST", f"{PHONE_ID}/messages", TEXT)
        assert status == 400 and sent["error"]["code"] == 133010
        status, other_pin = await graph(control, "POST", f"{PHONE_ID}/register", {"messaging_product": "whatsapp", "pin": "111111"})
        assert status == 400 and other_pin["error"]["code"] == 133005


async def test_meta_blocked_users_and_waba_override_survive_kill_9(tmp_path, webhook_receiver: WebhookReceiver):
    override = {"override_callback_uri": webhook_receiver.url, "verify_token": webhook_receiver.verify_token}
    async with serving(tmp_path, kill=True) as control:
        await control.request("POST", "/inbound", json={"from": USER, "type": "text", "text": "hi"})  # 24-hour rule
        block = {"messaging_product": "whatsapp", "block_users": [{"user": USER}]}
        assert (await graph(control, "POST", f"{PHONE_ID}/block_users", block))[1]["block_users"]["added_users"]
        assert (await graph(control, "POST", f"{WABA_ID}/subscribed_apps", override))[0] == 200
    async with serving(tmp_path) as control:
        _, listed = await graph(control, "GET", f"{PHONE_ID}/block_users")
        assert [u["wa_id"] for u in listed["data"]] == [USER.lstrip("+")]
        status, sent = await graph(control, "POST", f"{PHONE_ID}/messages", {**TEXT, "to": USER})
        assert status == 400 and sent["error"]["code"] == 131026
        _, apps = await graph(control, "GET", f"{WABA_ID}/subscribed_apps")
        assert apps["data"][0]["override_callback_uri"] == webhook_receiver.url
        before = len(webhook_receiver.posts)
        await control.request("POST", "/inbound", json={"from": "+15550207002", "type": "text", "text": "hello"})
        [post] = (await webhook_receiver.wait_posts(before + 1))[before:]  # the override is the only target
        assert post.json["entry"][0]["changes"][0]["value"]["messages"][0]["text"]["body"] == "hello"


async def test_a_display_name_under_review_is_decided_after_kill_9(tmp_path):
    """The review job dies with the process; the request and its due time are in meta.accounts, so it resumes."""
    async with serving(tmp_path, kill=True) as control:
        assert (await graph(control, "POST", f"{PHONE_ID}?new_display_name=Lucky%20Shrub"))[1] == {"success": True}
        await control.advance(2)
    async with serving(tmp_path) as control:
        _, node = await graph(control, "GET", f"{PHONE_ID}?fields=verified_name,new_display_name,new_name_status")
        assert (node["verified_name"], node["new_name_status"]) == ("Sandbox Business", "PENDING_REVIEW")
        await control.advance(3)
        _, node = await graph(control, "GET", f"{PHONE_ID}?fields=verified_name,name_status,new_name_status")
        assert (node["verified_name"], node["name_status"], node["new_name_status"]) == ("Lucky Shrub", "APPROVED", "APPROVED")
