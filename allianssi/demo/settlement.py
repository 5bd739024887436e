"""The demo's commercial terms and settlements: terms agreed by the organizers, KPIs and an
interim settlement approved by the leadership group.
"""

from __future__ import annotations

from decimal import Decimal

from allianssi.accounts.models import User
from allianssi.alliances.models import Alliance, MemberRole
from allianssi.demo import governance
from allianssi.demo import outcomes as outcomes_demo
from allianssi.demo.common import DEMO_IBANS, d, demo_business_id, replay
from allianssi.parties.models import ORGANIZER_KINDS, Organisation
from allianssi.settlement import services as settlement


def load(
    main: Alliance,
    org: dict[str, Organisation],
    users: dict[str, User],
    reps: dict[str, User],
) -> None:
    """The 2026 commercial terms decided by the leadership group, the parties' invoicing
    details, KPI results, and the first quarter's interim settlement approved and invoiced
    (the year's final settlement is computed after the customers' outcomes)."""
    office = users["projektitoimisto"]
    by_pk = {o.pk: key for key, o in org.items()}
    members = {
        role: [
            m.organisation
            for m in main.memberships.filter(role=role, ended_on__isnull=True)
            .select_related("organisation")
            .order_by("organisation__name")
        ]
        for role in (MemberRole.ORGANIZER, MemberRole.PRODUCER, MemberRole.OWN_PRODUCTION)
    }
    for party in [*members[MemberRole.ORGANIZER], *members[MemberRole.PRODUCER]]:
        settlement.billing_set(
            actor=office,
            alliance=main,
            organisation=party,
            details=settlement.Billing(
                business_id="" if party.business_id else demo_business_id(party.pk),
                street="Hallituskatu 3",
                postal_code="33200",
                city="Tampere",
                iban=DEMO_IBANS[party.pk % len(DEMO_IBANS)],
                bic="",
                ovt_suffix="",
                vat="O" if party.kind in ORGANIZER_KINDS else "S",
                vat_rate=None if party.kind in ORGANIZER_KINDS else Decimal("25.5"),
                vat_reason="Kuntien ja maakunnan välinen kustannustenjako"
                if party.kind in ORGANIZER_KINDS
                else "",
            ),
        )
    shares = {"region": "0.5", "tampere": "0.25"}
    terms = {
        "target": "2150000.00",
        "target_by_area": {"employment": "1550000.00", "business": "600000.00"},
        "organizers": [
            {
                "key": str(o.pk),
                "name": o.name,
                "funding_share": shares.get(by_pk[o.pk], "0.05"),
            }
            for o in members[MemberRole.ORGANIZER]
        ],
        "producers": [
            {"key": str(o.pk), "name": o.name, "fixed_fee": "60000.00"}
            if by_pk[o.pk] == "tyopolku"
            else {"key": str(o.pk), "name": o.name, "markup": "0.08"}
            for o in members[MemberRole.PRODUCER]
        ],
        "own_units": [
            {"key": str(o.pk), "name": o.name, "organizer": str(o.parent_id)}
            for o in members[MemberRole.OWN_PRODUCTION]
        ],
        "gain_bands": [
            {"producers_share": "0.5", "up_to": "120000.00"},
            {"producers_share": "0.3"},
        ],
        "pain_bands": [{"producers_share": "0.5"}],
        "pain_capped": True,
        "pool": {"share_of_target": "0.02"},
        # Paid per verified outcome besides the pool, up to a cap a producer a year.
        "outcome_prices": [
            {
                "outcome": "employed_open",
                "name": "Työllistyi avoimille työmarkkinoille",
                "amount": "1500.00",
                "cap": "30000.00",
            },
            {
                "outcome": "employed_subsidised",
                "name": "Työllistyi palkkatuella",
                "amount": "600.00",
                "cap": "12000.00",
            },
        ],
        "kpis": [
            {
                "key": "employed",
                "name": "Työllistyneiden osuus palvelun päättäneistä",
                "unit": "%",
                "higher_is_better": True,
                "baseline": "20",
                "minimum": "22",
                "target": "30",
                "weight": "0.4",
                "source": f"outcomes:{outcomes_demo.EMPLOYED}",
            },
            {
                "key": "waiting",
                "name": "Odotusaika ensikäyntiin",
                "unit": "vrk",
                "higher_is_better": False,
                "baseline": "21",
                "minimum": "14",
                "target": "7",
                "weight": "0.3",
            },
            {
                "key": "market",
                "name": "Markkinatuottajien osuus tuotannosta",
                "unit": "%",
                "minimum": "50",
                "target": "75",
                "weight": "0.3",
                "source": "market_share",
            },
        ],
    }
    outcomes_demo.definitions(alliance=main, users=users, replay=replay)
    with replay("2026-01-12"):
        version = settlement.terms_propose(
            actor=office,
            alliance=main,
            year=2026,
            terms=settlement.terms_read(terms),
            paying_organizer=org["region"].pk,
            reason="Allianssisopimuksen liite 3: tavoitekustannus ja kannustinmalli 2026",
        )
        assert version.proposal is not None
        governance.decide(version.proposal, reps, org, d("2026-01-19"))
    for day, key, value, evidence in [
        ("2026-03-31", "waiting", "16", "Asiakasjärjestelmän raportti 31.3.2026"),
        ("2026-06-30", "waiting", "12", "Asiakasjärjestelmän raportti 30.6.2026"),
        ("2026-09-30", "waiting", "10", "Asiakasjärjestelmän raportti 30.9.2026"),
    ]:
        with replay(day):
            settlement.kpi_result_enter(
                actor=office,
                alliance=main,
                year=2026,
                kpi=key,
                measured_on=d(day),
                value=Decimal(value),
                evidence=evidence,
            )
    with replay("2026-04-15"):
        interim = settlement.settlement_compute(
            actor=office, alliance=main, year=2026, kind="interim", quarter=1
        )
        settlement.settlement_submit(
            actor=office, settlement=interim, note="Tarkastettu projektitoimistossa."
        )
        interim.refresh_from_db()
        assert interim.proposal is not None
        governance.decide(interim.proposal, reps, org, d("2026-04-22"))
