"""Writes to the service catalogue. Each service: lock, permission, validate, write, audit.

The alliance row is locked first (``alliance_lock``), then the service's row; a change never
half-lands. Publishing is a configuration change: the compliance guard refuses a publication that
would add a blocking finding (a private producer given public administrative tasks, a responsible
organizer outside its remit), with the finding's explanation.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fi import ytunnus

from allianssi import permissions
from allianssi.alliances.models import Alliance, MemberRole, Membership
from allianssi.alliances.services import alliance_lock
from allianssi.audit import actions
from allianssi.audit.services import audit_append
from allianssi.catalogue import codes, search
from allianssi.catalogue.models import (
    DELIVERY_PHASES,
    OPEN_STATUSES,
    TRANSITIONS,
    CatalogueSettings,
    Channel,
    ChannelKind,
    CustomerType,
    Jobseeker,
    PartyRole,
    Provision,
    RequestStatus,
    Service,
    ServiceParty,
    ServiceRequest,
    ServiceVersion,
    VersionStatus,
)
from allianssi.core import clock
from allianssi.core.errors import DomainError, forbidden
from allianssi.core.hooks import configuration_change
from allianssi.core.text import NOTE, unstorable
from allianssi.notifications.services import notify
from allianssi.parties.models import Municipality, Organisation, OrganisationKind

if TYPE_CHECKING:
    from allianssi.accounts.models import User

#: Channel languages a service may be given in (ISO 639-1).
CHANNEL_LANGUAGES = ("fi", "sv", "en", "se", "ru", "et", "ar", "so", "uk")
#: Requests one address may send in an hour before it is asked to wait.
REQUESTS_PER_HOUR = 5
MAX_AGE = 120
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
_PHONE = re.compile(r"^\+?[0-9 ()-]{6,30}$")
_POSTAL = re.compile(r"^\d{5}$")
_TEXT_LIMITS = {"name": 200, "summary": 500, "charge": 500}
_LONG_TEXT = 20_000
#: The most customers a month (more than Finland's working-age population could ask) and the
#: most employees a company may be limited to; the oldest company age in years.
MAX_CAPACITY = 1_000_000
MAX_EMPLOYEES = 1_000_000
MAX_COMPANY_AGE = 500
#: A version is valid from no earlier than this, and until at most this many years ahead.
VALID_EARLIEST = dt.date(2000, 1, 1)
VALID_YEARS_AHEAD = 10


@dataclass(frozen=True)
class ServiceInput:
    """Everything a version says, as its form or a program gives it."""

    service_area: str
    name_fi: str
    summary_fi: str
    description_fi: str
    responsible_ids: Sequence[int]
    producer_ids: Sequence[int]
    municipalities: Sequence[str]
    name_sv: str = ""
    name_en: str = ""
    summary_sv: str = ""
    summary_en: str = ""
    description_sv: str = ""
    description_en: str = ""
    instructions_fi: str = ""
    instructions_sv: str = ""
    instructions_en: str = ""
    for_persons: bool = True
    for_companies: bool = False
    target_groups: Sequence[str] = ()
    service_classes: Sequence[str] = ()
    min_age: int | None = None
    max_age: int | None = None
    residence_required: bool = False
    jobseeker: str = Jobseeker.ANY
    company_max_employees: int | None = None
    company_max_age_years: int | None = None
    conditions_fi: str = ""
    conditions_sv: str = ""
    conditions_en: str = ""
    chargeable: bool = False
    charge_fi: str = ""
    charge_sv: str = ""
    charge_en: str = ""
    capacity_per_month: int | None = None
    answer_days: int = 14
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    public_authority: bool = False

    def content(self) -> dict[str, Any]:
        """The version's own fields (everything but the parties), texts stripped."""
        data = asdict(self)
        del data["responsible_ids"], data["producer_ids"]
        for key, value in data.items():
            if isinstance(value, str):
                data[key] = value.strip()
            elif isinstance(value, tuple | list):
                data[key] = sorted(set(value))
        return data


@dataclass(frozen=True)
class ChannelInput:
    kind: str
    name_fi: str
    languages: Sequence[str]
    name_sv: str = ""
    name_en: str = ""
    street: str = ""
    postal_code: str = ""
    municipality_code: str = ""
    phone: str = ""
    url: str = ""
    email: str = ""
    hours: Sequence[dict[str, Any]] = field(default_factory=list)
    accessibility_fi: str = ""
    accessibility_sv: str = ""
    accessibility_en: str = ""


# Reading what the alliance is made of -----------------------------------------------------------


def served_municipalities(alliance: Alliance) -> dict[str, Municipality]:
    """The municipalities an alliance's services may serve, by code: the whole region where the
    region is an organizer, else the member municipalities and those of member joint bodies."""
    organizers = Membership.objects.filter(
        alliance=alliance, role=MemberRole.ORGANIZER, ended_on__isnull=True
    ).select_related("organisation")
    kinds = {m.organisation.kind for m in organizers}
    if OrganisationKind.REGION in kinds:
        found = Municipality.objects.filter(region_id=alliance.region_id)
    else:
        ids = {m.organisation_id for m in organizers}
        found = Municipality.objects.filter(
            organisations__id__in=ids
        ) | Municipality.objects.filter(
            organisations__member_of_joint_bodies__joint_body_id__in=ids
        )
    return {m.code: m for m in found.distinct()}


