"""The Node example of docs/integration.md section 8 (a workspace per test with fetch and node:test)
runs as written against a live sandbox. Skipped without Node 18+ (global fetch, node:test)."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

DOC = Path(__file__).parents[1] / "docs" / "integration.md"


def _node_example() -> str:
    section = DOC.read_text(encoding="utf-8").split("## 8. A workspace per test", 1)[1]
    [code] = re.findall(r"^```js\n(.*?)^```", section.split("**Java**", 1)[0], flags=re.M | re.S)
    return str(code)


def _node_major() -> int:
    if shutil.which("node") is None:
        return 0
    version = subprocess.run(["node", "--version"], capture_output=True, text=True, check=False).stdout
    found = re.match(r"v(\d+)", version)
    return int(found.group(1)) if found else 0


@pytest.mark.skipif(_node_major() < 18, reason="the example needs Node 18+ (global fetch, node:test)")
async def test_the_node_workspace_example_passes_as_written(wa_sandbox, tmp_path):
    script = tmp_path / "workspace.test.mjs"
    script.write_text(_node_example(), encoding="utf-8")
    proc = await asyncio.create_subprocess_exec(
        "node", "--test", str(script), cwd=tmp_path, env={**os.environ, "WA_SANDBOX_URL": wa_sandbox.url},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    out, _ = await asyncio.wait_for(proc.communicate(), 120)
    assert proc.returncode == 0, out.decode()
    assert "# pass 2" in out.decode(), out.decode()
    assert await wa_sandbox.control.workspaces() == []  # each test deleted its own
    assert await wa_sandbox.control.messages() == []  # and the default workspace saw nothing
