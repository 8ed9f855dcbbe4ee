"""The virtual clock every timeline, window and timestamp reads.

Two modes:
- ``real``: virtual time runs with wall time, multiplied by ``speed`` (1.0 = real time).
- ``manual``: time stands still until ``advance()`` or ``set()`` moves it (for tests).

Listeners are told whenever the clock jumps or changes mode, so the scheduler can re-plan.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Literal

ClockMode = Literal["real", "manual"]


class VirtualClock:
    def __init__(
        self,
        *,
        mode: ClockMode = "real",
        speed: float = 1.0,
        start: float | None = None,
        wall: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if speed <= 0:
            raise ValueError("clock speed must be positive")
        self._wall = wall
        self._monotonic = monotonic
        self._mode: ClockMode = mode
        self._speed = speed
        # virtual time = _anchor_virtual + (monotonic() - _anchor_real) * speed   (real mode)
        # virtual time = _anchor_virtual                                           (manual mode)
        self._anchor_virtual = wall() if start is None else start
        self._anchor_real = monotonic()
        self._listeners: list[Callable[[], None]] = []

    @property
    def mode(self) -> ClockMode:
        return self._mode

    @property
    def speed(self) -> float:
        return self._speed

    def now(self) -> float:
        """Virtual seconds since the Unix epoch."""
        if self._mode == "manual":
            return self._anchor_virtual
        return self._anchor_virtual + (self._monotonic() - self._anchor_real) * self._speed

    def real_seconds_until(self, virtual_time: float) -> float | None:
        """How long to wait on the wall clock for ``virtual_time``; None when only advance() gets there."""
        if self._mode == "manual":
            return None
        return max(0.0, (virtual_time - self.now()) / self._speed)

    def set_mode(self, mode: ClockMode, speed: float | None = None) -> None:
        current = self.now()
        self._mode = mode
        if speed is not None:
            if speed <= 0:
                raise ValueError("clock speed must be positive")
            self._speed = speed
        self._rebase(current)

    def set(self, virtual_time: float) -> None:
        """Jump to ``virtual_time`` (forward or backward)."""
        self._rebase(virtual_time)

    def advance(self, seconds: float) -> float:
        if seconds < 0:
            raise ValueError("the clock only moves forward; use set() to jump back")
        self._rebase(self.now() + seconds)
        return self.now()

    def subscribe(self, listener: Callable[[], None]) -> None:
        self._listeners.append(listener)

    def _rebase(self, virtual_time: float) -> None:
        self._anchor_virtual = virtual_time
        self._anchor_real = self._monotonic()
        for listener in list(self._listeners):
            listener()

    def describe(self) -> dict[str, object]:
        return {"mode": self._mode, "speed": self._speed, "now": self.now()}
