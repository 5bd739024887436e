"""Every move of a referral: one transaction each, the referral locked, permission-checked by
the side that may make it (:data:`~allianssi.referrals.models.TRANSITIONS`), kept as a
:class:`~allianssi.referrals.models.Transition` and audited.

Concurrent moves of one referral decide once: the referral row is locked first and its state
read under the lock, so of two producers' people accepting and rejecting at the same moment one
wins and the other is told that the referral has already moved. A move sent again with the same
``idempotency_key`` (a producer's system retrying) is made once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from allianssi import permissions
from allianssi.accounts.models import User
from allianssi.alliances.models import Alliance, MemberRole, Membership
from allianssi.alliances.services import alliance_lock
from allianssi.audit import actions
from allianssi.audit.services import audit_append
from allianssi.catalogue.models import (
    DELIVERY_PHASES,
    PartyRole,
    Service,
    ServiceVersion,
    VersionStatus,
)
from allianssi.core import clock, hooks
from allianssi.core.errors import DomainError, forbidden
from allianssi.core.text import text_check
from allianssi.customers.models import Customer, CustomerKind, LegalBasis
from allianssi.customers.services import active_consent, touch
from allianssi.identification import identity
from allianssi.notifications.services import notify
from allianssi.parties.models import Organisation
from allianssi.referrals import eligibility
from allianssi.referrals.models import (
    HOLDS_CAPACITY,
    OPEN_STATES,
    TRANSITIONS,
    EndedBy,
    Episode,
    Outcome,
    Referral,
    RejectReason,
    Side,
    State,
    Transition,
)

#: A referral's message and every reason: at most this many characters.
TEXT_MAX = 2000
#: A day of service (a start or an end) is recorded at most this long after it.
DAYS_BACK = dt.timedelta(days=5 * 366)


@dataclass(frozen=True)
class Move:
    """Who makes a move and how: a user (web or API), the customer signed in, or the system."""

    actor: User | None
    via: str  # "web", "api", "person", "system"
    idempotency_key: str = ""


def referral_url(referral: Referral) -> str:
    return reverse("referrals:detail", args=[referral.alliance_id, referral.number])


def _answer_by(version: ServiceVersion, day: dt.date) -> dt.date:
    return day + dt.timedelta(days=version.answer_days)


def facts_of(customer: Customer) -> eligibility.Facts:
    """The customer's facts the eligibility rules read (the age from the henkilötunnus)."""
    age = None
    if customer.kind == CustomerKind.PERSON and customer.hetu_token:
        age = identity.age_on(identity.decrypt(customer.hetu_token), clock.today())
    return eligibility.Facts(
        kind=customer.kind,
        age=age,
        municipality=customer.municipality.code if customer.municipality else "",
        jobseeker=customer.jobseeker,
        employees=customer.employees,
        registered_on=customer.registered_on,
    )


def rules_of(version: ServiceVersion) -> eligibility.Rules:
    return eligibility.Rules(
        for_persons=version.for_persons,
        for_companies=version.for_companies,
        municipalities=tuple(version.municipalities),
        min_age=version.min_age,
        max_age=version.max_age,
        residence_required=version.residence_required,
        jobseeker=version.jobseeker,
        company_max_employees=version.company_max_employees,
        company_max_age_years=version.company_max_age_years,
    )


def check_eligible(version: ServiceVersion, customer: Customer) -> None:
    reasons = eligibility.mismatches(rules_of(version), facts_of(customer), clock.today())
    if reasons:
        raise DomainError(
            "not_eligible",
            _("The customer does not meet the service's rules: %(reasons)s")
            % {"reasons": " ".join(reasons)},
        )


def _offered(service: Service) -> ServiceVersion:
    """The service's published version, offered today by a delivering alliance."""
    service = Service.objects.select_related("current", "alliance").get(pk=service.pk)
    version = service.current
    today = clock.today()
    if (
        version is None
        or version.status != VersionStatus.PUBLISHED
        or (version.valid_from is not None and version.valid_from > today)
        or (version.valid_to is not None and version.valid_to < today)
    ):
        raise DomainError(
            "service_not_offered", _("The service is not offered now."), field="service"
        )
    if service.alliance.phase not in DELIVERY_PHASES:
        raise DomainError(
            "alliance_not_delivering", _("The alliance is not delivering services now.")
        )
    return version


