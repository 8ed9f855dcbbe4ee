"""Garbage-collector policy for the `wa-sandbox serve` process (not for in-process test use).

The journal keeps every message for its life, and its objects hold no reference cycles: refcounting
frees them on eviction. CPython's automatic full collections still re-scan all of them, and measured at
1,000 messages/s they paused the event loop 130-215 ms at ~200k tracked objects while collecting
nothing, which was the whole p99 send latency. So the serving process:
- freezes survivors every ``freeze_interval`` seconds (after a cheap young collection), moving them
  out of the collector's sight;
- turns automatic full collections off;
- once every ``full_interval`` seconds unfreezes and runs one full collection, so the rare cyclic
  garbage that got frozen (closed connections' objects) is reclaimed: memory stays bounded.
"""

from __future__ import annotations

import asyncio
import gc
import time

NO_AUTOMATIC_FULL_COLLECTIONS = 1_000_000  # gen2 threshold: gen1 passes before an automatic full one


async def housekeeping(freeze_interval: float, full_interval: float) -> None:
    if freeze_interval <= 0:
        return
    gen0, gen1, _ = gc.get_threshold()
    gc.set_threshold(gen0, gen1, NO_AUTOMATIC_FULL_COLLECTIONS)
    gc.freeze()  # everything imported and built at start-up
    last_full = time.monotonic()
    try:
        while True:
            await asyncio.sleep(freeze_interval)
            if full_interval > 0 and time.monotonic() - last_full >= full_interval:
                gc.unfreeze()
                gc.collect()
                last_full = time.monotonic()
            else:
                gc.collect(1)
            gc.freeze()
    finally:
        gc.unfreeze()
        gc.set_threshold(gen0, gen1, 10)
