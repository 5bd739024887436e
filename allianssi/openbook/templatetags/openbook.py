"""Template helpers of the open-books pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.http import QueryDict
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from allianssi.alliances.models import ServiceArea
from allianssi.core import formatting
from allianssi.openbook.models import CostCategory, CostEntry

register = template.Library()


@register.filter
def lookup(mapping: dict[Any, Any], key: Any) -> Any:
    """``names|lookup:line.key``: a name for a key, or the key itself."""
    return mapping.get(key, key)


@register.simple_tag
def drill(query: str, **values: Any) -> str:
    """``{% drill query carried_by=line.key %}``: the books' query string with those filters
    set (and back to the first page), for a link from a total to the entries behind it."""
    params = QueryDict(query, mutable=True)
    for name in ("after", "before", "page"):  # the pager's (views.PAGER)
        params.pop(name, None)
    for name, value in values.items():
        if isinstance(value, dt.date):
            value = f"{value:%Y-%m}"
        params[name] = str(value)
    return params.urlencode()


@register.simple_tag
def entry_rows(entries: list[CostEntry], may_correct: set[int], alliance_id: int) -> str:
    """The rows of the entries table, made here rather than by the template language: a page
    holds a hundred entries of nine cells each, and rendering them cell by cell was most of the
    open-books page's time (docs/performance.md, "pages"). Every text is escaped (``escape``);
    the amounts and dates are formatted as the ``amount`` and ``day`` filters do."""
    areas, categories = dict(ServiceArea.choices), dict(CostCategory.choices)
    # (Outside the f-string, where xgettext would not find it.)
    marked = escape(_("correction"))
    correction = f' <span class="muted">({marked})</span>'
    correct = _("Correct the entry of %(when)s")
    # One reverse for the page: the link of each entry differs only by its id.
    sentinel = "987654321"
    correct_url = reverse("openbook:entry_reverse", args=[alliance_id, int(sentinel)])
    rows = []
    for e in entries:
        day = formatting.day(e.booked_on)
        link = ""
        if e.pk in may_correct:
            url = escape(correct_url.replace(sentinel, str(e.pk)))
            link = f'<a href="{url}">{escape(correct % {"when": day})}</a>'
        cells = (
            f"<td>{day}</td>",
            f"<td>{escape(e.incurred_by.name)}</td>",
            f"<td>{escape(e.carried_by.name)}</td>",
            f"<td>{escape(areas.get(e.service_area, e.service_area))}</td>",
            f"<td>{escape(categories.get(e.category, e.category))}</td>",
            f'<td class="num">{escape(formatting.number(e.amount, 2))}</td>',
            f"<td>{escape(e.description)}{correction if e.reverses_id else ''}</td>",
            f"<td>{escape(e.evidence or '—')}</td>",
            f"<td>{link}</td>",
        )
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return mark_safe("\n".join(rows))  # noqa: S308 - every text in it escaped above
