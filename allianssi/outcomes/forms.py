"""The outcome pages' forms. They check the shape of the input; the services decide what is
allowed and what it needs (an episode the outcome can follow, a contradicted claim to dispute, a
cohort named in full)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from allianssi.alliances.forms import DateInput
from allianssi.core.forms import EuroField
from allianssi.outcomes.models import Dispute, Evidence, Measure, OutcomeType, Scope, Status
from allianssi.outcomes.services import Definition

#: A month as the browser's month picker sends it (a plain text box where there is none).
MONTH = forms.DateInput(attrs={"type": "month", "placeholder": "2026-03"}, format="%Y-%m")
MONTH_FORMATS = ["%Y-%m", "%m/%Y", "%m.%Y", "%Y-%m-%d", "%d.%m.%Y"]


def _choice(form: forms.Form, name: str) -> forms.ChoiceField:
    found = form.fields[name]
    assert isinstance(found, forms.ChoiceField)
    return found


def _text(
    label: Any, *, rows: int = 3, help_text: Any = "", required: bool = True
) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=2000,
        required=required,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def _evidence(help_text: Any, *, required: bool) -> forms.CharField:
    return forms.CharField(
        label=_("Evidence"), max_length=300, required=required, help_text=help_text
    )


class UploadField(forms.FileField):
    """A CSV or XLSX file: the importers read these two only."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("CSV or XLSX file"))
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        upload = super().clean(data, initial)
        if upload is not None and not upload.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        return upload


# Events -------------------------------------------------------------------------------------------


class RecordForm(forms.Form):
    """An outcome of one customer: its type (of those for the customer's kind), its date and the
    evidence seen."""

    outcome = forms.ChoiceField(label=_("Outcome"), widget=forms.RadioSelect)
    occurred_on = forms.DateField(
        label=_("Date of the outcome"),
        widget=DateInput(),
        help_text=_("For employment, the first day of work."),
    )
    evidence = _evidence(
        _("Optional. What you saw, for example the employment contract or the customer's word."),
        required=False,
    )

    def __init__(self, *args: Any, types: Sequence[OutcomeType], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.types = {t.code: t for t in types}
        _choice(self, "outcome").choices = [(t.code, t.name) for t in types]

    def outcome_type(self) -> OutcomeType:
        return self.types[self.cleaned_data["outcome"]]


class EventFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *Status.choices]
    )

    def status_value(self) -> str:
        return self.cleaned_data["status"] if self.is_valid() else ""


class DisputeForm(forms.Form):
    reason = _text(_("Why the register is wrong"), rows=4)
    evidence = _evidence(
        _("The document that shows the outcome, for example an employment contract."),
        required=True,
    )


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=Dispute.Decision.choices, widget=forms.RadioSelect
    )
    reason = _text(_("Reasons for the decision"))

    def upheld(self) -> bool:
        return bool(self.cleaned_data["decision"] == Dispute.Decision.UPHELD)


class ImportForm(forms.Form):
    file = UploadField(
        help_text=_(
            "The first row names the columns: referral (or, for an organizer, customer), "
            "outcome, date, and optionally evidence and id."
        )
    )


# Verification -------------------------------------------------------------------------------------


