"""Referrals between the alliance's services, and the episodes of service they start.

A referral sends one organizer's customer to a published service, to one of the parties that
produce it. Its states and the moves between them are data (:data:`TRANSITIONS`), each naming the
side that may make it; every move is kept as a :class:`Transition`. An accepted referral starts an
:class:`Episode` of service, which ends completed (with its outcome) or interrupted (by the
customer or by the producer, kept apart).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from allianssi.alliances.keyed import AllianceKeyed
from allianssi.alliances.models import Alliance
from allianssi.catalogue.models import Service, ServiceVersion
from allianssi.customers.models import Customer
from allianssi.parties.models import Organisation


class State(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SENT = "sent", _("Sent")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")
    DECLINED = "declined", _("Declined by the customer")
    STARTED = "started", _("Service started")
    COMPLETED = "completed", _("Completed")
    INTERRUPTED = "interrupted", _("Interrupted")


class Side(models.TextChoices):
    """Who may make a move: the sending party's people, the receiving producer's, the customer
    (or staff on the customer's word), or the system (expiry)."""

    SENDER = "sender", _("the sender")
    RECEIVER = "receiver", _("the receiving producer")
    CUSTOMER = "customer", _("the customer")
    SYSTEM = "system", _("the system")


#: Every allowed move: (from, to) → the sides that may make it.
TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    (State.DRAFT, State.SENT): frozenset({Side.SENDER}),
    (State.DRAFT, State.REVOKED): frozenset({Side.SENDER}),
    (State.SENT, State.ACCEPTED): frozenset({Side.RECEIVER}),
    (State.SENT, State.REJECTED): frozenset({Side.RECEIVER}),
    (State.SENT, State.EXPIRED): frozenset({Side.SYSTEM}),
    (State.SENT, State.REVOKED): frozenset({Side.SENDER}),
    (State.SENT, State.DECLINED): frozenset({Side.CUSTOMER}),
    (State.ACCEPTED, State.DECLINED): frozenset({Side.CUSTOMER}),
    (State.ACCEPTED, State.STARTED): frozenset({Side.RECEIVER}),
    (State.STARTED, State.COMPLETED): frozenset({Side.RECEIVER}),
    (State.STARTED, State.INTERRUPTED): frozenset({Side.RECEIVER, Side.CUSTOMER}),
}

#: States a referral is still going in; the others are final.
OPEN_STATES = frozenset({State.DRAFT, State.SENT, State.ACCEPTED, State.STARTED})
#: States in which the referral holds one of the service's places for its month.
HOLDS_CAPACITY = frozenset({State.ACCEPTED, State.STARTED, State.COMPLETED, State.INTERRUPTED})


class RejectReason(models.TextChoices):
    NOT_ELIGIBLE = "not_eligible", _("The customer is not eligible")
    NO_CAPACITY = "no_capacity", _("No capacity")
    OTHER = "other", _("Other reason")


class Outcome(models.TextChoices):
    ACHIEVED = "achieved", _("Achieved")
    PARTIAL = "partial", _("Partially achieved")
    NOT_ACHIEVED = "not_achieved", _("Not achieved")


class EndedBy(models.TextChoices):
    CUSTOMER = "customer", _("Declined by the customer")
    PRODUCER = "producer", _("Ended by the producer")


class Referral(models.Model):
    alliance = models.ForeignKey(Alliance, on_delete=models.PROTECT, related_name="+")
    number = models.PositiveIntegerField(_("number"))
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="referrals", verbose_name=_("customer")
    )
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="referrals", verbose_name=_("service")
    )
    version = models.ForeignKey(ServiceVersion, on_delete=models.PROTECT, related_name="+")
    producer = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("producer")
    )
    sender = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("sent by")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"))
    state = models.CharField(_("state"), max_length=12, choices=State.choices)
    message = models.TextField(_("what the producer needs to know"), blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    answer_by = models.DateField(_("answer by"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    month = models.DateField(_("month of service"), null=True, blank=True)
    reason_code = models.CharField(_("reason"), max_length=20, blank=True)
    reason = models.TextField(_("reason in words"), blank=True)
    changed_at = models.DateTimeField(_("changed"))

    class Meta:
        ordering = ["alliance", "number"]
        indexes = [
            # A producer's queue: its referrals in a state, the oldest first.
            models.Index(fields=["producer", "state", "sent_at"], name="referral_queue"),
            # The queue in every state, read in its own order (migration 0003).
            models.Index(
                fields=["producer", "alliance", "sent_at", "id", "state"],
                name="referral_queue_every_state",
            ),
            models.Index(fields=["sender", "state", "changed_at"], name="referral_outgoing"),
            models.Index(fields=["customer", "created_at"], name="referral_customer"),
            models.Index(fields=["state", "answer_by"], name="referral_expiry"),
            models.Index(fields=["service", "month", "state"], name="referral_capacity"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["alliance", "number"], name="referral_number_unique"),
            models.CheckConstraint(
                name="referral_state_valid", condition=Q(state__in=State.values)
            ),
            # A referral that was sent has its answer date; one never sent is a draft, or a
            # draft that its sender revoked.
            models.CheckConstraint(
                name="referral_sent_has_deadline",
                condition=Q(state="draft")
                | Q(state="revoked", sent_at__isnull=True)
                | Q(sent_at__isnull=False, answer_by__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.number}"


class Transition(AllianceKeyed):
    """One move of a referral: from, to, who, when, why. Never changed or deleted."""

    alliance_parent = "referral"
    alliance = models.ForeignKey(
        "alliances.Alliance", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="transitions")
    from_state = models.CharField(max_length=12, choices=State.choices, blank=True)
    to_state = models.CharField(max_length=12, choices=State.choices)
    side = models.CharField(max_length=10, choices=Side.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    via = models.CharField(max_length=10)  # "web", "api", "person" (signed in), "system"
    at = models.DateTimeField()
    reason_code = models.CharField(max_length=20, blank=True)
    note = models.TextField(blank=True)
    #: The key a producer's system sent with the move (``Idempotency-Key``): sent twice, the
    #: move is made once and the second request gets the first one's answer.
    idempotency_key = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["referral", "at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["referral", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="referral_transition_idempotent",
            )
        ]

    def __str__(self) -> str:
        return f"{self.referral_id}: {self.from_state} → {self.to_state}"


class Episode(models.Model):
    """A customer's service at a producer, from its start to its end."""

    alliance = models.ForeignKey(Alliance, on_delete=models.PROTECT, related_name="+")
    referral = models.OneToOneField(Referral, on_delete=models.PROTECT, related_name="episode")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="episodes")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="episodes")
    producer = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    started_on = models.DateField(_("started"))
    ended_on = models.DateField(_("ended"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, blank=True)
    ended_by = models.CharField(_("ended by"), max_length=10, choices=EndedBy.choices, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["customer", "started_on", "pk"]
        indexes = [
            models.Index(fields=["producer", "started_on"], name="episode_producer"),
            models.Index(fields=["service", "ended_on"], name="episode_service"),
            models.Index(fields=["alliance", "ended_on"], name="episode_cohort"),
        ]
        constraints = [
            models.CheckConstraint(
                name="episode_end_is_whole",
                condition=Q(ended_on__isnull=True, outcome="", ended_by="")
                | Q(ended_on__isnull=False) & (~Q(outcome="") | ~Q(ended_by="")),
            ),
            models.CheckConstraint(
                name="episode_ends_after_start",
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} @ {self.producer_id} {self.started_on}"
