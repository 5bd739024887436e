"""Input parsing for the open-books pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from allianssi.alliances.models import ServiceArea
from allianssi.core.forms import EuroField, NumberField, QuickSelect
from allianssi.openbook.models import CostCategory
from allianssi.openbook.selectors import Filters
from allianssi.openbook.services import MAX_AMOUNT, MAX_PERSON_YEARS, MAX_REASON

MONTH = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")


#: The year filter's choice for the whole books.
ALL_YEARS = "all"


class FilterForm(forms.Form):
    """The books' filters, from the query string; every field may be empty. The year limits the
    months to that year (the months, if given, narrow it further), so that the totals compare
    with that year's settlement. The selects are written in Python (``QuickSelect``, ADR 0031)."""

    year = forms.ChoiceField(label=_("Year"), required=False, widget=QuickSelect)

    start = forms.DateField(
        label=_("From month"), required=False, input_formats=["%Y-%m"], widget=MONTH
    )
    end = forms.DateField(
        label=_("To month"), required=False, input_formats=["%Y-%m"], widget=MONTH
    )
    carried_by = forms.TypedChoiceField(
        label=_("Organizer"), required=False, coerce=int, empty_value=None, widget=QuickSelect
    )
    incurred_by = forms.TypedChoiceField(
        label=_("Producer"), required=False, coerce=int, empty_value=None, widget=QuickSelect
    )
    service_area = forms.ChoiceField(label=_("Service area"), required=False, widget=QuickSelect)
    category = forms.ChoiceField(
        label=_("Cost category"),
        required=False,
        choices=[("", "—"), *CostCategory.choices],
        widget=QuickSelect,
    )

    def __init__(
        self,
        *args: Any,
        organizers: list[tuple[int, str]],
        producers: list[tuple[int, str]],
        areas: list[str],
        years: list[int] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [  # type: ignore[attr-defined]
            *((str(y), str(y)) for y in sorted(set(years or []), reverse=True)),
            (ALL_YEARS, _("All years")),
        ]
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
        start: dt.date | None = data["start"].replace(day=1) if data["start"] else None
        end: dt.date | None = data["end"].replace(day=1) if data["end"] else None
        if data["year"] and data["year"] != ALL_YEARS:
            first, last = dt.date(int(data["year"]), 1, 1), dt.date(int(data["year"]), 12, 1)
            start = max(start, first) if start else first
            end = min(end, last) if end else last
        return Filters(
            start=start,
            end=end,
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


DAY = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _person_years() -> NumberField:
    """Person-years as people write them (``3,5`` or ``3.5``), within the column's range."""
    return NumberField(
        label=_("Staff time pooled (person-years)"),
        min_value=0,
        max_value=MAX_PERSON_YEARS,
        decimal_places=2,
    )


def _budget_money() -> EuroField:
    return EuroField(label=_("Money (€)"), min_value=0, max_value=MAX_AMOUNT, max_digits=None)


def _effective_on() -> forms.DateField:
    return forms.DateField(
        label=_("Takes effect"), widget=DAY, help_text=_("A date in the budget's year.")
    )


class BudgetForm(forms.Form):
    """An organizer's budget for a year and service area: the original, or a change."""

    organisation = forms.TypedChoiceField(label=_("Organizer"), coerce=int)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    service_area = forms.ChoiceField(label=_("Service area"))
    amount = _budget_money()
    person_years = _person_years()
    effective_on = _effective_on()
    reason = forms.CharField(
        label=_("Reason for the change"),
        required=False,
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required for every change after the original budget."),
    )

    def __init__(
        self, *args: Any, organizers: list[tuple[int, str]], areas: list[str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(ServiceArea.choices)
        self.fields["organisation"].choices = organizers  # type: ignore[attr-defined]
        self.fields["service_area"].choices = [(a, labels[a]) for a in areas]  # type: ignore[attr-defined]


class StaffForm(forms.Form):
    """The staff time a party pools for a year: the original, or a change."""

    organisation = forms.TypedChoiceField(label=_("Party"), coerce=int)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    person_years = _person_years()
    effective_on = forms.DateField(
        label=_("Takes effect"), widget=DAY, help_text=_("A date in the year stated.")
    )
    reason = forms.CharField(
        label=_("Reason for the change"),
        required=False,
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required for every change after the first statement."),
    )

    def __init__(self, *args: Any, parties: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = parties  # type: ignore[attr-defined]


class EntryForm(forms.Form):
    """One cost, posted by hand."""

    booked_on = forms.DateField(label=_("Booking date"), widget=DAY)
    incurred_by = forms.TypedChoiceField(label=_("Producer"), coerce=int)
    carried_by = forms.TypedChoiceField(
        label=_("Organizer"),
        coerce=int,
        help_text=_("The organizer whose budget carries the cost."),
    )
    service_area = forms.ChoiceField(label=_("Service area"))
    category = forms.ChoiceField(label=_("Cost category"), choices=CostCategory.choices)
    amount = EuroField(
        label=_("Amount (€)"),
        help_text=_("A credit is negative: -34,56."),
        min_value=-MAX_AMOUNT,
        max_value=MAX_AMOUNT,
        max_digits=None,
    )
    description = forms.CharField(label=_("Description"), max_length=500)
    evidence = forms.CharField(
        label=_("Evidence"), max_length=300, required=False, help_text=_("Invoice or receipt.")
    )

    def __init__(
        self,
        *args: Any,
        producers: list[tuple[int, str]],
        organizers: list[tuple[int, str]],
        areas: list[str],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(ServiceArea.choices)
        self.fields["incurred_by"].choices = producers  # type: ignore[attr-defined]
        self.fields["carried_by"].choices = organizers  # type: ignore[attr-defined]
        self.fields["service_area"].choices = [(a, labels[a]) for a in areas]  # type: ignore[attr-defined]


class ReverseForm(forms.Form):
    reason = forms.CharField(label=_("Reason for the correction"), max_length=500)
    booked_on = forms.DateField(
        label=_("Booking date of the correction"),
        required=False,
        widget=DAY,
        help_text=_("Empty: the original entry's date."),
    )


class BudgetCorrectionForm(forms.Form):
    """A superseding revision: what the mistaken latest revision should have said."""

    amount = _budget_money()
    person_years = _person_years()
    effective_on = _effective_on()
    reason = forms.CharField(
        label=_("Reason for the correction"),
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What was wrong in the revision it replaces."),
    )


class StaffCorrectionForm(forms.Form):
    """A superseding staff statement: what the mistaken latest one should have said."""

    person_years = _person_years()
    effective_on = forms.DateField(
        label=_("Takes effect"), widget=DAY, help_text=_("A date in the year stated.")
    )
    reason = forms.CharField(
        label=_("Reason for the correction"),
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What was wrong in the revision it replaces."),
    )
