"""Every write to outcome data: one transaction each, permission-checked, audited, and folded
into the KPI tables (``kpis.refresh``) for the customers it touched.

Recording an event (by hand, through the API, or row by row from a file in ``importing``),
verifying claims by a hand check of a reproducible random sample, disputing a contradicted
claim and deciding the dispute, and defining KPIs. Register extracts are in ``register``.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from allianssi import permissions
from allianssi.accounts.models import User
from allianssi.alliances.models import Alliance, MemberRole, Membership
from allianssi.alliances.services import alliance_lock
from allianssi.audit import actions
from allianssi.audit.services import audit_append
from allianssi.catalogue.models import Service
from allianssi.core import clock
from allianssi.core.errors import DomainError, forbidden
from allianssi.customers.models import Customer
from allianssi.outcomes import kpis
from allianssi.outcomes.models import (
    Dispute,
    Earnings,
    Evidence,
    KpiDefinition,
    Measure,
    OutcomeEvent,
    OutcomeType,
    SampleDraw,
    Scope,
    Source,
    Status,
    Via,
)
from allianssi.parties.models import Organisation
from allianssi.referrals.models import Episode

#: How long before an event an episode may have ended and still be what the event follows.
ATTRIBUTION_DAYS = 365
#: The most claims one sample may draw.
SAMPLE_MAX = 1_000


@dataclass(frozen=True)
class Report:
    """Who records an outcome and how: the user, the party they report for, and the channel."""

    actor: User
    via: str = Via.WEB


def attributable(customer: Customer, occurred_on: dt.date) -> QuerySet[Episode]:
    """The customer's episodes an event of ``occurred_on`` may follow: started on or before it
    and not ended more than a year before it."""
    return Episode.objects.filter(
        customer=customer,
        started_on__lte=occurred_on,
    ).exclude(ended_on__lt=occurred_on - dt.timedelta(days=ATTRIBUTION_DAYS))


def paid_producer(episodes: Iterable[Episode]) -> int | None:
    """The producer an outcome is paid to, if outcomes are priced: of the episodes it follows,
    the one begun last (the service closest to the outcome); ties to the lower episode."""
    chosen = max(episodes, key=lambda e: (e.started_on, -e.pk), default=None)
    return chosen.producer_id if chosen is not None else None


def _reporter(
    actor: User, alliance: Alliance, customer: Customer, episodes: list[Episode]
) -> tuple[Organisation, str]:
    """The party reporting and the source it reports as: the customer's organizer (what the
    customer confirmed) or a producer that served the customer."""
    producers = {e.producer_id for e in episodes}
    if not permissions.can_report_outcome(
        actor, alliance, producer_ids=producers, organizer_id=customer.organizer_id
    ):
        raise forbidden()
    if actor.organisation_id == customer.organizer_id:
        return customer.organizer, Source.CUSTOMER
    assert actor.organisation is not None
    return actor.organisation, Source.PRODUCER


def check_event(
    *,
    customer: Customer,
    outcome: OutcomeType,
    occurred_on: dt.date,
    evidence: str,
    episodes: list[Episode],
    today: dt.date,
) -> None:
    """The checks every event passes, whichever way it comes in."""
    if customer.erased_at is not None:
        raise DomainError("customer_erased", _("The customer's data has been erased."))
    if outcome.kind != customer.kind:
        raise DomainError(
            "outcome_kind",
            _("This outcome is not for this kind of customer."),
            field="outcome",
        )
    if occurred_on > today:
        raise DomainError(
            "outcome_future", _("An outcome cannot be dated in the future."), field="occurred_on"
        )
    if len(evidence) > 300:
        raise DomainError("evidence_long", _("At most 300 characters."), field="evidence")
    if "\x00" in evidence:
        raise DomainError("text_nul", _("The text contains a NUL character; remove it."))
    if not episodes:
        raise DomainError(
            "outcome_no_episode",
            _(
                "The customer has no episode of service this outcome can follow: one started "
                "on or before its date and ended at most a year before it."
            ),
            field="occurred_on",
        )


@transaction.atomic
def event_record(
    *,
    report: Report,
    customer: Customer,
    outcome: OutcomeType,
    occurred_on: dt.date,
    evidence: str = "",
    episodes: Iterable[Episode] | None = None,
    external_id: str = "",
) -> OutcomeEvent:
    """Record one outcome of a customer, attributed to the given episodes (by default every
    episode it may follow; a producer's staff attribute it to their own). A claim until
    verified; an identifier the reporter gave before records nothing again."""
    actor = report.actor
    alliance = alliance_lock(customer.alliance, actor, live=True)
    evidence = evidence.strip()
    external_id = external_id.strip()
    possible = list(attributable(customer, occurred_on))
    if episodes is None:
        chosen = possible
        if actor.organisation_id != customer.organizer_id:
            chosen = [e for e in possible if e.producer_id == actor.organisation_id]
    else:
        chosen = list(episodes)
        allowed = {e.pk for e in possible}
        if any(e.pk not in allowed for e in chosen):
            raise DomainError(
                "outcome_episode",
                _("The outcome can follow only the customer's episodes begun before it."),
                field="episodes",
            )
    reporter, source = _reporter(actor, alliance, customer, list(customer.episodes.all()))
    if source == Source.PRODUCER:
        chosen = [e for e in chosen if e.producer_id == reporter.pk]
    check_event(
        customer=customer,
        outcome=outcome,
        occurred_on=occurred_on,
        evidence=evidence,
        episodes=chosen,
        today=clock.today(),
    )
    if len(external_id) > 100:
        raise DomainError("external_id_long", _("At most 100 characters."), field="external_id")
    if external_id:
        previous = OutcomeEvent.objects.filter(
            alliance=alliance, reporter=reporter, external_id=external_id
        ).first()
        if previous is not None:
            return previous
    try:
        with transaction.atomic():
            event = OutcomeEvent.objects.create(
                alliance=alliance,
                customer=customer,
                type=outcome,
                occurred_on=occurred_on,
                source=source,
                evidence=evidence,
                reporter=reporter,
                producer_id=paid_producer(chosen),
                external_id=external_id,
                via=report.via,
                recorded_by=actor,
                recorded_at=clock.now(),
            )
    except IntegrityError:  # the same identifier, recorded a moment ago by a retry
        return OutcomeEvent.objects.get(
            alliance=alliance, reporter=reporter, external_id=external_id
        )
    event.episodes.set(chosen)
    kpis.refresh([customer.pk])
    audit_append(
        actor=actor,
        alliance=alliance,
        action=actions.OUTCOME_RECORD,
        obj=event,
        after={
            "customer": customer.number,
            "outcome": outcome.code,
            "occurred_on": occurred_on,
            "source": source,
            "episodes": [e.pk for e in chosen],
            "via": report.via,
        },
    )
    return event


def _set_status(
    event: OutcomeEvent,
    status: str,
    note: str,
    actor: User | None,
    action: actions.Action,
    **extra: Any,
) -> None:
    before = event.status
    event.status = status
    event.check_note = note[:300]
    event.verified_at = clock.now()
    event.save(update_fields=["status", "check_note", "verified_at"])
    kpis.refresh([event.customer_id])
    audit_append(
        actor=actor,
        alliance=event.alliance,
        action=action,
        obj=event,
        before={"status": before},
        after={"status": status, "note": note, **extra},
    )


def customer_erased(customer_id: int) -> None:
    """The customer's personal data is erased: the texts of its outcomes and disputes (which may
    name the person) and the register's earnings go; the outcomes themselves stay, as the
    numbers the alliance's results are computed from (the follow-ups keep the three months'
    figures the KPIs were computed with, no longer linked to anyone)."""
    events = OutcomeEvent.objects.filter(customer_id=customer_id)
    events.update(evidence="", check_note="")
    Dispute.objects.filter(event__in=events).update(reason="", evidence="", decision_reason="")
    Earnings.objects.filter(customer_id=customer_id).delete()


# Samples ---------------------------------------------------------------------------------------


def sample_population(
    alliance: Alliance, organizer: Organisation, until: dt.date
) -> QuerySet[OutcomeEvent]:
    """The claims a sample draws from: the organizer's customers' outcomes still claims (or with
    no register data), dated up to ``until``, in a stable order."""
    return OutcomeEvent.objects.filter(
        alliance=alliance,
        customer__organizer=organizer,
        status__in=[Status.CLAIMED, Status.NO_DATA],
        occurred_on__lte=until,
    ).order_by("pk")


def draw(population: list[int], size: int, seed: int) -> list[int]:
    """The sample: ``size`` of the ids, drawn by Python's Mersenne Twister seeded with
    ``seed`` from the ids in ascending order. The same seed and claims draw the same sample."""
    generator = random.Random(seed)  # noqa: S311 - reproducible by design, not a secret
    return sorted(generator.sample(sorted(population), min(size, len(population))))


@transaction.atomic
def sample_draw(
    *,
    actor: User,
    alliance: Alliance,
    organizer: Organisation,
    size: int,
    until: dt.date,
    seed: int | None = None,
) -> SampleDraw:
    """Draw a random sample of the organizer's unverified claims to check by hand."""
    alliance = alliance_lock(alliance, actor, live=True)
    if not permissions.can_verify_outcomes(actor, alliance, organizer_id=organizer.pk):
        raise forbidden()
    if not 1 <= size <= SAMPLE_MAX:
        raise DomainError(
            "sample_size",
            _("Draw from 1 to %(most)s claims."),
            field="size",
            most=str(SAMPLE_MAX),
        )
    population = list(sample_population(alliance, organizer, until).values_list("pk", flat=True))
    if not population:
        raise DomainError("sample_empty", _("There are no unverified claims to draw from."))
    seed = secrets.randbits(62) if seed is None else seed
    chosen = draw(population, size, seed)
    sample = SampleDraw.objects.create(
        alliance=alliance,
        organizer=organizer,
        seed=seed,
        size=len(chosen),
        population=len(population),
        claims_until=until,
        drawn_by=actor,
        drawn_at=clock.now(),
    )
    sample.events.set(chosen)
    audit_append(
        actor=actor,
        alliance=alliance,
        action=actions.OUTCOME_SAMPLE,
        obj=sample,
        after={"seed": seed, "size": len(chosen), "population": len(population), "until": until},
    )
    return sample


