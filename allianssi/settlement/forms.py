"""Input parsing for the settlement pages.

The two terms forms give the commercial terms as their typed model (``format.Model``), read
and checked by the settlement format: :class:`TermsEditForm` from its fields, showing each
error of the format at the field it is about; :class:`TermsForm` from the JSON of the format,
listing each error with its path (``terms.kpis[2].weight``)."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from allianssi.core.forms import EuroField, NumberField
from allianssi.core.text import NOTE
from allianssi.settlement import format as settlement_format
from allianssi.settlement.errors import DocumentInvalid, message, terms_read
from allianssi.settlement.models import BillingDetails, SettlementKind

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class YearForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)


class TermsForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    paying_organizer = forms.TypedChoiceField(label=_("Paying organizer"), coerce=int)
    document = forms.CharField(
        label=_("Terms (settlement format, JSON)"),
        max_length=200_000,
        widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "false", "class": "code"}),
        help_text=_(
            "The terms object of the settlement format: target, funding shares, fees, ratios, "
            "caps, pool and KPIs. Party keys are the parties' numbers shown beside their names. "
            "Every field is explained in docs/settlement-format.md."
        ),
    )
    reason = forms.CharField(
        label=_("Reason for the change"),
        max_length=NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, organizers: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["paying_organizer"].choices = organizers  # type: ignore[attr-defined]
        #: The format's errors in the terms, each with its path, listed above the form.
        self.format_errors: list[settlement_format.FormatError] = []

    def clean_document(self) -> settlement_format.Model:
        """The terms' typed model, or every error of the format with its path."""
        try:
            document = settlement_format.loads(self.cleaned_data["document"])
        except settlement_format.InvalidDocument:
            raise forms.ValidationError(
                _("The terms are not valid JSON: check the brackets, commas and quotes."),
                code="json",
            ) from None
        try:
            return terms_read(document)
        except DocumentInvalid as invalid:
            self.format_errors = invalid.errors
            raise forms.ValidationError(invalid.message, code=invalid.code) from None

    def show(self, invalid: DocumentInvalid) -> None:
        """List the errors a service found in the terms (parties that are not members)."""
        self.format_errors = invalid.errors

    def listed_errors(self) -> list[str]:
        """The format's errors, each with its path, in the reader's language."""
        return [f"{e.path}: {message(e)}" for e in self.format_errors]


