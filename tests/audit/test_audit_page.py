"""The audit page reads each record as a sentence in the reader's language."""

from __future__ import annotations

import html

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import formats, timezone, translation

from allianssi.audit import actions
from allianssi.audit.models import AuditRecord
from allianssi.audit.reading import audit_entries, display, sentence
from allianssi.audit.services import audit_append
from allianssi.governance.services import AlternativeInput, proposal_create
from tests.conftest import World

pytestmark = pytest.mark.django_db


def _page(world: World, language: str, who: str = "observer") -> str:
    client = Client()
    client.force_login(world.users[who])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(reverse("alliances:audit", args=[world.alliance.pk]))
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def test_audit_page__reads_each_record_as_a_sentence_with_a_link(world: World):
    proposal = proposal_create(
        actor=world.users["manager"],
        alliance=world.alliance,
        title="Budjetti 2027",
        description="",
        alternatives=[AlternativeInput(title="Hyväksytään")],
    )
    manager = str(world.users["manager"])
    body = _page(world, "en")
    assert f"{manager} created the alliance “Pirkanmaan allianssi”" in body
    proposal_url = reverse("governance:proposal", args=[world.alliance.pk, proposal.number])
    assert (
        f'<a href="{proposal_url}">{manager} created the proposal {proposal.number} '
        "“Budjetti 2027”</a>" in body
    )
    # The raw record stays for auditors, behind a disclosure.
    assert "<details" in body
    assert "<code>proposal.create</code>" in body
    assert "Budjetti 2027" in body.split("<code>proposal.create</code>", 1)[1]


def test_audit_page__an_old_record_without_the_parameters_reads_as_the_plain_sentence(
    world: World,
):
    with transaction.atomic():
        audit_append(
            actor=world.users["manager"],
            alliance=world.alliance,
            action=actions.PROPOSAL_CREATE,
            obj=world.alliance,
            after={"number": 9},
        )
    body = _page(world, "en")
    assert f"{world.users['manager']} created a proposal<" in body


def test_audit_page__time_and_numbers_in_the_readers_language(world: World):
    record = AuditRecord.objects.filter(alliance=world.alliance).order_by("seq").first()
    assert record is not None
    shown = {}
    for language in ("fi", "sv", "en"):
        with translation.override(language):
            shown[language] = formats.date_format(
                timezone.localtime(record.created_at), "SHORT_DATETIME_FORMAT"
            )
        assert shown[language] in _page(world, language)
    assert shown["fi"] != shown["en"]
    with translation.override("fi"):
        assert display("1234567.50") == "1\xa0234\xa0567,50"
        assert display("2026-12-31") == "31.12.2026"
    with translation.override("en"):
        assert display("1234567.50") == "1,234,567.50"


def test_audit_page__the_system_and_an_unknown_action(world: World):
    record = AuditRecord(
        alliance=world.alliance, actor=None, actor_label="system", action="legacy.thing"
    )
    with translation.override("en"):
        assert sentence(record) == "The system: legacy.thing"
        record.action = "invoice.make"
        record.after = {"number": "2027-0001", "net": "100.00", "vat": "25.50"}
        assert sentence(record) == "Invoice 2027-0001 was made (net €100.00, VAT €25.50)"


@pytest.mark.parametrize(
    ("language", "net", "vat"),
    [
        ("fi", "1\xa0234\xa0567,00\xa0€", "25,50\xa0€"),
        ("sv", "1\xa0234\xa0567,00\xa0€", "25,50\xa0€"),
        ("en", "€1,234,567.00", "€25.50"),
    ],
)
def test_sentence__an_amount_in_euros_is_written_whole_by_the_readers_language(
    world: World, language: str, net: str, vat: str
):
    record = AuditRecord(
        alliance=world.alliance,
        actor=None,
        actor_label="system",
        action="invoice.make",
        after={"number": "2027-0001", "net": "1234567", "vat": "25.50"},
    )
    with translation.override(language):
        shown = sentence(record)
    assert net in shown
    assert vat in shown
    # The sign comes once, from the formatter: the sentence itself writes none.
    assert shown.count("€") == 2


def test_sentence__the_money_of_every_action_is_a_parameter_of_its_sentence():
    for action in actions.REGISTRY.values():
        written = str(action.sentence or "") + str(action.plain)
        assert "€" not in written, action.name
        for name in action.money:
            assert f"%({name})s" in str(action.sentence), (action.name, name)


def test_sentence__a_cost_entered_reads_its_amount_and_day_in_the_readers_language(world: World):
    record = AuditRecord(
        alliance=world.alliance,
        actor=None,
        actor_label="system",
        action="cost.post",
        after={"amount": "-1200.5", "booked_on": "2026-12-31", "note": "1200.50"},
    )
    with translation.override("fi"):
        shown = sentence(record)
    assert "-1\xa0200,50\xa0€" in shown
    assert "31.12.2026" in shown
    with translation.override("en"):
        assert sentence(record) == "The system entered a cost of -€1,200.50 booked on 31 Dec 2026"


def test_audit_entries__every_record_of_the_world_reads_in_every_language(world: World):
    records = list(AuditRecord.objects.select_related("actor"))
    for language in ("fi", "sv", "en"):
        with translation.override(language):
            entries = audit_entries(records)
        assert len(entries) == len(records)
        assert all(e.sentence and "%(" not in e.sentence for e in entries)


def test_audit_page__the_raw_record_is_json(world: World):
    with transaction.atomic():
        audit_append(
            actor=world.users["manager"],
            alliance=world.alliance,
            action="alliance.update",
            obj=world.alliance,
            before={"goals": None, "open": True},
            after={"goals": ["Työllisyys"], "open": False},
        )
    body = _page(world, "en")
    assert '{"goals": null, "open": true}' in body
    assert '{"goals": ["Työllisyys"], "open": false}' in body
    assert "None" not in body.split("<main", 1)[1]
