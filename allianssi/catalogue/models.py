"""The alliance's combined service catalogue: one front door for the people and companies served.

A :class:`Service` is one service of an alliance across time; each change to it is a
:class:`ServiceVersion`, drafted by the producer's or organizer's people, reviewed and published by
the project office or a responsible organizer. A published version never changes: a change is the
next version, published again, and the version it replaces is kept as superseded. A withdrawn
service keeps every version. Roles stay separate (DESIGN M1, M10): each version names its
responsible organizers and its producing parties with their provision type, PTV's own
distinction (*Responsible* / *Producer*, *ProcuredServices* / *SelfProducedServices*).

The published version of each service is indexed for the public search in the service's own row
(``search_*`` on PostgreSQL, ``stems_*`` on SQLite) and in :class:`ServiceFacet` rows, derived
from the version and rebuilt by ``catalogue_reindex``. People ask for a service through a
:class:`ServiceRequest`, which waits in the responsible organizer's queue and is deleted when its
retention period has passed.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import F, Q
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from allianssi.alliances.keyed import AllianceKeyed
from allianssi.alliances.models import Alliance, Phase, ServiceArea
from allianssi.parties.models import Municipality, Organisation

LANGUAGES = ("fi", "sv", "en")

#: The phases in which an alliance delivers services, and so may publish them.
DELIVERY_PHASES = frozenset({Phase.DEVELOPMENT, Phase.IMPLEMENTATION})


def in_language(obj: object, field: str, language: str | None = None) -> str:
    """``obj.<field>_<language>``, the Finnish text where the language's own is empty."""
    language = (language or get_language() or "fi")[:2]
    if language not in LANGUAGES:
        language = "fi"
    return getattr(obj, f"{field}_{language}", "") or getattr(obj, f"{field}_fi", "")


class VersionStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("service version", "Draft")
    IN_REVIEW = "in_review", pgettext_lazy("service version", "Waiting for review")
    PUBLISHED = "published", pgettext_lazy("service version", "Published")
    SUPERSEDED = "superseded", pgettext_lazy("service version", "Replaced by a newer version")
    WITHDRAWN = "withdrawn", pgettext_lazy("service version", "Withdrawn")


#: Every allowed change of a version's status, and nothing else (``services._move``). A returned
#: draft goes back from review to draft with the reviewer's reason.
TRANSITIONS: dict[str, frozenset[str]] = {
    VersionStatus.DRAFT: frozenset({VersionStatus.IN_REVIEW, VersionStatus.WITHDRAWN}),
    VersionStatus.IN_REVIEW: frozenset(
        {VersionStatus.PUBLISHED, VersionStatus.DRAFT, VersionStatus.WITHDRAWN}
    ),
    VersionStatus.PUBLISHED: frozenset({VersionStatus.SUPERSEDED, VersionStatus.WITHDRAWN}),
    VersionStatus.SUPERSEDED: frozenset(),
    VersionStatus.WITHDRAWN: frozenset(),
}
OPEN_STATUSES = frozenset({VersionStatus.DRAFT, VersionStatus.IN_REVIEW})


class Jobseeker(models.TextChoices):
    ANY = "any", _("Anyone, registered as a job-seeker or not")
    REGISTERED = "registered", _("Only registered job-seekers")
    NOT_REGISTERED = "not_registered", _("Only people not registered as job-seekers")


class CatalogueSettings(models.Model):
    """Whether the alliance shows its services to the public, and how long requests are kept."""

    alliance = models.OneToOneField(
        Alliance, on_delete=models.PROTECT, related_name="catalogue_settings"
    )
    public = models.BooleanField(_("publish the alliance's services on the public pages"))
    request_retention_days = models.PositiveSmallIntegerField(
        _("days a request for a service is kept"), default=90
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="catalogue_retention_range",
                condition=Q(request_retention_days__gte=1, request_retention_days__lte=730),
                violation_error_message=_("Keep requests from 1 to 730 days."),
            )
        ]

    def __str__(self) -> str:
        return str(self.alliance)


class PublicEdition(models.Model):
    """One row naming the public catalogue's current edition: a fresh token every time a service
    is published or taken off it. Rendered public pages are kept under the token they were made
    with (:mod:`allianssi.catalogue.pagecache`), so a change anywhere reaches every server process
    at once, without the processes sharing anything but the database."""

    token = models.CharField(max_length=32)
    changed_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.token


