"""The commercial model, KPI results, settlements and their invoices.

The money itself is calculated by the pure modules (``calculation``, ``format``, ``whatif``);
these rows keep what they were given and what they gave, so that anyone can recompute an
approved settlement from its own snapshot. The database refuses to change a version once it is
in force, approved or rejected, and any change at all to a KPI result or an invoice (see the
migrations and ``audit/triggers.py``).
"""

from __future__ import annotations

from functools import cached_property

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from allianssi.alliances.keyed import AllianceKeyed
from allianssi.alliances.models import Alliance
from allianssi.core.fields import CentsField
from allianssi.parties.models import Organisation
from allianssi.settlement import format as settlement_format
from allianssi.settlement.errors import terms_read


class TermsStatus(models.TextChoices):
    PROPOSED = "proposed", pgettext_lazy("terms", "Awaiting the leadership group's decision")
    IN_FORCE = "in_force", pgettext_lazy("terms", "In force")
    REJECTED = "rejected", pgettext_lazy("terms", "Not decided")


class CommercialTerms(models.Model):
    """One version of the alliance's commercial model for a year: the target cost, funding
    shares, fees, sharing ratios, caps, pool and KPIs, as the ``terms`` object of the settlement
    format (docs/settlement-format.md; party keys are organisation ids). The newest version in
    force is the model; a change is a new version, through a decision when the alliance has a
    leadership group."""

    alliance = models.ForeignKey(Alliance, on_delete=models.PROTECT, related_name="terms")
    year = models.PositiveSmallIntegerField(_("year"))
    version = models.PositiveSmallIntegerField(_("version"))
    document = models.JSONField(_("terms"))
    paying_organizer = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("paying organizer"),
        help_text=_(
            "The organizer that pays the producers' invoices on behalf of every organizer and "
            "invoices each other organizer its funding share."
        ),
    )
    reason = models.TextField(_("reason"))
    status = models.CharField(_("status"), max_length=20, choices=TermsStatus.choices)
    proposal = models.OneToOneField(
        "governance.Proposal",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("proposal"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    in_force_at = models.DateTimeField(_("in force from"), null=True, blank=True)

    class Meta:
        ordering = ["alliance", "year", "version"]
        verbose_name = _("commercial terms")
        verbose_name_plural = _("commercial terms")
        constraints = [
            models.UniqueConstraint(
                fields=["alliance", "year", "version"], name="terms_version_unique"
            ),
            models.UniqueConstraint(
                fields=["alliance", "year"],
                condition=Q(status="proposed"),
                name="terms_one_proposed_per_year",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} v{self.version}"

    @cached_property
    def model(self) -> settlement_format.Model:
        """The version's typed model (``format.Model``): what the code works with, while the
        JSON in ``document`` is what is stored. Raises ``errors.DocumentInvalid`` for terms
        stored before a rule of the format they now break."""
        return terms_read(self.document)


class KpiResult(models.Model):
    """One KPI value for the period ending on ``measured_on``, with its evidence. Append-only:
    a correction is a newer row for the same KPI and date, and the newest counts."""

    alliance = models.ForeignKey(Alliance, on_delete=models.PROTECT, related_name="kpi_results")
    year = models.PositiveSmallIntegerField(_("year"))
    kpi = models.CharField(_("KPI"), max_length=50)
    measured_on = models.DateField(_("period ends"))
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=6)
    evidence = models.TextField(_("evidence"))
    source = models.CharField(_("source"), max_length=50, default="entered")
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["alliance", "kpi", "measured_on", "id"]
        indexes = [models.Index(fields=["alliance", "year", "kpi"], name="kpi_result_lookup")]

    def __str__(self) -> str:
        return f"{self.kpi} {self.measured_on}: {self.value}"


class SettlementKind(models.TextChoices):
    INTERIM = "interim", _("Interim")
    FINAL = "final", _("Final")


class SettlementStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("settlement", "Draft, under review")
    PROPOSED = "proposed", pgettext_lazy("settlement", "Awaiting approval")
    APPROVED = "approved", pgettext_lazy("settlement", "Approved")
    REJECTED = "rejected", pgettext_lazy("settlement", "Not approved")


class Settlement(models.Model):
    """One version of a period's settlement. ``inputs`` is the settlement-format document it
    was computed from (the terms in force and the ledger's totals), ``result`` what the
    calculation gave. Once approved or rejected, the row never changes; a correction is a new
    version of the same period, and the page shows its difference to the previous one."""

    alliance = models.ForeignKey(Alliance, on_delete=models.PROTECT, related_name="settlements")
    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("kind"), max_length=10, choices=SettlementKind.choices)
    start = models.DateField(_("period starts"))
    end = models.DateField(_("period ends"), help_text=_("The first day after the period."))
    version = models.PositiveSmallIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=10, choices=SettlementStatus.choices)
    terms = models.ForeignKey(CommercialTerms, on_delete=models.PROTECT, related_name="settlements")
    inputs = models.JSONField(_("inputs"))
    result = models.JSONField(_("result"))
    note = models.TextField(_("note"), blank=True)
    proposal = models.OneToOneField(
        "governance.Proposal",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("proposal"),
    )
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    computed_at = models.DateTimeField(_("computed"))
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        ordering = ["alliance", "-start", "end", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["alliance", "start", "end", "version"], name="settlement_version_unique"
            ),
            models.UniqueConstraint(
                fields=["alliance", "start", "end"],
                condition=Q(status__in=["draft", "proposed"]),
                name="settlement_one_open_version",
            ),
            models.CheckConstraint(name="settlement_period_order", condition=Q(end__gt=F("start"))),
        ]

    def __str__(self) -> str:
        return f"{self.start}–{self.end} v{self.version}"


