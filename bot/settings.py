"""Settings: `config.toml` overridden by `GIFTCORD_<SECTION>__<KEY>` environment variables.

Built once in `main()` by `load_settings()` and passed down — nothing reads the environment at
import time. A bad value raises `SettingsError` whose text is one line naming the key in both
forms (`database.url` / `GIFTCORD_DATABASE__URL`) and what is wrong.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from bot.economy.config import EconomyConfig

ENV_PREFIX = "GIFTCORD_"
CONFIG_ENV = "GIFTCORD_CONFIG"
DEFAULT_CONFIG = Path("config.toml")


class SettingsError(Exception):
    """A configuration problem, already phrased as the one line an operator reads."""


class DiscordSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: SecretStr | None = Field(default=None, description="bot token; DISCORD_TOKEN overrides")
    api_base: str | None = Field(
        default=None,
        description="REST base URL, e.g. a rate-limit proxy in front of Discord (default Discord's)",
    )
    gateway_url: str | None = Field(default=None, description="gateway URL (default Discord's)")
    members_intent: bool = Field(
        default=True, description="needs 'Server Members Intent' enabled in the developer portal"
    )
    guild_ready_timeout: float = Field(default=2.0, gt=0, le=60)

    @field_validator("api_base", "gateway_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://", "ws://", "wss://")):
            raise ValueError("must be an http(s):// or ws(s):// URL")
        return value.rstrip("/") if value else value


class DatabaseSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = "sqlite:///giftcord.db"
    synchronous: Literal["FULL", "NORMAL"] = "FULL"

    @field_validator("url")
    @classmethod
    def _scheme(cls, value: str) -> str:
        if not value.startswith(("sqlite:///", "postgresql://")):
            raise ValueError("must start with sqlite:/// (e.g. sqlite:///giftcord.db)")
        if value.startswith("postgresql://"):
            raise ValueError("PostgreSQL is planned for scale-out; use sqlite:/// for now")
        return value


class LoggingSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter="__",
        extra="forbid",
        case_sensitive=False,
    )

    discord: DiscordSettings = Field(default_factory=DiscordSettings)
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    economy: EconomyConfig = Field(default_factory=EconomyConfig)
    logging: LoggingSettings = Field(default_factory=LoggingSettings)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Environment over the TOML file (passed in as init kwargs) over defaults.
        return (env_settings, init_settings)


def config_path(cli_path: str | None, environ: Mapping[str, str]) -> Path | None:
    """`--config`, else `GIFTCORD_CONFIG`, else `./config.toml` when it exists."""
    if cli_path:
        return Path(cli_path)
    if environ.get(CONFIG_ENV):
        return Path(environ[CONFIG_ENV])
    return DEFAULT_CONFIG if DEFAULT_CONFIG.exists() else None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise SettingsError(f"config file {path} does not exist") from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"config file {path} is not valid TOML: {exc}") from None
    except OSError as exc:
        raise SettingsError(f"config file {path} can't be read: {exc.strerror}") from None


def _key_forms(loc: tuple[int | str, ...]) -> str:
    parts = [str(p) for p in loc if not isinstance(p, int)]
    dotted = ".".join(str(p) for p in loc)
    env = ENV_PREFIX + "__".join(parts).upper()
    return f"{dotted} / {env}"


def describe(error: ValidationError) -> str:
    """One line: the first bad key in both forms and what is wrong (never the value: it may be
    the token)."""
    errors = error.errors(include_input=False, include_url=False)
    first = errors[0]
    msg = first["msg"].removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        msg = "is not a known setting"
    more = (
        f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})"
        if len(errors) > 1
        else ""
    )
    return f"{_key_forms(tuple(first['loc']))}: {msg}{more}"


def load_settings(cli_path: str | None = None) -> Settings:
    """Build the settings once, from the file and `os.environ`. Raises SettingsError with a
    one-line explanation."""
    path = config_path(cli_path, os.environ)
    data = _read_toml(path) if path else {}
    try:
        settings = Settings(**data)
    except ValidationError as exc:
        raise SettingsError(describe(exc)) from None
    if os.environ.get("DISCORD_TOKEN"):
        # DISCORD_TOKEN beats both [discord] token and GIFTCORD_DISCORD__TOKEN.
        settings.discord.token = SecretStr(os.environ["DISCORD_TOKEN"])
    return settings
