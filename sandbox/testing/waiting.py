"""Wait on an event until a probe finds something: no wall-clock sleeping in tests."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


async def wait_until(changed: asyncio.Event, probe: Callable[[], T | None], timeout: float, what: str) -> T:
    """Re-run ``probe`` each time ``changed`` fires; raise TimeoutError naming ``what`` after ``timeout``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while (found := probe()) is None:
        changed.clear()
        remaining = deadline - loop.time()
        if remaining <= 0:
            raise TimeoutError(f"timed out after {timeout:g} s waiting for {what}")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(changed.wait(), remaining)
    return found
