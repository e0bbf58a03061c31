"""The sandbox's slash-command box: one typed line (`/gift member:@bob gift:Rose count:3`) read
against the commands the bot synced, the way Discord's client reads it.

`parse` finds the command path, the options typed so far and what is being typed now; `suggest`
answers what Discord's popup would offer (command names, then option names with their types,
then values: choices, members, channels, True/False); `values` turns the typed text into what the
client would send. A number or choice that does not convert is passed on as typed, so that the
stand-in's validation, which plays Discord's, gives the refusal a real member would get; a
member, channel or role that matches nobody is refused here, as Discord's client cannot send it.

Pure: no I/O, no stand-in, no bot. The bot's own autocomplete is asked by the caller (web.py)
when `Parsed.focused` names an option with `autocomplete`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

SUB_COMMAND, SUB_COMMAND_GROUP = 1, 2
STRING, INTEGER, BOOLEAN, USER, CHANNEL, ROLE, MENTIONABLE, NUMBER = 3, 4, 5, 6, 7, 8, 9, 10
TYPE_NAMES = {
    STRING: "text",
    INTEGER: "integer",
    BOOLEAN: "True/False",
    USER: "member",
    CHANNEL: "channel",
    ROLE: "role",
    MENTIONABLE: "member or role",
    NUMBER: "number",
}
MAX_SUGGESTIONS = 25


class CommandLineError(Exception):
    """What Discord's client would tell the member instead of sending (one sentence)."""


@dataclass(frozen=True)
class Entity:
    """Something a member can pick for a member, channel or role option."""

    id: int
    name: str  # what is typed after @ or # (a username, a channel or role name)
    label: str  # what the popup shows (a display name)


@dataclass(frozen=True)
class Directory:
    """The guild as the member's client knows it."""

    members: list[Entity] = field(default_factory=list)
    channels: list[Entity] = field(default_factory=list)
    roles: list[Entity] = field(default_factory=list)


@dataclass(frozen=True)
class Suggestion:
    label: str
    detail: str
    line: str  # the whole line once picked

    def to_json(self) -> dict[str, str]:
        return {"label": self.label, "detail": self.detail, "line": self.line}


@dataclass
class Parsed:
    line: str
    path: list[str] = field(default_factory=list)
    # The schema of the command or sub-command reached; None while still typing its name.
    leaf: dict[str, Any] | None = None
    node: dict[str, Any] | None = None  # the last command or group reached
    typed: list[tuple[str, str]] = field(default_factory=list)  # (option, raw text) in order
    partial: str = ""  # the word being typed (a command or option name) when not a value
    focused: str | None = None  # the option whose value is being typed (the line's last)
    junk: str = ""  # text before the first option name: not an option of the command

    @property
    def options(self) -> dict[str, dict[str, Any]]:
        return {o["name"]: o for o in (self.leaf or {}).get("options") or []}

    @property
    def command(self) -> str:
        return " ".join(self.path)


