"""The official npm ``smsglobal`` SDK (1.2.5) against the sandbox: real MAC signing, real wire encoding.

The SDK is installed with npm into a cache folder outside the repository
(``$WA_SANDBOX_NPM_CACHE``, default ``~/.cache/wa-sandbox/npm``); the test is skipped with the reason
when node or npm is missing or the install fails (offline).
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from sandbox.testing.plugin import RunningSandbox
from tests.providers.smsglobal.conftest import SmsglobalClient

SDK = "smsglobal@1.2.5"
SCRIPT = Path(__file__).parent / "smsglobal_node" / "run.js"


@pytest.fixture(scope="module")
def node_modules() -> Path:
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("node and npm are needed to run the official SMSGlobal Node SDK")
    cache = Path(os.environ.get("WA_SANDBOX_NPM_CACHE", Path.home() / ".cache" / "wa-sandbox" / "npm"))
    modules = cache / "node_modules"
    if not (modules / "smsglobal" / "lib" / "client.js").exists():
        cache.mkdir(parents=True, exist_ok=True)
        result = subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", "--prefix", str(cache), SDK],
            capture_output=True,
            text=True,
            timeout=180,
        )
        if result.returncode != 0:
            pytest.skip(f"could not install {SDK} with npm: {result.stderr.strip()[-300:]}")
    return modules


async def run_sdk(node_modules: Path, url: str, step: str = "all") -> dict[str, Any]:
    env = {**os.environ, "NODE_PATH": str(node_modules)}
    proc = await asyncio.create_subprocess_exec(
        "node", str(SCRIPT), url, "sandbox-key", "sandbox-secret", step,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=env,
    )
    stdout, stderr = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 0, stderr.decode()
    return dict(json.loads(stdout))


@pytest.fixture
async def sdk(node_modules: Path, wa_sandbox: RunningSandbox) -> dict[str, Any]:
    await wa_sandbox.control.inject_inbound("61400000123", provider="smsglobal", message="incoming hi")
    return await run_sdk(node_modules, wa_sandbox.url)


async def test_node_sdk_send_is_authenticated_and_answered(sdk: dict[str, Any]) -> None:
    [message] = sdk["send"]["ok"]["data"]["messages"]
    assert sdk["send"]["ok"]["statusCode"] == 200
    assert (message["origin"], message["destination"], message["status"]) == ("NodeSdk", "61400000123", "Processing")
    assert len(sdk["sendMany"]["ok"]["data"]["messages"]) == 2


async def test_node_sdk_get_and_list(sdk: dict[str, Any]) -> None:
    assert sdk["get"]["ok"]["data"]["message"] == "Hello from Node"
    listed = sdk["getAll"]["ok"]["data"]
    assert (listed["total"], listed["offset"], listed["limit"], len(listed["messages"])) == (3, 1, 2, 2)


async def test_node_sdk_date_filter_query_signature_is_accepted(sdk: dict[str, Any]) -> None:
    assert sdk["getAllDates"]["ok"]["data"]["total"] == 3


async def test_node_sdk_sees_validation_error_body(sdk: dict[str, Any]) -> None:
    error = sdk["invalid"]["err"]
    assert error["statusCode"] == 400
    assert error["data"] == {"errors": {"origin": {"errors": ["Origin is invalid."]}}}


async def test_node_sdk_missing_message_is_404(sdk: dict[str, Any]) -> None:
    assert sdk["missing"]["err"]["statusCode"] == 404


async def test_node_sdk_lists_incoming(sdk: dict[str, Any]) -> None:
    [incoming] = sdk["incoming"]["ok"]["data"]["messages"]
    assert (incoming["origin"], incoming["message"]) == ("61400000123", "incoming hi")


async def test_node_sdk_delete_answers_204(sdk: dict[str, Any]) -> None:
    assert sdk["delete"]["ok"]["statusCode"] == 204
    assert sdk["afterDelete"]["err"]["statusCode"] == 404


async def test_node_sdk_reads_the_campaign_of_a_reply_to_a_campaign_send(
    node_modules: Path, wa_sandbox: RunningSandbox
) -> None:
    # reference providers.md §A4 "Incoming message object": campaign {"id": 1340232} (Go/.NET SDK types).
    # The send is signed in Python: SDK 1.2.5's schema checks `campaign` as a date-time string.
    async with aiohttp.ClientSession() as session:
        client = SmsglobalClient(wa_sandbox.url, session)
        assert (await client.send(destination="61400000126", message="Sale", campaign="1340232")).status == 200
    await wa_sandbox.control.inject_inbound("61400000126", provider="smsglobal", message="YES")
    [incoming] = (await run_sdk(node_modules, wa_sandbox.url, "incoming"))["incoming"]["ok"]["data"]["messages"]
    assert incoming["campaign"] == {"id": 1340232}
