"""The improvement forum's pages."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import resolve, reverse
from django.utils import translation
from django.utils.translation import gettext

from allianssi.governance.models import Idea, IdeaStatus
from tests.governance.conftest import Board


def _action(page: str, name: str) -> str:
    """The URL the page's form ``name`` posts to (each form has a view of its own)."""
    match = resolve(page)
    return reverse(f"{match.namespace}:{match.url_name}_{name}", kwargs=match.kwargs)


pytestmark = pytest.mark.django_db


def _client(board: Board, who: str) -> Client:
    client = Client()
    client.force_login(board.world.users[who])
    return client


def test_forum_flow__post_comment_support_evaluate_propose(board: Board):
    pk = board.world.alliance.pk
    controller = _client(board, "controller")
    response = controller.post(
        reverse("governance:idea_new", args=[pk]),
        {
            "title": "Yhteinen palaute",
            "problem": "Viisi lomaketta",
            "suggestion": "Yksi lomake",
            "service_area": "employment",
        },
    )
    assert response.status_code == 302
    idea = Idea.objects.get()
    url = reverse("governance:idea", args=[pk, idea.number])
    producer = _client(board, "rep_producer")
    assert producer.post(_action(url, "comment"), {"text": "Kannatan"}).status_code == 302
    assert producer.post(_action(url, "support"), {}).status_code == 302
    response = producer.post(_action(url, "support"), {}, follow=True)
    with translation.override("fi"):
        already = gettext("You already support this idea.")
    assert already in response.content.decode()
    assert idea.supports.count() == 1
    # Only the project office evaluates.
    assert producer.post(_action(url, "evaluate"), {"effort": "small"}).status_code == 403
    manager = _client(board, "manager")
    assert (
        manager.post(
            _action(url, "evaluate"),
            {
                "cost_estimate": "5 000",
                "effort": "small",
                "expected_effect": "Vertailtavuus",
            },
        ).status_code
        == 302
    )
    response = manager.post(_action(url, "propose"), {})
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.PROPOSED
    assert response["Location"] == reverse("governance:proposal", args=[pk, idea.proposal.number])
    proposal_page = manager.get(response["Location"]).content.decode()
    assert url in proposal_page  # the proposal links back to the idea


def test_forum__observers_read_but_do_not_post(board: Board):
    pk = board.world.alliance.pk
    observer = _client(board, "observer")
    assert observer.get(reverse("governance:ideas", args=[pk])).status_code == 200
    assert observer.get(reverse("governance:idea_new", args=[pk])).status_code == 403
    other = _client(board, "other_manager")
    assert other.get(reverse("governance:ideas", args=[pk])).status_code == 404


def test_forum__declining_needs_a_reason(board: Board):
    pk = board.world.alliance.pk
    _client(board, "controller").post(
        reverse("governance:idea_new", args=[pk]), {"title": "X", "problem": "Y"}
    )
    idea = Idea.objects.get()
    url = reverse("governance:idea", args=[pk, idea.number])
    manager = _client(board, "manager")
    response = manager.post(_action(url, "decline"), {"reason": ""})
    assert response.status_code == 200
    assert 'class="error-summary"' in response.content.decode()
    assert manager.post(_action(url, "decline"), {"reason": "Ei nyt"}).status_code == 302
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.DECLINED
    assert manager.post(url + "bogus/", {}).status_code == 404  # no such action
    assert manager.post(url, {"reason": "Ei nyt"}).status_code == 405  # the page only shows


def test_idea_page__a_100_kb_idea_is_refused_and_long_words_wrap(board: Board):
    pk = board.world.alliance.pk
    controller = _client(board, "controller")
    controller.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    new = reverse("governance:idea_new", args=[pk])
    form = controller.get(new).content.decode()
    assert 'maxlength="5000"' in form  # the browser stops the text at its limit too
    response = controller.post(new, {"title": "Pitkä", "problem": "x" * 100_000})
    assert response.status_code == 200
    assert response.context["form"].errors["problem"]
    assert not Idea.objects.exists()

    word = "Pitkäsana" * 22  # 198 letters without a space
    assert controller.post(new, {"title": word, "problem": "p"}).status_code == 302
    ideas = controller.get(reverse("governance:ideas", args=[pk])).content.decode()
    assert f'class="user-text"><a href="{reverse("governance:idea", args=[pk, 1])}">{word}' in ideas
    css = (settings.BASE_DIR / "allianssi/static/allianssi/site.css").read_text()
    assert (
        "main :is(h1, h2, h3, p, li, dd, dt, legend, summary, label), .minutes-text, .comment, "
        ".user-text { overflow-wrap: anywhere; }"
    ) in css
