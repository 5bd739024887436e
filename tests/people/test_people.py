"""An organisation's people, looked after by its main users: invitations (sent, sent again,
cancelled, accepted, expired), deactivation and reactivation, main users, and who may do what."""

from __future__ import annotations

import io
import re

import pytest
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from allianssi.accounts import services
from allianssi.accounts.models import User
from allianssi.accounts.tokens import LinkState, invitation_tokens
from allianssi.alliances.models import Role
from allianssi.alliances.services import alliance_role_grant
from allianssi.audit.models import AuditRecord
from allianssi.core.errors import DomainError
from allianssi.parties.services import organisation_for_municipality
from allianssi.people import services as people_services
from tests.accounts.factories import PASSWORD, UserFactory
from tests.conftest import World

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Oma-vahva-salasana-77"


@pytest.fixture
def tampere():
    return organisation_for_municipality(actor=None, code="837")


@pytest.fixture
def main_user(tampere) -> User:
    return UserFactory(
        username="paakayttaja", organisation=tampere, is_main_user=True, email="paa@tampere.fi"
    )


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _invite(client: Client, email: str = "maija@tampere.fi"):
    return client.post(
        reverse("people:person_invite"),
        {"first_name": "Maija", "last_name": "Meikäläinen", "email": email},
    )


def _link(message) -> str:
    found = re.search(r"https?://[^/\s]+(/accounts/invitation/\S+)", message.body)
    assert found, message.body
    return found.group(1)


def _accept(link: str, password: str = NEW_PASSWORD):
    client = Client()
    page = client.get(link, follow=True)
    if not page.context["validlink"]:
        return page
    return client.post(
        page.redirect_chain[-1][0], {"new_password1": password, "new_password2": password}
    )


def _login(username: str, password: str) -> int:
    response = Client().post(
        reverse("accounts:login"), {"username": username, "password": password}
    )
    return response.status_code