@transaction.atomic
def sample_check(
    *, actor: User, sample: SampleDraw, event: OutcomeEvent, confirmed: bool, evidence: str
) -> OutcomeEvent:
    """Record the hand check of one sampled claim: confirmed (verified) or not (contradicted),
    with the evidence seen."""
    alliance = alliance_lock(sample.alliance, actor, live=True)
    if not permissions.can_verify_outcomes(actor, alliance, organizer_id=sample.organizer_id):
        raise forbidden()
    event = OutcomeEvent.objects.select_for_update().get(pk=event.pk)
    if not sample.events.filter(pk=event.pk).exists():
        raise DomainError("sample_not_drawn", _("This claim is not in the sample."))
    if event.status not in {Status.CLAIMED, Status.NO_DATA}:
        raise DomainError("outcome_checked", _("This claim has already been checked."))
    evidence = evidence.strip()
    if not evidence:
        raise DomainError(
            "evidence_required",
            _("Say what you checked the claim against (the evidence)."),
            field="evidence",
        )
    status = Status.VERIFIED if confirmed else Status.CONTRADICTED
    _set_status(event, status, evidence, actor, actions.OUTCOME_CHECK, sample=sample.pk)
    return event


# Disputes --------------------------------------------------------------------------------------


@transaction.atomic
def dispute_raise(*, actor: User, event: OutcomeEvent, reason: str, evidence: str) -> Dispute:
    """The reporter disputes a contradicted claim, with its reasons and evidence."""
    alliance = alliance_lock(event.alliance, actor, live=True)
    if not permissions.can_dispute_outcome(actor, alliance, reporter_id=event.reporter_id):
        raise forbidden()
    event = OutcomeEvent.objects.select_for_update().get(pk=event.pk)
    if event.status != Status.CONTRADICTED:
        raise DomainError(
            "dispute_not_contradicted", _("Only a contradicted claim can be disputed.")
        )
    reason, evidence = reason.strip(), evidence.strip()
    if not reason:
        raise DomainError("reason_required", _("Say why the claim is right."), field="reason")
    if not evidence:
        raise DomainError(
            "evidence_required", _("Name the evidence for the claim."), field="evidence"
        )
    if len(evidence) > 300:
        raise DomainError("evidence_long", _("At most 300 characters."), field="evidence")
    dispute = Dispute.objects.create(
        alliance_id=event.alliance_id,
        event=event,
        raised_by=actor,
        raised_at=clock.now(),
        reason=reason,
        evidence=evidence,
    )
    _set_status(
        event, Status.DISPUTED, evidence, actor, actions.OUTCOME_DISPUTE, dispute=dispute.pk
    )
    return dispute