class ExtractForm(forms.Form):
    """A register extract of the organizer's customers' monthly earnings."""

    file = UploadField(
        help_text=_(
            "The first row names the columns: henkilötunnus, month and earnings. The file is "
            "deleted as soon as it has been read."
        )
    )
    organizer = forms.TypedChoiceField(label=_("Organizer"), coerce=int)
    first_month = forms.DateField(label=_("First month"), input_formats=MONTH_FORMATS, widget=MONTH)
    last_month = forms.DateField(label=_("Last month"), input_formats=MONTH_FORMATS, widget=MONTH)
    threshold = EuroField(
        label=_("Monthly earnings that verify employment (€)"),
        help_text=_("A claim of employment is verified by earnings at least this high."),
    )

    def __init__(self, *args: Any, organizers: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice(self, "organizer").choices = organizers

    def threshold_cents(self) -> int:
        return int((self.cleaned_data["threshold"] * 100).to_integral_value())


class SampleDrawForm(forms.Form):
    size = forms.IntegerField(label=_("Sample size"), help_text=_("How many claims to draw."))
    until = forms.DateField(label=_("Claims dated up to"), widget=DateInput())
    seed = forms.IntegerField(
        label=_("Seed"),
        required=False,
        min_value=0,
        max_value=2**62,
        help_text=_(
            "Optional. Leave empty for a random one; give an earlier draw's seed to draw the "
            "same sample from the same claims again."
        ),
    )


class CheckForm(forms.Form):
    """The hand check of one sampled claim."""

    confirmed = forms.TypedChoiceField(
        label=_("Result of the check"),
        choices=[
            ("yes", _("Confirmed: the outcome happened")),
            ("no", _("Not confirmed: the claim is contradicted")),
        ],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    evidence = _evidence(_("What you checked the claim against."), required=True)


# KPI definitions ----------------------------------------------------------------------------------

NOT_FOLLOWED = ""


class DefinitionForm(forms.Form):
    """A KPI definition: its cohort, its outcome and its measure."""

    code = forms.CharField(
        label=_("Code"),
        max_length=40,
        help_text=_(
            "Lower-case letters, digits, hyphens and underscores. The commercial terms name the "
            "KPI's source as outcomes:code."
        ),
    )
    name_fi = forms.CharField(label=_("Name in Finnish"), max_length=200)
    name_sv = forms.CharField(label=_("Name in Swedish"), max_length=200, required=False)
    name_en = forms.CharField(label=_("Name in English"), max_length=200, required=False)
    scope = forms.ChoiceField(
        label=_("Cohort: customers whose episode ended in the period"),
        choices=Scope.choices,
        widget=forms.RadioSelect,
        initial=Scope.ALLIANCE,
    )
    organizer = forms.TypedChoiceField(
        label=_("Organizer"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("For the cohort of one organizer's customers."),
    )
    producer = forms.TypedChoiceField(
        label=_("Producer"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("For the cohort of one producer's episodes."),
    )
    service = forms.TypedChoiceField(
        label=_("Service"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("For the cohort of one service's episodes."),
    )
    types = forms.MultipleChoiceField(
        label=_("Outcome types"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Not needed when the KPI follows employment from the register."),
    )
    within_days = forms.IntegerField(
        label=_("Days after the end of the service"),
        initial=90,
        min_value=0,
        help_text=_(
            "An outcome counts from the start of the service to this many days after its end."
        ),
    )
    employed_months = forms.TypedChoiceField(
        label=_("Or: still employed after the end"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[
            (NOT_FOLLOWED, _("Not followed: count the outcomes above")),
            ("3", _("3 months")),
            ("6", _("6 months")),
            ("12", _("12 months")),
        ],
    )
    threshold = EuroField(
        label=_("Monthly earnings that count as employed (€)"),
        required=False,
        help_text=_("Needed when employment is followed from the register."),
    )
    measure = forms.ChoiceField(
        label=_("Measure"), choices=Measure.choices, widget=forms.RadioSelect
    )
    evidence = forms.ChoiceField(
        label=_("Which outcomes count"),
        choices=Evidence.choices,
        widget=forms.RadioSelect,
        initial=Evidence.VERIFIED,
    )

    def __init__(
        self,
        *args: Any,
        organizers: list[tuple[int, str]],
        producers: list[tuple[int, str]],
        services: list[tuple[int, str]],
        types: Sequence[OutcomeType],
        editing: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        _choice(self, "organizer").choices = [("", "—"), *organizers]
        _choice(self, "producer").choices = [("", "—"), *producers]
        _choice(self, "service").choices = [("", "—"), *services]
        _choice(self, "types").choices = [(t.code, t.name) for t in types]
        if editing:  # the code names the definition: a changed code would be another KPI
            self.fields["code"].disabled = True
            self.fields["code"].help_text = _("The code cannot be changed.")

    @staticmethod
    def initial_from(definition: Any) -> dict[str, Any]:
        threshold = (
            Decimal(definition.threshold_cents) / 100 if definition.threshold_cents else None
        )
        return {
            "code": definition.code,
            "name_fi": definition.name_fi,
            "name_sv": definition.name_sv,
            "name_en": definition.name_en,
            "scope": definition.scope,
            "organizer": definition.organizer_id,
            "producer": definition.producer_id,
            "service": definition.service_id,
            "types": list(definition.types.values_list("code", flat=True)),
            "within_days": definition.within_days,
            "employed_months": definition.employed_months or NOT_FOLLOWED,
            "threshold": threshold,
            "measure": definition.measure,
            "evidence": definition.evidence,
        }

    def definition(self) -> Definition:
        data = self.cleaned_data
        scope = data["scope"]
        party = {Scope.ORGANIZER: data["organizer"], Scope.PRODUCER: data["producer"]}.get(scope)
        threshold: Decimal | None = data["threshold"]
        return Definition(
            code=data["code"].strip(),
            name_fi=data["name_fi"],
            name_sv=data["name_sv"],
            name_en=data["name_en"],
            measure=data["measure"],
            scope=scope,
            party_id=party,
            service_id=data["service"] if scope == Scope.SERVICE else None,
            types=tuple(data["types"]),
            within_days=data["within_days"],
            employed_months=data["employed_months"],
            threshold_cents=int((threshold * 100).to_integral_value()) if threshold else 0,
            evidence=data["evidence"],
        )

    def field_of(self, error_field: str | None) -> str | None:
        """The form's field a service error is about (the party is the organizer or the
        producer, by the cohort chosen)."""
        if error_field == "party":
            return "organizer" if self.cleaned_data.get("scope") == Scope.ORGANIZER else "producer"
        return error_field if error_field in self.fields else None


class YearForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, required=False)
    producer = forms.TypedChoiceField(
        label=_("Show the funnel of"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args: Any, producers: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice(self, "producer").choices = [("", _("The whole alliance")), *producers]

    def values(self, default_year: int) -> tuple[int, int | None]:
        if not self.is_valid():
            return default_year, None
        return self.cleaned_data["year"] or default_year, self.cleaned_data["producer"]
