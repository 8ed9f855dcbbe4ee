"""Fixtures for the web inbox: a real headless Chromium (Debian's /usr/bin/chromium) driven by Playwright.

Playwright never downloads a browser here: it launches the system Chromium through ``executable_path``
with the flags this machine needs (no sandbox as root, no background networking on a closed network).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, Dialog, Page, async_playwright

from sandbox.testing.plugin import RunningSandbox

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
PHONE_ID = "100000000000001"
AUTH = {"Authorization": "Bearer sandbox-token"}
VIEWPORT = {"width": 1440, "height": 900}

SendMeta = Callable[..., Awaitable[str]]


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    if not CHROMIUM.exists():
        pytest.skip("web inbox tests need Debian's chromium at /usr/bin/chromium (`make test` installs it)")
    async with async_playwright() as pw:
        launched = await pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS)
        yield launched
        await launched.close()


@pytest.fixture
async def inbox(browser: Browser, wa_sandbox: RunningSandbox) -> AsyncIterator[Page]:
    """The inbox page, loaded and live. ``page.dialogs`` records any alert/confirm (the XSS probe);
    a JavaScript error on the page fails the test."""
    context = await browser.new_context(viewport=VIEWPORT)
    page = await context.new_page()
    dialogs: list[str] = []
    errors: list[str] = []

    async def on_dialog(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        await dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.dialogs = dialogs  # type: ignore[attr-defined]
    await page.goto(f"{wa_sandbox.url}/_sandbox/inbox")
    await page.locator("#live[data-state=live]").wait_for()
    yield page
    await context.close()
    assert not errors, f"JavaScript errors on the inbox page: {errors}"


@pytest.fixture
async def send_meta(wa_sandbox: RunningSandbox) -> SendMeta:
    """Send a Cloud API message as the application would; returns the wamid."""

    async def send(to: str, kind: str, obj: Any, **extra: Any) -> str:
        body = {"messaging_product": "whatsapp", "to": to, "type": kind, kind: obj, **extra}
        url = f"{wa_sandbox.url}/v23.0/{PHONE_ID}/messages"
        async with wa_sandbox.control.session.post(url, json=body, headers=AUTH) as resp:
            answer = await resp.json()
            assert resp.status == 200, answer
            return str(answer["messages"][0]["id"])

    return send