class Service(models.Model):
    """One service of an alliance, across its versions."""

    alliance = models.ForeignKey(Alliance, on_delete=models.PROTECT, related_name="services")
    number = models.PositiveIntegerField(_("number"))
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    current = models.OneToOneField(
        "ServiceVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published version"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # The search index of the published version (derived; see ``search.py``).
    search_fi = SearchVectorField(null=True, blank=True)
    search_sv = SearchVectorField(null=True, blank=True)
    search_en = SearchVectorField(null=True, blank=True)
    stems_fi = models.TextField(blank=True, default="")
    stems_sv = models.TextField(blank=True, default="")
    stems_en = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["alliance", "number"]
        verbose_name = _("service")
        verbose_name_plural = _("services")
        constraints = [
            models.UniqueConstraint(
                fields=["alliance", "number"], name="service_number_unique_in_alliance"
            )
        ]
        # The public pages count and page the published services of the publishing alliances
        # from this index alone (with the versions' validity index), not the wide rows.
        indexes = [models.Index(fields=["alliance", "current"], name="service_public_lookup")]

    def __str__(self) -> str:
        return f"#{self.number}"


class ServiceVersion(models.Model):
    """What a service is, who it is for and how to reach it, as of one version."""

    alliance = models.ForeignKey(Alliance, on_delete=models.PROTECT, related_name="+")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveSmallIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=20, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    service_area = models.CharField(_("service area"), max_length=20, choices=ServiceArea.choices)
    name_fi = models.CharField(_("name in Finnish"), max_length=200)
    name_sv = models.CharField(_("name in Swedish"), max_length=200, blank=True)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    summary_fi = models.CharField(_("summary in Finnish"), max_length=500)
    summary_sv = models.CharField(_("summary in Swedish"), max_length=500, blank=True)
    summary_en = models.CharField(_("summary in English"), max_length=500, blank=True)
    description_fi = models.TextField(_("description in Finnish"))
    description_sv = models.TextField(_("description in Swedish"), blank=True)
    description_en = models.TextField(_("description in English"), blank=True)
    instructions_fi = models.TextField(_("user instructions in Finnish"), blank=True)
    instructions_sv = models.TextField(_("user instructions in Swedish"), blank=True)
    instructions_en = models.TextField(_("user instructions in English"), blank=True)
    # Who it is for.
    for_persons = models.BooleanField(_("for persons"), default=True)
    for_companies = models.BooleanField(_("for companies"), default=False)
    target_groups = models.JSONField(_("target groups"), default=list, blank=True)
    service_classes = models.JSONField(_("service classes"), default=list, blank=True)
    municipalities = models.JSONField(_("municipalities served"), default=list, blank=True)
    # Eligibility, as data.
    min_age = models.PositiveSmallIntegerField(_("youngest age"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("oldest age"), null=True, blank=True)
    residence_required = models.BooleanField(
        _("only for residents of the municipalities served"), default=False
    )
    jobseeker = models.CharField(
        _("job-seeker registration"), max_length=20, choices=Jobseeker.choices, default="any"
    )
    company_max_employees = models.PositiveIntegerField(
        _("largest company (employees)"), null=True, blank=True
    )
    company_max_age_years = models.PositiveSmallIntegerField(
        _("oldest company (years since registration)"), null=True, blank=True
    )
    conditions_fi = models.TextField(_("other conditions in Finnish"), blank=True)
    conditions_sv = models.TextField(_("other conditions in Swedish"), blank=True)
    conditions_en = models.TextField(_("other conditions in English"), blank=True)
    # Terms.
    chargeable = models.BooleanField(_("chargeable"), default=False)
    charge_fi = models.CharField(_("what it costs, in Finnish"), max_length=500, blank=True)
    charge_sv = models.CharField(_("what it costs, in Swedish"), max_length=500, blank=True)
    charge_en = models.CharField(_("what it costs, in English"), max_length=500, blank=True)
    capacity_per_month = models.PositiveIntegerField(
        _("capacity (customers a month)"), null=True, blank=True
    )
    answer_days = models.PositiveSmallIntegerField(
        _("days to answer a referral"),
        default=14,
        help_text=_("A referral not accepted or rejected in this time expires."),
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid until"), null=True, blank=True)
    public_authority = models.BooleanField(
        _("includes public administrative tasks"),
        default=False,
        help_text=_(
            "Decisions or statements that use public authority, such as decisions that grant "
            "or refuse a service or statements to benefit payers."
        ),
    )
    # The workflow.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("sent for review"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    return_reason = models.TextField(_("why it was returned"), blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    ended_at = models.DateTimeField(_("replaced or withdrawn"), null=True, blank=True)
    withdraw_reason = models.TextField(_("why it was withdrawn"), blank=True)

    class Meta:
        ordering = ["service", "version"]
        verbose_name = _("service version")
        verbose_name_plural = _("service versions")
        indexes = [
            # The unfiltered public list walks the names in order; its count reads validity.
            models.Index(fields=["name_fi"], name="service_version_name_fi"),
            models.Index(fields=["id", "valid_from", "valid_to"], name="service_version_validity"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["service", "version"], name="service_version_unique_number"
            ),
            models.UniqueConstraint(
                fields=["service"],
                condition=Q(status__in=["draft", "in_review"]),
                name="service_one_open_version",
                violation_error_message=_("The service already has a version being prepared."),
            ),
            models.UniqueConstraint(
                fields=["service"],
                condition=Q(status="published"),
                name="service_one_published_version",
            ),
            models.CheckConstraint(
                name="service_version_status_valid",
                condition=Q(status__in=VersionStatus.values),
            ),
            models.CheckConstraint(
                name="service_version_ages_ordered",
                condition=Q(min_age__isnull=True)
                | Q(max_age__isnull=True)
                | Q(max_age__gte=F("min_age")),
                violation_error_message=_("The oldest age cannot be below the youngest."),
            ),
            models.CheckConstraint(
                name="service_version_validity_ordered",
                condition=Q(valid_from__isnull=True)
                | Q(valid_to__isnull=True)
                | Q(valid_to__gte=F("valid_from")),
                violation_error_message=_("A service cannot end before it starts."),
            ),
            models.CheckConstraint(
                name="service_version_has_customers",
                condition=Q(for_persons=True) | Q(for_companies=True),
                violation_error_message=_("A service is for persons, companies or both."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.version})"

    @property
    def name(self) -> str:
        return in_language(self, "name")

    @property
    def summary(self) -> str:
        return in_language(self, "summary")

    @property
    def description(self) -> str:
        return in_language(self, "description")

    @property
    def instructions(self) -> str:
        return in_language(self, "instructions")

    @property
    def conditions(self) -> str:
        return in_language(self, "conditions")

    @property
    def charge(self) -> str:
        return in_language(self, "charge")


class PartyRole(models.TextChoices):
    RESPONSIBLE = "responsible", _("Responsible organizer")
    PRODUCER = "producer", _("Producer")


class Provision(models.TextChoices):
    """How a producing party provides the service (PTV's ``provisionType``)."""

    PROCURED = "procured", _("Procured from a producer")
    SELF_PRODUCED = "self_produced", _("Produced by the organizer's own unit")


class ServiceParty(models.Model):
    """A responsible organizer, or a producing party with its provision type, of one version."""

    alliance = models.ForeignKey(Alliance, on_delete=models.PROTECT, related_name="+")
    version = models.ForeignKey(ServiceVersion, on_delete=models.PROTECT, related_name="parties")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("party")
    )
    role = models.CharField(_("role"), max_length=20, choices=PartyRole.choices)
    provision = models.CharField(
        _("provision"), max_length=20, choices=Provision.choices, blank=True
    )

    class Meta:
        ordering = ["version", "role", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "organisation", "role"], name="service_party_unique"
            ),
            models.CheckConstraint(
                name="service_party_provision_iff_producer",
                condition=Q(role="producer", provision__in=["procured", "self_produced"])
                | Q(role="responsible", provision=""),
                violation_error_message=_(
                    "A producer has a provision type; an organizer has none."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.get_role_display()})"


class ChannelKind(models.TextChoices):
    LOCATION = "location", _("Service location")
    PHONE = "phone", _("Phone")
    WEB_PAGE = "web_page", _("Web page")
    E_SERVICE = "e_service", _("E-service")


class Channel(models.Model):
    """One way to reach a service: a place, a phone number, a web page or an e-service.

    ``hours`` is a list of ``{"day": 1–7 (Monday 1), "opens": "HH:MM", "closes": "HH:MM"}``;
    ``languages`` the codes (fi, sv, en, …) the service is given in through this channel."""

    alliance = models.ForeignKey(Alliance, on_delete=models.PROTECT, related_name="+")
    version = models.ForeignKey(ServiceVersion, on_delete=models.PROTECT, related_name="channels")
    position = models.PositiveSmallIntegerField()
    uuid = models.UUIDField(default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=ChannelKind.choices)
    name_fi = models.CharField(_("name in Finnish"), max_length=200)
    name_sv = models.CharField(_("name in Swedish"), max_length=200, blank=True)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    street = models.CharField(_("street address"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=5, blank=True)
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("municipality"),
    )
    phone = models.CharField(_("phone number"), max_length=30, blank=True)
    url = models.URLField(_("web address"), max_length=500, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    hours = models.JSONField(_("opening hours"), default=list, blank=True)
    languages = models.JSONField(_("languages"), default=list)
    accessibility_fi = models.TextField(_("accessibility in Finnish"), blank=True)
    accessibility_sv = models.TextField(_("accessibility in Swedish"), blank=True)
    accessibility_en = models.TextField(_("accessibility in English"), blank=True)

    class Meta:
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "position"], name="channel_position_unique")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return in_language(self, "name")

    @property
    def accessibility(self) -> str:
        return in_language(self, "accessibility")


class FacetKind(models.TextChoices):
    TARGET_GROUP = "target_group"
    SERVICE_CLASS = "service_class"
    MUNICIPALITY = "municipality"
    CHANNEL = "channel"
    CUSTOMER = "customer"


class ServiceFacet(AllianceKeyed):
    """A value the public search filters the published version of a service by (derived)."""

    alliance_parent = "service"
    alliance = models.ForeignKey(
        "alliances.Alliance", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="facets")
    kind = models.CharField(max_length=20, choices=FacetKind.choices)
    code = models.CharField(max_length=20)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["service", "kind", "code"], name="service_facet_unique")
        ]
        indexes = [models.Index(fields=["kind", "code", "service"], name="service_facet_lookup")]

    def __str__(self) -> str:
        return f"{self.kind}={self.code}"


