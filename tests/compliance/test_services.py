"""The configuration guard: a change that would break the law is refused, with the statute."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils.translation import override

from allianssi.alliances.models import Phase
from allianssi.audit.models import AuditRecord
from allianssi.compliance import services
from allianssi.compliance.models import AgreementDocument, Assignment, DocumentKind, Task
from allianssi.compliance.services import ComplianceRefusal, evaluate
from allianssi.core import clock
from allianssi.core.errors import DomainError
from allianssi.governance.services import seat_assign
from tests.conftest import World

pytestmark = pytest.mark.django_db


def _assign(world: World, key: str, area: str, task: str) -> Assignment:
    return services.assignment_add(
        actor=world.users["manager"],
        alliance=world.alliance,
        organisation=world.org[key],
        service_area=area,
        task=task,
    )


def _codes(world: World) -> set[str]:
    return {f.rule.code for f in evaluate(world.alliance)}


def test_administrative_task_to_a_company__refused_with_the_statute(world: World):
    world.to_phase(Phase.FORMATION)
    with pytest.raises(ComplianceRefusal) as refused:
        _assign(world, "producer", "employment", Task.BENEFIT_STATEMENT)
    assert "Työpolku Oy" in refused.value.message
    assert "124 §" in refused.value.message
    assert [f.rule.number for f in refused.value.findings] == ["2"]
    assert not Assignment.objects.exists()
    assert not AuditRecord.objects.filter(action="assignment.add").exists()


def test_organizing_responsibility__not_to_a_producer_nor_the_regions_to_a_municipality(
    world: World,
):
    world.to_phase(Phase.FORMATION)
    with pytest.raises(ComplianceRefusal):
        _assign(world, "producer", "employment", Task.ORGANIZING)
    with pytest.raises(ComplianceRefusal) as refused:
        _assign(world, "tampere", "business", Task.ORGANIZING)
    assert refused.value.findings[0].rule.code == "region_responsibility_to_municipality"
    _assign(world, "region", "business", Task.ORGANIZING)
    _assign(world, "tampere", "employment", Task.ORGANIZING)
    assert "organizing_unassigned" not in _codes(world)


def test_own_unit__only_within_its_organizers_remit(world: World):
    world.to_phase(Phase.FORMATION)
    with pytest.raises(ComplianceRefusal) as refused:
        _assign(world, "own_unit", "employment", Task.SERVICE_DELIVERY)
    assert "Tampere" in refused.value.message
    _assign(world, "tampere", "employment", Task.ORGANIZING)
    _assign(world, "own_unit", "employment", Task.SERVICE_DELIVERY)
    _assign(world, "own_unit", "employment", Task.BENEFIT_STATEMENT)  # a public unit may
    with pytest.raises(ComplianceRefusal):
        _assign(world, "own_unit", "business", Task.SERVICE_DELIVERY)
    # Ending the organizer's responsibility would leave the unit outside its remit: refused.
    responsibility = Assignment.objects.get(task=Task.ORGANIZING)
    with pytest.raises(ComplianceRefusal):
        services.assignment_end(actor=world.users["manager"], assignment=responsibility)
    responsibility.refresh_from_db()
    assert responsibility.ended_at is None


def test_market_activity__a_warning_not_a_refusal(world: World):
    world.to_phase(Phase.FORMATION)
    services.market_activity_declare(
        actor=world.users["manager"],
        alliance=world.alliance,
        organisation=world.org["own_unit"],
        description="Myy koulutuspalveluja yrityksille",
    )
    warnings = [f for f in evaluate(world.alliance) if f.rule.code == "own_unit_on_market"]
    assert len(warnings) == 1
    assert not warnings[0].blocking
    with pytest.raises(DomainError, match=r"^not_own_unit:"):
        services.market_activity_declare(
            actor=world.users["manager"],
            alliance=world.alliance,
            organisation=world.org["producer"],
            description="x",
        )


def test_agreement_document__must_state_the_alliances_legal_nature(world: World):
    with pytest.raises(ComplianceRefusal) as refused:
        services.document_register(
            actor=world.users["manager"],
            alliance=world.alliance,
            kind=DocumentKind.ALLIANCE_AGREEMENT,
            title="Allianssisopimus",
            version="1.0",
            signed_on=None,
            states_no_legal_person=True,
            states_duties_unchanged=False,
        )
    assert "Allianssisopimus" in refused.value.message
    assert not AgreementDocument.objects.exists()
    services.document_register(
        actor=world.users["manager"],
        alliance=world.alliance,
        kind=DocumentKind.ALLIANCE_AGREEMENT,
        title="Allianssisopimus",
        version="1.0",
        signed_on=None,
        states_no_legal_person=True,
        states_duties_unchanged=True,
    )
    world.to_phase(Phase.DEVELOPMENT)
    assert "agreement_missing" not in _codes(world)


def test_a_finding_already_there__does_not_block_unrelated_changes(world: World):
    """A person who changed employer is seated for an organizer while working for a producer:
    the page shows the error, and other changes still go through."""
    world.to_phase(Phase.FORMATION)
    rep = world.users["seat_nokia"]
    rep.organisation = world.org["producer"]
    rep.save()
    assert "person_on_both_sides" in _codes(world)
    _assign(world, "tampere", "employment", Task.ORGANIZING)
    # But re-seating that person for a producer too would add a finding of its own kind: the
    # existing one is the same finding (same person), so it is not new and not refused twice.
    seat_assign(
        actor=world.users["manager"],
        alliance=world.alliance,
        organisation=world.org["nokia"],
        representative=None,
        deputy=None,
    )
    assert "person_on_both_sides" not in _codes(world)


@pytest.mark.parametrize("who", ["leader", "controller", "observer", "producer_staff"])
def test_compliance_writes__only_the_project_office(world: World, who: str):
    world.to_phase(Phase.FORMATION)
    with pytest.raises(DomainError, match=r"^forbidden:"):
        services.assignment_add(
            actor=world.users[who],
            alliance=world.alliance,
            organisation=world.org["tampere"],
            service_area="employment",
            task=Task.ORGANIZING,
        )


def _register(world: World, **changes):
    values = {
        "actor": world.users["manager"],
        "alliance": world.alliance,
        "kind": DocumentKind.ALLIANCE_AGREEMENT,
        "title": "Allianssisopimus",
        "version": "1.0",
        "signed_on": None,
        "states_no_legal_person": True,
        "states_duties_unchanged": True,
    }
    return services.document_register(**{**values, **changes})


@pytest.mark.parametrize(
    "signed_on",
    [dt.date(1, 1, 1), dt.date(1999, 12, 31), "tomorrow", dt.date(9999, 12, 31)],
)
def test_agreement_document__signed_between_2000_and_today(world: World, signed_on):
    if signed_on == "tomorrow":
        signed_on = clock.today() + dt.timedelta(days=1)
    with override("en"), pytest.raises(DomainError, match=r"^signed_on_out_of_range:") as refused:
        _register(world, signed_on=signed_on)
    assert refused.value.field == "signed_on"
    with override("en"):  # the message is translated when read
        assert refused.value.message == (
            "A document is signed between 1 Jan 2000 and today "
            f"({clock.today().day} {clock.today():%b %Y})."
        )
    assert not AgreementDocument.objects.exists()
    assert _register(world, signed_on=clock.today()).signed_on == clock.today()


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("title", "t" * 201, "text_too_long"),
        ("version", "v" * 31, "text_too_long"),
        ("reference", "r" * 301, "text_too_long"),
        ("title", "Sopimus\x00", "text_character"),
    ],
)
def test_agreement_document__texts_within_their_columns(world: World, field, value, code):
    with pytest.raises(DomainError, match=f"^{code}:") as refused:
        _register(world, **{field: value})
    assert refused.value.field == field
    assert not AgreementDocument.objects.exists()


def test_market_activity__a_description_within_its_limit(world: World):
    world.to_phase(Phase.FORMATION)
    unit = world.org["own_unit"]
    with pytest.raises(DomainError, match=r"^text_too_long:"):
        services.market_activity_declare(
            actor=world.users["manager"],
            alliance=world.alliance,
            organisation=unit,
            description="d" * 2_001,
        )
