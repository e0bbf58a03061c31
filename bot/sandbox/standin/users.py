"""Simulated Discord users: what a person does in the client, as test calls.

``await standin.user(ALICE).invoke("gift", member=BOB, gift="Rose", count=3)`` builds the exact
INTERACTION_CREATE Discord's client would cause (options validated against the synced schema),
sends it on the gateway and returns once the bot has answered.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

from . import payloads
from .errors import ComponentError, OptionError
from .results import APPLICATION_COMMAND, AUTOCOMPLETE, COMPONENT, InteractionResult
from .schema import OptionBuilder

if TYPE_CHECKING:
    from .server import DiscordStandIn
    from .world import Application, Member, Message


class SimulatedUser:
    """A guild member at a Discord client. Control keywords (``validate``, ``timeout``,
    ``in_channel``...) never collide with option names; pass ``options={...}`` if one ever does."""

    def __init__(
        self,
        standin: DiscordStandIn,
        user_id: int,
        *,
        app: Application,
        guild_id: int,
        channel_id: int,
        locale: str = "en-US",
    ) -> None:
        self.standin, self.id, self.app = standin, user_id, app
        self.guild_id, self.channel_id, self.locale = guild_id, channel_id, locale

    @property
    def member(self) -> Member:
        guild = self.standin.world.guilds[self.guild_id]
        member = guild.members.get(self.id)
        if member is None:
            raise OptionError(
                f"user {self.id} is not a member of guild {self.guild_id}: Discord "
                "would not let them use the guild's commands"
            )
        return member

    def _new(
        self, kind: int, channel_id: int, data: dict[str, Any], clicked: Message | None = None
    ) -> InteractionResult:
        standin = self.standin
        guild = standin.world.guilds[self.guild_id]
        channel = standin.world.channels.get(channel_id)
        if channel is None or channel.guild_id != guild.id:
            raise OptionError(f"channel {channel_id} is not a channel of guild {guild.id}")
        interaction_id = standin.ids.next()
        token = "aW50ZXJhY3Rpb246" + secrets.token_urlsafe(48)
        payload = payloads.interaction(
            interaction_id=interaction_id,
            token=token,
            kind=kind,
            app=self.app,
            guild=guild,
            channel_obj=channel,
            invoker=self.member,
            data=data,
            message_obj=None if clicked is None else standin.message_payload(clicked),
            locale=self.locale,
        )
        result = InteractionResult(
            interaction_id=interaction_id,
            token=token,
            kind=kind,
            app=self.app,
            user_id=self.id,
            guild_id=guild.id,
            channel_id=channel.id,
            payload=payload,
            clicked=clicked,
            default_timeout=standin.default_timeout,
        )
        standin.register(result)
        return result

    # --- slash commands ------------------------------------------------------------------------
    def prepare(
        self,
        command: str,
        /,
        *,
        validate: bool = True,
        in_channel: int | None = None,
        options: dict[str, Any] | None = None,
        **values: Any,
    ) -> InteractionResult:
        """Build (and register) the type-2 interaction without sending it: see ``standin.deliver``."""
        return self._command(
            APPLICATION_COMMAND, command, validate, in_channel, {**values, **(options or {})}
        )

    async def invoke(
        self,
        command: str,
        /,
        *,
        validate: bool = True,
        in_channel: int | None = None,
        timeout: float | None = None,  # noqa: ASYNC109
        wait_deferred: bool = True,
        wait_followups: int = 0,
        options: dict[str, Any] | None = None,
        **values: Any,
    ) -> InteractionResult:
        """Run ``/command sub ... option=value``; returns once the bot answered (for a deferred
        answer, once the placeholder was completed; then once ``wait_followups`` follow-ups
        arrived). Raises ``OptionError`` for options Discord's client would refuse (unless
        ``validate=False``) and ``InteractionFailed`` if the bot's first answer was refused."""
        result = self.prepare(
            command, validate=validate, in_channel=in_channel, options=options, **values
        )
        return await self.standin.deliver(
            result, timeout=timeout, wait_deferred=wait_deferred, wait_followups=wait_followups
        )

    async def autocomplete(
        self,
        command: str,
        /,
        *,
        focused: str,
        validate: bool = True,
        in_channel: int | None = None,
        timeout: float | None = None,  # noqa: ASYNC109
        options: dict[str, Any] | None = None,
        **values: Any,
    ) -> list[dict[str, Any]]:
        """Type into option ``focused``; returns the bot's type-8 choices ``[{name, value}]``."""
        values = {**values, **(options or {})}
        values.setdefault(focused, "")
        result = self._command(AUTOCOMPLETE, command, validate, in_channel, values, focused=focused)
        await self.standin.deliver(result, timeout=timeout)
        return result.choices or []

    def _command(
        self,
        kind: int,
        command: str,
        validate: bool,
        in_channel: int | None,
        values: dict[str, Any],
        focused: str | None = None,
    ) -> InteractionResult:
        path = command.strip().lstrip("/").split()
        builder = OptionBuilder(
            self.standin.world, self.standin.world.guilds[self.guild_id], self.id
        )
        try:
            entry = self.standin.commands.find(self.app.id, self.guild_id, path[0])
        except OptionError:
            if validate:
                raise
            entry = None
        data = builder.command_data(entry, path, values, validate=validate, focused=focused)
        return self._new(kind, in_channel or self.channel_id, data)

    # --- components ----------------------------------------------------------------------------
    def prepare_click(
        self,
        message: Message | int,
        custom_id: str,
        *,
        values: list[str] | None = None,
        validate: bool = True,
    ) -> InteractionResult:
        msg = self.standin.message(message) if isinstance(message, int) else message
        comp = msg.component(custom_id)
        if validate:
            if msg.ephemeral and msg.interaction_user_id not in (None, self.id):
                raise ComponentError(
                    f"message {msg.id} is ephemeral: only its recipient can click it"
                )
            if msg.deleted:
                raise ComponentError(f"message {msg.id} was deleted")
            if comp is None:
                raise ComponentError(
                    f"message {msg.id} has no component {custom_id!r}: {msg.custom_ids}"
                )
            if comp.get("disabled"):
                raise ComponentError(f"component {custom_id!r} is disabled")
            if values is not None:
                allowed = [o.get("value") for o in comp.get("options") or []]
                lo, hi = comp.get("min_values", 1), comp.get("max_values", 1)
                if not lo <= len(values) <= hi or (allowed and set(values) - set(allowed)):
                    raise ComponentError(
                        f"values {values} not allowed by {custom_id!r} ({allowed}, {lo}..{hi})"
                    )
        data: dict[str, Any] = {
            "custom_id": custom_id,
            "component_type": (comp or {}).get("type", 2),
        }
        if values is not None:
            data["values"] = list(values)
        return self._new(COMPONENT, msg.channel_id, data, clicked=msg)

    async def click(
        self,
        message: Message | int,
        custom_id: str,
        *,
        timeout: float | None = None,  # noqa: ASYNC109
        validate: bool = True,
        wait_deferred: bool = True,
    ) -> InteractionResult:
        """Press a button; ``result.message`` is the clicked message for 6/7 (updated in place)."""
        result = self.prepare_click(message, custom_id, validate=validate)
        return await self.standin.deliver(result, timeout=timeout, wait_deferred=wait_deferred)

    async def select(
        self,
        message: Message | int,
        custom_id: str,
        values: list[str],
        *,
        timeout: float | None = None,  # noqa: ASYNC109
        validate: bool = True,
    ) -> InteractionResult:
        """Pick ``values`` in a select menu."""
        result = self.prepare_click(message, custom_id, values=values, validate=validate)
        return await self.standin.deliver(result, timeout=timeout)