@transaction.atomic
def dispute_decide(*, actor: User, dispute: Dispute, upheld: bool, reason: str) -> Dispute:
    """The customer's organizer decides a dispute: upheld, the outcome stands as verified;
    dismissed, the claim stays contradicted."""
    event = dispute.event
    alliance = alliance_lock(event.alliance, actor, live=True)
    if not permissions.can_verify_outcomes(
        actor, alliance, organizer_id=event.customer.organizer_id
    ):
        raise forbidden()
    dispute = Dispute.objects.select_for_update().get(pk=dispute.pk)
    if dispute.decision:
        raise DomainError("dispute_decided", _("The dispute has already been decided."))
    reason = reason.strip()
    if not reason:
        raise DomainError(
            "reason_required", _("Give the reasons for the decision."), field="reason"
        )
    dispute.decision = Dispute.Decision.UPHELD if upheld else Dispute.Decision.DISMISSED
    dispute.decided_by = actor
    dispute.decided_at = clock.now()
    dispute.decision_reason = reason
    dispute.save()
    status = Status.VERIFIED if upheld else Status.CONTRADICTED
    _set_status(
        OutcomeEvent.objects.select_for_update().get(pk=event.pk),
        status,
        reason,
        actor,
        actions.OUTCOME_DECIDE,
        dispute=dispute.pk,
        decision=dispute.decision,
    )
    return dispute


