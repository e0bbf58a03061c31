"""Settings: TOML file, environment overrides, and the one-line error (README "Configuration")."""

import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from bot.settings import SettingsError, load_settings

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import os

    for key in list(os.environ):
        if key.startswith("GIFTCORD_") or key == "DISCORD_TOKEN":
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)  # no stray ./config.toml


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "giftcord.toml"
    path.write_text(text)
    return str(path)


def test_defaults_are_tiktoks_numbers() -> None:
    s = load_settings()
    assert s.database.url == "sqlite:///giftcord.db"
    assert s.economy.usd_per_diamond == Decimal("0.005")
    assert s.economy.cashout_min_usd == Decimal("100.00")
    assert s.economy.max_balance == 10**12
    assert len(s.economy.catalog()) == 67


def test_toml_then_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(
        tmp_path, '[database]\nurl = "sqlite:///from-file.db"\n[economy]\ncashout_min_usd = "10"\n'
    )
    assert load_settings(path).database.url == "sqlite:///from-file.db"
    monkeypatch.setenv("GIFTCORD_DATABASE__URL", "sqlite:///from-env.db")
    s = load_settings(path)
    assert s.database.url == "sqlite:///from-env.db"
    assert s.economy.cashout_min_usd == Decimal("10")


def test_config_path_from_env_and_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, "[economy]\ncombo_window_seconds = 5\n")
    monkeypatch.setenv("GIFTCORD_CONFIG", path)
    assert load_settings().economy.combo_window_seconds == 5
    monkeypatch.delenv("GIFTCORD_CONFIG")
    (tmp_path / "config.toml").write_text("[economy]\ncombo_window_seconds = 7\n")
    assert load_settings().economy.combo_window_seconds == 7


def test_discord_token_wins_and_stays_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, '[discord]\ntoken = "from-file"\n')
    monkeypatch.setenv("GIFTCORD_DISCORD__TOKEN", "from-giftcord-env")
    assert load_settings(path).discord.token.get_secret_value() == "from-giftcord-env"
    monkeypatch.setenv("DISCORD_TOKEN", "from-discord-token")
    s = load_settings(path)
    assert s.discord.token.get_secret_value() == "from-discord-token"
    assert "from-discord-token" not in repr(s)
    assert "from-discord-token" not in str(s.model_dump())


def test_custom_gift_catalogue_from_config(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[[economy.gifts]]\ntiktok_id = 1\nname = "Cookie"\ncoins = 3\nstreakable = true\n',
    )
    catalog = load_settings(path).economy.catalog()
    assert [g.name for g in catalog.gifts] == ["Cookie"]


@pytest.mark.parametrize(
    ("toml", "env", "line"),
    [
        (
            '[database]\nurl = "mysql://x"\n',
            {},
            "database.url / GIFTCORD_DATABASE__URL: must start with sqlite:///",
        ),
        (
            "",
            {"GIFTCORD_ECONOMY__MAX_BALANCE": "-1"},
            "economy.max_balance / GIFTCORD_ECONOMY__MAX_BALANCE: Input should be greater than 0",
        ),
        (
            "[economy]\nnope = 1\n",
            {},
            "economy.nope / GIFTCORD_ECONOMY__NOPE: is not a known setting",
        ),
        (
            '[economy]\neligible_countries = ["USA"]\n',
            {},
            "economy.eligible_countries / GIFTCORD_ECONOMY__ELIGIBLE_COUNTRIES: “USA” is not an ISO 3166 two-letter country code",
        ),
        ("[economy\n", {}, "is not valid TOML"),
        (
            "[levels]\nthresholds = [1, 2, 3]\n",
            {},
            "levels.thresholds / GIFTCORD_LEVELS__THRESHOLDS: must list exactly 50",
        ),
        (
            "",
            {"GIFTCORD_LEVELS__THRESHOLDS": "[" + ", ".join(["5"] * 50) + "]"},
            "levels.thresholds / GIFTCORD_LEVELS__THRESHOLDS: the first amount (level 1) must be 1",
        ),
        (
            "[economy]\ndaily_spend_cap_usd = 100\n",  # TikTok's 17,500-coin package is $249.99
            {},
            "economy.daily_spend_cap_usd / GIFTCORD_ECONOMY__DAILY_SPEND_CAP_USD: is below the "
            "price of the 17,500-coin package ($249.99): it could never be bought",
        ),
        (
            "",
            {"GIFTCORD_LIVE__MAX_HOURS": "0"},
            "live.max_hours / GIFTCORD_LIVE__MAX_HOURS: Input should be greater than or equal to 1",
        ),
    ],
)
def test_bad_values_give_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, toml: str, env: dict[str, str], line: str
) -> None:
    path = write(tmp_path, toml)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    with pytest.raises(SettingsError) as err:
        load_settings(path)
    assert line in str(err.value)
    assert "\n" not in str(err.value)


def run_cli(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    import os

    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("GIFTCORD_") and k != "DISCORD_TOKEN"
    }
    base["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        env={**base, **(env or {})},
        cwd=cwd,
        timeout=60,
        check=False,
    )


def test_cli_bad_config_exits_2_with_one_line(tmp_path: Path) -> None:
    proc = run_cli(
        "check-config",
        env={"GIFTCORD_DATABASE__URL": "nope", "DISCORD_TOKEN": "s3cret-token"},
        cwd=tmp_path,
    )
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "database.url / GIFTCORD_DATABASE__URL" in lines[0]
    assert "Traceback" not in proc.stderr
    assert "s3cret-token" not in proc.stderr + proc.stdout


def test_cli_check_config_never_echoes_the_token(tmp_path: Path) -> None:
    proc = run_cli("check-config", env={"DISCORD_TOKEN": "s3cret-token"}, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "configuration OK" in proc.stdout
    assert "set (hidden)" in proc.stdout
    assert "s3cret-token" not in proc.stdout + proc.stderr


def test_cli_run_without_token_says_how(tmp_path: Path) -> None:
    proc = run_cli("run", cwd=tmp_path)
    assert proc.returncode == 2
    assert "DISCORD_TOKEN" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_example_config_is_valid_and_matches_the_defaults() -> None:
    s = load_settings(str(ROOT / "config.example.toml"))
    assert s.economy == load_settings().economy.model_copy(update={})
    assert (s.levels, s.live) == (load_settings().levels, load_settings().live)
