"""Template helpers of the open-books pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.http import QueryDict

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
