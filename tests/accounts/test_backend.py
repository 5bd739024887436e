"""The password sign-in's backend reads the signed-in user with their organisation in one query
(the header of every signed-in page shows it) and, as Django's own, refuses a deactivated user
at their next request."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from allianssi.accounts.backends import UserBackend, user_with_organisation
from allianssi.accounts.models import User
from tests.accounts.factories import UserFactory
from tests.conftest import World

pytestmark = pytest.mark.django_db


def test_the_user_and_the_organisation_in_one_query(world: World):
    organisation = world.org["producer"]
    user = UserFactory(organisation=organisation)
    with CaptureQueriesContext(connection) as captured:
        found = UserBackend().get_user(user.pk)
        assert found.organisation.name == organisation.name
    assert len(captured) == 1


def test_a_deactivated_user_is_no_one():
    user = UserFactory()
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert user_with_organisation(user.pk) is None
    assert user_with_organisation(0) is None


def test_a_deactivated_user_loses_the_session_at_the_next_request(world: World):
    assert "allianssi.accounts.backends.UserBackend" in settings.AUTHENTICATION_BACKENDS
    organisation = world.org["producer"]
    user = UserFactory(organisation=organisation)
    client = Client()
    client.force_login(user, backend="allianssi.accounts.backends.UserBackend")
    page = client.get(reverse("home:index"))
    assert page.status_code == 200
    assert organisation.name in page.content.decode()
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert client.get(reverse("home:index")).status_code == 302
