"""Helpers every view uses: turning a refused change into a form error."""

from __future__ import annotations

from django import forms

from allianssi.core.errors import DomainError


def add_domain_error(form: forms.Form, error: DomainError) -> None:
    """Show a service's refusal beside the field it is about, or above the form."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)
