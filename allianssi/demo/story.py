"""The demo's story, told in order: a Pirkanmaa alliance in implementation with its whole
story — the organizers' suitability assessments and unanimous go (2025), the negotiated procedure
that selected its producers (candidates, rounds, weighted scores with a declared conflict of
interest, the award decided by the organizers' seats), the division of tasks the compliance rules read, and its
leadership group with proposals decided, blocked, open and drafted, its open books and settlement,
and its public service catalogue in three languages; a second alliance of the same
region in its strategy phase, assessed by Tampere and not yet by Nokia; and one in Satakunta
that the Pirkanmaa users never see. The 2025 history is written on its own dates (``replay``).

Everything is written through the services, so the audit trail of the demo is real. Each part of
the story is its own module of this package; this one calls them in the order things happened.
"""

from __future__ import annotations

from allianssi.accounts.services import user_create
from allianssi.alliances.models import MemberRole, Phase, Role, ServiceArea
from allianssi.alliances.services import (
    alliance_create,
    alliance_enter_phase,
    alliance_role_grant,
    membership_add,
    membership_exit,
)
from allianssi.core import clock
from allianssi.demo import (
    catalogue,
    compliance,
    customers,
    governance,
    openbook,
    outcomes,
    parties,
    procurement,
    settlement,
)
from allianssi.demo.common import (
    DEMO_PASSWORD,
    DEMO_USERS,
    MAIN_ALLIANCE,
    PRODUCER_KEYS,
    SUITABILITY,
    d,
    demo_business_id,
    replay,
)
from allianssi.parties.models import Region
from allianssi.procurement.assessment import CRITERIA
from allianssi.procurement.models import Route, Verdict
from allianssi.procurement.strategy import Answer, assessment_submit, go_decision_propose
from allianssi.settlement import services as settlement_services


