"""What every cog is handed in its constructor: the ledger port and the economy's configuration.

Built once in `main()` (or by a test) and passed down; cogs never build their own."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.economy.catalog import Catalog
from bot.economy.config import EconomyConfig
from bot.economy.ledger import Ledger
from bot.economy.levels import LevelsConfig, LevelTable, LiveConfig
from bot.economy.treasure import TreasureConfig
from bot.services.gift_hooks import GiftHooks


@dataclass
class Services:
    ledger: Ledger
    economy: EconomyConfig
    catalog: Catalog = field(init=False)
    clock: Callable[[], float] = time.time
    levels: LevelsConfig = field(default_factory=LevelsConfig)
    live: LiveConfig = field(default_factory=LiveConfig)
    level_table: LevelTable = field(init=False)
    treasure: TreasureConfig = field(default_factory=TreasureConfig)
    gift_hooks: GiftHooks = field(default_factory=GiftHooks)

    def __post_init__(self) -> None:
        self.catalog = self.economy.catalog()
        self.level_table = self.levels.table()
