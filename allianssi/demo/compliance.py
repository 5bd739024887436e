"""The demo's division of tasks, signed with the alliance agreement: what the compliance rules
read.
"""

from __future__ import annotations

from allianssi.accounts.models import User
from allianssi.alliances.models import Alliance
from allianssi.compliance.models import DocumentKind, Task
from allianssi.compliance.services import (
    assignment_add,
    document_register,
    market_activity_declare,
)
from allianssi.demo.common import d
from allianssi.parties.models import Organisation


def division_of_tasks(
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
