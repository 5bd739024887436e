"""Open books: each organizer's budget with its revisions, and the shared cost ledger.

Budgets of different organizers are never mixed: a budget belongs to one organizer, and every
cost entry names the one organizer whose budget carries it. Cost entries are append-only (a
database trigger refuses UPDATE and DELETE); a correction is a reversing entry that points to the
original. ``LedgerTotal`` is the rollup: the ledger summed per month and (organizer, producer,
service area, category), kept exact in the same transaction as every posting and checked against
the raw ledger by ``openbook_verify``; ``PartyTotal`` and ``OrganizerTotal`` are the rollup's own
rollups, one level coarser each, kept in the same writes and checked the same way.

Ledger and rollup amounts are whole cents in the database (``CentsField``), so SQL sums are exact
on every engine. The ledger's references carry no database foreign-key constraint and only the
indexes its reads use: with them PostgreSQL took 43 000 rows/s, without them over 250 000 (ADR
0010). What a constraint would check, the services check more strictly (the party must be a
current member in the right role), nothing referenced is ever deleted (``PROTECT``), and
``openbook_verify`` checks that every reference resolves.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from allianssi.alliances.keyed import AllianceKeyed
from allianssi.alliances.models import Alliance, ServiceArea
from allianssi.core.fields import CentsField
from allianssi.parties.models import Organisation


class CostCategory(models.TextChoices):
    PERSONNEL = "personnel", _("Personnel")
    PURCHASED_SERVICES = "purchased_services", _("Purchased services")
    PREMISES = "premises", _("Premises")
    OTHER = "other", _("Other costs")


class Budget(models.Model):
    """One organizer's budget for one year and service area; its amounts are its revisions."""

    alliance = models.ForeignKey(Alliance, on_delete=models.PROTECT, related_name="budgets")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("organizer")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    service_area = models.CharField(_("service area"), max_length=20, choices=ServiceArea.choices)

    class Meta:
        ordering = ["alliance", "year", "organisation__name", "service_area"]
        constraints = [
            models.UniqueConstraint(
                fields=["alliance", "organisation", "year", "service_area"],
                name="budget_one_per_organizer_year_area",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.year} {self.service_area}"


class BudgetRevision(AllianceKeyed):
    """The original budget (number 1) and each approved change after it, never overwritten.

    A mistaken revision is corrected by a later one that ``supersedes`` it (services:
    ``budget_revision_supersede``): the mistaken one stays, and no longer counts. Only the
    latest revision is ever superseded, so the latest one is always in force."""

    alliance_parent = "budget"
    alliance = models.ForeignKey(
        "alliances.Alliance", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    budget = models.ForeignKey(Budget, on_delete=models.PROTECT, related_name="revisions")
    number = models.PositiveSmallIntegerField(_("revision"))
    amount = models.DecimalField(_("money (€)"), max_digits=14, decimal_places=2)
    person_years = models.DecimalField(
        _("staff time pooled (person-years)"), max_digits=8, decimal_places=2
    )
    effective_on = models.DateField(_("effective"))
    reason = models.TextField(_("reason"), blank=True)
    supersedes = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
        verbose_name=_("corrects"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["budget", "number"]
        constraints = [
            models.UniqueConstraint(fields=["budget", "number"], name="budget_revision_number"),
            models.CheckConstraint(
                name="budget_revision_not_negative",
                condition=Q(amount__gte=0) & Q(person_years__gte=0),
            ),
            models.CheckConstraint(
                name="budget_change_has_reason", condition=Q(number=1) | ~Q(reason="")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.budget} r{self.number}: {self.amount}"


class StaffContribution(models.Model):
    """The staff time (person-years) one party (an organizer, a producer or an own unit) pools
    into the alliance for a year. Number 1 is the original; each change is a new revision with
    its date and reason, never an overwrite. (An organizer's budget revisions also carry the
    staff time per service area.) A mistaken latest revision is corrected by one that
    ``supersedes`` it, as a budget's is."""

    alliance = models.ForeignKey(Alliance, on_delete=models.PROTECT, related_name="staff")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("party")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveSmallIntegerField(_("revision"))
    person_years = models.DecimalField(
        _("staff time pooled (person-years)"), max_digits=8, decimal_places=2
    )
    effective_on = models.DateField(_("effective"))
    reason = models.TextField(_("reason"), blank=True)
    supersedes = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
        verbose_name=_("corrects"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["alliance", "year", "organisation__name", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["alliance", "organisation", "year", "number"],
                name="staff_contribution_revision",
            ),
            models.CheckConstraint(
                name="staff_contribution_not_negative", condition=Q(person_years__gte=0)
            ),
            models.CheckConstraint(
                name="staff_change_has_reason", condition=Q(number=1) | ~Q(reason="")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.year} r{self.number}: {self.person_years}"


class ImportBatch(models.Model):
    """One upload or API batch: it lands whole or not at all, and only once. The same file
    (by its SHA-256) or the same batch id is never booked twice in an alliance."""

    alliance = models.ForeignKey(Alliance, on_delete=models.PROTECT, related_name="import_batches")
    checksum = models.CharField(_("SHA-256 of the content"), max_length=64)
    external_id = models.CharField(_("batch id"), max_length=100, blank=True)
    source = models.CharField(_("source"), max_length=200)
    rows = models.PositiveIntegerField(_("rows"))
    total = models.DecimalField(_("total (€)"), max_digits=16, decimal_places=2)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("imported"), auto_now_add=True)

    class Meta:
        ordering = ["alliance", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["alliance", "checksum"], name="import_batch_once_per_content"
            ),
            models.UniqueConstraint(
                fields=["alliance", "external_id"],
                condition=~Q(external_id=""),
                name="import_batch_once_per_id",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source} ({self.rows})"


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Importing")
    BOOKED = "booked", _("Booked")
    DUPLICATE = "duplicate", _("Already imported")
    REJECTED = "rejected", _("Rejected")
    FAILED = "failed", _("Failed")


class ImportJob(models.Model):
    """An uploaded file on its way into the books: queued, imported in the background with its
    progress shown, and its outcome kept (the batch it booked, or why nothing was booked).

    Messages are kept as their English source text and parameters, and shown in the reader's
    language."""

    alliance = models.ForeignKey(Alliance, on_delete=models.PROTECT, related_name="import_jobs")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    source = models.CharField(_("file"), max_length=200)
    external_id = models.CharField(_("batch id"), max_length=100, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    rows_read = models.PositiveIntegerField(_("rows read"), default=0)
    rows_rejected = models.PositiveIntegerField(_("rows rejected"), default=0)
    batch = models.ForeignKey(
        ImportBatch, on_delete=models.PROTECT, null=True, blank=True, related_name="jobs"
    )
    #: [line, column, message, parameters] of the first rejected rows.
    errors = models.JSONField(default=list, blank=True)
    #: [message, parameters] of a refusal of the whole file, if any.
    message = models.JSONField(null=True, blank=True)
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


class CostEntry(models.Model):
    """One cost on the open books. Append-only; a correction reverses it with a new entry."""

    alliance = models.ForeignKey(
        Alliance,
        on_delete=models.PROTECT,
        related_name="cost_entries",
        db_constraint=False,
        db_index=False,  # the (alliance, booked_on) index serves
    )
    booked_on = models.DateField(_("booking date"))
    incurred_by = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("producer"),
        help_text=_("The producer or own production unit that incurred the cost."),
        db_constraint=False,
        db_index=False,
    )
    carried_by = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("organizer"),
        help_text=_("The organizer whose budget carries the cost."),
        db_constraint=False,
        db_index=False,
    )
    service_area = models.CharField(_("service area"), max_length=20, choices=ServiceArea.choices)
    category = models.CharField(_("cost category"), max_length=20, choices=CostCategory.choices)
    amount = CentsField(_("amount (€)"))
    description = models.CharField(_("description"), max_length=500)
    evidence = models.CharField(_("evidence"), max_length=300, blank=True)
    reverses = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversals",
        verbose_name=_("reverses"),
        db_constraint=False,
        db_index=False,  # the partial unique index below serves
    )
    batch = models.ForeignKey(
        ImportBatch,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="entries",
        db_constraint=False,
        db_index=False,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["alliance", "booked_on", "pk"]
        # The one index of the ledger (ADR 0010): a period's entries, and the entries list
        # paged by key (booking date, then id: ADR 0017).
        indexes = [
            models.Index(fields=["alliance", "booked_on", "id"], name="cost_entry_alliance_day_id")
        ]
        constraints = [
            models.CheckConstraint(name="cost_entry_not_zero", condition=~Q(amount=0)),
            models.UniqueConstraint(
                fields=["reverses"],
                condition=Q(reverses__isnull=False),
                name="cost_entry_reversed_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.booked_on} {self.amount} {self.description[:30]}"


class LedgerTotal(models.Model):
    """The ledger summed per month and dimension, updated with every posting (the rollup)."""

    alliance = models.ForeignKey(
        Alliance, on_delete=models.PROTECT, related_name="+", db_constraint=False, db_index=False
    )
    month = models.DateField()  # the first day of the month
    carried_by = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    incurred_by = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    service_area = models.CharField(max_length=20, choices=ServiceArea.choices)
    category = models.CharField(max_length=20, choices=CostCategory.choices)
    amount = CentsField()
    entries = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "alliance",
                    "month",
                    "carried_by",
                    "incurred_by",
                    "service_area",
                    "category",
                ],
                name="ledger_total_one_per_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.month} {self.amount}"


class PartyTotal(models.Model):
    """The rollup one level coarser: each producing party's costs per month, kept with the
    rollup in the same writes (``bulk.upsert_totals``). A settlement sums a year of it in a few
    hundred rows, where the rollup has hundreds of thousands."""

    alliance = models.ForeignKey(
        Alliance, on_delete=models.PROTECT, related_name="+", db_constraint=False, db_index=False
    )
    month = models.DateField()  # the first day of the month
    incurred_by = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    amount = CentsField()
    entries = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["alliance", "month", "incurred_by"], name="party_total_one_per_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.month} {self.amount}"


class OrganizerTotal(models.Model):
    """The rollup one level coarser on the organizers' side: the costs each organizer's budget
    carries per month, service area and category, every producer together, kept with the
    rollup in the same writes (``bulk.upsert_totals``). The open-books page sums a year of it in
    a thousand rows or so, where the rollup has tens of thousands, and the budget's actuals come
    from it. Its table is named as the level of the rollup it is (``openbook_ledgertotal_…``)."""

    alliance = models.ForeignKey(
        Alliance, on_delete=models.PROTECT, related_name="+", db_constraint=False, db_index=False
    )
    month = models.DateField()  # the first day of the month
    carried_by = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    service_area = models.CharField(max_length=20, choices=ServiceArea.choices)
    category = models.CharField(max_length=20, choices=CostCategory.choices)
    amount = CentsField()
    entries = models.PositiveIntegerField()

    class Meta:
        db_table = "openbook_ledgertotal_organizer"
        constraints = [
            models.UniqueConstraint(
                fields=["alliance", "month", "carried_by", "service_area", "category"],
                name="organizer_total_one_per_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.month} {self.amount}"