def _producers(version: ServiceVersion) -> set[int]:
    return set(
        version.parties.filter(role=PartyRole.PRODUCER).values_list("organisation_id", flat=True)
    )


def _member(alliance: Alliance, organisation_id: int) -> Membership | None:
    return Membership.objects.filter(
        alliance=alliance, organisation_id=organisation_id, ended_on__isnull=True
    ).first()


def _sender_for(actor: User, alliance: Alliance, customer: Customer) -> Organisation:
    """The party the actor refers the customer for: the customer's organizer (its advisor), or a
    producer where the customer has a referral or episode (its staff, referring onward)."""
    organisation_id = getattr(actor, "organisation_id", None) or 0
    if permissions.can_serve_customers(actor, alliance, organizer_id=customer.organizer_id):
        return customer.organizer
    membership = _member(alliance, organisation_id)
    if (
        membership is not None
        and membership.role in (MemberRole.PRODUCER, MemberRole.OWN_PRODUCTION)
        and permissions.can_refer_onward(actor, alliance, producer_id=organisation_id)
        and Referral.objects.filter(
            customer=customer,
            producer_id=organisation_id,
            state__in=[State.ACCEPTED, State.STARTED, State.COMPLETED, State.INTERRUPTED],
        ).exists()
    ):
        return membership.organisation
    raise forbidden()


@transaction.atomic
def referral_create(
    *,
    actor: User,
    customer: Customer,
    service: Service,
    producer: Organisation,
    message: str,
    send: bool = False,
) -> Referral:
    """A referral of the customer to a service and one of its producers, as a draft or sent."""
    alliance = alliance_lock(customer.alliance, actor, live=True)
    if service.alliance_id != alliance.pk:
        raise DomainError(
            "other_alliance", _("Refer only to the alliance's own services."), field="service"
        )
    sender = _sender_for(actor, alliance, customer)
    if customer.erased_at is not None:
        raise DomainError("customer_erased", _("The customer's personal data has been erased."))
    version = _offered(service)
    if producer.pk not in _producers(version) or _member(alliance, producer.pk) is None:
        raise DomainError(
            "not_a_producer", _("Choose one of the service's producers."), field="producer"
        )
    message = _text(message, field="message")
    now = clock.now()
    number = (Referral.objects.filter(alliance=alliance).aggregate(n=Max("number"))["n"] or 0) + 1
    referral = Referral.objects.create(
        alliance=alliance,
        number=number,
        customer=customer,
        service=service,
        version=version,
        producer=producer,
        sender=sender,
        created_by=actor,
        created_at=now,
        state=State.DRAFT,
        message=message,
        changed_at=now,
    )
    Transition.objects.create(
        alliance_id=referral.alliance_id,
        referral=referral,
        from_state="",
        to_state=State.DRAFT,
        side=Side.SENDER,
        actor=actor,
        via="web",
        at=now,
    )
    audit_append(
        actor=actor,
        alliance=alliance,
        action=actions.REFERRAL_CREATE,
        obj=referral,
        after=_snapshot(referral),
    )
    if send:
        referral = referral_send(referral=referral, move=Move(actor=actor, via="web"))
    return referral


def _snapshot(referral: Referral) -> dict[str, Any]:
    """What the audit trail keeps of a referral: numbers and codes, nothing of the person."""
    return {
        "number": referral.number,
        "customer": referral.customer.number,
        "service": referral.service.number,
        "producer": referral.producer_id,
        "sender": referral.sender_id,
        "state": referral.state,
    }


def _side_allowed(side: str, move: Move, referral: Referral) -> bool:
    actor = move.actor
    alliance = referral.alliance
    if side == Side.SYSTEM:
        return move.via == "system"
    if side == Side.CUSTOMER and move.via == "person":
        return True
    if actor is None:
        return False
    if side == Side.SENDER:
        return permissions.can_send_referral(actor, alliance, sender_id=referral.sender_id)
    if side == Side.RECEIVER:
        return permissions.can_receive_referrals(actor, alliance, producer_id=referral.producer_id)
    if side == Side.CUSTOMER:
        # Staff record the customer's own decision: the sender's people or the producer's.
        return permissions.can_send_referral(
            actor, alliance, sender_id=referral.sender_id
        ) or permissions.can_receive_referrals(actor, alliance, producer_id=referral.producer_id)
    return False


