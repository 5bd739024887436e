"""The leadership group: seats, proposals with alternatives, votes and decisions.

One seat per party. Votes are rows and are never overwritten: a changed vote is a new row with a
higher ``version`` for the same seat, and the history stays. A proposal's outcome is computed by
:mod:`allianssi.governance.outcome`; the status stored here is that result, written when voting
closes.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from allianssi.alliances.keyed import AllianceKeyed
from allianssi.alliances.models import Alliance, ServiceArea
from allianssi.parties.models import Organisation


class Seat(models.Model):
    """A party's seat in the alliance's leadership group, with its representative and deputy."""

    alliance = models.ForeignKey(Alliance, on_delete=models.PROTECT, related_name="seats")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="seats", verbose_name=_("party")
    )
    representative = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("representative"),
    )
    deputy = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("deputy"),
    )

    class Meta:
        ordering = ["alliance", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["alliance", "organisation"],
                name="seat_one_per_party",
                violation_error_message=_("The party already has a seat."),
            ),
            models.CheckConstraint(
                name="seat_deputy_not_representative",
                condition=Q(deputy__isnull=True) | ~Q(deputy=models.F("representative")),
                violation_error_message=_("The deputy must be another person."),
            ),
        ]

    def __str__(self) -> str:
        return str(self.organisation)


class ProposalStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("proposal", "Draft")
    OPEN = "open", pgettext_lazy("proposal", "Open for votes")
    DECIDED = "decided", pgettext_lazy("proposal", "Decided")
    BLOCKED = "blocked", pgettext_lazy("proposal", "Blocked")
    NOT_DECIDED = "not_decided", pgettext_lazy("proposal", "Not decided")


class Electorate(models.TextChoices):
    """Who votes on a proposal. Most questions are the whole leadership group's; the strategy
    phase's go/no-go and a procurement's award are the organizers' alone (seed section 8)."""

    LEADERSHIP = "leadership", _("Every seat of the leadership group")
    ORGANIZERS = "organizers", _("The organizers' seats")


