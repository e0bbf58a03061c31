"""`/mod …` through the real discord.py client against the Discord stand-in and a real SqliteLedger.

Each test asserts what the moderator sees, what the ledger holds and what reached the audit
channel. Uses the `harness` fixture from tests/conftest.py.
"""

from __future__ import annotations

import csv
import io
import logging
from typing import Any

import pytest

from bot.economy.export import LEDGER_COLUMNS
from bot.economy.ledger import AdjustMode, Currency, PayoutMethod, PayoutState
from bot.economy.reads import (
    ExportRows,
    GetAccount,
    GetAudit,
    GetGuildSettings,
    GetLiveEvent,
    ListCashouts,
)
from bot.economy.requests import (
    Adjust,
    ConfirmAge,
    RegisterCreator,
    RequestCashout,
    UpdateGuildSettings,
)
from bot.sandbox.standin.ids import (
    ALICE,
    AUDIT,
    BOB,
    BOT_MEMBER,
    CAROL,
    DEPARTED,
    GUILD_ID,
    LOCKED,
    MISSING_CHANNEL,
    MOD_HELPER,
    MOD_ROLE,
    MODERATOR,
)

G = GUILD_ID
NOT_MOD = "Only moderators"


# --- helpers (one place to adapt to the harness API) --------------------------------------------


def posts(harness: Any, channel_id: int) -> list[Any]:
    """What the bot posted in a channel, oldest first."""
    return [m for m in harness.standin.world.channels[channel_id].log if not m.deleted]


def button(message: Any, label: str) -> str:
    for comp in message.iter_components():
        if comp.get("label") == label and "custom_id" in comp:
            return str(comp["custom_id"])
    raise AssertionError(f"no button {label!r} in {message.text!r}")


async def coins(harness: Any, user_id: int) -> int:
    return int((await harness.ledger.run(GetAccount(G, user_id))).coins)


async def diamonds(harness: Any, user_id: int) -> int:
    return int((await harness.ledger.run(GetAccount(G, user_id))).diamonds)


@pytest.fixture
async def mod(harness: Any) -> Any:
    """The harness with the audit channel configured; returns the Manage Server moderator."""
    await harness.ledger.run(UpdateGuildSettings(G, audit_channel_id=AUDIT))
    return harness.user(MODERATOR)


# --- permission matrix --------------------------------------------------------------------------

NON_MOD_CALLS: list[tuple[str, dict[str, Any]]] = [
    ("mod grant", {"member": BOB, "currency": "coins", "amount": "100", "reason": "x"}),
    ("mod revoke", {"member": BOB, "currency": "coins", "amount": "100", "reason": "x"}),
    ("mod set", {"member": BOB, "currency": "diamonds", "amount": "0", "reason": "x"}),
    ("mod grant-role", {"role": MOD_ROLE, "currency": "coins", "amount": "5", "reason": "x"}),
    ("mod freeze", {"member": BOB, "reason": "x"}),
    ("mod unfreeze", {"member": BOB, "reason": "x"}),
    ("mod history", {"member": BOB}),
    ("mod audit", {}),
    ("mod export", {"days": 7}),
    ("mod cashouts", {}),
    ("mod cashout-approve", {"request": 1}),
    ("mod cashout-reject", {"request": 1, "reason": "x"}),
    ("event start", {"name": "Party", "minutes": 30}),
    ("event end", {}),
    ("settings set", {"audit_channel": LOCKED}),
]


@pytest.mark.parametrize(("command", "options"), NON_MOD_CALLS, ids=[c for c, _ in NON_MOD_CALLS])
async def test_non_moderator_is_refused_and_nothing_changes(
    harness: Any, mod: Any, command: str, options: dict[str, Any]
) -> None:
    await mod.invoke("mod grant", member=BOB, currency="coins", amount="1000", reason="seed")
    audit_before = (await harness.ledger.run(GetAudit(G))).total
    posts_before = len(posts(harness, AUDIT))

    result = await harness.user(ALICE).invoke(command, **options)

    assert result.ephemeral
    assert NOT_MOD in result.text
    assert await coins(harness, BOB) == 1000
    assert not (await harness.ledger.run(GetAccount(G, BOB))).frozen
    assert (await harness.ledger.run(GetAudit(G))).total == audit_before
    assert await harness.ledger.run(GetLiveEvent(G)) is None
    assert (await harness.ledger.run(GetGuildSettings(G))).audit_channel_id == AUDIT
    assert len(posts(harness, AUDIT)) == posts_before


