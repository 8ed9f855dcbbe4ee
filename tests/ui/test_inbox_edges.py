"""The web inbox at its edges, in a real headless Chromium: narrow windows (the side panels become
drawers), machines without an emoji font (the UI's own symbols are inline SVG), failed messages (nothing
in them can be answered) and a short window (the address form's submit stays in sight)."""

from __future__ import annotations

from typing import Any

from playwright.async_api import Page, expect

from sandbox.testing.plugin import RunningSandbox

ANA = "+15550200001"  # window open, read after 3 s
UNDELIVERABLE = "+15550200003"  # fails with 131026 after 1 s
PRIYA = "+919876500012"  # Indian persona who can fill in address forms
NO_ADDRESS = "+919876500013"  # Indian user whose app cannot show address messages: fails with 1026
BUTTONS = {
    "type": "button", "body": {"text": "Deliver tomorrow?"},
    "action": {"buttons": [{"type": "reply", "reply": {"id": "yes", "title": "Yes"}},
                           {"type": "reply", "reply": {"id": "no", "title": "No"}}]},
}
ADDRESS = {
    "type": "address_message", "body": {"text": "Where should we deliver?"},
    "action": {"name": "address_message", "parameters": {"country": "IN"}},
}
# Emoji and pictographs (Unicode's Extended_Pictographic, which includes arrows such as ↩ and ↗ that
# emoji fonts draw): none may come from the page itself.
PICTOGRAPHIC = r"\p{Extended_Pictographic}"


def row(page: Page, wamid: str) -> Any:
    return page.locator(f'.row[data-id="{wamid}"]')


async def narrow(page: Page, width: int, height: int) -> None:
    """Resize the window; no drawer animation (prefers-reduced-motion), so geometry is final at once."""
    await page.emulate_media(reduced_motion="reduce")
    await page.set_viewport_size({"width": width, "height": height})


