"""Template filters of the catalogue's pages."""

from __future__ import annotations

import functools
from typing import Any

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from allianssi.catalogue.forms import CHANNEL_LANGUAGE_NAMES, WEEKDAYS

register = template.Library()


@register.filter
def language_names(codes: list[str]) -> str:
    """The languages a channel serves in, named in the reader's language."""
    return ", ".join(str(CHANNEL_LANGUAGE_NAMES.get(code, code)) for code in codes)


@register.filter
def opening_hours(hours: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    """(weekday, opens, closes) of each day with hours, Monday first."""
    names = dict(WEEKDAYS)
    return [(str(names[row["day"]]), row["opens"], row["closes"]) for row in hours]


@register.filter
def party_names(version: Any, role: str) -> str:
    """The names of a version's parties in ``role`` (responsible, producer), by name."""
    return ", ".join(p.organisation.name for p in version.parties.all() if p.role == role)


@functools.lru_cache(maxsize=128)
def _options(choices: tuple[tuple[str, str], ...]) -> str:
    return "".join(f'<option value="{escape(v)}">{escape(label)}</option>' for v, label in choices)


@register.simple_tag
def fast_select(field: Any, choices: list[tuple[str, Any]]) -> SafeString:
    """A field's ``<select>`` of ``choices``, rendered straight from them. The public
    search's filters list every municipality: Django's widget templates render each option
    through a template, which cost most of the search page's time, so the options' HTML is made
    once per list of choices (and language) and the chosen one is marked in it."""
    selected = str(field.value() or "")
    options = _options(tuple((str(value), str(label)) for value, label in choices))
    if selected:
        plain = f'<option value="{escape(selected)}">'
        options = options.replace(plain, plain[:-1] + " selected>", 1)
    return format_html(
        '<select name="{}" id="{}">{}</select>',
        field.html_name,
        field.id_for_label,
        mark_safe(options),  # noqa: S308 — every value and label escaped in _options
    )