def _move(
    referral: Referral,
    to: str,
    move: Move,
    *,
    reason_code: str = "",
    note: str = "",
    side: str | None = None,
) -> tuple[Referral, str, bool]:
    """Lock the referral, check the move and who makes it, and record it. Returns the locked
    referral, the state it came from, and whether this is a replay of an earlier identical move
    (same idempotency key), in which case nothing was changed."""
    if move.actor is not None:
        permissions.forget_roles(move.actor)
    locked = (
        Referral.objects.select_for_update(of=("self",))
        .select_related("alliance", "customer", "service", "version", "producer", "sender")
        .get(pk=referral.pk)
    )
    if move.idempotency_key:
        earlier = Transition.objects.filter(
            referral=locked, idempotency_key=move.idempotency_key
        ).first()
        if earlier is not None:
            if not _side_allowed(earlier.side, move, locked):
                raise forbidden()
            if earlier.to_state != to:
                raise DomainError(
                    "idempotency_conflict",
                    _("That idempotency key was already used for another move."),
                )
            return locked, earlier.from_state, True
    allowed = TRANSITIONS.get((locked.state, to))
    if allowed is None:
        raise DomainError(
            "referral_moved",
            _("The referral is %(state)s; it cannot become %(to)s.")
            % {"state": State(locked.state).label.lower(), "to": State(to).label.lower()},
        )
    sides = [side] if side is not None else sorted(allowed)
    chosen = next((s for s in sides if s in allowed and _side_allowed(s, move, locked)), None)
    if chosen is None:
        raise forbidden()
    now = clock.now()
    previous = locked.state
    locked.state = to
    locked.changed_at = now
    if reason_code:
        locked.reason_code = reason_code
    if note:
        locked.reason = note
    Transition.objects.create(
        alliance_id=locked.alliance_id,
        referral=locked,
        from_state=previous,
        to_state=to,
        side=chosen,
        actor=move.actor,
        via=move.via,
        at=now,
        reason_code=reason_code,
        note=note,
        idempotency_key=move.idempotency_key,
    )
    return locked, previous, False


#: The audit action of a move, by the state the referral moved to.
_MOVED: dict[str, actions.Action] = {
    State.SENT: actions.REFERRAL_SENT,
    State.ACCEPTED: actions.REFERRAL_ACCEPTED,
    State.REJECTED: actions.REFERRAL_REJECTED,
    State.EXPIRED: actions.REFERRAL_EXPIRED,
    State.REVOKED: actions.REFERRAL_REVOKED,
    State.DECLINED: actions.REFERRAL_DECLINED,
    State.STARTED: actions.REFERRAL_STARTED,
    State.COMPLETED: actions.REFERRAL_COMPLETED,
    State.INTERRUPTED: actions.REFERRAL_INTERRUPTED,
}


def _audit(referral: Referral, move: Move, previous: str, **extra: Any) -> None:
    audit_append(
        actor=move.actor,
        alliance=referral.alliance,
        action=_MOVED[referral.state],
        obj=referral,
        before={"state": previous},
        after={**_snapshot(referral), **extra, "via": move.via},
    )


def _staff(organisation_id: int, alliance: Alliance, *, receiving: bool) -> Any:
    return User.objects.filter(
        is_active=True,
        organisation_id=organisation_id,
        alliance_roles__alliance=alliance,
        alliance_roles__revoked_at__isnull=True,
        alliance_roles__role__in=["producer_staff"] if receiving else ["advisor", "producer_staff"],
    ).distinct()


@transaction.atomic
def referral_send(*, referral: Referral, move: Move) -> Referral:
    """Send a draft: the service's eligibility rules are checked against the customer, and the
    answer is due in the days the service states."""
    referral, previous, replay = _move(referral, State.SENT, move)
    if replay:
        return referral
    customer = referral.customer
    if customer.legal_basis == LegalBasis.CONSENT and active_consent(customer) is None:
        raise DomainError(
            "no_consent",
            _("The customer has withdrawn their consent: no referral can be sent on it."),
        )
    version = _offered(referral.service)
    check_eligible(version, customer)
    now = clock.now()
    referral.version = version
    referral.sent_at = now
    referral.answer_by = _answer_by(version, now.date())
    referral.save()
    touch(customer.pk, now.date())
    notify(
        users=_staff(referral.producer_id, referral.alliance, receiving=True),
        alliance=referral.alliance,
        kind="referral_received",
        params={"number": referral.number, "name": version.name_fi},
        url=referral_url(referral),
        exclude=move.actor,
    )
    _audit(referral, move, previous)
    return referral


