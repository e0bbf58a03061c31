"""Configuration the real `python -m bot` process refuses with one line and exit code 2 — the
same for `check-config` as for `run` (one validation, used by both) — and what `--help` says.

Issue 16 items 3, 4, 5, 8, 9, 10 and 17."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_settings import run_cli

TOKEN = {"DISCORD_TOKEN": "t0ken-for-test"}


def gifts_toml(*gifts: tuple[int, str, int]) -> str:
    """An [[economy.gifts]] list of (tiktok_id, name, coins)."""
    return "".join(
        f'[[economy.gifts]]\ntiktok_id = {gid}\nname = "{name}"\ncoins = {coins}\n'
        for gid, name, coins in gifts
    )


DUPLICATE_IDS = gifts_toml((5655, "Rose", 1), (5655, "Lion", 29999))
DUPLICATE_NAMES = gifts_toml((1, "Rose", 1), (2, "ROSE", 5))
HUGE_GIFT = gifts_toml((1, "Galaxy", 10**20))


def one_config_line(proc: object, key: str) -> str:
    """The process exited 2 with exactly one stderr line naming `key` in both forms."""
    returncode, stderr = proc.returncode, proc.stderr  # type: ignore[attr-defined]
    assert returncode == 2, stderr
    assert "Traceback" not in stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, lines
    env = "GIFTCORD_" + key.upper().replace(".", "__")
    assert f"{key} / {env}" in lines[0], lines[0]
    return lines[0]


def refused_by_check_config_and_run(
    tmp_path: Path, key: str, *, toml: str = "", env: dict[str, str] | None = None
) -> str:
    """`check-config` and `run` both refuse, with the same line; the line is returned."""
    config = tmp_path / "config.toml"
    config.write_text(toml, encoding="utf-8")
    env = {**TOKEN, "GIFTCORD_DATABASE__URL": f"sqlite:///{tmp_path / 'g.db'}", **(env or {})}
    check = run_cli("check-config", env=env, cwd=tmp_path)
    run = run_cli("run", env=env, cwd=tmp_path)
    line = one_config_line(check, key)
    assert one_config_line(run, key) == line
    assert not (tmp_path / "g.db").exists()  # refused before anything was opened
    return line


@pytest.mark.parametrize(
    ("toml", "words"),
    [
        (DUPLICATE_IDS, "same tiktok_id 5655"),
        (DUPLICATE_NAMES, "unique"),
    ],
    ids=["duplicate-tiktok_id", "duplicate-name-any-case"],
)
def test_a_gift_list_with_duplicates_is_one_line(tmp_path: Path, toml: str, words: str) -> None:
    line = refused_by_check_config_and_run(tmp_path, "economy.gifts", toml=toml)
    assert words in line


@pytest.mark.parametrize(
    ("toml", "env", "key"),
    [
        (HUGE_GIFT, {}, "economy.gifts"),
        ("[economy]\nmax_balance = 10000\n", {}, "economy.packages"),  # 17,500 does not fit
        (
            "[economy]\nmax_balance = 50000\npackages = [{coins = 70, usd = '0.99'}]\n",
            {},
            "economy.custom_max_coins",
        ),
        (
            "",
            {"GIFTCORD_ECONOMY__PACKAGES": '[{"coins": 2000000000000, "usd": "1"}]'},
            "economy.packages",
        ),
        ("", {"GIFTCORD_ECONOMY__MAX_BALANCE": str(10**16)}, "economy.max_balance"),
    ],
    ids=["gift-10^20", "tiny-max-balance", "custom-max", "package", "max-balance-ceiling"],
)
def test_every_configured_amount_is_bounded_by_max_balance(
    tmp_path: Path, toml: str, env: dict[str, str], key: str
) -> None:
    line = refused_by_check_config_and_run(tmp_path, key, toml=toml, env=env)
    assert "max_balance" in line or "less than or equal" in line


def test_a_gift_priced_10_20_names_the_gift_and_the_maximum(tmp_path: Path) -> None:
    line = refused_by_check_config_and_run(tmp_path, "economy.gifts", toml=HUGE_GIFT)
    assert "Galaxy" in line
    assert "1,000,000,000,000" in line  # the default max_balance


@pytest.mark.parametrize(
    ("toml", "env", "key"),
    [
        ("", {"GIFTCORD_DATABASE__URL": "sqlite:///:memory:"}, "database.url"),
        ("", {"GIFTCORD_DATABASE__URL": "sqlite:///"}, "database.url"),
        (
            '[economy]\ncashout_min_usd = "500"\ncashout_daily_max_usd = "100"\n',
            {},
            "economy.cashout_daily_max_usd",
        ),
        ("[economy]\npackages = []\n", {}, "economy.packages"),
        ("", {"GIFTCORD_ECONOMY__PACKAGES": "[]"}, "economy.packages"),
    ],
    ids=["memory", "empty-path", "cashout-min-above-max", "no-packages-toml", "no-packages-env"],
)
def test_check_config_refuses_what_run_refuses(
    tmp_path: Path, toml: str, env: dict[str, str], key: str
) -> None:
    refused_by_check_config_and_run(tmp_path, key, toml=toml, env=env)


@pytest.mark.parametrize(
    ("variable", "value", "key", "expected"),
    [
        ("GIFTCORD_ECONOMY__PACKAGES", "notjson", "economy.packages", "JSON list"),
        ("GIFTCORD_ECONOMY__ELIGIBLE_COUNTRIES", "US", "economy.eligible_countries", "JSON list"),
        ("GIFTCORD_ECONOMY", "{bad", "economy", "JSON object"),
        ("GIFTCORD_ECONOMY__GIFTS", "[{", "economy.gifts", "JSON list"),
    ],
)
def test_environment_lists_and_tables_that_are_not_json_are_one_line(
    tmp_path: Path, variable: str, value: str, key: str, expected: str
) -> None:
    line = refused_by_check_config_and_run(tmp_path, key, env={variable: value})
    assert "not valid JSON" in line
    assert expected in line


@pytest.mark.parametrize(
    "data",
    [
        "[economy]\n# prix en \u00e9cus\nmax_balance = 1000000000000\n".encode("latin-1"),
        "[economy]\nmax_balance = 1000000000000\n".encode("utf-16"),  # with its BOM
    ],
    ids=["latin-1", "utf-16-bom"],
)
def test_a_config_file_that_is_not_utf8_is_one_line(tmp_path: Path, data: bytes) -> None:
    config = tmp_path / "settings.toml"
    config.write_bytes(data)
    for command in ("check-config", "run"):
        proc = run_cli("--config", str(config), command, env=TOKEN, cwd=tmp_path)
        assert proc.returncode == 2, proc.stderr
        assert "Traceback" not in proc.stderr
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1, lines
        assert str(config) in lines[0]
        assert "must be UTF-8 TOML" in lines[0]


def test_a_utf8_file_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_bytes("\ufeff[economy]\ncombo_window_seconds = 7\n".encode())
    proc = run_cli("check-config", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr


def test_check_config_says_which_file_it_read(tmp_path: Path) -> None:
    none = run_cli("check-config", cwd=tmp_path)
    assert none.returncode == 0, none.stderr
    assert "config file: none" in none.stdout
    (tmp_path / "config.toml").write_text("[economy]\ncombo_window_seconds = 7\n")
    found = run_cli("check-config", cwd=tmp_path)
    assert f"config file: {(tmp_path / 'config.toml').resolve()}" in found.stdout
    other = tmp_path / "elsewhere.toml"
    other.write_text("")
    chosen = run_cli("check-config", env={"GIFTCORD_CONFIG": str(other)}, cwd=tmp_path)
    assert f"config file: {other.resolve()}" in chosen.stdout


COMMANDS = ("run", "check-config", "migrate", "sync", "verify", "backup", "export")


def test_help_describes_every_command_exit_codes_and_the_token(tmp_path: Path) -> None:
    top = run_cli("--help", cwd=tmp_path)
    assert top.returncode == 0
    for word in (
        "DISCORD_TOKEN",
        "exit codes",
        "0  done",
        "1  a failure",
        "2  bad configuration",
        "3  Discord",
    ):
        assert word in top.stdout, word
    for command in COMMANDS:
        assert command in top.stdout
        own = run_cli(command, "--help", cwd=tmp_path)
        assert own.returncode == 0, own.stderr
        # A description paragraph between the usage line and the options.
        description = own.stdout.split("\n\n")[1]
        assert not description.startswith(("positional", "options")), (command, own.stdout)
        assert len(description) > 40, (command, description)
        assert "exit codes" in own.stdout
    backup = run_cli("backup", "--help", cwd=tmp_path)
    assert "must not exist" in backup.stdout


def test_usage_errors_exit_2_as_the_help_says(tmp_path: Path) -> None:
    assert run_cli("no-such-command", cwd=tmp_path).returncode == 2
    assert run_cli("backup", cwd=tmp_path).returncode == 2  # PATH missing
    existing = tmp_path / "exists.db"
    existing.write_text("")
    proc = run_cli("backup", str(existing), cwd=tmp_path)
    assert proc.returncode == 2
    assert "already exists" in proc.stderr


def test_a_bad_promotion_list_is_one_configuration_line(tmp_path: Path) -> None:
    backwards = (
        '[{"min_coins": 10, "bonus_percent": 10, "starts": "2026-12-31", "ends": "2026-12-01"}]'
    )
    env = {**TOKEN, "GIFTCORD_ECONOMY__PROMOTIONS": backwards}
    for command in ("check-config", "run"):
        proc = run_cli(command, env=env, cwd=tmp_path)
        assert proc.returncode == 2, proc.stderr
        [line] = proc.stderr.strip().splitlines()
        assert "economy.promotions" in line
        assert "GIFTCORD_ECONOMY__PROMOTIONS" in line
        assert "ends (2026-12-01) is before starts (2026-12-31)" in line


def test_treasure_daily_opens_from_file_and_environment(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text("[treasure]\ndaily_opens = 5\n")
    from_file = run_cli("check-config", cwd=tmp_path)
    assert from_file.returncode == 0, from_file.stderr
    assert "treasure: 5 box opens per member per day" in from_file.stdout
    from_env = run_cli("check-config", env={"GIFTCORD_TREASURE__DAILY_OPENS": "7"}, cwd=tmp_path)
    assert "treasure: 7 box opens per member per day" in from_env.stdout
    bad = run_cli("check-config", env={"GIFTCORD_TREASURE__DAILY_OPENS": "0"}, cwd=tmp_path)
    assert bad.returncode == 2
    assert "treasure.daily_opens / GIFTCORD_TREASURE__DAILY_OPENS" in bad.stderr
    assert "Traceback" not in bad.stderr
