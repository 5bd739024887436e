"""The alliance lifecycle, members and exit rights, through the services."""

from __future__ import annotations

import datetime as dt

import pytest

from allianssi.alliances.models import (
    AllianceRole,
    MemberRole,
    Membership,
    MembershipEnd,
    Phase,
    PhaseChange,
    Role,
    ServiceArea,
)
from allianssi.alliances.services import (
    alliance_create,
    alliance_enter_phase,
    alliance_role_grant,
    alliance_role_revoke,
    alliance_update,
    membership_add,
    membership_exit,
    membership_remove,
)
from allianssi.audit.models import AuditRecord
from allianssi.core.errors import DomainError
from allianssi.parties.models import OrganisationKind, Region
from allianssi.parties.services import organisation_create, organisation_for_municipality
from tests.conftest import World
from tests.parties.factories import CompanyFactory

pytestmark = pytest.mark.django_db


def _raises(code: str):
    return pytest.raises(DomainError, match=f"^{code}:")


def test_alliance_create__starts_in_strategy_with_creator_as_organizer_and_manager(world: World):
    alliance = world.alliance
    assert alliance.phase == Phase.STRATEGY
    first = alliance.memberships.order_by("pk").first()
    assert first.organisation == world.org["region"]
    assert first.role == MemberRole.ORGANIZER
    assert AllianceRole.objects.filter(
        alliance=alliance, user=world.users["manager"], role=Role.MANAGER
    ).exists()
    assert list(alliance.phase_changes.values_list("from_phase", "to_phase")) == [
        ("", Phase.STRATEGY)
    ]
    actions = list(AuditRecord.objects.filter(alliance=alliance).values_list("action", flat=True))
    assert actions[:3] == ["alliance.create", "membership.add", "role.grant"]


def test_alliance_create__a_region_may_have_several_alliances(world: World):
    second = alliance_create(
        actor=world.users["manager"],
        name="Toinen",
        region=world.region,
        term_start=dt.date(2027, 1, 1),
        term_end=dt.date(2028, 1, 1),
        service_areas=[ServiceArea.BUSINESS],
    )
    assert second.region == world.alliance.region


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"name": "  "}, "name_required"),
        ({"term_end": dt.date(2020, 1, 1)}, "term_order"),
        ({"service_areas": []}, "service_area_required"),
        ({"service_areas": ["space"]}, "service_area_unknown"),
        ({"service_areas": [ServiceArea.WELLBEING]}, "service_area_core_required"),
        ({"name": "x" * 201}, "name_too_long"),
        ({"goals": ["ok", "y" * 501]}, "goal_too_long"),
        ({"language": "de"}, "language_invalid"),
    ],
)
def test_alliance_create__bad_terms_are_refused_and_nothing_is_written(world, changes, code):
    count = world.region.alliances.count()
    records = AuditRecord.objects.count()
    arguments = {
        "actor": world.users["manager"],
        "name": "Uusi",
        "region": world.region,
        "term_start": dt.date(2026, 1, 1),
        "term_end": dt.date(2027, 1, 1),
        "service_areas": [ServiceArea.EMPLOYMENT],
    } | changes
    with _raises(code):
        alliance_create(**arguments)
    assert world.region.alliances.count() == count
    assert AuditRecord.objects.count() == records


def test_alliance_create__an_organizer_from_another_region_is_refused(world: World):
    with _raises("organizer_outside_region"):
        alliance_create(
            actor=world.users["other_manager"],
            name="Väärä",
            region=world.region,
            term_start=dt.date(2026, 1, 1),
            term_end=dt.date(2027, 1, 1),
            service_areas=[ServiceArea.EMPLOYMENT],
        )


def test_alliance_create__a_producer_cannot_start_an_alliance(world: World):
    with _raises("forbidden"):
        alliance_create(
            actor=world.users["producer_staff"],
            name="X",
            region=world.region,
            term_start=dt.date(2026, 1, 1),
            term_end=dt.date(2027, 1, 1),
            service_areas=[ServiceArea.EMPLOYMENT],
        )


