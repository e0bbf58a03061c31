"""A tiny but real discord.py bot that uses every kind of payload the stand-in must serve:
a command group with a sub-command and a nested group, every option type, choices, ranges,
autocomplete, buttons, deferred answers with follow-ups and edits, ephemeral replies, files,
channel posts/edits and the refusals a missing channel or permission causes.
"""

from __future__ import annotations

import asyncio
import io
from collections import Counter
from typing import Any, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.sandbox.standin import AUDIT, GUILD_ID, LOCKED, MISSING_CHANNEL

GUILD = discord.Object(GUILD_ID)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
CSV = b"when,who,amount\n2024-01-01,alice,70\n"
THINGS = ["Rose", "Rocket", "Lion", "Universe"]


class Panel(discord.ui.View):
    """Buttons answered three ways: update the message (7), defer + edit (6), new reply (4)."""

    def __init__(self) -> None:
        super().__init__(timeout=60)
        self.count = 0

    @discord.ui.button(label="+1", custom_id="panel:inc", style=discord.ButtonStyle.primary)
    async def inc(self, interaction: discord.Interaction, button: discord.ui.Button[Panel]) -> None:
        self.count += 1
        await interaction.response.edit_message(content=f"count {self.count}", view=self)

    @discord.ui.button(label="Later", custom_id="panel:later")
    async def later(
        self, interaction: discord.Interaction, button: discord.ui.Button[Panel]
    ) -> None:
        await interaction.response.defer()
        await asyncio.sleep(0.01)
        await interaction.edit_original_response(content=f"later by {interaction.user.id}")

    @discord.ui.button(label="Reply", custom_id="panel:reply")
    async def reply(
        self, interaction: discord.Interaction, button: discord.ui.Button[Panel]
    ) -> None:
        await interaction.response.send_message(
            f"only you, {interaction.user.name}", ephemeral=True
        )

    @discord.ui.select(
        custom_id="panel:pick",
        max_values=2,
        options=[
            discord.SelectOption(label=t, value=t.lower()) for t in ("Rose", "Lion", "Universe")
        ],
    )
    async def pick(
        self, interaction: discord.Interaction, select: discord.ui.Select[Panel]
    ) -> None:
        await interaction.response.edit_message(content=f"picked {','.join(select.values)}")


class ContractBot(commands.Bot):
    def __init__(self, **options: Any) -> None:
        intents = discord.Intents.default()
        intents.members = True
        super().__init__(
            command_prefix="!",
            intents=intents,
            guild_ready_timeout=0.05,
            allowed_mentions=discord.AllowedMentions.none(),
            **options,
        )
        self.calls: Counter[int] = Counter()  # interaction id → times the command ran
        self.events: list[tuple[str, Any]] = []
        self.app_errors: list[BaseException] = []

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """discord.py sleeps 5 s before every non-initial IDENTIFY (Discord's identify rate);
        nothing to protect on loopback."""

    async def setup_hook(self) -> None:
        add_commands(self.tree)
        self.tree.on_error = self._on_app_error  # type: ignore[method-assign]

    async def _on_app_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        self.app_errors.append(error)

    async def on_member_remove(self, member: discord.Member) -> None:
        self.events.append(("member_remove", member.id))

    async def on_member_join(self, member: discord.Member) -> None:
        self.events.append(("member_join", member.id))

    async def on_resumed(self) -> None:
        self.events.append(("resumed", None))

    async def on_guild_channel_update(self, before: Any, after: discord.abc.GuildChannel) -> None:
        self.events.append(("channel_update", after.id))


