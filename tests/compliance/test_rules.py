"""The compliance rules on hand-made configurations: no database.

``GOOD`` is a lawful alliance with no findings at all; each test changes one thing in it and looks
at what the rule under test says. ``EVERYTHING`` triggers every rule at once.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest
from django.utils.translation import override

from allianssi.alliances.models import ServiceArea
from allianssi.compliance.models import Task
from allianssi.compliance.rules import (
    ADMINISTRATIVE,
    NEGOTIATED,
    ORGANIZER,
    OWN_PRODUCTION,
    PRODUCER,
    REGION_AREAS,
    RULES,
    SEED,
    Configuration,
    DocumentFacts,
    Finding,
    Hit,
    Holding,
    Party,
    ProcurementFacts,
    SeatPerson,
    ServiceFacts,
    Severity,
    Statute,
    evaluate,
    new_blocking,
)

RULE = {rule.code: rule for rule in RULES}

REGION = Party(1, "Pirkanmaan liitto", "region", ORGANIZER)
TAMPERE = Party(2, "Tampereen kaupunki", "municipality", ORGANIZER)
COMPANY = Party(3, "Työpolku Oy", "company", PRODUCER)
OWN_UNIT = Party(4, "Tampereen työllisyyspalvelut", "own_unit", OWN_PRODUCTION, parent_id=2)
JOINT_BODY = Party(5, "Pirkan kuntayhtymä", "joint_body", ORGANIZER)
ASSOCIATION = Party(6, "Osaajat ry", "association", PRODUCER)

AGREEMENT = DocumentFacts("Allianssisopimus", "1.0", "alliance_agreement", True, True)
BIG_PROCUREMENT = ProcurementFacts(
    number=1,
    title="Työllisyyspalvelujen tuottajat",
    estimated_value=Decimal("2500000"),
    regime="eu",
    procedure=NEGOTIATED,
    negotiation_rounds=2,
    award_stage=True,
)
SMALL_PROCUREMENT = ProcurementFacts(
    number=2,
    title="Pieni selvitys",
    estimated_value=Decimal("20000"),
    regime="below_national",
    procedure="direct",
    negotiation_rounds=0,
    award_stage=True,
)

GOOD = Configuration(
    phase="development",
    service_areas=frozenset({"employment", "business"}),
    parties=(REGION, TAMPERE, COMPANY, OWN_UNIT, JOINT_BODY, ASSOCIATION),
    seat_people=(
        SeatPerson(1, "Riikka Alue", 1),
        SeatPerson(2, "Teemu Kunta", 2),
        SeatPerson(2, "Tiina Varajäsen", None),
        SeatPerson(3, "Pekka Tuottaja", 3),
        SeatPerson(4, "Olli Oma", 4),
    ),
    own_units_have_seats=True,
    holdings=(
        Holding(1, "business", "organizing"),
        Holding(2, "employment", "organizing"),
        Holding(5, "employment", "organizing"),
        Holding(1, "business", "service_decision"),
        Holding(2, "employment", "benefit_statement"),
        Holding(3, "employment", "service_delivery"),
        Holding(3, "business", "customer_guidance"),
        Holding(4, "employment", "service_delivery"),
        Holding(4, "employment", "obligations_decision"),
        Holding(6, "employment", "customer_guidance"),
    ),
    procurements=(BIG_PROCUREMENT, SMALL_PROCUREMENT),
    documents=(AGREEMENT,),
    services=(
        ServiceFacts(1, "Työnhakuvalmennus", "employment", False, (2,), (3, 4)),
        ServiceFacts(2, "Työttömyysturvalausunnot", "employment", True, (2,), (4,)),
    ),
)

EVERYTHING = dataclasses.replace(
    GOOD,
    service_areas=frozenset({"employment", "business", "vitality"}),  # 1c: vitality unheld
    holdings=(
        *GOOD.holdings,
        Holding(3, "employment", "organizing"),  # 1a
        Holding(2, "business", "organizing"),  # 1b
        Holding(3, "employment", "benefit_statement"),  # 2
        Holding(4, "vitality", "service_delivery"),  # 3
    ),
    market_units=frozenset({4}),  # 4
    seat_people=(*GOOD.seat_people, SeatPerson(3, "Teemu Kunta", 2)),  # 5a
    own_units_have_seats=False,  # 5b
    procurements=(dataclasses.replace(BIG_PROCUREMENT, procedure="open"),),  # 6
    documents=(DocumentFacts("Liite 1", "1.0", "annex", True, False),),  # 7a and 7b
    services=(
        *GOOD.services,
        ServiceFacts(3, "Yrityskoulutus", "business", True, (5,), (3,)),  # 8a and 8b
    ),
)


def found(config: Configuration, code: str) -> list[Finding]:
    assert code in RULE, code
    return [f for f in evaluate(config) if f.rule.code == code]


def subjects(config: Configuration, code: str) -> list[str]:
    return [f.hit.subject for f in found(config, code)]


def adding(config: Configuration, **extra: tuple) -> Configuration:
    """``config`` with items appended to its tuple fields."""
    return dataclasses.replace(
        config, **{name: (*getattr(config, name), *items) for name, items in extra.items()}
    )


def test_evaluate__the_lawful_configuration_has_no_findings():
    assert evaluate(GOOD) == []


# 8a and 8b: the catalogue's published services ----------------------------------------------


def test_private_service_with_authority__a_company_producing_authority_is_an_error():
    service = ServiceFacts(7, "Päätöksenteko", "employment", True, (2,), (3, 4))
    (finding,) = found(adding(GOOD, services=(service,)), "private_service_with_authority")
    assert finding.severity is Severity.ERROR
    assert finding.hit.subject == "7:3"
    assert finding.hit.params == {"service": "Päätöksenteko", "number": 7, "party": "Työpolku Oy"}
    assert "Työpolku Oy" in finding.explanation


def test_private_service_with_authority__own_unit_or_no_authority_passes():
    own = ServiceFacts(7, "Päätöksenteko", "employment", True, (2,), (4,))
    plain = ServiceFacts(8, "Valmennus", "employment", False, (2,), (3, 6))
    assert found(adding(GOOD, services=(own, plain)), "private_service_with_authority") == []


def test_service_outside_remit__a_responsible_organizer_without_the_area_is_an_error():
    service = ServiceFacts(7, "Yritysneuvonta", "business", False, (1, 2), (3,))
    (finding,) = found(adding(GOOD, services=(service,)), "service_outside_remit")
    assert finding.hit.subject == "7:2"
    assert finding.hit.params["party"] == "Tampereen kaupunki"
    assert finding.blocking


def test_service_outside_remit__the_organizer_holding_the_area_passes():
    service = ServiceFacts(7, "Yritysneuvonta", "business", False, (1,), (3,))
    assert found(adding(GOOD, services=(service,)), "service_outside_remit") == []


# 1a ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("party", [COMPANY, ASSOCIATION, OWN_UNIT], ids=lambda p: p.kind)
def test_organizing_held_by_producer__a_producer_or_own_unit_given_organizing_is_an_error(party):
    config = adding(GOOD, holdings=(Holding(party.id, "employment", "organizing"),))

    (finding,) = found(config, "organizing_held_by_producer")

    assert finding.severity is Severity.ERROR
    assert finding.hit.subject == f"{party.id}:employment"
    assert finding.hit.params == {"party": party.name, "area": "employment"}
    assert party.name in finding.explanation


def test_organizing_held_by_producer__organizers_holding_it_pass():
    assert any(h.task == "organizing" for h in GOOD.holdings)
    assert found(GOOD, "organizing_held_by_producer") == []


def test_organizing_held_by_producer__other_tasks_of_a_producer_pass():
    config = adding(GOOD, holdings=(Holding(3, "business", "service_delivery"),))
    assert found(config, "organizing_held_by_producer") == []


# 1b ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("area", sorted(REGION_AREAS))
@pytest.mark.parametrize("party", [TAMPERE, JOINT_BODY], ids=lambda p: p.kind)
def test_region_responsibility_to_municipality__a_municipal_holder_is_an_error(party, area):
    config = adding(GOOD, holdings=(Holding(party.id, area, "organizing"),))

    (finding,) = found(config, "region_responsibility_to_municipality")

    assert finding.blocking
    assert finding.hit.subject == f"{party.id}:{area}"
    assert finding.hit.params == {"party": party.name, "area": area}


@pytest.mark.parametrize("area", sorted(REGION_AREAS))
def test_region_responsibility_to_municipality__held_by_the_region_passes(area):
    config = adding(GOOD, holdings=(Holding(REGION.id, area, "organizing"),))
    assert found(config, "region_responsibility_to_municipality") == []


def test_region_responsibility_to_municipality__municipalities_organizing_employment_pass():
    # GOOD has Tampere and the joint body organizing employment, which is not the region's.
    assert "employment" not in REGION_AREAS
    assert found(GOOD, "region_responsibility_to_municipality") == []


def test_region_responsibility_to_municipality__a_municipality_producing_in_a_region_area_passes():
    config = adding(GOOD, holdings=(Holding(TAMPERE.id, "business", "service_delivery"),))
    assert found(config, "region_responsibility_to_municipality") == []


# 1c ---------------------------------------------------------------------------------------------


def test_organizing_unassigned__an_area_without_an_organizing_holder_is_a_notice():
    config = dataclasses.replace(
        GOOD,
        service_areas=GOOD.service_areas | {"vitality"},
        holdings=(*GOOD.holdings, Holding(TAMPERE.id, "vitality", "service_delivery")),
        labels={"vitality": "Municipal vitality"},
    )

    (finding,) = found(config, "organizing_unassigned")

    assert finding.severity is Severity.NOTICE
    assert not finding.blocking
    assert finding.hit.subject == "vitality"
    assert "Municipal vitality" in finding.explanation


def test_organizing_unassigned__every_unheld_area_is_listed_in_order():
    config = dataclasses.replace(GOOD, holdings=())
    assert subjects(config, "organizing_unassigned") == ["business", "employment"]


def test_organizing_unassigned__every_area_held_passes():
    assert found(GOOD, "organizing_unassigned") == []


# 2 ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("task", sorted(ADMINISTRATIVE))
@pytest.mark.parametrize("party", [COMPANY, ASSOCIATION], ids=lambda p: p.kind)
def test_administrative_task_to_private__to_a_company_or_association_is_an_error(party, task):
    config = adding(GOOD, holdings=(Holding(party.id, "employment", task),))

    (finding,) = found(config, "administrative_task_to_private")

    assert finding.blocking
    assert finding.hit.subject == f"{party.id}:employment:{task}"
    assert finding.hit.params == {"party": party.name, "task": task}


@pytest.mark.parametrize("task", sorted(ADMINISTRATIVE))
@pytest.mark.parametrize("party", [OWN_UNIT, TAMPERE, JOINT_BODY], ids=lambda p: p.kind)
def test_administrative_task_to_private__to_an_own_unit_or_organizer_passes(party, task):
    config = adding(GOOD, holdings=(Holding(party.id, "employment", task),))
    assert found(config, "administrative_task_to_private") == []


def test_administrative_task_to_private__the_three_tasks_are_the_models_administrative_ones():
    from allianssi.compliance.models import ADMINISTRATIVE_TASKS

    assert {str(t) for t in ADMINISTRATIVE_TASKS} == set(ADMINISTRATIVE)


def test_administrative_task_to_private__the_task_is_named_by_its_label():
    config = dataclasses.replace(
        adding(GOOD, holdings=(Holding(COMPANY.id, "employment", "benefit_statement"),)),
        labels={"benefit_statement": "Statements to benefit payers"},
    )
    (finding,) = found(config, "administrative_task_to_private")
    assert "Statements to benefit payers" in finding.explanation


# 3 ----------------------------------------------------------------------------------------------


def test_own_unit_outside_remit__producing_where_its_organizer_is_not_responsible_is_an_error():
    # Tampere organizes employment only; business is the region's.
    config = adding(GOOD, holdings=(Holding(OWN_UNIT.id, "business", "service_delivery"),))

    (finding,) = found(config, "own_unit_outside_remit")

    assert finding.blocking
    assert finding.hit.subject == f"{OWN_UNIT.id}:business"
    assert finding.hit.params == {
        "party": OWN_UNIT.name,
        "area": "business",
        "organizer": TAMPERE.name,
    }
    assert TAMPERE.name in finding.explanation


def test_own_unit_outside_remit__within_its_organizers_area_passes():
    assert Holding(OWN_UNIT.id, "employment", "service_delivery") in GOOD.holdings
    assert found(GOOD, "own_unit_outside_remit") == []


def test_own_unit_outside_remit__another_organizers_responsibility_does_not_count():
    # The joint body organizes employment too, but it is not this unit's parent.
    only_joint_body = tuple(h for h in GOOD.holdings if h != Holding(2, "employment", "organizing"))
    config = dataclasses.replace(GOOD, holdings=only_joint_body)
    assert set(subjects(config, "own_unit_outside_remit")) == {f"{OWN_UNIT.id}:employment"}


def test_own_unit_outside_remit__one_finding_per_unit_and_area_whatever_its_tasks():
    config = adding(
        GOOD,
        holdings=(
            Holding(OWN_UNIT.id, "business", "service_delivery"),
            Holding(OWN_UNIT.id, "business", "customer_guidance"),
        ),
    )
    assert subjects(config, "own_unit_outside_remit") == [f"{OWN_UNIT.id}:business"]


def test_own_unit_outside_remit__an_organizer_not_in_the_alliance_is_shown_as_a_dash():
    orphan = Party(7, "Nokian työpaja", "own_unit", OWN_PRODUCTION, parent_id=99)
    config = adding(
        GOOD, parties=(orphan,), holdings=(Holding(orphan.id, "employment", "service_delivery"),)
    )
    (finding,) = found(config, "own_unit_outside_remit")
    assert finding.hit.params["organizer"] == "—"


# 4 ----------------------------------------------------------------------------------------------


def test_own_unit_on_market__an_own_unit_selling_on_the_market_is_a_warning():
    config = dataclasses.replace(GOOD, market_units=frozenset({OWN_UNIT.id}))

    (finding,) = found(config, "own_unit_on_market")

    assert finding.severity is Severity.WARNING
    assert not finding.blocking
    assert finding.hit.subject == str(OWN_UNIT.id)
    assert OWN_UNIT.name in finding.explanation


def test_own_unit_on_market__no_market_activity_passes():
    assert found(GOOD, "own_unit_on_market") == []


def test_own_unit_on_market__a_company_on_the_market_is_not_this_rules_concern():
    config = dataclasses.replace(GOOD, market_units=frozenset({COMPANY.id}))
    assert found(config, "own_unit_on_market") == []


# 5a ---------------------------------------------------------------------------------------------


def test_person_on_both_sides__one_person_seated_for_an_organizer_and_a_producer_is_an_error():
    config = adding(GOOD, seat_people=(SeatPerson(COMPANY.id, "Teemu Kunta", TAMPERE.id),))

    (finding,) = found(config, "person_on_both_sides")

    assert finding.blocking
    assert finding.hit.subject == "Teemu Kunta"
    assert "Teemu Kunta" in finding.explanation


def test_person_on_both_sides__a_producers_employee_seated_for_an_organizer_is_an_error():
    config = adding(GOOD, seat_people=(SeatPerson(REGION.id, "Paula Palkattu", COMPANY.id),))
    assert subjects(config, "person_on_both_sides") == ["Paula Palkattu"]


def test_person_on_both_sides__one_finding_per_person_however_many_seats():
    config = adding(
        GOOD,
        seat_people=(
            SeatPerson(COMPANY.id, "Teemu Kunta", TAMPERE.id),
            SeatPerson(ASSOCIATION.id, "Teemu Kunta", TAMPERE.id),
            SeatPerson(REGION.id, "Teemu Kunta", TAMPERE.id),
        ),
    )
    assert subjects(config, "person_on_both_sides") == ["Teemu Kunta"]


def test_person_on_both_sides__people_on_one_side_pass():
    # Organizers' people on organizers' seats, a deputy with no employer, producers' people on
    # producers' seats, and one person seated for two organizers.
    config = adding(GOOD, seat_people=(SeatPerson(REGION.id, "Teemu Kunta", TAMPERE.id),))
    assert found(config, "person_on_both_sides") == []


# 5b ---------------------------------------------------------------------------------------------


def test_organizer_seat_speaks_for_own_unit__own_units_without_seats_is_a_warning():
    config = dataclasses.replace(GOOD, own_units_have_seats=False)

    (finding,) = found(config, "organizer_seat_speaks_for_own_unit")

    assert finding.severity is Severity.WARNING
    assert finding.hit.subject == str(OWN_UNIT.id)
    assert finding.hit.params == {"party": OWN_UNIT.name, "organizer": TAMPERE.name}


def test_organizer_seat_speaks_for_own_unit__says_plainly_it_is_an_agreement_rule():
    # The README promises the statute each finding rests on; no statute asks own production
    # units for seats of their own, so the finding says it rests on the agreement instead.
    config = dataclasses.replace(GOOD, own_units_have_seats=False)
    (finding,) = found(config, "organizer_seat_speaks_for_own_unit")

    with override("en"):
        assert finding.statutes == (
            "Agreement rule, no statute: Growth-services alliance policy brief 6"
        )


def test_organizer_seat_speaks_for_own_unit__own_units_with_seats_pass():
    assert GOOD.own_units_have_seats
    assert found(GOOD, "organizer_seat_speaks_for_own_unit") == []


def test_organizer_seat_speaks_for_own_unit__no_own_units_passes():
    config = dataclasses.replace(
        GOOD,
        own_units_have_seats=False,
        parties=tuple(p for p in GOOD.parties if p.role != OWN_PRODUCTION),
    )
    assert found(config, "organizer_seat_speaks_for_own_unit") == []


# 6 ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("regime", ["national", "eu"])
@pytest.mark.parametrize("procedure", ["open", "restricted", "direct"])
def test_procurement_without_negotiation__another_procedure_above_the_threshold_is_an_error(
    procedure, regime
):
    procurement = dataclasses.replace(BIG_PROCUREMENT, procedure=procedure, regime=regime)
    config = dataclasses.replace(GOOD, procurements=(procurement,))

    (finding,) = found(config, "procurement_without_negotiation")

    assert finding.blocking
    assert finding.hit.subject == "1"
    assert finding.hit.params == {"number": 1, "title": "Työllisyyspalvelujen tuottajat"}
    assert "#1" in finding.explanation
    assert "Työllisyyspalvelujen tuottajat" in finding.explanation


def test_procurement_without_negotiation__an_award_without_recorded_rounds_is_an_error():
    procurement = dataclasses.replace(BIG_PROCUREMENT, negotiation_rounds=0, award_stage=True)
    config = dataclasses.replace(GOOD, procurements=(procurement,))
    assert subjects(config, "procurement_without_negotiation") == ["1"]


def test_procurement_without_negotiation__negotiated_with_rounds_passes():
    assert found(GOOD, "procurement_without_negotiation") == []


def test_procurement_without_negotiation__no_rounds_yet_passes_before_the_award():
    procurement = dataclasses.replace(BIG_PROCUREMENT, negotiation_rounds=0, award_stage=False)
    config = dataclasses.replace(GOOD, procurements=(procurement,))
    assert found(config, "procurement_without_negotiation") == []


@pytest.mark.parametrize("procedure", ["open", "restricted", "direct", NEGOTIATED])
def test_procurement_without_negotiation__below_the_national_threshold_passes(procedure):
    procurement = dataclasses.replace(SMALL_PROCUREMENT, procedure=procedure)
    config = dataclasses.replace(GOOD, procurements=(procurement,))
    assert found(config, "procurement_without_negotiation") == []


# 7a ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("no_legal_person", "duties_unchanged"), [(False, True), (True, False), (False, False)]
)
@pytest.mark.parametrize("kind", ["alliance_agreement", "annex", "producer_contract"])
def test_document_without_statements__a_missing_statement_is_an_error(
    kind, no_legal_person, duties_unchanged
):
    document = DocumentFacts("Sopimus", "2.1", kind, no_legal_person, duties_unchanged)
    config = adding(GOOD, documents=(document,))

    (finding,) = found(config, "document_without_statements")

    assert finding.blocking
    assert finding.hit.subject == f"{kind}:Sopimus:2.1"
    assert "Sopimus" in finding.explanation
    assert "2.1" in finding.explanation


def test_document_without_statements__both_statements_pass():
    config = adding(
        GOOD, documents=(DocumentFacts("Tuottajasopimus", "1", "producer_contract", True, True),)
    )
    assert found(config, "document_without_statements") == []


# 7b ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("phase", ["development", "implementation"])
def test_agreement_missing__past_formation_without_an_agreement_is_a_notice(phase):
    annex_only = (DocumentFacts("Liite", "1", "annex", True, True),)
    config = dataclasses.replace(GOOD, phase=phase, documents=annex_only)

    (finding,) = found(config, "agreement_missing")

    assert finding.severity is Severity.NOTICE
    assert finding.hit.subject == "alliance_agreement"
    assert finding.explanation


@pytest.mark.parametrize("phase", ["strategy", "formation", "ended"])
def test_agreement_missing__before_development_passes(phase):
    config = dataclasses.replace(GOOD, phase=phase, documents=())
    assert found(config, "agreement_missing") == []


def test_agreement_missing__a_registered_agreement_passes():
    assert found(GOOD, "agreement_missing") == []


# Findings and their order -----------------------------------------------------------------------


def test_evaluate__errors_before_warnings_before_notices():
    findings = evaluate(EVERYTHING)
    order = [Severity.ERROR, Severity.WARNING, Severity.NOTICE]

    severities = [f.severity for f in findings]

    assert set(severities) == set(order)
    assert severities == sorted(severities, key=order.index)
    for severity in order:
        numbers = [f.rule.number for f in findings if f.severity is severity]
        assert numbers == sorted(numbers)


def test_evaluate__only_the_rules_given():
    rules = [RULE["own_unit_on_market"], RULE["agreement_missing"]]
    assert [f.rule.code for f in evaluate(EVERYTHING, rules)] == [
        "own_unit_on_market",
        "agreement_missing",
    ]


def test_finding__blocking_exactly_when_the_rule_is_an_error():
    findings = evaluate(EVERYTHING)
    assert findings
    for finding in findings:
        assert finding.blocking is (finding.rule.severity is Severity.ERROR)
        assert finding.severity is finding.rule.severity
        assert finding.key == (finding.rule.code, finding.hit.subject)


def test_finding__explanation_names_the_parties_and_areas():
    config = adding(GOOD, holdings=(Holding(COMPANY.id, "employment", "organizing"),))
    config = dataclasses.replace(config, labels={"employment": "Employment services"})

    (finding,) = found(config, "organizing_held_by_producer")

    with override("en"):
        assert finding.explanation == (
            "Työpolku Oy is a producer but is given the organizing responsibility for Employment "
            "services. A producer can produce services; the organizing responsibility stays with "
            "the organizer the law gives it to."
        )


def test_finding__statutes_lists_every_citation_of_the_rule():
    config = adding(GOOD, holdings=(Holding(COMPANY.id, "employment", "organizing"),))
    (finding,) = found(config, "organizing_held_by_producer")
    notice = found(dataclasses.replace(GOOD, holdings=()), "organizing_unassigned")[0]

    with override("en"):
        assert finding.statutes == (
            "Constitution of Finland 731/1999 121 §; Local Government Act 410/2015 8 §; "
            "Growth-services alliance policy brief 5"
        )
        assert notice.statutes == "Local Government Act 410/2015 8 §"


def test_statute__without_a_section_is_the_act_alone():
    assert str(Statute("Kuntalaki 410/2015")) == "Kuntalaki 410/2015"
    assert str(Statute("Kuntalaki 410/2015", "8 §")) == "Kuntalaki 410/2015 8 §"


def test_configuration__label_falls_back_to_the_code():
    config = dataclasses.replace(GOOD, labels={"business": "Business services"})
    assert config.label("business") == "Business services"
    assert config.label("vitality") == "vitality"


LABELS = {**dict(ServiceArea.choices), **dict(Task.choices)}


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_configuration__lazy_labels_render_in_the_active_language(language):
    config = dataclasses.replace(
        adding(GOOD, holdings=(Holding(TAMPERE.id, "business", "organizing"),)), labels=LABELS
    )
    with override(language):
        (finding,) = found(config, "region_responsibility_to_municipality")
        assert str(ServiceArea.BUSINESS.label) in finding.explanation


def test_finding__explanation_renders_wholly_in_the_language_it_is_read_in():
    config = dataclasses.replace(
        adding(GOOD, holdings=(Holding(TAMPERE.id, "business", "organizing"),)), labels=LABELS
    )
    with override("fi"):
        (finding,) = found(config, "region_responsibility_to_municipality")
    with override("en"):
        assert "Business services" in finding.explanation


# new_blocking -----------------------------------------------------------------------------------


def test_new_blocking__from_nothing_returns_only_the_errors():
    added = new_blocking([], evaluate(EVERYTHING))

    assert added
    assert all(f.blocking for f in added)
    assert {f.rule.code for f in added} == {r.code for r in RULES if r.severity is Severity.ERROR}


def test_new_blocking__an_unchanged_configuration_adds_nothing():
    assert new_blocking(evaluate(EVERYTHING), evaluate(EVERYTHING)) == []


def test_new_blocking__the_same_rule_and_subject_counts_as_present():
    # The producer is renamed: the explanation changes, the finding is the same one.
    before = adding(GOOD, holdings=(Holding(COMPANY.id, "employment", "organizing"),))
    renamed = Party(COMPANY.id, "Työpolku Oyj", "company", PRODUCER)
    after = dataclasses.replace(
        before, parties=tuple(renamed if p.id == COMPANY.id else p for p in before.parties)
    )
    assert evaluate(before)[0].explanation != evaluate(after)[0].explanation

    assert new_blocking(evaluate(before), evaluate(after)) == []


def test_new_blocking__the_same_rule_on_another_subject_is_new():
    before = adding(GOOD, holdings=(Holding(COMPANY.id, "employment", "organizing"),))
    after = adding(before, holdings=(Holding(ASSOCIATION.id, "employment", "organizing"),))

    added = new_blocking(evaluate(before), evaluate(after))

    assert [f.key for f in added] == [
        ("organizing_held_by_producer", f"{ASSOCIATION.id}:employment")
    ]


def test_new_blocking__another_rule_on_the_same_subject_is_new():
    # Rules 1a and 3 both name their subject "<party>:<area>"; the rule tells them apart.
    subject = f"{OWN_UNIT.id}:business"
    before = [Finding(RULE["own_unit_outside_remit"], Hit(subject))]
    after = [Finding(RULE["organizing_held_by_producer"], Hit(subject))]

    assert new_blocking(before, after) == after


def test_new_blocking__new_warnings_and_notices_are_ignored():
    after = dataclasses.replace(
        GOOD,
        market_units=frozenset({OWN_UNIT.id}),
        own_units_have_seats=False,
        phase="implementation",
        documents=(),
    )
    assert {f.severity for f in evaluate(after)} == {Severity.WARNING, Severity.NOTICE}

    assert new_blocking(evaluate(GOOD), evaluate(after)) == []


def test_new_blocking__a_resolved_finding_is_not_returned():
    assert new_blocking(evaluate(EVERYTHING), evaluate(GOOD)) == []


# The rules as data ------------------------------------------------------------------------------


def test_rules__every_rule_has_a_unique_code_and_number():
    codes = [r.code for r in RULES]
    numbers = [r.number for r in RULES]
    assert len(set(codes)) == len(codes)
    assert len(set(numbers)) == len(numbers)


def test_rules__every_rule_has_a_title_a_severity_and_a_statute():
    for rule in RULES:
        assert str(rule.title).strip(), rule.code
        assert isinstance(rule.severity, Severity), rule.code
        assert rule.statutes, rule.code
        for statute in rule.statutes:
            assert str(statute).strip(), rule.code


def test_rules__each_cites_a_statute_or_says_it_is_an_agreement_rule():
    # The policy brief is no law: a rule citing only the brief must say it is an agreement
    # rule, and an agreement rule's citation says so in words.
    for rule in RULES:
        laws = [s for s in rule.statutes if s.act is not SEED]
        assert laws or rule.agreement_rule, rule.code
        with override("en"):
            assert rule.citation.startswith("Agreement rule") == rule.agreement_rule, rule.code
    assert {r.number for r in RULES if r.agreement_rule} == {"5b", "7b"}


def test_rules__every_explanation_formats_with_the_params_its_check_produces():
    findings = evaluate(EVERYTHING)
    assert {f.rule.code for f in findings} == set(RULE), "EVERYTHING must trigger every rule"

    for finding in findings:
        text = finding.explanation
        assert text.strip(), finding.rule.code
        assert "%(" not in text, finding.rule.code
        for value in finding.hit.params.values():
            assert str(value) in text, (finding.rule.code, value)


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_rules__explanations_render_in_every_language(language):
    findings = evaluate(EVERYTHING)
    with override(language):
        for finding in findings:
            text = finding.explanation
            assert isinstance(text, str)
            assert text.strip(), finding.rule.code
            if "party" in finding.hit.params:
                assert finding.hit.params["party"] in text, finding.rule.code
            assert str(finding.rule.title).strip()
            assert finding.statutes.strip()
