"""Percentiles of latency samples (nearest-rank), in the units given."""

from __future__ import annotations

from typing import Any


def percentiles(samples: list[float], points: tuple[float, ...] = (50, 90, 99, 99.9)) -> dict[str, Any]:
    if not samples:
        return {"count": 0}
    ordered = sorted(samples)
    out: dict[str, Any] = {"count": len(ordered), "min": round(ordered[0], 3), "max": round(ordered[-1], 3)}
    for p in points:
        rank = min(len(ordered) - 1, max(0, int(round(p / 100 * len(ordered) + 0.5)) - 1))
        out[f"p{p:g}"] = round(ordered[rank], 3)
    return out
