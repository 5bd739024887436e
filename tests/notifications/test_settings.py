"""Notification settings: each person chooses per kind how notifications reach them, and only
they can; the defaults mail what asks for an action and put the rest in the digest."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import translation

from allianssi.audit.models import AuditRecord
from allianssi.core.errors import DomainError
from allianssi.notifications.kinds import KINDS
from allianssi.notifications.messages import TEXTS
from allianssi.notifications.models import Delivery, Mail, Notification, NotificationSettings
from allianssi.notifications.services import notification_settings_save, notify
from tests.conftest import World

pytestmark = pytest.mark.django_db


def _mailable(world: World, *names: str) -> None:
    for name in names:
        world.users[name].email = f"{name}@example.invalid"
        world.users[name].save()


def _notify(world: World, name: str, kind: str = "idea_declined") -> Notification:
    [created] = notify(
        users=[world.users[name]],
        alliance=world.alliance,
        kind=kind,
        params={"title": "Pop-up-neuvonta", "number": 3, "name": "Palvelu", "status": "decided"},
        url="/alliances/1/",
    )
    return created


def test_kinds__every_kind_has_its_text_and_every_text_its_kind():
    assert set(KINDS) == set(TEXTS)
    with translation.override("en"):
        assert all(str(kind.label) for kind in KINDS.values())


def test_notify__a_kind_not_in_the_registry_is_refused(world: World):
    with pytest.raises(ValueError, match="unknown notification kind"):
        notify(users=[world.users["leader"]], alliance=world.alliance, kind="x", params={}, url="/")
    assert not Notification.objects.exists()


def test_defaults__what_asks_for_action_mails_at_once_the_rest_waits_for_the_digest(world: World):
    _mailable(world, "leader")
    assert _notify(world, "leader", "proposal_opened").mail == Mail.NOW
    assert _notify(world, "leader", "referral_received").mail == Mail.NOW
    assert _notify(world, "leader", "idea_declined").mail == Mail.DIGEST
    assert _notify(world, "leader", "proposal_closed").mail == Mail.DIGEST
    # Without an e-mail address nothing is owed by mail, whatever the setting.
    assert _notify(world, "controller", "proposal_opened").mail == Mail.NONE


def test_settings_page__shows_the_defaults_and_saves_the_persons_choices(world: World):
    leader = world.users["leader"]
    client = Client()
    client.force_login(leader)
    client.cookies["allianssi_language"] = "en"
    page = client.get(reverse("notifications:settings"))
    body = page.content.decode()
    assert page.status_code == 200
    assert "A proposal is opened for my seat&#x27;s vote" in body
    assert '<option value="now" selected>' in body
    assert "has no e-mail address" in body
    assert (
        reverse("notifications:settings")
        in client.get(reverse("notifications:list")).content.decode()
    )

    response = client.post(
        reverse("notifications:settings"),
        {"language": "sv", "proposal_opened": "digest", "idea_declined": "app"},
    )
    assert response.status_code == 302
    saved = NotificationSettings.objects.get(user=leader)
    assert saved.language == "sv"
    assert saved.deliveries["proposal_opened"] == "digest"
    assert saved.deliveries["idea_declined"] == "app"
    assert saved.deliveries["service_submitted"] == KINDS["service_submitted"].default
    record = AuditRecord.objects.get(action="notifications.settings")
    assert (record.actor, record.alliance, record.before) == (leader, None, None)
    assert record.after["language"] == "sv"

    _mailable(world, "leader")
    assert _notify(world, "leader", "proposal_opened").mail == Mail.DIGEST
    assert _notify(world, "leader", "idea_declined").mail == Mail.NONE


def test_settings_page__a_wrong_choice_is_named_and_nothing_is_saved(world: World):
    client = Client()
    client.force_login(world.users["leader"])
    client.cookies["allianssi_language"] = "en"
    response = client.post(
        reverse("notifications:settings"), {"language": "de", "proposal_opened": "fax"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "The change was not saved" in body
    assert "Select a valid choice" in body
    assert not NotificationSettings.objects.exists()
    assert not AuditRecord.objects.filter(action="notifications.settings").exists()


def test_settings_page__anonymous_is_sent_to_log_in(db: None):
    response = Client().get(reverse("notifications:settings"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_settings__a_person_changes_only_their_own(world: World):
    leader, controller = world.users["leader"], world.users["controller"]
    with pytest.raises(DomainError, match="forbidden"):
        notification_settings_save(
            actor=leader, user=controller, deliveries={"proposal_opened": "app"}, language="en"
        )
    # The page has no one else's settings to open: a posted user id is ignored.
    client = Client()
    client.force_login(leader)
    client.post(
        reverse("notifications:settings"),
        {"user": str(controller.pk), "language": "en", "proposal_opened": "app"},
    )
    assert list(NotificationSettings.objects.values_list("user_id", flat=True)) == [leader.pk]


def test_settings__an_unknown_kind_or_delivery_is_refused(world: World):
    leader = world.users["leader"]
    with pytest.raises(DomainError, match="kind_unknown"):
        notification_settings_save(
            actor=leader, user=leader, deliveries={"nothing": "app"}, language="fi"
        )
    with pytest.raises(DomainError, match="delivery_invalid"):
        notification_settings_save(
            actor=leader, user=leader, deliveries={"idea_declined": "fax"}, language="fi"
        )
    assert not NotificationSettings.objects.exists()


def test_settings__saving_the_same_choices_again_leaves_one_audit_record(world: World):
    leader = world.users["leader"]
    for _ in range(2):
        notification_settings_save(
            actor=leader, user=leader, deliveries={"idea_declined": "now"}, language="fi"
        )
    assert AuditRecord.objects.filter(action="notifications.settings").count() == 1


def test_mail_now__sent_after_the_commit_in_the_recipients_language(
    world: World, django_capture_on_commit_callbacks
):
    _mailable(world, "leader", "controller")
    for name, language in (("leader", "sv"), ("controller", "fi")):
        notification_settings_save(
            actor=world.users[name],
            user=world.users[name],
            deliveries={"idea_declined": Delivery.NOW},
            language=language,
        )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify(
            users=[world.users["leader"], world.users["controller"]],
            alliance=world.alliance,
            kind="idea_declined",
            params={"title": "Pop-up-neuvonta"},
            url="/alliances/1/ideas/3/",
        )
    assert not mail.outbox
    for callback in callbacks:
        callback()
    by_address = {m.to[0]: m for m in mail.outbox}
    swedish = by_address["leader@example.invalid"]
    finnish = by_address["controller@example.invalid"]
    assert "din idé “Pop-up-neuvonta” har avslagits" in swedish.subject
    assert "ideasi “Pop-up-neuvonta” hylättiin" in finnish.subject
    assert "/alliances/1/ideas/3/" in swedish.body
    assert reverse("notifications:settings") in swedish.body
    assert Notification.objects.filter(mailed_at__isnull=False).count() == 2


def test_mail_now__a_person_without_a_language_reads_finnish_and_links_are_absolute(
    world: World, settings, django_capture_on_commit_callbacks
):
    settings.ALLIANSSI_BASE_URL = "https://allianssi.example.fi/"
    _mailable(world, "leader")
    # The change is made in English; the mail is in the recipient's language, Finnish.
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        _notify(world, "leader", "referral_received")
    [message] = mail.outbox
    assert message.subject == f"{world.alliance.name}: ohjaus 3 palveluun ”Palvelu” odottaa sinua."
    assert "https://allianssi.example.fi/alliances/1/\n" in message.body
    assert "https://allianssi.example.fi/notifications/settings/" in message.body


def test_mail_now__a_rolled_back_change_sends_nothing(
    world: World, django_capture_on_commit_callbacks
):
    _mailable(world, "leader")

    @transaction.atomic
    def failing_change() -> None:
        _notify(world, "leader", "proposal_opened")
        raise RuntimeError("the change fails")

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        failing_change()
    assert not callbacks
    assert not mail.outbox
    assert not Notification.objects.exists()


def test_in_the_app_only__nothing_is_mailed(world: World, django_capture_on_commit_callbacks):
    _mailable(world, "leader")
    leader = world.users["leader"]
    notification_settings_save(
        actor=leader, user=leader, deliveries={"proposal_opened": "app"}, language="fi"
    )
    with django_capture_on_commit_callbacks(execute=True):
        created = _notify(world, "leader", "proposal_opened")
    assert created.mail == Mail.NONE
    assert not mail.outbox
