"""The alliance's configuration as the compliance rules see it: read from the database into the
plain values of :mod:`allianssi.compliance.rules`. A handful of queries, whatever the size."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from django.db.models import Sum

from allianssi.alliances.models import Alliance, Membership, ServiceArea
from allianssi.catalogue.models import PartyRole, ServiceVersion, VersionStatus
from allianssi.compliance import rules
from allianssi.compliance.models import AgreementDocument, Assignment, MarketActivity, Task
from allianssi.core import clock
from allianssi.governance.models import ProposalStatus, Seat
from allianssi.procurement.models import Award, NegotiationRound, Procurement, ProcurementStatus
from allianssi.procurement.regime import Category, NoThreshold, Regime, determine
from allianssi.procurement.selectors import thresholds

LABELS = {**dict(ServiceArea.choices), **dict(Task.choices)}


def configuration(alliance: Alliance) -> rules.Configuration:
    members = list(
        Membership.objects.filter(alliance=alliance, ended_on__isnull=True).select_related(
            "organisation"
        )
    )
    parties = tuple(
        rules.Party(
            id=m.organisation_id,
            name=m.organisation.name,
            kind=m.organisation.kind,
            role=m.role,
            parent_id=m.organisation.parent_id,
        )
        for m in members
    )
    seated = {p.id for p in parties}
    seat_people = []
    for seat in Seat.objects.filter(alliance=alliance).select_related("representative", "deputy"):
        if seat.organisation_id not in seated:
            continue
        for person in (seat.representative, seat.deputy):
            if person is not None:
                seat_people.append(
                    rules.SeatPerson(
                        seat_party_id=seat.organisation_id,
                        person=person.get_full_name() or person.get_username(),
                        person_party_id=person.organisation_id,
                        person_id=person.pk,
                    )
                )
    holdings = tuple(
        rules.Holding(party_id=a.organisation_id, service_area=a.service_area, task=a.task)
        for a in Assignment.objects.filter(
            alliance=alliance, ended_at__isnull=True, organisation_id__in=seated
        )
    )
    market = frozenset(
        MarketActivity.objects.filter(alliance=alliance, ended_at__isnull=True).values_list(
            "organisation_id", flat=True
        )
    )
    return rules.Configuration(
        phase=alliance.phase,
        service_areas=frozenset(alliance.service_areas.values_list("area", flat=True)),
        parties=parties,
        seat_people=tuple(seat_people),
        own_units_have_seats=alliance.own_units_have_seats,
        holdings=holdings,
        market_units=market,
        procurements=_procurements(alliance),
        documents=tuple(
            rules.DocumentFacts(
                title=d.title,
                version=d.version,
                kind=d.kind,
                states_no_legal_person=d.states_no_legal_person,
                states_duties_unchanged=d.states_duties_unchanged,
            )
            for d in AgreementDocument.objects.filter(alliance=alliance)
        ),
        services=_services(alliance),
        labels=LABELS,
    )


def _services(alliance: Alliance) -> tuple[rules.ServiceFacts, ...]:
    """The published services of the catalogue, with their parties: two queries."""
    published = list(
        ServiceVersion.objects.filter(alliance=alliance, status=VersionStatus.PUBLISHED)
        .select_related("service")
        .prefetch_related("parties")
        .order_by("service__number")
    )
    return tuple(
        rules.ServiceFacts(
            number=v.service.number,
            name=v.name_fi,
            service_area=v.service_area,
            public_authority=v.public_authority,
            responsible_ids=tuple(
                sorted(
                    p.organisation_id for p in v.parties.all() if p.role == PartyRole.RESPONSIBLE
                )
            ),
            producer_ids=tuple(
                sorted(p.organisation_id for p in v.parties.all() if p.role == PartyRole.PRODUCER)
            ),
        )
        for v in published
    )


def _procurements(alliance: Alliance) -> tuple[rules.ProcurementFacts, ...]:
    found = list(
        Procurement.objects.filter(alliance=alliance)
        .exclude(status=ProcurementStatus.CANCELLED)
        .annotate(value=Sum("lots__estimated_value"))
    )
    if not found:
        return ()
    rounds = Counter(
        NegotiationRound.objects.filter(procurement__in=found).values_list(
            "procurement_id", flat=True
        )
    )
    pending_or_decided = set(
        Award.objects.filter(procurement__in=found)
        .exclude(proposal__status__in=[ProposalStatus.BLOCKED, ProposalStatus.NOT_DECIDED])
        .values_list("procurement_id", flat=True)
    )
    settings = thresholds()
    facts = []
    for p in found:
        value = p.value if p.value is not None else Decimal("0.00")
        try:
            regime = determine(
                value, Category(p.category), p.notice_on or clock.today(), settings
            ).regime
        except NoThreshold:
            regime = Regime.EU  # no threshold known: assume the strictest regime
        facts.append(
            rules.ProcurementFacts(
                number=p.number,
                title=p.title,
                estimated_value=value,
                regime=regime.value,
                procedure=p.procedure,
                negotiation_rounds=rounds[p.pk],
                award_stage=p.pk in pending_or_decided,
            )
        )
    return tuple(facts)
