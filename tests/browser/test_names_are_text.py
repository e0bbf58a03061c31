"""A member named `<script>…` is text, in the sandbox's channel and on the public page: the
real bot and stand-in in-process, the pages in Chromium."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer
from playwright.async_api import expect

from bot.sandbox.standin.ids import BOB, GUILD_ID, MODERATOR
from bot.sandbox.web import add_sandbox_routes
from bot.web.people import DiscordPeople
from bot.web.public import PublicPages, add_public_routes

EVIL = "<img src=x onerror=window.pwned=1><script>window.pwned=1</script>"


async def test_a_member_named_like_markup_is_shown_as_text(harness: Any, browser: Any) -> None:
    evil = await harness.standin.add_member(username=EVIL)
    await harness.wait_until(lambda: harness.bot.get_guild(GUILD_ID).get_member(evil.user.id))
    await harness.grant(evil.user.id, 100)
    await harness.user(evil.user.id).invoke("gift", member=BOB, gift="Rose")
    await harness.user(MODERATOR).invoke("settings set", public_page=True)

    app = web.Application()
    feed = add_sandbox_routes(app, harness.standin)
    add_public_routes(app, PublicPages(harness.ledger, DiscordPeople(harness.bot), harness.clock))
    server = TestServer(app)
    await server.start_server()
    try:
        page = await browser.new_page()
        await page.goto(str(server.make_url(f"/g/{GUILD_ID}")))
        row = page.locator("#board-gifters li").first
        shown = evil.user.global_name  # the stand-in's display name: the username, title-cased
        await expect(row).to_contain_text(shown, timeout=15_000)
        await expect(row.locator("img, script")).to_have_count(0)
        assert await page.evaluate("window.pwned") is None

        await page.goto(str(server.make_url("/")))
        await page.click(f'#people button[data-person="{EVIL}"]')
        announcement = page.locator(".message", has_text="sent Rose ×1 to").first
        await expect(announcement).to_contain_text(f"{shown} used /gift", timeout=15_000)
        await expect(page.locator("#messages script, #messages img[src='x']")).to_have_count(0)
        assert await page.evaluate("window.pwned") is None
        await page.close()
    finally:
        feed.close()
        await server.close()
