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
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    days = [datetime.fromtimestamp(d.day * SECONDS_PER_DAY, tz=UTC) for d in per_day]
    values = [d.diamonds for d in per_day]
    fig = Figure(figsize=(8, 3.2), dpi=100)
    FigureCanvasAgg(fig)
    try:
        # Fixed margins instead of tight_layout(), which draws the whole figure once more
        # just to measure it: half the render time for a chart whose layout never changes.
        fig.subplots_adjust(left=0.11, right=0.98, top=0.88, bottom=0.2)
        ax = fig.add_subplot()
        if days:
            # One StepPatch for all days rather than a Rectangle per bar: 90 bars cost more
            # to draw than everything else on the chart.
            x = date2num(days)
            edges = [*(x - 0.5), x[-1] + 0.5]
            ax.stairs(values, edges, fill=True, color="#35A7FF", baseline=0)
            # Thin white gaps keep neighbouring days apart (one LineCollection, still cheap).
            ax.vlines(edges[1:-1], 0, max([*values, 1]) * 1.1, colors="white", linewidth=1)
            ax.xaxis_date()
            ax.set_xlim(edges[0], edges[-1])
        ax.set_title(title)
        ax.set_ylabel("diamonds")
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{int(v):,}"))
        ax.set_ylim(bottom=0, top=max([*values, 1]) * 1.1)
        ax.grid(axis="y", alpha=0.3)
        for label in ax.get_xticklabels():
            label.set_rotation(30)
            label.set_horizontalalignment("right")
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
        return buf.getvalue()
    finally:
        fig.clear()  # free the artists now rather than at garbage collection
