"""Role × page/action → allowed or denied, including cross-alliance URL guessing.

Every row is a specification: who may do what. Denied writes are also checked to change nothing.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from allianssi.alliances.models import AllianceRole, Membership, Phase
from allianssi.audit.models import AuditRecord
from allianssi.outcomes.models import KpiDefinition
from allianssi.outcomes.services import Definition, definition_save
from tests.conftest import World

pytestmark = pytest.mark.django_db

PEOPLE = [
    "anonymous",
    "manager",
    "leader",
    "controller",
    "producer_staff",
    "observer",
    "stranger",
    "other_manager",
]
IN_ALLIANCE = {"manager", "leader", "controller", "producer_staff", "observer"}
ORGANIZER_PEOPLE = {"manager", "leader", "controller", "stranger", "other_manager"}


def _client(world: World, who: str) -> Client:
    client = Client()
    if who != "anonymous":
        client.force_login(world.users[who])
    return client


def _expected_view(who: str, allowed: set[str]) -> int:
    if who == "anonymous":
        return 302
    if who not in IN_ALLIANCE:
        return 404
    return 200 if who in allowed else 403


@pytest.fixture
def formed(world: World) -> World:
    world.to_phase(Phase.FORMATION)
    return world


PAGES = [
    ("alliances:detail", IN_ALLIANCE),
    ("alliances:audit", IN_ALLIANCE),
    ("alliances:roles", IN_ALLIANCE),
    ("alliances:edit", {"manager"}),
    ("alliances:member_add", {"manager"}),
    ("alliances:phase", {"manager"}),
    ("settlement:overview", IN_ALLIANCE),
    ("settlement:terms", IN_ALLIANCE),
    ("settlement:kpis", IN_ALLIANCE),
    ("settlement:billing", IN_ALLIANCE),
    ("catalogue:services", IN_ALLIANCE),
    # Customers are the organizers' customer advisors' only (none in this world); the
    # project office, leadership and observers see none of them.
    ("customers:list", set()),
    ("customers:create", set()),
    ("customers:import", set()),
    ("customers:settings", {"leader", "controller"}),
    ("referrals:queue", {"producer_staff"}),
    ("referrals:outgoing", {"producer_staff"}),
    # Outcomes: KPI figures are open books; each party lists its own events (a producer's
    # staff what it reported, an organizer's advisors and controller its customers'); only an
    # organizer's advisors and controller verify (extracts, samples, disputes); the project
    # office defines the KPIs.
    ("outcomes:index", IN_ALLIANCE),
    ("outcomes:funnel_chart", IN_ALLIANCE),
    ("outcomes:events", {"controller", "producer_staff"}),
    ("outcomes:disputes", {"controller"}),
    ("outcomes:extracts", {"controller"}),
    ("outcomes:samples", {"controller"}),
    ("outcomes:import", {"producer_staff"}),
    ("outcomes:definition_new", {"manager"}),
]


@pytest.mark.parametrize("who", PEOPLE)
@pytest.mark.parametrize(("page", "allowed"), PAGES)
def test_alliance_pages__by_role(formed: World, who, page, allowed):
    response = _client(formed, who).get(reverse(page, args=[formed.alliance.pk]))
    assert response.status_code == _expected_view(who, allowed)
    if response.status_code == 404:
        assert formed.alliance.name not in response.content.decode()


@pytest.mark.parametrize("who", PEOPLE)
def test_outcome_figures__by_role(formed: World, who):
    """A KPI's figures are open books: every party of the alliance reads them."""
    definition_save(
        actor=formed.users["manager"],
        alliance=formed.alliance,
        definition=Definition(
            code="employed", name_fi="Työllistyneet", measure="share", types=("employed_open",)
        ),
    )
    response = _client(formed, who).get(
        reverse("outcomes:figures", args=[formed.alliance.pk, "employed"])
    )
    assert response.status_code == _expected_view(who, IN_ALLIANCE)


