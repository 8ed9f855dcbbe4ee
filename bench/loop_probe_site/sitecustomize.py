"""Loaded by ``python -m bench.loop_probe`` into the sandbox process only (this folder first on its
PYTHONPATH, ``WA_SANDBOX_LOOP_PROBE`` naming the output file): times every event-loop callback and every
garbage-collector pass, and writes the distribution once a second. Bench-only: never part of a server."""

from __future__ import annotations

import collections
import gc
import json
import os
import sys
import threading
import time
from typing import Any

BUCKETS_MS = (1, 5, 20, 50)  # callback durations are counted per bucket: < 1 ms, < 5 ms, ...
SLOW_MS = 5.0  # callbacks at least this long are attributed to what they ran


def _install(out: str) -> None:
    import asyncio.events

    hist: collections.Counter[str] = collections.Counter()
    slow_n: collections.Counter[str] = collections.Counter()
    slow_ms: collections.defaultdict[str, float] = collections.defaultdict(float)
    worst: list[tuple[float, str]] = []
    gc_n: collections.Counter[int] = collections.Counter()
    gc_cpu_ms: collections.defaultdict[int, float] = collections.defaultdict(float)
    gc_wall_ms: collections.defaultdict[int, float] = collections.defaultdict(float)
    gc_started = [0.0, 0.0]
    run = asyncio.events.Handle._run

    def name_of(handle: asyncio.events.Handle) -> str:
        callback = handle._callback  # type: ignore[attr-defined]
        task: Any = getattr(callback, "__self__", None)
        if hasattr(task, "get_coro"):  # a task step: name the coroutine
            return str(getattr(task.get_coro(), "__qualname__", task))
        return str(getattr(callback, "__qualname__", callback))[:80]

    def timed(self: asyncio.events.Handle) -> None:
        started = time.perf_counter()
        run(self)
        ms = (time.perf_counter() - started) * 1000
        hist[next((f"<{b} ms" for b in BUCKETS_MS if ms < b), f">={BUCKETS_MS[-1]} ms")] += 1
        if ms >= SLOW_MS:
            name = name_of(self)
            slow_n[name] += 1
            slow_ms[name] += ms
            worst.append((round(ms, 1), name))
            worst.sort(reverse=True)
            del worst[10:]

    def on_gc(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            gc_started[:] = [time.thread_time(), time.perf_counter()]
            return
        generation = info["generation"]
        gc_n[generation] += 1
        gc_cpu_ms[generation] += (time.thread_time() - gc_started[0]) * 1000
        wall = (time.perf_counter() - gc_started[1]) * 1000
        gc_wall_ms[generation] += wall
        if wall >= SLOW_MS:
            worst.append((round(wall, 1), f"gc generation {generation}"))
            worst.sort(reverse=True)
            del worst[10:]

    def dump() -> None:
        while True:
            time.sleep(1.0)
            state = {
                "callbacks": dict(hist),
                "slow_callbacks": {k: {"count": n, "ms": round(slow_ms[k], 1)} for k, n in slow_n.most_common()},
                "gc": {str(g): {"count": gc_n[g], "cpu_ms": round(gc_cpu_ms[g], 1), "wall_ms": round(gc_wall_ms[g], 1)}
                       for g in sorted(gc_n)},
                "process_cpu_s": round(time.process_time(), 3),
                "worst_ms": worst,
            }
            tmp = out + ".tmp"
            with open(tmp, "w") as f:
                json.dump(state, f, indent=1)
            os.replace(tmp, out)

    asyncio.events.Handle._run = timed  # type: ignore[method-assign]
    gc.callbacks.append(on_gc)
    threading.Thread(target=dump, name="loop-probe", daemon=True).start()


if os.environ.get("WA_SANDBOX_LOOP_PROBE") and "serve" in sys.argv:
    _install(os.environ["WA_SANDBOX_LOOP_PROBE"])
