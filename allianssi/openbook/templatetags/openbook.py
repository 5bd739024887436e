"""Template helpers of the open-books pages."""

from __future__ import annotations

import datetime as dt
from html import escape
from typing import Any

from django import forms, template
from django.http import QueryDict
from django.template import loader
from django.urls import reverse
from django.utils import formats
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from allianssi.alliances.models import ServiceArea
from allianssi.core import formatting
from allianssi.openbook.models import CostCategory
from allianssi.openbook.selectors import BudgetLine, Entry, Line, YearLine

register = template.Library()


@register.filter
def lookup(mapping: dict[Any, Any], key: Any) -> Any:
    """``names|lookup:line.key``: a name for a key, or the key itself."""
    return mapping.get(key, key)


PAGER = ("after", "before", "page")  # the pager's query parameters (views.PAGER)


def _drill_base(query: str) -> QueryDict:
    params = QueryDict(query, mutable=True)
    for name in PAGER:
        params.pop(name, None)
    return params


def _drilled(params: QueryDict, values: dict[str, Any]) -> str:
    """``params`` with ``values`` set, as a query string. Setting the same names again for the
    next link gives what a fresh copy would: a name already there keeps its place."""
    for name, value in values.items():
        if isinstance(value, dt.date):
            value = f"{value:%Y-%m}"
        params[name] = str(value)
    return params.urlencode()


@register.simple_tag
def drill(query: str, **values: Any) -> str:
    """``{% drill query carried_by=line.key %}``: the books' query string with those filters
    set (and back to the first page), for a link from a total to the entries behind it."""
    return _drilled(_drill_base(query), values)


@register.simple_tag
def filter_fields(form: forms.Form) -> str:
    """The fields of the books' filter form with the markup ``includes/form.html`` gives them (a
    label and the widget in a ``field`` block each), made here: the template's include and its
    tests for each field cost more than the rest of the form. A form with errors, or a field
    that is required, has help text or is a checkbox or radio buttons, goes through the
    template itself."""
    fields = list(form)
    if form.errors or any(
        f.field.required
        or f.help_text
        or getattr(f.field.widget, "input_type", None) in ("checkbox", "radio")
        for f in fields
    ):
        return loader.render_to_string("includes/form.html", {"form": form})
    return mark_safe(  # noqa: S308 - the labels escaped, the widgets rendered by Django
        "".join(
            f'<div class="field"><label for="{escape(f.id_for_label)}">'
            f"{escape(str(f.label))}</label>{f}</div>"
            for f in fields
        )
    )


# The tables' rows, made here rather than by the template language: the open-books page holds
# a hundred entries of nine cells each and some seventy lines of totals, and rendering them cell
# by cell was most of its time (docs/performance.md, "pages"). Every text is escaped
# (``html.escape``, as Django's ``escape`` does it); amounts, dates and numbers are written as
# the ``amount``, ``day`` and ``date`` filters and the template's own localisation write them.


@register.simple_tag
def total_rows(lines: list[Line], dimension: str, names: dict[Any, str], query: str) -> str:
    """The rows of one breakdown of the books (``dimension``: ``carried_by``, ``incurred_by``,
    ``service_area``, ``category`` or ``month``): its name, a link to the entries behind it
    (``drill``), the amount and the number of entries. ``names`` names the keys (parties, or
    areas and categories); a month is written ``3/2026``."""
    amount = formatting.numbers(2)
    params = _drill_base(query)
    rows = []
    for line in lines:
        if dimension == "month":
            label = f"{line.key.month}/{line.key.year:04d}"
            drilled = _drilled(params, {"start": line.key, "end": line.key})
        else:
            label = names.get(line.key, line.key)
            drilled = _drilled(params, {dimension: line.key})
        rows.append(
            f'<tr><th scope="row"><a href="?{escape(drilled)}#entries-heading">'
            f"{escape(str(label))}</a></th>"
            f'<td class="num">{amount(line.amount)}</td><td class="num">{line.entries}</td></tr>'
        )
    return mark_safe("".join(rows))  # noqa: S308 - every text in it escaped above


