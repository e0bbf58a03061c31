"""Text members type: ids typed as text, text that other members will see, moderators' reasons.

Pure functions; the cogs call them where such text enters (an option value), so everything
downstream — the ledger, announcements, boards — only ever holds the cleaned text."""

from __future__ import annotations

import re

from bot.economy.errors import InvalidInput

# Unicode's explicit bidirectional controls: embeddings and overrides (U+202A–U+202E), isolates
# (U+2066–U+2069) and the marks (U+200E, U+200F, U+061C). An override in a gift message or an
# event name reverses the text after it in everyone's client — "gift from alice" can be made to
# read as something else — so text other members see never carries them.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")

# The largest id the ledger stores (SQLite's signed 64-bit integer).
MAX_ID = 2**63 - 1


def strip_bidi(text: str) -> str:
    """`text` without bidirectional control characters."""
    return _BIDI_CONTROLS.sub("", text)


def public_text(text: str | None) -> str | None:
    """Text other members will see, as it is stored and shown: bidi controls removed and runs
    of whitespace made one space; None when nothing visible is left."""
    if text is None:
        return None
    cleaned = " ".join(strip_bidi(text).split())
    return cleaned or None


def parse_id(text: str) -> int | None:
    """An id typed as text (`/leaderboard event:12`): ASCII digits within the ledger's range,
    else None — the caller's ordinary "no such …" sentence follows. Never raises."""
    value = text.strip()
    if not value.isascii() or not value.isdigit() or len(value) > len(str(MAX_ID)):
        return None
    number = int(value)
    return number if 0 < number <= MAX_ID else None


MAX_REASON = 500


def reason(typed: str | None, *, required: bool = True) -> str | None:
    """A moderator's reason: trimmed, at most 500 characters (refused above — never cut, so the
    audit log says exactly what was typed), required unless `required=False`."""
    # Reasons are shown to other members (audit posts, a rejected member's notice): no bidi.
    cleaned = strip_bidi(typed or "").strip()
    if not cleaned:
        if required:
            raise InvalidInput("A reason is required — it goes into the audit log.")
        return None
    if len(cleaned) > MAX_REASON:
        raise InvalidInput(
            f"A reason can be at most {MAX_REASON} characters (this one has {len(cleaned):,})."
        )
    return cleaned
