"""Input parsing for the compliance page. The rules live in the services and the rule set."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from allianssi.alliances.models import ServiceArea
from allianssi.compliance.models import DocumentKind, Task
from allianssi.core.text import NOTE


class AssignmentForm(forms.Form):
    organisation = forms.TypedChoiceField(label=_("Party"), coerce=int)
    service_area = forms.ChoiceField(label=_("Service area"))
    task = forms.ChoiceField(label=_("Task"), choices=Task.choices)

    def __init__(self, *args: Any, parties: list[tuple[int, str]], areas: list[str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        labels = dict(ServiceArea.choices)
        self.fields["organisation"].choices = parties  # type: ignore[attr-defined]
        self.fields["service_area"].choices = [(a, labels[a]) for a in areas]  # type: ignore[attr-defined]


class MarketForm(forms.Form):
    organisation = forms.TypedChoiceField(label=_("Own production unit"), coerce=int)
    description = forms.CharField(
        label=_("What it sells, and to whom"),
        max_length=NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, units: list[tuple[int, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = units  # type: ignore[attr-defined]


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=DocumentKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    version = forms.CharField(label=_("Version"), max_length=30)
    signed_on = forms.DateField(
        label=_("Signed"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    states_no_legal_person = forms.BooleanField(
        label=_("The document states that the alliance creates no legal person"), required=False
    )
    states_duties_unchanged = forms.BooleanField(
        label=_("The document states that the agreement changes no statutory duty of the parties"),
        required=False,
    )
    reference = forms.CharField(
        label=_("Where the document is kept"), max_length=300, required=False
    )