def test_alliance_update__records_before_and_after(world: World):
    alliance_update(
        actor=world.users["manager"],
        alliance=world.alliance,
        name="Uusi nimi",
        term_start=dt.date(2026, 1, 1),
        term_end=dt.date(2030, 12, 31),
        service_areas=[ServiceArea.EMPLOYMENT, ServiceArea.SOCIAL_HEALTH],
        goals=["A", "B"],
        description="",
        language="sv",
        producers_may_exit_in_implementation=True,
    )
    record = AuditRecord.objects.filter(action="alliance.update").get()
    assert record.before["name"] == "Pirkanmaan allianssi"
    assert record.after["name"] == "Uusi nimi"
    assert record.after["goals"] == ["A", "B"]
    assert record.after["service_areas"] == ["employment", "social_health"]


def test_membership_add__a_duplicate_membership_is_refused(world: World):
    with _raises("duplicate_membership"):
        membership_add(
            actor=world.users["manager"],
            alliance=world.alliance,
            organisation=world.org["tampere"],
            role=MemberRole.ORGANIZER,
        )


def test_membership_add__a_municipality_of_another_region_is_refused(world: World):
    pori = organisation_for_municipality(actor=None, code="609")
    with _raises("organizer_outside_region"):
        membership_add(
            actor=world.users["manager"],
            alliance=world.alliance,
            organisation=pori,
            role=MemberRole.ORGANIZER,
        )


def test_membership_add__producers_only_from_formation_on(world: World):
    with _raises("production_before_formation"):
        membership_add(
            actor=world.users["manager"],
            alliance=world.alliance,
            organisation=world.org["producer"],
            role=MemberRole.PRODUCER,
        )
    world.to_phase(Phase.FORMATION)
    assert world.membership("producer").role == MemberRole.PRODUCER


@pytest.mark.parametrize(
    ("key", "role"),
    [
        ("producer", MemberRole.ORGANIZER),
        ("tampere", MemberRole.PRODUCER),
        ("producer", MemberRole.OWN_PRODUCTION),
    ],
)
def test_membership_add__role_must_fit_the_kind_of_party(world: World, key, role):
    world.to_phase(Phase.FORMATION)
    party = CompanyFactory() if key == "producer" else world.org[key]
    with _raises("role_kind_mismatch"):
        membership_add(
            actor=world.users["manager"], alliance=world.alliance, organisation=party, role=role
        )


def test_membership_add__an_own_unit_needs_its_organizer_in_the_alliance(world: World):
    world.to_phase(Phase.FORMATION)
    ylojarvi = organisation_for_municipality(actor=None, code="980")
    unit = organisation_create(
        actor=None, kind=OrganisationKind.OWN_UNIT, name="Ylöjärven palvelut", parent=ylojarvi
    )
    with _raises("own_unit_organizer_not_member"):
        membership_add(
            actor=world.users["manager"],
            alliance=world.alliance,
            organisation=unit,
            role=MemberRole.OWN_PRODUCTION,
        )


def _joint_body(world: World):
    codes = ["508", "702", "936"]
    members = [organisation_for_municipality(actor=None, code=c) for c in codes]
    return organisation_create(
        actor=None,
        kind=OrganisationKind.JOINT_BODY,
        name="Ylä-Pirkanmaan lautakunta",
        host=members[0],
        members=members,
    )


def test_membership_add__a_joint_body_brings_its_member_municipalities(world: World):
    body = _joint_body(world)
    membership_add(
        actor=world.users["manager"],
        alliance=world.alliance,
        organisation=body,
        role=MemberRole.ORGANIZER,
    )
    ruovesi = organisation_for_municipality(actor=None, code="702")
    with _raises("municipality_already_in"):
        membership_add(
            actor=world.users["manager"],
            alliance=world.alliance,
            organisation=ruovesi,
            role=MemberRole.ORGANIZER,
        )