def add_commands(tree: app_commands.CommandTree) -> None:
    shop = app_commands.Group(name="shop", description="Buy things", guild_ids=[GUILD_ID])
    admin = app_commands.Group(name="admin", description="Shop admin", parent=shop)

    @shop.command(name="buy", description="Buy a package")
    @app_commands.choices(
        package=[
            app_commands.Choice(name="70 coins", value=70),
            app_commands.Choice(name="350 coins", value=350),
        ]
    )
    async def buy(
        interaction: discord.Interaction,
        package: int,
        note: app_commands.Range[str, 1, 20] | None = None,
    ) -> None:
        await interaction.response.send_message(f"bought {package} note={note}", ephemeral=True)

    @admin.command(name="reset", description="Reset a member")
    async def reset(interaction: discord.Interaction, member: discord.Member) -> None:
        await interaction.response.send_message(f"reset {member.id}")

    tree.add_command(shop)

    @tree.command(name="everything", description="Every option type", guild=GUILD)
    async def everything(
        interaction: discord.Interaction,
        text: app_commands.Range[str, 1, 50],
        count: app_commands.Range[int, 1, 99],
        flag: bool,
        who: discord.User,
        where: discord.TextChannel,
        role: discord.Role,
        ratio: app_commands.Range[float, 0.0, 1.0],
        pick: Literal["a", "b"],
        thing: str,
    ) -> None:
        interaction.client.calls[interaction.id] += 1  # type: ignore[attr-defined]
        await interaction.response.send_message(
            f"{text}|{count}|{flag}|{who.id}:{type(who).__name__}|{where.id}:{where.name}|"
            f"{role.name}|{ratio}|{pick}|{thing}|perms={interaction.permissions.manage_guild}"
        )

    @everything.autocomplete("thing")
    async def thing_autocomplete(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return [
            app_commands.Choice(name=f"{t} 🌹", value=t)
            for t in THINGS
            if t.lower().startswith(current.lower())
        ]

    @tree.command(name="panel", description="Buttons", guild=GUILD)
    async def panel(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("count 0", view=Panel())

    @tree.command(name="slow", description="Deferred with follow-ups", guild=GUILD)
    async def slow(interaction: discord.Interaction) -> None:
        await interaction.response.defer(thinking=True)
        await interaction.edit_original_response(content="working 50%")
        await interaction.followup.send("report", file=discord.File(io.BytesIO(CSV), "ledger.csv"))
        await interaction.edit_original_response(content="done")

    @tree.command(name="secret", description="Ephemeral", guild=GUILD)
    async def secret(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("psst", ephemeral=True)

    @tree.command(name="chart", description="A file in the response", guild=GUILD)
    async def chart(interaction: discord.Interaction) -> None:
        await interaction.response.send_message(
            "chart <@1000000000000000012>", file=discord.File(io.BytesIO(PNG), "chart.png")
        )

    @tree.command(name="post", description="Channel posts and refusals", guild=GUILD)
    async def post(interaction: discord.Interaction) -> None:
        client = interaction.client
        outcomes = []
        audit = client.get_channel(AUDIT)
        assert isinstance(audit, discord.TextChannel)
        msg = await audit.send("audit: granted 10")
        msg = await msg.edit(content="audit: granted 10 (edited)")  # edit() returns a new Message
        fetched = await audit.fetch_message(msg.id)
        outcomes.append(f"audit:{fetched.content == msg.content}")
        await (await audit.send("temporary")).delete()
        for cid in (LOCKED, MISSING_CHANNEL):
            try:
                await client.get_partial_messageable(cid, guild_id=GUILD_ID).send("x")
            except discord.HTTPException as exc:
                outcomes.append(f"{exc.status}/{exc.code}")
        await interaction.response.send_message(" ".join(outcomes))

    @tree.command(name="dup", description="Counts deliveries", guild=GUILD)
    async def dup(interaction: discord.Interaction) -> None:
        client = interaction.client
        client.calls[interaction.id] += 1  # type: ignore[attr-defined]
        await interaction.response.send_message(f"call {client.calls[interaction.id]}")  # type: ignore[attr-defined]

    @tree.command(name="ping", description="Constant answer", guild=GUILD)
    async def ping(interaction: discord.Interaction, n: int = 0) -> None:
        await interaction.response.send_message(f"pong {n}", ephemeral=True)

    @tree.command(name="tidy", description="Edits with a file, fetches and deletes", guild=GUILD)
    async def tidy(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("v1")
        csv = discord.File(io.BytesIO(CSV), "a.csv")
        await interaction.edit_original_response(content="v2", attachments=[csv])
        temp = await interaction.followup.send("temp", wait=True)
        await temp.delete()
        original = await interaction.original_response()
        await interaction.followup.send(f"orig={original.content}:{len(original.attachments)}")
        await interaction.delete_original_response()

    @tree.command(name="toolong", description="An embed Discord refuses", guild=GUILD)
    async def toolong(interaction: discord.Interaction) -> None:
        embed = discord.Embed(title="Top gifters").add_field(name="1.", value="x" * 1025)
        await interaction.response.send_message(embed=embed)

    @tree.command(name="edits", description="Edits its answer n times", guild=GUILD)
    async def edits(interaction: discord.Interaction, n: app_commands.Range[int, 1, 20]) -> None:
        await interaction.response.send_message("edit 0")
        for i in range(1, n + 1):
            await interaction.edit_original_response(content=f"edit {i}")
