"""Input parsing for the settlement pages."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from allianssi.core import euros
from allianssi.core.forms import EuroField
from allianssi.settlement.models import BillingDetails, SettlementKind

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class NumberField(forms.DecimalField):
    """A decimal as people write it, with a comma or a point (``26,5`` or ``26.5``)."""

    widget = forms.TextInput(attrs={"inputmode": "decimal"})

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if isinstance(value, str):
            value = euros.normalise(value)
        return super().to_python(value)


class YearForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)


class TermsForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    paying_organizer = forms.TypedChoiceField(label=_("Paying organizer"), coerce=int)
    document = forms.CharField(
        label=_("Terms (settlement format, JSON)"),
        widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "false", "class": "code"}),
        help_text=_(
            "The terms object of the settlement format: target, funding shares, fees, ratios, "
            "caps, pool and KPIs. Party keys are the parties' numbers shown beside their names. "
            "Every field is explained in docs/settlement-format.md."
        ),
    )
    reason = forms.CharField(
        label=_("Reason for the change"), widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, organizers: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["paying_organizer"].choices = organizers  # type: ignore[attr-defined]

    def clean_document(self) -> Any:
        from allianssi.settlement import format as settlement_format

        try:
            return settlement_format.loads(self.cleaned_data["document"])
        except settlement_format.InvalidDocument:
            raise forms.ValidationError(
                _("The terms are not valid JSON: check the brackets, commas and quotes."),
                code="json",
            ) from None


class KpiResultForm(forms.Form):
    kpi = forms.ChoiceField(label=_("KPI"))
    measured_on = forms.DateField(label=_("Period ends"), widget=DATE)
    value = NumberField(label=_("Value"), max_digits=18, decimal_places=6)
    evidence = forms.CharField(
        label=_("Evidence"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Where the value comes from: the report, register or calculation."),
    )

    def __init__(self, *args: Any, kpis: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kpi"].choices = kpis  # type: ignore[attr-defined]


class ComputeForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    kind = forms.ChoiceField(
        label=_("Settlement"), choices=SettlementKind.choices, widget=forms.RadioSelect
    )
    quarter = forms.TypedChoiceField(
        label=_("Quarter (interim settlements)"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "—"), (1, "Q1"), (2, "Q2"), (3, "Q3"), (4, "Q4")],
    )


class SubmitForm(forms.Form):
    note = forms.CharField(
        label=_("Note for the approvers"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ApprovalForm(forms.Form):
    organisation = forms.TypedChoiceField(label=_("On behalf of"), coerce=int)
    answer = forms.ChoiceField(
        label=_("Answer"),
        widget=forms.RadioSelect,
        choices=[("approve", _("Approve")), ("refuse", _("Refuse: it must be corrected"))],
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, parties: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = parties  # type: ignore[attr-defined]


class BillingForm(forms.Form):
    organisation = forms.TypedChoiceField(label=_("Party"), coerce=int)
    business_id = forms.CharField(
        label=_("Business ID (Y-tunnus)"),
        required=False,
        max_length=9,
        help_text=_("Needed only for a party registered without one (a region or municipality)."),
    )
    street = forms.CharField(label=_("Street address"), required=False, max_length=200)
    postal_code = forms.CharField(label=_("Postal code"), required=False, max_length=10)
    city = forms.CharField(label=_("City"), required=False, max_length=100)
    iban = forms.CharField(label=_("IBAN"), max_length=42)
    bic = forms.CharField(label=_("BIC"), required=False, max_length=11)
    ovt_suffix = forms.CharField(
        label=_("OVT suffix"),
        required=False,
        max_length=5,
        help_text=_("The end of the e-invoicing address after 0037 and the business ID, if any."),
    )
    vat = forms.ChoiceField(
        label=_("VAT"), choices=BillingDetails.Vat.choices, widget=forms.RadioSelect
    )
    vat_rate = NumberField(label=_("VAT rate (%)"), required=False, max_digits=5, decimal_places=2)
    vat_reason = forms.CharField(label=_("VAT exemption reason"), required=False, max_length=200)

    def __init__(self, *args: Any, parties: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = parties  # type: ignore[attr-defined]


class WhatIfForm(forms.Form):
    """The ranges of a what-if: the outturn's, and each KPI's (fields added per KPI)."""

    outturn_low = EuroField(label=_("Outturn from (€)"), min_value=0)
    outturn_high = EuroField(label=_("Outturn to (€)"), min_value=0)
    steps = forms.IntegerField(label=_("Steps"), min_value=2, max_value=101, initial=7)

    def __init__(self, *args: Any, kpis: list[dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kpis = kpis
        for kpi in kpis:
            name = kpi.get("name") or kpi["key"]
            self.fields[f"kpi_{kpi['key']}_low"] = NumberField(
                label=_("%(kpi)s from") % {"kpi": name}, required=False
            )
            self.fields[f"kpi_{kpi['key']}_high"] = NumberField(
                label=_("%(kpi)s to") % {"kpi": name}, required=False
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("outturn_low"), data.get("outturn_high")
        if low is not None and high is not None and low > high:
            self.add_error("outturn_high", _("The upper end must not be below the lower end."))
        for kpi in self.kpis:
            a, b = data.get(f"kpi_{kpi['key']}_low"), data.get(f"kpi_{kpi['key']}_high")
            if (a is None) != (b is None):
                self.add_error(f"kpi_{kpi['key']}_high", _("Give both ends of the range."))
        return data

    def spec(self) -> dict[str, Any]:
        """The ``what_if`` object of the settlement format."""
        data = self.cleaned_data
        ranges = {
            kpi["key"]: {
                "low": str(data[f"kpi_{kpi['key']}_low"]),
                "high": str(data[f"kpi_{kpi['key']}_high"]),
            }
            for kpi in self.kpis
            if data.get(f"kpi_{kpi['key']}_low") is not None
        }
        return {
            "outturn": {"low": str(data["outturn_low"]), "high": str(data["outturn_high"])},
            "kpis": ranges,
            "steps": data["steps"],
        }


def pretty(document: Any) -> str:
    """A JSON document as people read it in the editor."""
    return json.dumps(document, indent=2, ensure_ascii=False)