def _members(alliance: Alliance) -> dict[int, Membership]:
    return {
        m.organisation_id: m
        for m in Membership.objects.filter(alliance=alliance, ended_on__isnull=True).select_related(
            "organisation"
        )
    }


def _party_ids(version: ServiceVersion) -> tuple[set[int], set[int]]:
    responsible: set[int] = set()
    producers: set[int] = set()
    for party in version.parties.all():
        (responsible if party.role == PartyRole.RESPONSIBLE else producers).add(
            party.organisation_id
        )
    return responsible, producers


# Validation -------------------------------------------------------------------------------------


def _text(value: str, field_name: str, limit: int, *, required: bool = False) -> None:
    bad = unstorable(value)
    if bad is not None:
        raise DomainError(
            "text_character",
            _("The text contains a character that cannot be stored (%(character)s): remove it."),
            field=field_name,
            character=f"U+{ord(bad):04X}",
        )
    if required and not value:
        raise DomainError("text_required", _("This text is required in Finnish."), field=field_name)
    if len(value) > limit:
        raise DomainError(
            "text_too_long",
            _("A text may be at most %(limit)s characters long."),
            field=field_name,
            limit=str(limit),
        )


def validate_content(data: dict[str, Any], *, alliance: Alliance) -> None:
    """One version's content: required Finnish texts, lengths, codes and eligibility that does
    not contradict itself. Raises the first problem found, at its field."""
    for base, limit in (*_TEXT_LIMITS.items(), ("description", _LONG_TEXT)):
        for language in ("fi", "sv", "en"):
            key = f"{base}_{language}"
            _text(data[key], key, limit, required=language == "fi" and base != "charge")
    for base in ("instructions", "conditions"):
        for language in ("fi", "sv", "en"):
            _text(data[f"{base}_{language}"], f"{base}_{language}", _LONG_TEXT)
    areas = set(alliance.service_areas.values_list("area", flat=True))
    if data["service_area"] not in areas:
        raise DomainError(
            "service_area_outside",
            _("Choose one of the alliance's service areas."),
            field="service_area",
        )
    if not (data["for_persons"] or data["for_companies"]):
        raise DomainError(
            "customer_type_required",
            _("Say whether the service is for persons, for companies or for both."),
            field="for_persons",
        )
    for key, known in (
        ("target_groups", codes.target_groups()),
        ("service_classes", codes.service_classes()),
    ):
        unknown = [c for c in data[key] if c not in known]
        if unknown:
            raise DomainError(
                "code_unknown",
                _("Unknown code: %(codes)s."),
                field=key,
                codes=", ".join(unknown),
            )
    if not data["service_classes"]:
        raise DomainError(
            "service_class_required",
            _("Choose at least one service class, so that people find the service."),
            field="service_classes",
        )
    served = served_municipalities(alliance)
    if not data["municipalities"]:
        raise DomainError(
            "municipality_required",
            _("Choose the municipalities whose people the service serves."),
            field="municipalities",
        )
    outside = [c for c in data["municipalities"] if c not in served]
    if outside:
        raise DomainError(
            "municipality_outside",
            _("%(codes)s: not a municipality of the alliance."),
            field="municipalities",
            codes=", ".join(outside),
        )
    _validate_eligibility(data)
    if data["chargeable"] and not data["charge_fi"]:
        raise DomainError(
            "charge_required",
            _("Say what the service costs (in Finnish)."),
            field="charge_fi",
        )
    capacity = data["capacity_per_month"]
    if capacity is not None and not 1 <= capacity <= MAX_CAPACITY:
        raise DomainError(
            "capacity_invalid",
            _(
                "The capacity is from one to %(limit)s customers a month; leave it empty if "
                "unlimited."
            ),
            field="capacity_per_month",
            limit=f"{MAX_CAPACITY:,}".replace(",", " "),
        )
    if not 1 <= data["answer_days"] <= 90:
        raise DomainError(
            "answer_days_range",
            _("A referral is answered in 1 to 90 days."),
            field="answer_days",
        )
    latest = dt.date(clock.today().year + VALID_YEARS_AHEAD, 12, 31)
    for key in ("valid_from", "valid_to"):
        if data[key] is not None and not VALID_EARLIEST <= data[key] <= latest:
            raise DomainError(
                "validity_out_of_range",
                _("A service's validity lies between %(earliest)s and %(latest)s."),
                field=key,
                earliest=VALID_EARLIEST,
                latest=latest,
            )
    if data["valid_from"] and data["valid_to"] and data["valid_to"] < data["valid_from"]:
        raise DomainError(
            "validity_reversed", _("A service cannot end before it starts."), field="valid_to"
        )