async def test_configured_mod_role_grants_access(harness: Any, mod: Any) -> None:
    helper = harness.user(MOD_HELPER)
    refused = await helper.invoke(
        "mod grant", member=BOB, currency="coins", amount="10", reason="no role yet"
    )
    assert NOT_MOD in refused.text
    assert await coins(harness, BOB) == 0

    await harness.ledger.run(UpdateGuildSettings(G, mod_role_id=MOD_ROLE))
    ok = await helper.invoke(
        "mod grant", member=BOB, currency="coins", amount="10", reason="mod role now"
    )
    assert ok.ephemeral
    assert "0 → **10**" in ok.text
    assert await coins(harness, BOB) == 10


async def test_button_press_by_someone_else_is_refused(harness: Any, mod: Any) -> None:
    await mod.invoke("mod grant", member=BOB, currency="coins", amount="500", reason="seed")
    ask = await mod.invoke("mod set", member=BOB, currency="coins", amount="0", reason="reset")
    assert ask.message is not None
    # The question is ephemeral: Discord's client shows it to the moderator only, so this press
    # comes from a modified client (validate=False) — the view must refuse it in code.
    press = await harness.user(ALICE).click(
        ask.message, button(ask.message, "Set balance"), validate=False
    )
    assert press.ephemeral
    assert "Only the member who asked" in press.text
    assert ask.message.edit_count == 0  # the moderator's question is untouched
    assert await coins(harness, BOB) == 500
    assert [e.kind for e in (await harness.ledger.run(GetAudit(G))).items] == ["grant"]


async def test_confirm_press_rechecks_permission(harness: Any, mod: Any) -> None:
    """A mod-role holder whose role stops counting between question and press is refused."""
    await harness.ledger.run(UpdateGuildSettings(G, mod_role_id=MOD_ROLE))
    helper = harness.user(MOD_HELPER)
    await mod.invoke("mod grant", member=BOB, currency="coins", amount="500", reason="seed")
    ask = await helper.invoke("mod set", member=BOB, currency="coins", amount="7", reason="fix")
    assert ask.message is not None
    await harness.ledger.run(UpdateGuildSettings(G, mod_role_id=BOB))  # some other id: role revoked
    press = await helper.click(ask.message, button(ask.message, "Set balance"))
    texts = " ".join(m.text for m in press.messages)
    assert NOT_MOD in texts
    assert await coins(harness, BOB) == 500


# --- balance changes --------------------------------------------------------------------------


async def test_grant_and_revoke_change_the_ledger_and_post_to_audit(harness: Any, mod: Any) -> None:
    granted = await mod.invoke(
        "mod grant", member=BOB, currency="coins", amount="1.5k", reason="contest prize"
    )
    assert granted.ephemeral
    assert f"Granted <@{BOB}>'s coins: 0 → **1,500**" in granted.text
    assert "📋 Audit: posted in" in granted.text
    assert await coins(harness, BOB) == 1500

    revoked = await mod.invoke(
        "mod revoke", member=BOB, currency="coins", amount="500", reason="typo"
    )
    assert "1,500 → **1,000**" in revoked.text
    assert await coins(harness, BOB) == 1000

    audit_posts = posts(harness, AUDIT)
    assert len(audit_posts) == 2
    first = audit_posts[0].text
    for expected in (f"<@{MODERATOR}>", f"<@{BOB}>", "Coins", "0 → 1,500", "contest prize"):
        assert expected in first
    entries = (await harness.ledger.run(GetAudit(G))).items
    assert f"#{entries[-1].txn_id}" in first  # the oldest entry is the grant
    assert audit_posts[0].allowed_mentions is not None
    assert audit_posts[0].pings()["users"] == set()

    assert [(e.kind, e.before, e.after, e.actor_id) for e in entries] == [
        ("revoke", 1500, 1000, MODERATOR),
        ("grant", 0, 1500, MODERATOR),
    ]


