"""Template helpers of the open-books pages."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def lookup(mapping: dict[Any, Any], key: Any) -> Any:
    """``names|lookup:line.key``: a name for a key, or the key itself."""
    return mapping.get(key, key)
