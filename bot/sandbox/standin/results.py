"""What a test holds after sending an interaction: its answer, messages, edits and how to wait.

One :class:`InteractionResult` per interaction id. Route handlers fill it in as the bot answers
(callback, follow-ups, edits to ``@original``); waiting is per result (its own :class:`Signal`), so
a thousand concurrent interactions do not wake each other up.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from .errors import StandInTimeout
from .world import Message

if TYPE_CHECKING:
    from .world import Application

T = TypeVar("T")

# Interaction types and the callback types Discord accepts for each.
APPLICATION_COMMAND, COMPONENT, AUTOCOMPLETE, MODAL_SUBMIT = 2, 3, 4, 5
ALLOWED_CALLBACKS = {
    APPLICATION_COMMAND: {4, 5, 9},
    COMPONENT: {4, 5, 6, 7, 9},
    AUTOCOMPLETE: {8},
    MODAL_SUBMIT: {4, 5, 6, 7},
}


class Signal:
    """Wake waiters when something changed; they re-check their own predicate (no lost wake-ups)."""

    __slots__ = ("_event",)

    def __init__(self) -> None:
        self._event: asyncio.Event | None = None

    def notify(self) -> None:
        if self._event is not None:
            self._event.set()
            self._event = None

    async def wait_until(
        self,
        predicate: Callable[[], T | None],
        timeout: float,  # noqa: ASYNC109
        what: str,
        describe: Callable[[], str] = lambda: "",
        poll: float | None = None,
    ) -> T:
        """``poll``: also re-check every ``poll`` seconds, for predicates on state the stand-in is
        not told about (the bot's cache, its event log)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            value = predicate()
            if value:
                return value
            remaining = deadline - loop.time()
            if remaining <= 0:
                seen = describe()
                raise StandInTimeout(
                    f"timed out after {timeout:.2f}s waiting for {what}"
                    + (f"; seen: {seen}" if seen else "")
                )
            if self._event is None:
                self._event = asyncio.Event()
            try:
                await asyncio.wait_for(
                    self._event.wait(), remaining if poll is None else min(poll, remaining)
                )
            except TimeoutError:
                continue  # loop once more: re-check, then report


@dataclass
class CallbackAttempt:
    """One ``POST .../callback`` by the bot, accepted or refused."""

    status: int
    code: int | None
    callback_type: int | None
    body: dict[str, Any]
    at: float = field(default_factory=time.perf_counter)

    @property
    def accepted(self) -> bool:
        return self.status < 300


class InteractionResult:
    """The interaction as Discord saw it: payload sent, callback, original message, follow-ups."""

    def __init__(
        self,
        *,
        interaction_id: int,
        token: str,
        kind: int,
        app: Application,
        user_id: int,
        guild_id: int,
        channel_id: int,
        payload: dict[str, Any],
        clicked: Message | None,
        default_timeout: float,
    ) -> None:
        self.id, self.token, self.kind, self.app = interaction_id, token, kind, app
        self.user_id, self.guild_id, self.channel_id = user_id, guild_id, channel_id
        self.payload = payload
        # Component interactions: @original is the message carrying the component (6/7 edit it).
        self.original: Message | None = clicked
        self.clicked = clicked
        self.followups: list[Message] = []
        self.callback: dict[str, Any] | None = None
        self.attempts: list[CallbackAttempt] = []
        self.choices: list[dict[str, Any]] | None = None
        self.modal: dict[str, Any] | None = None
        self.deliveries = 0
        self.sent_at: float | None = None  # perf_counter at first delivery
        self.answered_at: float | None = None
        self.signal = Signal()
        self.default_timeout = default_timeout

    # --- the answer ---------------------------------------------------------------------------
    @property
    def type(self) -> int | None:
        """The accepted callback type: 4 message, 5 deferred, 6 deferred update, 7 update, 8, 9."""
        return None if self.callback is None else self.callback["type"]

    @property
    def answered(self) -> bool:
        return self.callback is not None

    @property
    def latency(self) -> float | None:
        """Seconds from delivery on the gateway to the accepted callback."""
        if self.sent_at is None or self.answered_at is None:
            return None
        return self.answered_at - self.sent_at

    @property
    def message(self) -> Message | None:
        """The response message as it is now (for 6/7: the clicked message, updated)."""
        return self.original

    @property
    def messages(self) -> list[Message]:
        return ([self.original] if self.original is not None else []) + self.followups

    @property
    def answer(self) -> Message | None:
        """The message the member sees as the answer: the original response or, when the bot
        deleted a deferred placeholder to answer with a new message, that first follow-up."""
        if self.original is not None and self.original.deleted and self.followups:
            return self.followups[0]
        return self.original

    @property
    def acknowledged(self) -> bool:
        """The bot's answer shows something: a message, not just a "thinking" placeholder (a
        deferral says nothing about the work behind it)."""
        answer = self.answer
        return answer is not None and not answer.loading and not answer.deleted

    @property
    def content(self) -> str:
        return "" if self.answer is None else self.answer.content

    @property
    def text(self) -> str:
        return "" if self.answer is None else self.answer.text

    @property
    def embeds(self) -> list[dict[str, Any]]:
        return [] if self.answer is None else self.answer.embeds

    @property
    def components(self) -> list[dict[str, Any]]:
        return [] if self.answer is None else self.answer.components

    @property
    def ephemeral(self) -> bool:
        return self.answer is not None and self.answer.ephemeral

    @property
    def attachments(self) -> list[Any]:
        return [] if self.answer is None else self.answer.attachments

    @property
    def allowed_mentions(self) -> dict[str, Any] | None:
        return None if self.answer is None else self.answer.allowed_mentions

    @property
    def edits(self) -> list[dict[str, Any]]:
        """Earlier versions of the answer's message (one per edit), oldest first."""
        return [] if self.answer is None else self.answer.history

    def describe(self) -> str:
        parts = [f"interaction {self.id} kind={self.kind} callback={self.type}"]
        parts += [f"attempt {a.status}/{a.code}" for a in self.attempts if not a.accepted]
        for m in self.messages:
            parts.append(f"msg[{'eph ' if m.ephemeral else ''}{m.text[:200]!r}]")
        return "; ".join(parts)

    __repr__ = describe

    # --- waiting ------------------------------------------------------------------------------
    async def wait_for(
        self,
        predicate: Callable[[InteractionResult], T],
        *,
        timeout: float | None = None,  # noqa: ASYNC109
        what: str = "a condition",
    ) -> T:
        """Wait until ``predicate(self)`` is truthy (re-checked on every change to this result)."""
        return await self.signal.wait_until(
            lambda: predicate(self), timeout or self.default_timeout, what, self.describe
        )

    async def wait_for_text(self, text: str, *, timeout: float | None = None) -> Message:  # noqa: ASYNC109
        """Wait until the answer (content or embeds) contains ``text``."""
        await self.wait_for(
            lambda r: text in r.text, timeout=timeout, what=f"{text!r} in the answer"
        )
        assert self.answer is not None
        return self.answer

    async def wait_for_edits(self, count: int = 1, *, timeout: float | None = None) -> Message:  # noqa: ASYNC109
        await self.wait_for(
            lambda r: len(r.edits) >= count, timeout=timeout, what=f"{count} edit(s)"
        )
        assert self.answer is not None
        return self.answer

    async def wait_for_followups(
        self,
        count: int = 1,
        *,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> list[Message]:
        await self.wait_for(
            lambda r: len(r.followups) >= count, timeout=timeout, what=f"{count} follow-up(s)"
        )
        return self.followups

    async def wait_for_attempts(
        self,
        count: int,
        *,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> list[CallbackAttempt]:
        """Wait for ``count`` callback attempts (e.g. the refused one after a redelivery)."""
        await self.wait_for(
            lambda r: len(r.attempts) >= count, timeout=timeout, what=f"{count} callback attempt(s)"
        )
        return self.attempts
