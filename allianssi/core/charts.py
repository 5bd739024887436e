"""The narrow drawing of a chart, for a phone (docs/charts.md, ADR 0028).

Every chart is drawn twice on the server: wide (860 px, pygal) for a screen that holds it, and
narrow (360 px) for a phone; the page's ``<picture>`` picks one by the window's width, without
JavaScript. The chart's address gives the narrow drawing with ``?size=narrow``.

A narrow bar chart is drawn here, not by pygal: each row's name is written in full above its
bars (wrapped, never cut), the bars lie across the whole width, and each bar's amount is written
at its end as the reader's language writes it, so no scale is needed. The type is larger
relative to the width than in the wide drawing (15 px in 360 against 13 in 860), so that it
stays readable when the phone shrinks the image to its box.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from django.http import HttpRequest

#: The narrow drawing's width in CSS pixels; the page's ``<source>`` says the same.
NARROW_WIDTH = 360
#: The query parameter and value that ask a chart's view for the narrow drawing.
SIZE_PARAMETER = "size"
NARROW = "narrow"

FONT_FAMILY = "DejaVu Sans, Arial, sans-serif"
INK = "#1a1a1a"
SUBTLE = "#595959"

TITLE_SIZE = 17
LABEL_SIZE = 15
VALUE_SIZE = 14
MARGIN = 8
BAR_HEIGHT = 16
BAR_GAP = 4
ROW_GAP = 14
#: A character's mean width relative to the font size (DejaVu Sans is wide): what the wrapping
#: and the room left for the amounts reckon with.
CHAR_WIDTH = 0.6


def narrow_wanted(request: HttpRequest) -> bool:
    """Whether the chart's request asks for the narrow drawing."""
    return request.GET.get(SIZE_PARAMETER) == NARROW


@dataclass(frozen=True)
class Row:
    """A row of a bar chart: its name and one value per series (``None``: no bar, or a value
    the reader may not see, written as the chart's ``hidden`` text)."""

    label: str
    values: tuple[float | None, ...]


def _lines(text: str, size: int, width: int) -> list[str]:
    chars = max(int(width / (size * CHAR_WIDTH)), 8)
    return textwrap.wrap(text, chars, break_long_words=True, break_on_hyphens=True) or [""]


def _text(x: float, y: float, text: str, size: int, *, weight: str = "normal") -> str:
    bold = ' font-weight="bold"' if weight == "bold" else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}"{bold} fill="{INK}">{escape(text)}</text>'
    )


def narrow_bars(
    title: str,
    rows: Sequence[Row],
    series: Sequence[str],
    colors: Sequence[str],
    value_text: Callable[[float], str],
    *,
    hidden: str = "",
) -> str:
    """A narrow horizontal bar chart as SVG: the title, a legend when there is more than one
    series, then each row's name with its bars (one per series, in the series' order and
    colours), each bar's amount (``value_text``) at its end. A bar of a negative amount is
    drawn as none; its amount is still written. A ``None`` value is written as ``hidden`` or,
    without it, left out."""
    width = NARROW_WIDTH
    inner = width - 2 * MARGIN
    parts: list[str] = []
    y = float(MARGIN)
    for line in _lines(title, TITLE_SIZE, inner):
        y += TITLE_SIZE * 1.25
        parts.append(_text(MARGIN, y, line, TITLE_SIZE, weight="bold"))
    y += 6
    if len(series) > 1:
        for name, color in zip(series, colors, strict=False):
            y += LABEL_SIZE * 1.4
            parts.append(
                f'<rect x="{MARGIN}" y="{y - LABEL_SIZE + 2:.1f}" width="{LABEL_SIZE}" '
                f'height="{LABEL_SIZE}" fill="{color}"/>'
            )
            parts.append(_text(MARGIN + LABEL_SIZE + 6, y, name, LABEL_SIZE))
        y += 6
    texts = [
        [hidden if value is None else value_text(value) for value in row.values] for row in rows
    ]
    longest = max((len(t) for row in texts for t in row), default=0)
    room = inner - longest * VALUE_SIZE * CHAR_WIDTH - 6  # the longest bar leaves its amount room
    top = max((v for row in rows for v in row.values if v is not None), default=0.0)
    scale = room / top if top > 0 else 0.0
    for row, row_texts in zip(rows, texts, strict=True):
        y += ROW_GAP
        for line in _lines(row.label, LABEL_SIZE, inner):
            y += LABEL_SIZE * 1.25
            parts.append(_text(MARGIN, y, line, LABEL_SIZE))
        y += 4
        for value, text, name, color in zip(row.values, row_texts, series, colors, strict=False):
            if value is None and not hidden:
                continue  # no bar of this series (a producer has no budget)
            length = max(value or 0.0, 0.0) * scale
            if value is not None and length:
                parts.append(
                    f'<rect x="{MARGIN}" y="{y:.1f}" width="{length:.1f}" '
                    f'height="{BAR_HEIGHT}" fill="{color}"><title>{escape(name)}: '
                    f"{escape(text)}</title></rect>"
                )
            parts.append(
                f'<text x="{MARGIN + length + 6:.1f}" y="{y + BAR_HEIGHT - 3:.1f}" '
                f'font-size="{VALUE_SIZE}" fill="{INK if value is not None else SUBTLE}">'
                f"{escape(text)}</text>"
            )
            y += BAR_HEIGHT + BAR_GAP
    height = round(y + MARGIN)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family={quoteattr(FONT_FAMILY)}>'
        f"<title>{escape(title)}</title>"
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>' + "".join(parts) + "</svg>"
    )