class CustomerType(models.TextChoices):
    PERSON = "person", _("Person")
    COMPANY = "company", _("Company")


class RequestStatus(models.TextChoices):
    NEW = "new", pgettext_lazy("service request", "New")
    HANDLED = "handled", pgettext_lazy("service request", "Handled")


class ServiceRequest(models.Model):
    """Someone asked for a service on the public pages. Personal data, kept only until
    ``delete_after`` (``catalogue_purge_requests``); the responsible organizer controls it."""

    alliance = models.ForeignKey(Alliance, on_delete=models.PROTECT, related_name="+")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="requests")
    organizer = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("organizer")
    )
    customer_type = models.CharField(
        _("who is asking"), max_length=10, choices=CustomerType.choices
    )
    name = models.CharField(_("name"), max_length=200)
    contact = models.CharField(_("how to reach you"), max_length=200)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="+", verbose_name=_("municipality")
    )
    company_name = models.CharField(_("company"), max_length=200, blank=True)
    business_id = models.CharField(_("business ID (Y-tunnus)"), max_length=9, blank=True)
    message = models.TextField(_("message"))
    language = models.CharField(_("language"), max_length=2)
    source = models.CharField(max_length=64)  # keyed digest of the sender's address (rate limit)
    created_at = models.DateTimeField(_("received"), db_index=True)
    delete_after = models.DateField(_("deleted after"), db_index=True)
    status = models.CharField(
        _("status"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.NEW
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    handled_at = models.DateTimeField(_("handled"), null=True, blank=True)
    handling_note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["source", "created_at"], name="service_request_source")]
        constraints = [
            models.CheckConstraint(
                name="service_request_company_has_id",
                condition=~Q(customer_type="company") | ~Q(business_id=""),
                violation_error_message=_("A company's request carries its business ID."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.service} {self.created_at:%Y-%m-%d}"
