"""The sandbox's command box read as Discord's client reads it (bot/sandbox/commandline.py)."""

from __future__ import annotations

from typing import Any

import pytest

from bot.sandbox import commandline as cl

GIFT: dict[str, Any] = {
    "name": "gift",
    "type": 1,
    "description": "Send a gift",
    "options": [
        {"type": cl.USER, "name": "member", "description": "Who", "required": True},
        {
            "type": cl.STRING,
            "name": "gift",
            "description": "Which",
            "required": True,
            "autocomplete": True,
        },
        {
            "type": cl.INTEGER,
            "name": "count",
            "description": "How many",
            "min_value": 1,
            "max_value": 99,
        },
        {"type": cl.STRING, "name": "message", "description": "A note"},
    ],
}
COINS: dict[str, Any] = {
    "name": "coins",
    "type": 1,
    "description": "Coins",
    "options": [
        {
            "type": cl.SUB_COMMAND,
            "name": "buy",
            "description": "Buy coins",
            "options": [
                {
                    "type": cl.INTEGER,
                    "name": "package",
                    "description": "A package",
                    "choices": [
                        {"name": "70 coins — $0.99", "value": 70},
                        {"name": "350 coins — $4.99", "value": 350},
                    ],
                },
            ],
        },
        {"type": cl.SUB_COMMAND, "name": "balance", "description": "Your coins", "options": []},
    ],
}
SETTINGS: dict[str, Any] = {
    "name": "settings",
    "type": 1,
    "description": "Settings",
    "options": [
        {
            "type": cl.SUB_COMMAND,
            "name": "set",
            "description": "Change",
            "options": [
                {"type": cl.CHANNEL, "name": "audit_channel", "description": "Where"},
                {"type": cl.ROLE, "name": "mod_role", "description": "Mods"},
                {"type": cl.BOOLEAN, "name": "public_page", "description": "Web page"},
            ],
        },
    ],
}
COMMANDS = [GIFT, COINS, SETTINGS]
PEOPLE = cl.Directory(
    members=[cl.Entity(11, "alice", "Alice"), cl.Entity(12, "bob", "Bob")],
    channels=[
        cl.Entity(21, "general", "general"),
        cl.Entity(22, "giftcord-audit", "giftcord-audit"),
    ],
    roles=[cl.Entity(31, "Mods", "Mods")],
)


def suggest(line: str) -> list[cl.Suggestion]:
    return cl.suggest(cl.parse(line, COMMANDS), COMMANDS, PEOPLE)


def values(line: str) -> dict[str, Any]:
    return cl.values(cl.parse(line + " ", COMMANDS), PEOPLE)


def test_command_names_are_offered_as_runnable_paths() -> None:
    assert [s.label for s in suggest("/")] == [
        "/coins buy",
        "/coins balance",
        "/gift",
        "/settings set",
    ]
    assert [(s.label, s.line) for s in suggest("/co")] == [
        ("/coins buy", "/coins buy "),
        ("/coins balance", "/coins balance "),
    ]
    assert [s.label for s in suggest("/coins b")] == ["/coins buy", "/coins balance"]
    assert suggest("hello") == []


def test_options_come_required_first_with_their_types() -> None:
    found = suggest("/gift ")
    assert [s.label for s in found] == ["member", "gift", "count", "message"]
    assert found[0].detail == "member · required · Who"
    assert found[2].detail == "integer · 1–99 · optional · How many"
    assert found[1].line == "/gift gift:"
    # Given options are not offered again; a partial name filters.
    assert [s.label for s in suggest("/gift member:@bob ")] == ["gift", "count", "message"]
    assert [s.line for s in suggest("/gift member:@bob co")] == ["/gift member:@bob count:"]


def test_values_offer_choices_members_channels_roles_and_booleans() -> None:
    assert [(s.label, s.line) for s in suggest("/coins buy package:")] == [
        ("70 coins — $0.99", "/coins buy package:70 "),
        ("350 coins — $4.99", "/coins buy package:350 "),
    ]
    assert [(s.label, s.detail, s.line) for s in suggest("/gift member:b")] == [
        ("Bob", "@bob", "/gift member:@bob ")
    ]
    assert [s.label for s in suggest("/settings set audit_channel:#gift")] == ["#giftcord-audit"]
    assert [s.label for s in suggest("/settings set mod_role:")] == ["Mods"]
    assert [s.label for s in suggest("/settings set public_page:")] == ["True", "False"]


def test_the_option_being_typed_is_focused_for_the_bots_autocomplete() -> None:
    parsed = cl.parse("/gift member:@bob gift:Ro", COMMANDS)
    assert parsed.command == "gift"
    assert parsed.focused == "gift"
    choices = [{"name": "Rose — 1 coin", "value": "Rose"}]
    [pick] = cl.autocomplete_suggestions(parsed, choices)
    assert (pick.label, pick.line) == ("Rose — 1 coin", "/gift member:@bob gift:Rose ")


def test_typed_values_convert_as_the_client_sends_them() -> None:
    assert values("/gift member:@bob gift:Rose Nebula count:3 message:for the stream") == {
        "member": 12,
        "gift": "Rose Nebula",
        "count": 3,
        "message": "for the stream",
    }
    assert values("/coins buy package:70 coins — $0.99") == {"package": 70}
    assert values(
        "/settings set audit_channel:#giftcord-audit mod_role:@Mods public_page:true"
    ) == {"audit_channel": 22, "mod_role": 31, "public_page": True}
    assert values("/coins balance") == {}


def test_what_does_not_convert_goes_on_as_typed_for_discords_own_refusal() -> None:
    # The stand-in (Discord's part) refuses these with the sentence a member would read.
    assert values("/gift member:@bob gift:Rose count:lots") == {
        "member": 12,
        "gift": "Rose",
        "count": "lots",
    }


@pytest.mark.parametrize(
    ("line", "refusal"),
    [
        ("gift", "Commands start with /"),
        ("/nope", "/nope is not a command here"),
        ("/coins", "/coins needs a sub-command: balance, buy."),
        ("/gift hello member:@bob", "“hello” is not an option of /gift"),
        ("/gift colour:red", "“colour:red” is not an option of /gift"),
        ("/gift count:1 count:2", "`count` is given twice."),
        ("/gift member:@nobody", "`member`: there is no member “@nobody” here"),
        ("/settings set audit_channel:#nope", "`audit_channel`: there is no channel “#nope”"),
    ],
)
def test_lines_the_client_cannot_send_get_one_sentence(line: str, refusal: str) -> None:
    with pytest.raises(cl.CommandLineError) as caught:
        values(line)
    assert str(caught.value).startswith(refusal)
