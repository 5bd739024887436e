"""The demo's strategy and procurement: the organizers' suitability assessments (2025) and
the negotiated procedure that selected the producers, up to the organizers' award decision.
"""

from __future__ import annotations

from decimal import Decimal

from allianssi.accounts.models import User
from allianssi.alliances.models import Alliance
from allianssi.demo import governance
from allianssi.demo.common import d, replay
from allianssi.parties.models import Organisation, OrganisationKind
from allianssi.parties.services import (
    organisation_create,
)
from allianssi.procurement import services as procurement
from allianssi.procurement.assessment import CRITERIA
from allianssi.procurement.models import Procedure
from allianssi.procurement.strategy import Answer, assessment_submit


def assess(
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


def procure(
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
            key: procurement.candidate_add(actor=office, procurement=tender, organisation=org[key])
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
        governance.decide(award.proposal, reps, org, d("2025-08-20"))
