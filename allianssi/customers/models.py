"""The people and companies an alliance serves, as each organizer's own customers.

A :class:`Customer` row is one organizer's record of one person or company in one alliance: the
organizer is the controller of that data (GDPR Art. 4(7)), with a recorded legal basis. The same
person served by two organizers has two records, matched by the keyed pseudonym of their
henkilötunnus (:mod:`allianssi.identification.identity`), never by the number itself, which is kept
only encrypted. Every read of a record is logged (:class:`CustomerAccess`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from allianssi.alliances.keyed import AllianceKeyed
from allianssi.alliances.models import Alliance
from allianssi.parties.models import Municipality, Organisation


class CustomerKind(models.TextChoices):
    PERSON = "person", _("Person")
    COMPANY = "company", _("Company")


class LegalBasis(models.TextChoices):
    """Why the organizer may process the customer's data (GDPR Art. 6(1))."""

    STATUTORY = "statutory", _("The organizer's statutory task")
    CONSENT = "consent", _("The customer's consent")


class StatutoryTask(models.TextChoices):
    """The statutory tasks an organizer serves customers under (GDPR Art. 6(1)(c) and (e))."""

    EMPLOYMENT = "employment", _("Public employment services (Act 380/2023)")
    INTEGRATION = "integration", _("Promotion of integration (Act 681/2023)")
    BUSINESS = "business", _("The municipality's business and vitality services (Act 410/2015)")


#: Retention unless the organizer sets its own: five years after the last episode.
DEFAULT_RETENTION_DAYS = 1826


class ControllerSettings(models.Model):
    """How long an organizer keeps its customers' data after their last episode of service."""

    alliance = models.ForeignKey(Alliance, on_delete=models.PROTECT, related_name="+")
    organizer = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    retention_days = models.PositiveSmallIntegerField(
        _("days the data is kept after the last episode"), default=DEFAULT_RETENTION_DAYS
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["alliance", "organizer"], name="customer_settings_one_per_organizer"
            ),
            models.CheckConstraint(
                name="customer_retention_range",
                condition=Q(retention_days__gte=30, retention_days__lte=3653),
                violation_error_message=_("Keep the data from 30 days to ten years."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organizer} / {self.alliance}"


class Customer(models.Model):
    """One organizer's customer: a person or a company, with the minimum needed to serve it."""

    alliance = models.ForeignKey(Alliance, on_delete=models.PROTECT, related_name="+")
    organizer = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("organizer")
    )
    number = models.PositiveIntegerField(_("number"))
    kind = models.CharField(_("kind"), max_length=10, choices=CustomerKind.choices)
    # A person: the henkilötunnus encrypted, and its keyed pseudonym; never the number in clear.
    pseudonym = models.CharField(max_length=64, blank=True)
    hetu_token = models.TextField(blank=True)
    # A company: its Y-tunnus, size and age, which services' eligibility reads.
    business_id = models.CharField(_("business ID (Y-tunnus)"), max_length=9, blank=True)
    employees = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    registered_on = models.DateField(_("registered"), null=True, blank=True)
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("municipality of residence"),
        null=True,
        blank=True,
    )
    language = models.CharField(_("language"), max_length=2, default="fi")
    jobseeker = models.BooleanField(_("registered as a job-seeker"), default=False)
    legal_basis = models.CharField(_("legal basis"), max_length=10, choices=LegalBasis.choices)
    statutory_task = models.CharField(
        _("statutory task"), max_length=20, choices=StatutoryTask.choices, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"))
    last_activity_on = models.DateField(_("last served"), db_index=True)
    erased_at = models.DateTimeField(_("personal data erased"), null=True, blank=True)

    class Meta:
        ordering = ["alliance", "number"]
        indexes = [
            models.Index(fields=["alliance", "pseudonym"], name="customer_pseudonym"),
            # A person's records in every alliance (the person's own pages).
            models.Index(fields=["pseudonym"], name="customer_by_pseudonym"),
            models.Index(fields=["alliance", "business_id"], name="customer_business_id"),
            models.Index(fields=["organizer", "alliance", "name"], name="customer_organizer_name"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["alliance", "number"], name="customer_number_unique"),
            models.UniqueConstraint(
                fields=["alliance", "organizer", "pseudonym"],
                condition=Q(kind="person", erased_at__isnull=True),
                name="customer_person_once_per_organizer",
                violation_error_message=_("The organizer already has this person as a customer."),
            ),
            models.UniqueConstraint(
                fields=["alliance", "organizer", "business_id"],
                condition=Q(kind="company", erased_at__isnull=True),
                name="customer_company_once_per_organizer",
                violation_error_message=_("The organizer already has this company as a customer."),
            ),
            models.CheckConstraint(
                name="customer_identified",
                condition=Q(erased_at__isnull=False)
                | Q(kind="person", business_id="") & ~Q(pseudonym="") & ~Q(hetu_token="")
                | Q(kind="company", pseudonym="", hetu_token="") & ~Q(business_id=""),
            ),
            models.CheckConstraint(
                name="customer_statutory_task_named",
                condition=~Q(legal_basis="statutory") | ~Q(statutory_task=""),
            ),
        ]

    def __str__(self) -> str:
        return self.name if self.erased_at is None else f"#{self.number}"


class Consent(AllianceKeyed):
    """The customer's consent to the processing of its data for one named purpose."""

    alliance_parent = "customer"
    alliance = models.ForeignKey(
        "alliances.Alliance", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="consents")
    purpose = models.CharField(_("purpose"), max_length=300)
    given_at = models.DateTimeField(_("given"))
    given_via = models.CharField(max_length=10)  # "staff" (recorded by) or "self" (signed in)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawn_via = models.CharField(max_length=10, blank=True)

    class Meta:
        ordering = ["customer", "given_at", "pk"]

    def __str__(self) -> str:
        return self.purpose

    @property
    def active(self) -> bool:
        return self.withdrawn_at is None


class AccessReason(models.TextChoices):
    VIEW = "view", _("Viewed the customer's record")
    PATH = "path", _("Viewed the customer's path")
    REFERRAL = "referral", _("Handled a referral")
    IDENTITY = "identity", _("Viewed the personal identity code")
    EXPORT = "export", _("Exported the data")
    SELF = "self", _("The customer viewed their own data")
    API = "api", _("Read through the API")


class CustomerAccess(AllianceKeyed):
    """One read of a customer's record: who, when and why. The organizer reviews them."""

    alliance_parent = "customer"
    alliance = models.ForeignKey(
        "alliances.Alliance", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="accesses")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, related_name="+"
    )
    at = models.DateTimeField(_("when"))
    reason = models.CharField(_("why"), max_length=10, choices=AccessReason.choices)
    detail = models.CharField(_("what"), max_length=200, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["customer", "at"], name="customer_access_customer")]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.at:%Y-%m-%d %H:%M}"


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Checking and importing")
    CHECKED = "checked", _("Checked, nothing saved")
    IMPORTED = "imported", _("Imported")
    REJECTED = "rejected", _("Rejected")
    FAILED = "failed", _("Failed")


