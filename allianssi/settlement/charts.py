"""A KPI's trajectory against its minimum and target, drawn on the server as SVG by pygal.

The page's table beside the chart holds the same numbers as text; the chart's lines differ in
more than colour (the results are a line with dots; the minimum and target are dashed)."""

from __future__ import annotations

from collections.abc import Sequence
from copy import copy
from decimal import Decimal

import pygal

from allianssi.openbook.charts import STYLE


def trajectory_chart(
    title: str,
    points: Sequence[tuple[str, Decimal]],
    minimum: Decimal,
    target: Decimal,
    labels: tuple[str, str, str],
) -> str:
    """The results by date, with the minimum and the target as level lines."""
    style = copy(STYLE)
    style.colors = ("#1f4e79", "#8d4b00", "#2e7d32")
    chart = pygal.Line(
        title=title,
        style=style,
        js=[],
        disable_xml_declaration=True,
        width=860,
        height=380,
        explicit_size=False,
        legend_at_bottom=True,
        truncate_label=20,
        dots_size=4,
    )
    chart.x_labels = [label for label, _value in points]
    result, low, high = labels
    chart.add(result, [float(value) for _label, value in points])
    level = max(len(points), 1)
    chart.add(low, [float(minimum)] * level, stroke_style={"dasharray": "6, 4"}, show_dots=False)
    chart.add(high, [float(target)] * level, stroke_style={"dasharray": "2, 4"}, show_dots=False)
    return str(chart.render(is_unicode=True))