# KPI definitions ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Definition:
    """What a KPI definition says (see :class:`~allianssi.outcomes.models.KpiDefinition`)."""

    code: str
    name_fi: str
    measure: str
    scope: str = Scope.ALLIANCE
    party_id: int | None = None  # the organizer's or producer's id, for those scopes
    service_id: int | None = None
    types: tuple[str, ...] = ()  # outcome type codes
    within_days: int = 90
    employed_months: int | None = None
    threshold_cents: int = 0
    evidence: str = Evidence.VERIFIED
    name_sv: str = ""
    name_en: str = ""


def _check_definition(
    alliance: Alliance, d: Definition
) -> tuple[list[OutcomeType], dict[str, Any]]:
    import re

    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,39}", d.code):
        raise DomainError(
            "kpi_code",
            _("The code is 1–40 lower-case letters, digits, hyphens or underscores."),
            field="code",
        )
    if not d.name_fi.strip():
        raise DomainError("name_required", _("Name the KPI in Finnish."), field="name_fi")
    if d.measure not in Measure.values:
        raise DomainError("kpi_measure", _("Choose the measure."), field="measure")
    if d.evidence not in Evidence.values:
        raise DomainError("kpi_evidence", _("Choose which outcomes count."), field="evidence")
    if not 0 <= d.within_days <= 730:
        raise DomainError(
            "kpi_within", _("Count outcomes at most 730 days after the end."), field="within_days"
        )
    links: dict[str, Any] = {"organizer": None, "producer": None, "service": None}
    if d.scope == Scope.ORGANIZER or d.scope == Scope.PRODUCER:
        role = {
            Scope.ORGANIZER: [MemberRole.ORGANIZER],
            Scope.PRODUCER: [MemberRole.PRODUCER, MemberRole.OWN_PRODUCTION],
        }[Scope(d.scope)]
        member = (
            Membership.objects.filter(
                alliance=alliance, organisation_id=d.party_id or 0, role__in=role
            )
            .select_related("organisation")
            .first()
        )
        if member is None:
            raise DomainError(
                "kpi_party", _("Choose a party of the alliance in that role."), field="party"
            )
        links[str(d.scope)] = member.organisation
    elif d.scope == Scope.SERVICE:
        service = Service.objects.filter(alliance=alliance, pk=d.service_id or 0).first()
        if service is None:
            raise DomainError(
                "kpi_service", _("Choose a service of the alliance."), field="service"
            )
        links["service"] = service
    elif d.scope != Scope.ALLIANCE:
        raise DomainError("kpi_scope", _("Choose the cohort."), field="scope")
    types = list(OutcomeType.objects.filter(code__in=d.types))
    if d.employed_months is not None:
        if d.employed_months not in (3, 6, 12):
            raise DomainError(
                "kpi_months", _("Follow employment at 3, 6 or 12 months."), field="employed_months"
            )
        if d.threshold_cents <= 0:
            raise DomainError(
                "kpi_threshold",
                _("State the monthly earnings that count as employed."),
                field="threshold",
            )
        if d.measure == Measure.MEDIAN_DAYS:
            raise DomainError(
                "kpi_median_employed",
                _("A median of days needs outcome events, not a follow-up month."),
                field="measure",
            )
        types = []
    elif not types or len(types) != len(set(d.types)):
        raise DomainError("kpi_types", _("Choose the outcomes the KPI counts."), field="types")
    return types, links


