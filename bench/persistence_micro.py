"""Micro-benchmark of the send path, in memory vs ``--data-dir`` (docs/reliability-persistence.md).

In-process sandbox (manual clock), one keep-alive client sending Meta text messages one after another,
then the clock advanced so every sent/delivered/read webhook reaches a local receiver.

    .venv/bin/python -m bench.persistence_micro [--count 3000] [--data-dir DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer

from bench.targets import bench_scenario
from sandbox.app import create_app
from sandbox.keys import RUNTIME
from sandbox.settings import Settings

PHONE_ID = "100000000000001"
BODY = {"messaging_product": "whatsapp", "to": "15550200001", "type": "text", "text": {"body": "hello"}}


async def run(count: int, data_dir: str | None) -> dict[str, Any]:
    received = 0
    done = asyncio.Event()

    async def hook(request: web.Request) -> web.Response:
        nonlocal received
        await request.read()
        received += 1
        if received >= 3 * count:
            done.set()
        return web.Response(text="ok")

    receiver_app = web.Application()
    receiver_app.router.add_post("/hook", hook)
    receiver = TestServer(receiver_app)
    await receiver.start_server()
    work = tempfile.mkdtemp(prefix="wa-sandbox-micro-")
    settings = Settings(clock="manual", scenario=str(bench_scenario(Path(work))), seed="bench", verify_webhooks=False,
                        data_dir=data_dir or None, meta_webhook_url=str(receiver.make_url("/hook")))
    app = create_app(settings)
    server = TestServer(app)
    await server.start_server()
    url = str(server.make_url(f"/v23.0/{PHONE_ID}/messages"))
    latencies: list[float] = []
    async with aiohttp.ClientSession(headers={"Authorization": "Bearer sandbox-token"}) as session:
        started = time.perf_counter()
        for _ in range(count):
            t0 = time.perf_counter()
            async with session.post(url, json=BODY) as resp:
                await resp.read()
                assert resp.status == 200, await resp.text()
            latencies.append(time.perf_counter() - t0)
        send_seconds = time.perf_counter() - started
        t1 = time.perf_counter()
        await app[RUNTIME].scheduler.advance(5)
        await asyncio.wait_for(done.wait(), 120)
        lifecycle_seconds = time.perf_counter() - t1
    await server.close()
    await receiver.close()
    latencies.sort()
    return {
        "mode": "sqlite" if data_dir else "memory",
        "sends_per_s": round(count / send_seconds),
        "p50_ms": round(statistics.median(latencies) * 1000, 3),
        "p99_ms": round(latencies[int(len(latencies) * 0.99)] * 1000, 3),
        "webhooks_per_s": round(3 * count / lifecycle_seconds),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=3000)
    parser.add_argument("--data-dir", help="persist here; 'tmp' for a fresh temporary folder")
    args = parser.parse_args()
    if args.data_dir == "tmp":
        with tempfile.TemporaryDirectory() as folder:
            print(asyncio.run(run(args.count, folder)))
    else:
        print(asyncio.run(run(args.count, args.data_dir)))


if __name__ == "__main__":
    main()