@register.simple_tag
def budget_rows(lines: list[BudgetLine], names: dict[Any, str], labels: dict[Any, str]) -> str:
    """The rows of the budget table: organizer, area, budget, actual, forecast (marked when it
    passes the budget) and the staff time pooled."""
    amount = formatting.numbers(2)
    marked = escape(_("over budget"))  # (outside the f-string, where xgettext finds it)
    over = f' <strong class="over">({marked})</strong>'
    rows = []
    for line in lines:
        organizer = names.get(line.organisation_id, line.organisation_id)
        area = labels.get(line.service_area, line.service_area)
        rows.append(
            f'<tr><th scope="row">{escape(str(organizer))}</th><td>{escape(str(area))}</td>'
            f'<td class="num">{amount(line.budget)}</td>'
            f'<td class="num">{amount(line.actual)}</td>'
            f'<td class="num">{amount(line.forecast)}'
            f"{over if line.budget and line.forecast > line.budget else ''}</td>"
            f'<td class="num">{amount(line.person_years)}</td></tr>'
        )
    return mark_safe("\n".join(rows))  # noqa: S308 - every text in it escaped above


@register.simple_tag
def producer_rows(lines: list[YearLine], names: dict[Any, str], staff: dict[int, Any]) -> str:
    """The rows of the producers' table: producer, actual, forecast and the staff time it has
    stated for the year (its latest revision, localised as the template writes a number), or a
    dash."""
    amount = formatting.numbers(2)
    rows = []
    for line in lines:
        stated = staff.get(line.key)
        rows.append(
            f'<tr><th scope="row">{escape(str(names.get(line.key, line.key)))}</th>'
            f'<td class="num">{amount(line.actual)}</td>'
            f'<td class="num">{amount(line.forecast)}</td>'
            f'<td class="num">{escape(str(formats.localize(stated))) if stated else "—"}</td></tr>'
        )
    return mark_safe("".join(rows))  # noqa: S308 - every text in it escaped above


@register.simple_tag
def entry_rows(
    entries: list[Entry], names: dict[int, str], may_correct: set[int], alliance_id: int
) -> str:
    """The rows of the entries table, the parties named by ``names`` (every party of the
    entries: ``selectors.party_names``). Each day is written once for the page (a page's
    hundred entries fall on a few days)."""
    # The labels in the reader's language, escaped once for the page.
    areas = {key: escape(str(label)) for key, label in ServiceArea.choices}
    categories = {key: escape(str(label)) for key, label in CostCategory.choices}
    # (Outside the f-string, where xgettext would not find it.)
    marked = escape(_("correction"))
    correction = f' <span class="muted">({marked})</span>'
    correct = _("Correct the entry of %(when)s")
    amount = formatting.numbers(2)
    days: dict[dt.date, str] = {}
    # One reverse for the page: the link of each entry differs only by its id.
    sentinel = "987654321"
    correct_url = reverse("openbook:entry_reverse", args=[alliance_id, int(sentinel)])
    rows = []
    for e in entries:
        day = days.get(e.booked_on)
        if day is None:
            day = days[e.booked_on] = formatting.day(e.booked_on)
        link = ""
        if e.pk in may_correct:
            url = escape(correct_url.replace(sentinel, str(e.pk)))
            link = f'<a href="{url}">{escape(correct % {"when": day})}</a>'
        cells = (
            f"<td>{day}</td>",
            f"<td>{escape(names[e.incurred_by_id])}</td>",
            f"<td>{escape(names[e.carried_by_id])}</td>",
            f"<td>{areas.get(e.service_area) or escape(e.service_area)}</td>",
            f"<td>{categories.get(e.category) or escape(e.category)}</td>",
            f'<td class="num">{escape(amount(e.amount))}</td>',
            f"<td>{escape(e.description)}{correction if e.reverses_id else ''}</td>",
            f"<td>{escape(e.evidence or '—')}</td>",
            f"<td>{link}</td>",
        )
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return mark_safe("\n".join(rows))  # noqa: S308 - every text in it escaped above
