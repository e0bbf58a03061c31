"""Synced application commands, and option validation the way Discord's own client does it.

The library trusts Discord to enforce option types, ranges, choices and lengths; the stand-in plays
Discord's part: ``invoke`` builds the interaction's ``data.options`` (+ ``resolved``) from the schema
the bot synced and refuses what a real client would refuse, unless the test asks for a modified
client (``validate=False``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from . import payloads
from .errors import CommandNotSynced, DiscordError, OptionError
from .ids import Snowflakes
from .world import Channel, Guild, User, World

SUB_COMMAND, SUB_COMMAND_GROUP = 1, 2
STRING, INTEGER, BOOLEAN, USER, CHANNEL, ROLE, MENTIONABLE, NUMBER, ATTACHMENT = (
    3,
    4,
    5,
    6,
    7,
    8,
    9,
    10,
    11,
)
MAX_SAFE_INT = 2**53
_NAME = re.compile(r"^[-_\w]{1,32}$")


class CommandRegistry:
    """Commands per application: global, and per guild (Discord keeps both lists separately)."""

    def __init__(self, snowflakes: Snowflakes) -> None:
        self._ids = snowflakes
        self._lists: dict[tuple[int, int | None], dict[str, dict[str, Any]]] = {}

    def put(self, app_id: int, guild_id: int | None, commands: Any) -> list[dict[str, Any]]:
        """Bulk overwrite; a command keeps its id when its name survives (Discord's upsert)."""
        if not isinstance(commands, list):
            raise DiscordError(400, 50035, "Invalid Form Body", {"_errors": "expected a list"})
        old = self._lists.get((app_id, guild_id), {})
        new: dict[str, dict[str, Any]] = {}
        for index, cmd in enumerate(commands):
            _check_command(cmd, f"{index}")
            key = f"{cmd.get('type', 1)}:{cmd['name']}"
            if key in new:
                raise DiscordError(400, 50035, "Invalid Form Body", {str(index): "duplicate name"})
            entry = {
                "type": 1,
                "options": [],
                "default_member_permissions": None,
                "dm_permission": True,
                "contexts": None,
                "integration_types": [0],
                "nsfw": False,
                "name_localizations": None,
                "description_localizations": None,
                **cmd,
            }
            previous = old.get(key)
            entry["id"] = previous["id"] if previous else str(self._ids.next())
            entry["application_id"] = str(app_id)
            entry["version"] = str(self._ids.next())
            if guild_id is not None:
                entry["guild_id"] = str(guild_id)
            new[key] = entry
        self._lists[(app_id, guild_id)] = new
        return list(new.values())

    def list(self, app_id: int, guild_id: int | None) -> list[dict[str, Any]]:
        return list(self._lists.get((app_id, guild_id), {}).values())

    def find(self, app_id: int, guild_id: int, name: str) -> dict[str, Any]:
        """The chat-input command a user would pick: guild commands shadow global ones."""
        for scope in (guild_id, None):
            entry = self._lists.get((app_id, scope), {}).get(f"1:{name}")
            if entry is not None:
                return entry
        if not any(key[0] == app_id for key in self._lists):
            raise CommandNotSynced(
                "no commands were synced for this application: sync the bot's tree first "
                "(await bot.tree.sync(guild=...)) or call standin.register_commands(payload)"
            )
        known = sorted(
            {e["name"] for k, v in self._lists.items() if k[0] == app_id for e in v.values()}
        )
        raise OptionError(f"/{name} is not a synced command (synced: {', '.join(known)})")


def _check_command(cmd: Any, where: str) -> None:
    """The checks Discord makes on a command payload (400 Invalid Form Body otherwise)."""
    if not isinstance(cmd, dict) or not isinstance(cmd.get("name"), str):
        raise DiscordError(400, 50035, "Invalid Form Body", {where: "name is required"})
    if cmd.get("type", 1) == 1:
        _check_named(cmd, where)
        _check_options(cmd.get("options") or [], f"{where}.options", depth=0)


def _check_named(obj: dict[str, Any], where: str) -> None:
    name, desc = obj.get("name", ""), obj.get("description", "")
    if not _NAME.match(name) or name != name.lower():
        raise DiscordError(400, 50035, "Invalid Form Body", {f"{where}.name": f"invalid: {name!r}"})
    if not isinstance(desc, str) or not 1 <= len(desc) <= 100:
        raise DiscordError(
            400, 50035, "Invalid Form Body", {f"{where}.description": "must be 1-100 characters"}
        )


def _check_options(options: list[dict[str, Any]], where: str, depth: int) -> None:
    if len(options) > 25:
        raise DiscordError(400, 50035, "Invalid Form Body", {where: "at most 25 options"})
    seen_optional = False
    for i, opt in enumerate(options):
        here = f"{where}.{i}"
        _check_named(opt, here)
        if opt["type"] in (SUB_COMMAND, SUB_COMMAND_GROUP):
            if depth >= (1 if opt["type"] == SUB_COMMAND_GROUP else 2):
                raise DiscordError(400, 50035, "Invalid Form Body", {here: "nested too deeply"})
            _check_options(opt.get("options") or [], f"{here}.options", depth + 1)
            continue
        if opt.get("required"):
            if seen_optional:
                raise DiscordError(
                    400, 50035, "Invalid Form Body", {here: "required options must come first"}
                )
        else:
            seen_optional = True
        if len(opt.get("choices") or []) > 25:
            raise DiscordError(400, 50035, "Invalid Form Body", {here: "at most 25 choices"})
        if opt.get("choices") and opt.get("autocomplete"):
            raise DiscordError(400, 50035, "Invalid Form Body", {here: "choices with autocomplete"})


@dataclass
class BuiltOptions:
    options: list[dict[str, Any]]
    resolved: dict[str, dict[str, Any]]


class OptionBuilder:
    """Turns ``invoke(..., member=BOB, count=3)`` into Discord's ``data.options`` + ``resolved``."""

    def __init__(self, world: World, guild: Guild, invoker_id: int) -> None:
        self.world, self.guild, self.invoker_id = world, guild, invoker_id
        self.resolved: dict[str, dict[str, Any]] = {}

    def command_data(
        self,
        entry: dict[str, Any] | None,
        path: list[str],
        values: dict[str, Any],
        *,
        validate: bool,
        focused: str | None = None,
    ) -> dict[str, Any]:
        """``data`` of a type-2 (or, with ``focused``, type-4) interaction."""
        schema_opts = (entry or {}).get("options") or []
        nest: list[tuple[int, str]] = []
        for part in path[1:]:
            opt = next((o for o in schema_opts if o["name"] == part), None)
            if opt is None or opt["type"] not in (SUB_COMMAND, SUB_COMMAND_GROUP):
                if validate:
                    raise OptionError(f"/{' '.join(path)}: {part!r} is not a sub-command")
                opt = {"type": SUB_COMMAND, "name": part, "options": []}
            nest.append((opt["type"], part))
            schema_opts = opt.get("options") or []
        if validate and any(o["type"] in (SUB_COMMAND, SUB_COMMAND_GROUP) for o in schema_opts):
            names = [o["name"] for o in schema_opts]
            raise OptionError(f"/{' '.join(path)} is a group: pick a sub-command of {names}")
        leaf = self.leaf_options(schema_opts, values, validate=validate, focused=focused, path=path)
        for kind, name in reversed(nest):
            leaf = [{"type": kind, "name": name, "options": leaf}]
        data: dict[str, Any] = {"id": (entry or {}).get("id", "0"), "name": path[0], "type": 1}
        if entry is not None and "guild_id" in entry:
            data["guild_id"] = entry["guild_id"]  # discord.py looks guild commands up by this
        if leaf:
            data["options"] = leaf
        if self.resolved and focused is None:  # Discord sends no resolved data on autocomplete
            data["resolved"] = self.resolved
        return data

    def leaf_options(
        self,
        schema_opts: list[dict[str, Any]],
        values: dict[str, Any],
        *,
        validate: bool,
        focused: str | None,
        path: list[str],
    ) -> list[dict[str, Any]]:
        where = f"/{' '.join(path)}"
        by_name = {o["name"]: o for o in schema_opts}
        if validate:
            unknown = sorted(set(values) - set(by_name))
            if unknown:
                raise OptionError(f"{where}: unknown option(s) {unknown}; it has {sorted(by_name)}")
            if focused is not None:
                opt = by_name.get(focused)
                if opt is None or not opt.get("autocomplete"):
                    raise OptionError(f"{where}: option {focused!r} has no autocomplete")
            else:
                missing = [
                    o["name"] for o in schema_opts if o.get("required") and o["name"] not in values
                ]
                if missing:
                    raise OptionError(f"{where}: missing required option(s) {missing}")
        out: list[dict[str, Any]] = []
        for name, value in values.items():
            opt = by_name.get(name) or {"name": name, "type": _infer_type(value)}
            if name == focused:
                # What the user has typed so far, always a string, never validated.
                out.append(
                    {"type": opt["type"], "name": name, "value": str(value), "focused": True}
                )
                continue
            if validate:
                self._check_value(opt, value, where)
            out.append(
                {"type": opt["type"], "name": name, "value": self._wire(opt, value, focused)}
            )
        return out

    def _check_value(self, opt: dict[str, Any], value: Any, where: str) -> None:
        kind, name = opt["type"], f"{where} {opt['name']}"
        if kind == STRING and not isinstance(value, str):
            raise OptionError(f"{name}: expected text, got {value!r}")
        if kind == INTEGER and (type(value) is not int or abs(value) > MAX_SAFE_INT):
            raise OptionError(f"{name}: expected an integer, got {value!r}")
        if kind == NUMBER and (type(value) not in (int, float) or abs(value) > MAX_SAFE_INT):
            raise OptionError(f"{name}: expected a number, got {value!r}")
        if kind == BOOLEAN and type(value) is not bool:
            raise OptionError(f"{name}: expected True/False, got {value!r}")
        if kind == ATTACHMENT:
            raise OptionError(f"{name}: attachment options are not supported by the stand-in")
        choices = opt.get("choices") or []
        if choices and value not in [c["value"] for c in choices]:
            raise OptionError(f"{name}: {value!r} is not one of {[c['value'] for c in choices]}")
        if kind in (INTEGER, NUMBER):
            lo, hi = opt.get("min_value"), opt.get("max_value")
            if (lo is not None and value < lo) or (hi is not None and value > hi):
                raise OptionError(f"{name}: {value!r} is outside {lo}..{hi}")
        if kind == STRING:
            lo, hi = opt.get("min_length", 0), opt.get("max_length", 6000)
            if not (lo or 0) <= len(value) <= (hi or 6000):
                raise OptionError(f"{name}: length {len(value)} is outside {lo}..{hi}")
        if kind in (USER, CHANNEL, ROLE, MENTIONABLE):
            self._check_snowflake(opt, _snowflake(value), name)

    def _check_snowflake(self, opt: dict[str, Any], sid: int | None, name: str) -> None:
        kind = opt["type"]
        if kind in (USER, MENTIONABLE) and sid in self.world.users:
            return
        if kind in (ROLE, MENTIONABLE) and sid in self.guild.roles:
            return
        if kind == CHANNEL and sid in self.guild.channels:
            types = opt.get("channel_types")
            if types and self.guild.channels[sid].type not in types:
                raise OptionError(f"{name}: channel {sid} is not one of the types {types}")
            return
        raise OptionError(f"{name}: {sid!r} is not a {_KIND_NAMES[kind]} Discord would offer here")

    def _wire(self, opt: dict[str, Any], value: Any, focused: str | None) -> Any:
        """The option value on the wire; snowflakes become strings and get ``resolved`` entries."""
        if opt["type"] not in (USER, CHANNEL, ROLE, MENTIONABLE):
            return value
        sid = _snowflake(value)
        if sid is None:
            return str(value)  # a modified client's garbage: sent as-is, nothing resolved
        if focused is None:
            self._resolve(opt["type"], sid)
        return str(sid)

    def _resolve(self, kind: int, sid: int) -> None:
        g = self.guild
        user: User | None = self.world.users.get(sid) if kind in (USER, MENTIONABLE) else None
        if user is not None:
            self.resolved.setdefault("users", {})[str(sid)] = payloads.user(user)
            if sid in g.members:
                # Resolved members come without "user" (discord.py merges it) but with permissions.
                self.resolved.setdefault("members", {})[str(sid)] = payloads.member(
                    g, g.members[sid], with_user=False, permissions=True
                )
        elif kind in (ROLE, MENTIONABLE) and sid in g.roles:
            self.resolved.setdefault("roles", {})[str(sid)] = payloads.role(g.roles[sid])
        elif kind == CHANNEL and sid in g.channels:
            chan: Channel = g.channels[sid]
            self.resolved.setdefault("channels", {})[str(sid)] = payloads.resolved_channel(
                g, chan, self.invoker_id
            )


_KIND_NAMES = {USER: "user", CHANNEL: "channel", ROLE: "role", MENTIONABLE: "user or role"}


def _snowflake(value: Any) -> int | None:
    """Accept an id, a stand-in/discord.py object with ``.id``, or a digit string."""
    value = getattr(value, "id", value)
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def _infer_type(value: Any) -> int:
    """Option type for a name the schema does not know (only with ``validate=False``)."""
    if isinstance(value, bool):
        return BOOLEAN
    if isinstance(value, int):
        return INTEGER
    if isinstance(value, float):
        return NUMBER
    if hasattr(value, "id"):
        return USER
    return STRING
