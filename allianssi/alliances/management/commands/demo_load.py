"""Load the demo: a Pirkanmaa alliance in implementation with its leadership group and proposals
decided, blocked, open and drafted; a second alliance of the same region in its strategy phase;
and one in Satakunta that the Pirkanmaa users never see.

Everything is written through the services, so the audit trail of the demo is real. Running the
command again on a database that already has the demo does nothing.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

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
from allianssi.core import clock
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
from allianssi.governance.models import Proposal
from allianssi.governance.services import (
    AlternativeInput,
    proposal_create,
    proposal_open,
    seat_assign,
    seat_holders,
    vote_cast,
)
from allianssi.parties.models import Organisation, OrganisationKind, Region
from allianssi.parties.services import (
    organisation_create,
    organisation_for_municipality,
    organisation_for_region,
)

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


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


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
        for key in ["tampere", "nokia", "ylojarvi", "kangasala", "lempaala", "ylapirkanmaa"]:
            membership_add(
                actor=office,
                alliance=main,
                organisation=org[key],
                role=MemberRole.ORGANIZER,
                joined_on=d("2025-01-15"),
            )
        alliance_enter_phase(
            actor=office,
            alliance=main,
            to_phase=Phase.FORMATION,
            effective_on=d("2025-04-01"),
            note="Strategiavaihe päättyi: järjestäjät valitsivat allianssimallin. "
            "Pirkanmaan liitto hankkii tuottajat muiden valtuuttamana.",
        )
        for key in ["tyopolku", "kasvuvoima", "yrityskehitys", "osaajat", "digiosaajat"]:
            membership_add(
                actor=office,
                alliance=main,
                organisation=org[key],
                role=MemberRole.PRODUCER,
                joined_on=d("2025-08-15"),
            )
        membership_add(
            actor=office,
            alliance=main,
            organisation=org["tampere_own"],
            role=MemberRole.OWN_PRODUCTION,
            joined_on=d("2025-08-15"),
        )
        alliance_enter_phase(
            actor=office,
            alliance=main,
            to_phase=Phase.DEVELOPMENT,
            effective_on=d("2025-09-01"),
            note="Hankintapäätös 15.8.2025 neuvottelumenettelyn jälkeen.",
        )
        for username, _key, _first, _last, roles in DEMO_USERS:
            for role in roles:
                if (username, role) != ("projektitoimisto", Role.MANAGER):
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
        self._leadership(main, org, users)

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
        alliance_role_grant(
            actor=office, alliance=second, user=users["johtoryhma.tampere"], role=Role.LEADERSHIP
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

    def _leadership(
        self, main: Alliance, org: dict[str, Organisation], users: dict[str, User]
    ) -> None:
        """Seats with representatives, and proposals decided, blocked, open and drafted."""
        office = users["projektitoimisto"]
        named = {
            "region": users["projektitoimisto"],
            "tampere": users["johtoryhma.tampere"],
            "tyopolku": users["tuottaja.tyopolku"],
        }
        by_org = {o.pk: key for key, o in org.items()}
        representatives: dict[str, User] = {}
        for party in seat_holders(main):
            key = by_org[party.pk]
            rep = named.get(key)
            if rep is None:
                rep = user_create(
                    actor=None,
                    username=f"edustaja.{key}",
                    password=DEMO_PASSWORD,
                    organisation=party,
                    first_name="Edustaja",
                    last_name=party.name,
                    email=f"edustaja.{key}@example.invalid",
                )
                alliance_role_grant(actor=office, alliance=main, user=rep, role=Role.LEADERSHIP)
            representatives[key] = rep
            seat_assign(
                actor=office, alliance=main, organisation=party, representative=rep, deputy=None
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