def _validate_eligibility(data: dict[str, Any]) -> None:
    low, high = data["min_age"], data["max_age"]
    for key, value in (("min_age", low), ("max_age", high)):
        if value is not None and not 0 <= value <= MAX_AGE:
            raise DomainError(
                "age_range",
                _("An age is from 0 to %(limit)s years."),
                field=key,
                limit=str(MAX_AGE),
            )
    if low is not None and high is not None and high < low:
        raise DomainError(
            "ages_reversed",
            _("The oldest age (%(high)s) is below the youngest (%(low)s): no one could use it."),
            field="max_age",
            high=str(high),
            low=str(low),
        )
    persons_only = (low, high) != (None, None) or data["jobseeker"] != Jobseeker.ANY
    if persons_only and not data["for_persons"]:
        raise DomainError(
            "eligibility_persons_only",
            _(
                "Age and job-seeker conditions apply to persons, but the service is not for "
                "persons."
            ),
            field="min_age" if (low, high) != (None, None) else "jobseeker",
        )
    if data["jobseeker"] not in Jobseeker.values:
        raise DomainError(
            "jobseeker_invalid", _("Choose a job-seeker condition."), field="jobseeker"
        )
    for key, limit in (
        ("company_max_employees", MAX_EMPLOYEES),
        ("company_max_age_years", MAX_COMPANY_AGE),
    ):
        if data[key] is not None and not 0 <= data[key] <= limit:
            raise DomainError(
                "company_limit_range",
                _("This is from 0 to %(limit)s."),
                field=key,
                limit=f"{limit:,}".replace(",", " "),
            )
    company_only = (data["company_max_employees"], data["company_max_age_years"]) != (None, None)
    if company_only and not data["for_companies"]:
        raise DomainError(
            "eligibility_companies_only",
            _(
                "Company size and age conditions apply to companies, but the service is not for "
                "companies."
            ),
            field="company_max_employees"
            if data["company_max_employees"] is not None
            else "company_max_age_years",
        )


def _validate_parties(
    *,
    actor: User,
    alliance: Alliance,
    responsible_ids: Sequence[int],
    producer_ids: Sequence[int],
) -> list[tuple[Membership, str, str]]:
    """(membership, role, provision) for each party named; roles kept separate."""
    members = _members(alliance)
    if not responsible_ids:
        raise DomainError(
            "responsible_required",
            _("Name the organizer responsible for the service."),
            field="responsible",
        )
    if not producer_ids:
        raise DomainError(
            "producer_required", _("Name who produces the service."), field="producers"
        )
    rows: list[tuple[Membership, str, str]] = []
    for organisation_id in sorted(set(responsible_ids)):
        member = members.get(organisation_id)
        if member is None or member.role != MemberRole.ORGANIZER:
            raise DomainError(
                "responsible_not_organizer",
                _("Only an organizer of the alliance can be responsible for a service."),
                field="responsible",
            )
        rows.append((member, PartyRole.RESPONSIBLE, ""))
    for organisation_id in sorted(set(producer_ids)):
        member = members.get(organisation_id)
        if member is None or member.role == MemberRole.ORGANIZER:
            raise DomainError(
                "producer_not_producer",
                _(
                    "Only a producer or an organizer's own production unit of the alliance can "
                    "produce a service; an organizer is never its producer."
                ),
                field="producers",
            )
        provision = (
            Provision.SELF_PRODUCED
            if member.role == MemberRole.OWN_PRODUCTION
            else Provision.PROCURED
        )
        rows.append((member, PartyRole.PRODUCER, provision))
    own = getattr(actor, "organisation_id", None)
    if not permissions.can_manage_catalogue(actor, alliance) and own not in set(
        responsible_ids
    ) | set(producer_ids):
        raise DomainError(
            "own_party_missing",
            _("Name your own organisation as the service's producer or responsible organizer."),
            field="producers",
        )
    return rows


def validate_channel(data: ChannelInput) -> Municipality | None:
    if data.kind not in ChannelKind.values:
        raise DomainError("channel_kind_invalid", _("Choose the kind of channel."), field="kind")
    _text(data.name_fi.strip(), "name_fi", 200, required=True)
    _text(data.name_sv.strip(), "name_sv", 200)
    _text(data.name_en.strip(), "name_en", 200)
    for key in ("accessibility_fi", "accessibility_sv", "accessibility_en"):
        _text(getattr(data, key).strip(), key, 5_000)
    for key, limit in (
        ("street", 200),
        ("postal_code", 5),
        ("phone", 30),
        ("url", 500),
        ("email", 254),
    ):
        _text(getattr(data, key).strip(), key, limit)
    if data.email.strip():
        try:
            validate_email(data.email.strip())
        except ValidationError:
            raise DomainError(
                "email_invalid", _("Check the e-mail address."), field="email"
            ) from None
    municipality = None
    if data.kind == ChannelKind.LOCATION:
        if not data.street.strip():
            raise DomainError(
                "address_required",
                _("A service location needs its street address."),
                field="street",
            )
        if not _POSTAL.match(data.postal_code.strip()):
            raise DomainError(
                "postal_code_invalid",
                _("A postal code is five digits, such as 33100."),
                field="postal_code",
            )
        municipality = Municipality.objects.filter(code=data.municipality_code).first()
        if municipality is None:
            raise DomainError(
                "municipality_required",
                _("Choose the municipality the location is in."),
                field="municipality",
            )
    if data.kind == ChannelKind.PHONE and not data.phone.strip():
        raise DomainError(
            "phone_required", _("A phone channel needs its phone number."), field="phone"
        )
    if data.phone.strip() and not _PHONE.match(data.phone.strip()):
        raise DomainError(
            "phone_invalid",
            _("Write the phone number in digits, such as +358 40 123 4567."),
            field="phone",
        )
    if data.kind in {ChannelKind.WEB_PAGE, ChannelKind.E_SERVICE} and not data.url.strip():
        raise DomainError(
            "url_required",
            _("A web page or an e-service needs its web address."),
            field="url",
        )
    if data.url.strip() and not data.url.strip().startswith("https://"):
        raise DomainError(
            "url_invalid",
            _("Give the full web address, starting with https://."),
            field="url",
        )
    if not data.languages or any(code not in CHANNEL_LANGUAGES for code in data.languages):
        raise DomainError(
            "languages_required",
            _("Choose the languages the service is given in through this channel."),
            field="languages",
        )
    _validate_hours(data.hours)
    return municipality


