"""The use-case layer: what is neither rendering (`bot/ui`) nor storage (`bot/storage`).

Each module calls the ledger port, posts or edits Discord messages where that is its job, and
hands view-models to `bot/ui` to render:

- `container`   `Services`, what every cog is handed (the ledger port, the economy, the clock)
- `posting`     posting to a channel and to the audit channel, phrased for the moderator
- `mod_actions` moderator writes followed by their audit post
- `combos`      combo windows for streakable gifts and their coalesced announcement edits
- `event_board` event progress posts: their queries, throttled refreshes and the results post
- `members`     the members of a role, with or without the members intent

Only `Services` is imported here, so `from bot.services import Services` stays cheap and cannot
pull `bot/ui` into a cycle.
"""

from bot.services.container import Services

__all__ = ["Services"]
