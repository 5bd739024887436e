from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from allianssi.parties.models import Municipality, OrganisationKind
from allianssi.parties.selectors import organizers

REGISTRABLE_KINDS = [
    (k.value, k.label)
    for k in (
        OrganisationKind.COMPANY,
        OrganisationKind.ASSOCIATION,
        OrganisationKind.JOINT_BODY,
        OrganisationKind.OWN_UNIT,
    )
]


class PartyForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=REGISTRABLE_KINDS)
    name = forms.CharField(label=_("Name"), max_length=200)
    business_id = forms.CharField(
        label=_("Y-tunnus"),
        max_length=20,
        required=False,
        help_text=_("Required for companies and associations, e.g. 1234567-1."),
    )
    host = forms.ModelChoiceField(
        label=_("Host municipality (joint body)"),
        queryset=Municipality.objects.select_related("region").order_by("name_fi"),
        required=False,
        to_field_name="code",
    )
    members = forms.ModelMultipleChoiceField(
        label=_("Member municipalities (joint body)"),
        queryset=Municipality.objects.order_by("name_fi"),
        required=False,
        to_field_name="code",
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Include the host municipality."),
    )
    parent = forms.ModelChoiceField(
        label=_("Organizer (own production unit)"),
        queryset=organizers(),
        required=False,
    )