class Proposal(models.Model):
    alliance = models.ForeignKey(Alliance, on_delete=models.PROTECT, related_name="proposals")
    number = models.PositiveIntegerField(_("number"))
    kind = models.CharField(
        _("kind"),
        max_length=30,
        default="general",
        help_text=_("What a decision of this proposal puts into effect; see governance.effects."),
    )
    electorate = models.CharField(
        _("who votes"), max_length=20, choices=Electorate.choices, default=Electorate.LEADERSHIP
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ProposalStatus.choices, default=ProposalStatus.DRAFT
    )
    put_to_vote = models.ForeignKey(
        "Alternative",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("alternative put to the vote"),
    )
    deadline = models.DateTimeField(_("voting closes"), null=True, blank=True)
    abstention_blocks = models.BooleanField(
        _("an abstention keeps it from being decided"), default=True
    )
    escalation_path = models.TextField(_("escalation path"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        ordering = ["alliance", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["alliance", "number"], name="proposal_number_unique_per_alliance"
            ),
            models.CheckConstraint(
                name="proposal_open_has_deadline_and_alternative",
                condition=Q(status="draft")
                | (Q(deadline__isnull=False) & Q(put_to_vote__isnull=False)),
                violation_error_message=_(
                    "A proposal put to the vote has an alternative and a deadline."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.number} {self.title}"

    @property
    def is_closed(self) -> bool:
        return self.status not in {ProposalStatus.DRAFT, ProposalStatus.OPEN}


class Alternative(AllianceKeyed):
    """One way to solve the problem, with its cost, expected effect and risks (seed section 1:
    joint search for alternative solutions)."""

    alliance_parent = "proposal"
    alliance = models.ForeignKey(
        "alliances.Alliance", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="alternatives")
    position = models.PositiveSmallIntegerField()
    title = models.CharField(_("alternative"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    estimated_cost = models.DecimalField(
        _("estimated cost (€)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    expected_effect = models.TextField(_("expected effect on the goals"), blank=True)
    risks = models.TextField(_("risks"), blank=True)

    class Meta:
        ordering = ["proposal", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "position"], name="alternative_position_unique"
            )
        ]

    def __str__(self) -> str:
        return self.title


class Elector(AllianceKeyed):
    """A seat entitled to vote on one proposal, fixed when the proposal is opened."""

    alliance_parent = "proposal"
    alliance = models.ForeignKey(
        "alliances.Alliance", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="electors")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    delegated_to = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("vote delegated to"),
    )

    class Meta:
        ordering = ["proposal", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "organisation"], name="elector_one_per_seat"
            ),
            models.CheckConstraint(
                name="elector_not_delegated_to_itself",
                condition=Q(delegated_to__isnull=True) | ~Q(delegated_to=models.F("organisation")),
            ),
        ]

    def __str__(self) -> str:
        return str(self.organisation)


class VoteChoice(models.TextChoices):
    APPROVE = "approve", _("Approve")
    OBJECT = "object", _("Object (block)")
    ABSTAIN = "abstain", _("Abstain")


class Vote(AllianceKeyed):
    """One vote of one seat. A changed vote is a new row with the next version; none is edited."""

    alliance_parent = "proposal"
    alliance = models.ForeignKey(
        "alliances.Alliance", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="votes")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("seat")
    )
    version = models.PositiveSmallIntegerField()
    choice = models.CharField(_("vote"), max_length=10, choices=VoteChoice.choices)
    reason = models.TextField(_("reason"), blank=True)
    cast_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("cast by"),
    )
    capacity = models.CharField(_("as"), max_length=30)
    on_behalf_via = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cast on its behalf by the seat"),
    )
    cast_at = models.DateTimeField(_("cast"), auto_now_add=True)

    class Meta:
        ordering = ["proposal", "organisation", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "organisation", "version"], name="vote_version_unique"
            ),
            models.CheckConstraint(
                name="vote_objection_has_reason",
                condition=~Q(choice="object") | ~Q(reason=""),
                violation_error_message=_("An objection needs a reason."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.choice} (v{self.version})"


class Decision(models.Model):
    """A decided proposal, in the alliance's decision register."""

    alliance = models.ForeignKey(Alliance, on_delete=models.PROTECT, related_name="decisions")
    proposal = models.OneToOneField(Proposal, on_delete=models.PROTECT, related_name="decision")
    number = models.CharField(_("decision number"), max_length=20)
    alternative = models.ForeignKey(
        Alternative, on_delete=models.PROTECT, related_name="+", verbose_name=_("alternative")
    )
    decided_at = models.DateTimeField(_("decided"))

    class Meta:
        ordering = ["alliance", "-decided_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["alliance", "number"], name="decision_number_unique_per_alliance"
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.proposal.title}"


class Meeting(models.Model):
    """A meeting of the leadership group, with its agenda, attendance and minutes."""

    alliance = models.ForeignKey(Alliance, on_delete=models.PROTECT, related_name="meetings")
    number = models.PositiveIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts"))
    location = models.CharField(_("place"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["alliance", "-starts_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["alliance", "number"], name="meeting_number_unique_per_alliance"
            )
        ]

    def __str__(self) -> str:
        return f"{self.number}/{self.starts_at:%Y} {self.title}"


class AgendaItem(AllianceKeyed):
    alliance_parent = "meeting"
    alliance = models.ForeignKey(
        "alliances.Alliance", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="agenda")
    position = models.PositiveSmallIntegerField()
    title = models.CharField(_("item"), max_length=200)
    proposal = models.ForeignKey(
        Proposal,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agenda_items",
        verbose_name=_("proposal"),
    )

    class Meta:
        ordering = ["meeting", "position"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "position"], name="agenda_position_unique")
        ]

    def __str__(self) -> str:
        return self.title


class Attendance(AllianceKeyed):
    """Who attended for a seat. One row per seat and meeting; a correction replaces the row and
    the audit trail keeps the earlier value."""

    alliance_parent = "meeting"
    alliance = models.ForeignKey(
        "alliances.Alliance", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="attendance")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("seat")
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("present"),
    )

    class Meta:
        ordering = ["meeting", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "organisation"], name="attendance_one_per_seat"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.person or '—'}"


class MinutesStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("minutes", "Draft")
    APPROVED = "approved", pgettext_lazy("minutes", "Approved")