def test_alliance_enter_phase__follows_the_lifecycle(world: World):
    world.to_phase(Phase.IMPLEMENTATION)
    phases = list(world.alliance.phase_changes.values_list("to_phase", flat=True))
    assert phases == [Phase.STRATEGY, Phase.FORMATION, Phase.DEVELOPMENT, Phase.IMPLEMENTATION]


@pytest.mark.parametrize("target", [Phase.DEVELOPMENT, Phase.IMPLEMENTATION, Phase.STRATEGY])
def test_alliance_enter_phase__impossible_transitions_are_refused(world: World, target):
    with _raises("transition_not_allowed"):
        alliance_enter_phase(
            actor=world.users["manager"],
            alliance=world.alliance,
            to_phase=target,
            effective_on=dt.date(2026, 2, 1),
        )
    world.alliance.refresh_from_db()
    assert world.alliance.phase == Phase.STRATEGY
    assert PhaseChange.objects.filter(alliance=world.alliance).count() == 1


def test_alliance_enter_phase__development_needs_a_selected_producer(world: World):
    world.decide_go()
    alliance_enter_phase(
        actor=world.users["manager"],
        alliance=world.alliance,
        to_phase=Phase.FORMATION,
        effective_on=dt.date(2026, 2, 1),
    )
    with _raises("no_producer"):
        alliance_enter_phase(
            actor=world.users["manager"],
            alliance=world.alliance,
            to_phase=Phase.DEVELOPMENT,
            effective_on=dt.date(2026, 3, 1),
        )


def test_alliance_enter_phase__dates_cannot_go_backwards(world: World):
    world.decide_go()
    alliance_enter_phase(
        actor=world.users["manager"],
        alliance=world.alliance,
        to_phase=Phase.FORMATION,
        effective_on=dt.date(2026, 5, 1),
    )
    membership_add(
        actor=world.users["manager"],
        alliance=world.alliance,
        organisation=world.org["producer"],
        role=MemberRole.PRODUCER,
    )
    with _raises("date_before_previous"):
        alliance_enter_phase(
            actor=world.users["manager"],
            alliance=world.alliance,
            to_phase=Phase.DEVELOPMENT,
            effective_on=dt.date(2026, 4, 1),
        )


def test_alliance_enter_phase__ending_needs_a_reason_and_freezes_the_alliance(world: World):
    with _raises("reason_required"):
        alliance_enter_phase(
            actor=world.users["manager"],
            alliance=world.alliance,
            to_phase=Phase.ENDED,
            effective_on=dt.date(2026, 2, 1),
        )
    alliance_enter_phase(
        actor=world.users["manager"],
        alliance=world.alliance,
        to_phase=Phase.ENDED,
        effective_on=dt.date(2026, 2, 1),
        note="Strategiavaiheessa todettiin, ettei malli sovi.",
    )
    with _raises("alliance_ended"):
        membership_add(
            actor=world.users["manager"],
            alliance=world.alliance,
            organisation=organisation_for_municipality(actor=None, code="980"),
            role=MemberRole.ORGANIZER,
        )


def test_alliance_enter_phase__only_a_manager(world: World):
    with _raises("forbidden"):
        alliance_enter_phase(
            actor=world.users["leader"],
            alliance=world.alliance,
            to_phase=Phase.FORMATION,
            effective_on=dt.date(2026, 2, 1),
        )