def test_invitation__invite_accept_and_log_in(main_user, django_capture_on_commit_callbacks):
    client = _client(main_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = _invite(client, "Maija@Tampere.fi")
    assert response.status_code == 302
    invited = User.objects.get(email="Maija@Tampere.fi")
    assert invited.username == "maija@tampere.fi"
    assert not invited.is_active
    assert not invited.has_usable_password()
    assert invited.organisation == main_user.organisation
    assert [m.to for m in mail.outbox] == [["Maija@Tampere.fi"]]
    assert _login("maija@tampere.fi", NEW_PASSWORD) == 200  # not yet
    link = _link(mail.outbox[0])
    accepted = _accept(link)
    assert accepted.status_code == 302
    assert accepted["Location"] == reverse("accounts:login")
    invited.refresh_from_db()
    assert invited.is_active
    assert invited.invitation_sent_at is None
    assert _login("maija@tampere.fi", NEW_PASSWORD) == 302
    # The link was one-time.
    assert _accept(link).context["validlink"] is False
    actions = set(
        AuditRecord.objects.filter(object_id=str(invited.pk)).values_list("action", flat=True)
    )
    assert {"user.invite", "user.invitation_accept"} <= actions
    assert AuditRecord.objects.get(action="user.invite").actor == main_user


def test_invitation__an_email_already_in_use_is_refused_and_nothing_is_saved(
    main_user, django_capture_on_commit_callbacks
):
    UserFactory(username="maija", email="maija@tampere.fi")
    before = User.objects.count()
    client = _client(main_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with django_capture_on_commit_callbacks(execute=True):
        response = _invite(client, "MAIJA@tampere.fi")
    assert response.status_code == 200
    assert "already exists" in str(response.context["form"].errors["email"])
    assert User.objects.count() == before
    assert mail.outbox == []
    assert not AuditRecord.objects.filter(action="user.invite").exists()


def test_invitation__an_expired_link_says_so_and_activates_nothing(main_user, settings):
    invited = people_services.user_invite(
        actor=main_user, first_name="Maija", last_name="M", email="m@t.fi", base_url=""
    )
    old = invitation_tokens._num_seconds(invitation_tokens._now()) - int(
        settings.ALLIANSSI_INVITATION_TIMEOUT.total_seconds() + 60
    )
    token = invitation_tokens._make_token_with_timestamp(invited, old, invitation_tokens.secret)
    assert invitation_tokens.state(invited, token) == LinkState.EXPIRED
    uid = _link_uid(invited)
    page = Client().get(reverse("accounts:invitation_accept", args=[uid, token]), follow=True)
    assert page.context["validlink"] is False
    assert page.context["expired"] is True
    with pytest.raises(DomainError) as refused:
        services.invitation_accept(person=invited, token=token, password=NEW_PASSWORD)
    assert refused.value.code == "invitation_expired"
    invited.refresh_from_db()
    assert not invited.is_active


def _link_uid(user: User) -> str:
    return urlsafe_base64_encode(force_bytes(user.pk))


def test_invitation__sending_again_or_cancelling_voids_earlier_links(
    main_user, django_capture_on_commit_callbacks
):
    client = _client(main_user)
    with django_capture_on_commit_callbacks(execute=True):
        _invite(client)
    invited = User.objects.get(email="maija@tampere.fi")
    first = _link(mail.outbox[0])
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("people:person_resend", args=[invited.pk])).status_code == 302
    second = _link(mail.outbox[1])
    assert first != second
    assert _accept(first).context["validlink"] is False
    assert client.post(reverse("people:person_cancel", args=[invited.pk])).status_code == 302
    assert _accept(second).context["validlink"] is False
    invited.refresh_from_db()
    assert not invited.is_active
    assert invited.invitation_sent_at is None
    actions = set(
        AuditRecord.objects.filter(object_id=str(invited.pk)).values_list("action", flat=True)
    )
    assert {"user.invite", "user.invitation_resend", "user.invitation_cancel"} <= actions
    # A cancelled invitation can be sent again, and then accepted.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("people:person_resend", args=[invited.pk]))
    assert _accept(_link(mail.outbox[2])).status_code == 302
    invited.refresh_from_db()
    assert invited.is_active


def test_invitation__a_password_reset_token_is_no_invitation_token(main_user):
    invited = people_services.user_invite(
        actor=main_user, first_name="Maija", last_name="M", email="m@t.fi", base_url=""
    )
    token = default_token_generator.make_token(invited)
    assert invitation_tokens.state(invited, token) == LinkState.INVALID


def test_deactivate__the_person_cannot_log_in_and_is_logged_out_until_reactivated(
    main_user, tampere
):
    colleague = UserFactory(username="kollega", organisation=tampere)
    session = _client(colleague)
    assert session.get(reverse("people:account")).status_code == 200
    client = _client(main_user)
    assert client.post(reverse("people:person_deactivate", args=[colleague.pk])).status_code == 302
    colleague.refresh_from_db()
    assert not colleague.is_active
    assert _login("kollega", PASSWORD) == 200
    assert session.get(reverse("people:account")).status_code == 302  # logged out
    assert AuditRecord.objects.filter(
        action="user.deactivate", object_id=str(colleague.pk), actor=main_user
    ).exists()
    assert client.post(reverse("people:person_reactivate", args=[colleague.pk])).status_code == 302
    assert _login("kollega", PASSWORD) == 302


def test_deactivate__never_oneself_nor_the_last_active_main_user(main_user, tampere):
    with pytest.raises(DomainError) as refused:
        people_services.user_deactivate(actor=main_user, person=main_user)
    assert refused.value.code == "deactivate_self"
    other_main = UserFactory(username="toinen", organisation=tampere, is_main_user=True)
    people_services.user_deactivate(actor=other_main, person=main_user)  # another main user remains
    people_services.user_reactivate(actor=other_main, person=main_user)
    # Withdrawing the main user from the last one is refused.
    people_services.user_set_main_user(actor=main_user, person=other_main, main_user=False)
    with pytest.raises(DomainError) as refused:
        people_services.user_set_main_user(actor=main_user, person=main_user, main_user=False)
    assert refused.value.code == "last_main_user"
    main_user.refresh_from_db()
    assert main_user.is_main_user
    assert main_user.is_active


def test_deactivate__refused_for_an_alliance_last_manager(world: World):
    region = world.org["region"]
    main = UserFactory(username="alueen_paakayttaja", organisation=region, is_main_user=True)
    response = _client(main).post(
        reverse("people:person_deactivate", args=[world.users["manager"].pk]), follow=True
    )
    with translation.override("en"):
        assert world.alliance.name in response.content.decode()
    world.users["manager"].refresh_from_db()
    assert world.users["manager"].is_active
    # With a second manager, the first may go.
    alliance_role_grant(
        actor=world.users["manager"], alliance=world.alliance, user=main, role=Role.MANAGER
    )
    people_services.user_deactivate(actor=main, person=world.users["manager"])


def test_people_page__lists_the_organisations_people_roles_and_states(world: World):
    tampere = world.org["tampere"]
    main = UserFactory(username="tre_paa", organisation=tampere, is_main_user=True)
    people_services.user_invite(
        actor=main, first_name="Uusi", last_name="Kutsuttu", email="uusi@tre.fi", base_url=""
    )
    response = _client(main).get(reverse("people:people"))
    assert response.status_code == 200
    body = response.content.decode()
    assert str(world.users["leader"]) in body  # Tampere's
    assert str(world.users["stranger"]) in body  # Tampere's, with no role
    assert str(world.users["controller"]) not in body  # Nokia's
    assert world.alliance.name in body  # the leader's role
    people = {p.user.username: p for p in response.context["people"]}
    assert people["uusi@tre.fi"].status == "invited"
    assert people["leader"].status == "active"
    assert people["leader"].alliances[0].alliance == world.alliance


def test_who_may__only_main_users_and_only_for_their_own_organisation(main_user, tampere):
    nokia = organisation_for_municipality(actor=None, code="536")
    nokia_main = UserFactory(username="nokia_paa", organisation=nokia, is_main_user=True)
    plain = UserFactory(username="tavallinen", organisation=tampere)
    colleague = UserFactory(username="kollega", organisation=tampere)
    deactivate = reverse("people:person_deactivate", args=[colleague.pk])
    assert _client(plain).get(reverse("people:people")).status_code == 403
    assert _client(plain).post(deactivate).status_code == 403
    assert _client(plain).post(reverse("people:person_invite"), {}).status_code == 403
    assert _client(nokia_main).post(deactivate).status_code == 404
    colleague.refresh_from_db()
    assert colleague.is_active
    with pytest.raises(DomainError) as refused:
        people_services.user_deactivate(actor=nokia_main, person=colleague)
    assert refused.value.code == "forbidden"
    # A deactivated main user can do nothing.
    User.objects.filter(pk=main_user.pk).update(is_active=False)
    main_user.refresh_from_db()
    with pytest.raises(DomainError):
        people_services.user_invite(
            actor=main_user, first_name="A", last_name="B", email="a@b.fi", base_url=""
        )


def test_account_page__shows_name_organisation_roles_and_links(world: World):
    leader = world.users["leader"]
    response = _client(leader).get(reverse("people:account"))
    body = response.content.decode()
    assert response.status_code == 200
    assert leader.get_full_name() in body
    assert str(world.org["tampere"]) in body
    assert world.alliance.name in body
    assert reverse("accounts:password_change") in body
    assert reverse("people:people") not in body  # not a main user


def test_user_add__can_make_the_first_main_user(monkeypatch, tampere):
    monkeypatch.setattr("sys.stdin", io.StringIO("Pitkä-ja-hyvä-salasana-9\n"))
    call_command(
        "user_add",
        "eka",
        "--municipality",
        "837",
        "--main-user",
        "--password-stdin",
        stdout=io.StringIO(),
    )
    assert User.objects.get(username="eka").is_main_user
