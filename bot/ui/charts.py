"""The diamonds-per-day chart for `/diamonds stats`: a PNG rendered with matplotlib's Agg
backend through the object-oriented API (no pyplot global state, so it is safe in a worker
thread). Call `render_earnings` via `asyncio.to_thread` — it blocks for tens of milliseconds."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from bot.economy.ledger import DayEarnings
from bot.economy.rules import SECONDS_PER_DAY

CHART_FILENAME = "diamonds.png"


def render_earnings(per_day: list[DayEarnings], title: str) -> bytes:
    """A bar chart of diamonds per UTC day. Empty data still gives a valid chart (all zeros)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.dates import date2num
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    days = [datetime.fromtimestamp(d.day * SECONDS_PER_DAY, tz=UTC) for d in per_day]
    values = [d.diamonds for d in per_day]
    fig = Figure(figsize=(8, 3.2), dpi=100)
    FigureCanvasAgg(fig)
    try:
        ax = fig.add_subplot()
        if days:
            ax.bar(date2num(days), values, width=0.8, color="#35A7FF")
            ax.xaxis_date()
        ax.set_title(title)
        ax.set_ylabel("diamonds")
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylim(bottom=0, top=max([*values, 1]) * 1.1)
        ax.grid(axis="y", alpha=0.3)
        fig.autofmt_xdate()
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
        return buf.getvalue()
    finally:
        fig.clear()  # free the artists now rather than at garbage collection
