"""Load generator process (aiohttp client, keep-alive connections). Prints one JSON object on stdout.

- ``rate``: open loop. Request i is *due* at start + i/rate whatever happened before; its latency is
  measured from that due time, so a stalled server is charged for the requests it held back
  (coordinated omission). Bounded: at most ``--max-backlog`` requests waiting, stopped at the deadline.
- ``closed``: ``--connections`` workers send back to back until ``--count`` or ``--seconds``
  (saturation without wrk, and the memory injection loop).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections import Counter
from typing import Any

import aiohttp

from bench.bodies import HEADERS, body_bytes
from bench.stats import percentiles


class Run:
    def __init__(self, url: str, stamp: bool) -> None:
        self.url = url
        self.stamp = stamp  # put the send time in biz_opaque_callback_data (webhook lag)
        self.codes: Counter[str] = Counter()  # maps HTTP status (or error name) -> count
        self.latency_ms: list[float] = []  # from the due time (rate) or the send (closed)
        self.service_ms: list[float] = []  # from the actual send
        self.wamids = 0

    async def one(self, session: aiohttp.ClientSession, index: int, due: float) -> None:
        sent = time.perf_counter()
        body = body_bytes(index, time.time() if self.stamp else None)
        try:
            async with session.post(self.url, data=body, headers=HEADERS) as resp:
                await resp.read()
                self.codes[str(resp.status)] += 1
        except (TimeoutError, aiohttp.ClientError) as exc:
            self.codes[type(exc).__name__] += 1
            return
        done = time.perf_counter()
        self.latency_ms.append((done - due) * 1000)
        self.service_ms.append((done - sent) * 1000)

    def summary(self, elapsed: float, **extra: Any) -> dict[str, Any]:
        ok = self.codes.get("200", 0)
        return {
            "ok": ok,
            "codes": dict(self.codes),
            "seconds": round(elapsed, 3),
            "achieved_per_second": round(ok / elapsed, 1) if elapsed else 0.0,
            "latency_ms": percentiles(self.latency_ms),
            "service_ms": percentiles(self.service_ms),
            **extra,
        }


def _session(connections: int) -> aiohttp.ClientSession:
    connector = aiohttp.TCPConnector(limit=connections, force_close=False)
    return aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=30))


async def open_loop(run: Run, rate: float, seconds: float, connections: int, max_backlog: int) -> dict[str, Any]:
    total = int(rate * seconds)
    tasks: set[asyncio.Task[None]] = set()
    skipped = 0
    async with _session(connections) as session:
        start = time.perf_counter()
        for i in range(total):
            due = start + i / rate
            delay = due - time.perf_counter()
            if delay > 0.001:
                await asyncio.sleep(delay)
            if len(tasks) >= max_backlog:  # the target cannot keep up: stop queueing, count what we skip
                skipped += 1
                continue
            task = asyncio.create_task(run.one(session, i, due))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        issued = time.perf_counter() - start
        if tasks:
            _, late = await asyncio.wait(tasks, timeout=max(5.0, seconds))
            for task in late:
                task.cancel()
            if late:
                run.codes["unfinished"] += len(late)
        elapsed = time.perf_counter() - start
    return run.summary(elapsed, intended=total, skipped_backlog=skipped, target_rate=rate,
                       issue_seconds=round(issued, 3))


async def closed_loop(run: Run, count: int, seconds: float, connections: int) -> dict[str, Any]:
    counter = iter(range(count))
    deadline = time.perf_counter() + seconds

    async def worker(session: aiohttp.ClientSession) -> None:
        for i in counter:
            if time.perf_counter() > deadline:
                return
            await run.one(session, i, time.perf_counter())

    async with _session(connections) as session:
        start = time.perf_counter()
        await asyncio.gather(*(worker(session) for _ in range(connections)))
        elapsed = time.perf_counter() - start
    return run.summary(elapsed, connections=connections)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["rate", "closed"])
    parser.add_argument("--url", required=True)
    parser.add_argument("--rate", type=float, default=100.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--max-backlog", type=int, default=20_000)
    parser.add_argument("--stamp", action="store_true", help="send time in biz_opaque_callback_data")
    args = parser.parse_args()
    run = Run(args.url, args.stamp)
    if args.mode == "rate":
        result = asyncio.run(open_loop(run, args.rate, args.seconds, args.connections, args.max_backlog))
    else:
        result = asyncio.run(closed_loop(run, args.count, args.seconds, args.connections))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