# Exit rights: (phase, member, agreement allows producers' exit in implementation) -> allowed?
EXIT_MATRIX = [
    (Phase.STRATEGY, "nokia", False, True),
    (Phase.FORMATION, "nokia", False, True),
    (Phase.DEVELOPMENT, "nokia", False, True),
    (Phase.IMPLEMENTATION, "nokia", False, True),
    (Phase.FORMATION, "producer", False, False),
    (Phase.DEVELOPMENT, "producer", False, True),
    (Phase.IMPLEMENTATION, "producer", False, False),
    (Phase.IMPLEMENTATION, "producer", True, True),
    (Phase.DEVELOPMENT, "own_unit", False, True),
    (Phase.IMPLEMENTATION, "own_unit", False, False),
]


@pytest.mark.parametrize(("phase", "member", "clause", "allowed"), EXIT_MATRIX)
def test_membership_exit__rights_by_phase_and_role(world: World, phase, member, clause, allowed):
    if phase != Phase.STRATEGY:
        world.to_phase(phase)
    if clause:
        world.alliance.producers_may_exit_in_implementation = True
        world.alliance.save()
    membership = world.membership(member)
    if allowed:
        membership_exit(
            actor=world.users["manager"],
            membership=membership,
            effective_on=dt.date(2026, 12, 31),
            reason="Ei jatketa",
        )
        membership.refresh_from_db()
        assert membership.end_kind == MembershipEnd.EXITED
        assert membership.ended_in_phase == phase
        assert membership.ended_on == dt.date(2026, 12, 31)
    else:
        with pytest.raises(DomainError) as caught:
            membership_exit(
                actor=world.users["manager"],
                membership=membership,
                effective_on=dt.date(2026, 12, 31),
                reason="Ei jatketa",
            )
        assert caught.value.code.startswith("exit_not_allowed")
        membership.refresh_from_db()
        assert membership.is_active


def test_membership_exit__is_a_record_never_a_deleted_row(world: World):
    world.to_phase(Phase.DEVELOPMENT)
    membership = world.membership("producer")
    membership_exit(
        actor=world.users["manager"],
        membership=membership,
        effective_on=dt.date(2026, 6, 30),
        reason="Kehitysvaihe päättyi",
    )
    assert Membership.objects.filter(pk=membership.pk).exists()
    record = AuditRecord.objects.filter(action="membership.exit").get()
    assert record.before["ended_on"] is None
    assert record.after["ended_on"] == "2026-06-30"
    assert record.after["end_reason"] == "Kehitysvaihe päättyi"
    with _raises("membership_ended"):
        membership_exit(
            actor=world.users["manager"],
            membership=membership,
            effective_on=dt.date(2026, 6, 30),
            reason="Uudestaan",
        )


def test_membership_exit__an_organizer_takes_its_own_units_with_it(world: World):
    world.to_phase(Phase.IMPLEMENTATION)
    membership_exit(
        actor=world.users["manager"],
        membership=world.membership("tampere"),
        effective_on=dt.date(2026, 12, 31),
        reason="Kunnanvaltuuston päätös",
    )
    unit = world.alliance.memberships.get(organisation=world.org["own_unit"])
    assert unit.end_kind == MembershipEnd.EXITED
    assert "Tampere" in unit.end_reason


def test_membership_exit__needs_a_reason_and_a_date(world: World):
    with _raises("reason_required"):
        membership_exit(
            actor=world.users["manager"],
            membership=world.membership("nokia"),
            effective_on=dt.date(2026, 6, 1),
            reason=" ",
        )
    with _raises("date_required"):
        membership_exit(
            actor=world.users["manager"],
            membership=world.membership("nokia"),
            effective_on=None,
            reason="Syy",
        )


def test_membership_exit__a_party_declares_its_own_exit_but_not_others(world: World):
    world.to_phase(Phase.DEVELOPMENT)
    leader = world.users["leader"]  # Tampere's leadership member
    with _raises("forbidden"):
        membership_exit(
            actor=leader,
            membership=world.membership("nokia"),
            effective_on=dt.date(2026, 6, 1),
            reason="Syy",
        )
    membership_exit(
        actor=leader,
        membership=world.membership("own_unit"),
        effective_on=dt.date(2026, 6, 1),
        reason="Tampere lopettaa oman tuotannon",
    )
    membership_exit(
        actor=world.users["producer_leader"],
        membership=world.membership("producer"),
        effective_on=dt.date(2026, 6, 1),
        reason="Oma päätös",
    )


