"""Reading outcome data: scoped to the alliance, counted by the database, and with the small
cells hidden from the parties they are not about (``measures.shown``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Q, QuerySet

from allianssi import permissions
from allianssi.accounts.models import User
from allianssi.alliances.models import Alliance
from allianssi.catalogue.models import Service
from allianssi.core import hooks
from allianssi.customers.models import Customer
from allianssi.outcomes import kpis, measures
from allianssi.outcomes.models import KpiDefinition, OutcomeEvent, Status
from allianssi.parties.models import Organisation
from allianssi.referrals.models import Episode, Referral

# Whose events the user sees -----------------------------------------------------------------------


@dataclass(frozen=True)
class Party:
    """The party the user sees outcomes for: an organizer (its advisors and controller see the
    events of its customers; only its advisors open the customers' pages) or a producer (its
    staff see the events it reported)."""

    pk: int
    organizer: bool
    advisor: bool


def event_reader(user: Any, alliance: Alliance) -> Party | None:
    """The party whose outcome events ``user`` sees in ``alliance``, if any."""
    own = getattr(user, "organisation_id", None)
    if own is None:
        return None
    if permissions.can_verify_outcomes(user, alliance, organizer_id=own):
        advisor = permissions.can_serve_customers(user, alliance, organizer_id=own)
        return Party(own, organizer=True, advisor=advisor)
    if permissions.can_receive_referrals(user, alliance, producer_id=own):
        return Party(own, organizer=False, advisor=False)
    return None


def events_read_by(party: Party, alliance: Alliance) -> QuerySet[OutcomeEvent]:
    """The events the party sees: an organizer's, those of its customers; a producer's, those it
    reported."""
    events = OutcomeEvent.objects.filter(alliance=alliance)
    if party.organizer:
        return events.filter(customer__organizer_id=party.pk)
    return events.filter(reporter_id=party.pk)


def audit_readers(user: Any, alliance: Alliance) -> list[Q]:
    """The audit records about outcome events that a reader of the alliance's trail may see
    (``hooks.register_audit_parties``): those of the events whose page the reader may open, as
    :func:`events_read_by` finds them: an organizer's people, its customers'; a producer's, the
    events it reported."""
    party = event_reader(user, alliance)
    if party is None:
        return []
    return [Q(organizer_party=party.pk) if party.organizer else Q(producer_party=party.pk)]


def audit_parties(event: OutcomeEvent) -> hooks.Parties:
    return hooks.Parties(organizer=event.customer.organizer_id, producer=event.reporter_id)


def verified_counts(alliance: Alliance, start: dt.date, end: dt.date) -> dict[tuple[int, str], int]:
    """The verified outcome events dated from ``start`` up to ``end``, per the producer paid for
    them and their type's code: what the settlement pays outcome prices on."""
    rows = (
        OutcomeEvent.objects.filter(
            alliance=alliance,
            status=Status.VERIFIED,
            occurred_on__gte=start,
            occurred_on__lt=end,
            producer__isnull=False,
        )
        .values_list("producer_id", "type__code")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {(producer, code): n for producer, code, n in rows}


@dataclass(frozen=True)
class Cell:
    """A figure as a user may see it: its name, and its counts and value unless hidden."""

    group: int | None
    label: str
    counts: measures.Counts | None  # None: hidden (fewer than five customers)
    value: object | None
    own: bool


def figures(
    user: User, definition: KpiDefinition, start: dt.date, end: dt.date, by: str | None
) -> list[Cell]:
    """The KPI's figures for the period, whole or by producer, organizer or service, with the
    cells of fewer than five customers hidden unless they are about the user's own party."""
    computed = kpis.compute(definition, start, end, by=by)
    labels: dict[int, str] = {}
    ids = [f.group for f in computed if f.group is not None]
    if by in {"producer", "organizer"}:
        labels = dict(Organisation.objects.filter(pk__in=ids).values_list("pk", "name"))
    elif by == "service":
        labels = {
            s.pk: s.current.name if s.current is not None else str(s)
            for s in Service.objects.filter(pk__in=ids).select_related("current")
        }
    cells = []
    for figure in computed:
        own = by in {"producer", "organizer"} and permissions.sees_small_cells(
            user, definition.alliance, organisation_id=figure.group
        )
        visible = measures.shown(figure.counts, own=own)
        cells.append(
            Cell(
                group=figure.group,
                label=labels.get(figure.group, "") if figure.group is not None else "",
                counts=figure.counts if visible else None,
                value=figure.value if visible else None,
                own=own,
            )
        )
    return sorted(cells, key=lambda c: c.label)


@dataclass(frozen=True)
class Funnel:
    """From referrals to outcomes in a period: referrals sent, services started, customers whose
    service ended, and of them those with a verified outcome on or after a start of service
    that ended in the period (at any time after it: the funnel has no window)."""

    sent: int
    started: int
    ended: int
    reached: int


def funnel(
    alliance: Alliance, start: dt.date, end: dt.date, *, producer: int | None = None
) -> Funnel:
    referrals = Referral.objects.filter(
        alliance=alliance, sent_at__date__gte=start, sent_at__date__lt=end
    )
    episodes = Episode.objects.filter(alliance=alliance)
    if producer is not None:
        referrals = referrals.filter(producer_id=producer)
        episodes = episodes.filter(producer_id=producer)
    started = episodes.filter(started_on__gte=start, started_on__lt=end).count()
    ended = episodes.filter(ended_on__gte=start, ended_on__lt=end)
    counts = ended.aggregate(
        ended=Count("customer", distinct=True),
        reached=Count(
            "customer",
            distinct=True,
            filter=Q(
                pk__in=_reached_episodes(alliance),
            ),
        ),
    )
    return Funnel(referrals.count(), started, counts["ended"], counts["reached"])


def _reached_episodes(alliance: Alliance) -> QuerySet[Any, Any]:
    from allianssi.outcomes.models import FirstOutcome

    return FirstOutcome.objects.filter(
        customer__alliance=alliance, verified_on__isnull=False
    ).values("episode_id")


def events_of_customer(user: User | AnonymousUser, customer: Customer) -> QuerySet[OutcomeEvent]:
    """The customer's outcome events, for a user who may serve the customer (the caller has
    checked it and logged the read of the record): none for anyone else."""
    if not permissions.can_serve_customers(
        user, customer.alliance, organizer_id=customer.organizer_id
    ):
        return OutcomeEvent.objects.none()
    return (
        OutcomeEvent.objects.filter(customer=customer)
        .select_related("type", "reporter")
        .order_by("-occurred_on", "-pk")
    )