def _capacity_left(version: ServiceVersion, service: Service, month: dt.date) -> int | None:
    if version.capacity_per_month is None:
        return None
    taken = Referral.objects.filter(
        service=service, month=month, state__in=list(HOLDS_CAPACITY)
    ).count()
    return version.capacity_per_month - taken


@transaction.atomic
def referral_accept(*, referral: Referral, move: Move, month: dt.date | None = None) -> Referral:
    """Accept: the service takes the customer in ``month`` (this month unless said), if it has
    a place left that month."""
    # The service row is locked first: two acceptances for its last place decide one by one.
    Service.objects.select_for_update(no_key=True, of=("self",)).filter(
        pk=referral.service_id
    ).first()
    referral, previous, replay = _move(referral, State.ACCEPTED, move)
    if replay:
        return referral
    today = clock.today()
    month = (month or today).replace(day=1)
    if month < today.replace(day=1):
        raise DomainError("month_past", _("Choose this month or a later one."), field="month")
    left = _capacity_left(referral.version, referral.service, month)
    if left is not None and left <= 0:
        raise DomainError(
            "no_capacity",
            _("The service has no places left in %(month)s (%(capacity)s a month).")
            % {"month": f"{month:%m/%Y}", "capacity": referral.version.capacity_per_month},
        )
    referral.month = month
    referral.answered_at = clock.now()
    referral.save()
    _notify_sender(referral, move, "referral_accepted")
    _audit(referral, move, previous, month=month)
    return referral


def _notify_sender(referral: Referral, move: Move, kind: str) -> None:
    notify(
        users=[referral.created_by],
        alliance=referral.alliance,
        kind=kind,
        params={"number": referral.number, "name": referral.version.name_fi},
        url=referral_url(referral),
        exclude=move.actor,
    )


def _text(text: str, *, field: str) -> str:
    """A message or a reason: stripped, at most ``TEXT_MAX`` characters, storable."""
    text = text.strip()
    if len(text) > TEXT_MAX:
        raise DomainError("too_long", _("At most 2000 characters."), field=field)
    return text_check(text, field=field, limit=TEXT_MAX)


def _reason(text: str, *, required: bool) -> str:
    text = _text(text, field="reason")
    if required and not text:
        raise DomainError("reason_required", _("Say why."), field="reason")
    return text


@transaction.atomic
def referral_reject(*, referral: Referral, move: Move, reason_code: str, reason: str) -> Referral:
    if reason_code not in RejectReason.values:
        raise DomainError(
            "reason_code", _("Choose why the referral is rejected."), field="reason_code"
        )
    reason = _reason(reason, required=reason_code == RejectReason.OTHER)
    referral, previous, replay = _move(
        referral, State.REJECTED, move, reason_code=reason_code, note=reason
    )
    if replay:
        return referral
    referral.answered_at = clock.now()
    referral.save()
    _notify_sender(referral, move, "referral_rejected")
    _audit(referral, move, previous, reason_code=reason_code)
    return referral


@transaction.atomic
def referral_revoke(*, referral: Referral, move: Move, reason: str) -> Referral:
    referral, previous, replay = _move(
        referral, State.REVOKED, move, note=_reason(reason, required=referral.state != "draft")
    )
    if replay:
        return referral
    referral.save()
    _audit(referral, move, previous)
    return referral


@transaction.atomic
def referral_decline(*, referral: Referral, move: Move, reason: str = "") -> Referral:
    """The customer does not want the service: before it starts, the referral is declined;
    once started, the episode is interrupted by the customer."""
    current = Referral.objects.only("state").get(pk=referral.pk).state
    if current == State.STARTED:
        episode = referral_interrupt(
            referral=referral, move=move, ended_by=EndedBy.CUSTOMER, reason=reason
        )
        return episode.referral
    referral, previous, replay = _move(
        referral, State.DECLINED, move, note=_reason(reason, required=False), side=Side.CUSTOMER
    )
    if replay:
        return referral
    referral.save()
    _notify_sender(referral, move, "referral_declined")
    _audit(referral, move, previous)
    return referral


def _day(day: dt.date | None, field: str) -> dt.date:
    """A day of service: today unless given, never ahead, at most ``DAYS_BACK`` ago."""
    today = clock.today()
    day = day or today
    if day > today:
        raise DomainError("future_day", _("The day cannot be in the future."), field=field)
    earliest = today - DAYS_BACK
    if day < earliest:
        raise DomainError(
            "day_too_early",
            _("The day is between %(earliest)s and today."),
            field=field,
            earliest=earliest,
        )
    return day