def _validate_hours(hours: Sequence[dict[str, Any]]) -> None:
    seen: set[int] = set()
    for row in hours:
        day, opens, closes = row.get("day"), str(row.get("opens", "")), str(row.get("closes", ""))
        if not isinstance(day, int) or not 1 <= day <= 7 or day in seen:
            raise DomainError("hours_invalid", _("Give each weekday's hours once."), field="hours")
        if not (_HHMM.match(opens) and _HHMM.match(closes)) or opens >= closes:
            raise DomainError(
                "hours_invalid",
                _("Opening hours are HH:MM, and a day closes after it opens."),
                field="hours",
            )
        seen.add(day)


# The workflow -----------------------------------------------------------------------------------


def _snapshot(version: ServiceVersion) -> dict[str, Any]:
    data = {
        key: getattr(version, key)
        for key in ServiceInput.__dataclass_fields__
        if key not in {"responsible_ids", "producer_ids"}
    }
    responsible, producers = _party_ids(version)
    return {
        "service": version.service.number,
        "version": version.version,
        "status": version.status,
        **data,
        "responsible": sorted(responsible),
        "producers": sorted(producers),
        "channels": [
            {"kind": c.kind, "name_fi": c.name_fi} for c in version.channels.order_by("position")
        ],
    }


def _locked(version: ServiceVersion) -> ServiceVersion:
    return (
        ServiceVersion.objects.select_for_update(of=("self",))
        .select_related("service")
        .get(pk=version.pk)
    )


def _move(version: ServiceVersion, to: str) -> None:
    if to not in TRANSITIONS[VersionStatus(version.status)]:
        raise DomainError(
            "status_invalid",
            _("A version that is “%(status)s” cannot be changed that way."),
            status=str(VersionStatus(version.status).label),
        )
    version.status = to


def _check_edit(actor: User, alliance: Alliance, version: ServiceVersion) -> None:
    responsible, producers = _party_ids(version)
    if not permissions.can_edit_service(
        actor, alliance, responsible_ids=responsible, producer_ids=producers
    ):
        raise forbidden()


def _check_review(actor: User, alliance: Alliance, version: ServiceVersion) -> None:
    responsible, _producers = _party_ids(version)
    if not permissions.can_review_service(actor, alliance, responsible_ids=responsible):
        raise forbidden()


def _write_parties(version: ServiceVersion, rows: list[tuple[Membership, str, str]]) -> None:
    version.parties.all().delete()
    ServiceParty.objects.bulk_create(
        ServiceParty(
            alliance_id=version.alliance_id,
            version=version,
            organisation_id=member.organisation_id,
            role=role,
            provision=provision,
        )
        for member, role, provision in rows
    )


def service_url(service: Service) -> str:
    return reverse("catalogue:service", args=[service.alliance_id, service.number])


@transaction.atomic
def service_create(*, actor: User, alliance: Alliance, data: ServiceInput) -> ServiceVersion:
    """A new service, as the first draft of its first version."""
    alliance = alliance_lock(alliance, actor, live=True)
    if not permissions.can_draft_services(actor, alliance):
        raise forbidden()
    content = data.content()
    validate_content(content, alliance=alliance)
    rows = _validate_parties(
        actor=actor,
        alliance=alliance,
        responsible_ids=data.responsible_ids,
        producer_ids=data.producer_ids,
    )
    number = (Service.objects.filter(alliance=alliance).aggregate(n=Max("number"))["n"] or 0) + 1
    service = Service.objects.create(alliance=alliance, number=number)
    version = ServiceVersion.objects.create(
        alliance=alliance, service=service, version=1, created_by=actor, **content
    )
    _write_parties(version, rows)
    audit_append(
        actor=actor,
        alliance=alliance,
        action=actions.SERVICE_CREATE,
        obj=version,
        after=_snapshot(version),
    )
    return version


@transaction.atomic
def service_draft_update(
    *, actor: User, version: ServiceVersion, data: ServiceInput
) -> ServiceVersion:
    """Change a draft (a version being prepared that is not waiting for review)."""
    alliance = alliance_lock(version.alliance, actor, live=True)
    version = _locked(version)
    _check_edit(actor, alliance, version)
    if version.status != VersionStatus.DRAFT:
        raise DomainError(
            "not_a_draft",
            _("Only a draft can be edited; a published service changes by a new version."),
        )
    before = _snapshot(version)
    content = data.content()
    validate_content(content, alliance=alliance)
    rows = _validate_parties(
        actor=actor,
        alliance=alliance,
        responsible_ids=data.responsible_ids,
        producer_ids=data.producer_ids,
    )
    for key, value in content.items():
        setattr(version, key, value)
    version.save()
    _write_parties(version, rows)
    audit_append(
        actor=actor,
        alliance=alliance,
        action=actions.SERVICE_EDIT,
        obj=version,
        before=before,
        after=_snapshot(version),
    )
    return version


