"""The pages' flows: the right service is called, bad input is explained in the user's language
and changes nothing."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from allianssi.alliances.models import Alliance, Phase
from allianssi.audit.models import AuditRecord
from allianssi.parties.models import Organisation
from tests.conftest import World

pytestmark = pytest.mark.django_db


def _client(world: World, who: str, language: str = "fi") -> Client:
    client = Client()
    client.force_login(world.users[who])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def _in(language: str, message: str, **params: str) -> str:
    with translation.override(language):
        text = gettext(message)
    if language != "en":
        assert text != message, f"no {language} translation for {message!r}"
    return text % params if params else text


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_party_create__an_invalid_y_tunnus_is_explained_in_the_users_language(
    world: World, language
):
    response = _client(world, "manager", language).post(
        reverse("parties:create"),
        {"kind": "company", "name": "Huijari Oy", "business_id": "1234567-2"},
    )
    assert response.status_code == 200
    expected = _in(
        language,
        "“%(value)s” is not a valid Y-tunnus (seven digits, a hyphen and a check digit).",
        value="1234567-2",
    )
    assert expected in response.content.decode()
    assert not Organisation.objects.filter(name="Huijari Oy").exists()


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_phase__an_impossible_transition_is_explained_and_changes_nothing(world, language):
    records = AuditRecord.objects.count()
    response = _client(world, "manager", language).post(
        reverse("alliances:phase", args=[world.alliance.pk]),
        {"to_phase": "formation", "effective_on": "2025-01-01"},
    )
    assert response.status_code == 200
    expected = _in(
        language,
        "The change cannot take effect before the previous one (%(date)s).",
        date="2026-01-01",
    )
    assert expected in response.content.decode()
    world.alliance.refresh_from_db()
    assert world.alliance.phase == Phase.STRATEGY
    assert AuditRecord.objects.count() == records


def test_phase__a_phase_not_offered_is_refused_by_the_form(world: World):
    response = _client(world, "manager").post(
        reverse("alliances:phase", args=[world.alliance.pk]),
        {"to_phase": "implementation", "effective_on": "2026-05-01"},
    )
    assert response.status_code == 200
    assert 'class="error-summary"' in response.content.decode()
    world.alliance.refresh_from_db()
    assert world.alliance.phase == Phase.STRATEGY


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_member_add__a_duplicate_membership_is_explained(world: World, language):
    response = _client(world, "manager", language).post(
        reverse("alliances:member_add", args=[world.alliance.pk]),
        {"role": "organizer", "party": "municipality:837"},
    )
    expected = _in(language, "%(party)s is already a member of this alliance.", party="Tampere")
    assert expected in response.content.decode()


def test_member_add__an_unknown_municipality_code_is_refused(world: World):
    response = _client(world, "manager").post(
        reverse("alliances:member_add", args=[world.alliance.pk]),
        {"role": "organizer", "party": "municipality:000"},
    )
    assert response.status_code == 200
    assert 'class="error-summary"' in response.content.decode()


def test_member_add__picks_a_municipality_from_the_reference_list(world: World):
    response = _client(world, "manager").post(
        reverse("alliances:member_add", args=[world.alliance.pk]),
        {"role": "organizer", "party": "municipality:980"},
    )
    assert response.status_code == 302
    assert world.alliance.memberships.filter(organisation__municipality__code="980").exists()


def test_alliance_create__through_the_form(world: World):
    response = _client(world, "leader").post(
        reverse("alliances:create"),
        {
            "name": "Tampereen seudun allianssi",
            "region": world.region.pk,
            "term_start": "2027-01-01",
            "term_end": "2030-12-31",
            "service_areas": ["employment", "vitality"],
            "goals": "Ensimmäinen\n\nToinen\n",
            "language": "fi",
        },
    )
    alliance = Alliance.objects.get(name="Tampereen seudun allianssi")
    assert response.status_code == 302
    assert response["Location"] == reverse("alliances:detail", args=[alliance.pk])
    assert list(alliance.goals.values_list("text", flat=True)) == ["Ensimmäinen", "Toinen"]
    assert alliance.memberships.get().organisation == world.org["tampere"]


def test_alliance_create__bad_dates_are_explained(world: World):
    response = _client(world, "leader", "en").post(
        reverse("alliances:create"),
        {
            "name": "X",
            "region": world.region.pk,
            "term_start": "2027-01-01",
            "term_end": "2026-01-01",
            "service_areas": ["employment"],
            "language": "fi",
        },
    )
    assert "The term cannot end before it starts." in response.content.decode()
    assert not Alliance.objects.filter(name="X").exists()


def test_alliance_detail__shows_members_municipalities_areas_goals_and_history(world: World):
    world.to_phase(Phase.DEVELOPMENT)
    from allianssi.alliances.services import membership_exit

    membership_exit(
        actor=world.users["manager"],
        membership=world.membership("producer"),
        effective_on=world.alliance.term_start.replace(month=12, day=31),
        reason="Kehitysvaihe päättyi",
    )
    body = (
        _client(world, "observer", "en")
        .get(reverse("alliances:detail", args=[world.alliance.pk]))
        .content.decode()
    )
    for text in [
        "Pirkanmaa",
        "Tampere",
        "Nokia",
        "Tampereen työllisyyspalvelut",
        "Employment services",
        "Business services",
        "Työllisyys paranee",
        "Development",
        "Kehitysvaihe päättyi",
        "Exited",
        "Ylöjärvi",  # not in the alliance
        "2 of 23 municipalities are in the alliance.",
    ]:
        assert text in body, text


def test_alliance_detail__a_joint_body_shows_its_host_and_members(world: World):
    from allianssi.alliances.services import membership_add
    from allianssi.parties.models import OrganisationKind
    from allianssi.parties.services import organisation_create, organisation_for_municipality

    members = [organisation_for_municipality(actor=None, code=c) for c in ["508", "702", "936"]]
    body_org = organisation_create(
        actor=None,
        kind=OrganisationKind.JOINT_BODY,
        name="Ylä-Pirkanmaan lautakunta",
        host=members[0],
        members=members,
    )
    membership_add(
        actor=world.users["manager"],
        alliance=world.alliance,
        organisation=body_org,
        role="organizer",
    )
    body = (
        _client(world, "manager", "en")
        .get(reverse("alliances:detail", args=[world.alliance.pk]))
        .content.decode()
    )
    assert (
        "through the joint body Ylä-Pirkanmaan lautakunta (host municipality Mänttä-Vilppula)"
        in body
    )
    assert "5 of 23 municipalities are in the alliance." in body


def test_audit_page__lists_the_alliances_records(world: World):
    body = (
        _client(world, "observer")
        .get(reverse("alliances:audit", args=[world.alliance.pk]))
        .content.decode()
    )
    assert "alliance.create" in body
    assert "role.grant" in body


@pytest.mark.parametrize(
    ("phase", "producer_exit_shown", "remove_shown"),
    [
        (Phase.FORMATION, False, True),
        (Phase.DEVELOPMENT, True, False),
        (Phase.IMPLEMENTATION, False, False),
    ],
)
def test_alliance_detail__offers_only_the_actions_the_rules_allow(
    world: World, phase, producer_exit_shown, remove_shown
):
    world.to_phase(phase)
    producer = world.membership("producer")
    body = (
        _client(world, "manager")
        .get(reverse("alliances:detail", args=[world.alliance.pk]))
        .content.decode()
    )
    exit_url = reverse("alliances:member_exit", args=[world.alliance.pk, producer.pk])
    remove_url = reverse("alliances:member_remove", args=[world.alliance.pk, producer.pk])
    assert (exit_url in body) == producer_exit_shown
    assert (remove_url in body) == remove_shown
    nokia_exit = reverse(
        "alliances:member_exit", args=[world.alliance.pk, world.membership("nokia").pk]
    )
    assert nokia_exit in body  # an organizer may exit in every phase
