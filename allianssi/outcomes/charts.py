"""The funnel from referrals to outcomes, drawn on the server as SVG by pygal (no script).

Like the open-books and KPI charts, the funnel is an image beside the table that holds its
numbers: the page gives it a short alternative text and points to that table. A stage hidden
from the reader (a group of fewer than five) has no bar and no number. A KPI's trajectory is
drawn by the settlement's ``trajectory_chart``. The narrow drawing (``narrow``, for a phone) is
``allianssi.core.charts.narrow_bars``: each stage's name in full above its bar, its number at
the bar's end."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from copy import copy

import pygal

from allianssi.core.charts import Row, narrow_bars
from allianssi.openbook.charts import STYLE


def funnel_chart(
    title: str,
    stages: Sequence[tuple[str, int | None]],
    series: str,
    formatter: Callable[[int], str],
    hidden: str,
    *,
    narrow: bool = False,
) -> str:
    """Horizontal bars, one per stage, the first stage at the top, each named with its number
    (or with ``hidden`` where the reader may not see it)."""
    if narrow:
        return narrow_bars(
            title,
            [Row(label, (None if value is None else float(value),)) for label, value in stages],
            [series],
            ("#1f4e79",),
            lambda value: formatter(int(value)),
            hidden=hidden,
        )
    style = copy(STYLE)
    style.colors = ("#1f4e79",)
    chart = pygal.HorizontalBar(
        title=title,
        style=style,
        js=[],
        disable_xml_declaration=True,
        width=860,
        height=340,
        explicit_size=False,
        show_legend=False,
        print_values=False,
        value_formatter=lambda value: formatter(int(value)),
        truncate_label=60,
        show_minor_x_labels=False,
        x_labels_major_every=2,
    )
    drawn = list(reversed(stages))  # pygal draws the first label at the bottom
    chart.x_labels = [
        f"{label}: {hidden if value is None else formatter(value)}" for label, value in drawn
    ]
    chart.add(series, [None if value is None else float(value) for _label, value in drawn])
    return str(chart.render(is_unicode=True))
