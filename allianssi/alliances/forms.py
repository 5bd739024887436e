"""Input parsing for the alliance pages. No domain rules here: services and validators decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from allianssi.alliances.models import DocumentLanguage, MemberRole, Phase, Role, ServiceArea
from allianssi.parties.models import Region


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class AllianceForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    region = forms.ModelChoiceField(
        label=_("Region"), queryset=Region.objects.order_by("name_fi"), empty_label=None
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    term_start = forms.DateField(label=_("Term starts"), widget=DateInput())
    term_end = forms.DateField(label=_("Term ends"), widget=DateInput())
    service_areas = forms.MultipleChoiceField(
        label=_("Service areas"),
        choices=ServiceArea.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Social and health services and municipal wellbeing services are optional."),
    )
    goals = forms.CharField(
        label=_("Goals"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One goal per line."),
    )
    language = forms.ChoiceField(label=_("Language of documents"), choices=DocumentLanguage.choices)
    producers_may_exit_in_implementation = forms.BooleanField(
        label=_("The agreement lets producers exit during implementation"), required=False
    )
    own_units_have_seats = forms.BooleanField(
        label=_("Own production units have seats of their own in the leadership group"),
        required=False,
        help_text=_("Otherwise an own production unit is represented by its organizer."),
    )
    abstention_blocks = forms.BooleanField(
        label=_("An abstention keeps a proposal from being decided"),
        required=False,
        initial=True,
        help_text=_("Unanimity means every seat approves; an abstention is not an approval."),
    )
    escalation_path = forms.CharField(
        label=_("Escalation path"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the agreement says happens when a proposal is blocked or not decided."),
    )

    def terms(self) -> dict[str, Any]:
        """The cleaned input as the keyword arguments of ``alliance_create``/``_update``."""
        data = self.cleaned_data
        return {
            "name": data["name"],
            "term_start": data["term_start"],
            "term_end": data["term_end"],
            "service_areas": data["service_areas"],
            "goals": [line.strip() for line in data["goals"].splitlines() if line.strip()],
            "description": data["description"],
            "language": data["language"],
            "producers_may_exit_in_implementation": data["producers_may_exit_in_implementation"],
            "own_units_have_seats": data["own_units_have_seats"],
            "abstention_blocks": data["abstention_blocks"],
            "escalation_path": data["escalation_path"],
        }


class AllianceEditForm(AllianceForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["region"]  # An alliance stays in its region.


class MemberAddForm(forms.Form):
    """The party is one select: the region and its municipalities from the reference list, and
    registered joint bodies, producers and own units. Values are ``region:01``,
    ``municipality:837`` or ``party:42``."""

    role = forms.ChoiceField(label=_("Role"), choices=MemberRole.choices)
    party = forms.ChoiceField(label=_("Party"))
    joined_on = forms.DateField(
        label=_("Joins on"),
        widget=DateInput(),
        required=False,
        help_text=_("Leave empty for today."),
    )

    def __init__(self, *args: Any, party_choices: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["party"].choices = party_choices  # type: ignore[attr-defined]


class PhaseForm(forms.Form):
    to_phase = forms.ChoiceField(label=_("New phase"), choices=Phase.choices)
    effective_on = forms.DateField(label=_("Takes effect on"), widget=DateInput())
    note = forms.CharField(
        label=_("Note or reason"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, phases: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_phase"].choices = phases  # type: ignore[attr-defined]


class ExitForm(forms.Form):
    effective_on = forms.DateField(label=_("Takes effect on"), widget=DateInput())
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class RemoveForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class RoleGrantForm(forms.Form):
    user = forms.ChoiceField(label=_("User"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)

    def __init__(self, *args: Any, user_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = user_choices  # type: ignore[attr-defined]
