"""The referral lists' rows written in Python (ADR 0034) are the rows their reference templates
give (``referrals/rows/queue.html``, ``referrals/rows/outgoing.html``), for a referral in every
state, in every language, with every value escaped; and the pages show them."""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.template.loader import get_template
from django.test import Client
from django.urls import reverse
from django.utils import translation

from allianssi.catalogue.models import ServiceVersion
from allianssi.customers.models import Customer
from allianssi.parties.models import Organisation
from allianssi.referrals.models import Referral, State
from allianssi.referrals.services import referral_create
from allianssi.referrals.templatetags.referrals import outgoing_rows, queue_rows
from tests.conftest import World
from tests.customers.world import OTHER_HETU, customer, offered

TODAY = dt.date(2026, 12, 7)
LANGUAGES = [code for code, _name in settings.LANGUAGES]
NASTY = "<script>alert('x')</script> \"Työ\" & 'Oy'"


def rows_html(html: str) -> str:
    """The rows with the whitespace between lines taken out: the reference templates are laid
    out on lines, the tags write a row a line. Whitespace within a line is kept and compared."""
    return re.sub(r">\s*\n\s*<", "><", html).strip()


def _referral(number: int, state: str, **changes: object) -> Referral:
    """A referral as the lists read it (never saved: the rows need no database)."""
    referral = Referral(
        alliance_id=3,
        number=number,
        state=state,
        sent_at=None
        if state == State.DRAFT
        else dt.datetime(2026, 11, 2, 23, 30, tzinfo=dt.UTC),  # 3 Nov in Helsinki
        answer_by=None if state == State.DRAFT else dt.date(2026, 11, 16),
        month=dt.date(2026, 12, 1) if state in (State.ACCEPTED, State.STARTED) else None,
        changed_at=dt.datetime(2026, 12, 1, 12, 5, tzinfo=dt.UTC),
    )
    referral.version = ServiceVersion(name_fi="Työhönvalmennus", name_sv="Jobbcoachning")
    referral.sender = Organisation(name="Tampereen kaupunki")
    referral.producer = Organisation(name="Työpolku Oy")
    referral.customer = Customer(number=40 + number, organizer_id=7 if number % 2 else 8)
    for name, value in changes.items():
        setattr(referral, name, value)
    return referral


def _every_state() -> list[Referral]:
    referrals = [_referral(i + 1, state) for i, state in enumerate(State.values)]
    referrals += [
        # Waiting and not yet late, late on the day after, a number past a thousand.
        _referral(1234, State.SENT, answer_by=TODAY),
        _referral(1235, State.SENT, answer_by=TODAY + dt.timedelta(days=1)),
        # Every text a user wrote, escaped.
        _referral(
            1236,
            State.SENT,
            version=ServiceVersion(name_fi=NASTY, name_sv=NASTY, name_en=NASTY),
            sender=Organisation(name=NASTY),
            producer=Organisation(name=NASTY),
        ),
        # A state the code no longer knows: shown as it is kept.
        _referral(1237, "archived"),
    ]
    return referrals


def _page(referrals: list[Referral]) -> SimpleNamespace:
    return SimpleNamespace(object_list=referrals)


@pytest.mark.parametrize("language", LANGUAGES)
def test_queue_rows__the_reference_templates_rows_in_every_state(language: str):
    referrals = _every_state()
    with translation.override(language):
        reference = get_template("referrals/rows/queue.html").render(
            {"page": _page(referrals), "alliance": SimpleNamespace(pk=3), "today": TODAY}
        )
        ours = queue_rows(referrals, 3, TODAY)
    assert rows_html(ours) == rows_html(reference)
    assert ours.count("<tr>") == len(referrals)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    ("may_list_customers", "organisation_id"), [(True, 7), (True, None), (False, 7)]
)
def test_outgoing_rows__the_reference_templates_rows_in_every_state(
    language: str, may_list_customers: bool, organisation_id: int | None
):
    referrals = _every_state()
    request = SimpleNamespace(user=SimpleNamespace(organisation_id=organisation_id))
    with translation.override(language):
        reference = get_template("referrals/rows/outgoing.html").render(
            {
                "page": _page(referrals),
                "alliance": SimpleNamespace(pk=3),
                "today": TODAY,
                "may_list_customers": may_list_customers,
                "request": request,
            }
        )
        ours = outgoing_rows(referrals, 3, TODAY, may_list_customers, organisation_id)
    assert rows_html(ours) == rows_html(reference)
    linked = may_list_customers and organisation_id == 7
    assert ('href="/alliances/3/customers/41/"' in ours) is linked


def test_rows__every_text_escaped():
    with translation.override("en"):
        html = queue_rows(_every_state(), 3, TODAY) + outgoing_rows(
            _every_state(), 3, TODAY, True, 7
        )
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &quot;Työ&quot; &amp;" in html


def test_rows__dates_in_the_readers_language_and_late_answers_marked():
    referral = _referral(5, State.SENT)
    late = {"fi": "myöhässä", "sv": "försenad", "en": "overdue"}  # the catalogues' words
    day = {"fi": "16.11.2026", "sv": "2026-11-16", "en": "16 Nov 2026"}
    for language in LANGUAGES:
        with translation.override(language):
            html = queue_rows([referral], 3, TODAY)
        assert f'<td class="nowrap">{day[language]} <strong>({late[language]})</strong>' in html
    # The day sent is the day in Helsinki, not in UTC.
    with translation.override("fi"):
        assert "3.11.2026" in queue_rows([referral], 3, TODAY)


# The pages -------------------------------------------------------------------------------------


def _reference_in_page(response, template: str, **context: object) -> None:
    assert response.status_code == 200
    page = response.context["page"]
    assert page.object_list
    with translation.override(response.context["LANGUAGE_CODE"]):
        reference = get_template(template).render(
            {
                "page": page,
                "alliance": response.context["alliance"],
                "today": response.context["today"],
                "may_list_customers": response.context["may_list_customers"],
                **context,
            }
        )
    assert rows_html(reference)
    assert rows_html(reference) in rows_html(response.content.decode())


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_pages__show_the_reference_rows(serving: World, language: str):
    version = offered(serving, name_fi=NASTY)
    for person in (customer(serving), customer(serving, hetu=OTHER_HETU, name="Toivo")):
        referral_create(
            actor=serving.users["advisor"],
            customer=person,
            service=version.service,
            producer=serving.org["producer"],
            message="",
            send=True,
        )
    for who, name, template in (
        ("producer_staff", "queue", "referrals/rows/queue.html"),
        ("advisor", "outgoing", "referrals/rows/outgoing.html"),
    ):
        client = Client(headers={"accept-language": language})
        user = serving.users[who]
        client.force_login(user)
        response = client.get(reverse(f"referrals:{name}", args=[serving.alliance.pk]))
        request = SimpleNamespace(user=user)
        _reference_in_page(response, template, request=request)
