"""Helpers for the reliability tests: sends, and the clock stepped so retries happen at their own times."""

from __future__ import annotations

from typing import Any

from sandbox.testing.plugin import RunningSandbox
from tests.conftest import send

TEXT = {"messaging_product": "whatsapp", "to": "15550200001", "type": "text", "text": {"body": "hi"}}


async def send_texts(wa_sandbox: RunningSandbox, count: int) -> list[str]:
    """``count`` accepted sends to the default scenario's sent/delivered/read number; their wamids."""
    ids = []
    for n in range(count):
        status, body = await send(wa_sandbox, {**TEXT, "text": {"body": f"message {n}"}})
        assert status == 200, body
        ids.append(body["messages"][0]["id"])
    return ids


async def step_clock(wa_sandbox: RunningSandbox, seconds: float, step: float = 5.0) -> None:
    """Advance in steps, each waiting for the webhook attempts it caused, so retries are rescheduled
    from the time they ran (one big jump would leave the retry after it in the future)."""
    left = seconds
    while left > 0:
        await wa_sandbox.control.advance(min(step, left))
        left -= step


def statuses_by_message(posts: list[Any]) -> dict[str, list[str]]:
    """wamid -> statuses in the order the receiver got them (only the answered-2xx POSTs)."""
    out: dict[str, list[str]] = {}
    for post in posts:
        if post.answered >= 300:
            continue
        status = post.json["entry"][0]["changes"][0]["value"]["statuses"][0]
        out.setdefault(status["id"], []).append(status["status"])
    return out