@pytest.mark.parametrize("who", PEOPLE)
def test_outcome_writes__only_the_project_office_defines_kpis(formed: World, who):
    data = {
        "code": "employed",
        "name_fi": "Työllistyneet",
        "scope": "alliance",
        "types": ["employed_open"],
        "within_days": "90",
        "measure": "share",
        "evidence": "verified",
    }
    before = (KpiDefinition.objects.count(), _state(formed))
    response = _client(formed, who).post(
        reverse("outcomes:definition_new", args=[formed.alliance.pk]), data
    )
    if who == "manager":
        assert response.status_code == 302
        assert KpiDefinition.objects.count() == 1
        return
    assert response.status_code == {"anonymous": 302}.get(who, 403 if who in IN_ALLIANCE else 404)
    assert (KpiDefinition.objects.count(), _state(formed)) == before


@pytest.mark.parametrize("who", PEOPLE)
def test_member_pages__by_role(formed: World, who):
    producer = formed.membership("producer")
    nokia = formed.membership("nokia")
    client = _client(formed, who)
    exit_url = reverse("alliances:member_exit", args=[formed.alliance.pk, producer.pk])
    remove_url = reverse("alliances:member_remove", args=[formed.alliance.pk, nokia.pk])
    # In formation a producer may not exit yet, but the manager and the producer's own
    # leadership member may open the page and get the rule explained.
    assert client.get(exit_url).status_code == _expected_view(who, {"manager"})
    assert client.get(remove_url).status_code == _expected_view(who, {"manager"})


@pytest.mark.parametrize("who", PEOPLE)
def test_alliance_list__shows_only_own_alliances(world: World, who):
    response = _client(world, who).get(reverse("alliances:list"))
    if who == "anonymous":
        assert response.status_code == 302
        return
    body = response.content.decode()
    assert (world.alliance.name in body) == (who in IN_ALLIANCE - {"producer_staff"})
    assert (world.other.name in body) == (who == "other_manager")


@pytest.mark.parametrize("who", PEOPLE)
def test_home__every_person_their_own_and_nothing_of_other_alliances(formed: World, who):
    response = _client(formed, who).get(reverse("home:index"))
    if who == "anonymous":
        assert response.status_code == 302
        return
    assert response.status_code == 200
    body = response.content.decode()
    if who not in IN_ALLIANCE:
        assert formed.alliance.name not in body
    assert (formed.other.name in body) == (who == "other_manager")


@pytest.mark.parametrize("who", PEOPLE)
def test_start_alliance_and_register_party__by_organisation(world: World, who):
    client = _client(world, who)
    create = client.get(reverse("alliances:create"))
    party = client.get(reverse("parties:create"))
    if who == "anonymous":
        assert (create.status_code, party.status_code) == (302, 302)
        return
    assert create.status_code == (200 if who in ORGANIZER_PEOPLE else 403)
    assert party.status_code == (200 if who in ORGANIZER_PEOPLE else 403)


def _state(world: World) -> tuple:
    world.alliance.refresh_from_db()
    return (
        world.alliance.phase,
        world.alliance.name,
        Membership.objects.filter(alliance=world.alliance, ended_on__isnull=True).count(),
        AllianceRole.objects.filter(alliance=world.alliance, revoked_at__isnull=True).count(),
        AuditRecord.objects.filter(alliance=world.alliance).count(),
    )


