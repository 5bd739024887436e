"""The referrals' forms: one small form per move. They check the shape of the input; the
services decide whether the move is allowed and what it needs (a reason, a free place)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from allianssi.alliances.forms import DateInput
from allianssi.core.forms import QuickSelect
from allianssi.referrals.models import EndedBy, Outcome, RejectReason


def _choices(form: forms.Form, name: str) -> forms.ChoiceField:
    found = form.fields[name]
    assert isinstance(found, forms.ChoiceField)
    return found


def _reason(label: Any, *, required: bool = False, help_text: Any = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=2000,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReferralForm(forms.Form):
    """A new referral: a published service and one of its producers, in one choice grouped by
    service (no script needed), and what the producer needs to know."""

    target = forms.ChoiceField(label=_("Service and producer"))
    message = forms.CharField(
        label=_("What the producer needs to know"),
        required=False,
        max_length=2000,
        help_text=_("Only what the service needs. The producer sees it with the customer's name."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    send = forms.BooleanField(
        label=_("Send the referral now (otherwise it is saved as a draft)"),
        required=False,
        initial=True,
    )

    def __init__(
        self, *args: Any, targets: list[tuple[str, list[tuple[str, str]]]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "target").choices = [("", "—"), *targets]

    def target_ids(self) -> tuple[int, int]:
        """(the service's id, the producer's id) of the chosen target."""
        service, producer = self.cleaned_data["target"].split(":")
        return int(service), int(producer)


class SendForm(forms.Form):
    """Send a draft: nothing to fill in."""


def _months(today: dt.date, count: int = 12) -> list[tuple[str, str]]:
    first = today.replace(day=1)
    months = []
    for i in range(count):
        year, month = divmod(first.month - 1 + i, 12)
        day = dt.date(first.year + year, month + 1, 1)
        months.append((day.isoformat(), formats.date_format(day, "YEAR_MONTH_FORMAT")))
    return months


class AcceptForm(forms.Form):
    month = forms.ChoiceField(label=_("Month the service takes the customer"))

    def __init__(self, *args: Any, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "month").choices = _months(today)

    def month_value(self) -> dt.date:
        return dt.date.fromisoformat(self.cleaned_data["month"])


class RejectForm(forms.Form):
    code = forms.ChoiceField(label=_("Why"), choices=RejectReason.choices, widget=forms.RadioSelect)
    reason = _reason(_("Reason in words"), help_text=_("Needed when the reason is another one."))


class StartForm(forms.Form):
    started_on = forms.DateField(
        label=_("Started on"),
        required=False,
        widget=DateInput(),
        help_text=_("Today if left empty."),
    )


class CompleteForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=Outcome.choices, widget=forms.RadioSelect
    )
    reason = _reason(_("Reason"), help_text=_("Needed unless the goal was achieved."))


class InterruptForm(forms.Form):
    ended_by = forms.ChoiceField(
        label=_("Who ended the service"), choices=EndedBy.choices, widget=forms.RadioSelect
    )
    reason = _reason(_("Reason"), help_text=_("Needed when the producer ended it."))


class RevokeForm(forms.Form):
    reason = _reason(_("Reason"), help_text=_("Needed once the referral has been sent."))


class DeclineForm(forms.Form):
    """The customer does not want the service (recorded by staff on the customer's word, or by
    the person signed in)."""

    reason = _reason(_("Reason (optional)"))


class ListFilterForm(forms.Form):
    """The producer's queue and the sender's outgoing list: by state (the view's default when
    not chosen), service, and those past their answer date."""

    state = forms.ChoiceField(label=_("State"), required=False, widget=QuickSelect)
    service = forms.ChoiceField(label=_("Service"), required=False, widget=QuickSelect)
    overdue = forms.BooleanField(label=_("Only those past their answer date"), required=False)

    def __init__(
        self,
        *args: Any,
        states: list[tuple[str, Any]],
        services: list[tuple[str, str]],
        default: str,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "state").choices = states
        _choices(self, "service").choices = [("", _("All")), *services]
        self.default = default

    def values(self) -> tuple[str, int | None, bool]:
        """(the state filter, the service's number or None, overdue only)."""
        if not self.is_valid():
            return self.default, None, False
        data = self.cleaned_data
        service = data["service"]
        return (
            data["state"] or self.default,
            int(service) if service else None,
            data["overdue"],
        )
