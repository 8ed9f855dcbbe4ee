"""The inbox shows one workspace at a time, picked in its workspace switcher (or by ?workspace=)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from playwright.async_api import Browser, Page, expect

from sandbox.testing.plugin import RunningSandbox
from tests.ui.conftest import PHONE_ID, VIEWPORT

TEXT = {"messaging_product": "whatsapp", "to": "+15550200001", "type": "text"}


async def send(wa_sandbox: RunningSandbox, base: str, token: str, body: str) -> None:
    url = f"{base}/{PHONE_ID}/messages"
    async with wa_sandbox.control.session.post(url, json={**TEXT, "text": {"body": body}},
                                               headers={"Authorization": f"Bearer {token}"}) as resp:
        assert resp.status == 200, await resp.text()


@pytest.fixture
async def page(browser: Browser) -> AsyncIterator[Page]:
    context = await browser.new_context(viewport=VIEWPORT)
    opened = await context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda exc: errors.append(str(exc)))
    yield opened
    await context.close()
    assert not errors, f"JavaScript errors on the inbox page: {errors}"


async def test_the_switcher_shows_one_workspace_at_a_time(page: Page, wa_sandbox: RunningSandbox) -> None:
    control = wa_sandbox.control
    ws: dict[str, Any] = await control.create_workspace(name="blue")
    await control.create_workspace(name="green")
    await send(wa_sandbox, ws["base_urls"]["meta"], ws["credentials"]["meta"]["access_token"], "only in blue")
    await send(wa_sandbox, f"{wa_sandbox.url}/v23.0", "sandbox-token", "only in the default")

    await page.goto(f"{wa_sandbox.url}/_sandbox/inbox?workspace=blue")
    await page.locator("#live[data-state=live]").wait_for()
    await expect(page.locator("#messages")).to_contain_text("only in blue")
    await expect(page.locator("#messages")).not_to_contain_text("only in the default")
    await send(wa_sandbox, f"{wa_sandbox.url}/v23.0", "sandbox-token", "live in the default")  # its live feed
    await send(wa_sandbox, ws["base_urls"]["meta"], ws["credentials"]["meta"]["access_token"], "live in blue")
    await expect(page.locator("#messages")).to_contain_text("live in blue")
    await expect(page.locator("#messages")).not_to_contain_text("live in the default")
    switcher = page.locator("#workspace")
    await expect(switcher).to_have_value("blue")
    assert await switcher.locator("option").all_inner_texts() == [
        "default workspace", "workspace: blue", "workspace: green"]

    await switcher.select_option("")  # back to the default workspace
    await page.wait_for_url(f"{wa_sandbox.url}/_sandbox/inbox")
    await page.locator("#live[data-state=live]").wait_for()
    await expect(page.locator("#messages")).to_contain_text("only in the default")
    await expect(page.locator("#messages")).not_to_contain_text("only in blue")

    await switcher.select_option("green")  # an empty workspace: nothing of the others
    await page.wait_for_url("**/_sandbox/inbox?workspace=green")
    await page.locator("#live[data-state=live]").wait_for()
    await expect(page.locator("#conversations")).to_contain_text("No conversations yet")


async def test_without_workspaces_the_switcher_stays_hidden(page: Page, wa_sandbox: RunningSandbox) -> None:
    await page.goto(f"{wa_sandbox.url}/_sandbox/inbox")
    await page.locator("#live[data-state=live]").wait_for()
    await expect(page.locator("#workspace")).to_be_hidden()