def _actions(world: World) -> dict[str, tuple[str, dict]]:
    pk = world.alliance.pk
    leader_role = AllianceRole.objects.get(alliance=world.alliance, user=world.users["leader"])
    return {
        "phase": (
            reverse("alliances:phase", args=[pk]),
            {"to_phase": "development", "effective_on": "2026-06-01", "note": "x"},
        ),
        "edit": (
            reverse("alliances:edit", args=[pk]),
            {
                "name": "Kaapattu",
                "term_start": "2026-01-01",
                "term_end": "2029-12-31",
                "service_areas": ["employment"],
                "language": "fi",
            },
        ),
        "add": (
            reverse("alliances:member_add", args=[pk]),
            {"role": "organizer", "party": "municipality:980"},
        ),
        "remove": (
            reverse("alliances:member_remove", args=[pk, world.membership("nokia").pk]),
            {"reason": "x"},
        ),
        "exit": (
            reverse("alliances:member_exit", args=[pk, world.membership("nokia").pk]),
            {"effective_on": "2026-06-01", "reason": "x"},
        ),
        "grant": (
            reverse("alliances:roles", args=[pk]),
            {"user": str(world.users["stranger"].pk), "role": "observer"},
        ),
        "revoke": (reverse("alliances:role_revoke", args=[pk, leader_role.pk]), {}),
    }


ACTIONS = ["phase", "edit", "add", "remove", "exit", "grant", "revoke"]


@pytest.mark.parametrize("who", [p for p in PEOPLE if p != "manager"])
@pytest.mark.parametrize("action", ACTIONS)
def test_writes__denied_to_everyone_but_the_manager_and_change_nothing(formed, who, action):
    url, data = _actions(formed)[action]
    before = _state(formed)
    response = _client(formed, who).post(url, data)
    expected = {"anonymous": 302}.get(who, 403 if who in IN_ALLIANCE else 404)
    assert response.status_code == expected
    assert _state(formed) == before


@pytest.mark.parametrize("action", ACTIONS)
def test_writes__the_manager_may(formed: World, action):
    url, data = _actions(formed)[action]
    before = _state(formed)
    response = _client(formed, "manager").post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert _state(formed) != before


def test_exit__a_party_may_declare_its_own_exit(world: World):
    world.to_phase(Phase.DEVELOPMENT)
    producer = world.membership("producer")
    url = reverse("alliances:member_exit", args=[world.alliance.pk, producer.pk])
    client = _client(world, "producer_leader")
    response = client.post(url, {"effective_on": "2026-06-30", "reason": "Oma päätös"})
    assert response.status_code == 302
    producer.refresh_from_db()
    assert producer.end_kind == "exited"
    staff = _client(world, "producer_staff")
    nokia = world.membership("nokia")
    url = reverse("alliances:member_exit", args=[world.alliance.pk, nokia.pk])
    assert staff.post(url, {"effective_on": "2026-06-30", "reason": "x"}).status_code == 403


def test_url_guessing__another_alliance_ids_in_own_alliance_urls_are_not_found(world: World):
    """The other alliance's manager puts the Pirkanmaa membership into their own URL."""
    client = _client(world, "other_manager")
    nokia = world.membership("nokia")
    for name in ["alliances:member_exit", "alliances:member_remove"]:
        response = client.get(reverse(name, args=[world.other.pk, nokia.pk]))
        assert response.status_code == 404
    leader_role = AllianceRole.objects.get(alliance=world.alliance, user=world.users["leader"])
    response = client.post(reverse("alliances:role_revoke", args=[world.other.pk, leader_role.pk]))
    assert response.status_code == 404
    leader_role.refresh_from_db()
    assert leader_role.revoked_at is None


def test_url_guessing__a_missing_and_a_forbidden_alliance_look_the_same(world: World):
    client = _client(world, "other_manager")
    forbidden = client.get(reverse("alliances:detail", args=[world.alliance.pk]))
    missing = client.get(reverse("alliances:detail", args=[999_999]))
    assert forbidden.status_code == missing.status_code == 404

    def without_tokens(body: bytes) -> str:
        # The CSRF token and the language form's return address (the typed URL) differ.
        text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body.decode())
        return re.sub(r'name="next" type="hidden" value="[^"]+"', "", text)

    assert without_tokens(forbidden.content) == without_tokens(missing.content)