class CustomerImportJob(models.Model):
    """A file of an organizer's customers uploaded on the import page: checked only (a dry run)
    or imported, in the background (``allianssi.customers.jobs``), with its outcome kept.

    The file holds henkilötunnus codes in clear, so it is deleted as soon as its run ends; what
    is kept here identifies nobody: the counts, and each rejected line's number, field and
    reason (the messages name fields, codes of the file's own vocabulary, and line and customer
    numbers, never a person's data). The messages are kept as the uploader's language wrote
    them (``language``)."""

    alliance = models.ForeignKey(Alliance, on_delete=models.PROTECT, related_name="+")
    organizer = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    source = models.CharField(_("file"), max_length=200)
    dry_run = models.BooleanField(_("check only"), default=False)
    language = models.CharField(max_length=8, default="fi")
    status = models.CharField(
        _("status"), max_length=20, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    #: ``ImportResult.counts()`` once checked or imported.
    counts = models.JSONField(default=dict, blank=True)
    lines = models.PositiveIntegerField(_("lines read"), default=0)
    rejected = models.PositiveIntegerField(_("lines rejected"), default=0)
    #: [line, field, message] of the first rejected lines (``importing.REPORT_LIMIT``).
    errors = models.JSONField(default=list, blank=True)
    #: Why the file was refused as a whole, in ``language``; empty if it was not.
    message = models.TextField(blank=True)
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["alliance", "-created_at"]

    def __str__(self) -> str:
        return f"{self.source} ({self.status})"

    @property
    def finished(self) -> bool:
        return self.status not in {ImportStatus.QUEUED, ImportStatus.RUNNING}
