"""Workspace lifecycle: idle TTL (on an injected clock: no sleeping), deletion drops everything, and
with --data-dir workspaces survive a restart, kill -9 included."""

from __future__ import annotations

import aiohttp
import pytest

from sandbox.keys import WORKSPACES
from sandbox.testing import ControlAPIError
from tests.reliability.helpers import serving
from tests.workspaces.conftest import PHONE_ID, TEXT, by_credentials, by_prefix


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def idle_clock(wa_sandbox) -> FakeTime:
    fake = FakeTime()
    wa_sandbox.app[WORKSPACES].now = fake
    return fake


async def names(wa_sandbox) -> list[str]:
    return [w["name"] for w in await wa_sandbox.control.workspaces()]


async def test_a_workspace_idle_past_its_ttl_is_removed(wa_sandbox, idle_clock):
    registry = wa_sandbox.app[WORKSPACES]
    await wa_sandbox.control.create_workspace(name="short", ttl=60)
    await wa_sandbox.control.create_workspace(name="long", ttl=600)
    idle_clock.now += 59
    assert await registry.sweep() == []
    idle_clock.now += 1
    assert await registry.sweep() == ["short"]
    assert await names(wa_sandbox) == ["long"]


async def test_every_request_a_workspace_serves_renews_its_ttl(wa_sandbox, idle_clock):
    registry = wa_sandbox.app[WORKSPACES]
    ws = await wa_sandbox.control.create_workspace(name="busy", ttl=60)
    idle_clock.now += 50
    await by_credentials(wa_sandbox, ws).graph("POST", f"/{PHONE_ID}/messages", json=TEXT)  # no prefix
    idle_clock.now += 50
    assert await registry.sweep() == []
    await wa_sandbox.control.for_workspace("busy").clock()  # by prefix
    idle_clock.now += 59
    assert await registry.sweep() == []
    idle_clock.now += 1
    assert await registry.sweep() == ["busy"]


@pytest.mark.wa_sandbox(workspace_ttl=30)
async def test_the_default_ttl_is_the_setting_and_zero_never_expires(wa_sandbox, idle_clock):
    default_ttl = await wa_sandbox.control.create_workspace(name="default-ttl")
    assert default_ttl["ttl"] == 30
    await wa_sandbox.control.create_workspace(name="forever", ttl=0)
    idle_clock.now += 10**6
    assert await wa_sandbox.app[WORKSPACES].sweep() == ["default-ttl"]
    assert await names(wa_sandbox) == ["forever"]


async def test_the_answer_says_when_it_expires(wa_sandbox, idle_clock):
    ws = await wa_sandbox.control.create_workspace(name="e", ttl=120)
    idle_clock.now += 20
    again = await wa_sandbox.control.get_workspace("e")  # a control call on the server, not the workspace
    assert (ws["ttl"], again["idle_seconds"]) == (120, 20)
    assert again["expires_at"] == pytest.approx(ws["expires_at"] - 20, abs=2)


async def test_deleting_stops_timelines_and_drops_pending_webhooks_and_media(wa_sandbox, webhook_receiver):
    ws = await wa_sandbox.control.create_workspace(name="doomed")
    control = wa_sandbox.control.for_workspace("doomed")
    webhook_receiver.verify_token = ws["credentials"]["meta"]["verify_token"]
    await control.set_webhook(webhook_receiver.url)
    webhook_receiver.answer_next(500, 500, 500)  # the first webhooks wait for a retry
    caller = by_prefix(wa_sandbox, ws)
    await caller.graph("POST", f"/{PHONE_ID}/messages", json=TEXT)
    form = aiohttp.FormData()
    form.add_field("file", b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, filename="a.png", content_type="image/png")
    form.add_field("messaging_product", "whatsapp")
    assert (await caller.graph("POST", f"/{PHONE_ID}/media", data=form)).status == 200
    await control.advance(1)
    runtime = wa_sandbox.app[WORKSPACES].live["doomed"].runtime
    assert runtime.dispatcher.pending() and runtime.scheduler.pending_count() and runtime.media_store.total_bytes
    await wa_sandbox.control.delete_workspace("doomed")
    assert runtime.dispatcher.pending() == [] and runtime.scheduler.pending_count() == 0
    assert runtime.media_store.total_bytes == 0
    seen = len(webhook_receiver.posts)
    await wa_sandbox.control.advance(3600)  # the default's clock: nothing of the deleted workspace runs
    assert len(webhook_receiver.posts) == seen
    with pytest.raises(ControlAPIError) as caught:
        await control.clock()
    assert caught.value.status == 404


@pytest.mark.parametrize("kill", [False, True], ids=["restart", "kill-9"])
async def test_with_a_data_dir_workspaces_and_their_state_survive_a_restart(tmp_path, kill):
    async with serving(tmp_path, kill=kill) as control:
        ws = await control.create_workspace(name="kept", clock="manual")
        token = ws["credentials"]["meta"]["access_token"]
        async with control.session.post(f"{ws['base_urls']['meta']}/{PHONE_ID}/messages", json=TEXT,
                                        headers={"Authorization": f"Bearer {token}"}) as resp:
            assert resp.status == 200
            wamid = (await resp.json())["messages"][0]["id"]
        await control.for_workspace("kept").advance(1)
        await control.create_workspace(name="dropped")
        await control.delete_workspace("dropped")
    async with serving(tmp_path) as control:
        assert [w["name"] for w in await control.workspaces()] == ["kept"]
        again = await control.get_workspace("kept")
        assert again["credentials"] == ws["credentials"]
        [message] = await control.for_workspace("kept").messages()
        assert (message["id"], message["status"]) == (wamid, "delivered")
        assert await control.messages() == []  # the default's journal is its own
        # its credentials still route it, without the prefix
        async with control.session.post(f"{control.server_url}/v23.0/{PHONE_ID}/messages", json=TEXT,
                                        headers={"Authorization": f"Bearer {token}"}) as resp:
            assert resp.status == 200
        assert len(await control.for_workspace("kept").messages()) == 2
        assert not (tmp_path / "workspaces" / "dropped").exists()


@pytest.mark.parametrize("field, value", [("workspace_ttl", -1.0), ("workspace_ttl", float("inf")), ("max_workspaces", -1)])
def test_workspace_settings_out_of_range_are_refused(field, value):
    from sandbox.settings import Settings

    with pytest.raises(ValueError, match=field.replace("_", " ").replace("ttl", "TTL")):
        Settings(**{field: value})
