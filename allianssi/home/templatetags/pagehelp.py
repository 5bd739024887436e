"""``{% page_help %}``: the help of the page being shown (:mod:`allianssi.home.pagehelp`)."""

from __future__ import annotations

from typing import Any

from django import template

from allianssi.home.pagehelp import PageHelp, help_for

register = template.Library()


@register.simple_tag(takes_context=True)
def page_help(context: Any) -> PageHelp | None:
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    if match is None or not match.view_name:
        return None
    return help_for(match.view_name)
