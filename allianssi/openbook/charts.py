"""The open-books charts, drawn on the server as SVG by pygal (no script, no CDN).

A chart is an image beside the table that holds its numbers: the page gives each one a short
alternative text and points to that table, so nothing is only in the picture. Labels and numbers
are in the reader's language; the colours keep a 3:1 contrast against the white background and
the series differ in more than colour (budget, actual and forecast bars in that order, named in
the legend and in the table).

Each chart is drawn wide here (pygal, 860 px) and, with ``narrow``, for a phone by
``allianssi.core.charts.narrow_bars`` (360 px, each name written in full above its bars).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from copy import copy
from decimal import Decimal

import pygal
from pygal.style import Style

from allianssi.core.charts import Row, narrow_bars

#: Dark blue (budget), green (actual), brown (forecast): each at least 4.5:1 on white.
STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1a1a1a",
    foreground_strong="#1a1a1a",
    foreground_subtle="#595959",
    colors=("#1f4e79", "#2e7d32", "#8d4b00"),
    font_family="DejaVu Sans, Arial, sans-serif",
    label_font_size=13,
    major_label_font_size=13,
    legend_font_size=14,
    title_font_size=16,
    value_font_size=12,
    opacity="1",  # solid bars: pygal's default translucency would pale the colours' contrast
    opacity_hover="1",
)


def _options(
    title: str, euros: Callable[[Decimal | float], str], *, with_budget: bool = True
) -> dict[str, object]:
    """The charts' common options. Without a budget series the actual and forecast keep their
    colours (pygal colours series in order)."""
    style = STYLE
    if not with_budget:
        style = copy(STYLE)
        style.colors = STYLE.colors[1:]
    return {
        "title": title,
        "style": style,
        "js": [],  # no script from anywhere
        "disable_xml_declaration": True,
        "width": 860,
        "height": 420,
        "explicit_size": False,
        "legend_at_bottom": True,
        "print_values": False,
        "value_formatter": euros,
        "truncate_label": 40,
    }


def _scale(axis: str) -> dict[str, object]:
    """Every second label of the euro scale only (amounts are long, and crowded they overlap),
    on ``axis``, which pygal calls "x" for a horizontal chart's values and "y" for a vertical
    one's; every name and month on the other axis stays."""
    return {f"show_minor_{axis}_labels": False, f"{axis}_labels_major_every": 2}


def budget_chart(
    title: str,
    rows: Sequence[tuple[str, Decimal | None, Decimal, Decimal]],
    series: tuple[str, str, str],
    euros: Callable[[Decimal | float], str],
    *,
    narrow: bool = False,
) -> str:
    """Horizontal bars: for each row (its label, budget, actual and forecast) the three side by
    side. A row without a budget (a producer) has no budget bar."""
    with_budget = any(b is not None for _l, b, _a, _f in rows)
    if narrow:
        first = 0 if with_budget else 1
        return narrow_bars(
            title,
            [
                Row(label, tuple(None if v is None else float(v) for v in (b, a, f)[first:]))
                for label, b, a, f in rows
            ],
            series[first:],
            STYLE.colors[first:],
            euros,
        )
    chart = pygal.HorizontalBar(**_options(title, euros, with_budget=with_budget), **_scale("x"))
    chart.x_labels = [label for label, *_ in rows]
    budget, actual, forecast = series
    if with_budget:
        chart.add(budget, [float(b) if b is not None else None for _l, b, _a, _f in rows])
    chart.add(actual, [float(a) for _l, _b, a, _f in rows])
    chart.add(forecast, [float(f) for _l, _b, _a, f in rows])
    return str(chart.render(is_unicode=True))


def months_chart(
    title: str,
    rows: Sequence[tuple[str, Decimal]],
    series: str,
    euros: Callable[[Decimal | float], str],
    *,
    narrow: bool = False,
) -> str:
    """Vertical bars: the costs booked in each month (narrow: a horizontal bar for each month,
    its name above it)."""
    if narrow:
        return narrow_bars(
            title,
            [Row(label, (float(amount),)) for label, amount in rows],
            [series],
            STYLE.colors[1:2],
            euros,
        )
    chart = pygal.Bar(**_options(title, euros, with_budget=False), **_scale("y"), show_legend=False)
    chart.x_labels = [label for label, _amount in rows]
    chart.add(series, [float(amount) for _label, amount in rows])
    return str(chart.render(is_unicode=True))