@transaction.atomic
def referral_start(*, referral: Referral, move: Move, started_on: dt.date | None = None) -> Episode:
    """The service begins: an episode of service at the producer."""
    referral, previous, replay = _move(referral, State.STARTED, move)
    if replay:
        return referral.episode
    started_on = _day(started_on, "started_on")
    referral.save()
    episode = Episode.objects.create(
        alliance=referral.alliance,
        referral=referral,
        customer=referral.customer,
        service=referral.service,
        producer=referral.producer,
        started_on=started_on,
    )
    touch(referral.customer_id, started_on)
    _audit(referral, move, previous, started_on=started_on)
    return episode


def _end(referral: Referral, day: dt.date | None) -> tuple[Episode, dt.date]:
    episode = Episode.objects.select_for_update(of=("self",)).get(referral=referral)
    ended_on = _day(day, "ended_on")
    if ended_on < episode.started_on:
        raise DomainError(
            "ends_before_start", _("The service cannot end before it started."), field="ended_on"
        )
    return episode, ended_on


@transaction.atomic
def referral_complete(
    *,
    referral: Referral,
    move: Move,
    outcome: str,
    reason: str = "",
    ended_on: dt.date | None = None,
) -> Episode:
    """The service was given in full; its outcome is recorded, with a reason unless achieved."""
    if outcome not in Outcome.values:
        raise DomainError("outcome", _("Choose the outcome."), field="outcome")
    reason = _reason(reason, required=outcome != Outcome.ACHIEVED)
    referral, previous, replay = _move(
        referral, State.COMPLETED, move, reason_code=outcome, note=reason
    )
    if replay:
        return referral.episode
    referral.save()
    episode, ended_on = _end(referral, ended_on)
    episode.ended_on = ended_on
    episode.outcome = outcome
    episode.reason = reason
    episode.save()
    hooks.episode_ended(episode)
    touch(referral.customer_id, ended_on)
    _notify_sender(referral, move, "referral_completed")
    _audit(referral, move, previous, outcome=outcome, ended_on=ended_on)
    return episode


@transaction.atomic
def referral_interrupt(
    *,
    referral: Referral,
    move: Move,
    ended_by: str,
    reason: str,
    ended_on: dt.date | None = None,
) -> Episode:
    """The service stopped before its end: declined by the customer, or ended by the producer
    (kept apart, each with its reason)."""
    if ended_by not in EndedBy.values:
        raise DomainError("ended_by", _("Say who ended the service."), field="ended_by")
    side = Side.CUSTOMER if ended_by == EndedBy.CUSTOMER else Side.RECEIVER
    reason = _reason(reason, required=ended_by == EndedBy.PRODUCER)
    referral, previous, replay = _move(
        referral, State.INTERRUPTED, move, reason_code=ended_by, note=reason, side=side
    )
    if replay:
        return referral.episode
    referral.save()
    episode, ended_on = _end(referral, ended_on)
    episode.ended_on = ended_on
    episode.ended_by = ended_by
    episode.reason = reason
    episode.save()
    hooks.episode_ended(episode)
    touch(referral.customer_id, ended_on)
    _notify_sender(referral, move, "referral_interrupted")
    _audit(referral, move, previous, ended_by=ended_by, ended_on=ended_on)
    return episode


def referrals_expire(*, today: dt.date | None = None) -> int:
    """Every sent referral not answered by its day expires. Daily, by the worker
    (``referrals.tasks``) or ``manage.py referrals_expire``. Returns how many expired."""
    today = today or clock.today()
    due = Referral.objects.filter(state=State.SENT, answer_by__lt=today).order_by("pk")
    expired = 0
    for pk in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            referral = Referral.objects.get(pk=pk)
            move = Move(actor=None, via="system")
            try:
                referral, previous, _replay = _move(referral, State.EXPIRED, move)
            except DomainError:
                continue  # answered meanwhile
            referral.save()
            _notify_sender(referral, move, "referral_expired")
            _audit(referral, move, previous, answer_by=referral.answer_by)
            expired += 1
    return expired


def open_referral_exists(customer: Customer) -> bool:
    return customer.referrals.filter(state__in=OPEN_STATES).exists()
