"""Alliances, their members, phases, exits and the roles users hold in them.

Memberships, phase changes and roles are never deleted: a member leaves by an exit or a removal
recorded on its membership, a phase change is a row, a revoked role keeps its row with the
revocation time. Service areas and goals are the alliance's current terms; an edit replaces them as
a whole, and the audit trail keeps the before and after.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from allianssi.parties.models import Organisation, Region


class Phase(models.TextChoices):
    """The alliance lifecycle (seed section 8). Allowed transitions are in ``TRANSITIONS``."""

    STRATEGY = "strategy", pgettext_lazy("phase", "Strategy")
    FORMATION = "formation", pgettext_lazy("phase", "Formation (producer selection)")
    DEVELOPMENT = "development", pgettext_lazy("phase", "Development")
    IMPLEMENTATION = "implementation", pgettext_lazy("phase", "Implementation")
    ENDED = "ended", pgettext_lazy("phase", "Ended")


#: Every allowed phase change, and nothing else. Checked in ``validators.validate_phase_change``.
TRANSITIONS: dict[str, frozenset[str]] = {
    Phase.STRATEGY: frozenset({Phase.FORMATION, Phase.ENDED}),
    Phase.FORMATION: frozenset({Phase.DEVELOPMENT, Phase.ENDED}),
    Phase.DEVELOPMENT: frozenset({Phase.IMPLEMENTATION, Phase.ENDED}),
    Phase.IMPLEMENTATION: frozenset({Phase.ENDED}),
    Phase.ENDED: frozenset(),
}


class ServiceArea(models.TextChoices):
    EMPLOYMENT = "employment", _("Employment services")
    BUSINESS = "business", _("Business services")
    VITALITY = "vitality", _("Municipal vitality")
    SOCIAL_HEALTH = "social_health", _("Social and health services")
    WELLBEING = "wellbeing", _("Municipal wellbeing and health promotion")


#: Areas an alliance may add to its core (seed section 2).
OPTIONAL_SERVICE_AREAS = frozenset({ServiceArea.SOCIAL_HEALTH, ServiceArea.WELLBEING})


class DocumentLanguage(models.TextChoices):
    FINNISH = "fi", _("Finnish")
    SWEDISH = "sv", _("Swedish")


class Alliance(models.Model):
    name = models.CharField(_("name"), max_length=200)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="alliances", verbose_name=_("region")
    )
    description = models.TextField(_("description"), blank=True)
    term_start = models.DateField(_("term starts"))
    term_end = models.DateField(_("term ends"))
    phase = models.CharField(
        _("phase"), max_length=20, choices=Phase.choices, default=Phase.STRATEGY
    )
    language = models.CharField(
        _("language of documents"),
        max_length=2,
        choices=DocumentLanguage.choices,
        default=DocumentLanguage.FINNISH,
    )
    producers_may_exit_in_implementation = models.BooleanField(
        _("the agreement lets producers exit during implementation"), default=False
    )
    own_units_have_seats = models.BooleanField(
        _("own production units have seats of their own in the leadership group"),
        default=False,
        help_text=_("Otherwise an own production unit is represented by its organizer."),
    )
    abstention_blocks = models.BooleanField(
        _("an abstention keeps a proposal from being decided"),
        default=True,
        help_text=_("Unanimity means every seat approves; an abstention is not an approval."),
    )
    escalation_path = models.TextField(
        _("escalation path"),
        blank=True,
        help_text=_("What the agreement says happens when a proposal is blocked or not decided."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("alliance")
        verbose_name_plural = _("alliances")
        constraints = [
            models.CheckConstraint(
                name="alliance_term_ordered",
                condition=Q(term_end__gte=F("term_start")),
                violation_error_message=_("The term cannot end before it starts."),
            ),
            models.CheckConstraint(
                name="alliance_phase_valid",
                condition=Q(phase__in=Phase.values),
                violation_error_message=_("Unknown phase."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class AllianceServiceArea(models.Model):
    alliance = models.ForeignKey(Alliance, on_delete=models.PROTECT, related_name="service_areas")
    area = models.CharField(_("service area"), max_length=20, choices=ServiceArea.choices)

    class Meta:
        ordering = ["alliance", "area"]
        constraints = [
            models.UniqueConstraint(
                fields=["alliance", "area"],
                name="alliance_service_area_unique",
                violation_error_message=_("The alliance already covers that service area."),
            )
        ]

    def __str__(self) -> str:
        return self.get_area_display()


class AllianceGoal(models.Model):
    alliance = models.ForeignKey(Alliance, on_delete=models.PROTECT, related_name="goals")
    position = models.PositiveSmallIntegerField()
    text = models.CharField(_("goal"), max_length=500)

    class Meta:
        ordering = ["alliance", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["alliance", "position"], name="alliance_goal_position_unique"
            )
        ]

    def __str__(self) -> str:
        return self.text


class MemberRole(models.TextChoices):
    ORGANIZER = "organizer", _("Organizer (purchaser)")
    PRODUCER = "producer", _("Producer")
    OWN_PRODUCTION = "own_production", _("Own production")


class MembershipEnd(models.TextChoices):
    EXITED = "exited", _("Exited")
    REMOVED = "removed", _("Removed")


class Membership(models.Model):
    """A party's membership in an alliance. Ends by an exit or a removal; never deleted."""

    alliance = models.ForeignKey(Alliance, on_delete=models.PROTECT, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("party"),
    )
    role = models.CharField(_("role"), max_length=20, choices=MemberRole.choices)
    joined_on = models.DateField(_("joined"))
    joined_in_phase = models.CharField(max_length=20, choices=Phase.choices)
    ended_on = models.DateField(_("left"), null=True, blank=True)
    end_kind = models.CharField(
        _("how it ended"), max_length=10, choices=MembershipEnd.choices, blank=True
    )
    end_reason = models.TextField(_("reason"), blank=True)
    ended_in_phase = models.CharField(max_length=20, choices=Phase.choices, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["alliance", "role", "organisation__name"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["alliance", "organisation"],
                condition=Q(ended_on__isnull=True),
                name="membership_one_active_per_party",
                violation_error_message=_("That party is already a member of the alliance."),
            ),
            models.CheckConstraint(
                name="membership_end_complete",
                condition=(Q(ended_on__isnull=True) & Q(end_kind="") & Q(ended_in_phase=""))
                | (Q(ended_on__isnull=False) & ~Q(end_kind="") & ~Q(ended_in_phase="")),
                violation_error_message=_("An ended membership records how and when it ended."),
            ),
            models.CheckConstraint(
                name="membership_dates_ordered",
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("joined_on")),
                violation_error_message=_("A membership cannot end before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.get_role_display()})"

    @property
    def is_active(self) -> bool:
        return self.ended_on is None


class PhaseChange(models.Model):
    """One step of the lifecycle, as it happened. The first row is the alliance's creation."""

    alliance = models.ForeignKey(Alliance, on_delete=models.PROTECT, related_name="phase_changes")
    from_phase = models.CharField(_("from"), max_length=20, choices=Phase.choices, blank=True)
    to_phase = models.CharField(_("to"), max_length=20, choices=Phase.choices)
    effective_on = models.DateField(_("effective"))
    note = models.TextField(_("note"), blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["alliance", "changed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_phase or '—'} → {self.to_phase} ({self.effective_on})"


class Role(models.TextChoices):
    """What a user may do in one alliance. Decided in ``allianssi.permissions``."""

    MANAGER = "manager", _("Alliance manager (project office)")
    LEADERSHIP = "leadership", _("Leadership group member")
    CONTROLLER = "controller", _("Organizer controller")
    PRODUCER_STAFF = "producer_staff", _("Producer staff")
    ADVISOR = "advisor", _("Customer advisor (organizer)")
    OBSERVER = "observer", _("Observer (read only)")


class AllianceRole(models.Model):
    alliance = models.ForeignKey(Alliance, on_delete=models.PROTECT, related_name="roles")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="alliance_roles"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    granted_at = models.DateTimeField(_("granted"), auto_now_add=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["alliance", "user__username", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["alliance", "user", "role"],
                condition=Q(revoked_at__isnull=True),
                name="alliance_role_unique_active",
                violation_error_message=_("The user already has that role."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()}"
