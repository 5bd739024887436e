"""Each reader of an alliance's audit trail sees the records about customers, consents,
referrals and outcome events whose pages they may open, and the procurement's records only if
they may read the procurement; everything else as before. No link on the page leads to a page
the reader may not open. The records about customers' data carry the parties they concern, and
the page reads a reader's records branch by branch from them (ADR 0041)."""

from __future__ import annotations

import datetime as dt
import importlib
import io
import re
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse

from allianssi.audit import selectors as audit_selectors
from allianssi.audit import triggers
from allianssi.audit.models import PARTY_COLUMNS, AuditRecord
from allianssi.audit.selectors import (
    TrailPaginator,
    audit_chain_verify,
    audit_records_of_alliance,
)
from allianssi.audit.services import chain_key
from allianssi.core import clock, hooks
from allianssi.customers.services import consent_give
from allianssi.home import selectors
from allianssi.home.models import Visit
from allianssi.identification import identity
from allianssi.openbook.jobs import job_create
from allianssi.outcomes.services import Report, event_record
from allianssi.referrals.services import referral_create
from tests.conftest import World
from tests.customers.world import OTHER_HETU, customer, offered
from tests.outcomes.conftest import D, episode, kind, person
from tests.procurement.conftest import open_procurement

pytestmark = pytest.mark.django_db

READERS = [
    "manager",
    "leader",
    "controller",
    "observer",
    "producer_staff",
    "advisor",
    "advisor_nokia",
    "unit_staff",
    "producer2_staff",
]


