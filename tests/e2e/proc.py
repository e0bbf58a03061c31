"""Run giftcord as a real operator does — `python -m bot …` in a subprocess — against the local
Discord stand-in served by the test's own event loop.

`bot_env` builds the environment (token, database URL, stand-in URLs, a short guild-ready
timeout); `run_cli` runs a one-shot command; `BotProcess` runs the bot, captures its output line
by line and waits for it to be connected; every process is killed in `finally` blocks.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bot.sandbox.standin import DiscordStandIn

REPO = Path(__file__).resolve().parents[2]
# A token no log line would contain by chance: if it shows up anywhere, it leaked.
SECRET_TOKEN = "e2e-TOKEN.Zm9vYmFyLXNlY3JldC10b2tlbg.k3ep-th1s-s3cr3t-9f2c1d"
# Words that must not appear in a healthy process's output (discord.py's notes that the voice
# libraries are missing are dropped by bot/logs.py, so they count too if they ever come back).
ALARMING = ("Traceback", "ERROR", "CRITICAL", "WARNING", "Exception", "Unclosed", "never awaited")
ANSI = re.compile(r"\x1b\[[0-9;]*m")  # discord.py colours its log lines when it thinks it may


def bot_env(
    standin: DiscordStandIn,
    db_path: Path | None,
    *,
    url: str | None = None,
    shards: tuple[int, list[int]] | None = None,
) -> dict[str, str]:
    """The environment of every giftcord process: nothing inherited that configures giftcord.
    The database is the SQLite file `db_path`, or `url`; `shards` = (shard_count, shard_ids)."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("GIFTCORD_", "DISCORD_", "PYTHON"))
    }
    env.update(
        DISCORD_TOKEN=standin.token,
        GIFTCORD_DATABASE__URL=url or f"sqlite:///{db_path}",  # absolute path: sqlite:////…
        GIFTCORD_DISCORD__API_BASE=standin.api_base,
        GIFTCORD_DISCORD__GATEWAY_URL=standin.gateway_url,
        GIFTCORD_DISCORD__GUILD_READY_TIMEOUT="0.1",
        PYTHONPATH=str(REPO),
        PYTHONUNBUFFERED="1",
        PYTHONDONTWRITEBYTECODE="1",
    )
    if shards is not None:
        env["GIFTCORD_DISCORD__SHARD_COUNT"] = str(shards[0])
        env["GIFTCORD_DISCORD__SHARD_IDS"] = json.dumps(shards[1])
    return env


@dataclass
class CliResult:
    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def __str__(self) -> str:
        return (
            f"`python -m bot {' '.join(self.args)}` exited {self.returncode}\n"
            f"--- stdout\n{self.stdout[-3000:]}\n--- stderr\n{self.stderr[-3000:]}"
        )


async def run_cli(*args: str, env: dict[str, str], cwd: Path, timeout: float = 60.0) -> CliResult:  # noqa: ASYNC109
    """Run `python -m bot ARGS` to completion (the stand-in keeps serving meanwhile)."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        env=env,
        cwd=cwd,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, err = await asyncio.wait_for(proc.communicate(), timeout)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert proc.returncode is not None
    return CliResult(
        args, proc.returncode, out.decode(errors="replace"), err.decode(errors="replace")
    )


class BotProcess:
    """`python -m bot run` as a subprocess; stdout and stderr collected as they arrive."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc
        self.lines: list[str] = []
        self._pumps = [
            asyncio.create_task(self._pump(proc.stdout)),
            asyncio.create_task(self._pump(proc.stderr)),
        ]

    @classmethod
    async def start(
        cls, env: dict[str, str], cwd: Path, preexec_fn: Callable[[], None] | None = None
    ) -> BotProcess:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            env=env,
            cwd=cwd,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            preexec_fn=preexec_fn,
        )
        return cls(proc)

    async def wait_exit(self, timeout: float = 30.0) -> int:  # noqa: ASYNC109
        """Wait for the process to end by itself (a refused start-up): its exit code."""
        try:
            code = await asyncio.wait_for(self.proc.wait(), timeout)
        except TimeoutError:
            raise AssertionError(
                f"the bot did not exit within {timeout}s:\n{self.output[-3000:]}"
            ) from None
        await self._drain()
        return code

    async def _pump(self, stream: asyncio.StreamReader | None) -> None:
        assert stream is not None
        while line := await stream.readline():
            self.lines.append(line.decode(errors="replace").rstrip("\n"))

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    @property
    def returncode(self) -> int | None:
        return self.proc.returncode

    async def wait_ready(
        self,
        standin: DiscordStandIn,
        timeout: float = 30.0,  # noqa: ASYNC109
        shards: tuple[int, list[int]] | None = None,
    ) -> None:
        """Connected: the stand-in holds a live gateway session for the bot's application (it
        IDENTIFIED and got READY + GUILD_CREATE) — one per shard in `shards` = (count, ids) —
        and the bot logged `on_ready`."""
        wanted = None if shards is None else {(i, shards[0]) for i in shards[1]}

        def ready() -> bool:
            if self.proc.returncode is not None:
                return True  # died: stop waiting, report below
            sessions = standin.gateway.sessions_for(standin.app)
            live = {s.shard for s in sessions if s.ws is not None}
            connected = bool(live) if wanted is None else wanted <= live
            return connected and any("connected as" in line for line in self.lines)

        await standin.wait_until(ready, timeout=timeout, what="the bot process to be ready")
        if self.proc.returncode is not None:
            await self._drain()
            raise AssertionError(
                f"the bot exited with {self.proc.returncode} before it was ready:\n{self.output}"
            )

    async def stop(self, sig: int = signal.SIGTERM, timeout: float = 10.0) -> tuple[int, float]:  # noqa: ASYNC109
        """Send `sig` and wait for the exit: (exit code, seconds it took)."""
        started = time.perf_counter()
        self.proc.send_signal(sig)
        try:
            code = await asyncio.wait_for(self.proc.wait(), timeout)
        except TimeoutError:
            raise AssertionError(
                f"the bot did not exit within {timeout}s of signal {sig}:\n{self.output[-3000:]}"
            ) from None
        elapsed = time.perf_counter() - started
        await self._drain()
        return code, elapsed

    async def kill(self) -> None:
        """SIGKILL (idempotent): the crash, and the clean-up in every `finally`."""
        if self.proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.proc.kill()
            await self.proc.wait()
        await self._drain()

    async def _drain(self) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.gather(*self._pumps, return_exceptions=True), 5)
        for task in self._pumps:
            task.cancel()


def plain(text: str) -> str:
    return ANSI.sub("", text)


def alarming_lines(text: str) -> list[str]:
    """Log lines a healthy run should not print (warnings, errors, tracebacks)."""
    return [line for line in plain(text).splitlines() if any(w in line for w in ALARMING)]
