"""The rows of a customer's path written in Python (ADR 0034) are the rows its reference template
gives (``customers/rows/path.html``), for a step in every state, the organizer's own and another
organizer's, in every language, with every value escaped; and the pages show them."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.template.loader import get_template
from django.test import Client
from django.urls import reverse
from django.utils import translation

from allianssi.customers.selectors import Step
from allianssi.customers.templatetags.customers import path_rows
from allianssi.referrals.models import Referral, State
from allianssi.referrals.services import referral_accept, referral_create, referral_start
from tests.conftest import World
from tests.customers.world import customer, offered, web
from tests.referrals.test_rows import NASTY, rows_html

LANGUAGES = [code for code, _name in settings.LANGUAGES]


def _step(number: int, state: str, *, own: bool = True, **changes: object) -> Step:
    """A step as ``customer_path`` makes it (its referral never saved: the rows need none)."""
    started = state in (State.STARTED, State.COMPLETED, State.INTERRUPTED)
    step = Step(
        service="Työhönvalmennus",
        producer="Työpolku Oy",
        state=state,
        state_label=str(State(state).label),
        created_at=dt.datetime(2026, 10, 1, 9, tzinfo=dt.UTC),
        sent_on=None if state == State.DRAFT else dt.date(2026, 10, 2),
        answer_by=None if state == State.DRAFT else dt.date(2026, 10, 16),
        month=dt.date(2026, 11, 1) if state not in (State.DRAFT, State.SENT) else None,
        started_on=dt.date(2026, 11, 3) if started else None,
        ended_on=dt.date(2026, 12, 1) if state in (State.COMPLETED, State.INTERRUPTED) else None,
        referral=Referral(alliance_id=3, number=number) if own else None,
        outcome_label="Tavoite saavutettu" if state == State.COMPLETED else "",
    )
    return replace(step, **changes)  # type: ignore[arg-type]


def _path() -> list[Step]:
    steps = [_step(i + 1, state) for i, state in enumerate(State.values)]
    steps += [_step(100 + i, state, own=False) for i, state in enumerate(State.values)]
    steps += [
        _step(1234, State.STARTED),  # a number past a thousand
        # Every text a user wrote, escaped: in a step of the organizer's own and of another's.
        _step(1235, State.COMPLETED, service=NASTY, producer=NASTY, outcome_label=NASTY),
        _step(1236, State.SENT, own=False, service=NASTY, producer=NASTY),
    ]
    return steps


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("shared_only", [False, True])
def test_path_rows__the_reference_templates_rows_for_every_step(language: str, shared_only: bool):
    path = _path()
    with translation.override(language):
        reference = get_template("customers/rows/path.html").render(
            {"path": path, "shared_only": shared_only}
        )
        ours = path_rows(path, shared_only)
    assert rows_html(ours) == rows_html(reference)
    assert ours.count("<tr>") == len(path)
    assert ("<td>Tavoite saavutettu</td>" in ours) is not shared_only


def test_path_rows__without_shared_only_given_the_outcome_is_shown():
    """The customer's page includes the path without ``shared_only`` (an empty variable)."""
    path = _path()
    with translation.override("fi"):
        reference = get_template("customers/rows/path.html").render({"path": path})
        assert rows_html(path_rows(path, "")) == rows_html(reference)  # type: ignore[arg-type]


def test_path_rows__every_text_escaped_and_the_links_to_the_referrals():
    with translation.override("en"):
        html = path_rows(_path())
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &quot;Työ&quot; &amp;" in html
    assert '<a href="/alliances/3/referrals/1234/">Työhönvalmennus</a>' in html
    assert '<span class="muted">(referral 1234)</span>' in html
    assert "(another organizer's customer record)" in html  # a translation, as it is


# The pages -------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_pages__show_the_reference_rows(serving: World, language: str):
    version = offered(serving, name_fi=NASTY)
    person = customer(serving)
    own = referral_create(
        actor=serving.users["advisor"],
        customer=person,
        service=version.service,
        producer=serving.org["producer"],
        message="",
        send=True,
    )
    referral_accept(referral=own, move=web(serving, "producer_staff"))
    referral_start(referral=own, move=web(serving, "producer_staff"))
    at_nokia = customer(serving, who="advisor_nokia", name="Maija M.")
    referral_create(
        actor=serving.users["advisor_nokia"],
        customer=at_nokia,
        service=version.service,
        producer=serving.org["own_unit"],
        message="",
        send=True,
    )
    pages = (
        ("advisor", reverse("customers:detail", args=[serving.alliance.pk, person.number]), False),
        (
            "producer_staff",
            reverse("referrals:detail", args=[serving.alliance.pk, own.number]),
            True,
        ),
    )
    for who, url, shared_only in pages:
        client = Client(headers={"accept-language": language})
        client.force_login(serving.users[who])
        response = client.get(url)
        assert response.status_code == 200
        path = response.context["path"]
        assert len(path) == 2
        with translation.override(language):
            reference = get_template("customers/rows/path.html").render(
                {"path": path, "shared_only": shared_only, "request": SimpleNamespace()}
            )
        assert rows_html(reference) in rows_html(response.content.decode())
