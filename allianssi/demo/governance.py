"""The demo's leadership group: the organizers' seats and their representatives, the
proposals decided, blocked, open and drafted, a meeting, and the forum's ideas.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from allianssi.accounts.models import User
from allianssi.accounts.services import user_create
from allianssi.alliances.models import Alliance, Role
from allianssi.alliances.services import (
    alliance_role_grant,
)
from allianssi.core import clock
from allianssi.demo.common import DEMO_PASSWORD
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
from allianssi.parties.models import Organisation


def representative(main: Alliance, key: str, party: Organisation, users: dict[str, User]) -> User:
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


def organizer_seats(
    main: Alliance, org: dict[str, Organisation], users: dict[str, User]
) -> dict[str, User]:
    """The organizers' seats, with representatives, for the strategy phase's decisions."""
    by_org = {o.pk: key for key, o in org.items()}
    reps: dict[str, User] = {}
    for party in seat_holders(main):
        key = by_org[party.pk]
        reps[key] = representative(main, key, party, users)
        seat_assign(
            actor=users["projektitoimisto"],
            alliance=main,
            organisation=party,
            representative=reps[key],
            deputy=None,
        )
    return reps


def leadership(
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
        representatives[key] = representative(main, key, party, users)
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
    forum(main, users, representatives)
    return representatives


def decide(
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


def forum(main: Alliance, users: dict[str, User], reps: dict[str, User]) -> None:
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
    idea_comment(actor=reps["nokia"], idea=mentoring, text="Nokian Yrittäjät ovat kiinnostuneita.")
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
