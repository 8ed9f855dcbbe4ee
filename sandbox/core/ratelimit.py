"""Token buckets on the virtual clock: throughput and pair-rate limits that tests can drive exactly."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from sandbox.core.clock import VirtualClock


@dataclass
class _Bucket:
    tokens: float
    updated: float


class TokenBuckets:
    """One bucket per key: ``rate`` tokens per second, holding at most ``burst``.

    ``take(key)`` answers False when the key is over its limit. Keys are bounded (LRU) so a load test
    with a million recipients does not grow memory without end.
    """

    def __init__(self, clock: VirtualClock, rate: float, burst: float, max_keys: int = 100_000) -> None:
        if rate <= 0 or burst <= 0:
            raise ValueError("rate and burst must be positive")
        self.clock = clock
        self.rate = rate
        self.burst = burst
        self._max_keys = max_keys
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()  # maps key -> bucket, least recently used first

    def take(self, key: str, cost: float = 1.0) -> bool:
        now = self.clock.now()
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = _Bucket(self.burst, now)
            self._buckets[key] = bucket
            if len(self._buckets) > self._max_keys:
                self._buckets.popitem(last=False)
        else:
            self._buckets.move_to_end(key)
            elapsed = max(0.0, now - bucket.updated)
            bucket.tokens = min(self.burst, bucket.tokens + elapsed * self.rate)
            bucket.updated = now
        if bucket.tokens >= cost:
            bucket.tokens -= cost
            return True
        return False

    def retry_after(self, key: str, cost: float = 1.0) -> float:
        bucket = self._buckets.get(key)
        if bucket is None or bucket.tokens >= cost:
            return 0.0
        return (cost - bucket.tokens) / self.rate

    def reset(self) -> None:
        self._buckets.clear()
