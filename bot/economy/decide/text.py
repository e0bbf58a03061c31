"""Rules for free text members and moderators type into records other people read."""

from __future__ import annotations

from bot.economy.errors import InvalidInput

MAX_REASON = 500


def reason(text: str | None, *, required: bool = True) -> str | None:
    """A moderator's reason: trimmed, at most 500 characters (refused above — never cut, so the
    audit log says exactly what was typed), required unless `required=False`."""
    cleaned = (text or "").strip()
    if not cleaned:
        if required:
            raise InvalidInput("A reason is required — it goes into the audit log.")
        return None
    if len(cleaned) > MAX_REASON:
        raise InvalidInput(
            f"A reason can be at most {MAX_REASON} characters (this one has {len(cleaned):,})."
        )
    return cleaned
