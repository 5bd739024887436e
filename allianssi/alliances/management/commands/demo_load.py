"""Load the demo: a Pirkanmaa alliance in implementation with its whole story — the organizers'
suitability assessments and unanimous go (2025), the negotiated procedure that selected its
producers (candidates, rounds, weighted scores with a declared conflict of interest, the award
decided by the organizers' seats), the division of tasks the compliance rules read, and its
leadership group with proposals decided, blocked, open and drafted, its open books and settlement,
and its public service catalogue in three languages; a second alliance of the same
region in its strategy phase, assessed by Tampere and not yet by Nokia; and one in Satakunta
that the Pirkanmaa users never see. The 2025 history is written on its own dates (``replay``).

Everything is written through the services, so the audit trail of the demo is real. Running the
command again on a database that already has the demo does nothing.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any
from unittest import mock

from django.core.management.base import BaseCommand
from django.db import transaction
from stdnum.fi import ytunnus

from allianssi.accounts.models import User
from allianssi.accounts.services import user_create
from allianssi.alliances.models import Alliance, MemberRole, Phase, Role, ServiceArea
from allianssi.alliances.services import (
    alliance_create,
    alliance_enter_phase,
    alliance_role_grant,
    membership_add,
    membership_exit,
)
from allianssi.catalogue import demo as catalogue_demo
from allianssi.catalogue.models import Service
from allianssi.compliance.models import DocumentKind, Task
from allianssi.compliance.services import (
    assignment_add,
    document_register,
    market_activity_declare,
)
from allianssi.core import clock
from allianssi.customers import demo as customers_demo
from allianssi.governance.forum import (
    idea_comment,
    idea_decline,
    idea_evaluate,
    idea_post,
    idea_support,
    idea_to_proposal,
)
from allianssi.governance.meetings import (
    attendance_record,
    meeting_create,
    minutes_approve,
    minutes_save,
)
from allianssi.governance.models import Proposal, VoteChoice
from allianssi.governance.services import (
    AlternativeInput,
    proposal_create,
    proposal_open,
    seat_assign,
    seat_holders,
    vote_cast,
)
from allianssi.openbook.models import CostEntry
from allianssi.openbook.services import budget_set, entry_post, entry_reverse, staff_set
from allianssi.outcomes import demo as outcomes_demo
from allianssi.parties.models import ORGANIZER_KINDS, Organisation, OrganisationKind, Region
from allianssi.parties.services import (
    organisation_create,
    organisation_for_municipality,
    organisation_for_region,
)
from allianssi.procurement import services as procurement
from allianssi.procurement.assessment import CRITERIA
from allianssi.procurement.models import Procedure, Route, Verdict
from allianssi.procurement.strategy import Answer, assessment_submit, go_decision_propose
from allianssi.settlement import services as settlement

DEMO_PASSWORD = "Allianssi-demo-2026"
MAIN_ALLIANCE = "Pirkanmaan kasvupalveluallianssi"

#: (user name, organisation key, first name, last name, roles in the main alliance)
DEMO_USERS: list[tuple[str, str, str, str, list[str]]] = [
    ("projektitoimisto", "region", "Paula", "Projektipäällikkö", [Role.MANAGER, Role.LEADERSHIP]),
    ("johtoryhma.tampere", "tampere", "Tuomas", "Tamminen", [Role.LEADERSHIP]),
    ("controller.nokia", "nokia", "Noora", "Nieminen", [Role.CONTROLLER]),
    ("tuottaja.tyopolku", "tyopolku", "Ville", "Virtanen", [Role.PRODUCER_STAFF, Role.LEADERSHIP]),
    ("tarkastaja", "", "Aino", "Auditoija", [Role.OBSERVER]),
    ("satakunta", "satakunta", "Sanna", "Salo", []),
]


#: Producers whose people get their roles when the award has made them members.
PRODUCER_KEYS = {"tyopolku", "kasvuvoima", "yrityskehitys", "osaajat", "digiosaajat"}

#: Each organizer's suitability scores, in the order of ``assessment.CRITERIA``.
SUITABILITY: dict[str, tuple[int, ...]] = {
    "region": (5, 5, 4, 4, 4, 4),
    "tampere": (5, 4, 4, 5, 5, 5),
    "nokia": (4, 4, 3, 3, 2, 3),
    "ylojarvi": (4, 5, 4, 4, 2, 3),
    "kangasala": (3, 4, 4, 4, 3, 3),
    "lempaala": (4, 3, 2, 3, 2, 2),
    "ylapirkanmaa": (5, 5, 3, 4, 1, 2),
}


#: Bank accounts for the demo parties (valid IBANs of Finnish test accounts).
DEMO_IBANS = ["FI2112345600000785", "FI5810171000000122", "FI4250001510000023"]


def demo_business_id(seed: int) -> str:
    """A valid-looking Y-tunnus for a demo party registered without one."""
    number = 7300000 + seed * 17
    while True:  # a number whose check digit exists (a remainder of 1 has none)
        for digit in "0123456789":
            if ytunnus.is_valid(f"{number:07d}-{digit}"):
                return f"{number:07d}-{digit}"
        number += 1


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


@contextmanager
def replay(day: str) -> Iterator[None]:
    """Write the demo's history on its own dates: inside, "now" is 10:00 on ``day`` in
    Helsinki, ticking a second per reading, so decisions, votes and audit records carry the
    dates the story tells. Only the demo does this; the services read the one clock as always."""
    start = dt.datetime.fromisoformat(f"{day}T10:00:00").replace(tzinfo=clock.HELSINKI)
    ticks = itertools.count()

    def now() -> dt.datetime:
        return (start + dt.timedelta(seconds=next(ticks))).astimezone(dt.UTC)

    with mock.patch("django.utils.timezone.now", now):
        yield


class Command(BaseCommand):
    help = "Load the demo alliances, parties and users (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        if Alliance.objects.filter(name=MAIN_ALLIANCE).exists():
            self.stdout.write("The demo is already loaded.")
            return
        with transaction.atomic():
            self._load()
        self.stdout.write(self.style.SUCCESS("Demo loaded."))

    def _load(self) -> None:
        pirkanmaa = Region.objects.get(code="06")
        satakunta_region = Region.objects.get(code="04")
        org: dict[str, Organisation] = {
            "region": organisation_for_region(actor=None, code="06"),
            "satakunta": organisation_for_region(actor=None, code="04"),
        }
        for key, code in [
            ("tampere", "837"),
            ("nokia", "536"),
            ("ylojarvi", "980"),
            ("kangasala", "211"),
            ("lempaala", "418"),
            ("manttavilppula", "508"),
            ("ruovesi", "702"),
            ("virrat", "936"),
            ("pori", "609"),
            ("rauma", "684"),
        ]:
            org[key] = organisation_for_municipality(actor=None, code=code)
        org["ylapirkanmaa"] = organisation_create(
            actor=None,
            kind=OrganisationKind.JOINT_BODY,
            name="Ylä-Pirkanmaan elinvoimalautakunta",
            host=org["manttavilppula"],
            members=[org["manttavilppula"], org["ruovesi"], org["virrat"]],
        )
        for key, kind, name, business_id in [
            ("tyopolku", OrganisationKind.COMPANY, "Työpolku Oy", "3162277-7"),
            ("kasvuvoima", OrganisationKind.COMPANY, "Kasvuvoima Oy", "2645751-9"),
            ("yrityskehitys", OrganisationKind.COMPANY, "Pirkan Yrityskehitys Oy", "3605551-3"),
            ("osaajat", OrganisationKind.ASSOCIATION, "Osaajat Töihin ry", "2449489-3"),
            ("digiosaajat", OrganisationKind.COMPANY, "Digiosaajat Oy", "1122334-9"),
        ]:
            org[key] = organisation_create(
                actor=None, kind=kind, name=name, business_id=business_id
            )
        org["tampere_own"] = organisation_create(
            actor=None,
            kind=OrganisationKind.OWN_UNIT,
            name="Tampereen kaupungin työllisyyspalvelut",
            parent=org["tampere"],
        )

        users: dict[str, User] = {}
        for username, key, first, last, _roles in DEMO_USERS:
            users[username] = user_create(
                actor=None,
                username=username,
                password=DEMO_PASSWORD,
                organisation=org[key] if key else None,
                first_name=first,
                last_name=last,
                email=f"{username}@example.invalid",
            )
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
                    alliance_role_grant(
                        actor=office, alliance=main, user=users[username], role=role
                    )
        reps = self._organizer_seats(main, org, users)
        with replay("2025-02-20"):
            self._assess(main, users, reps, SUITABILITY)
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
            self._decide(go.proposal, reps, org, d("2025-03-24"))
        alliance_enter_phase(
            actor=office,
            alliance=main,
            to_phase=Phase.FORMATION,
            effective_on=d("2025-04-01"),
            note="Strategiavaihe päättyi: järjestäjät valitsivat allianssimallin. "
            "Pirkanmaan liitto hankkii tuottajat muiden valtuuttamana.",
        )
        self._procure(main, org, users, reps)
        membership_add(
            actor=office,
            alliance=main,
            organisation=org["tampere_own"],
            role=MemberRole.OWN_PRODUCTION,
            joined_on=d("2025-08-15"),
        )
        with replay("2025-08-29"):  # the day the agreement is signed (its document below)
            self._division_of_tasks(main, org, office, organizer_keys)
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
                    alliance_role_grant(
                        actor=office, alliance=main, user=users[username], role=role
                    )
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
        representatives = self._leadership(main, org, users, reps)
        self._open_books(main, org, users)
        self._settlement(main, org, users, representatives)
        services = self._catalogue(main, org, users)
        customers_demo.load(
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
        outcomes_demo.load(
            alliance=main,
            org=org,
            users=users,
            replay=replay,
            today=min(clock.today(), d("2026-11-28")),
        )
        with replay("2026-12-01"):
            # The year's final settlement, its employment KPI computed from the outcomes.
            settlement.settlement_compute(
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
            answers={
                c: Answer(score) for c, score in zip(CRITERIA, (4, 4, 3, 4, 3, 4), strict=True)
            },
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

    def _representative(
        self, main: Alliance, key: str, party: Organisation, users: dict[str, User]
    ) -> User:
        """The named demo user of the party, or a representative made for it."""
        named = {
            "region": "projektitoimisto",
            "tampere": "johtoryhma.tampere",
            "tyopolku": "tuottaja.tyopolku",
        }
        if key in named:
            return users[named[key]]
        rep = user_create(
            actor=None,
            username=f"edustaja.{key}",
            password=DEMO_PASSWORD,
            organisation=party,
            first_name="Edustaja",
            last_name=party.name,
            email=f"edustaja.{key}@example.invalid",
        )
        alliance_role_grant(
            actor=users["projektitoimisto"], alliance=main, user=rep, role=Role.LEADERSHIP
        )
        users[rep.username] = rep
        return rep

    def _organizer_seats(
        self, main: Alliance, org: dict[str, Organisation], users: dict[str, User]
    ) -> dict[str, User]:
        """The organizers' seats, with representatives, for the strategy phase's decisions."""
        by_org = {o.pk: key for key, o in org.items()}
        reps: dict[str, User] = {}
        for party in seat_holders(main):
            key = by_org[party.pk]
            reps[key] = self._representative(main, key, party, users)
            seat_assign(
                actor=users["projektitoimisto"],
                alliance=main,
                organisation=party,
                representative=reps[key],
                deputy=None,
            )
        return reps

    def _leadership(
        self,
        main: Alliance,
        org: dict[str, Organisation],
        users: dict[str, User],
        reps: dict[str, User],
    ) -> dict[str, User]:
        """Seats with representatives, and proposals decided, blocked, open and drafted;
        returns the representatives by party."""
        office = users["projektitoimisto"]
        by_org = {o.pk: key for key, o in org.items()}
        representatives: dict[str, User] = dict(reps)
        for party in seat_holders(main):
            key = by_org[party.pk]
            if key in representatives:
                continue
            representatives[key] = self._representative(main, key, party, users)
            seat_assign(
                actor=office,
                alliance=main,
                organisation=party,
                representative=representatives[key],
                deputy=None,
            )
        deadline = clock.now() + dt.timedelta(days=14)

        def propose(title: str, alternatives: list[AlternativeInput]) -> Proposal:
            proposal = proposal_create(
                actor=office,
                alliance=main,
                title=title,
                description="",
                alternatives=alternatives,
                put_to_vote=0,
            )
            return proposal_open(actor=office, proposal=proposal, deadline=deadline)

        def vote(proposal: Proposal, key: str, choice: str, reason: str = "") -> None:
            vote_cast(
                actor=representatives[key],
                proposal=proposal,
                seat=org[key],
                choice=choice,
                reason=reason,
            )

        first = propose(
            "Yhteinen asiakasneuvonta kaikille asiakkaille",
            [
                AlternativeInput(
                    title="Yksi palvelupiste Tampereella ja etäpalvelu koko maakuntaan",
                    estimated_cost=Decimal("420000.00"),
                    expected_effect="Asiakas kohtaa yhden palvelun; ohjausaika lyhenee",
                    risks="Seutukuntien saavutettavuus",
                ),
                AlternativeInput(
                    title="Kiertävät neuvojat jokaisessa kunnassa",
                    estimated_cost=Decimal("610000.00"),
                ),
            ],
        )
        for key in representatives:
            vote(first, key, "approve")
        second = propose(
            "Yrityspalvelujen ostot yhteiseen kilpailutukseen",
            [
                AlternativeInput(
                    title="Kaikki yrityspalvelut kerralla", estimated_cost=Decimal("150000")
                )
            ],
        )
        vote(second, "region", "approve")
        vote(second, "nokia", "object", "Nokian omat sopimukset ovat voimassa vuoden 2027 loppuun.")
        third = propose(
            "Nuorten työkokeilujen laajentaminen",
            [
                AlternativeInput(
                    title="Työkokeilupaikat kaksinkertaisiksi",
                    estimated_cost=Decimal("90000.00"),
                    expected_effect="Nuorten työttömyys laskee kaksi prosenttiyksikköä",
                )
            ],
        )
        vote(third, "region", "approve")
        vote(third, "tampere", "approve")

        past = meeting_create(
            actor=office,
            alliance=main,
            title="Johtoryhmän kokous",
            starts_at=clock.now() - dt.timedelta(days=7),
            location="Pirkanmaan liitto, Tampere",
            proposals=[first, second],
            other_items=["Kokouksen avaus ja läsnäolijat", "Muut asiat"],
        )
        attendance_record(
            actor=office,
            meeting=past,
            present={org[key].pk: rep for key, rep in representatives.items() if key != "lempaala"}
            | {org["lempaala"].pk: None},
        )
        minutes_save(
            actor=office,
            meeting=past,
            text="1. Puheenjohtaja avasi kokouksen klo 9.00.\n"
            "2. Yhteinen asiakasneuvonta: johtoryhmä päätti yksimielisesti vaihtoehdosta 1.\n"
            "3. Yrityspalvelujen kilpailutus: Nokia vastusti; asia palaa valmisteluun.\n"
            "4. Kokous päättyi klo 10.30.",
        )
        corrected = minutes_save(
            actor=representatives["tampere"],
            meeting=past,
            text="1. Puheenjohtaja avasi kokouksen klo 9.05.\n"
            "2. Yhteinen asiakasneuvonta: johtoryhmä päätti yksimielisesti vaihtoehdosta 1.\n"
            "3. Yrityspalvelujen kilpailutus: Nokia vastusti; asia palaa valmisteluun.\n"
            "4. Kokous päättyi klo 10.30.",
            change_note="Avauksen kellonaika korjattu",
        )
        minutes_approve(actor=office, meeting=past, version=corrected.version)
        meeting_create(
            actor=office,
            alliance=main,
            title="Johtoryhmän kokous",
            starts_at=clock.now() + dt.timedelta(days=7),
            location="Etäkokous",
            proposals=[third],
            other_items=["Viestintäsuunnitelman luonnos"],
        )
        self._forum(main, users, representatives)
        return representatives

    def _assess(
        self,
        main: Alliance,
        users: dict[str, User],
        reps: dict[str, User],
        scores: dict[str, tuple[int, ...]],
    ) -> None:
        """Each organizer's suitability assessment, by its own person."""
        by_organizer = {"region": users["projektitoimisto"], "nokia": users["controller.nokia"]}
        for key, answers in scores.items():
            assessment_submit(
                actor=by_organizer.get(key, reps[key]),
                alliance=main,
                answers={c: Answer(v) for c, v in zip(CRITERIA, answers, strict=True)},
                overall="Hankintaosaamista tarvitaan maakunnalta."
                if key in {"ylapirkanmaa", "lempaala"}
                else "",
            )

    def _decide(
        self,
        proposal: Proposal,
        reps: dict[str, User],
        org: dict[str, Organisation],
        deadline: dt.date,
    ) -> None:
        """Put a proposal to the organizers' seats, and every one of them approves."""
        proposal_open(
            actor=reps["region"],
            proposal=proposal,
            deadline=dt.datetime.combine(deadline, dt.time(16), tzinfo=clock.HELSINKI),
        )
        for key in proposal.electors.values_list("organisation_id", flat=True):
            party = next(k for k, o in org.items() if o.pk == key)
            vote_cast(
                actor=reps[party],
                proposal=proposal,
                seat=org[party],
                choice=VoteChoice.APPROVE,
            )

    def _procure(
        self,
        main: Alliance,
        org: dict[str, Organisation],
        users: dict[str, User],
        reps: dict[str, User],
    ) -> None:
        """The negotiated procedure of 2025, from notice to the organizers' award decision."""
        office = users["projektitoimisto"]
        uraverkko = organisation_create(
            actor=None, kind=OrganisationKind.COMPANY, name="Uraverkko Oy", business_id="2331972-7"
        )
        with replay("2025-04-10"):
            tender = procurement.procurement_create(
                actor=office,
                alliance=main,
                title="Kasvupalveluallianssin palveluntuottajat 2025–2029",
                description="Työllisyys-, yritys-, elinvoima- ja hyvinvointipalvelujen tuottajat "
                "allianssimalliin neuvottelumenettelyllä.",
                procedure=Procedure.COMPETITIVE_NEGOTIATED,
                category="other_specific",
                lots={
                    "employment": Decimal("2400000.00"),
                    "business": Decimal("1200000.00"),
                    "vitality": Decimal("600000.00"),
                    "wellbeing": Decimal("300000.00"),
                },
                shares={
                    org["region"].pk: Decimal("2000000.00"),
                    org["tampere"].pk: Decimal("1200000.00"),
                    org["nokia"].pk: Decimal("400000.00"),
                    org["ylojarvi"].pk: Decimal("300000.00"),
                    org["kangasala"].pk: Decimal("300000.00"),
                    org["lempaala"].pk: Decimal("150000.00"),
                    org["ylapirkanmaa"].pk: Decimal("150000.00"),
                },
                notice_on=d("2025-04-15"),
                notice_reference="HILMA 2025-104233",
            )
        keys = ["tyopolku", "kasvuvoima", "yrityskehitys", "osaajat", "digiosaajat"]
        with replay("2025-05-12"):
            candidates = {
                key: procurement.candidate_add(
                    actor=office, procurement=tender, organisation=org[key]
                )
                for key in keys
            }
            candidates["uraverkko"] = procurement.candidate_add(
                actor=office, procurement=tender, organisation=uraverkko
            )
            requirements = [
                procurement.selection_criterion_add(actor=office, procurement=tender, text=text)
                for text in [
                    "Vähintään kolmen vuoden kokemus työllisyys- tai yrityspalveluista",
                    "Verot ja lakisääteiset maksut hoidettu (tilaajavastuulaki)",
                ]
            ]
            for candidate in candidates.values():
                for requirement in requirements:
                    procurement.selection_result_set(
                        actor=office, candidate=candidate, criterion=requirement, met=True
                    )
        for day, notes in [
            (
                "2025-05-20",
                "Allianssin tavoitteet, avoimet kirjat ja kannustinmalli esiteltiin. "
                "Ehdokkaat kommentoivat palkkiomallia.",
            ),
            (
                "2025-06-17",
                "Tavoitekustannus ja hyödynjako 50/50 tarkennettiin; "
                "painshare-katto on tuottajan palkkio.",
            ),
        ]:
            with replay(day):
                procurement.negotiation_round_add(
                    actor=office,
                    procurement=tender,
                    held_on=d(day),
                    notes=notes,
                    candidate_notes={
                        candidates["uraverkko"].pk: "Ei kokemusta allianssimallista; "
                        "haluaa kiinteän hinnan."
                    }
                    if day == "2025-06-17"
                    else {},
                )
        with replay("2025-06-30"):
            criteria = procurement.award_criteria_set(
                actor=office,
                procurement=tender,
                criteria=[
                    ("Osaaminen ja tiimi", Decimal(40)),
                    ("Allianssiyhteistyö ja kehittäminen", Decimal(35)),
                    ("Palkkio ja kustannustaso", Decimal(25)),
                ],
            )
            evaluators = {
                name: procurement.evaluator_add(actor=office, procurement=tender, user=users[name])
                for name in ["projektitoimisto", "johtoryhma.tampere"]
            }
            procurement.conflict_declare(
                actor=users["johtoryhma.tampere"],
                evaluator=evaluators["johtoryhma.tampere"],
                candidate=candidates["tyopolku"],
                explanation="Sisareni on Työpolku Oy:n hallituksen jäsen.",
            )
        points = {
            "tyopolku": (9, 9, 7),
            "kasvuvoima": (8, 8, 8),
            "yrityskehitys": (8, 7, 7),
            "osaajat": (7, 8, 8),
            "digiosaajat": (7, 6, 9),
            "uraverkko": (5, 3, 9),
        }
        with replay("2025-07-15"):
            for name, evaluator in evaluators.items():
                for key, marks in points.items():
                    if name == "johtoryhma.tampere" and key == "tyopolku":
                        continue  # declared a conflict of interest
                    for criterion, value in zip(criteria, marks, strict=True):
                        procurement.score_set(
                            actor=users[name],
                            evaluator=evaluator,
                            candidate=candidates[key],
                            criterion=criterion,
                            points=Decimal(value),
                        )
        with replay("2025-08-05"):
            award = procurement.award_propose(
                actor=office,
                procurement=tender,
                chosen={
                    candidates["tyopolku"].pk: Decimal("1500000.00"),
                    candidates["kasvuvoima"].pk: Decimal("900000.00"),
                    candidates["yrityskehitys"].pk: Decimal("700000.00"),
                    candidates["osaajat"].pk: Decimal("600000.00"),
                    candidates["digiosaajat"].pk: Decimal("300000.00"),
                },
                rationale="Viisi parhaiten pisteytettyä ehdokasta kattavat kaikki "
                "palvelualueet; Uraverkko Oy jäi selvästi muiden jälkeen.",
            )
        with replay("2025-08-15"):
            self._decide(award.proposal, reps, org, d("2025-08-20"))

    def _division_of_tasks(
        self,
        main: Alliance,
        org: dict[str, Organisation],
        office: User,
        organizer_keys: list[str],
    ) -> None:
        """Who organizes and who produces what, and the agreement with its statements."""
        assignments = [("region", "business", Task.ORGANIZING)]
        for key in organizer_keys:
            for area in ["employment", "vitality", "wellbeing"]:
                assignments.append((key, area, Task.ORGANIZING))
        assignments += [
            ("tyopolku", "employment", Task.SERVICE_DELIVERY),
            ("tyopolku", "employment", Task.CUSTOMER_GUIDANCE),
            ("osaajat", "employment", Task.SERVICE_DELIVERY),
            ("digiosaajat", "employment", Task.SERVICE_DELIVERY),
            ("kasvuvoima", "business", Task.SERVICE_DELIVERY),
            ("yrityskehitys", "business", Task.SERVICE_DELIVERY),
            ("yrityskehitys", "vitality", Task.SERVICE_DELIVERY),
            ("tampere_own", "employment", Task.SERVICE_DELIVERY),
            ("tampere_own", "employment", Task.BENEFIT_STATEMENT),
            ("tampere_own", "employment", Task.SERVICE_DECISION),
        ]
        for key, area, task in assignments:
            assignment_add(
                actor=office,
                alliance=main,
                organisation=org[key],
                service_area=area,
                task=task,
            )
        market_activity_declare(
            actor=office,
            alliance=main,
            organisation=org["tampere_own"],
            description="Myy rekrytointikoulutusta yrityksille myös allianssin ulkopuolella.",
        )
        document_register(
            actor=office,
            alliance=main,
            kind=DocumentKind.ALLIANCE_AGREEMENT,
            title="Pirkanmaan kasvupalveluallianssin allianssisopimus",
            version="1.0",
            signed_on=d("2025-08-29"),
            states_no_legal_person=True,
            states_duties_unchanged=True,
            reference="Pirkanmaan liiton asianhallinta PIRLI/412/2025",
        )

    def _open_books(
        self, main: Alliance, org: dict[str, Organisation], users: dict[str, User]
    ) -> None:
        """Budgets for 2026 and the costs of January to October on the open books."""
        office = users["projektitoimisto"]
        for key, area, amount, person_years in [
            ("region", "business", "900000.00", "4.0"),
            ("tampere", "employment", "1200000.00", "6.5"),
            ("nokia", "employment", "300000.00", "1.5"),
            ("ylojarvi", "employment", "220000.00", "1.0"),
        ]:
            budget_set(
                actor=office,
                alliance=main,
                organisation=org[key],
                year=2026,
                service_area=area,
                amount=Decimal(amount),
                person_years=Decimal(person_years),
                effective_on=d("2026-01-01"),
            )
        budget_set(
            actor=office,
            alliance=main,
            organisation=org["tampere"],
            year=2026,
            service_area="employment",
            amount=Decimal("1350000.00"),
            person_years=Decimal("7.0"),
            effective_on=d("2026-06-01"),
            reason="Kaupunginvaltuuston lisätalousarvio 2/2026",
        )
        for key, person_years in [("tampere_own", "12.0"), ("tyopolku", "3.5")]:
            staff_set(
                actor=office,
                alliance=main,
                organisation=org[key],
                year=2026,
                person_years=Decimal(person_years),
                effective_on=d("2026-01-01"),
            )
        costs = [
            ("tyopolku", "tampere", "employment", "personnel", "48250.00", "Työvalmentajat"),
            ("tyopolku", "nokia", "employment", "personnel", "12100.00", "Työvalmentaja, Nokia"),
            ("osaajat", "ylojarvi", "employment", "purchased_services", "8400.50", "Kurssit"),
            ("kasvuvoima", "region", "business", "personnel", "31000.00", "Yritysneuvojat"),
            ("yrityskehitys", "region", "business", "premises", "4200.00", "Toimitila"),
            ("tampere_own", "tampere", "employment", "personnel", "61500.00", "Omat valmentajat"),
        ]
        for month in range(1, 11):
            for producer, organizer, area, category, amount, text in costs:
                entry_post(
                    actor=office,
                    alliance=main,
                    booked_on=dt.date(2026, month, 25),
                    incurred_by=org[producer],
                    carried_by=org[organizer],
                    service_area=area,
                    category=category,
                    amount=Decimal(amount) + month,
                    description=f"{text} {month}/2026",
                    evidence=f"LASKU-{month:02d}-{producer}",
                )
        wrong = CostEntry.objects.filter(alliance=main, description="Toimitila 2/2026").get()
        entry_reverse(actor=office, entry=wrong, reason="Toimitilan vuokra kirjattiin kahdesti")

    def _settlement(
        self,
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
                document=terms,
                paying_organizer=org["region"].pk,
                reason="Allianssisopimuksen liite 3: tavoitekustannus ja kannustinmalli 2026",
            )
            assert version.proposal is not None
            self._decide(version.proposal, reps, org, d("2026-01-19"))
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
            self._decide(interim.proposal, reps, org, d("2026-04-22"))

    def _catalogue(
        self, main: Alliance, org: dict[str, Organisation], users: dict[str, User]
    ) -> dict[str, Service]:
        """The combined service catalogue, public since March 2026: every producer's and the own
        unit's services drafted by their own people and published by the project office or a
        responsible organizer, one revised, one returned, one withdrawn, three waiting for
        review, and the public's requests in the organizers' queues (``catalogue.demo``)."""
        return catalogue_demo.load(alliance=main, org=org, users=users, replay=replay)

    def _forum(self, main: Alliance, users: dict[str, User], reps: dict[str, User]) -> None:
        """Ideas: one turned into a draft proposal, one open with discussion, one declined."""
        office = users["projektitoimisto"]
        communication = idea_post(
            actor=users["controller.nokia"],
            alliance=main,
            title="Allianssin yhteinen viestintä",
            problem="Asiakkaat eivät tiedä, mistä palvelut löytyvät: jokaisella osapuolella on "
            "oma verkkosivunsa ja esitteensä.",
            suggestion="Yhteinen verkkosivusto ja viestintäsuunnitelma vuodelle 2027",
            service_area="employment",
        )
        idea_support(actor=reps["tampere"], idea=communication)
        idea_evaluate(
            actor=office,
            idea=communication,
            cost_estimate=Decimal("35000.00"),
            expected_effect="Palvelujen löydettävyys paranee",
            effort="medium",
        )
        idea_to_proposal(actor=office, idea=communication)
        mentoring = idea_post(
            actor=users["tuottaja.tyopolku"],
            alliance=main,
            title="Yrittäjämentorit työnhakijoille",
            problem="Yrittäjyyttä harkitsevat työnhakijat jäävät ilman kokeneen yrittäjän tukea.",
            suggestion="Paikalliset yrittäjät mentoreiksi, vapaaehtoispohjalta",
            service_area="business",
        )
        idea_comment(
            actor=reps["nokia"], idea=mentoring, text="Nokian Yrittäjät ovat kiinnostuneita."
        )
        idea_support(actor=reps["nokia"], idea=mentoring)
        idea_support(actor=reps["region"], idea=mentoring)
        duplicate = idea_post(
            actor=reps["tampere"],
            alliance=main,
            title="Oma asiakasrekisteri jokaiselle kunnalle",
            problem="Tiedot ovat hajallaan.",
            service_area="vitality",
        )
        idea_decline(
            actor=office,
            idea=duplicate,
            reason="Asiakastiedot kuuluvat kansalliseen asiakastietojärjestelmään; erillisiä "
            "rekistereitä ei perusteta.",
        )
