"""The customers' forms. They check the shape of the input and make the services' input types;
the services decide the rules (a valid henkilötunnus, the legal basis named, no duplicate)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from allianssi.alliances.forms import DateInput
from allianssi.customers.models import Customer, CustomerKind, LegalBasis, StatutoryTask
from allianssi.customers.services import ContactInput, CustomerInput
from allianssi.parties.models import Municipality

LANGUAGES = [("fi", _("Finnish")), ("sv", _("Swedish")), ("en", _("English"))]


def municipality_choices() -> list[tuple[str, str]]:
    """Every municipality, by name in the reader's language (Swedish for sv, else Finnish)."""
    swedish = (translation.get_language() or "fi").startswith("sv")
    rows = Municipality.objects.values_list("code", "name_fi", "name_sv")
    named = sorted(((code, sv if swedish else fi) for code, fi, sv in rows), key=lambda c: c[1])
    return [("", "—"), *named]


def _choices(form: forms.Form, name: str) -> forms.ChoiceField:
    found = form.fields[name]
    assert isinstance(found, forms.ChoiceField)
    return found


class ContactForm(forms.Form):
    """How to reach and serve the customer: what an advisor may change later."""

    name = forms.CharField(
        label=_("Name"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    email = forms.EmailField(
        label=_("E-mail"),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    phone = forms.CharField(
        label=_("Phone number"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}),
    )
    municipality = forms.ChoiceField(
        label=_("Municipality of residence or domicile"), required=False
    )
    language = forms.ChoiceField(label=_("Language of service"), choices=LANGUAGES)
    jobseeker = forms.BooleanField(label=_("Registered as a job-seeker"), required=False)
    employees = forms.IntegerField(
        label=_("Employees (a company)"), required=False, min_value=0, max_value=1_000_000
    )

    def __init__(self, *args: Any, kind: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "municipality").choices = municipality_choices()
        # Editing a known customer shows only what applies to its kind.
        if kind == CustomerKind.PERSON:
            del self.fields["employees"]
        elif kind == CustomerKind.COMPANY:
            del self.fields["jobseeker"]

    @staticmethod
    def initial_from(customer: Customer) -> dict[str, Any]:
        return {
            "name": customer.name,
            "email": customer.email,
            "phone": customer.phone,
            "municipality": customer.municipality.code if customer.municipality else "",
            "language": customer.language,
            "jobseeker": customer.jobseeker,
            "employees": customer.employees,
        }

    def contact_input(self) -> ContactInput:
        data = self.cleaned_data
        return ContactInput(
            name=data["name"],
            email=data["email"],
            phone=data["phone"],
            municipality=data["municipality"],
            language=data["language"],
            jobseeker=data.get("jobseeker", False),
            employees=data.get("employees"),
        )


class CustomerForm(ContactForm):
    """A new customer: who it is, how to reach it, and on what legal basis it is served."""

    kind = forms.ChoiceField(
        label=_("The customer is"),
        choices=CustomerKind.choices,
        widget=forms.RadioSelect,
        initial=CustomerKind.PERSON,
    )
    hetu = forms.CharField(
        label=_("Personal identity code (a person)"),
        required=False,
        max_length=20,
        help_text=_("Such as 010280-952L. It is kept encrypted and shown masked."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    business_id = forms.CharField(
        label=_("Business ID (Y-tunnus, a company)"),
        required=False,
        max_length=20,
        help_text=_("Such as 1234567-1."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    registered_on = forms.DateField(
        label=_("Registered (a company)"), required=False, widget=DateInput()
    )
    legal_basis = forms.ChoiceField(
        label=_("Legal basis of the processing"),
        choices=LegalBasis.choices,
        widget=forms.RadioSelect,
        initial=LegalBasis.STATUTORY,
    )
    statutory_task = forms.ChoiceField(
        label=_("Statutory task (when the basis is a statutory task)"),
        required=False,
        choices=[("", "—"), *StatutoryTask.choices],
    )
    consent_purpose = forms.CharField(
        label=_("Purpose the customer consented to (when the basis is consent)"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    field_order = [
        "kind",
        "name",
        "hetu",
        "business_id",
        "registered_on",
        "employees",
        "email",
        "phone",
        "municipality",
        "language",
        "jobseeker",
        "legal_basis",
        "statutory_task",
        "consent_purpose",
    ]

    def customer_input(self) -> CustomerInput:
        data = self.cleaned_data
        return CustomerInput(
            kind=data["kind"],
            name=data["name"],
            hetu=data["hetu"],
            business_id=data["business_id"],
            email=data["email"],
            phone=data["phone"],
            municipality=data["municipality"],
            language=data["language"],
            jobseeker=data["jobseeker"],
            employees=data["employees"],
            registered_on=data["registered_on"],
            legal_basis=data["legal_basis"],
            statutory_task=data["statutory_task"],
            consent_purpose=data["consent_purpose"],
        )


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Name or customer number"), required=False, max_length=200)


class RevealForm(forms.Form):
    #: Written once a language when empty (``{% form_fields %}``, core/templatetags/fields.py).
    same_for_everyone = True

    why = forms.CharField(
        label=_("Why do you need the full personal identity code?"),
        max_length=200,
        help_text=_("Your reason is logged with your name, and the customer can see it."),
    )


class ConsentForm(forms.Form):
    #: Written once a language when empty (``{% form_fields %}``, core/templatetags/fields.py).
    same_for_everyone = True

    purpose = forms.CharField(
        label=_("Purpose the customer consents to"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class EraseForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("The customer asked for their data to be erased, and I have checked who they are")
    )


class SettingsForm(forms.Form):
    retention_days = forms.IntegerField(
        label=_("Days the data is kept after the customer's last service"),
        min_value=30,
        max_value=3653,
        help_text=_("From 30 days to ten years (3653 days)."),
    )


class ImportForm(forms.Form):
    """A file of customers for the import page: JSON Lines, as the import reads it."""

    file = forms.FileField(
        label=_("JSON Lines file (.jsonl)"),
        help_text=_("One customer a line, as the format guide and the template show."),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".jsonl", ".json", ".ndjson", ".txt")):
            raise forms.ValidationError(_("Upload a JSON Lines file (.jsonl)."))
        return upload