@transaction.atomic
def service_channel_add(*, actor: User, version: ServiceVersion, data: ChannelInput) -> Channel:
    alliance = alliance_lock(version.alliance, actor, live=True)
    version = _locked(version)
    _check_edit(actor, alliance, version)
    if version.status != VersionStatus.DRAFT:
        raise DomainError("not_a_draft", _("Channels are added to a draft."))
    municipality = validate_channel(data)
    position = (version.channels.aggregate(n=Max("position"))["n"] or 0) + 1
    channel = Channel.objects.create(
        alliance=alliance,
        version=version,
        position=position,
        kind=data.kind,
        name_fi=data.name_fi.strip(),
        name_sv=data.name_sv.strip(),
        name_en=data.name_en.strip(),
        street=data.street.strip(),
        postal_code=data.postal_code.strip(),
        municipality=municipality,
        phone=data.phone.strip(),
        url=data.url.strip(),
        email=data.email.strip(),
        hours=sorted(data.hours, key=lambda row: row["day"]),
        languages=sorted(set(data.languages)),
        accessibility_fi=data.accessibility_fi.strip(),
        accessibility_sv=data.accessibility_sv.strip(),
        accessibility_en=data.accessibility_en.strip(),
    )
    audit_append(
        actor=actor,
        alliance=alliance,
        action=actions.SERVICE_CHANNEL_ADD,
        obj=channel,
        after={"service": version.service.number, "version": version.version, **asdict(data)},
    )
    return channel


@transaction.atomic
def service_channel_remove(*, actor: User, channel: Channel) -> None:
    alliance = alliance_lock(channel.alliance, actor, live=True)
    version = _locked(channel.version)
    _check_edit(actor, alliance, version)
    if version.status != VersionStatus.DRAFT:
        raise DomainError("not_a_draft", _("Channels are removed from a draft."))
    audit_append(
        actor=actor,
        alliance=alliance,
        action=actions.SERVICE_CHANNEL_REMOVE,
        obj=channel,
        before={
            "service": version.service.number,
            "kind": channel.kind,
            "name_fi": channel.name_fi,
        },
    )
    channel.delete()


def _reviewers(alliance: Alliance, version: ServiceVersion) -> list[User]:
    from allianssi.accounts.models import User
    from allianssi.alliances.models import Role

    responsible, _producers = _party_ids(version)
    return list(
        User.objects.filter(
            is_active=True,
            alliance_roles__alliance=alliance,
            alliance_roles__revoked_at__isnull=True,
            alliance_roles__role__in=[Role.CONTROLLER, Role.LEADERSHIP, Role.MANAGER],
            organisation_id__in=responsible,
        ).distinct()
    )


@transaction.atomic
def service_submit(*, actor: User, version: ServiceVersion) -> ServiceVersion:
    """Send a draft to review. It must be complete: a channel to reach the service by."""
    alliance = alliance_lock(version.alliance, actor, live=True)
    version = _locked(version)
    _check_edit(actor, alliance, version)
    if not version.channels.exists():
        raise DomainError(
            "channel_required",
            _("Add at least one way to reach the service before sending it to review."),
        )
    _move(version, VersionStatus.IN_REVIEW)
    version.submitted_by = actor
    version.submitted_at = clock.now()
    version.return_reason = ""
    version.save(update_fields=["status", "submitted_by", "submitted_at", "return_reason"])
    notify(
        users=_reviewers(alliance, version),
        alliance=alliance,
        kind="service_submitted",
        params={"name": version.name_fi, "number": version.service.number},
        url=service_url(version.service),
        exclude=actor,
    )
    audit_append(
        actor=actor,
        alliance=alliance,
        action=actions.SERVICE_SUBMIT,
        obj=version,
        after={"service": version.service.number, "version": version.version},
    )
    return version


@transaction.atomic
def service_return(*, actor: User, version: ServiceVersion, reason: str) -> ServiceVersion:
    """The reviewer sends a draft back, saying what to change."""
    alliance = alliance_lock(version.alliance, actor, live=True)
    version = _locked(version)
    _check_review(actor, alliance, version)
    _text(reason.strip(), "reason", NOTE)
    if not reason.strip():
        raise DomainError("reason_required", _("Say what should be changed."), field="reason")
    if version.status != VersionStatus.IN_REVIEW:
        raise DomainError("not_in_review", _("Only a version waiting for review can be returned."))
    _move(version, VersionStatus.DRAFT)
    version.return_reason = reason.strip()
    version.reviewed_by = actor
    version.reviewed_at = clock.now()
    version.save(update_fields=["status", "return_reason", "reviewed_by", "reviewed_at"])
    notify(
        users=[version.submitted_by, version.created_by],
        alliance=alliance,
        kind="service_returned",
        params={"name": version.name_fi, "reason": version.return_reason},
        url=service_url(version.service),
        exclude=actor,
    )
    audit_append(
        actor=actor,
        alliance=alliance,
        action=actions.SERVICE_RETURN,
        obj=version,
        after={"service": version.service.number, "reason": version.return_reason},
    )
    return version