@pytest.mark.parametrize(
    ("amount", "sentence"),
    [("-5", "negative"), ("1.5", "fraction"), ("lots", "not an amount"), ("0", "at least 1")],
)
async def test_bad_amounts_are_refused(harness: Any, mod: Any, amount: str, sentence: str) -> None:
    result = await mod.invoke("mod grant", member=BOB, currency="coins", amount=amount, reason="x")
    assert result.ephemeral
    assert sentence in result.text
    assert await coins(harness, BOB) == 0
    assert posts(harness, AUDIT) == []


async def test_revoking_more_than_the_balance_says_how_much_there_is(
    harness: Any, mod: Any
) -> None:
    await mod.invoke("mod grant", member=BOB, currency="coins", amount="30", reason="seed")
    result = await mod.invoke("mod revoke", member=BOB, currency="coins", amount="31", reason="x")
    assert result.ephemeral
    assert "has only 30 coins" in result.text
    assert await coins(harness, BOB) == 30
    assert len(posts(harness, AUDIT)) == 1


async def test_grant_to_bot_or_departed_member_is_refused(harness: Any, mod: Any) -> None:
    bot = await mod.invoke("mod grant", member=BOT_MEMBER, currency="coins", amount="5", reason="x")
    assert "Bots don't hold balances" in bot.text
    gone = await mod.invoke("mod grant", member=DEPARTED, currency="coins", amount="5", reason="x")
    assert "not a member" in gone.text
    assert (await harness.ledger.run(GetAudit(G))).total == 0


async def test_set_asks_first_and_a_double_click_applies_once(harness: Any, mod: Any) -> None:
    await mod.invoke("mod grant", member=BOB, currency="diamonds", amount="900", reason="seed")
    ask = await mod.invoke("mod set", member=BOB, currency="diamonds", amount="0", reason="abuse")
    assert ask.ephemeral
    assert "from 900 to **0**" in ask.text
    assert await diamonds(harness, BOB) == 900  # nothing before the press

    press = await mod.click(ask.message, button(ask.message, "Set balance"))
    assert "900 → **0**" in press.text
    assert await diamonds(harness, BOB) == 0
    # The key is the original command's id: a redelivered press changes nothing a second time.
    replay = await harness.ledger.run(
        Adjust(
            G,
            BOB,
            key=str(ask.id),
            actor_id=MODERATOR,
            currency=Currency.DIAMONDS,
            mode=AdjustMode.SET,
            amount=0,
            reason="abuse",
        )
    )
    assert replay.replayed
    assert [e.kind for e in (await harness.ledger.run(GetAudit(G))).items] == ["set", "grant"]
    assert len(posts(harness, AUDIT)) == 2
    assert "900 → 0" in posts(harness, AUDIT)[-1].text


async def test_set_cancel_changes_nothing(harness: Any, mod: Any) -> None:
    await mod.invoke("mod grant", member=BOB, currency="coins", amount="50", reason="seed")
    ask = await mod.invoke("mod set", member=BOB, currency="coins", amount="5", reason="x")
    press = await mod.click(ask.message, button(ask.message, "Cancel"))
    assert "nothing was changed" in press.text
    assert await coins(harness, BOB) == 50


async def test_grant_role_is_one_transaction_for_every_human_member(harness: Any, mod: Any) -> None:
    # Put ALICE and CAROL in the Mods role next to MOD_HELPER, plus a bot (left out).
    guild = harness.standin.world.guilds[G]
    for uid in (ALICE, CAROL, BOT_MEMBER):
        guild.members[uid].roles.append(MOD_ROLE)
    await harness.standin.sync_members(G)  # push the role change to the bot's cache

    ask = await mod.invoke(
        "mod grant-role", role=MOD_ROLE, currency="coins", amount="250", reason="event thanks"
    )
    assert "to each of 3 members" in ask.text
    assert "750 in total" in ask.text
    press = await mod.click(ask.message, button(ask.message, "Grant to role"))
    assert "to 3 members" in press.text
    for uid in (ALICE, CAROL, MOD_HELPER):
        assert await coins(harness, uid) == 250
    assert await coins(harness, BOT_MEMBER) == 0
    entries = (await harness.ledger.run(GetAudit(G))).items
    assert [e.kind for e in entries] == ["bulk_grant"]
    assert "event thanks" in posts(harness, AUDIT)[-1].text


