"""The demo's parties and people: the region and municipalities of Pirkanmaa and Satakunta,
a joint body, the producers and an own production unit, and the demo's named users."""

from __future__ import annotations

from allianssi.accounts.models import User
from allianssi.accounts.services import user_create
from allianssi.demo.common import DEMO_PASSWORD, DEMO_USERS
from allianssi.parties.models import Organisation, OrganisationKind
from allianssi.parties.services import (
    organisation_create,
    organisation_for_municipality,
    organisation_for_region,
)


def parties() -> dict[str, Organisation]:
    """Every party of the story, by its key in the story."""
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
        org[key] = organisation_create(actor=None, kind=kind, name=name, business_id=business_id)
    org["tampere_own"] = organisation_create(
        actor=None,
        kind=OrganisationKind.OWN_UNIT,
        name="Tampereen kaupungin työllisyyspalvelut",
        parent=org["tampere"],
    )
    return org


def people(org: dict[str, Organisation]) -> dict[str, User]:
    """The named demo users, by user name."""
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
            # The project office's user looks after the region's people (/accounts/people/).
            is_main_user=username == "projektitoimisto",
        )
    return users