def _check_publishable(alliance: Alliance, version: ServiceVersion) -> None:
    if alliance.phase not in DELIVERY_PHASES:
        raise DomainError(
            "phase_not_delivering",
            _(
                "Services are published once the alliance delivers them: in its development or "
                "implementation phase."
            ),
        )
    members = _members(alliance)
    for party in version.parties.select_related("organisation"):
        member = members.get(party.organisation_id)
        wanted = (
            {MemberRole.ORGANIZER}
            if party.role == PartyRole.RESPONSIBLE
            else {MemberRole.PRODUCER, MemberRole.OWN_PRODUCTION}
        )
        if member is None or member.role not in wanted:
            raise DomainError(
                "party_not_member",
                _("%(party)s is no longer a member of the alliance in that role."),
                party=party.organisation.name,
            )
    today = clock.today()
    if version.valid_to is not None and version.valid_to < today:
        raise DomainError("validity_past", _("The service's validity has already ended."))


@transaction.atomic
def service_publish(*, actor: User, version: ServiceVersion) -> ServiceVersion:
    """Publish a reviewed version; the version it replaces is kept as superseded."""
    alliance = alliance_lock(version.alliance, actor, live=True)
    version = _locked(version)
    _check_review(actor, alliance, version)
    if version.status != VersionStatus.IN_REVIEW:
        raise DomainError("not_in_review", _("Only a version waiting for review can be published."))
    _check_publishable(alliance, version)
    now = clock.now()
    with configuration_change(alliance.pk):
        previous = (
            ServiceVersion.objects.select_for_update()
            .filter(service=version.service, status=VersionStatus.PUBLISHED)
            .first()
        )
        if previous is not None:
            _move(previous, VersionStatus.SUPERSEDED)
            previous.ended_at = now
            previous.save(update_fields=["status", "ended_at"])
        _move(version, VersionStatus.PUBLISHED)
        version.reviewed_by = actor
        version.reviewed_at = now
        version.published_at = now
        version.save(update_fields=["status", "reviewed_by", "reviewed_at", "published_at"])
        search.index(version)
    notify(
        users=[version.submitted_by, version.created_by],
        alliance=alliance,
        kind="service_published",
        params={"name": version.name_fi},
        url=service_url(version.service),
        exclude=actor,
    )
    audit_append(
        actor=actor,
        alliance=alliance,
        action=actions.SERVICE_PUBLISH,
        obj=version,
        after={
            "service": version.service.number,
            "version": version.version,
            "replaces": previous.version if previous else None,
        },
    )
    return version


@transaction.atomic
def service_revise(*, actor: User, service: Service) -> ServiceVersion:
    """Start the next version as a draft copy of the newest one (the published one, if any)."""
    alliance = alliance_lock(service.alliance, actor, live=True)
    Service.objects.select_for_update().get(pk=service.pk)
    latest = service.versions.order_by("-version").first()
    assert latest is not None  # every service is created with its first version
    _check_edit(actor, alliance, latest)
    if service.versions.filter(status__in=OPEN_STATUSES).exists():
        raise DomainError("version_open", _("The service already has a version being prepared."))
    copy = ServiceVersion.objects.get(pk=latest.pk)
    parties = list(latest.parties.all())
    channels = list(latest.channels.all())
    copy.pk = None
    copy.version = latest.version + 1
    copy.status = VersionStatus.DRAFT
    copy.created_by = actor
    for key in (
        "submitted_by",
        "submitted_at",
        "reviewed_by",
        "reviewed_at",
        "published_at",
        "ended_at",
    ):
        setattr(copy, key, None)
    copy.return_reason = ""
    copy.withdraw_reason = ""
    copy.save(force_insert=True)
    for party in parties:
        party.pk = None
        party.version = copy
    ServiceParty.objects.bulk_create(parties)
    for channel in channels:
        channel.pk = None
        channel.version = copy
    Channel.objects.bulk_create(channels)
    audit_append(
        actor=actor,
        alliance=alliance,
        action=actions.SERVICE_REVISE,
        obj=copy,
        after={"service": service.number, "version": copy.version, "from": latest.version},
    )
    return copy


def _withdraw(
    *, actor: User | None, alliance: Alliance, service: Service, reason: str, action: actions.Action
) -> list[ServiceVersion]:
    now = clock.now()
    ended = list(
        ServiceVersion.objects.select_for_update()
        .filter(service=service, status__in=[*OPEN_STATUSES, VersionStatus.PUBLISHED])
        .order_by("version")
    )
    for version in ended:
        _move(version, VersionStatus.WITHDRAWN)
        version.ended_at = now
        version.withdraw_reason = reason
        version.save(update_fields=["status", "ended_at", "withdraw_reason"])
    search.unindex(service)
    audit_append(
        actor=actor,
        alliance=alliance,
        action=action,
        obj=service,
        after={"service": service.number, "versions": [v.version for v in ended], "reason": reason},
    )
    return ended


@transaction.atomic
def service_withdraw(*, actor: User, service: Service, reason: str) -> Service:
    """Take a service off the catalogue, with the versions being prepared; history is kept."""
    alliance = alliance_lock(service.alliance, actor)
    service = Service.objects.select_for_update().get(pk=service.pk)
    latest = service.versions.order_by("-version").first()
    assert latest is not None
    _check_review(actor, alliance, latest)
    _text(reason.strip(), "reason", NOTE)
    if not reason.strip():
        raise DomainError("reason_required", _("Say why the service is withdrawn."), field="reason")
    ended = _withdraw(
        actor=actor,
        alliance=alliance,
        service=service,
        reason=reason.strip(),
        action=actions.SERVICE_WITHDRAW,
    )
    if not ended:
        raise DomainError("nothing_to_withdraw", _("The service has already been withdrawn."))
    return service


