"""The compliance page and its actions: each form posts to a view of its own."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from allianssi.alliances.models import Alliance, Phase
from allianssi.compliance.models import Assignment
from tests.conftest import World

pytestmark = pytest.mark.django_db


def _client(world: World, who: str) -> Client:
    client = Client()
    client.force_login(world.users[who])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _assignment(world: World) -> dict[str, str]:
    return {
        "organisation": str(world.org["tampere"].pk),
        "service_area": "employment",
        "task": "organizing",
    }


def test_compliance__assign_a_task_then_end_it(world: World):
    world.to_phase(Phase.FORMATION)
    pk = world.alliance.pk
    manager = _client(world, "manager")
    page = reverse("compliance:page", args=[pk])
    add = reverse("compliance:assignment_add", args=[pk])
    assert f'action="{add}"' in manager.get(page).content.decode()
    assert manager.post(page, _assignment(world)).status_code == 405  # the page only shows
    assert manager.get(add).status_code == 405  # the action only posts
    response = manager.post(add, {**_assignment(world), "task": ""})
    assert response.status_code == 200  # shown again, bound, with its error
    assert response.context["assignment_form"].errors["task"]
    assert 'class="error-summary"' in response.content.decode()
    response = manager.post(add, _assignment(world), follow=True)
    assert response.redirect_chain[-1][0] == page
    assert "The task was assigned." in response.content.decode()
    task = Assignment.objects.get(alliance=world.alliance, ended_at__isnull=True)
    end = reverse("compliance:assignment_end", args=[pk, task.pk])
    assert f'action="{end}"' in manager.get(page).content.decode()
    assert manager.post(end).status_code == 302
    task.refresh_from_db()
    assert task.ended_at is not None
    again = manager.post(end, follow=True)  # a refusal of a button is the page's message
    assert "That task has already ended." in again.content.decode()


def test_compliance__others_are_refused_and_other_alliances_not_found(world: World):
    world.to_phase(Phase.FORMATION)
    pk = world.alliance.pk
    add = reverse("compliance:assignment_add", args=[pk])
    assert _client(world, "observer").post(add, _assignment(world)).status_code == 403
    assert _client(world, "leader").post(add, _assignment(world)).status_code == 403
    assert _client(world, "other_manager").post(add, _assignment(world)).status_code == 404
    missing = reverse("compliance:assignment_end", args=[pk, 999_999])
    assert _client(world, "manager").post(missing).status_code == 404
    assert not Assignment.objects.exists()


def test_compliance__an_ended_alliance_offers_no_forms_and_refuses_them(world: World):
    world.to_phase(Phase.FORMATION)
    Alliance.objects.filter(pk=world.alliance.pk).update(phase=Phase.ENDED)
    manager = _client(world, "manager")
    page = manager.get(reverse("compliance:page", args=[world.alliance.pk]))
    assert page.status_code == 200
    assert not page.context["can_manage"]
    add = reverse("compliance:assignment_add", args=[world.alliance.pk])
    assert f'action="{add}"' not in page.content.decode()
    assert manager.post(add, _assignment(world)).status_code == 403
    assert not Assignment.objects.exists()