def test_exited_party__its_people_keep_read_access_only(world: World):
    world.to_phase(Phase.DEVELOPMENT)
    client = _client(world, "controller")  # Nokia's controller
    from allianssi.alliances.services import membership_exit

    membership_exit(
        actor=world.users["manager"],
        membership=world.membership("nokia"),
        effective_on=world.alliance.term_start.replace(year=2026, month=6),
        reason="Nokia irtautuu",
    )
    assert client.get(reverse("alliances:detail", args=[world.alliance.pk])).status_code == 200
    from allianssi.permissions import forget_roles, roles_in

    forget_roles(world.users["controller"])  # the per-request cache of an earlier call
    assert roles_in(world.users["controller"], world.alliance) == frozenset({"observer"})


@pytest.mark.parametrize("who", PEOPLE)
@pytest.mark.parametrize("page", ["notifications:list", "notifications:settings"])
def test_personal_pages__everyone_signed_in_opens_only_their_own(world: World, who, page):
    """A person's notifications and notification settings: their own, whoever they are; the
    pages take no one's id, so there is no one else's to guess."""
    response = _client(world, who).get(reverse(page))
    assert response.status_code == (302 if who == "anonymous" else 200)


# An organisation's people (accounts): its main users only — here Tampere's leader — and only
# their own organisation's; one's own account and password: everyone signed in.


def _tampere_main_user(world: World) -> dict[str, tuple[str, dict]]:
    from allianssi.accounts.models import User
    from allianssi.people import services as accounts
    from tests.accounts.factories import UserFactory

    User.objects.filter(pk=world.users["leader"].pk).update(is_main_user=True)
    world.users["leader"].refresh_from_db()
    leader, tampere = world.users["leader"], world.org["tampere"]
    invited = accounts.user_invite(
        actor=leader, first_name="Kutsu", last_name="Tuttu", email="kutsu@tre.fi", base_url=""
    )
    gone = UserFactory(username="lahtenyt", organisation=tampere)
    accounts.user_deactivate(actor=leader, person=gone)
    stranger = world.users["stranger"]
    return {
        "invite": (
            reverse("people:person_invite"),
            {"first_name": "Uusi", "last_name": "Ihminen", "email": "uusi@tre.fi"},
        ),
        "resend": (reverse("people:person_resend", args=[invited.pk]), {}),
        "cancel": (reverse("people:person_cancel", args=[invited.pk]), {}),
        "deactivate": (reverse("people:person_deactivate", args=[stranger.pk]), {}),
        "reactivate": (reverse("people:person_reactivate", args=[gone.pk]), {}),
        "main_grant": (reverse("people:person_main_grant", args=[stranger.pk]), {}),
        "main_revoke": (reverse("people:person_main_revoke", args=[leader.pk]), {}),
    }


def _people_state() -> tuple:
    from allianssi.accounts.models import User

    return (
        tuple(
            User.objects.order_by("pk").values_list(
                "pk", "is_active", "is_main_user", "invitation_sent_at", "password"
            )
        ),
        AuditRecord.objects.filter(alliance=None).count(),
    )


@pytest.mark.parametrize("who", PEOPLE)
def test_account_pages__by_person(world: World, who):
    _tampere_main_user(world)
    client = _client(world, who)
    for page in ["people:account", "accounts:password_change"]:
        assert client.get(reverse(page)).status_code == (302 if who == "anonymous" else 200)
    # The password reset pages are everyone's, signed in or not; they show no one's details.
    for page in [
        "accounts:password_reset",
        "accounts:password_reset_done",
        "accounts:password_reset_complete",
    ]:
        assert client.get(reverse(page)).status_code == 200
    people = client.get(reverse("people:people")).status_code
    assert people == {"anonymous": 302, "leader": 200}.get(who, 403)


PEOPLE_ACTIONS = [
    "invite",
    "resend",
    "cancel",
    "deactivate",
    "reactivate",
    "main_grant",
    "main_revoke",
]