def test_membership_exit__the_last_organizer_cannot_leave_a_running_alliance(world: World):
    world.to_phase(Phase.DEVELOPMENT)
    for key in ["tampere", "nokia"]:
        membership_exit(
            actor=world.users["manager"],
            membership=world.membership(key),
            effective_on=dt.date(2026, 6, 1),
            reason="Syy",
        )
    with _raises("last_organizer_exit"):
        membership_exit(
            actor=world.users["manager"],
            membership=world.membership("region"),
            effective_on=dt.date(2026, 6, 1),
            reason="Syy",
        )


def test_membership_exit__the_managers_party_cannot_leave_the_alliance_without_a_manager(
    world: World,
):
    with _raises("last_manager"):
        membership_remove(
            actor=world.users["manager"], membership=world.membership("region"), reason="Virhe"
        )


def test_membership_remove__only_before_development(world: World):
    membership_remove(
        actor=world.users["manager"],
        membership=world.membership("nokia"),
        reason="Lisätty vahingossa",
    )
    assert world.alliance.memberships.get(organisation=world.org["nokia"]).end_kind == (
        MembershipEnd.REMOVED
    )
    world.to_phase(Phase.DEVELOPMENT)
    with _raises("removal_not_allowed"):
        membership_remove(
            actor=world.users["manager"], membership=world.membership("producer"), reason="Syy"
        )


def test_membership_add__a_party_may_rejoin_after_leaving(world: World):
    membership_remove(
        actor=world.users["manager"], membership=world.membership("nokia"), reason="Väärin"
    )
    membership_add(
        actor=world.users["manager"],
        alliance=world.alliance,
        organisation=world.org["nokia"],
        role=MemberRole.ORGANIZER,
    )
    assert world.alliance.memberships.filter(organisation=world.org["nokia"]).count() == 2


def test_alliance_role_grant__rules_for_who_may_hold_a_role(world: World):
    manager, alliance = world.users["manager"], world.alliance
    with _raises("user_not_of_member"):
        alliance_role_grant(
            actor=manager,
            alliance=alliance,
            user=world.users["producer_staff"],
            role=Role.LEADERSHIP,
        )
    with _raises("role_needs_producer"):
        alliance_role_grant(
            actor=manager, alliance=alliance, user=world.users["stranger"], role=Role.PRODUCER_STAFF
        )
    with _raises("role_duplicate"):
        alliance_role_grant(
            actor=manager, alliance=alliance, user=world.users["leader"], role=Role.LEADERSHIP
        )
    granted = alliance_role_grant(
        actor=manager, alliance=alliance, user=world.users["stranger"], role=Role.CONTROLLER
    )
    assert granted.role == Role.CONTROLLER
    world.to_phase(Phase.FORMATION)
    with _raises("role_needs_organizer"):
        alliance_role_grant(
            actor=manager,
            alliance=alliance,
            user=world.users["producer_staff"],
            role=Role.CONTROLLER,
        )


def test_alliance_role_revoke__keeps_the_row_and_the_last_manager(world: World):
    manager = world.users["manager"]
    role = AllianceRole.objects.get(alliance=world.alliance, user=world.users["leader"])
    alliance_role_revoke(actor=manager, granted=role)
    role.refresh_from_db()
    assert role.revoked_at is not None
    own = AllianceRole.objects.get(alliance=world.alliance, user=manager, role=Role.MANAGER)
    with _raises("last_manager"):
        alliance_role_revoke(actor=manager, granted=own)


def test_alliance_create__only_in_a_real_region(world: World):
    assert Region.objects.filter(code="06").exists()
