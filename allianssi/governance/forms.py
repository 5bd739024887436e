"""Input parsing for the leadership group's pages. Rules live in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from allianssi.accounts.models import User
from allianssi.alliances.models import ServiceArea
from allianssi.core.forms import EuroField
from allianssi.governance import forum, meetings, services
from allianssi.governance.models import Effort, Implementation, Proposal, VoteChoice
from allianssi.governance.services import AlternativeInput

ALTERNATIVE_SLOTS = 3


class SeatForm(forms.Form):
    representative = forms.ModelChoiceField(
        label=_("Representative"), queryset=User.objects.none(), required=False, empty_label="—"
    )
    deputy = forms.ModelChoiceField(
        label=_("Deputy"), queryset=User.objects.none(), required=False, empty_label="—"
    )

    def __init__(self, *args: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["representative"].queryset = people  # type: ignore[attr-defined]
        self.fields["deputy"].queryset = people  # type: ignore[attr-defined]


class ProposalForm(forms.Form):
    """A proposal with up to three alternatives; empty alternatives are left out."""

    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description of the problem"),
        required=False,
        max_length=services.DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    put_to_vote = forms.TypedChoiceField(
        label=_("Alternative put to the vote"),
        coerce=int,
        required=False,
        empty_value=None,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["put_to_vote"].choices = [("", _("Decide later"))] + [  # type: ignore[attr-defined]
            (str(i), _("Alternative %(n)s") % {"n": i + 1}) for i in range(ALTERNATIVE_SLOTS)
        ]
        for i in range(ALTERNATIVE_SLOTS):
            n = i + 1
            required = i == 0
            self.fields[f"alt{i}_title"] = forms.CharField(
                label=_("Alternative %(n)s: title") % {"n": n}, max_length=200, required=required
            )
            self.fields[f"alt{i}_description"] = forms.CharField(
                label=_("Alternative %(n)s: description") % {"n": n},
                required=False,
                max_length=services.DESCRIPTION_MAX,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.fields[f"alt{i}_cost"] = EuroField(
                label=_("Alternative %(n)s: estimated cost (€)") % {"n": n},
                required=False,
                min_value=0,
            )
            self.fields[f"alt{i}_effect"] = forms.CharField(
                label=_("Alternative %(n)s: expected effect on the goals") % {"n": n},
                required=False,
                max_length=services.EFFECT_MAX,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.fields[f"alt{i}_risks"] = forms.CharField(
                label=_("Alternative %(n)s: risks") % {"n": n},
                required=False,
                max_length=services.EFFECT_MAX,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def alternatives(self) -> list[AlternativeInput]:
        data = self.cleaned_data
        return [
            AlternativeInput(
                title=data[f"alt{i}_title"],
                description=data[f"alt{i}_description"],
                estimated_cost=data[f"alt{i}_cost"],
                expected_effect=data[f"alt{i}_effect"],
                risks=data[f"alt{i}_risks"],
            )
            for i in range(ALTERNATIVE_SLOTS)
            if data[f"alt{i}_title"].strip()
        ]


class OpenForm(forms.Form):
    deadline = forms.DateTimeField(
        label=_("Voting closes"),
        input_formats=["%Y-%m-%dT%H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    put_to_vote = forms.TypedChoiceField(label=_("Alternative put to the vote"), coerce=int)

    def __init__(self, *args: Any, alternatives: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["put_to_vote"].choices = [  # type: ignore[attr-defined]
            (str(i), title) for i, title in alternatives
        ]
        earliest, latest = services.voting_window()
        deadline = self.fields["deadline"]
        deadline.widget.attrs.update(
            min=f"{timezone.localtime(earliest):%Y-%m-%dT%H:%M}",
            max=f"{timezone.localtime(latest):%Y-%m-%dT%H:%M}",
        )
        deadline.help_text = _(
            "At least %(hours)s hours and at most %(days)s days from now, so that every seat "
            "has time to answer."
        ) % {
            "hours": int(services.VOTING_TIME_MIN.total_seconds() // 3600),
            "days": services.VOTING_TIME_MAX.days,
        }


class VoteForm(forms.Form):
    seat = forms.TypedChoiceField(label=_("Seat"), coerce=int)
    choice = forms.ChoiceField(
        label=_("Vote"), choices=VoteChoice.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=services.REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required for an objection."),
    )

    def __init__(self, *args: Any, seats: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["seat"].choices = [(str(pk), name) for pk, name in seats]  # type: ignore[attr-defined]


class DelegateForm(forms.Form):
    seat = forms.TypedChoiceField(label=_("Seat that delegates"), coerce=int)
    to_seat = forms.TypedChoiceField(label=_("Delegate the vote to"), coerce=int)

    def __init__(
        self,
        *args: Any,
        seats: list[tuple[int, str]],
        targets: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["seat"].choices = [(str(pk), n) for pk, n in seats]  # type: ignore[attr-defined]
        self.fields["to_seat"].choices = [(str(pk), n) for pk, n in targets]  # type: ignore[attr-defined]


class MeetingForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    starts_at = forms.DateTimeField(
        label=_("Starts"),
        input_formats=["%Y-%m-%dT%H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    location = forms.CharField(label=_("Place"), max_length=200, required=False)
    proposals = forms.ModelMultipleChoiceField(
        label=_("Proposals on the agenda"),
        queryset=Proposal.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    other_items = forms.CharField(
        label=_("Other agenda items"),
        required=False,
        max_length=5_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One item per line."),
    )

    def __init__(self, *args: Any, proposals: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["proposals"].queryset = proposals  # type: ignore[attr-defined]
        self.fields["proposals"].label_from_instance = lambda p: f"{p.number}. {p.title}"  # type: ignore[attr-defined]


class MinutesForm(forms.Form):
    text = forms.CharField(
        label=_("Minutes"),
        max_length=meetings.MINUTES_MAX,
        widget=forms.Textarea(attrs={"rows": 14}),
    )
    change_note = forms.CharField(
        label=_("What changed"),
        max_length=meetings.CHANGE_NOTE_MAX,
        required=False,
        help_text=_("For a correction: what was corrected and why."),
    )


class IdeaForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    problem = forms.CharField(
        label=_("Problem"),
        max_length=forum.IDEA_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    suggestion = forms.CharField(
        label=_("Suggested change"),
        required=False,
        max_length=forum.IDEA_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    service_area = forms.ChoiceField(
        label=_("Service area"), required=False, choices=[("", "—"), *ServiceArea.choices]
    )


class CommentForm(forms.Form):
    text = forms.CharField(
        label=_("Comment"),
        max_length=forum.COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class EvaluationForm(forms.Form):
    cost_estimate = EuroField(label=_("Cost estimate (€)"), required=False, min_value=0)
    expected_effect = forms.CharField(
        label=_("Expected effect"),
        required=False,
        max_length=forum.NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    effort = forms.ChoiceField(label=_("Effort"), choices=Effort.choices)


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for declining"),
        max_length=forum.NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ImplementationForm(forms.Form):
    implementation = forms.ChoiceField(label=_("Implementation"), choices=Implementation.choices)
    measured_effect = forms.CharField(
        label=_("Measured effect"),
        required=False,
        max_length=forum.NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