@transaction.atomic
def definition_save(*, actor: User, alliance: Alliance, definition: Definition) -> KpiDefinition:
    """Create a KPI definition, or change the one with the same code. A KPI already settled
    keeps its frozen results: the settlement recorded what the definition gave then."""
    alliance = alliance_lock(alliance, actor, live=True)
    if not permissions.can_manage_kpi_definitions(actor, alliance):
        raise forbidden()
    types, links = _check_definition(alliance, definition)
    fields = {
        "name_fi": definition.name_fi.strip(),
        "name_sv": definition.name_sv.strip(),
        "name_en": definition.name_en.strip(),
        "scope": definition.scope,
        "within_days": definition.within_days,
        "employed_months": definition.employed_months,
        "threshold_cents": definition.threshold_cents if definition.employed_months else 0,
        "measure": definition.measure,
        "evidence": definition.evidence,
        **links,
    }
    existing = KpiDefinition.objects.filter(alliance=alliance, code=definition.code).first()
    before = None
    if existing is None:
        saved = KpiDefinition.objects.create(
            alliance=alliance,
            code=definition.code,
            created_by=actor,
            created_at=clock.now(),
            **fields,
        )
    else:
        before = _definition_snapshot(existing)
        for name, value in fields.items():
            setattr(existing, name, value)
        existing.save()
        saved = existing
    saved.types.set(types)
    audit_append(
        actor=actor,
        alliance=alliance,
        action=actions.KPI_DEFINITION_SAVE,
        obj=saved,
        before=before,
        after=_definition_snapshot(saved),
    )
    return saved


def _definition_snapshot(d: KpiDefinition) -> dict[str, Any]:
    return {
        "code": d.code,
        "name_fi": d.name_fi,
        "scope": d.scope,
        "organizer": d.organizer_id,
        "producer": d.producer_id,
        "service": d.service_id,
        "types": sorted(d.types.values_list("code", flat=True)),
        "within_days": d.within_days,
        "employed_months": d.employed_months,
        "threshold_cents": d.threshold_cents,
        "measure": d.measure,
        "evidence": d.evidence,
    }
