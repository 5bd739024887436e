"""The parts of an alliance's configuration the law speaks to, beyond members and seats.

Who carries the organizing responsibility for each service area, which tasks each member performs,
what own production units do on the market, and the agreement documents. The rules in
:mod:`allianssi.compliance.rules` read these; nothing here is deleted — an assignment that ends
keeps its row with the end time.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from allianssi.alliances.models import Alliance, ServiceArea
from allianssi.parties.models import Organisation


class Task(models.TextChoices):
    """What a member may be assigned. The last three are public administrative tasks."""

    ORGANIZING = "organizing", _("Organizing responsibility (järjestämisvastuu)")
    SERVICE_DELIVERY = "service_delivery", _("Producing the services")
    CUSTOMER_GUIDANCE = "customer_guidance", _("Customer guidance and coaching")
    BENEFIT_STATEMENT = (
        "benefit_statement",
        _("Statements to unemployment-benefit payers (työvoimapoliittinen lausunto)"),
    )
    OBLIGATIONS_DECISION = "obligations_decision", _("Decisions on a jobseeker's obligations")
    SERVICE_DECISION = "service_decision", _("Decisions that grant or refuse a service")


#: Tasks that use public authority and stay with an authority (PL 124 §).
ADMINISTRATIVE_TASKS = frozenset(
    {Task.BENEFIT_STATEMENT, Task.OBLIGATIONS_DECISION, Task.SERVICE_DECISION}
)


class Assignment(models.Model):
    """A task in a service area given to a member party of the alliance."""

    alliance = models.ForeignKey(Alliance, on_delete=models.PROTECT, related_name="assignments")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("party")
    )
    service_area = models.CharField(_("service area"), max_length=20, choices=ServiceArea.choices)
    task = models.CharField(_("task"), max_length=30, choices=Task.choices)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField(_("assigned"), auto_now_add=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)

    class Meta:
        ordering = ["alliance", "service_area", "task", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["alliance", "organisation", "service_area", "task"],
                condition=Q(ended_at__isnull=True),
                name="assignment_unique_current",
                violation_error_message=_("That party already has that task in that area."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.get_task_display()} / {self.get_service_area_display()}"


class MarketActivity(models.Model):
    """An own production unit's declaration that it also sells on a competitive market."""

    alliance = models.ForeignKey(
        Alliance, on_delete=models.PROTECT, related_name="market_activities"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("own unit")
    )
    description = models.TextField(_("what it sells, and to whom"))
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    declared_at = models.DateTimeField(_("declared"), auto_now_add=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)

    class Meta:
        ordering = ["alliance", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["alliance", "organisation"],
                condition=Q(ended_at__isnull=True),
                name="market_activity_unique_current",
            )
        ]

    def __str__(self) -> str:
        return str(self.organisation)


class DocumentKind(models.TextChoices):
    ALLIANCE_AGREEMENT = "alliance_agreement", _("Alliance agreement")
    ANNEX = "annex", _("Annex to the agreement")
    PRODUCER_CONTRACT = "producer_contract", _("Contract with a producer")


class AgreementDocument(models.Model):
    """An agreement document of the alliance and what it states about the alliance's nature."""

    alliance = models.ForeignKey(
        Alliance, on_delete=models.PROTECT, related_name="agreement_documents"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=DocumentKind.choices)
    title = models.CharField(_("title"), max_length=200)
    version = models.CharField(_("version"), max_length=30)
    signed_on = models.DateField(_("signed"), null=True, blank=True)
    states_no_legal_person = models.BooleanField(
        _("states that the alliance creates no legal person")
    )
    states_duties_unchanged = models.BooleanField(
        _("states that the agreement changes no statutory duty")
    )
    reference = models.CharField(_("where the document is kept"), max_length=300, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    registered_at = models.DateTimeField(_("registered"), auto_now_add=True)

    class Meta:
        ordering = ["alliance", "kind", "title", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["alliance", "kind", "title", "version"],
                name="agreement_document_unique_version",
                violation_error_message=_("That version of the document is already registered."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.version}"
