"""Load the demo: a Pirkanmaa alliance in implementation, a second one of the same region in its
strategy phase, and one in Satakunta that the Pirkanmaa users never see.

Everything is written through the services, so the audit trail of the demo is real. Running the
command again on a database that already has the demo does nothing.
"""

from __future__ import annotations

import datetime as dt
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