@pytest.mark.parametrize("who", [p for p in PEOPLE if p != "leader"])
@pytest.mark.parametrize("action", PEOPLE_ACTIONS)
def test_people_writes__denied_to_all_but_the_main_user_and_change_nothing(world, who, action):
    url, data = _tampere_main_user(world)[action]
    if who == "other_manager":  # Satakunta's main user: Tampere's people are not found
        from allianssi.accounts.models import User

        User.objects.filter(pk=world.users[who].pk).update(is_main_user=True)
    before = _people_state()
    response = _client(world, who).post(url, data)
    expected = {"anonymous": 302, "other_manager": 404 if action != "invite" else 302}
    assert response.status_code == expected.get(who, 403)
    if who == "other_manager" and action == "invite":
        return  # an invitation into Satakunta, which is theirs to send
    assert _people_state() == before


@pytest.mark.parametrize("action", PEOPLE_ACTIONS)
def test_people_writes__the_main_user_may(world: World, action):
    url, data = _tampere_main_user(world)[action]
    if action == "main_revoke":  # another main user must remain
        from allianssi.accounts.models import User

        User.objects.filter(pk=world.users["stranger"].pk).update(is_main_user=True)
    before = _people_state()
    response = _client(world, "leader").post(url, data)
    assert response.status_code == 302
    assert _people_state() != before


# Staff sign-in with the organisation's identity provider (allianssi.staffsignin): the start page
# is public (the signed-in are sent on); the answer page accepts only a sign-in this browser
# started, and signs no one in otherwise.


@pytest.mark.parametrize("who", PEOPLE)
def test_staff_sign_in__public_start_and_no_sign_in_without_a_started_one(world: World, who):
    from allianssi.staffsignin.models import SignIn

    client = _client(world, who)
    start = client.get(reverse("staffsignin:start"), {"organisation": "x@example.fi"})
    assert start.status_code == (200 if who == "anonymous" else 302)
    assert client.get(reverse("staffsignin:begin", args=[999999])).status_code == 404
    answer = client.get(reverse("staffsignin:callback"), {"code": "c", "state": "s"})
    assert answer.status_code == 403
    assert SignIn.objects.get().reason == "state"
    assert client.session.get("_auth_user_id") == (
        None if who == "anonymous" else str(world.users[who].pk)
    )


@pytest.mark.parametrize("who", PEOPLE)
def test_alliance_search__by_role(formed: World, who):
    """Everyone in the alliance searches it (what each finds is what its pages show them);
    nobody else learns it exists. Another alliance's proposal is never among the results."""
    from allianssi.governance.services import AlternativeInput, proposal_create

    proposal_create(
        actor=formed.users["other_manager"],
        alliance=formed.other,
        title="Satakunnan salainen ehdotus",
        description="",
        alternatives=[AlternativeInput(title="Vaihtoehto")],
    )
    response = _client(formed, who).get(
        reverse("alliancesearch:search", args=[formed.alliance.pk]), {"q": "salainen ehdotus"}
    )
    assert response.status_code == _expected_view(who, IN_ALLIANCE)
    assert "Satakunnan salainen ehdotus" not in response.content.decode()
    if who == "other_manager":  # in its own alliance it is found
        own = _client(formed, who).get(
            reverse("alliancesearch:search", args=[formed.other.pk]), {"q": "salainen ehdotus"}
        )
        assert "Satakunnan salainen ehdotus" in own.content.decode()


# The settlement's writes: each its own POST URL. Those who may get the form back with its errors
# or, where an empty form is enough (a draft sent for approval), the change; everyone else is
# refused as elsewhere, and nothing changes. A GET of an action is not allowed.


