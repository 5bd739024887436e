"""Input parsing for the open-books pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from allianssi.alliances.models import ServiceArea
from allianssi.openbook.models import CostCategory
from allianssi.openbook.selectors import Filters

MONTH = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")


class FilterForm(forms.Form):
    """The books' filters, from the query string; every field may be empty."""

    start = forms.DateField(
        label=_("From month"), required=False, input_formats=["%Y-%m"], widget=MONTH
    )
    end = forms.DateField(
        label=_("To month"), required=False, input_formats=["%Y-%m"], widget=MONTH
    )
    carried_by = forms.TypedChoiceField(
        label=_("Organizer"), required=False, coerce=int, empty_value=None
    )
    incurred_by = forms.TypedChoiceField(
        label=_("Producer"), required=False, coerce=int, empty_value=None
    )
    service_area = forms.ChoiceField(label=_("Service area"), required=False)
    category = forms.ChoiceField(
        label=_("Cost category"), required=False, choices=[("", "—"), *CostCategory.choices]
    )

    def __init__(
        self,
        *args: Any,
        organizers: list[tuple[int, str]],
        producers: list[tuple[int, str]],
        areas: list[str],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(ServiceArea.choices)
        self.fields["carried_by"].choices = [("", "—"), *organizers]  # type: ignore[attr-defined]
        self.fields["incurred_by"].choices = [("", "—"), *producers]  # type: ignore[attr-defined]
        self.fields["service_area"].choices = [  # type: ignore[attr-defined]
            ("", "—"),
            *((a, labels[a]) for a in areas),
        ]

    def filters(self) -> Filters:
        if not self.is_valid():
            return Filters()
        data = self.cleaned_data
        start: dt.date | None = data["start"]
        end: dt.date | None = data["end"]
        return Filters(
            start=start.replace(day=1) if start else None,
            end=end.replace(day=1) if end else None,
            carried_by=data["carried_by"],
            incurred_by=data["incurred_by"],
            service_area=data["service_area"] or None,
            category=data["category"] or None,
        )


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV or XLSX file"),
        help_text=_("The columns are described in the import instructions."),
    )
    batch_id = forms.CharField(
        label=_("Batch id in your system"),
        required=False,
        max_length=100,
        help_text=_("Optional. The same batch id is never booked twice."),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        return upload
