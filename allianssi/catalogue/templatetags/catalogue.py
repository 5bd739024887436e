"""Template filters of the catalogue's pages."""

from __future__ import annotations

from typing import Any

from django import template

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