def on_membership_ended(actor: object, alliance_id: int, organisation_id: int) -> None:
    """A party left: every service it is named in (published or being prepared) is withdrawn,
    and the services' responsible organizers are told. Runs in the ending's transaction."""
    from allianssi.accounts.models import User

    services = Service.objects.filter(
        pk__in=ServiceVersion.objects.filter(
            alliance_id=alliance_id,
            status__in=[*OPEN_STATUSES, VersionStatus.PUBLISHED],
            parties__organisation_id=organisation_id,
        ).values("service_id")
    ).select_related("alliance")
    party = Organisation.objects.get(pk=organisation_id)
    reason = str(_("%(party)s left the alliance.") % {"party": party.name})
    for service in services.order_by("number"):
        ended = _withdraw(
            actor=actor if isinstance(actor, User) else None,
            alliance=service.alliance,
            service=service,
            reason=reason,
            action=actions.SERVICE_WITHDRAW_LEFT,
        )
        responsible: set[int] = set()
        for version in ended:
            responsible |= _party_ids(version)[0]
        notify(
            users=User.objects.filter(
                is_active=True,
                organisation_id__in=responsible - {organisation_id},
                alliance_roles__alliance=service.alliance,
                alliance_roles__revoked_at__isnull=True,
            ).distinct(),
            alliance=service.alliance,
            kind="service_withdrawn_left",
            params={"name": ended[-1].name_fi, "party": party.name},
            url=service_url(service),
        )


@transaction.atomic
def catalogue_settings_update(
    *, actor: User, alliance: Alliance, public: bool, request_retention_days: int
) -> CatalogueSettings:
    alliance = alliance_lock(alliance, actor, live=True)
    if not permissions.can_manage_catalogue(actor, alliance):
        raise forbidden()
    if not 1 <= request_retention_days <= 730:
        raise DomainError(
            "retention_range",
            _("Keep requests from 1 to 730 days."),
            field="request_retention_days",
        )
    current, created = CatalogueSettings.objects.get_or_create(
        alliance=alliance,
        defaults={"public": public, "request_retention_days": request_retention_days},
    )
    before = (
        None
        if created
        else {
            "public": current.public,
            "request_retention_days": current.request_retention_days,
        }
    )
    current.public = public
    current.request_retention_days = request_retention_days
    current.save()
    audit_append(
        actor=actor,
        alliance=alliance,
        action=actions.CATALOGUE_SETTINGS,
        obj=current,
        before=before,
        after={"public": public, "request_retention_days": request_retention_days},
    )
    return current


# Requests from the public -----------------------------------------------------------------------


def source_key(address: str) -> str:
    """A keyed digest of the sender's address: enough to count its requests, never the address."""
    return hmac.new(
        settings.SECRET_KEY.encode(), f"service-request:{address}".encode(), hashlib.sha256
    ).hexdigest()


@dataclass(frozen=True)
class RequestInput:
    customer_type: str
    name: str
    contact: str
    municipality_code: str
    message: str
    company_name: str = ""
    business_id: str = ""


def _validate_request(data: RequestInput) -> tuple[Municipality, str]:
    if data.customer_type not in CustomerType.values:
        raise DomainError(
            "customer_type_required",
            _("Say whether you ask as a person or for a company."),
            field="customer_type",
        )
    for key, limit in (("name", 200), ("contact", 200), ("company_name", 200)):
        _text(getattr(data, key).strip(), key, limit)
    if not data.name.strip():
        raise DomainError("name_required", _("Write your name."), field="name")
    if not data.contact.strip():
        raise DomainError(
            "contact_required",
            _("Write how we can reach you: a phone number or an e-mail address."),
            field="contact",
        )
    if not data.message.strip():
        raise DomainError("message_required", _("Write what you need."), field="message")
    _text(data.message.strip(), "message", 5_000)
    municipality = Municipality.objects.filter(code=data.municipality_code).first()
    if municipality is None:
        raise DomainError(
            "municipality_required", _("Choose your municipality."), field="municipality"
        )
    business_id = ""
    if data.customer_type == CustomerType.COMPANY:
        if not data.company_name.strip():
            raise DomainError(
                "company_required", _("Write the company's name."), field="company_name"
            )
        try:
            business_id = ytunnus.format(ytunnus.validate(data.business_id))
        except StdnumError:
            raise DomainError(
                "business_id_invalid",
                _("“%(value)s” is not a valid business ID (Y-tunnus): write it as 1234567-1."),
                field="business_id",
                value=data.business_id.strip()[:20],
            ) from None
    return municipality, business_id


def _route(version: ServiceVersion, municipality: Municipality) -> Organisation:
    """The responsible organizer a request goes to: the requester's own municipality (or its
    joint body) where it is responsible, else the region, else the first responsible."""
    responsible = [
        p.organisation
        for p in version.parties.select_related("organisation").order_by("organisation__name")
        if p.role == PartyRole.RESPONSIBLE
    ]
    for organisation in responsible:
        if organisation.municipality_id == municipality.pk:
            return organisation
    for organisation in responsible:
        if (
            organisation.kind == OrganisationKind.JOINT_BODY
            and organisation.joint_body_memberships.filter(
                municipality__municipality=municipality
            ).exists()
        ):
            return organisation
    for organisation in responsible:
        if organisation.kind == OrganisationKind.REGION:
            return organisation
    return responsible[0]


