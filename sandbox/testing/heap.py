"""The test process's heap while the plugin builds a whole app per test (docs/bench.md "Per-test cost").

Measured over 100 generated ``wa_sandbox`` tests, the per-test p99 was garbage collection: three or four
full collections of 70-190 ms each, on a heap that grew by one app every test. Two causes:

- aiohttp caches each request's middleware chain in a process-wide ``lru_cache(maxsize=1024)`` keyed on
  (handler, apps) (``aiohttp.web_app._cached_build_middleware``, aiohttp PR #9158): made for a server whose
  app lives as long as its process, in a test process it kept the last ~250 test apps alive, runtime,
  routes and all. ``forget_apps`` clears it after each test (home-assistant/supervisor PR #7196 does the
  same for its per-test apps). It is a cache: the next request rebuilds its entry. The attribute is
  aiohttp's private one, so it is looked up defensively: an aiohttp without it has no such cache.
- CPython's full collections scan every tracked object, and most of a test process's are pytest's, the
  imports' and the collected tests', alive for the whole run. ``FrozenHeap`` moves them out of the
  collector's sight once (``gc.freeze``, after a full collection, so no garbage is frozen), before the
  first sandbox is built; what each test creates is still collected as before. The ini option
  ``wa_sandbox_gc_freeze = false`` turns it off (the README's "pytest" section).
"""

from __future__ import annotations

import gc
from typing import Any

import aiohttp.web_app


def forget_apps() -> None:
    """Let go of the apps aiohttp's middleware cache holds (every app of this process, the user's too:
    a cache, rebuilt on the next request)."""
    cache: Any = getattr(aiohttp.web_app, "_cached_build_middleware", None)
    if cache is not None and hasattr(cache, "cache_clear"):
        cache.cache_clear()


class FrozenHeap:
    """What was alive before the first sandbox, frozen out of the collector's full scans until ``release``."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.frozen = 0  # objects moved to the permanent generation (0: off, or nothing to freeze)

    def freeze(self) -> None:
        if not self.enabled:
            return
        gc.collect()
        gc.freeze()
        self.frozen = gc.get_freeze_count()

    def release(self) -> None:
        if self.frozen:
            gc.unfreeze()
            self.frozen = 0
