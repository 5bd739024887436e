"""Input parsing for the strategy and procurement pages. The rules live in the services."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from allianssi.accounts.models import User
from allianssi.alliances.models import ServiceArea
from allianssi.core.forms import EuroField
from allianssi.core.text import DESCRIPTION, NOTE
from allianssi.governance.services import EFFECT_MAX
from allianssi.parties.models import Organisation
from allianssi.procurement.assessment import CRITERIA
from allianssi.procurement.criteria import QUESTIONS, SCALE, SCALES
from allianssi.procurement.models import (
    CATEGORY_CHOICES,
    Candidate,
    Procedure,
    Route,
    SelectionCriterion,
    Verdict,
)
from allianssi.procurement.strategy import Answer

AWARD_CRITERIA_SLOTS = 5
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AssessmentForm(forms.Form):
    """One organizer's answers: a score and a comment per criterion."""

    overall = forms.CharField(
        label=_("Overall view"),
        required=False,
        max_length=NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for criterion in CRITERIA:
            title, question = QUESTIONS[criterion]
            self.fields[criterion] = forms.TypedChoiceField(
                label=title,
                help_text=question,
                choices=[(str(k), v) for k, v in SCALES.get(criterion, SCALE).items()],
                coerce=int,
                widget=forms.RadioSelect,
            )
            self.fields[f"{criterion}_comment"] = forms.CharField(
                label=_("%(criterion)s: comment") % {"criterion": title},
                required=False,
                max_length=NOTE,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        self.order_fields([*(f for c in CRITERIA for f in (c, f"{c}_comment")), "overall"])

    def answers(self) -> dict[str, Answer]:
        return {
            c: Answer(self.cleaned_data.get(c), self.cleaned_data.get(f"{c}_comment", ""))
            for c in CRITERIA
        }


class GoDecisionForm(forms.Form):
    verdict = forms.ChoiceField(
        label=_("Verdict"), choices=Verdict.choices, widget=forms.RadioSelect
    )
    rationale = forms.CharField(
        label=_("Rationale"), max_length=EFFECT_MAX, widget=forms.Textarea(attrs={"rows": 4})
    )
    route = forms.ChoiceField(
        label=_("Procurement route"),
        choices=Route.choices,
        required=False,
        widget=forms.RadioSelect,
        help_text=_("Needed for a go."),
    )
    joint_unit_name = forms.CharField(
        label=_("Name of the joint procurement unit"), max_length=200, required=False
    )
    authorised = forms.ModelChoiceField(
        label=_("Authorised organizer"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label="—",
    )

    def __init__(self, *args: Any, organizers: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organizers = organizers
        choices = Organisation.objects.filter(pk__in=[o.pk for o in organizers])
        self.fields["authorised"].queryset = choices  # type: ignore[attr-defined]
        for organisation in organizers:
            self.fields[f"mandate_{organisation.pk}"] = forms.CharField(
                label=_("Mandate of %(party)s") % {"party": organisation.name},
                required=False,
                max_length=NOTE,
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text=_(
                    "What the organizer authorises: for a joint unit, its part in the unit; "
                    "otherwise what the authorised organizer may procure on its behalf."
                ),
            )

    def mandates(self) -> dict[int, str]:
        return {o.pk: self.cleaned_data.get(f"mandate_{o.pk}", "") for o in self.organizers}


class ProcurementForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    procedure = forms.ChoiceField(
        label=_("Procedure"), choices=Procedure.choices, initial=Procedure.COMPETITIVE_NEGOTIATED
    )
    category = forms.ChoiceField(label=_("Service category"), choices=CATEGORY_CHOICES)
    notice_on = forms.DateField(
        label=_("Contract notice published"),
        required=False,
        widget=DATE,
        help_text=_("The thresholds in force on this day apply; until then, today's."),
    )
    notice_reference = forms.CharField(
        label=_("Notice reference (HILMA)"), max_length=100, required=False
    )

    def __init__(
        self, *args: Any, areas: list[str], organizers: list[Organisation], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.areas = areas
        self.organizers = organizers
        labels = dict(ServiceArea.choices)
        for area in areas:
            self.fields[f"lot_{area}"] = EuroField(
                label=_("Estimated value: %(area)s (€, without VAT)") % {"area": labels[area]},
                required=False,
            )
        for organisation in organizers:
            self.fields[f"share_{organisation.pk}"] = EuroField(
                label=_("Budget share of %(party)s (€)") % {"party": organisation.name},
                required=False,
            )

    def lots(self) -> dict[str, Decimal]:
        return {
            a: self.cleaned_data[f"lot_{a}"]
            for a in self.areas
            if self.cleaned_data.get(f"lot_{a}") is not None
        }

    def shares(self) -> dict[int, Decimal]:
        return {
            o.pk: self.cleaned_data[f"share_{o.pk}"]
            for o in self.organizers
            if self.cleaned_data.get(f"share_{o.pk}") is not None
        }


class CandidateForm(forms.Form):
    """Pick a registered company or association, or register one by its Y-tunnus."""

    organisation = forms.ModelChoiceField(
        label=_("Registered company or association"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label="—",
    )
    new_name = forms.CharField(
        label=_("Or register a new one: name"), max_length=200, required=False
    )
    new_business_id = forms.CharField(
        label=_("Y-tunnus of the new one"), max_length=20, required=False
    )
    new_kind = forms.ChoiceField(
        label=_("Kind of the new one"),
        choices=[("company", _("Company")), ("association", _("Association"))],
        required=False,
    )

    def __init__(self, *args: Any, companies: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = companies  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("organisation") and not data.get("new_name", "").strip():
            raise forms.ValidationError(_("Pick a registered party or register a new one."))
        return data


class _CandidateChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.organisation)


class ExcludeForm(forms.Form):
    candidate = _CandidateChoice(label=_("Candidate"), queryset=Candidate.objects.none())
    reason = forms.CharField(
        label=_("Reason for exclusion"), max_length=NOTE, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, candidates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["candidate"].queryset = candidates  # type: ignore[attr-defined]


class SelectionCriterionForm(forms.Form):
    text = forms.CharField(label=_("Requirement"), max_length=300)


class SelectionResultForm(forms.Form):
    candidate = _CandidateChoice(label=_("Candidate"), queryset=Candidate.objects.none())
    criterion = forms.ModelChoiceField(
        label=_("Requirement"), queryset=SelectionCriterion.objects.none()
    )
    met = forms.BooleanField(label=_("Meets the requirement"), required=False)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when the requirement is not met."),
    )

    def __init__(self, *args: Any, candidates: Any, criteria: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["candidate"].queryset = candidates  # type: ignore[attr-defined]
        self.fields["criterion"].queryset = criteria  # type: ignore[attr-defined]


class RoundForm(forms.Form):
    held_on = forms.DateField(label=_("Held on"), widget=DATE)
    notes = forms.CharField(
        label=_("Notes of the round"),
        max_length=DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, candidates: list[Candidate], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.candidates = candidates
        for candidate in candidates:
            self.fields[f"note_{candidate.pk}"] = forms.CharField(
                label=_("Negotiated with %(party)s") % {"party": candidate.organisation.name},
                required=False,
                max_length=DESCRIPTION,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def candidate_notes(self) -> dict[int, str]:
        return {c.pk: self.cleaned_data.get(f"note_{c.pk}", "") for c in self.candidates}


class AwardCriteriaForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for i in range(AWARD_CRITERIA_SLOTS):
            n = i + 1
            self.fields[f"name{i}"] = forms.CharField(
                label=_("Criterion %(n)s") % {"n": n}, max_length=200, required=i == 0
            )
            self.fields[f"weight{i}"] = forms.DecimalField(
                label=_("Criterion %(n)s: weight (%%)") % {"n": n},
                max_digits=5,
                decimal_places=2,
                required=False,
                widget=forms.TextInput(attrs={"inputmode": "decimal"}),
            )

    def criteria(self) -> list[tuple[str, Decimal | None]]:
        return [
            (self.cleaned_data.get(f"name{i}", ""), self.cleaned_data.get(f"weight{i}"))
            for i in range(AWARD_CRITERIA_SLOTS)
            if self.cleaned_data.get(f"name{i}", "").strip()
        ]


class EvaluatorForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Evaluator"), queryset=User.objects.none())

    def __init__(self, *args: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = people  # type: ignore[attr-defined]


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the procurement is cancelled"),
        max_length=NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ConflictForm(forms.Form):
    candidate = _CandidateChoice(label=_("Candidate"), queryset=Candidate.objects.none())
    explanation = forms.CharField(
        label=_("The conflict of interest"),
        max_length=NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, candidates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["candidate"].queryset = candidates  # type: ignore[attr-defined]


class ScoreForm(forms.Form):
    """The evaluator's points for every (candidate, criterion) pair they may score."""

    def __init__(self, *args: Any, pairs: list[tuple[Any, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pairs = pairs
        for candidate, criterion in pairs:
            self.fields[f"p_{candidate.pk}_{criterion.pk}"] = forms.DecimalField(
                label=_("%(party)s – %(criterion)s (0–10)")
                % {"party": candidate.organisation.name, "criterion": criterion.name},
                min_value=Decimal(0),
                max_value=Decimal(10),
                max_digits=4,
                decimal_places=2,
                required=False,
                widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 5}),
            )

    def points(self) -> list[tuple[Any, Any, Decimal]]:
        return [
            (candidate, criterion, self.cleaned_data[f"p_{candidate.pk}_{criterion.pk}"])
            for candidate, criterion in self.pairs
            if self.cleaned_data.get(f"p_{candidate.pk}_{criterion.pk}") is not None
        ]


class AwardForm(forms.Form):
    rationale = forms.CharField(
        label=_("Rationale"), max_length=EFFECT_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, candidates: list[Candidate], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.candidates = candidates
        for candidate in candidates:
            self.fields[f"value_{candidate.pk}"] = EuroField(
                label=_("Contract value for %(party)s (€, empty = not chosen)")
                % {"party": candidate.organisation.name},
                required=False,
            )

    def chosen(self) -> dict[int, Decimal]:
        return {
            c.pk: self.cleaned_data[f"value_{c.pk}"]
            for c in self.candidates
            if self.cleaned_data.get(f"value_{c.pk}") is not None
        }