async def horizontal_overflow(page: Page) -> int:
    return int(await page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth"))


async def test_below_1180px_the_inspector_is_a_drawer_that_fits_the_window(inbox: Page, send_meta: Any) -> None:
    await send_meta(ANA, "text", {"body": "Hello"})
    await narrow(inbox, 800, 900)
    panel, toggle = inbox.locator("#panel"), inbox.locator("#toggle-panel")
    await expect(panel).to_be_hidden()
    assert await horizontal_overflow(inbox) <= 0
    await toggle.click()
    await expect(panel).to_be_visible()
    await expect(toggle).to_have_attribute("aria-expanded", "true")
    box = await panel.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= 800
    for tab in await panel.get_by_role("tab").all():  # no tab label cut mid-word
        assert await tab.evaluate("t => t.scrollWidth <= t.clientWidth"), await tab.inner_text()
    await inbox.keyboard.press("Escape")
    await expect(panel).to_be_hidden()


async def test_inspecting_a_message_in_a_narrow_window_opens_the_inspector(inbox: Page, send_meta: Any) -> None:
    wamid = await send_meta(ANA, "text", {"body": "Inspect me"})
    await narrow(inbox, 1000, 800)
    await row(inbox, wamid).hover()
    await row(inbox, wamid).get_by_role("button", name="Inspect").click()
    await expect(inbox.locator("#panel")).to_be_visible()
    await expect(inbox.locator("#inspect .mono-line")).to_have_text(wamid)
    await inbox.locator("#scrim").click(position={"x": 10, "y": 300})
    await expect(inbox.locator("#panel")).to_be_hidden()


async def test_at_phone_width_the_conversations_are_a_drawer_closed_by_choosing_one(inbox: Page, send_meta: Any) -> None:
    await send_meta(ANA, "text", {"body": "Hello Ana"})
    await send_meta(UNDELIVERABLE, "text", {"body": "Hello you"})
    await narrow(inbox, 390, 800)
    sidebar = inbox.locator("#sidebar")
    await expect(sidebar).to_be_hidden()
    assert await horizontal_overflow(inbox) <= 0
    await inbox.locator("#toggle-chats").click()
    await expect(sidebar).to_be_visible()
    await sidebar.locator('.conversation[data-user="15550200001"]').click()
    await expect(sidebar).to_be_hidden()
    await expect(inbox.locator("#chat-sub")).to_contain_text("+15550200001")
    await expect(inbox.locator(".row.from-business .text").last).to_have_text("Hello Ana")


async def test_a_wide_window_shows_three_columns_and_no_drawer_toggles(inbox: Page) -> None:
    for locator in ("#sidebar", "#panel"):
        await expect(inbox.locator(locator)).to_be_visible()
    for toggle in ("#toggle-chats", "#toggle-panel"):
        await expect(inbox.locator(toggle)).to_be_hidden()


async def test_the_inbox_draws_its_own_symbols_as_svg_never_emoji(
    inbox: Page, wa_sandbox: RunningSandbox, send_meta: Any
) -> None:
    # Message content without emoji, of every kind that has a symbol: whatever pictograph is on the page
    # would be the inbox's own.
    await send_meta(ANA, "interactive", {"type": "location_request_message", "body": {"text": "Where are you?"},
                                         "action": {"name": "send_location"}})
    await send_meta(ANA, "interactive", BUTTONS)
    await send_meta(ANA, "location", {"latitude": 1.28, "longitude": 103.85, "name": "Shop"})
    await send_meta(ANA, "contacts", [{"name": {"formatted_name": "Dana Reyes", "first_name": "Dana"}}])
    await send_meta(ANA, "document", {"link": "http://127.0.0.1:9/none.pdf", "filename": "invoice.pdf"})
    template = await send_meta(ANA, "template", {"name": "hello_world", "language": {"code": "en_US"}})
    address = await send_meta(PRIYA, "interactive", ADDRESS)
    await wa_sandbox.control.advance(12)  # Priya submits the address form
    await inbox.locator(f'.conversation[data-user="{PRIYA[1:]}"]').click()
    await expect(row(inbox, address).get_by_role("button", name="Provide address").locator("svg.icon")).to_have_count(1)
    await expect(inbox.locator(".row.from-user .kind-note svg.icon-home")).to_be_visible()
    await inbox.locator(f'.conversation[data-user="{ANA[1:]}"]').click()
    await expect(inbox.get_by_role("button", name="Send location").locator("svg.icon-pin")).to_have_count(1)
    last = row(inbox, template)  # delivered (the document's link fails: a failed message has no React tool)
    await last.hover()
    await last.get_by_role("button", name="React").click()
    await expect(last.locator(".react-picker")).to_be_visible()
    await expect(last.locator(".react-picker svg.icon")).to_have_count(7)
    text = await inbox.evaluate("document.body.innerText")
    pictographs = await inbox.evaluate(f"t => t.match(/{PICTOGRAPHIC}/gu) || []", text)
    assert pictographs == [], pictographs


async def test_a_failed_messages_buttons_are_disabled_and_say_why(inbox: Page, wa_sandbox: RunningSandbox, send_meta: Any) -> None:
    wamid = await send_meta(UNDELIVERABLE, "interactive", BUTTONS)
    yes = row(inbox, wamid).get_by_role("button", name="Yes")
    await expect(yes).to_be_enabled()
    await wa_sandbox.control.advance(1)
    await expect(row(inbox, wamid)).to_have_attribute("data-status", "failed")
    await expect(yes).to_be_disabled()
    await expect(yes).to_have_attribute("title", "This message failed (131026): it never reached the user, so they cannot answer it.")
    await row(inbox, wamid).hover()
    for tool in ("Reply", "React"):
        await expect(row(inbox, wamid).get_by_role("button", name=tool)).to_be_disabled()
    await expect(row(inbox, wamid).get_by_role("button", name="Inspect")).to_be_enabled()
    assert await wa_sandbox.control.messages(direction="inbound") == []


async def test_a_failed_address_message_cannot_be_answered(inbox: Page, wa_sandbox: RunningSandbox, send_meta: Any) -> None:
    wamid = await send_meta(NO_ADDRESS, "interactive", ADDRESS)
    await wa_sandbox.control.advance(2)
    await inbox.locator(f'.conversation[data-user="{NO_ADDRESS[1:]}"]').click()
    provide = row(inbox, wamid).get_by_role("button", name="Provide address")
    await expect(provide).to_be_disabled()
    await expect(provide).to_have_attribute("title", "This message failed (1026): it never reached the user, so they cannot answer it.")


async def test_the_address_forms_submit_is_in_sight_900px_high(inbox: Page, wa_sandbox: RunningSandbox, send_meta: Any) -> None:
    wamid = await send_meta(PRIYA, "interactive", ADDRESS)
    for width in (1440, 800):
        await inbox.set_viewport_size({"width": width, "height": 900})
        await row(inbox, wamid).get_by_role("button", name="Provide address").click()
        submit = inbox.locator("#sheet").get_by_role("button", name="Send address")
        await expect(submit).to_be_in_viewport(ratio=1)
        await inbox.locator("#sheet").get_by_role("button", name="Close").click()
    await inbox.set_viewport_size({"width": 1440, "height": 600})  # shorter still: the form scrolls, the submit stays
    await row(inbox, wamid).get_by_role("button", name="Provide address").click()
    await expect(inbox.locator("#sheet").get_by_role("button", name="Send address")).to_be_in_viewport(ratio=1)