class KpiResultForm(forms.Form):
    kpi = forms.ChoiceField(label=_("KPI"))
    measured_on = forms.DateField(label=_("Period ends"), widget=DATE)
    value = NumberField(label=_("Value"), max_digits=18, decimal_places=6)
    evidence = forms.CharField(
        label=_("Evidence"),
        max_length=NOTE,
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
        label=_("Note for the approvers"),
        required=False,
        max_length=NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ApprovalForm(forms.Form):
    organisation = forms.TypedChoiceField(label=_("On behalf of"), coerce=int)
    answer = forms.ChoiceField(
        label=_("Answer"),
        widget=forms.RadioSelect,
        choices=[("approve", _("Approve")), ("refuse", _("Refuse: it must be corrected"))],
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
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
    samples = forms.IntegerField(
        label=_("Random scenarios instead of steps"),
        required=False,
        min_value=0,
        max_value=5000,
        help_text=_(
            "Leave empty for the steps. With a number, the outturn and the KPIs are drawn at "
            "random within their ranges, most often near the current values, and the page "
            "shows the 5th, 50th and 95th percentiles."
        ),
    )

    def __init__(
        self, *args: Any, kpis: Sequence[settlement_format.KpiTerms], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.kpis = kpis
        for kpi in kpis:
            self.fields[f"kpi_{kpi.key}_low"] = NumberField(
                label=_("%(kpi)s from") % {"kpi": kpi.name}, required=False
            )
            self.fields[f"kpi_{kpi.key}_high"] = NumberField(
                label=_("%(kpi)s to") % {"kpi": kpi.name}, required=False
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("outturn_low"), data.get("outturn_high")
        if low is not None and high is not None and low > high:
            self.add_error("outturn_high", _("The upper end must not be below the lower end."))
        for kpi in self.kpis:
            a, b = data.get(f"kpi_{kpi.key}_low"), data.get(f"kpi_{kpi.key}_high")
            if (a is None) != (b is None):
                self.add_error(f"kpi_{kpi.key}_high", _("Give both ends of the range."))
        return data

    def spec(self) -> dict[str, Any]:
        """The ``what_if`` object of the settlement format."""
        data = self.cleaned_data
        ranges = {
            kpi.key: {
                "low": str(data[f"kpi_{kpi.key}_low"]),
                "high": str(data[f"kpi_{kpi.key}_high"]),
            }
            for kpi in self.kpis
            if data.get(f"kpi_{kpi.key}_low") is not None
        }
        spec: dict[str, Any] = {
            "outturn": {"low": str(data["outturn_low"]), "high": str(data["outturn_high"])},
            "kpis": ranges,
            "steps": data["steps"],
        }
        if data.get("samples"):
            spec.update(samples=data["samples"], distribution="triangular", seed=1)
        return spec


def pretty(document: Any) -> str:
    """A JSON document as people read it in the editor."""
    return json.dumps(document, indent=2, ensure_ascii=False)


HUNDRED = Decimal(100)


def _percent(value: Decimal | None) -> Decimal | None:
    """A fraction of the terms (0.08) as the per cent people type (8)."""
    if value is None:
        return None
    return Decimal(format((value * HUNDRED).normalize(), "f"))


def _fraction(value: Decimal | None) -> str | None:
    """A per cent typed (8) as the format's fraction (``"0.08"``)."""
    return None if value is None else format(value / HUNDRED, "f")


class TermsEditForm(forms.Form):
    """The commercial terms as people fill them in: per cent where the format keeps fractions,
    one group of fields per organizer, producer, KPI and outcome price. Valid, its
    ``cleaned_data["terms"]`` is the typed model, read by the settlement format from the fields;
    each error the format finds is shown at its field (``field_for(path)``)."""

    KPI_ROWS_EXTRA = 2
    OUTCOME_ROWS_EXTRA = 2
    BAND_ROWS = 2

    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    paying_organizer = forms.TypedChoiceField(label=_("Paying organizer"), coerce=int)
    target = EuroField(label=_("Target cost (€)"), min_value=0)
    pain_capped = forms.BooleanField(
        label=_("A producer's painshare stops at its cap (by default its fee)"), required=False
    )
    pool_kind = forms.ChoiceField(
        label=_("Performance pool"),
        widget=forms.RadioSelect,
        choices=[
            ("none", _("No pool")),
            ("share", _("A share of the target cost")),
            ("fixed", _("A fixed amount")),
        ],
    )
    pool_share = NumberField(label=_("Pool as a share of the target (%)"), required=False)
    pool_fixed = EuroField(label=_("Pool as a fixed amount (€)"), required=False, min_value=0)
    reason = forms.CharField(
        label=_("Reason for the change"),
        max_length=NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(
        self,
        *args: Any,
        organizers: list[tuple[int, str]],
        producers: list[tuple[int, str]],
        own_units: list[tuple[int, str, int]],
        areas: list[tuple[str, str]],
        sources: list[tuple[str, str]],
        kpi_rows: int,
        outcome_rows: int = 0,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.organizers, self.producers, self.own_units = organizers, producers, own_units
        self.areas = areas
        self.fields["paying_organizer"].choices = organizers  # type: ignore[attr-defined]
        for code, label in areas:
            self.fields[f"area_{code}"] = EuroField(
                label=_("Target: %(area)s (€)") % {"area": label}, required=False, min_value=0
            )
        shares = {
            "gain": _("Producers' share of a gain, band %(n)s (%%)"),
            "pain": _("Producers' share of a pain, band %(n)s (%%)"),
        }
        for side, share_label in shares.items():
            for i in range(self.BAND_ROWS):
                self.fields[f"{side}_{i}_share"] = NumberField(
                    label=share_label % {"n": i + 1}, required=i == 0
                )
                self.fields[f"{side}_{i}_up_to"] = EuroField(
                    label=_("Band %(n)s reaches up to (€ from the target; empty: no limit)")
                    % {"n": i + 1},
                    required=False,
                    min_value=0,
                )
        for key, name in organizers:
            self.fields[f"org_{key}_share"] = NumberField(
                label=_("%(name)s: funding share") % {"name": name}
            )
        for key, name in producers:
            self.fields[f"prod_{key}_kind"] = forms.ChoiceField(
                label=_("%(name)s: fee") % {"name": name},
                widget=forms.RadioSelect,
                choices=[("markup", _("Mark-up on its costs (%)")), ("fixed", _("Fixed (€)"))],
            )
            self.fields[f"prod_{key}_fee"] = NumberField(
                label=_("%(name)s: mark-up (%%) or fixed fee (€)") % {"name": name}
            )
            self.fields[f"prod_{key}_key"] = NumberField(
                label=_("%(name)s: agreed share key (empty: its fee)") % {"name": name},
                required=False,
            )
            self.fields[f"prod_{key}_cap"] = EuroField(
                label=_("%(name)s: painshare cap (€; empty: its fee)") % {"name": name},
                required=False,
                min_value=0,
            )
        self.kpi_rows = kpi_rows + self.KPI_ROWS_EXTRA
        for i in range(self.kpi_rows):
            n = i + 1
            self.fields[f"kpi_{i}_key"] = forms.SlugField(
                label=_("KPI %(n)s: short code") % {"n": n}, required=False, max_length=50
            )
            self.fields[f"kpi_{i}_name"] = forms.CharField(
                label=_("KPI %(n)s: name") % {"n": n}, required=False, max_length=200
            )
            self.fields[f"kpi_{i}_unit"] = forms.CharField(
                label=_("KPI %(n)s: unit") % {"n": n},
                required=False,
                max_length=20,
                help_text=_(
                    "The unit sets the values allowed: a share in per cent (%) from 0 to 100; "
                    "days, hours, counts (kpl, persons) and euros 0 or more; any other unit "
                    "any number."
                ),
            )
            self.fields[f"kpi_{i}_better"] = forms.ChoiceField(
                label=_("KPI %(n)s: better is") % {"n": n},
                choices=[("higher", _("higher")), ("lower", _("lower"))],
                required=False,
            )
            for part, text in (
                ("baseline", _("KPI %(n)s: baseline")),
                ("minimum", _("KPI %(n)s: minimum (scores 0)")),
                ("target", _("KPI %(n)s: target (scores 1)")),
                ("weight", _("KPI %(n)s: weight (%% of the pool)")),
                ("malus", _("KPI %(n)s: malus below the minimum (%% of the pool)")),
            ):
                self.fields[f"kpi_{i}_{part}"] = NumberField(label=text % {"n": n}, required=False)
            self.fields[f"kpi_{i}_source"] = forms.ChoiceField(
                label=_("KPI %(n)s: source") % {"n": n},
                choices=[("entered", _("entered with evidence")), *sources],
                required=False,
            )
        self.outcome_rows = outcome_rows + self.OUTCOME_ROWS_EXTRA
        whom = [("", _("every producer")), *((str(k), name) for k, name in producers)]
        for i in range(self.outcome_rows):
            n = i + 1
            self.fields[f"outcome_{i}_code"] = forms.SlugField(
                label=_("Outcome price %(n)s: outcome type's code") % {"n": n},
                required=False,
                max_length=50,
                help_text=_("For example employed_open. Leave it empty to leave the row out."),
            )
            self.fields[f"outcome_{i}_name"] = forms.CharField(
                label=_("Outcome price %(n)s: name") % {"n": n}, required=False, max_length=200
            )
            self.fields[f"outcome_{i}_amount"] = EuroField(
                label=_("Outcome price %(n)s: amount per verified outcome (€)") % {"n": n},
                required=False,
                min_value=0,
            )
            self.fields[f"outcome_{i}_producer"] = forms.ChoiceField(
                label=_("Outcome price %(n)s: for") % {"n": n},
                choices=whom,
                required=False,
                help_text=_("A producer's own price replaces the price for every producer."),
            )
            self.fields[f"outcome_{i}_cap"] = EuroField(
                label=_("Outcome price %(n)s: at most to one producer in the period (€)")
                % {"n": n},
                required=False,
                min_value=0,
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for i in range(self.outcome_rows):
            code, amount = data.get(f"outcome_{i}_code"), data.get(f"outcome_{i}_amount")
            others = [f"outcome_{i}_{p}" for p in ("name", "amount", "producer", "cap")]
            if code and amount is None and f"outcome_{i}_amount" not in self.errors:
                self.add_error(f"outcome_{i}_amount", _("Give the amount per verified outcome."))
            elif not code and any(data.get(name) not in (None, "") for name in others):
                self.add_error(f"outcome_{i}_code", _("Give the outcome type's code."))
        if not self.errors:
            try:
                data["terms"] = terms_read(self._document())
            except DocumentInvalid as invalid:
                self.show(invalid)
        return data

    def show(self, invalid: DocumentInvalid) -> None:
        """Show each error of the format (or of a service's check of the terms) at its field."""
        for error in invalid.errors:
            self.add_error(self.field_for(error.path), message(error))

    def groups(self) -> list[tuple[str, list[Any]]]:
        """The fields in labelled groups, for the page's fieldsets."""

        def bound(names: list[str]) -> list[Any]:
            return [self[n] for n in names if n in self.fields]

        groups: list[tuple[str, list[Any]]] = [
            (
                str(_("The year and the target")),
                bound(
                    ["year", "paying_organizer", "target"] + [f"area_{c}" for c, _l in self.areas]
                ),
            ),
            (
                str(_("Organizers' funding shares")),
                bound([f"org_{k}_share" for k, _n in self.organizers]),
            ),
        ]
        for key, name in self.producers:
            groups.append(
                (
                    name,
                    bound([f"prod_{key}_{p}" for p in ("kind", "fee", "key", "cap")]),
                )
            )
        groups.append(
            (
                str(_("Sharing a gain and a pain")),
                bound(
                    [
                        f"{side}_{i}_{p}"
                        for side in ("gain", "pain")
                        for i in range(self.BAND_ROWS)
                        for p in ("share", "up_to")
                    ]
                    + ["pain_capped"]
                ),
            )
        )
        groups.append(
            (str(_("Performance pool")), bound(["pool_kind", "pool_share", "pool_fixed"]))
        )
        for i in range(self.kpi_rows):
            groups.append(
                (
                    str(_("KPI %(n)s") % {"n": i + 1}),
                    bound(
                        [
                            f"kpi_{i}_{p}"
                            for p in (
                                "key",
                                "name",
                                "unit",
                                "better",
                                "baseline",
                                "minimum",
                                "target",
                                "weight",
                                "malus",
                                "source",
                            )
                        ]
                    ),
                )
            )
        for i in range(self.outcome_rows):
            groups.append(
                (
                    str(_("Outcome price %(n)s") % {"n": i + 1}),
                    bound(
                        [f"outcome_{i}_{p}" for p in ("code", "name", "amount", "producer", "cap")]
                    ),
                )
            )
        groups.append((str(_("Reason")), bound(["reason"])))
        return groups

    @classmethod
    def initial_from(cls, terms: settlement_format.Model) -> dict[str, Any]:
        """The fields' initial values from the terms' typed model."""
        initial: dict[str, Any] = {"target": terms.target, "pain_capped": terms.pain_capped}
        for code, amount in terms.target_by_area or ():
            initial[f"area_{code}"] = amount
        for side, bands in (("gain", terms.gain_bands), ("pain", terms.pain_bands)):
            for i, band in enumerate(bands):
                initial[f"{side}_{i}_share"] = _percent(band.producers_share)
                initial[f"{side}_{i}_up_to"] = band.up_to
        pool = terms.pool
        if pool is not None and pool.share_of_target is not None:
            initial.update(pool_kind="share", pool_share=_percent(pool.share_of_target))
        elif pool is not None and pool.fixed is not None:
            initial.update(pool_kind="fixed", pool_fixed=pool.fixed)
        else:
            initial["pool_kind"] = "none"
        for o in terms.organizers:
            initial[f"org_{o.key}_share"] = o.funding_share
        for p in terms.producers:
            fixed = p.fixed_fee
            initial[f"prod_{p.key}_kind"] = "fixed" if fixed is not None else "markup"
            initial[f"prod_{p.key}_fee"] = fixed if fixed is not None else _percent(p.markup)
            initial[f"prod_{p.key}_key"] = p.share_key
            initial[f"prod_{p.key}_cap"] = p.cap
        for i, k in enumerate(terms.kpis):
            initial.update(
                {
                    f"kpi_{i}_key": k.key,
                    f"kpi_{i}_name": k.name,
                    f"kpi_{i}_unit": k.unit,
                    f"kpi_{i}_better": "higher" if k.higher_is_better else "lower",
                    f"kpi_{i}_baseline": k.baseline,
                    f"kpi_{i}_minimum": k.minimum,
                    f"kpi_{i}_target": k.target,
                    f"kpi_{i}_weight": _percent(k.weight),
                    f"kpi_{i}_malus": _percent(k.malus),
                    f"kpi_{i}_source": k.source,
                }
            )
        for i, price in enumerate(terms.outcome_prices):
            initial.update(
                {
                    f"outcome_{i}_code": price.outcome,
                    f"outcome_{i}_name": price.name,
                    f"outcome_{i}_amount": price.amount,
                    f"outcome_{i}_producer": price.producer or "",
                    f"outcome_{i}_cap": price.cap,
                }
            )
        return initial

    def _document(self) -> dict[str, Any]:
        """The fields as the ``terms`` object of the settlement format, for the format to read
        and check (``clean``): the one way from the fields to the typed model."""
        data = self.cleaned_data
        self._kpi_index: list[int] = []
        terms: dict[str, Any] = {"target": str(data["target"])}
        areas = {c: str(data[f"area_{c}"]) for c, _l in self.areas if data.get(f"area_{c}")}
        if areas:
            terms["target_by_area"] = areas
        terms["organizers"] = [
            {"key": str(k), "name": n, "funding_share": str(data[f"org_{k}_share"])}
            for k, n in self.organizers
        ]
        producers = []
        for k, n in self.producers:
            row: dict[str, Any] = {"key": str(k), "name": n}
            if data[f"prod_{k}_kind"] == "fixed":
                row["fixed_fee"] = str(data[f"prod_{k}_fee"])
            else:
                row["markup"] = _fraction(data[f"prod_{k}_fee"])
            if data.get(f"prod_{k}_key") is not None:
                row["share_key"] = str(data[f"prod_{k}_key"])
            if data.get(f"prod_{k}_cap") is not None:
                row["cap"] = str(data[f"prod_{k}_cap"])
            producers.append(row)
        terms["producers"] = producers
        terms["own_units"] = [
            {"key": str(k), "name": n, "organizer": str(o)} for k, n, o in self.own_units
        ]
        for side in ("gain", "pain"):
            bands = []
            for i in range(self.BAND_ROWS):
                share = data.get(f"{side}_{i}_share")
                if share is None:
                    continue
                band: dict[str, Any] = {"producers_share": _fraction(share)}
                if data.get(f"{side}_{i}_up_to") is not None:
                    band["up_to"] = str(data[f"{side}_{i}_up_to"])
                bands.append(band)
            terms[f"{side}_bands"] = bands
        terms["pain_capped"] = bool(data.get("pain_capped"))
        if data["pool_kind"] == "share":
            terms["pool"] = {"share_of_target": _fraction(data.get("pool_share"))}
        elif data["pool_kind"] == "fixed":
            terms["pool"] = {
                "fixed": None if data.get("pool_fixed") is None else str(data["pool_fixed"])
            }
        kpis = []
        for i in range(self.kpi_rows):
            if not data.get(f"kpi_{i}_key"):
                continue
            self._kpi_index.append(i)
            kpi: dict[str, Any] = {
                "key": data[f"kpi_{i}_key"],
                "name": data.get(f"kpi_{i}_name") or data[f"kpi_{i}_key"],
                "unit": data.get(f"kpi_{i}_unit") or "",
                "higher_is_better": data.get(f"kpi_{i}_better", "higher") != "lower",
                "minimum": _text(data.get(f"kpi_{i}_minimum")),
                "target": _text(data.get(f"kpi_{i}_target")),
                "weight": _fraction(data.get(f"kpi_{i}_weight")),
                "malus": _fraction(data.get(f"kpi_{i}_malus")) or "0",
                "source": data.get(f"kpi_{i}_source") or "entered",
            }
            if data.get(f"kpi_{i}_baseline") is not None:
                kpi["baseline"] = str(data[f"kpi_{i}_baseline"])
            kpis.append(kpi)
        terms["kpis"] = kpis
        self._outcome_index: list[int] = []
        prices = []
        for i in range(self.outcome_rows):
            if not data.get(f"outcome_{i}_code"):
                continue
            self._outcome_index.append(i)
            price: dict[str, Any] = {
                "outcome": data[f"outcome_{i}_code"],
                "name": data.get(f"outcome_{i}_name") or data[f"outcome_{i}_code"],
                "amount": _text(data.get(f"outcome_{i}_amount")),
            }
            if data.get(f"outcome_{i}_producer"):
                price["producer"] = data[f"outcome_{i}_producer"]
            if data.get(f"outcome_{i}_cap") is not None:
                price["cap"] = str(data[f"outcome_{i}_cap"])
            prices.append(price)
        if prices:  # none: the terms read as before outcome prices existed
            terms["outcome_prices"] = prices
        return terms

    def field_for(self, path: str) -> str | None:
        """The field a document error's ``path`` is about, or None (then it is the form's)."""
        parts = re.findall(r"[a-z_]+|\[\d+\]", path.removeprefix("terms."))
        if not parts:
            return None
        head, index = parts[0], None
        rest = [p for p in parts[1:] if not p.startswith("[")]
        numbers = [int(p[1:-1]) for p in parts[1:] if p.startswith("[")]
        index = numbers[0] if numbers else None
        leaf = rest[-1] if rest else None
        if head == "target":
            return "target"
        if head == "target_by_area":
            return f"area_{leaf}" if leaf and f"area_{leaf}" in self.fields else "target"
        if head == "organizers" and index is not None and index < len(self.organizers):
            return f"org_{self.organizers[index][0]}_share"
        if head == "producers" and index is not None and index < len(self.producers):
            key = self.producers[index][0]
            return {"share_key": f"prod_{key}_key", "cap": f"prod_{key}_cap"}.get(
                leaf or "", f"prod_{key}_fee"
            )
        if head in ("gain_bands", "pain_bands") and index is not None:
            side = head.split("_")[0]
            return f"{side}_{index}_up_to" if leaf == "up_to" else f"{side}_{index}_share"
        if head == "pool":
            return "pool_fixed" if leaf == "fixed" else "pool_share"
        if head == "kpis" and index is not None and index < len(self._kpi_index):
            row = self._kpi_index[index]
            mapping = {"higher_is_better": "better"}
            name = f"kpi_{row}_{mapping.get(leaf or '', leaf or 'key')}"
            return name if name in self.fields else f"kpi_{row}_key"
        if head == "outcome_prices" and index is not None and index < len(self._outcome_index):
            row = self._outcome_index[index]
            name = f"outcome_{row}_{'code' if leaf in (None, 'outcome') else leaf}"
            return name if name in self.fields else f"outcome_{row}_code"
        if head == "pain_capped":
            return "pain_capped"
        return None


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)
