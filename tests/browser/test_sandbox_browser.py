"""A newcomer's first minutes, in a real browser: `python -m bot sandbox`, then Chromium.

Alice buys coins (presses "I am 18 or older"), sends a gift picked from the autocomplete, sees
the public announcement and presses Send again; the moderator grants coins; Bob opens
`/diamonds stats` and sees the chart; the moderator turns the public page on and it follows a
gift without a reload. Screenshots of each screen land in tests/browser/screenshots/.
"""

from __future__ import annotations

from typing import Any

from playwright.async_api import Page, expect

from tests.browser.conftest import SCREENSHOTS

TIMEOUT = 15_000  # ms: the machine is shared; Playwright polls, so a fast run stays fast


async def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


async def be(page: Page, username: str) -> None:
    await page.click(f'#people button[data-person="{username}"]')
    await expect(page.locator(f'#people button[data-person="{username}"]')).to_have_class(
        "active", timeout=TIMEOUT
    )


async def channel(page: Page, name: str) -> None:
    await page.locator("#channels button", has_text=name).click()
    await expect(page.locator("#channel-name")).to_have_text(name, timeout=TIMEOUT)


async def type_and_pick(page: Page, text: str, suggestion: str) -> None:
    """Type into the command box, then click the popup entry whose label (not its description)
    says `suggestion`: until the popup catches up with the typing it still shows the entries
    before it, and "/gift"'s description names a member too."""
    box = page.locator("#command")
    await box.press_sequentially(text, delay=10)
    label = page.locator(".label", has_text=suggestion)
    await page.locator("#suggestions li").filter(has=label).first.click(timeout=TIMEOUT)


async def send(page: Page, line: str | None = None) -> None:
    box = page.locator("#command")
    if line is not None:
        await box.fill(line)
    await box.press("Enter")
    await expect(box).to_have_value("", timeout=TIMEOUT)


def last_message(page: Page, text: str) -> Any:
    return page.locator(".message", has_text=text).last


async def test_a_newcomers_first_minute_in_the_sandbox(sandbox: Any, browser: Any) -> None:
    context = await browser.new_context(viewport={"width": 1280, "height": 860})
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    await page.goto(sandbox.url)
    await expect(page.locator("#server-name")).to_have_text("giftcord sandbox", timeout=TIMEOUT)
    await be(page, "alice")

    # Command names, then the options, then the choices of /coins buy package.
    await type_and_pick(page, "/coi", "/coins buy")
    await expect(page.locator("#command")).to_have_value("/coins buy ")
    await page.locator("#command").press_sequentially("pack", delay=10)
    await page.locator("#suggestions li", has_text="package").first.click()
    await expect(page.locator("#popup-hint")).to_contain_text("package", timeout=TIMEOUT)
    await page.locator("#suggestions li", has_text="70 coins").first.click()
    await expect(page.locator("#command")).to_have_value("/coins buy package:70 ")
    await shot(page, "01-autocomplete-package")
    await send(page)

    confirm = last_message(page, "Buy 70 coins?")
    await expect(confirm).to_contain_text("Only you can see this", timeout=TIMEOUT)
    await shot(page, "02-age-confirmation")
    await confirm.get_by_role("button", name="I am 18 or older").click()
    await expect(page.locator(".message", has_text="70 coins").last).not_to_contain_text(
        "Buy 70 coins?", timeout=TIMEOUT
    )

    # A typing error gets the refusal a member gets, and nothing is sent.
    await send_refused(page, "/gift member:@bob gift:Rose count:lots", "expected an integer")

    # The gift: member from the member list, gift from the bot's own autocomplete (prices).
    await type_and_pick(page, "/gif", "/gift")
    await type_and_pick(page, "mem", "member")
    await type_and_pick(page, "bo", "Bob")
    await type_and_pick(page, "gift:Ro", "Rose — 1 coin")
    await expect(page.locator("#command")).to_have_value("/gift member:@bob gift:Rose ")
    await shot(page, "03-gift-autocomplete")
    await send(page)
    announcement = last_message(page, "sent Rose ×1 to")
    await expect(announcement).to_contain_text("@Bob", timeout=TIMEOUT)
    await expect(announcement).not_to_contain_text("Only you can see this")
    await expect(announcement.locator(".embed")).to_have_count(1)
    message_id = await announcement.get_attribute("data-id")
    await announcement.get_by_role("button", name="Send again").click()
    # The combo edits the same message in place: no new message, no reload.
    same = page.locator(f'.message[data-id="{message_id}"]')
    await expect(same).to_contain_text("×2", timeout=TIMEOUT)
    await expect(same).to_contain_text("(edited)")
    await shot(page, "04-gift-announcement-send-again")

    # Bob sees the announcement but not Alice's ephemeral receipts.
    await be(page, "bob")
    await expect(page.locator(f'.message[data-id="{message_id}"]')).to_be_visible(timeout=TIMEOUT)
    await expect(page.locator(".message", has_text="You bought 70 coins")).to_have_count(0)
    await send(page, "/diamonds stats")
    stats = last_message(page, "Diamonds of Bob")
    chart = stats.locator(".embed-image img")
    await expect(chart).to_be_visible(timeout=TIMEOUT)
    width = await chart.evaluate(
        "img => img.complete ? img.naturalWidth"
        " : new Promise(done => { img.onload = () => done(img.naturalWidth); })"
    )
    assert width > 100  # a real PNG, decoded by the browser
    await shot(page, "05-diamonds-stats-chart")

    # The moderator grants coins; the audit channel shows the post.
    await be(page, "moderator")
    await send(page, "/mod grant member:@carol currency:coins amount:500 reason:welcome gift")
    await expect(last_message(page, "Granted")).to_contain_text("500", timeout=TIMEOUT)
    await channel(page, "giftcord-audit")
    await expect(last_message(page, "Moderator grant")).to_contain_text(
        "welcome gift", timeout=TIMEOUT
    )
    await shot(page, "06-moderator-audit")
    await channel(page, "general")

    # The public page: 404 until the moderator opts in, then it follows the gifts.
    public = await context.new_page()
    guild_link = await page.locator("#public-link").get_attribute("href")
    assert guild_link is not None
    assert guild_link.startswith("/g/")
    missing = await public.goto(sandbox.url.rstrip("/") + guild_link)
    assert missing is not None
    assert missing.status == 404
    await send(page, "/settings set public_page:True")
    await expect(last_message(page, "Settings saved")).to_contain_text(
        "Public leaderboard page", timeout=TIMEOUT
    )
    await public.goto(sandbox.url.rstrip("/") + guild_link)
    gifters = public.locator("#board-gifters li").first
    await expect(gifters).to_contain_text("Alice", timeout=TIMEOUT)
    await expect(gifters).to_contain_text("2 coins")
    await expect(public.locator("#board-creators li").first).to_contain_text("Bob")
    await be(page, "alice")
    await send(page, "/gift member:@carol gift:Rosa")
    await expect(gifters).to_contain_text("12 coins", timeout=TIMEOUT)  # no reload: polled
    await expect(public.locator("#board-creators li").first).to_contain_text("Carol")
    await shot(public, "07-public-leaderboard")
    assert not errors, errors
    await context.close()


async def send_refused(page: Page, line: str, why: str) -> None:
    box = page.locator("#command")
    await box.fill(line)
    await box.press("Enter")
    await expect(page.locator("#refusal")).to_contain_text(why, timeout=TIMEOUT)
    await expect(box).to_have_value(line)  # kept, to be corrected
    await box.fill("")