async def test_freeze_and_unfreeze(harness: Any, mod: Any) -> None:
    frozen = await mod.invoke("mod freeze", member=BOB, reason="chargeback")
    assert "is now frozen" in frozen.text
    assert (await harness.ledger.run(GetAccount(G, BOB))).frozen
    again = await mod.invoke("mod freeze", member=BOB, reason="again")
    assert "already frozen" in again.text
    unfrozen = await mod.invoke("mod unfreeze", member=BOB, reason="resolved")
    assert "is now unfrozen" in unfrozen.text
    assert not (await harness.ledger.run(GetAccount(G, BOB))).frozen
    texts = [p.text for p in posts(harness, AUDIT)]
    assert len(texts) == 2
    assert "chargeback" in texts[0]
    assert "resolved" in texts[1]


# --- audit channel failures ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("channel", "sentence"),
    [
        (None, "no audit channel is set"),
        (MISSING_CHANNEL, "no longer exists"),
        (LOCKED, "not allowed"),
    ],
)
async def test_action_completes_when_the_audit_post_fails(
    harness: Any, channel: int | None, sentence: str
) -> None:
    if channel is not None:
        await harness.ledger.run(UpdateGuildSettings(G, audit_channel_id=channel))
    result = await harness.user(MODERATOR).invoke(
        "mod grant", member=BOB, currency="coins", amount="42", reason="audit test"
    )
    assert result.ephemeral
    assert "0 → **42**" in result.text
    assert "⚠️ Audit:" in result.text
    assert sentence in result.text
    assert await coins(harness, BOB) == 42
    assert (await harness.ledger.run(GetAudit(G))).total == 1  # the ledger is the record of truth


@pytest.mark.parametrize("status", [503, 502])
async def test_a_5xx_on_the_audit_post_is_retried_and_posted_once(
    harness: Any, caplog: pytest.LogCaptureFixture, status: int
) -> None:
    """Discord answers the audit post with a 503 (discord.py raises it at once; a 502 it
    retries itself): the post is tried again, lands once, and nothing is logged."""
    await harness.ledger.run(UpdateGuildSettings(G, audit_channel_id=AUDIT))
    harness.standin.faults.add("POST /channels/{channel_id}/messages", status)
    with caplog.at_level(logging.WARNING):
        result = await harness.user(MODERATOR).invoke(
            "mod grant", member=BOB, currency="coins", amount="7", reason="retry test"
        )
    assert "⚠️ Audit:" not in result.text
    assert [p.text.count("retry test") for p in posts(harness, AUDIT)] == [1]
    assert harness.standin.faults.log == [("POST /channels/{channel_id}/messages", status)]
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []


# --- reading ----------------------------------------------------------------------------------


async def test_history_and_audit_pages(harness: Any, mod: Any) -> None:
    for n in range(12):
        await mod.invoke(
            "mod grant", member=BOB, currency="coins", amount=str(n + 1), reason=f"r{n}"
        )
    history = await mod.invoke("mod history", member=BOB)
    assert history.ephemeral
    assert "Page 1 of 2" in history.text
    assert "+12 coins" in history.text  # newest first
    page2 = await mod.invoke("mod history", member=BOB, page=2)
    assert "Page 2 of 2" in page2.text

    audit = await mod.invoke("mod audit", member=BOB, actor=MODERATOR)
    assert "Moderator audit log" in audit.text
    assert "12 actions" in audit.text
    none = await mod.invoke("mod audit", actor=ALICE)
    assert "No moderator actions yet" in none.text


