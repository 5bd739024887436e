"""The catalogue's forms. They parse input into the services' input types; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from allianssi.alliances.forms import DateInput
from allianssi.alliances.models import ServiceArea
from allianssi.catalogue import codes
from allianssi.catalogue.models import (
    ChannelKind,
    CustomerType,
    Jobseeker,
    ServiceVersion,
)
from allianssi.catalogue.services import (
    CHANNEL_LANGUAGES,
    MAX_CAPACITY,
    MAX_COMPANY_AGE,
    MAX_EMPLOYEES,
    ChannelInput,
    RequestInput,
    ServiceInput,
)
from allianssi.core.text import NOTE

LANGUAGE_NAMES = {"fi": _("Finnish"), "sv": _("Swedish"), "en": _("English")}
CHANNEL_LANGUAGE_NAMES = {
    **LANGUAGE_NAMES,
    "se": _("Northern Sami"),
    "ru": _("Russian"),
    "et": _("Estonian"),
    "ar": _("Arabic"),
    "so": _("Somali"),
    "uk": _("Ukrainian"),
}
WEEKDAYS = [
    (1, _("Monday")),
    (2, _("Tuesday")),
    (3, _("Wednesday")),
    (4, _("Thursday")),
    (5, _("Friday")),
    (6, _("Saturday")),
    (7, _("Sunday")),
]


def _choices(form: forms.Form, name: str) -> forms.ChoiceField:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    return field


def _trilingual(
    form: forms.Form, base: str, label: Any, *, required_fi: bool, long: bool, max_length: int
) -> None:
    for language, name in LANGUAGE_NAMES.items():
        form.fields[f"{base}_{language}"] = forms.CharField(
            label=f"{label} ({name})",
            required=required_fi and language == "fi",
            max_length=max_length,
            widget=forms.Textarea(attrs={"rows": 4 if long else 2}),
        )


class ServiceForm(forms.Form):
    """Every field of a service version; parties and municipalities are the alliance's."""

    service_area = forms.ChoiceField(label=_("Service area"))
    for_persons = forms.BooleanField(label=_("For persons"), required=False)
    for_companies = forms.BooleanField(label=_("For companies"), required=False)
    target_groups = forms.MultipleChoiceField(
        label=_("Target groups"), required=False, widget=forms.CheckboxSelectMultiple
    )
    service_classes = forms.MultipleChoiceField(
        label=_("Service classes"),
        help_text=_("The national service catalogue's classes; choose one or more."),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    municipalities = forms.MultipleChoiceField(
        label=_("Municipalities served"), widget=forms.SelectMultiple(attrs={"size": 8})
    )
    responsible = forms.MultipleChoiceField(
        label=_("Responsible organizers"), widget=forms.CheckboxSelectMultiple
    )
    producers = forms.MultipleChoiceField(
        label=_("Producers"),
        help_text=_("A producer's service is procured; an own unit's is self-produced."),
        widget=forms.CheckboxSelectMultiple,
    )
    min_age = forms.IntegerField(
        label=_("Youngest age"), required=False, min_value=0, max_value=120
    )
    max_age = forms.IntegerField(label=_("Oldest age"), required=False, min_value=0, max_value=120)
    residence_required = forms.BooleanField(
        label=_("Only for residents of the municipalities served"), required=False
    )
    jobseeker = forms.ChoiceField(
        label=_("Job-seeker registration"), choices=Jobseeker.choices, widget=forms.RadioSelect
    )
    company_max_employees = forms.IntegerField(
        label=_("Largest company (employees)"),
        required=False,
        min_value=0,
        max_value=MAX_EMPLOYEES,
    )
    company_max_age_years = forms.IntegerField(
        label=_("Oldest company (years since registration)"),
        required=False,
        min_value=0,
        max_value=MAX_COMPANY_AGE,
    )
    chargeable = forms.BooleanField(label=_("Chargeable"), required=False)
    capacity_per_month = forms.IntegerField(
        label=_("Capacity (customers a month)"),
        required=False,
        min_value=1,
        max_value=MAX_CAPACITY,
        help_text=_("Leave empty if the service takes everyone who is eligible."),
    )
    answer_days = forms.IntegerField(
        label=_("Days to answer a referral"),
        required=False,
        min_value=1,
        max_value=90,
        initial=14,
        help_text=_(
            "A referral not accepted or rejected in this time expires. Leave empty for 14 days."
        ),
    )
    valid_from = forms.DateField(label=_("Valid from"), required=False, widget=DateInput())
    valid_to = forms.DateField(label=_("Valid until"), required=False, widget=DateInput())
    public_authority = forms.BooleanField(
        label=_("Includes public administrative tasks"),
        required=False,
        help_text=_(
            "Decisions or statements that use public authority. Only an organizer or its own "
            "unit may produce such a service."
        ),
    )

    def __init__(
        self,
        *args: Any,
        areas: list[str],
        organizers: list[tuple[int, str]],
        producers: list[tuple[int, str]],
        municipalities: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        language = (get_language() or "fi")[:2]
        _choices(self, "service_area").choices = [
            (a, label) for a, label in ServiceArea.choices if a in areas
        ]
        _choices(self, "target_groups").choices = codes.choices(codes.target_groups(), language)
        _choices(self, "service_classes").choices = codes.choices(codes.service_classes(), language)
        _choices(self, "municipalities").choices = municipalities
        _choices(self, "responsible").choices = [(str(pk), name) for pk, name in organizers]
        _choices(self, "producers").choices = [(str(pk), name) for pk, name in producers]
        _trilingual(self, "name", _("Name"), required_fi=True, long=False, max_length=200)
        _trilingual(self, "summary", _("Summary"), required_fi=True, long=False, max_length=500)
        _trilingual(
            self, "description", _("Description"), required_fi=True, long=True, max_length=20_000
        )
        _trilingual(
            self,
            "instructions",
            _("User instructions"),
            required_fi=False,
            long=True,
            max_length=20_000,
        )
        _trilingual(
            self,
            "conditions",
            _("Other conditions"),
            required_fi=False,
            long=True,
            max_length=20_000,
        )
        _trilingual(
            self, "charge", _("What it costs"), required_fi=False, long=False, max_length=500
        )
        self.order_fields(FIELD_ORDER)

    @staticmethod
    def initial_from(version: ServiceVersion) -> dict[str, Any]:
        initial = {
            key: getattr(version, key)
            for key in ServiceInput.__dataclass_fields__
            if key not in {"responsible_ids", "producer_ids"}
        }
        initial["responsible"] = [
            str(p.organisation_id) for p in version.parties.all() if p.role == "responsible"
        ]
        initial["producers"] = [
            str(p.organisation_id) for p in version.parties.all() if p.role == "producer"
        ]
        return initial

    def service_input(self) -> ServiceInput:
        data = dict(self.cleaned_data)
        responsible = [int(pk) for pk in data.pop("responsible")]
        producers = [int(pk) for pk in data.pop("producers")]
        for key, value in data.items():
            if value is None and key.endswith(("_fi", "_sv", "_en")):
                data[key] = ""
        if data.get("answer_days") is None:
            data["answer_days"] = ServiceInput.answer_days
        return ServiceInput(responsible_ids=responsible, producer_ids=producers, **data)


FIELD_ORDER = [
    "service_area",
    "name_fi",
    "name_sv",
    "name_en",
    "summary_fi",
    "summary_sv",
    "summary_en",
    "description_fi",
    "description_sv",
    "description_en",
    "instructions_fi",
    "instructions_sv",
    "instructions_en",
    "responsible",
    "producers",
    "for_persons",
    "for_companies",
    "target_groups",
    "service_classes",
    "municipalities",
    "min_age",
    "max_age",
    "residence_required",
    "jobseeker",
    "company_max_employees",
    "company_max_age_years",
    "conditions_fi",
    "conditions_sv",
    "conditions_en",
    "chargeable",
    "charge_fi",
    "charge_sv",
    "charge_en",
    "capacity_per_month",
    "answer_days",
    "valid_from",
    "valid_to",
    "public_authority",
]

#: The groups of fields the service form shows under their own headings.
FIELD_GROUPS = [
    (_("The service"), FIELD_ORDER[:13]),
    (_("Who is responsible and who produces it"), ["responsible", "producers"]),
    (_("Who it is for"), FIELD_ORDER[15:20]),
    (_("Who may use it"), FIELD_ORDER[20:29]),
    (_("Terms"), FIELD_ORDER[29:]),
]


class ChannelForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ChannelKind.choices, widget=forms.RadioSelect)
    name_fi = forms.CharField(label=_("Name (Finnish)"), max_length=200)
    name_sv = forms.CharField(label=_("Name (Swedish)"), max_length=200, required=False)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200, required=False)
    street = forms.CharField(label=_("Street address"), max_length=200, required=False)
    postal_code = forms.CharField(label=_("Postal code"), max_length=5, required=False)
    municipality = forms.ChoiceField(label=_("Municipality"), required=False)
    phone = forms.CharField(label=_("Phone number"), max_length=30, required=False)
    url = forms.CharField(label=_("Web address"), max_length=500, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        choices=list(CHANNEL_LANGUAGE_NAMES.items()),
        widget=forms.CheckboxSelectMultiple,
    )
    accessibility_fi = forms.CharField(
        label=_("Accessibility (Finnish)"),
        required=False,
        max_length=5_000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    accessibility_sv = forms.CharField(
        label=_("Accessibility (Swedish)"),
        required=False,
        max_length=5_000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    accessibility_en = forms.CharField(
        label=_("Accessibility (English)"),
        required=False,
        max_length=5_000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, municipalities: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "municipality").choices = [("", "—"), *municipalities]
        assert set(CHANNEL_LANGUAGE_NAMES) == set(CHANNEL_LANGUAGES)
        for day, name in WEEKDAYS:
            self.fields[f"opens_{day}"] = forms.TimeField(
                label=_("%(day)s opens") % {"day": name},
                required=False,
                widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            )
            self.fields[f"closes_{day}"] = forms.TimeField(
                label=_("%(day)s closes") % {"day": name},
                required=False,
                widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            )

    def hours_fields(self) -> list[tuple[Any, Any, Any]]:
        return [(name, self[f"opens_{day}"], self[f"closes_{day}"]) for day, name in WEEKDAYS]

    def main_fields(self) -> list[Any]:
        return [self[name] for name in self.fields if not name.startswith(("opens_", "closes_"))]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for day, name in WEEKDAYS:
            opens, closes = cleaned.get(f"opens_{day}"), cleaned.get(f"closes_{day}")
            if (opens is None) != (closes is None):
                self.add_error(
                    f"closes_{day}" if closes is None else f"opens_{day}",
                    _("Give both the opening and the closing time of %(day)s, or neither.")
                    % {"day": name},
                )
        return cleaned

    def channel_input(self) -> ChannelInput:
        data = self.cleaned_data
        hours = [
            {
                "day": day,
                "opens": data[f"opens_{day}"].strftime("%H:%M"),
                "closes": data[f"closes_{day}"].strftime("%H:%M"),
            }
            for day, _name in WEEKDAYS
            if data.get(f"opens_{day}") is not None and data.get(f"closes_{day}") is not None
        ]
        return ChannelInput(
            kind=data["kind"],
            name_fi=data["name_fi"],
            name_sv=data["name_sv"],
            name_en=data["name_en"],
            street=data["street"],
            postal_code=data["postal_code"],
            municipality_code=data["municipality"],
            phone=data["phone"],
            url=data["url"],
            email=data["email"],
            languages=data["languages"],
            hours=hours,
            accessibility_fi=data["accessibility_fi"],
            accessibility_sv=data["accessibility_sv"],
            accessibility_en=data["accessibility_en"],
        )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=NOTE, widget=forms.Textarea(attrs={"rows": 3})
    )


class SettingsForm(forms.Form):
    public = forms.BooleanField(
        label=_("Publish the alliance's services on the public pages"), required=False
    )
    request_retention_days = forms.IntegerField(
        label=_("Days a request for a service is kept"), min_value=1, max_value=730
    )


class HandleForm(forms.Form):
    note = forms.CharField(
        label=_("Note (what was done)"),
        required=False,
        max_length=5_000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RequestForm(forms.Form):
    """Ask for a service. ``website`` is a honeypot: hidden from people, filled by robots."""

    customer_type = forms.ChoiceField(
        label=_("I am asking"),
        choices=[
            (CustomerType.PERSON, _("for myself")),
            (CustomerType.COMPANY, _("for a company")),
        ],
        widget=forms.RadioSelect,
        initial=CustomerType.PERSON,
    )
    name = forms.CharField(
        label=_("Your name"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    contact = forms.CharField(
        label=_("Phone number or e-mail address"),
        max_length=200,
        help_text=_("How the service can reach you."),
    )
    municipality = forms.ChoiceField(label=_("Your municipality"))
    company_name = forms.CharField(
        label=_("Company name"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    business_id = forms.CharField(
        label=_("Business ID (Y-tunnus)"),
        max_length=20,
        required=False,
        help_text=_("For a company, such as 1234567-1."),
    )
    message = forms.CharField(
        label=_("What do you need?"), max_length=5_000, widget=forms.Textarea(attrs={"rows": 5})
    )
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args: Any, municipalities: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "municipality").choices = [("", "—"), *municipalities]

    def visible(self) -> list[Any]:
        return [self[name] for name in self.fields if name != "website"]

    def is_robot(self) -> bool:
        return bool(self.data.get("website"))

    def request_input(self) -> RequestInput:
        data = self.cleaned_data
        return RequestInput(
            customer_type=data["customer_type"],
            name=data["name"],
            contact=data["contact"],
            municipality_code=data["municipality"],
            message=data["message"],
            company_name=data["company_name"],
            business_id=data["business_id"],
        )


class SearchForm(forms.Form):
    """The public search; every field optional. A filter's unknown value is ignored (the others
    still apply), so an old or hand-made address still finds something."""

    q = forms.CharField(label=_("Search words"), required=False, max_length=200)
    customer = forms.CharField(label=_("For"), required=False, max_length=20)
    group = forms.CharField(label=_("Target group"), required=False, max_length=20)
    municipality = forms.CharField(label=_("Municipality"), required=False, max_length=20)
    area = forms.CharField(label=_("Service area"), required=False, max_length=20)
    channel = forms.CharField(label=_("How to reach it"), required=False, max_length=20)

    def __init__(self, *args: Any, municipalities: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        language = (get_language() or "fi")[:2]
        every = ("", _("All"))
        self.options: dict[str, list[tuple[str, Any]]] = {
            "customer": [
                every,
                (CustomerType.PERSON, _("Persons")),
                (CustomerType.COMPANY, _("Companies")),
            ],
            "group": [every, *codes.choices(codes.target_groups(), language)],
            "municipality": [every, *municipalities],
            "area": [every, *ServiceArea.choices],
            "channel": [every, *ChannelKind.choices],
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name, choices in self.options.items():
            if cleaned.get(name) and cleaned[name] not in {value for value, _label in choices}:
                cleaned[name] = ""
        return cleaned

    def filters(self) -> list[tuple[Any, list[tuple[str, Any]]]]:
        """Each filter's bound field with its choices, in order."""
        return [(self[name], choices) for name, choices in self.options.items()]
