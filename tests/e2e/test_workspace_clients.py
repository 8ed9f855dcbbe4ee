"""Workspaces through the real clients: an application given only a host and a workspace's credentials
is isolated (credential routing), and one given a base URL with the /w/{name} prefix too.

pywa (Python), whatsapp-api-js (Node; its webhook ``post()`` checks the workspace's app secret) and the
official SMSGlobal Node SDK (its MAC signature covers the path it sends, prefix included). MAAC and
Modica publish no client library; tests/workspaces/test_routing.py covers them with raw HTTP as their
docs describe.
"""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
from typing import Any

import pytest
from pywa_async import WhatsApp

from sandbox.testing.plugin import RunningSandbox
from sandbox.testing.receiver import WebhookReceiver
from tests.conftest import PHONE_ID
from tests.e2e.npm_cache import installed
from tests.e2e.test_smsglobal_node_sdk import SCRIPT as SMSGLOBAL_SCRIPT
from tests.e2e.test_smsglobal_node_sdk import node_modules as smsglobal_modules  # noqa: F401  (fixture)

META_NODE = Path(__file__).parent / "meta_node"


async def _journal(control: Any) -> list[dict[str, Any]]:
    return list(await control.messages())


@pytest.mark.parametrize("prefixed", [False, True], ids=["credentials-only", "prefix"])
async def test_pywa_lands_in_its_workspace(wa_sandbox: RunningSandbox, prefixed: bool) -> None:
    ws = await wa_sandbox.control.create_workspace(name="pywa")
    creds = ws["credentials"]["meta"]
    wa = WhatsApp(phone_id=PHONE_ID, token=creds["access_token"], app_secret=creds["app_secret"], server=None)
    wa.api._session.base_url = ws["base_urls"]["meta"] if prefixed else f"{wa_sandbox.url}/v23.0"
    try:
        sent = await wa.send_message(to="+15550200001", text="hello from pywa")
    finally:
        await wa.api._session.aclose()
    [entry] = await _journal(wa_sandbox.control.for_workspace("pywa"))
    assert entry["id"] == sent.id
    assert await _journal(wa_sandbox.control) == []


async def _whatsapp_api_js(modules: Path, base: str, creds: dict[str, Any], commands: list[dict[str, Any]]) -> Any:
    job = {"base": base, "token": creds["access_token"], "appSecret": creds["app_secret"], "phoneID": PHONE_ID,
           "v": "v23.0", "commands": commands}
    proc = await asyncio.create_subprocess_exec(
        "node", str(META_NODE / "run.mjs"), str(modules),
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    stdout, stderr = await asyncio.wait_for(proc.communicate(json.dumps(job).encode()), 60)
    assert proc.returncode == 0, stderr.decode()
    return json.loads(stdout)["results"]


async def test_whatsapp_api_js_by_credentials_and_its_webhooks_check_the_workspaces_secret(
        wa_sandbox: RunningSandbox, aiohttp_server: Any) -> None:
    modules = installed(META_NODE, "whatsapp-api-js", min_node=20)
    ws = await wa_sandbox.control.create_workspace(name="node")
    creds = ws["credentials"]["meta"]
    receiver = WebhookReceiver(verify_token=creds["verify_token"])
    server = await aiohttp_server(receiver.app())
    receiver.url = str(server.make_url("/webhook"))
    control = wa_sandbox.control.for_workspace("node")
    await control.set_webhook(receiver.url)
    [sent] = await _whatsapp_api_js(modules, wa_sandbox.url, creds,  # the host only: no prefix
                                    [{"op": "send", "to": "15550200001", "message": "new M.Text('hi from node')"}])
    wamid = sent["ok"]["messages"][0]["id"]
    assert [m["id"] for m in await control.messages()] == [wamid]
    assert await _journal(wa_sandbox.control) == []
    await control.advance(3)
    posts = await receiver.wait_posts(3)
    checked = await _whatsapp_api_js(modules, wa_sandbox.url, creds, [
        {"op": "webhook", "body": p.body.decode("ascii"), "signature": p.headers["X-Hub-Signature-256"]} for p in posts])
    assert [c["ok"]["event"] for c in checked] == ["status"] * 3
    other = {**creds, "app_secret": "sandbox-app-secret"}  # the default's secret does not verify them
    refused = await _whatsapp_api_js(modules, wa_sandbox.url, other, [
        {"op": "webhook", "body": posts[0].body.decode("ascii"), "signature": posts[0].headers["X-Hub-Signature-256"]}])
    assert "err" in refused[0]


async def _smsglobal_sdk(modules: Path, base: str, key: str, secret: str) -> dict[str, Any]:
    env = {**os.environ, "NODE_PATH": str(modules)}
    proc = await asyncio.create_subprocess_exec(
        "node", str(SMSGLOBAL_SCRIPT), base, key, secret, "all",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=env)
    stdout, stderr = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 0, stderr.decode()
    return dict(json.loads(stdout))


@pytest.mark.parametrize("prefixed", [False, True], ids=["credentials-only", "prefix"])
async def test_smsglobal_node_sdk_lands_in_its_workspace(
        wa_sandbox: RunningSandbox, smsglobal_modules: Path, prefixed: bool) -> None:  # noqa: F811
    ws = await wa_sandbox.control.create_workspace(name="sg")
    creds = ws["credentials"]["smsglobal"]
    base = f"{wa_sandbox.url}/w/sg" if prefixed else wa_sandbox.url
    out = await _smsglobal_sdk(smsglobal_modules, base, creds["key"], creds["secret"])
    assert out["send"]["ok"]["statusCode"] == 200, out["send"]
    assert out["getAll"]["ok"]["data"]["total"] == 3  # its own three sends, nobody else's
    ids = {m["id"] for m in await wa_sandbox.control.for_workspace("sg").messages(provider="smsglobal")}
    assert len(ids) >= 2
    assert await _journal(wa_sandbox.control) == []