def _page(world: World, who: str) -> str:
    client = Client()
    client.force_login(world.users[who])
    response = client.get(reverse("alliances:audit", args=[world.alliance.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _seen(world: World, who: str) -> set[str]:
    """The object types of the records the page lists (by the raw records' ids shown)."""
    body = _page(world, who)
    numbers = {int(n) for n in re.findall(r"#(\d+)", body)}
    return set(
        AuditRecord.objects.filter(alliance=world.alliance, seq__in=numbers)
        .values_list("object_type", flat=True)
        .distinct()
    )


@pytest.fixture
def trail(serving: World) -> dict[str, object]:
    """A customer of Tampere with a consent and a referral sent to Työpolku, another customer's
    draft referral to Työpolku, and a procurement."""
    version = offered(serving)
    person = customer(serving)
    consent_give(customer=person, purpose="Tietojen luovutus", actor=serving.users["advisor"])
    to_tyopolku = {
        "actor": serving.users["advisor"],
        "service": version.service,
        "producer": serving.org["producer"],
        "message": "",
    }
    sent = referral_create(customer=person, send=True, **to_tyopolku)
    other = customer(serving, hetu=OTHER_HETU, name="Olli Toinen")
    draft = referral_create(customer=other, **to_tyopolku)
    procurement = open_procurement(serving)
    return {"sent": sent, "draft": draft, "procurement": procurement}


def test_audit_page__customers_and_referrals_to_those_who_open_them(
    serving: World, trail: dict[str, object]
):
    personal = {"customers.customer", "customers.consent", "referrals.referral"}
    assert personal <= _seen(serving, "advisor")
    for who in ["manager", "leader", "controller", "observer", "advisor_nokia", "unit_staff"]:
        seen = _seen(serving, who)
        assert not seen & personal, who
        assert "alliances.alliance" in seen, who  # the rest as before
    # The producer sees the referral sent to it, not the draft it has not received, and none of
    # the customers' records.
    seen = _seen(serving, "producer_staff")
    assert "referrals.referral" in seen
    assert not seen & {"customers.customer", "customers.consent"}
    body = _page(serving, "producer_staff")
    sent, draft = trail["sent"], trail["draft"]
    assert reverse("referrals:detail", args=[serving.alliance.pk, sent.number]) in body
    assert reverse("referrals:detail", args=[serving.alliance.pk, draft.number]) not in body
    assert "referrals.referral" not in _seen(serving, "producer2_staff")


def test_audit_page__the_procurement_to_those_who_read_it(serving: World, trail: dict[str, object]):
    for who in ["manager", "controller", "observer", "leader"]:
        assert "procurement.procurement" in _seen(serving, who), who
    for who in ["producer_staff", "advisor", "unit_staff"]:
        assert not any(t.startswith("procurement.") for t in _seen(serving, who)), who


@pytest.mark.parametrize("who", READERS)
def test_audit_page__every_link_opens(serving: World, trail: dict[str, object], who: str):
    client = Client()
    client.force_login(serving.users[who])
    body = _page(serving, who)
    links = set(re.findall(rf'href="(/alliances/{serving.alliance.pk}/[^"?#]+)"', body))
    assert links
    for link in sorted(links):
        assert client.get(link).status_code == 200, link


def test_audit_page__an_outcome_event_to_its_reporter_and_the_customers_organizer(serving: World):
    who = person(serving, identity.temporary_code(D(1980, 1, 1), 901))
    episode(serving, who, D(2026, 1, 10), D(2026, 3, 31))
    event_record(
        report=Report(actor=serving.users["producer_staff"]),
        customer=who,
        outcome=kind("employed_open"),
        occurred_on=D(2026, 4, 15),
    )
    for who_reads in ["producer_staff", "advisor", "controller"]:
        expected = who_reads != "controller"  # Nokia's controller: neither reporter nor organizer
        assert ("outcomes.outcomeevent" in _seen(serving, who_reads)) is expected, who_reads
    for who_reads in ["producer2_staff", "manager", "observer", "advisor_nokia"]:
        assert "outcomes.outcomeevent" not in _seen(serving, who_reads), who_reads


def test_news__counts_only_the_records_the_reader_may_see(serving: World, trail: dict[str, object]):
    since = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    for who in READERS:
        user = serving.users[who]
        (news,) = selectors.news(user=user, since=since).audit
        listed = audit_records_of_alliance(
            alliance_id=serving.alliance.pk, visible=hooks.audit_visible(user, serving.alliance)
        ).exclude(actor_id=user.pk)
        assert news.count == listed.count(), who
    everything = AuditRecord.objects.filter(alliance=serving.alliance)
    producer = serving.users["producer_staff"]
    (news,) = selectors.news(user=producer, since=since).audit
    assert news.count < everything.exclude(actor_id=producer.pk).count()


def test_audit_page__an_import_links_to_its_page_for_its_importer_and_the_project_office(
    serving: World, tmp_path, settings
):
    settings.OPENBOOK_IMPORT_DIR = tmp_path
    job = job_create(
        actor=serving.users["producer_staff"],
        alliance=serving.alliance,
        upload=io.BytesIO(b"booked_on;amount\n"),
        name="kulut.csv",
    )
    url = reverse("openbook:job", args=[serving.alliance.pk, job.pk])
    for who in ["producer_staff", "manager"]:
        assert url in _page(serving, who), who
    for who in ["unit_staff", "controller", "observer"]:
        body = _page(serving, who)
        assert "kulut.csv" in body, who  # the record is open books
        assert url not in body, who


def _parties(record: AuditRecord) -> tuple[int | None, ...]:
    return tuple(getattr(record, column) for column in PARTY_COLUMNS)


def _event(world: World):
    who = person(world, identity.temporary_code(D(1980, 1, 1), 901))
    episode(world, who, D(2026, 1, 10), D(2026, 3, 31))
    return event_record(
        report=Report(actor=world.users["producer_staff"]),
        customer=who,
        outcome=kind("employed_open"),
        occurred_on=D(2026, 4, 15),
    )


def test_records_about_customers_data_carry_their_parties(serving: World, trail: dict[str, object]):
    event = _event(serving)
    tampere, tyopolku = serving.org["tampere"].pk, serving.org["producer"].pk
    records = AuditRecord.objects.filter(alliance=serving.alliance)
    expected = {
        "customers.customer": (tampere, None, None),
        "customers.consent": (tampere, None, None),
        "referrals.referral": (tampere, tyopolku, tampere),
        "outcomes.outcomeevent": (tampere, tyopolku, None),
    }
    for kind_name, parties in expected.items():
        about = records.filter(object_type=kind_name)
        assert about.exists(), kind_name
        assert {_parties(r) for r in about} == {parties}, kind_name
    assert records.filter(object_type="outcomes.outcomeevent", object_id=str(event.pk)).exists()
    others = records.exclude(object_type__in=expected)
    assert others.exists()
    assert {_parties(r) for r in others} == {(None, None, None)}


def test_the_migrations_fill_in_the_records_written_before(
    serving: World, trail: dict[str, object]
):
    _event(serving)
    appended = {r.pk: _parties(r) for r in AuditRecord.objects.all()}
    assert any(parties[0] for parties in appended.values())
    triggers.remove(connection, ["audit_auditrecord"])
    AuditRecord.objects.update(organizer_party=None, producer_party=None, sender_party=None)
    triggers.install(connection, ["audit_auditrecord"])
    editor = SimpleNamespace(connection=connection)
    for module in [
        "allianssi.customers.migrations.0005_audit_parties",
        "allianssi.referrals.migrations.0006_audit_parties",
        "allianssi.outcomes.migrations.0007_audit_parties",
    ]:
        importlib.import_module(module).forward(None, editor)
    assert {r.pk: _parties(r) for r in AuditRecord.objects.all()} == appended
    assert audit_chain_verify(chain_key(serving.alliance)) is None  # parties not hashed
    with pytest.raises(Exception, match="append-only"):  # the trigger is back
        AuditRecord.objects.update(organizer_party=None)


@pytest.mark.parametrize("who", READERS)
def test_the_branches_list_what_the_filter_lets_through(
    serving: World, trail: dict[str, object], who: str
):
    _event(serving)
    user = serving.users[who]
    paginator = TrailPaginator(
        alliance_id=serving.alliance.pk,
        branches=hooks.audit_branches(user, serving.alliance),
        area="",
        per_page=100,
        asked=1,
    )
    visible = audit_records_of_alliance(
        alliance_id=serving.alliance.pk, visible=hooks.audit_visible(user, serving.alliance)
    )
    assert paginator.seqs == list(visible.values_list("seq", flat=True))
    assert paginator.seqs == sorted(set(paginator.seqs), reverse=True)  # each once, newest first


def test_a_readers_pages_counted_no_further_than_ten_past_the_one_asked(
    serving: World, trail: dict[str, object]
):
    advisor = serving.users["advisor"]
    branches = hooks.audit_branches(advisor, serving.alliance)
    everything = list(
        audit_records_of_alliance(
            alliance_id=serving.alliance.pk, visible=hooks.audit_visible(advisor, serving.alliance)
        ).values_list("seq", flat=True)
    )
    per_page = 1
    assert len(everything) > (1 + audit_selectors.LOOKAHEAD) * per_page
    paginator = TrailPaginator(
        alliance_id=serving.alliance.pk, branches=branches, area="", per_page=1, asked=1
    )
    assert paginator.count == 1 + audit_selectors.LOOKAHEAD
    assert paginator.more
    page = paginator.get_page(3)
    assert [r.seq for r in page.object_list] == everything[2:3]
    far = TrailPaginator(
        alliance_id=serving.alliance.pk, branches=branches, area="", per_page=1, asked=999
    )
    assert far.count == len(everything)
    assert not far.more
    assert [r.seq for r in far.get_page(999).object_list] == everything[-1:]  # the last page


def test_audit_page__says_more_than_when_not_all_were_counted(
    serving: World, trail: dict[str, object], monkeypatch
):
    monkeypatch.setattr(audit_selectors, "LOOKAHEAD", 0)
    monkeypatch.setattr("allianssi.alliances.views.AUDIT_PAGE_SIZE", 2)
    client = Client()
    client.force_login(serving.users["advisor"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get(reverse("alliances:audit", args=[serving.alliance.pk])).content.decode()
    assert "More than 2 records" in body
    assert "Page 1 of more than 1" in body


def test_news__says_more_than_past_the_cap(serving: World, trail: dict[str, object], monkeypatch):
    monkeypatch.setattr(selectors, "AUDIT_NEWS_CAP", 2)
    since = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    producer = serving.users["producer_staff"]
    (news,) = selectors.news(user=producer, since=since).audit
    assert (news.count, news.more) == (2, True)
    assert news.counted == 3
    Visit.objects.create(user=producer, previous_at=since, last_at=clock.now())
    client = Client()
    client.force_login(producer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get(reverse("home:index")).content.decode()
    assert "more than 2 changes by others in the audit trail" in body
