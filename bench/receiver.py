"""Webhook receiver process: answers 200 at once, counts status webhooks and measures their lag.

Lag of one status = arrival time - (send time + the status's offset in the scenario timeline). The send
time is the loadgen's wall clock when it wrote the request, echoed back in ``biz_opaque_callback_data``;
so the lag includes the send's own latency (an upper bound on the scheduler + dispatcher delay).
GET /stats returns the figures so far, POST /reset clears them, GET /hook answers Meta's handshake.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from pathlib import Path
from typing import Any

from aiohttp import web

from bench.stats import percentiles

STATS: web.AppKey[Stats] = web.AppKey("stats")


class Stats:
    def __init__(self, offsets: dict[str, float]) -> None:
        self.offsets = offsets  # maps status -> seconds after the send it is scheduled at
        self.reset()

    def reset(self) -> None:
        self.posts = 0
        self.bad = 0
        self.statuses: Counter[str] = Counter()  # maps status -> webhooks received
        self.lags_ms: list[float] = []
        self.first: float | None = None
        self.last: float | None = None

    def record(self, payload: Any, arrived: float) -> None:
        self.posts += 1
        self.first = self.first or arrived
        self.last = arrived
        for entry in payload.get("entry", []):
            for change in entry.get("changes", []):
                for status in change.get("value", {}).get("statuses", []):
                    name = status.get("status", "?")
                    self.statuses[name] += 1
                    sent_at = status.get("biz_opaque_callback_data")
                    if sent_at and name in self.offsets:
                        self.lags_ms.append((arrived - float(sent_at) - self.offsets[name]) * 1000)

    def to_json(self) -> dict[str, Any]:
        span = (self.last - self.first) if self.first and self.last else 0.0
        return {
            "posts": self.posts,
            "bad": self.bad,
            "statuses": dict(self.statuses),
            "first_arrival": self.first,
            "last_arrival": self.last,
            "webhooks_per_second": round(self.posts / span, 1) if span > 0 else None,
            "lag_ms": percentiles(self.lags_ms),
        }


async def hook(request: web.Request) -> web.Response:
    arrived = time.time()
    raw = await request.read()
    try:
        request.app[STATS].record(json.loads(raw), arrived)
    except (ValueError, AttributeError, TypeError):
        request.app[STATS].bad += 1
    return web.Response(text="ok")


async def handshake(request: web.Request) -> web.Response:
    return web.Response(text=request.query.get("hub.challenge", ""))


async def stats(request: web.Request) -> web.Response:
    return web.json_response(request.app[STATS].to_json())


async def reset(request: web.Request) -> web.Response:
    request.app[STATS].reset()
    return web.json_response({"reset": True})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--offsets", default='{"sent": 0.2, "delivered": 1, "read": 3}')
    parser.add_argument("--final-stats", help="write the figures here on shutdown (SIGTERM): the soak's outage "
                        "stops the receiver and must count what it took up to the last moment")
    args = parser.parse_args()
    app = web.Application()
    app[STATS] = Stats({k: float(v) for k, v in json.loads(args.offsets).items()})
    if args.final_stats:
        async def write_final(app: web.Application) -> None:
            Path(args.final_stats).write_text(json.dumps(app[STATS].to_json()))
        app.on_cleanup.append(write_final)
    app.add_routes([
        web.post("/hook", hook), web.get("/hook", handshake), web.get("/stats", stats), web.post("/reset", reset),
    ])
    web.run_app(app, host="127.0.0.1", port=args.port, access_log=None, print=None)


if __name__ == "__main__":
    main()
