"""`[discord] shard_count` / `shard_ids` (product.md §6): validated once, refused with one line
naming the key in both forms (exit 2, `check-config` and `run` alike), and the bot they make."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.app import GiftcordBot
from bot.economy.config import EconomyConfig
from bot.services import Services
from bot.services.shard_scope import serves_guild, shard_of
from bot.settings import DiscordSettings, SettingsError, load_settings
from bot.shards import ShardedGiftcordBot, make_bot
from tests.test_cli_config import TOKEN, refused_by_check_config_and_run
from tests.test_settings import clean_env, run_cli, write

__all__ = ["clean_env"]  # the autouse fixture: no GIFTCORD_* from the caller's environment


@pytest.mark.parametrize(
    ("toml", "env", "key", "words"),
    [
        ("[discord]\nshard_count = 0\n", {}, "discord.shard_count", "greater than or equal to 1"),
        ("[discord]\nshard_count = true\n", {}, "discord.shard_count", "not true/false"),
        ("", {"GIFTCORD_DISCORD__SHARD_COUNT": "two"}, "discord.shard_count", "valid integer"),
        ("[discord]\nshard_ids = [0]\n", {}, "discord.shard_ids", "needs discord.shard_count"),
        (
            "[discord]\nshard_count = 2\nshard_ids = [0, 2]\n",
            {},
            "discord.shard_ids",
            "shard 2 does not exist: with discord.shard_count = 2 the ids run from 0 to 1",
        ),
        ("[discord]\nshard_count = 2\nshard_ids = [-1]\n", {}, "discord.shard_ids", "shard -1"),
        (
            "[discord]\nshard_count = 4\n",
            {"GIFTCORD_DISCORD__SHARD_IDS": "[1,1]"},
            "discord.shard_ids",
            "lists a shard twice",
        ),
        ("[discord]\nshard_count = 4\nshard_ids = []\n", {}, "discord.shard_ids", "at least 1"),
        (
            "",
            {"GIFTCORD_DISCORD__SHARD_COUNT": "4", "GIFTCORD_DISCORD__SHARD_IDS": "0,1"},
            "discord.shard_ids",
            "not valid JSON",
        ),
    ],
    ids=[
        "zero",
        "bool",
        "word",
        "ids-no-count",
        "out-of-range",
        "negative",
        "twice",
        "empty",
        "not-json",
    ],
)
def test_a_bad_shard_setting_is_one_line(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    toml: str,
    env: dict[str, str],
    key: str,
    words: str,
) -> None:
    path = write(tmp_path, toml)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    with pytest.raises(SettingsError) as err:
        load_settings(path)
    line = str(err.value)
    env_name = "GIFTCORD_" + key.upper().replace(".", "__")
    assert f"{key} / {env_name}" in line
    assert words in line
    assert "\n" not in line


def test_the_real_process_refuses_a_bad_shard_id_with_exit_2(tmp_path: Path) -> None:
    line = refused_by_check_config_and_run(
        tmp_path,
        "discord.shard_ids",
        env={"GIFTCORD_DISCORD__SHARD_COUNT": "2", "GIFTCORD_DISCORD__SHARD_IDS": "[0,5]"},
    )
    assert "shard 5 does not exist" in line


def test_shards_from_the_environment_as_the_spec_writes_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GIFTCORD_DISCORD__SHARD_COUNT", "4")
    monkeypatch.setenv("GIFTCORD_DISCORD__SHARD_IDS", "[3,1]")
    d = load_settings(write(tmp_path, "")).discord
    assert (d.shard_count, d.shard_ids, d.sharded) == (4, [1, 3], True)
    unset = DiscordSettings()
    assert (unset.shard_count, unset.shard_ids, unset.sharded) == (None, None, False)


def test_check_config_says_which_shards_this_process_connects(tmp_path: Path) -> None:
    env = {**TOKEN, "GIFTCORD_DISCORD__SHARD_COUNT": "4", "GIFTCORD_DISCORD__SHARD_IDS": "[2,3]"}
    proc = run_cli("check-config", env=env, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "discord shards: [2, 3] of 4 (this process connects 2)" in proc.stdout
    plain = run_cli("check-config", env=TOKEN, cwd=tmp_path)
    assert "discord shards: not sharded (one connection)" in plain.stdout


def test_the_settings_choose_the_bot_class() -> None:
    services = Services(object(), EconomyConfig())  # type: ignore[arg-type]
    plain = make_bot(services, DiscordSettings())
    assert type(plain) is GiftcordBot
    assert serves_guild(plain, 12345 << 22)  # unsharded: every server
    sharded = make_bot(services, DiscordSettings(shard_count=4, shard_ids=[0, 1]))
    assert isinstance(sharded, ShardedGiftcordBot)
    assert isinstance(sharded, GiftcordBot)  # every cog's `setup(bot: GiftcordBot)` still fits
    assert (sharded.shard_count, sharded.shard_ids) == (4, [0, 1])
    assert [serves_guild(sharded, shard << 22) for shard in range(4)] == [True, True, False, False]
    every = make_bot(services, DiscordSettings(shard_count=2))
    assert every.shard_ids is None  # type: ignore[attr-defined]
    assert all(serves_guild(every, g << 22) for g in range(4))
    assert [shard_of(g << 22, 4) for g in range(6)] == [0, 1, 2, 3, 0, 1]
