"""The open-books charts, drawn on the server as SVG by pygal (no script, no CDN).

A chart is an image beside the table that holds its numbers: the page gives each one a short
alternative text and points to that table, so nothing is only in the picture. Labels and numbers
are in the reader's language; the colours keep a 3:1 contrast against the white background and
the series differ in more than colour (budget, actual and forecast bars in that order, named in
the legend and in the table).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal

import pygal
from pygal.style import Style

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
)


def _options(title: str, euros: Callable[[Decimal | float], str]) -> dict[str, object]:
    return {
        "title": title,
        "style": STYLE,
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


def budget_chart(
    title: str,
    rows: Sequence[tuple[str, Decimal | None, Decimal, Decimal]],
    series: tuple[str, str, str],
    euros: Callable[[Decimal | float], str],
) -> str:
    """Horizontal bars: for each row (its label, budget, actual and forecast) the three side by
    side. A row without a budget (a producer) has no budget bar."""
    chart = pygal.HorizontalBar(**_options(title, euros))
    chart.x_labels = [label for label, *_ in rows]
    budget, actual, forecast = series
    if any(b is not None for _l, b, _a, _f in rows):
        chart.add(budget, [float(b) if b is not None else None for _l, b, _a, _f in rows])
    chart.add(actual, [float(a) for _l, _b, a, _f in rows])
    chart.add(forecast, [float(f) for _l, _b, _a, f in rows])
    return str(chart.render(is_unicode=True))


def months_chart(
    title: str,
    rows: Sequence[tuple[str, Decimal]],
    series: str,
    euros: Callable[[Decimal | float], str],
) -> str:
    """Vertical bars: the costs booked in each month."""
    chart = pygal.Bar(**_options(title, euros), show_legend=False)
    chart.x_labels = [label for label, _amount in rows]
    chart.add(series, [float(amount) for _label, amount in rows])
    return str(chart.render(is_unicode=True))
