"""`/mod …` — moderator balance changes, freezes, audit, export and cash-out decisions.

Every command re-checks moderator permission in code first (`default_permissions` is a hint
only) and every confirmation button re-checks it on the press. Each change is one ledger
transaction keyed by the interaction id — for a confirmed action the id of the original command,
so a double click or a redelivered press never applies twice — and is posted to the audit channel
(`bot/services/mod_actions.py`). Replies to moderators are ephemeral.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
from typing import Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import GiftcordBot
from bot.economy.export import LEDGER_COLUMNS, export_csv
from bot.economy.ledger import AdjustMode, Currency, PayoutState
from bot.economy.money import format_count, format_usd, parse_amount
from bot.economy.reads import ExportRows, GetAccount, GetAudit, GetHistory, ListCashouts
from bot.permissions import require_moderator
from bot.services import Services
from bot.services.members import role_member_ids
from bot.services.mod_actions import ModActions, clean_reason, target_member
from bot.ui import mod_pages, mod_replies
from bot.ui.confirm import Action, ConfirmView
from bot.ui.context import respond
from bot.ui.pagination import send_paginated

CurrencyChoice = Literal["coins", "diamonds"]
PER_PAGE = 10
Answer = tuple[str | None, discord.Embed | None]


async def reply(
    interaction: discord.Interaction, content: str, *, file: discord.File | None = None
) -> None:
    """Ephemeral reply to the moderator, first response or follow-up alike."""
    files = [file] if file is not None else []
    await respond(interaction, content, files=files, ephemeral=True)


class Moderation(commands.Cog):
    mod = app_commands.Group(
        name="mod",
        description="Moderator tools: balances, freezes, audit, export and cash-outs",
        guild_only=True,
        default_permissions=discord.Permissions(manage_guild=True),
    )

    def __init__(self, bot: GiftcordBot, services: Services) -> None:
        self.bot = bot
        self.services = services
        self.ledger = services.ledger
        self.actions = ModActions(bot, services.ledger)

    async def _check(self, interaction: discord.Interaction) -> None:
        await require_moderator(interaction, self.ledger)

    async def _ask(
        self, interaction: discord.Interaction, question: str, label: str, action: Action
    ) -> None:
        """Confirm / Cancel for the invoker only; moderator permission re-checked on the press."""
        view = ConfirmView(interaction.user.id, action, confirm_label=label, check=self._check)
        # Deferred or not (the role's members may have been fetched first), the question is
        # this interaction's original response.
        await respond(interaction, question, view=view, ephemeral=True)
        view.message = await interaction.original_response()

    # --- balance changes ----------------------------------------------------------------------

    async def _adjust(
        self,
        interaction: discord.Interaction,
        member: discord.User | discord.Member,
        currency: CurrencyChoice,
        amount: str,
        reason: str,
        mode: AdjustMode,
    ) -> None:
        await self._check(interaction)
        assert interaction.guild_id is not None  # guild_only
        cur = Currency(currency)
        # Revoking from a member who left is allowed; giving to one is not.
        user_id = target_member(member, must_be_present=mode is not AdjustMode.REVOKE)
        value = parse_amount(
            amount,
            maximum=self.services.economy.max_balance,
            allow_zero=mode is AdjustMode.SET,
            unit=cur.value,
        )
        why = clean_reason(reason)
        guild_id = interaction.guild_id
        # For `set` this is the original command's id: a double click applies once.
        apply = functools.partial(
            self.actions.adjust,
            guild_id,
            actor_id=interaction.user.id,
            key=str(interaction.id),
            user_id=user_id,
            currency=cur,
            mode=mode,
            amount=value,
            reason=why,
        )
        if mode is not AdjustMode.SET:
            await reply(interaction, mod_replies.adjust_reply(await apply()))
            return

        account = await self.ledger.run(GetAccount(guild_id, user_id))
        current = account.coins if cur is Currency.COINS else account.diamonds

        async def confirmed(_: discord.Interaction) -> Answer:
            return mod_replies.adjust_reply(await apply()), None

        await self._ask(
            interaction,
            f"Set <@{user_id}>'s {cur.value} from {format_count(current)} to "
            f"**{format_count(value)}**?\nReason: {why}",
            "Set balance",
            confirmed,
        )

    @mod.command(name="grant", description="Add coins or diamonds to a member's balance")
    @app_commands.describe(
        member="Who receives the amount",
        currency="Coins or diamonds",
        amount="How many, e.g. 1500, 1,500 or 1.5k",
        reason="Why — recorded in the ledger and the audit channel",
    )
    async def grant(
        self,
        interaction: discord.Interaction,
        member: discord.User,
        currency: CurrencyChoice,
        amount: str,
        reason: str,
    ) -> None:
        await self._adjust(interaction, member, currency, amount, reason, AdjustMode.GRANT)

    @mod.command(name="revoke", description="Remove coins or diamonds from a member's balance")
    @app_commands.describe(
        member="Whose balance shrinks",
        currency="Coins or diamonds",
        amount="How many, e.g. 1500, 1,500 or 1.5k",
        reason="Why — recorded in the ledger and the audit channel",
    )
    async def revoke(
        self,
        interaction: discord.Interaction,
        member: discord.User,
        currency: CurrencyChoice,
        amount: str,
        reason: str,
    ) -> None:
        await self._adjust(interaction, member, currency, amount, reason, AdjustMode.REVOKE)

    @mod.command(name="set", description="Set a member's balance to an exact amount (asks first)")
    @app_commands.describe(
        member="Whose balance is set",
        currency="Coins or diamonds",
        amount="The new balance, e.g. 0, 1500 or 1.5k",
        reason="Why — recorded in the ledger and the audit channel",
    )
    async def set_(
        self,
        interaction: discord.Interaction,
        member: discord.User,
        currency: CurrencyChoice,
        amount: str,
        reason: str,
    ) -> None:
        await self._adjust(interaction, member, currency, amount, reason, AdjustMode.SET)

    @mod.command(name="grant-role", description="Grant an amount to every member of a role")
    @app_commands.describe(
        role="Every member of this role (bots excluded) receives the amount",
        currency="Coins or diamonds",
        amount="How many each member receives, e.g. 500 or 1.5k",
        reason="Why — recorded in the ledger and the audit channel",
    )
    async def grant_role(
        self,
        interaction: discord.Interaction,
        role: discord.Role,
        currency: CurrencyChoice,
        amount: str,
        reason: str,
    ) -> None:
        await self._check(interaction)
        assert interaction.guild_id is not None
        cur = Currency(currency)
        value = parse_amount(amount, maximum=self.services.economy.max_balance, unit=cur.value)
        why = clean_reason(reason)
        user_ids = await role_member_ids(interaction, role)
        guild_id, actor_id, key = interaction.guild_id, interaction.user.id, str(interaction.id)

        async def confirmed(_: discord.Interaction) -> Answer:
            # One ledger transaction for the whole role, keyed by the original command's id.
            done = await self.actions.grant_role(
                guild_id,
                actor_id=actor_id,
                key=key,
                role_id=role.id,
                user_ids=user_ids,
                currency=cur,
                amount=value,
                reason=why,
            )
            return mod_replies.role_grant_reply(done, role_id=role.id), None

        await self._ask(
            interaction,
            f"Grant **{format_count(value)} {cur.value}** to each of "
            f"{format_count(len(user_ids))} members of <@&{role.id}> "
            f"({format_count(value * len(user_ids))} in total)?\nReason: {why}",
            "Grant to role",
            confirmed,
        )

    # --- freezes ------------------------------------------------------------------------------

    async def _freeze(
        self, interaction: discord.Interaction, member: discord.User, reason: str, frozen: bool
    ) -> None:
        await self._check(interaction)
        assert interaction.guild_id is not None
        done = await self.actions.freeze(
            interaction.guild_id,
            actor_id=interaction.user.id,
            key=str(interaction.id),
            user_id=target_member(member, must_be_present=False),
            frozen=frozen,
            reason=clean_reason(reason),
        )
        await reply(interaction, mod_replies.freeze_reply(done))

    @mod.command(name="freeze", description="Freeze a member: no sending, receiving or cash-out")
    @app_commands.describe(member="Who to freeze", reason="Why — recorded and audited")
    async def freeze(
        self, interaction: discord.Interaction, member: discord.User, reason: str
    ) -> None:
        await self._freeze(interaction, member, reason, True)

    @mod.command(name="unfreeze", description="Lift a member's freeze")
    @app_commands.describe(member="Who to unfreeze", reason="Why — recorded and audited")
    async def unfreeze(
        self, interaction: discord.Interaction, member: discord.User, reason: str
    ) -> None:
        await self._freeze(interaction, member, reason, False)

    # --- reading ------------------------------------------------------------------------------

    @mod.command(name="history", description="Any member's ledger entries, newest first")
    @app_commands.describe(member="Whose ledger", page="Page number (default 1)")
    async def history(
        self,
        interaction: discord.Interaction,
        member: discord.User,
        page: app_commands.Range[int, 1, None] = 1,
    ) -> None:
        await self._check(interaction)
        assert interaction.guild_id is not None
        ledger, guild_id = self.ledger, interaction.guild_id

        async def render(number: int) -> tuple[discord.Embed, int]:
            result = await ledger.run(
                GetHistory(guild_id, member.id, page=number, per_page=PER_PAGE)
            )
            return mod_pages.history_page(result, member.id), result.pages

        await send_paginated(interaction, render, page, ephemeral=True)

    @mod.command(name="audit", description="Moderator actions, newest first")
    @app_commands.describe(
        member="Only actions on this member",
        actor="Only actions by this moderator",
        page="Page number (default 1)",
    )
    async def audit(
        self,
        interaction: discord.Interaction,
        member: discord.User | None = None,
        actor: discord.User | None = None,
        page: app_commands.Range[int, 1, None] = 1,
    ) -> None:
        await self._check(interaction)
        assert interaction.guild_id is not None
        ledger, guild_id = self.ledger, interaction.guild_id
        member_id, actor_id = (member.id if member else None), (actor.id if actor else None)

        async def render(number: int) -> tuple[discord.Embed, int]:
            result = await ledger.run(
                GetAudit(
                    guild_id, member_id=member_id, actor_id=actor_id, page=number, per_page=PER_PAGE
                )
            )
            return mod_pages.audit_page(
                result, member_id=member_id, actor_id=actor_id
            ), result.pages

        await send_paginated(interaction, render, page, ephemeral=True)

    @mod.command(name="export", description="The server's ledger as a CSV file")
    @app_commands.describe(days="Only the last N days (default: everything)")
    async def export(
        self, interaction: discord.Interaction, days: app_commands.Range[int, 1, None] | None = None
    ) -> None:
        await self._check(interaction)
        assert interaction.guild_id is not None
        rows = await self.ledger.run(ExportRows(interaction.guild_id, days=days))
        span = f"the last {format_count(days)} days" if days else "all time"
        stamp = dt.datetime.fromtimestamp(self.services.clock(), dt.UTC).strftime("%Y%m%d-%H%M")
        name = f"giftcord-ledger-{interaction.guild_id}-{stamp}.csv"
        await reply(
            interaction,
            f"The server's ledger for {span}: {format_count(len(rows))} entries, oldest first.",
            file=discord.File(io.BytesIO(export_csv(rows, LEDGER_COLUMNS)), filename=name),
        )

    # --- cash-outs ----------------------------------------------------------------------------

    @mod.command(name="cashouts", description="Pending cash-out requests")
    async def cashouts(self, interaction: discord.Interaction) -> None:
        # No options in the command contract: more than one page gets Previous / Next buttons.
        await self._check(interaction)
        assert interaction.guild_id is not None
        ledger, guild_id = self.ledger, interaction.guild_id

        async def render(number: int) -> tuple[discord.Embed, int]:
            result = await ledger.run(
                ListCashouts(guild_id, state=PayoutState.PENDING, page=number, per_page=PER_PAGE)
            )
            return mod_pages.cashout_page(result), result.pages

        await send_paginated(interaction, render, 1, ephemeral=True)

    @mod.command(name="cashout-approve", description="Approve a pending cash-out request")
    @app_commands.describe(request="The request id from /mod cashouts")
    async def cashout_approve(
        self, interaction: discord.Interaction, request: app_commands.Range[int, 1, None]
    ) -> None:
        await self._check(interaction)
        assert interaction.guild_id is not None
        done = await self.actions.decide(
            interaction.guild_id,
            actor_id=interaction.user.id,
            key=str(interaction.id),
            payout_id=request,
            approve=True,
            reason="Approved by a moderator",
        )
        await reply(interaction, mod_replies.decision_reply(done, approve=True))

    @mod.command(
        name="cashout-reject", description="Reject a cash-out request and return the diamonds"
    )
    @app_commands.describe(
        request="The request id from /mod cashouts", reason="Why — the member and the audit see it"
    )
    async def cashout_reject(
        self,
        interaction: discord.Interaction,
        request: app_commands.Range[int, 1, None],
        reason: str,
    ) -> None:
        await self._check(interaction)
        assert interaction.guild_id is not None
        why = clean_reason(reason)
        payout = await self.actions.pending_payout(interaction.guild_id, request)
        guild_id, actor_id, key = interaction.guild_id, interaction.user.id, str(interaction.id)

        async def confirmed(_: discord.Interaction) -> Answer:
            done = await self.actions.decide(
                guild_id, actor_id=actor_id, key=key, payout_id=request, approve=False, reason=why
            )
            return mod_replies.decision_reply(done, approve=False), None

        await self._ask(
            interaction,
            f"Reject cash-out #{payout.id} of <@{payout.user_id}> "
            f"({format_count(payout.diamonds)} diamonds, {format_usd(payout.usd)}) and return "
            f"the diamonds to their balance?\nReason: {why}",
            "Reject request",
            confirmed,
        )


async def setup(bot: GiftcordBot) -> None:
    await bot.add_cog(Moderation(bot, bot.services))
