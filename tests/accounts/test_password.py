"""Password reset by e-mail and password change: Django's own flows through our services,
translated, throttled and audited."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.test import Client, override_settings
from django.urls import reverse

from allianssi.accounts.models import ThrottleHit, User
from allianssi.audit.models import AuditRecord
from tests.accounts.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Uusi-pitkä-salasana-42"


def _ask_reset(client: Client, email: str, address: str = "10.1.1.1"):
    return client.post(reverse("accounts:password_reset"), {"email": email}, REMOTE_ADDR=address)


def _link(message) -> str:
    found = re.search(r"https?://[^/\s]+(/\S+)", message.body)
    assert found, message.body
    return found.group(1)


def _login(username: str, password: str) -> int:
    response = Client().post(
        reverse("accounts:login"), {"username": username, "password": password}
    )
    return response.status_code


def test_login_page__links_to_the_password_reset():
    body = Client().get(reverse("accounts:login")).content.decode()
    assert reverse("accounts:password_reset") in body


def test_password_reset__the_mailed_link_sets_a_new_password_once(
    django_capture_on_commit_callbacks,
):
    user = UserFactory(username="aino", email="aino@example.fi")
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = _ask_reset(client, "AINO@example.fi")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["aino@example.fi"]
    assert "aino" in mail.outbox[0].body
    link = _link(mail.outbox[0])
    # The link moves its token into the session and on to a form.
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    assert 'name="new_password1"' in form_page.content.decode()
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert done.status_code == 302
    assert done["Location"] == reverse("accounts:password_reset_complete")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert _login("aino", NEW_PASSWORD) == 302
    actions = list(
        AuditRecord.objects.filter(object_id=str(user.pk)).values_list("action", flat=True)
    )
    assert "user.password_reset_request" in actions
    assert "user.password_reset" in actions
    # Spent: the same link no longer offers the form.
    again = Client().get(link, follow=True)
    assert 'name="new_password1"' not in again.content.decode()
    assert again.context["validlink"] is False


def test_password_reset__an_unknown_address_is_answered_alike_and_gets_no_mail(
    django_capture_on_commit_callbacks,
):
    UserFactory(username="aino", email="aino@example.fi")
    with django_capture_on_commit_callbacks(execute=True):
        known = _ask_reset(Client(), "aino@example.fi")
        unknown = _ask_reset(Client(), "nobody@example.fi")
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert [m.to for m in mail.outbox] == [["aino@example.fi"]]
    assert (
        not AuditRecord.objects.filter(action="user.password_reset_request")
        .exclude(object_id=str(User.objects.get(username="aino").pk))
        .exists()
    )


def test_password_reset__inactive_and_invited_accounts_get_no_mail(
    django_capture_on_commit_callbacks,
):
    UserFactory(username="pois", email="pois@example.fi", is_active=False)
    invited = UserFactory(username="kutsuttu", email="kutsuttu@example.fi")
    invited.set_unusable_password()
    invited.save()
    with django_capture_on_commit_callbacks(execute=True):
        _ask_reset(Client(), "pois@example.fi")
        _ask_reset(Client(), "kutsuttu@example.fi")
    assert mail.outbox == []


def test_password_reset__a_deactivated_account_cannot_use_an_earlier_link(
    django_capture_on_commit_callbacks,
):
    user = UserFactory(username="aino", email="aino@example.fi")
    with django_capture_on_commit_callbacks(execute=True):
        _ask_reset(Client(), "aino@example.fi")
    User.objects.filter(pk=user.pk).update(is_active=False)
    page = Client().get(_link(mail.outbox[0]), follow=True)
    assert page.context["validlink"] is False


def test_password_reset__throttled_per_email_address_whether_or_not_it_exists(
    settings, django_capture_on_commit_callbacks
):
    settings.ALLIANSSI_PASSWORD_RESET_EMAIL_LIMIT = 2
    UserFactory(username="aino", email="aino@example.fi")
    for email in ["aino@example.fi", "nobody@example.fi"]:
        with django_capture_on_commit_callbacks(execute=True):
            for n in range(2):
                assert _ask_reset(Client(), email, f"10.0.0.{n}").status_code == 302
            english = Client()
            english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
            refused = _ask_reset(english, email.upper(), "10.0.0.9")
        assert refused.status_code == 429
        assert "Too many password reset requests" in refused.content.decode()
    assert len(mail.outbox) == 2  # the two allowed for aino, none refused, none for nobody
    # Another address is not held back by them.
    assert _ask_reset(Client(), "someone@example.fi", "10.0.0.9").status_code == 302


@override_settings(ALLIANSSI_PASSWORD_RESET_ADDRESS_LIMIT=3)
def test_password_reset__throttled_per_network_address():
    for n in range(3):
        assert _ask_reset(Client(), f"person{n}@example.fi", "192.0.2.7").status_code == 302
    assert _ask_reset(Client(), "person9@example.fi", "192.0.2.7").status_code == 429
    assert _ask_reset(Client(), "person9@example.fi", "192.0.2.8").status_code == 302


def test_password_reset__the_throttle_forgets_requests_outside_its_window(settings):
    settings.ALLIANSSI_PASSWORD_RESET_EMAIL_LIMIT = 1
    assert _ask_reset(Client(), "aino@example.fi").status_code == 302
    assert _ask_reset(Client(), "aino@example.fi").status_code == 429
    window = settings.ALLIANSSI_PASSWORD_RESET_WINDOW
    ThrottleHit.objects.update(at=ThrottleHit.objects.first().at - window)
    assert _ask_reset(Client(), "aino@example.fi").status_code == 302


def test_password_change__needs_the_old_password_keeps_the_session_and_is_audited():
    user = UserFactory(username="aino")
    client = Client()
    client.force_login(user)
    url = reverse("accounts:password_change")
    assert client.get(url).status_code == 200
    wrong = client.post(
        url,
        {"old_password": "väärä", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert wrong.status_code == 200
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    ok = client.post(
        url,
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert ok.status_code == 302
    assert ok["Location"] == reverse("people:account")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert client.get(reverse("people:account")).status_code == 200  # still logged in
    assert AuditRecord.objects.filter(
        action="user.password_change", object_id=str(user.pk), actor=user
    ).exists()


def test_password_change__a_weak_password_is_refused():
    user = UserFactory(username="aino")
    client = Client()
    client.force_login(user)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"},
    )
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert not AuditRecord.objects.filter(action="user.password_change").exists()


class RefusingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise ConnectionRefusedError("the mail server is down")


def test_password_reset__a_refusing_mail_server_is_logged_and_the_answer_is_the_same(
    settings, caplog, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    UserFactory(username="aino", email="aino@example.fi")
    with django_capture_on_commit_callbacks(execute=True):
        known = _ask_reset(Client(), "aino@example.fi")
    assert known.status_code == 302
    assert known["Location"] == reverse("accounts:password_reset_done")
    assert "Could not send the password_reset e-mail" in caplog.text


def test_password_reset__lifts_the_lockout_of_the_user_name(
    settings, django_capture_on_commit_callbacks
):
    UserFactory(username="aino", email="aino@example.fi")
    other = UserFactory(username="eino", email="eino@example.fi")

    def login(username: str, password: str) -> int:
        return (
            Client()
            .post(
                reverse("accounts:login"),
                {"username": username, "password": password},
                REMOTE_ADDR="10.2.2.2",
            )
            .status_code
        )

    for username in ["aino", "eino"]:
        for _ in range(settings.AXES_FAILURE_LIMIT):
            login(username, "wrong")
    assert login("aino", PASSWORD) == 429  # locked out, even with the right password
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        _ask_reset(client, "aino@example.fi")
    form_page = client.get(_link(mail.outbox[0]), follow=True)
    client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert login("aino", NEW_PASSWORD) == 302
    # Only hers: the other user name stays locked out until its own cool-off ends.
    assert login(other.username, PASSWORD) == 429
