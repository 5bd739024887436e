"""``{% form_fields form %}``: a form's errors and fields as ``includes/form.html`` writes them,
and, for an empty form whose class says its HTML is the same for everyone
(``same_for_everyone = True``: fixed fields, no choices read from the database, no initial
values of a request), the HTML written once per process, form class, prefix and language
instead of on every request (the template engine takes about half a millisecond a field).

A bound form (answered with its errors) or one given initial values is always written afresh."""

from __future__ import annotations

from functools import lru_cache

from django import forms, template
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

TEMPLATE = "includes/form.html"


def written(form: forms.BaseForm) -> SafeString:
    """The form's HTML (see the module's docstring)."""
    if form.is_bound or form.initial or not getattr(form, "same_for_everyone", False):
        return mark_safe(render_to_string(TEMPLATE, {"form": form}))  # noqa: S308 - escaped there
    kind: type = type(form)
    return _blank(kind, form.prefix, form.auto_id, translation.get_language() or "")


@lru_cache(maxsize=256)
def _blank(form_class: type, prefix: str | None, auto_id: str | bool, language: str) -> SafeString:
    """The empty form's HTML (``form_class`` a form class; typed ``type``, which is hashable)."""
    with translation.override(language or None):
        html = render_to_string(TEMPLATE, {"form": form_class(prefix=prefix, auto_id=auto_id)})
    return mark_safe(html)  # noqa: S308 - written by the template engine, which escaped it


@register.simple_tag
def form_fields(form: forms.BaseForm) -> SafeString:
    """``{% form_fields form %}``: as ``{% include "includes/form.html" with form=form %}``."""
    return written(form)