class SettlementApproval(AllianceKeyed):
    """A party's approval (or refusal) of a settlement, where the alliance has no leadership
    group: a settlement is approved when every member party has approved it."""

    alliance_parent = "settlement"
    alliance = models.ForeignKey(
        "alliances.Alliance", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    settlement = models.ForeignKey(Settlement, on_delete=models.PROTECT, related_name="approvals")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    approved = models.BooleanField(_("approved"))
    note = models.TextField(_("note"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["settlement", "organisation"], name="settlement_approval_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {'+' if self.approved else '−'}"


class BillingDetails(models.Model):
    """What a party's invoices need beyond its name and business ID: address, bank account, the
    suffix of its e-invoicing address (OVT) and how VAT applies to what it invoices."""

    class Vat(models.TextChoices):
        STANDARD = "S", _("VAT at a rate")
        EXEMPT = "E", _("Exempt from VAT")
        OUTSIDE = "O", _("Not subject to VAT")

    organisation = models.OneToOneField(
        Organisation, on_delete=models.PROTECT, related_name="billing"
    )
    business_id = models.CharField(
        _("business ID (Y-tunnus)"),
        max_length=9,
        blank=True,
        help_text=_("For a party registered without one (a region or municipality)."),
    )
    street = models.CharField(_("street address"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    iban = models.CharField(_("IBAN"), max_length=34, blank=True)
    bic = models.CharField(_("BIC"), max_length=11, blank=True)
    ovt_suffix = models.CharField(_("OVT suffix"), max_length=5, blank=True)
    vat = models.CharField(_("VAT"), max_length=1, choices=Vat.choices, default=Vat.STANDARD)
    vat_rate = models.DecimalField(
        _("VAT rate (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    vat_reason = models.CharField(_("VAT exemption reason"), max_length=200, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    def __str__(self) -> str:
        return str(self.organisation)


class Invoice(models.Model):
    """An invoice made from an approved settlement: a producer's to the paying organizer, or
    the paying organizer's to another organizer for its funding share. ``lines`` are the signed
    net amounts; a negative total is a credit note. Append-only."""

    alliance = models.ForeignKey(Alliance, on_delete=models.PROTECT, related_name="invoices")
    settlement = models.ForeignKey(Settlement, on_delete=models.PROTECT, related_name="invoices")
    number = models.CharField(_("invoice number"), max_length=20)
    seller = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("seller")
    )
    buyer = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("buyer")
    )
    issued_on = models.DateField(_("invoice date"))
    due_on = models.DateField(_("due date"))
    reference = models.CharField(_("reference number"), max_length=20)
    lines = models.JSONField(_("lines"))
    net = CentsField(_("net amount (€)"))
    vat = CentsField(_("VAT (€)"))
    total = CentsField(_("total (€)"))
    seller_details = models.JSONField(_("seller's billing details"))
    buyer_details = models.JSONField(_("buyer's billing details"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["alliance", "number"]
        constraints = [
            models.UniqueConstraint(fields=["alliance", "number"], name="invoice_number_unique")
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_credit_note(self) -> bool:
        return bool(self.total < 0)