def _settlement_writes(world: World) -> dict[str, tuple[str, set[str]]]:
    from allianssi.governance.models import Seat
    from allianssi.settlement import services as settlement
    from tests.settlement.conftest import YEAR, put_in_force

    Seat.objects.filter(alliance=world.alliance).delete()  # the parties approve directly
    put_in_force(world)  # with a KPI entered by hand
    draft = settlement.settlement_compute(
        actor=world.users["manager"], alliance=world.alliance, year=YEAR, kind="interim", quarter=1
    )
    pk, year = world.alliance.pk, f"?year={YEAR}"
    return {
        "compute": (reverse("settlement:compute", args=[pk]), {"manager", "controller"}),
        "terms_edit": (reverse("settlement:terms_edit", args=[pk]) + year, {"manager"}),
        "terms_json": (reverse("settlement:terms_json", args=[pk]) + year, {"manager"}),
        "kpi_enter": (reverse("settlement:kpi_enter", args=[pk]) + year, {"manager", "controller"}),
        "billing_set": (
            reverse("settlement:billing_set", args=[pk]),
            {"manager", "leader", "controller", "producer_staff"},  # each for its own party
        ),
        "submit": (reverse("settlement:submit", args=[pk, draft.pk]), {"manager", "controller"}),
        # Nobody answers for a party while the settlement is a draft.
        "approve": (reverse("settlement:approve", args=[pk, draft.pk]), set()),
    }


SETTLEMENT_WRITES = [
    "compute",
    "terms_edit",
    "terms_json",
    "kpi_enter",
    "billing_set",
    "submit",
    "approve",
]


@pytest.mark.parametrize("who", PEOPLE)
@pytest.mark.parametrize("action", SETTLEMENT_WRITES)
def test_settlement_writes__by_role_and_a_refused_one_changes_nothing(formed, who, action):
    url, allowed = _settlement_writes(formed)[action]
    before = _state(formed)
    client = _client(formed, who)
    response = client.post(url, {})
    if who in allowed:
        assert response.status_code in {200, 302}  # the form again with its errors, or done
        assert (_state(formed) == before) == (response.status_code == 200)
    else:
        assert response.status_code == {"anonymous": 302}.get(
            who, 403 if who in IN_ALLIANCE else 404
        )
        assert _state(formed) == before
    assert client.get(url).status_code == (302 if who == "anonymous" else 405)


# An ended alliance: read by everyone who could read it, changed by nobody. The rule is one
# helper in permissions (``alliance_is_live``), asked by every ``can_…`` that governs a change.

CHANGES_ENDED_ALLIANCES_REFUSE = [
    "can_manage_roles",
    "can_manage_seats",
    "can_propose",
    "can_open_vote",
    "can_manage_meetings",
    "can_contribute_ideas",
    "can_evaluate_ideas",
    "can_manage_procurement",
    "can_manage_compliance",
    "can_manage_catalogue",
    "can_draft_services",
    "can_manage_kpi_definitions",
]


def test_ended_alliance__permissions_to_change_are_refused_reading_stays(formed: World):
    from allianssi import permissions

    manager = formed.users["manager"]
    assert permissions.alliance_is_live(formed.alliance)
    for name in CHANGES_ENDED_ALLIANCES_REFUSE:
        assert getattr(permissions, name)(manager, formed.alliance), name
    assert permissions.can_write_minutes(manager, formed.alliance, attended=False)
    ended = formed.alliance
    ended.phase = Phase.ENDED
    permissions.forget_roles(manager)
    assert not permissions.alliance_is_live(ended)
    for name in CHANGES_ENDED_ALLIANCES_REFUSE:
        assert not getattr(permissions, name)(manager, ended), name
    assert not permissions.can_write_minutes(manager, ended, attended=True)
    assert not permissions.can_edit_service(
        manager, ended, responsible_ids=set(), producer_ids=set()
    )
    assert not permissions.can_review_service(manager, ended, responsible_ids=set())
    # Reading stays; the commercial model's settlement keeps its own rules (its final period).
    assert permissions.can_view_alliance(manager, ended)
    assert permissions.can_view_compliance(manager, ended)
    assert permissions.can_read_ledger(manager, ended)
    assert permissions.can_manage_terms(manager, ended)
    assert permissions.can_compute_settlement(manager, ended)
