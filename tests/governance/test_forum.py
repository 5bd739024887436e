"""The improvement forum: ideas become proposals, and decisions come back to the ideas."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils.translation import override

from allianssi.core import clock
from allianssi.core.errors import DomainError
from allianssi.governance.forum import (
    idea_comment,
    idea_decline,
    idea_evaluate,
    idea_post,
    idea_record_implementation,
    idea_support,
    idea_to_proposal,
)
from allianssi.governance.models import Idea, IdeaStatus, ProposalStatus
from allianssi.governance.services import proposal_open, vote_cast
from tests.governance.conftest import Board

pytestmark = pytest.mark.django_db


def _raises(code: str):
    return pytest.raises(DomainError, match=f"^{code}:")


def _idea(board: Board) -> Idea:
    return idea_post(
        actor=board.world.users["controller"],
        alliance=board.world.alliance,
        title="Yhteinen asiakaspalaute",
        problem="Palautetta kerätään viidellä eri lomakkeella.",
        suggestion="Yksi palautelomake kaikille palveluille\nja yhteinen raportti",
        service_area="employment",
    )


def test_idea_post__any_member_party_person_but_not_an_outside_observer(board: Board):
    idea = _idea(board)
    assert (idea.number, idea.status) == (1, IdeaStatus.OPEN)
    with _raises("forbidden"):
        idea_post(
            actor=board.world.users["observer"],
            alliance=board.world.alliance,
            title="X",
            problem="Y",
        )
    with _raises("problem_required"):
        idea_post(actor=board.rep("tampere"), alliance=board.world.alliance, title="X", problem=" ")


def test_idea_post__texts_of_100_kb_are_refused_with_the_limit_named(board: Board):
    post = {"actor": board.rep("tampere"), "alliance": board.world.alliance, "title": "X"}
    with override("en"), _raises("text_too_long") as caught:
        idea_post(**post, problem="x" * 100_000)
    assert caught.value.field == "problem"
    with override("en"):  # the message is translated when read
        assert caught.value.message == (
            "This text has 100,000 characters; at most 5,000 are allowed."
        )
    with _raises("text_too_long"):
        idea_post(**post, problem="p", suggestion="s" * 5_001)
    with _raises("text_character"):
        idea_post(**post, problem="p\x00")
    assert not Idea.objects.exists()
    assert len(idea_post(**post, problem="p" * 5_000).problem) == 5_000


def test_idea_comment__a_comment_of_100_kb_is_refused(board: Board):
    idea = _idea(board)
    with override("en"), _raises("text_too_long") as caught:
        idea_comment(actor=board.rep("producer"), idea=idea, text="x" * 100_000)
    with override("en"):
        assert caught.value.message == (
            "This text has 100,000 characters; at most 2,000 are allowed."
        )
    assert not idea.comments.exists()
    idea_comment(actor=board.rep("producer"), idea=idea, text="x" * 2_000)
    assert idea.comments.get().text == "x" * 2_000


def test_idea__the_longest_idea_becomes_a_proposal(board: Board):
    # Every limit of an idea fits the proposal it becomes.
    idea = idea_post(
        actor=board.rep("tampere"),
        alliance=board.world.alliance,
        title="T" * 200,
        problem="p" * 5_000,
        suggestion="s" * 5_000,
    )
    idea_evaluate(
        actor=board.world.users["manager"],
        idea=idea,
        cost_estimate=None,
        expected_effect="e" * 2_000,
        effort="small",
    )
    proposal = idea_to_proposal(actor=board.world.users["manager"], idea=idea)
    alternative = proposal.alternatives.get()
    assert (len(proposal.description), len(alternative.description)) == (5_000, 5_000)
    assert len(alternative.expected_effect) == 2_000


def test_idea__comments_and_support_once(board: Board):
    idea = _idea(board)
    idea_comment(actor=board.rep("producer"), idea=idea, text="Hyvä ajatus")
    idea_support(actor=board.rep("producer"), idea=idea)
    with _raises("already_supported"):
        idea_support(actor=board.rep("producer"), idea=idea)
    assert idea.supports.count() == 1
    assert idea.comments.get().text == "Hyvä ajatus"


def test_idea__declined_with_a_reason_by_the_project_office(board: Board):
    idea = _idea(board)
    with _raises("forbidden"):
        idea_decline(actor=board.rep("tampere"), idea=idea, reason="Ei")
    with _raises("reason_required"):
        idea_decline(actor=board.world.users["manager"], idea=idea, reason="")
    idea = idea_decline(
        actor=board.world.users["manager"],
        idea=idea,
        reason="Päällekkäinen valtakunnallisen palvelun kanssa",
    )
    assert idea.status == IdeaStatus.DECLINED
    with _raises("idea_closed"):
        idea_evaluate(
            actor=board.world.users["manager"],
            idea=idea,
            cost_estimate=None,
            expected_effect="",
            effort="small",
        )


def test_idea__evaluated_turned_into_a_proposal_decided_and_implemented(board: Board):
    manager = board.world.users["manager"]
    idea = _idea(board)
    with _raises("idea_not_evaluated"):
        idea_to_proposal(actor=manager, idea=idea)
    idea_evaluate(
        actor=manager,
        idea=idea,
        cost_estimate=Decimal("12000"),
        expected_effect="Palautteen vertailtavuus",
        effort="small",
    )
    proposal = idea_to_proposal(actor=manager, idea=idea)
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.PROPOSED
    assert proposal.idea == idea
    alternative = proposal.alternatives.get()
    assert alternative.title == "Yksi palautelomake kaikille palveluille"
    assert alternative.estimated_cost == Decimal("12000")
    with _raises("idea_not_decided"):
        idea_record_implementation(actor=manager, idea=idea, implementation="in_progress")
    proposal_open(actor=manager, proposal=proposal, deadline=clock.now() + dt.timedelta(days=1))
    for key in board.seats:
        vote_cast(
            actor=board.rep(key), proposal=proposal, seat=board.world.org[key], choice="approve"
        )
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.DECIDED
    idea = idea_record_implementation(
        actor=manager,
        idea=idea,
        implementation="done",
        measured_effect="Vastausprosentti nousi 12 %:sta 31 %:iin",
    )
    assert idea.implementation == "done"


def test_idea_support__not_for_a_declined_idea(board: Board):
    idea = _idea(board)
    idea_decline(actor=board.world.users["manager"], idea=idea, reason="Ei nyt")
    with _raises("idea_closed"):
        idea_support(actor=board.rep("tampere"), idea=idea)
