"""``{% chart %}``: a chart's ``<figure>`` with its wide and narrow drawings in a ``<picture>``
(allianssi/core/charts.py, docs/charts.md).

    {% load charts %}
    {% url "settlement:kpi_chart" alliance.pk k.key as chart_url %}
    {% chart chart_url alt=alt_text width=860 height=380 described="table-x" year=year %}

``query`` is a query string as it is (the page's filters); every other keyword is added to it.
The window chooses the drawing: at most :data:`NARROW_MEDIA` wide, the narrow one."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import template

from allianssi.core.charts import NARROW, NARROW_WIDTH, SIZE_PARAMETER

register = template.Library()

#: The windows that get the narrow drawing: the wide one (860 px) would shrink below about
#: 85 % there, and its type below 11 px.
NARROW_MEDIA = "(max-width: 47.99rem)"


@register.inclusion_tag("includes/chart.html")
def chart(
    url: str,
    *,
    alt: str,
    width: int,
    height: int,
    described: str,
    query: str = "",
    **params: Any,
) -> dict[str, Any]:
    parts = [query] if query else []
    parts += [urlencode({name: value}) for name, value in params.items() if value not in (None, "")]
    narrow = [*parts, urlencode({SIZE_PARAMETER: NARROW})]
    return {
        "src": url + ("?" + "&".join(parts) if parts else ""),
        "narrow": url + "?" + "&".join(narrow),
        "media": NARROW_MEDIA,
        "narrow_width": NARROW_WIDTH,
        "alt": alt,
        "width": width,
        "height": height,
        "described": described,
    }
