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
from typing import Any, Literal, get_args, get_origin

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)
from pydantic_settings import SettingsError as SourceError

from bot.economy.config import EconomyConfig
from bot.economy.levels import LevelsConfig, LiveConfig
from bot.economy.treasure import TreasureConfig
from bot.storage import StorageError
from bot.storage.opening import check_url

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
    # Unset: one connection, as Discord expects below 2,500 servers. Set: this process connects
    # only `shard_ids` (all `shard_count` shards when they are unset) — several processes, each
    # with its own ids, share one PostgreSQL database.
    shard_count: int | None = Field(default=None, ge=1, le=65_536)
    shard_ids: list[int] | None = Field(default=None, min_length=1)

    @field_validator("shard_count", "shard_ids", mode="before")
    @classmethod
    def _no_booleans(cls, value: Any) -> Any:
        # pydantic reads `true` as 1: a shard number written as a boolean is a typo, not shard 1.
        if isinstance(value, bool) or (
            isinstance(value, list) and any(isinstance(v, bool) for v in value)
        ):
            raise ValueError("must be a whole number (shard ids: a list of them), not true/false")
        return value

    @field_validator("shard_ids")
    @classmethod
    def _shard_ids(cls, ids: list[int] | None, info: ValidationInfo) -> list[int] | None:
        if ids is None:
            return None
        if len(set(ids)) != len(ids):
            raise ValueError("lists a shard twice: each shard id once")
        if "shard_count" not in info.data:
            return ids  # the count itself is invalid: its own error says why
        count = info.data["shard_count"]
        if count is None:
            raise ValueError(
                "needs discord.shard_count (GIFTCORD_DISCORD__SHARD_COUNT) too: the ids only "
                "mean something out of a total"
            )
        if bad := [i for i in ids if not 0 <= i < count]:
            raise ValueError(
                f"shard {bad[0]} does not exist: with discord.shard_count = {count} the ids run "
                f"from 0 to {count - 1}"
            )
        return sorted(ids)

    @property
    def sharded(self) -> bool:
        return self.shard_count is not None

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
    pool_size: int = Field(
        default=10, ge=2, le=200, description="PostgreSQL connections: one writer, the rest read"
    )

    @field_validator("url")
    @classmethod
    def _scheme(cls, value: str) -> str:
        # The setting names a URL (a bare path is for the CLI's own arguments).
        if not value.startswith(("sqlite:", "postgresql://", "postgres://")):
            raise ValueError(
                "must start with sqlite:/// (e.g. sqlite:///giftcord.db) or postgresql://"
            )
        try:
            # The store's own rule for what it can open (not `:memory:`, not an empty path, a
            # PostgreSQL URL with a host and a database), so `check-config` refuses exactly
            # what `run` would.
            check_url(value)
        except StorageError as exc:
            raise ValueError(exc.operator_detail) from None
        return value


class WebSettings(BaseModel):
    """The public leaderboard pages (`/g/<server id>`) served by the running bot."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = False
    host: str = Field(default="127.0.0.1", min_length=1)
    port: int = Field(default=8080, ge=1, le=65535)


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
    levels: LevelsConfig = Field(default_factory=LevelsConfig)
    live: LiveConfig = Field(default_factory=LiveConfig)
    treasure: TreasureConfig = Field(default_factory=TreasureConfig)
    web: WebSettings = Field(default_factory=WebSettings)
    # Which file the settings were read from (None: defaults and environment only).
    _config_file: Path | None = PrivateAttr(default=None)

    @property
    def config_file(self) -> Path | None:
        return self._config_file

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
        return (_JsonEnvSource(settings_cls), init_settings)


class _JsonEnvSource(EnvSettingsSource):
    """The environment source, where a list or table setting that is not valid JSON is one line
    naming the variable — pydantic-settings would only name the section, in a traceback."""

    def decode_complex_value(self, field_name: str, field: FieldInfo | None, value: Any) -> Any:
        try:
            return super().decode_complex_value(field_name, field, value)  # type: ignore[arg-type]
        except ValueError:
            name = self._variable(field_name, value)
            expected = (
                'a JSON list, e.g. ["US", "DE"] or [{"coins": 70, "usd": "0.99"}]'
                if field is not None and _takes_list(field.annotation)
                else 'a JSON object, e.g. {"max_balance": 1000000}, or one variable per key'
            )
            raise SettingsError(
                f"{_key_forms_of_env(name)}: is not valid JSON — expected {expected}"
            ) from None

    def _variable(self, field_name: str, value: Any) -> str:
        """The environment variable that holds `value` for `field_name` (top level or nested)."""
        prefix = self.env_prefix.lower()
        whole, nested = f"{prefix}{field_name}".lower(), f"__{field_name}".lower()
        for name, held in self.env_vars.items():
            low = name.lower()
            if held == value and low.startswith(prefix) and (low == whole or low.endswith(nested)):
                return name
        return whole


def config_path(cli_path: str | None, environ: Mapping[str, str]) -> Path | None:
    """`--config`, else `GIFTCORD_CONFIG`, else `./config.toml` when it exists."""
    if cli_path:
        return Path(cli_path)
    if environ.get(CONFIG_ENV):
        return Path(environ[CONFIG_ENV])
    return DEFAULT_CONFIG if DEFAULT_CONFIG.exists() else None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise SettingsError(f"config file {path} does not exist") from None
    except OSError as exc:
        raise SettingsError(f"config file {path} can't be read: {exc.strerror}") from None
    try:
        # TOML is UTF-8; a UTF-8 byte-order mark (some Windows editors write one) is harmless.
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SettingsError(
            f"config file {path} is not UTF-8: it must be UTF-8 TOML "
            "(save it again as UTF-8, not Latin-1, UTF-16 or another encoding)"
        ) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"config file {path} is not valid TOML: {exc}") from None


def _takes_list(annotation: Any) -> bool:
    """`list[X]`, or `list[X] | None`."""
    return get_origin(annotation) is list or any(
        get_origin(arg) is list for arg in get_args(annotation)
    )


def _key_forms_of_env(variable: str) -> str:
    """`GIFTCORD_ECONOMY__PACKAGES` → `economy.packages / GIFTCORD_ECONOMY__PACKAGES`."""
    parts = variable[len(ENV_PREFIX) :].lower().split("__")
    return _key_forms(tuple(parts))


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
    except SourceError as exc:  # any other environment value pydantic-settings can't read
        raise SettingsError(str(exc)) from None
    settings._config_file = path
    if os.environ.get("DISCORD_TOKEN"):
        # DISCORD_TOKEN beats both [discord] token and GIFTCORD_DISCORD__TOKEN.
        settings.discord.token = SecretStr(os.environ["DISCORD_TOKEN"])
    return settings