def load() -> None:
    """The whole story, in the order it happened."""
    pirkanmaa = Region.objects.get(code="06")
    satakunta_region = Region.objects.get(code="04")
    org = parties.parties()
    users = parties.people(org)
    office = users["projektitoimisto"]

    main = alliance_create(
        actor=office,
        name=MAIN_ALLIANCE,
        region=pirkanmaa,
        term_start=d("2025-09-01"),
        term_end=d("2029-12-31"),
        service_areas=[
            ServiceArea.EMPLOYMENT,
            ServiceArea.BUSINESS,
            ServiceArea.VITALITY,
            ServiceArea.WELLBEING,
        ],
        goals=[
            "Työttömyysaste alle Manner-Suomen keskiarvon vuoteen 2028 mennessä",
            "Yritysten rekrytointiongelmat ratkeavat kolmessa kuukaudessa",
            "Asiakas kohtaa yhden palvelun, ei organisaatioita",
        ],
        description="Pirkanmaan liiton ja kahdeksan kunnan yhteinen kasvupalveluallianssi "
        "työllisyys- ja yrityspalveluille sekä kuntien elinvoimatyölle.",
        started_on=d("2025-01-15"),
    )
    organizer_keys = ["tampere", "nokia", "ylojarvi", "kangasala", "lempaala", "ylapirkanmaa"]
    for key in organizer_keys:
        membership_add(
            actor=office,
            alliance=main,
            organisation=org[key],
            role=MemberRole.ORGANIZER,
            joined_on=d("2025-01-15"),
        )
    for username, key, _first, _last, roles in DEMO_USERS:
        if key in PRODUCER_KEYS:
            continue  # producers' people get their roles once the producers are chosen
        for role in roles:
            if (username, role) != ("projektitoimisto", Role.MANAGER):
                alliance_role_grant(actor=office, alliance=main, user=users[username], role=role)
    reps = governance.organizer_seats(main, org, users)
    with replay("2025-02-20"):
        procurement.assess(main, users, reps, SUITABILITY)
    with replay("2025-03-10"):
        go = go_decision_propose(
            actor=office,
            alliance=main,
            verdict=Verdict.GO,
            rationale="Palvelutarve muuttuu nopeasti ja vaatii tuottajien kanssa yhteistä "
            "kehittämistä; kaikki järjestäjät ovat valmiita avoimiin kirjoihin.",
            route=Route.AUTHORISED,
            authorised=org["region"],
            mandates={
                org[key].pk: "Tuottajien valinta neuvottelumenettelyllä ja "
                "hankintapäätöksen valmistelu allianssin johtoryhmälle"
                for key in organizer_keys
            },
        )
        governance.decide(go.proposal, reps, org, d("2025-03-24"))
    alliance_enter_phase(
        actor=office,
        alliance=main,
        to_phase=Phase.FORMATION,
        effective_on=d("2025-04-01"),
        note="Strategiavaihe päättyi: järjestäjät valitsivat allianssimallin. "
        "Pirkanmaan liitto hankkii tuottajat muiden valtuuttamana.",
    )
    procurement.procure(main, org, users, reps)
    membership_add(
        actor=office,
        alliance=main,
        organisation=org["tampere_own"],
        role=MemberRole.OWN_PRODUCTION,
        joined_on=d("2025-08-15"),
    )
    with replay("2025-08-29"):  # the day the agreement is signed (its document below)
        compliance.division_of_tasks(main, org, office, organizer_keys)
    alliance_enter_phase(
        actor=office,
        alliance=main,
        to_phase=Phase.DEVELOPMENT,
        effective_on=d("2025-09-01"),
        note="Hankintapäätös 15.8.2025 neuvottelumenettelyn jälkeen.",
    )
    for username, key, _first, _last, roles in DEMO_USERS:
        if key in PRODUCER_KEYS:
            for role in roles:
                alliance_role_grant(actor=office, alliance=main, user=users[username], role=role)
    digi = main.memberships.get(organisation=org["digiosaajat"])
    membership_exit(
        actor=office,
        membership=digi,
        effective_on=d("2025-12-31"),
        reason="Kehitysvaiheen päätteeksi Digiosaajat Oy käytti exit-oikeuttaan: "
        "sen digipalvelut siirtyvät Työpolku Oy:lle.",
    )
    alliance_enter_phase(
        actor=office,
        alliance=main,
        to_phase=Phase.IMPLEMENTATION,
        effective_on=d("2026-01-01"),
        note="Johtoryhmä hyväksyi tavoitekustannuksen yksimielisesti.",
    )
    representatives = governance.leadership(main, org, users, reps)
    openbook.load(main, org, users)
    settlement.load(main, org, users, representatives)
    services = catalogue.load(alliance=main, org=org, users=users, replay=replay)
    customers.load(
        alliance=main,
        org=org,
        users=users,
        services=services,
        replay=replay,
        make_user=lambda username, key, first, last: user_create(
            actor=None,
            username=username,
            password=DEMO_PASSWORD,
            organisation=org[key],
            first_name=first,
            last_name=last,
            email=f"{username}@example.invalid",
        ),
        business_id=demo_business_id,
    )
    outcomes.load(
        alliance=main,
        org=org,
        users=users,
        replay=replay,
        today=min(clock.today(), d("2026-11-28")),
    )
    with replay("2026-12-01"):
        # The year's final settlement, its employment KPI computed from the outcomes.
        settlement_services.settlement_compute(
            actor=users["projektitoimisto"], alliance=main, year=2026, kind="final"
        )

    second = alliance_create(
        actor=office,
        name="Pirkanmaan yrityspalveluallianssi (valmistelu)",
        region=pirkanmaa,
        term_start=d("2027-01-01"),
        term_end=d("2030-12-31"),
        service_areas=[ServiceArea.BUSINESS],
        goals=["Selvitetään, sopiiko allianssimalli yrityspalvelujen kasvuohjelmaan"],
        started_on=d("2026-10-01"),
    )
    membership_add(
        actor=office,
        alliance=second,
        organisation=org["tampere"],
        role=MemberRole.ORGANIZER,
        joined_on=d("2026-10-01"),
    )
    membership_add(
        actor=office,
        alliance=second,
        organisation=org["nokia"],
        role=MemberRole.ORGANIZER,
        joined_on=d("2026-10-01"),
    )
    alliance_role_grant(
        actor=office, alliance=second, user=users["johtoryhma.tampere"], role=Role.LEADERSHIP
    )
    alliance_role_grant(
        actor=office, alliance=second, user=users["controller.nokia"], role=Role.CONTROLLER
    )
    # Tampere has assessed the second alliance; Nokia has not yet.
    assessment_submit(
        actor=users["johtoryhma.tampere"],
        alliance=second,
        answers={c: Answer(score) for c, score in zip(CRITERIA, (4, 4, 3, 4, 3, 4), strict=True)},
        overall="Yrityspalvelujen kasvuohjelma tarvitsee yhteistä kehittämistä.",
    )

    other = alliance_create(
        actor=users["satakunta"],
        name="Satakunnan työllisyysallianssi",
        region=satakunta_region,
        term_start=d("2026-01-01"),
        term_end=d("2028-12-31"),
        service_areas=[ServiceArea.EMPLOYMENT, ServiceArea.SOCIAL_HEALTH],
        goals=["Pitkäaikaistyöttömyys puolitetaan"],
        started_on=d("2025-11-01"),
    )
    for key in ["pori", "rauma"]:
        membership_add(
            actor=users["satakunta"],
            alliance=other,
            organisation=org[key],
            role=MemberRole.ORGANIZER,
            joined_on=d("2025-11-01"),
        )