@transaction.atomic
def service_request_create(
    *, service: Service, data: RequestInput, language: str, address: str
) -> ServiceRequest:
    """Someone asks for a published service; the request waits in the responsible organizer's
    queue. No account is needed; one address may send a few requests an hour."""
    alliance = alliance_lock(service.alliance)
    service = Service.objects.select_related("current").get(pk=service.pk)
    version = service.current
    settings_row = CatalogueSettings.objects.filter(alliance=alliance, public=True).first()
    if version is None or settings_row is None or alliance.phase not in DELIVERY_PHASES:
        raise DomainError("service_unavailable", _("The service is not available."))
    municipality, business_id = _validate_request(data)
    now = clock.now()
    source = source_key(address)
    recent = ServiceRequest.objects.filter(
        source=source, created_at__gte=now - dt.timedelta(hours=1)
    ).count()
    if recent >= REQUESTS_PER_HOUR:
        raise DomainError(
            "rate_limited",
            _(
                "Many requests have been sent from your connection. Try again in an hour, or call "
                "the service."
            ),
        )
    organizer = _route(version, municipality)
    request = ServiceRequest.objects.create(
        alliance=alliance,
        service=service,
        organizer=organizer,
        customer_type=data.customer_type,
        name=data.name.strip(),
        contact=data.contact.strip(),
        municipality=municipality,
        company_name=data.company_name.strip() if business_id else "",
        business_id=business_id,
        message=data.message.strip(),
        language=language[:2],
        source=source,
        created_at=now,
        delete_after=clock.today() + dt.timedelta(days=settings_row.request_retention_days),
    )
    from allianssi.accounts.models import User
    from allianssi.alliances.models import Role

    notify(
        users=User.objects.filter(
            is_active=True,
            organisation=organizer,
            alliance_roles__alliance=alliance,
            alliance_roles__revoked_at__isnull=True,
            alliance_roles__role__in=[Role.MANAGER, Role.CONTROLLER, Role.LEADERSHIP],
        ).distinct(),
        alliance=alliance,
        kind="service_requested",
        params={"name": version.name_fi},
        url=reverse("catalogue:request", args=[alliance.pk, request.pk]),
    )
    # The audit trail names the request, never the person: the request row holds that.
    audit_append(
        actor=None,
        alliance=alliance,
        action=actions.SERVICE_REQUEST_CREATE,
        obj=request,
        after={"service": service.number, "organizer": organizer.pk, "type": data.customer_type},
    )
    return request


@transaction.atomic
def service_request_read(*, actor: User, request: ServiceRequest) -> None:
    """Someone opened a request: personal data, so the read is recorded (who and when)."""
    alliance = alliance_lock(request.alliance, actor)
    if not permissions.can_handle_service_requests(
        actor, alliance, organizer_id=request.organizer_id
    ):
        raise forbidden()
    audit_append(
        actor=actor,
        alliance=alliance,
        action=actions.SERVICE_REQUEST_READ,
        obj=request,
        after={"service": request.service.number},
    )


@transaction.atomic
def service_request_handle(*, actor: User, request: ServiceRequest, note: str) -> ServiceRequest:
    alliance = alliance_lock(request.alliance, actor)
    request = ServiceRequest.objects.select_for_update().get(pk=request.pk)
    if not permissions.can_handle_service_requests(
        actor, alliance, organizer_id=request.organizer_id
    ):
        raise forbidden()
    if request.status == RequestStatus.HANDLED:
        raise DomainError("already_handled", _("The request has already been handled."))
    _text(note.strip(), "note", 5_000)
    request.status = RequestStatus.HANDLED
    request.handled_by = actor
    request.handled_at = clock.now()
    request.handling_note = note.strip()
    request.save(update_fields=["status", "handled_by", "handled_at", "handling_note"])
    audit_append(
        actor=actor,
        alliance=alliance,
        action=actions.SERVICE_REQUEST_HANDLE,
        obj=request,
        after={"service": request.service.number},
    )
    return request


def service_requests_purge(*, today: dt.date | None = None) -> int:
    """Delete every request whose retention period has passed; one audit record per alliance
    with the count. Returns how many were deleted."""
    today = today or clock.today()
    deleted = 0
    expired_alliances = (
        ServiceRequest.objects.filter(delete_after__lt=today)
        .values_list("alliance_id", flat=True)
        .distinct()
    )
    for alliance_id in sorted(set(expired_alliances)):
        with transaction.atomic():
            alliance = alliance_lock(Alliance(pk=alliance_id))
            expired = ServiceRequest.objects.filter(alliance=alliance, delete_after__lt=today)
            ids = list(expired.values_list("pk", flat=True))
            if not ids:
                continue
            count, _detail = ServiceRequest.objects.filter(pk__in=ids).delete()
            settings_row = CatalogueSettings.objects.filter(alliance=alliance).first()
            audit_append(
                actor=None,
                alliance=alliance,
                action=actions.SERVICE_REQUEST_PURGE,
                obj=settings_row or alliance,
                after={"deleted": count, "before": today},
            )
            deleted += count
    return deleted
