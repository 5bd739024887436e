"""A KPI's trajectory against its minimum and target, drawn on the server as SVG by pygal.

The page's table beside the chart holds the same numbers as text; the chart's lines differ in
more than colour (the results are a line with dots; the minimum and target are dashed). The
narrow drawing (``narrow``, for a phone) is 360 px wide with larger type, at most five dates on
its axis, slanted, and the legend under the chart, one series a line."""

from __future__ import annotations

from collections.abc import Sequence
from copy import copy
from decimal import Decimal

import pygal

from allianssi.core.charts import LABEL_SIZE, NARROW_WIDTH, TITLE_SIZE, VALUE_SIZE
from allianssi.core.formatting import number
from allianssi.openbook.charts import STYLE

#: The narrow drawing's options over the wide one's: larger type for its width, five labels
#: of the dates at most, slanted so that long ones ("syyskuu 2026") do not overlap.
NARROW_OPTIONS: dict[str, object] = {
    "width": NARROW_WIDTH,
    "height": 400,
    "legend_at_bottom_columns": 1,
    "truncate_legend": -1,
    "x_label_rotation": 40,
    "truncate_label": 16,
    "show_minor_x_labels": False,
    "x_labels_major_count": 5,
    "max_scale": 6,
    "dots_size": 3,
}


def trajectory_chart(
    title: str,
    points: Sequence[tuple[str, Decimal | None]],
    minimum: Decimal,
    target: Decimal,
    labels: tuple[str, str, str],
    *,
    narrow: bool = False,
) -> str:
    """The results by date (the first point may be the baseline at the year's start, or
    ``None``), with the minimum and the target as level lines across the whole chart; the scale
    leaves room above and below them, so that neither lies on the chart's frame."""
    values = [v for _label, v in points if v is not None]
    low, high = min([minimum, target, *values]), max([minimum, target, *values])
    pad = (high - low) / 10 or Decimal(1)
    style = copy(STYLE)
    style.colors = ("#1f4e79", "#8d4b00", "#2e7d32")
    if narrow:
        style.label_font_size = style.major_label_font_size = VALUE_SIZE
        style.legend_font_size = LABEL_SIZE
        style.title_font_size = TITLE_SIZE
    options: dict[str, object] = {
        "width": 860,
        "height": 380,
        "truncate_label": 20,
        "dots_size": 4,
        **(NARROW_OPTIONS if narrow else {}),
    }
    chart = pygal.Line(
        range=(float(low - pad), float(high + pad)),
        stroke_style={"width": 2.5},
        show_y_guides=False,
        title=title,
        style=style,
        js=[],
        disable_xml_declaration=True,
        explicit_size=narrow,  # the narrow one says its size (the page knows its width only)
        legend_at_bottom=True,
        **options,
        # the scale and the tooltips in the reader's language ("12,5"), at most 4 decimals
        value_formatter=lambda value: number(Decimal(str(value)), -4),
    )
    chart.x_labels = [label for label, _value in points]
    result = labels[0]
    chart.add(result, [None if value is None else float(value) for _label, value in points])
    level = max(len(points), 1)
    bottom, top = labels[1], labels[2]
    chart.add(
        bottom,
        [float(minimum)] * level,
        stroke_style={"width": 3, "dasharray": "10, 5"},
        show_dots=False,
    )
    chart.add(
        top,
        [float(target)] * level,
        stroke_style={"width": 3, "dasharray": "4, 4"},
        show_dots=False,
    )
    return str(chart.render(is_unicode=True))