class MinutesVersion(AllianceKeyed):
    """One version of a meeting's minutes. Rows are never changed except that a draft can be
    approved once; an approved version is frozen, and a correction is a new version."""

    alliance_parent = "meeting"
    alliance = models.ForeignKey(
        "alliances.Alliance", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="minutes")
    version = models.PositiveSmallIntegerField(_("version"))
    text = models.TextField(_("minutes"))
    change_note = models.CharField(_("what changed"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=MinutesStatus.choices, default=MinutesStatus.DRAFT
    )
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("written by"),
    )
    written_at = models.DateTimeField(_("written"), auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)

    class Meta:
        ordering = ["meeting", "version"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "version"], name="minutes_version_unique"),
            models.CheckConstraint(
                name="minutes_approval_complete",
                condition=(Q(status="draft") & Q(approved_at__isnull=True))
                | (Q(status="approved") & Q(approved_at__isnull=False)),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.meeting} v{self.version}"

    def save(self, *args: Any, approving: bool = False, **kwargs: Any) -> None:
        """A version is written once, and a draft approved once; nothing else changes it."""
        if self.pk is not None and not approving:
            raise FrozenError("Minutes versions are never changed; save a new version.")
        if approving and MinutesVersion.objects.filter(pk=self.pk, status="approved").exists():
            raise FrozenError("Approved minutes are frozen.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise FrozenError("Minutes versions are never deleted.")


class FrozenError(Exception):
    pass


class IdeaStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("idea", "Open")
    EVALUATED = "evaluated", pgettext_lazy("idea", "Evaluated")
    DECLINED = "declined", pgettext_lazy("idea", "Declined")
    PROPOSED = "proposed", pgettext_lazy("idea", "Turned into a proposal")


class Effort(models.TextChoices):
    SMALL = "small", _("Small")
    MEDIUM = "medium", _("Medium")
    LARGE = "large", _("Large")


class Implementation(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Implemented")


class Idea(models.Model):
    """An improvement idea in the alliance's forum for joint development (seed section 4)."""

    alliance = models.ForeignKey(Alliance, on_delete=models.PROTECT, related_name="ideas")
    number = models.PositiveIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=200)
    problem = models.TextField(_("problem"))
    suggestion = models.TextField(_("suggested change"), blank=True)
    service_area = models.CharField(
        _("service area"), max_length=20, choices=ServiceArea.choices, blank=True
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("posted"), auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=20, choices=IdeaStatus.choices, default=IdeaStatus.OPEN
    )
    cost_estimate = models.DecimalField(
        _("cost estimate (€)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    expected_effect = models.TextField(_("expected effect"), blank=True)
    effort = models.CharField(_("effort"), max_length=10, choices=Effort.choices, blank=True)
    evaluated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    evaluated_at = models.DateTimeField(_("evaluated"), null=True, blank=True)
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    proposal = models.OneToOneField(
        Proposal,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="idea",
        verbose_name=_("proposal"),
    )
    implementation = models.CharField(
        _("implementation"), max_length=20, choices=Implementation.choices, blank=True
    )
    measured_effect = models.TextField(_("measured effect"), blank=True)

    class Meta:
        ordering = ["alliance", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["alliance", "number"], name="idea_number_unique"),
            models.CheckConstraint(
                name="idea_declined_has_reason",
                condition=~Q(status="declined") | ~Q(decline_reason=""),
                violation_error_message=_("A declined idea says why."),
            ),
            models.CheckConstraint(
                name="idea_proposed_has_proposal",
                condition=~Q(status="proposed") | Q(proposal__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.number} {self.title}"


class IdeaComment(AllianceKeyed):
    alliance_parent = "idea"
    alliance = models.ForeignKey(
        "alliances.Alliance", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    idea = models.ForeignKey(Idea, on_delete=models.PROTECT, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField(_("written"), auto_now_add=True)

    class Meta:
        ordering = ["idea", "created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.author}: {self.text[:40]}"


class IdeaSupport(AllianceKeyed):
    alliance_parent = "idea"
    alliance = models.ForeignKey(
        "alliances.Alliance", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    idea = models.ForeignKey(Idea, on_delete=models.PROTECT, related_name="supports")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["idea", "user"],
                name="idea_support_once",
                violation_error_message=_("You already support this idea."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.idea}"
