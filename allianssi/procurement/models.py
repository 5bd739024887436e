"""The strategy phase and producer selection: suitability assessments, the organizers' go / no-go
with its procurement route, and the procurement record from candidates to award.

Thresholds are dated settings, updatable without code. Nothing here is deleted: a withdrawn score
keeps its row, an excluded candidate keeps its record, a blocked award stays beside the next one.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from allianssi.alliances.keyed import AllianceKeyed
from allianssi.alliances.models import Alliance, ServiceArea
from allianssi.parties.models import Organisation

#: The service categories the thresholds are set for (Hankintalaki 25 § and 26 §).
CATEGORY_CHOICES = [
    ("services", _("Goods and services")),
    ("social_health", _("Social and health services")),
    ("other_specific", _("Other specific services")),
]


class ThresholdSetting(models.Model):
    scope = models.CharField(
        _("scope"), max_length=10, choices=[("national", _("National")), ("eu", _("EU"))]
    )
    category = models.CharField(
        _("category"),
        max_length=20,
        choices=CATEGORY_CHOICES,
    )
    amount = models.DecimalField(_("threshold (€, without VAT)"), max_digits=14, decimal_places=2)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=300)

    class Meta:
        ordering = ["scope", "category", "valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "category", "valid_from"], name="threshold_unique_start"
            ),
            models.CheckConstraint(
                name="threshold_dates_ordered",
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")),
            ),
            models.CheckConstraint(name="threshold_positive", condition=Q(amount__gt=0)),
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.category} {self.amount} from {self.valid_from}"


# Strategy phase ---------------------------------------------------------------------------------


class SuitabilityAssessment(models.Model):
    """One organizer's answer to "is the alliance model right for us?" (seed section 8)."""

    alliance = models.ForeignKey(
        Alliance, on_delete=models.PROTECT, related_name="suitability_assessments"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("organizer")
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted"))
    overall = models.TextField(_("overall view"), blank=True)

    class Meta:
        ordering = ["alliance", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["alliance", "organisation"], name="assessment_one_per_organizer"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} / {self.alliance}"


class AssessmentAnswer(AllianceKeyed):
    alliance_parent = "assessment"
    alliance = models.ForeignKey(
        "alliances.Alliance", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    assessment = models.ForeignKey(
        SuitabilityAssessment, on_delete=models.PROTECT, related_name="answers"
    )
    criterion = models.CharField(_("criterion"), max_length=40)
    score = models.PositiveSmallIntegerField(_("score (1–5)"))
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["assessment", "criterion"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "criterion"], name="assessment_answer_unique"
            ),
            models.CheckConstraint(
                name="assessment_score_range", condition=Q(score__gte=1) & Q(score__lte=5)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.score}"


class Verdict(models.TextChoices):
    GO = "go", _("Go: the alliance model is right for us")
    NO_GO = "no_go", _("No go: we do not proceed")


class Route(models.TextChoices):
    """How the organizers procure (seed section 8)."""

    JOINT_UNIT = "joint_unit", _("A joint procurement unit formed by the organizers")
    AUTHORISED = "authorised", _("One organizer authorised to procure for the others")


class GoDecision(models.Model):
    """The organizers' go / no-go, taken unanimously through a proposal of their seats."""

    alliance = models.ForeignKey(Alliance, on_delete=models.PROTECT, related_name="go_decisions")
    proposal = models.OneToOneField(
        "governance.Proposal", on_delete=models.PROTECT, related_name="go_decision"
    )
    verdict = models.CharField(_("verdict"), max_length=10, choices=Verdict.choices)
    route = models.CharField(
        _("procurement route"), max_length=20, choices=Route.choices, blank=True
    )
    joint_unit_name = models.CharField(
        _("name of the joint procurement unit"), max_length=200, blank=True
    )
    authorised = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("authorised organizer"),
    )
    rationale = models.TextField(_("rationale"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["alliance", "-created_at"]
        constraints = [
            models.CheckConstraint(
                name="go_decision_route_complete",
                condition=Q(verdict="no_go", route="")
                | Q(verdict="go", route="joint_unit", authorised__isnull=True)
                & ~Q(joint_unit_name="")
                | Q(verdict="go", route="authorised", authorised__isnull=False),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_verdict_display()} ({self.alliance})"


class Mandate(AllianceKeyed):
    """An organizer's mandate: to the authorised organizer, or its share in the joint unit."""

    alliance_parent = "go_decision"
    alliance = models.ForeignKey(
        "alliances.Alliance", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    go_decision = models.ForeignKey(GoDecision, on_delete=models.PROTECT, related_name="mandates")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("organizer")
    )
    scope = models.TextField(_("what the mandate covers"))

    class Meta:
        ordering = ["go_decision", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["go_decision", "organisation"], name="mandate_one_per_organizer"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.scope[:40]}"


# Producer selection -----------------------------------------------------------------------------


class Procedure(models.TextChoices):
    COMPETITIVE_NEGOTIATED = "competitive_negotiated", _("Competitive procedure with negotiation")
    OPEN = "open", _("Open procedure")
    RESTRICTED = "restricted", _("Restricted procedure")
    DIRECT = "direct", _("Direct award without competition")


class ProcurementStatus(models.TextChoices):
    PREPARATION = "preparation", pgettext_lazy("procurement", "Preparation")
    AWARDED = "awarded", pgettext_lazy("procurement", "Awarded")
    CANCELLED = "cancelled", pgettext_lazy("procurement", "Cancelled")


class Procurement(models.Model):
    """The procurement that selects an alliance's producers, by negotiated procedure."""

    alliance = models.ForeignKey(Alliance, on_delete=models.PROTECT, related_name="procurements")
    number = models.PositiveIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    procedure = models.CharField(_("procedure"), max_length=30, choices=Procedure.choices)
    category = models.CharField(
        _("service category"),
        max_length=20,
        choices=CATEGORY_CHOICES,
    )
    notice_on = models.DateField(
        _("contract notice published"),
        null=True,
        blank=True,
        help_text=_("The thresholds in force on this day apply; until then, today's."),
    )
    notice_reference = models.CharField(_("notice reference (HILMA)"), max_length=100, blank=True)
    go_decision = models.ForeignKey(
        GoDecision, on_delete=models.PROTECT, related_name="procurements"
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ProcurementStatus.choices,
        default=ProcurementStatus.PREPARATION,
    )
    cancel_reason = models.TextField(_("why it was cancelled"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["alliance", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["alliance", "number"], name="procurement_number_unique_per_alliance"
            )
        ]

    def __str__(self) -> str:
        return f"#{self.number} {self.title}"


class Lot(AllianceKeyed):
    """One service area of the procurement, with its estimated value (OCDS lot)."""

    alliance_parent = "procurement"
    alliance = models.ForeignKey(
        "alliances.Alliance", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    procurement = models.ForeignKey(Procurement, on_delete=models.PROTECT, related_name="lots")
    service_area = models.CharField(_("service area"), max_length=20, choices=ServiceArea.choices)
    estimated_value = models.DecimalField(
        _("estimated value (€, without VAT)"), max_digits=14, decimal_places=2
    )

    class Meta:
        ordering = ["procurement", "service_area"]
        constraints = [
            models.UniqueConstraint(
                fields=["procurement", "service_area"], name="lot_one_per_area"
            ),
            models.CheckConstraint(name="lot_value_positive", condition=Q(estimated_value__gt=0)),
        ]

    def __str__(self) -> str:
        return self.get_service_area_display()


class BudgetShare(AllianceKeyed):
    """An organizer's share of the procurement's budget. The shares sum to the lots' values."""

    alliance_parent = "procurement"
    alliance = models.ForeignKey(
        "alliances.Alliance", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    procurement = models.ForeignKey(
        Procurement, on_delete=models.PROTECT, related_name="budget_shares"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("organizer")
    )
    amount = models.DecimalField(_("share (€, without VAT)"), max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["procurement", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["procurement", "organisation"], name="budget_share_one_per_organizer"
            ),
            models.CheckConstraint(name="budget_share_positive", condition=Q(amount__gt=0)),
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.amount}"


class Candidate(AllianceKeyed):
    alliance_parent = "procurement"
    alliance = models.ForeignKey(
        "alliances.Alliance", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    procurement = models.ForeignKey(
        Procurement, on_delete=models.PROTECT, related_name="candidates"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="candidacies"
    )
    excluded = models.BooleanField(_("excluded"), default=False)
    exclusion_reason = models.TextField(_("reason for exclusion"), blank=True)

    class Meta:
        ordering = ["procurement", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["procurement", "organisation"], name="candidate_once_per_procurement"
            ),
            models.CheckConstraint(
                name="candidate_exclusion_has_reason",
                condition=Q(excluded=False) | ~Q(exclusion_reason=""),
            ),
        ]

    def __str__(self) -> str:
        return str(self.organisation)


class SelectionCriterion(AllianceKeyed):
    """A suitability requirement every candidate must meet to be invited to negotiate."""

    alliance_parent = "procurement"
    alliance = models.ForeignKey(
        "alliances.Alliance", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    procurement = models.ForeignKey(
        Procurement, on_delete=models.PROTECT, related_name="selection_criteria"
    )
    position = models.PositiveSmallIntegerField()
    text = models.CharField(_("requirement"), max_length=300)

    class Meta:
        ordering = ["procurement", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["procurement", "position"], name="selection_criterion_position_unique"
            )
        ]

    def __str__(self) -> str:
        return self.text


class SelectionResult(AllianceKeyed):
    """Whether a candidate meets a selection criterion, and why."""

    alliance_parent = "candidate"
    alliance = models.ForeignKey(
        "alliances.Alliance", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    candidate = models.ForeignKey(
        Candidate, on_delete=models.PROTECT, related_name="selection_results"
    )
    criterion = models.ForeignKey(SelectionCriterion, on_delete=models.PROTECT, related_name="+")
    met = models.BooleanField(_("meets the requirement"))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["candidate", "criterion"], name="selection_result_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.candidate}: {self.criterion} = {self.met}"


class NegotiationRound(AllianceKeyed):
    alliance_parent = "procurement"
    alliance = models.ForeignKey(
        "alliances.Alliance", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    procurement = models.ForeignKey(
        Procurement, on_delete=models.PROTECT, related_name="negotiation_rounds"
    )
    number = models.PositiveSmallIntegerField(_("round"))
    held_on = models.DateField(_("held on"))
    notes = models.TextField(_("notes"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["procurement", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["procurement", "number"], name="negotiation_round_number_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.procurement} / {self.number}"


class CandidateNote(AllianceKeyed):
    """What was negotiated with one candidate in one round."""

    alliance_parent = "round"
    alliance = models.ForeignKey(
        "alliances.Alliance", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    round = models.ForeignKey(
        NegotiationRound, on_delete=models.PROTECT, related_name="candidate_notes"
    )
    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="+")
    notes = models.TextField(_("notes"))

    class Meta:
        ordering = ["round", "candidate__organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["round", "candidate"], name="candidate_note_unique")
        ]

    def __str__(self) -> str:
        return f"{self.round}: {self.candidate}"


class AwardCriterion(AllianceKeyed):
    """A weighted award criterion; the weights of a procurement sum to 100 %."""

    alliance_parent = "procurement"
    alliance = models.ForeignKey(
        "alliances.Alliance", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    procurement = models.ForeignKey(
        Procurement, on_delete=models.PROTECT, related_name="award_criteria"
    )
    position = models.PositiveSmallIntegerField()
    name = models.CharField(_("criterion"), max_length=200)
    weight = models.DecimalField(_("weight (%)"), max_digits=5, decimal_places=2)

    class Meta:
        ordering = ["procurement", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["procurement", "position"], name="award_criterion_position_unique"
            ),
            models.CheckConstraint(
                name="award_criterion_weight_range",
                condition=Q(weight__gt=0) & Q(weight__lte=100),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.weight} %)"


class Evaluator(AllianceKeyed):
    """A person named to score the candidates."""

    alliance_parent = "procurement"
    alliance = models.ForeignKey(
        "alliances.Alliance", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    procurement = models.ForeignKey(
        Procurement, on_delete=models.PROTECT, related_name="evaluators"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["procurement", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["procurement", "user"], name="evaluator_once")
        ]

    def __str__(self) -> str:
        return str(self.user)


class Conflict(AllianceKeyed):
    """An evaluator's declared conflict of interest with a candidate (Hankintalaki 24 §):
    from then on the evaluator cannot score that candidate, and earlier scores are withdrawn."""

    alliance_parent = "evaluator"
    alliance = models.ForeignKey(
        "alliances.Alliance", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    evaluator = models.ForeignKey(Evaluator, on_delete=models.PROTECT, related_name="conflicts")
    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="conflicts")
    explanation = models.TextField(_("explanation"))
    declared_at = models.DateTimeField(_("declared"), auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["evaluator", "candidate"], name="conflict_once")
        ]

    def __str__(self) -> str:
        return f"{self.evaluator} ↔ {self.candidate}"


class Score(AllianceKeyed):
    """One evaluator's score of one candidate on one award criterion (0–10). A new score for the
    same triple withdraws the previous one; nothing is deleted."""

    alliance_parent = "evaluator"
    alliance = models.ForeignKey(
        "alliances.Alliance", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    evaluator = models.ForeignKey(Evaluator, on_delete=models.PROTECT, related_name="scores")
    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="scores")
    criterion = models.ForeignKey(AwardCriterion, on_delete=models.PROTECT, related_name="scores")
    points = models.DecimalField(_("points (0–10)"), max_digits=4, decimal_places=2)
    justification = models.TextField(_("justification"), blank=True)
    scored_at = models.DateTimeField(_("scored"), auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    class Meta:
        ordering = ["evaluator", "candidate", "criterion", "scored_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["evaluator", "candidate", "criterion"],
                condition=Q(withdrawn_at__isnull=True),
                name="score_one_current",
            ),
            models.CheckConstraint(
                name="score_range", condition=Q(points__gte=0) & Q(points__lte=10)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.evaluator}: {self.candidate} / {self.criterion} = {self.points}"


class Award(AllianceKeyed):
    """The award put to the organizers' unanimous decision; once decided, the chosen candidates
    join the alliance as producers."""

    alliance_parent = "procurement"
    alliance = models.ForeignKey(
        "alliances.Alliance", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    procurement = models.ForeignKey(Procurement, on_delete=models.PROTECT, related_name="awards")
    proposal = models.OneToOneField(
        "governance.Proposal", on_delete=models.PROTECT, related_name="award"
    )
    rationale = models.TextField(_("rationale"))
    ranking = models.JSONField(_("ranking when proposed"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["procurement", "-created_at"]

    def __str__(self) -> str:
        return f"{self.procurement} / {self.proposal}"


class AwardedCandidate(AllianceKeyed):
    alliance_parent = "award"
    alliance = models.ForeignKey(
        "alliances.Alliance", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="chosen")
    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(
        _("contract value (€, without VAT)"), max_digits=14, decimal_places=2
    )

    class Meta:
        ordering = ["award", "candidate__organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["award", "candidate"], name="awarded_once"),
            models.CheckConstraint(name="awarded_value_positive", condition=Q(value__gt=0)),
        ]

    def __str__(self) -> str:
        return f"{self.candidate}: {self.value}"