async def test_export_is_a_csv_with_header_and_rows(harness: Any, mod: Any) -> None:
    await mod.invoke("mod grant", member=BOB, currency="coins", amount="100", reason="=cmd()")
    await mod.invoke("mod grant", member=ALICE, currency="diamonds", amount="7", reason="b")
    result = await mod.invoke("mod export")
    assert result.ephemeral
    [attachment] = result.attachments
    assert attachment.filename.endswith(".csv")
    rows = list(csv.reader(io.StringIO(attachment.data.decode("utf-8"))))
    expected = await harness.ledger.run(ExportRows(G))
    assert rows[0] == list(expected[0].keys())
    assert len(rows) == 1 + len(expected)
    assert any("'=cmd()" in cell for row in rows for cell in row)  # formula neutralised

    # days filter: move the clock 3 days on, grant again; `days=1` holds only the new entries.
    harness.clock.advance(3 * 86_400)
    await mod.invoke("mod grant", member=CAROL, currency="coins", amount="9", reason="later")
    recent = await mod.invoke("mod export", days=1)
    recent_rows = list(csv.reader(io.StringIO(recent.attachments[0].data.decode("utf-8"))))
    assert recent_rows[0] == rows[0]
    assert len(recent_rows) == 1 + len(await harness.ledger.run(ExportRows(G, days=1)))
    # Only the later grant's transaction: its two legs (the system account and CAROL's).
    header = recent_rows[0]
    legs = [dict(zip(header, row, strict=True)) for row in recent_rows[1:]]
    assert {r["kind"] for r in legs} == {"grant"}
    assert len({r["txn_id"] for r in legs}) == 1
    assert {(r["account"], r["currency"], r["amount"]) for r in legs} == {
        ("system:adjust", "coins", "-9"),
        (str(CAROL), "coins", "9"),
    }
    assert all(r["reason"] == "later" for r in legs)


# --- cash-outs ----------------------------------------------------------------------------------


async def _pending_payout(harness: Any, mod: Any, user_id: int, amount: int = 20_000) -> int:
    await mod.invoke(
        "mod grant", member=user_id, currency="diamonds", amount=str(amount), reason="s"
    )
    await harness.ledger.run(ConfirmAge(G, user_id))
    await harness.ledger.run(RegisterCreator(G, user_id, country="US", method=PayoutMethod.PAYPAL))
    payout = await harness.ledger.run(
        RequestCashout(
            G, user_id, key=f"cashout-{user_id}", diamonds=amount, method=PayoutMethod.PAYPAL
        )
    )
    return int(payout.id)


async def test_cashouts_approve_and_reject(harness: Any, mod: Any) -> None:
    first = await _pending_payout(harness, mod, BOB)
    second = await _pending_payout(harness, mod, ALICE)
    listing = await mod.invoke("mod cashouts")
    assert f"#{first}" in listing.text
    assert f"#{second}" in listing.text
    assert "$100.00" in listing.text

    approved = await mod.invoke("mod cashout-approve", request=first)
    assert "approved" in approved.text
    assert "📋 Audit" in approved.text
    page = await harness.ledger.run(ListCashouts(G, user_id=BOB))
    assert page.items[0].state is PayoutState.APPROVED

    ask = await mod.invoke("mod cashout-reject", request=second, reason="wrong account")
    assert "Reject cash-out" in ask.text
    assert await diamonds(harness, ALICE) == 0
    press = await mod.click(ask.message, button(ask.message, "Reject request"))
    assert "rejected" in press.text
    assert await diamonds(harness, ALICE) == 20_000  # returned
    assert "wrong account" in posts(harness, AUDIT)[-1].text

    unknown = await mod.invoke("mod cashout-reject", request=second, reason="again")
    assert "no pending cash-out request" in unknown.text
    assert (await harness.ledger.run(ListCashouts(G, state=PayoutState.PENDING))).total == 0
    assert Currency.DIAMONDS.value in posts(harness, AUDIT)[-1].text.lower()


async def test_an_empty_export_still_names_its_columns(harness: Any, mod: Any) -> None:
    result = await mod.invoke("mod export")
    [attachment] = result.attachments
    rows = list(csv.reader(io.StringIO(attachment.data.decode("utf-8"))))
    assert rows == [list(LEDGER_COLUMNS)]