def _children(node: dict[str, Any] | list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    opts = node if isinstance(node, list) else node.get("options") or []
    return {o["name"]: o for o in opts if o.get("type", 1) in (SUB_COMMAND, SUB_COMMAND_GROUP)}


def _top(commands: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {c["name"]: c for c in commands if c.get("type", 1) == 1}


def parse(line: str, commands: list[dict[str, Any]]) -> Parsed:
    parsed = Parsed(line)
    if not line.startswith("/"):
        return parsed
    rest = line[1:]
    level: dict[str, dict[str, Any]] = _top(commands)
    while True:
        match = re.match(r"(\S+)(\s+|$)", rest)
        if match is None:  # nothing typed after the last name
            parsed.partial = ""
            return parsed
        word, space = match.group(1), match.group(2)
        node = level.get(word.lower())
        if node is None or not space:
            parsed.partial = word
            return parsed
        parsed.path.append(node["name"])
        parsed.node = node
        rest = rest[match.end() :]
        level = _children(node)
        if not level:
            parsed.leaf = node
            break
    _parse_options(parsed, rest)
    return parsed


def _parse_options(parsed: Parsed, rest: str) -> None:
    names = sorted(parsed.options, key=len, reverse=True)
    if not names:
        parsed.junk = rest.strip()
        return
    pattern = re.compile(r"(?:^|(?<=\s))(" + "|".join(map(re.escape, names)) + r"):")
    starts = list(pattern.finditer(rest))
    head = rest[: starts[0].start()] if starts else rest
    for i, m in enumerate(starts):
        end = starts[i + 1].start() if i + 1 < len(starts) else len(rest)
        parsed.typed.append((m.group(1), rest[m.end() : end]))
    if head.strip():
        if starts:
            parsed.junk = head.strip()
        else:
            # Still typing the first option's name (or something that is none).
            parsed.partial = head.strip() if not head.endswith(" ") else ""
            parsed.junk = head.strip() if head.endswith(" ") else ""
        return
    if not parsed.typed:
        return
    name, raw = parsed.typed[-1]
    if raw and raw[-1].isspace() and raw.strip():
        parsed.partial = ""  # a finished value, then a space: the next option's name
        return
    last_word = raw.rsplit(None, 1)[-1] if " " in raw.strip() else ""
    if last_word and any(n.startswith(last_word) for n in names if n not in dict(parsed.typed)):
        parsed.partial = last_word
        parsed.typed[-1] = (name, raw[: raw.rstrip().rfind(last_word)])
        return
    parsed.focused = name


def describe_option(opt: dict[str, Any]) -> str:
    parts = [TYPE_NAMES.get(opt["type"], "value")]
    lo, hi = opt.get("min_value"), opt.get("max_value")
    if lo is not None or hi is not None:
        parts.append(f"{'' if lo is None else lo}–{'' if hi is None else hi}")
    parts.append("required" if opt.get("required") else "optional")
    if opt.get("description"):
        parts.append(opt["description"])
    return " · ".join(parts)


def leaf_paths(commands: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """Every runnable command as Discord lists it: (`coins buy`, description)."""
    out: list[tuple[str, str]] = []

    def walk(prefix: str, node: dict[str, Any]) -> None:
        kids = _children(node)
        if not kids:
            out.append((prefix, node.get("description", "")))
        for name, child in kids.items():
            walk(f"{prefix} {name}", child)

    for name, cmd in sorted(_top(commands).items()):
        walk(name, cmd)
    return out


def suggest(
    parsed: Parsed, commands: list[dict[str, Any]], directory: Directory
) -> list[Suggestion]:
    """What the popup offers for the line (the bot's own autocomplete aside)."""
    if not parsed.line.startswith("/"):
        return []
    if parsed.leaf is None:
        typed = " ".join([*parsed.path, parsed.partial]).strip().lower()
        return [
            Suggestion(f"/{path}", desc, f"/{path} ")
            for path, desc in leaf_paths(commands)
            if path.startswith(typed)
        ]  # all of them, scrolling, as Discord lists a bot's commands
    if parsed.focused is not None:
        return _value_suggestions(parsed, directory)
    given = {name for name, _ in parsed.typed}
    base = parsed.line[: len(parsed.line) - len(parsed.partial)] if parsed.partial else parsed.line
    if base and not base[-1].isspace():
        base += " "
    remaining = [o for o in parsed.options.values() if o["name"] not in given]
    remaining.sort(key=lambda o: not o.get("required"))
    return [
        Suggestion(o["name"], describe_option(o), f"{base}{o['name']}:")
        for o in remaining
        if o["name"].startswith(parsed.partial.lower())
    ]


def _value_suggestions(parsed: Parsed, directory: Directory) -> list[Suggestion]:
    assert parsed.focused is not None
    opt = parsed.options[parsed.focused]
    raw = parsed.typed[-1][1]
    base = parsed.line[: len(parsed.line) - len(raw)]
    needle = raw.strip().lstrip("@#").lower()
    picks: list[tuple[str, str, str]] = []  # (label, detail, inserted text)
    if opt.get("choices"):
        picks = [(c["name"], "", str(c["value"])) for c in opt["choices"]]
    elif opt["type"] == BOOLEAN:
        picks = [("True", "", "True"), ("False", "", "False")]
    elif opt["type"] in (USER, MENTIONABLE):
        picks = [(m.label, f"@{m.name}", f"@{m.name}") for m in directory.members]
        if opt["type"] == MENTIONABLE:
            picks += [(r.label, "role", f"@{r.name}") for r in directory.roles]
    elif opt["type"] == CHANNEL:
        picks = [(f"#{c.name}", "", f"#{c.name}") for c in directory.channels]
    elif opt["type"] == ROLE:
        picks = [(r.label, "role", f"@{r.name}") for r in directory.roles]
    return [
        Suggestion(label, detail, f"{base}{text} ")
        for label, detail, text in picks
        if needle in label.lower() or needle in text.lower()
    ][:MAX_SUGGESTIONS]


def autocomplete_suggestions(parsed: Parsed, choices: list[dict[str, Any]]) -> list[Suggestion]:
    """The bot's own type-8 choices, as popup entries that insert the choice's value."""
    raw = parsed.typed[-1][1] if parsed.typed else ""
    base = parsed.line[: len(parsed.line) - len(raw)]
    return [Suggestion(str(c["name"]), "", f"{base}{c['value']} ") for c in choices]


def values(parsed: Parsed, directory: Directory) -> dict[str, Any]:
    """The options to send, converted as Discord's client would; refuses only what the client
    itself cannot express (an unknown command, text that is no option)."""
    if not parsed.line.strip().startswith("/"):
        raise CommandLineError("Commands start with / — type / to see them.")
    if parsed.leaf is None:
        shown = " ".join([*parsed.path, parsed.partial]).strip()
        if parsed.node is not None and not parsed.partial:
            subs = ", ".join(sorted(_children(parsed.node)))
            raise CommandLineError(f"/{shown} needs a sub-command: {subs}.")
        raise CommandLineError(f"/{shown} is not a command here — type / to see them.")
    if parsed.junk or parsed.partial:
        bad = parsed.junk or parsed.partial
        names = ", ".join(parsed.options) or "none"
        raise CommandLineError(f"“{bad}” is not an option of /{parsed.command} (options: {names}).")
    out: dict[str, Any] = {}
    for name, raw in parsed.typed:
        if name in out:
            raise CommandLineError(f"`{name}` is given twice.")
        out[name] = convert(parsed.options[name], raw.strip(), directory)
    return out


def convert(opt: dict[str, Any], raw: str, directory: Directory) -> Any:
    kind = opt["type"]
    for c in opt.get("choices") or []:
        if raw.lower() in (str(c["name"]).lower(), str(c["value"]).lower()):
            return c["value"]
    if kind == INTEGER and re.fullmatch(r"-?\d+", raw.replace(",", "")):
        return int(raw.replace(",", ""))
    if kind == NUMBER and re.fullmatch(r"-?\d+(\.\d+)?", raw):
        return float(raw)
    if kind == BOOLEAN and raw.lower() in ("true", "false", "yes", "no"):
        return raw.lower() in ("true", "yes")
    if kind in (USER, MENTIONABLE, ROLE, CHANNEL):
        pools = {
            USER: directory.members,
            MENTIONABLE: directory.members + directory.roles,
            ROLE: directory.roles,
            CHANNEL: directory.channels,
        }[kind]
        wanted = raw.lstrip("@#").lower()
        for entity in pools:
            if wanted in (entity.name.lower(), entity.label.lower(), str(entity.id)):
                return entity.id
        # Discord's client sends only what was picked from its list: it has no way to send a
        # name that matches nobody.
        raise CommandLineError(
            f"`{opt['name']}`: there is no {TYPE_NAMES[kind]} “{raw}” here — pick one from the list."
        )
    return raw
