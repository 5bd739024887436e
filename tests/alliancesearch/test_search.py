"""Search within an alliance: every kind found by its words, as the catalogue's search finds them,
only in the alliance asked for and only what the reader may open, in a fixed number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from allianssi.alliances.models import Phase
from allianssi.alliancesearch import selectors
from allianssi.catalogue.services import service_create
from allianssi.compliance.models import DocumentKind
from allianssi.compliance.services import document_register
from allianssi.core import clock
from allianssi.core.errors import DomainError
from allianssi.governance.forum import idea_post
from allianssi.governance.meetings import meeting_create, minutes_approve, minutes_save
from allianssi.governance.models import MinutesVersion
from allianssi.governance.services import AlternativeInput, proposal_create
from tests.catalogue.conftest import deliver, service_input
from tests.conftest import World

POSTGRES = connection.vendor == "postgresql"


def _proposal(world: World, title: str, description: str = "", *, alliance=None, actor=None):
    return proposal_create(
        actor=actor or world.users["manager"],
        alliance=alliance or world.alliance,
        title=title,
        description=description,
        alternatives=[AlternativeInput(title="Verkkopalvelu ja kiertävä neuvoja")],
        put_to_vote=0,
    )


def _meeting(world: World, title: str, *, days: int = 7):
    return meeting_create(
        actor=world.users["manager"],
        alliance=world.alliance,
        title=title,
        starts_at=clock.now() + dt.timedelta(days=days),
        location="Tampereen kaupungintalo",
    )


@pytest.fixture
def filled(world: World) -> World:
    """The alliance delivering services, with one thing of every kind (the go decision of its
    strategy phase among them); the minutes of its meeting approved once and then corrected in
    a draft."""
    deliver(world, Phase.IMPLEMENTATION)
    manager = world.users["manager"]
    _proposal(world, "Yhteinen asiakasneuvonta", "Yksi palvelupiste koko alueelle.")
    idea_post(
        actor=world.users["producer_staff"],
        alliance=world.alliance,
        title="Nuorten mentorointi",
        problem="Nuoret keskeyttävät koulutuksen.",
    )
    meeting = _meeting(world, "Strategiaseminaari")
    minutes_save(actor=manager, meeting=meeting, text="Päätettiin kokeilla etäpalvelua.")
    minutes_approve(actor=manager, meeting=meeting, version=1)
    minutes_save(
        actor=manager,
        meeting=meeting,
        text="Päätettiin kokeilla etäpalvelua. Lisäksi sovittiin kummitoiminnasta.",
        change_note="Kummitoiminta lisätty",
    )
    document_register(
        actor=manager,
        alliance=world.alliance,
        kind=DocumentKind.ALLIANCE_AGREEMENT,
        title="Allianssisopimus",
        version="1.0",
        signed_on=None,
        states_no_legal_person=True,
        states_duties_unchanged=True,
        reference="Diaari 12/2026",
    )
    service_create(
        actor=world.users["producer_staff"], alliance=world.alliance, data=service_input(world)
    )  # a draft, never published
    return world


def _client(world: World, who: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.users[who])
    return client


def _search(world: World, text: str, who: str = "manager", **params: str):
    client = _client(world, who)
    return client.get(
        reverse("alliancesearch:search", args=[world.alliance.pk]), {"q": text, **params}
    )


def _found(world: World, text: str, who: str = "manager") -> dict[str, list[str]]:
    results = selectors.alliance_search(
        user=world.users[who], alliance=world.alliance, text=text, language="fi"
    )
    return {g.kind: [h.title for h in g.hits] for g in results.groups if g.hits}


def test_search__finds_every_kind_by_an_inflected_word(filled: World):
    assert _found(filled, "asiakasneuvonnan") == {"proposals": ["#2 Yhteinen asiakasneuvonta"]}
    # The go decision of the strategy phase: its rationale, in the register and as a proposal.
    found = _found(filled, "kehittämistä")
    assert [t.split(" ", 1)[0] for t in found["decisions"]] == ["2026/1"]
    assert found["proposals"][0].startswith("#1 ")
    assert _found(filled, "mentorointia") == {"ideas": ["#1 Nuorten mentorointi"]}
    assert list(_found(filled, "strategiaseminaari")) == ["meetings", "minutes"]
    assert _found(filled, "Allianssisopimus") == {"documents": ["Allianssisopimus 1.0"]}
    assert _found(filled, "työnhakuvalmennus") == {"services": ["Työnhakuvalmennus"]}


def test_search__every_word_must_be_found(filled: World):
    assert _found(filled, "asiakasneuvonta palvelupisteen") == {
        "proposals": ["#2 Yhteinen asiakasneuvonta"]
    }
    assert _found(filled, "asiakasneuvonta mentorointi") == {}


def test_search__the_second_part_of_a_compound_as_the_catalogues_search_finds_it(filled: World):
    found = _found(filled, "neuvonnan")
    # SQLite matches stems within stems; PostgreSQL's Finnish configuration splits no compounds.
    assert found == ({} if POSTGRES else {"proposals": ["#2 Yhteinen asiakasneuvonta"]})
    assert _found(filled, "valmennus") == ({} if POSTGRES else {"services": ["Työnhakuvalmennus"]})


def test_search__minutes_in_every_version_the_meeting_page_shows(filled: World):
    results = selectors.alliance_search(
        user=filled.users["observer"], alliance=filled.alliance, text="etäpalvelua", language="fi"
    )
    minutes = next(g for g in results.groups if g.kind == "minutes")
    assert minutes.total == 2
    assert [h.url.rsplit("=", 1)[1] for h in minutes.hits] == ["2", "1"]
    assert [h.excerpt.match for h in minutes.hits] == ["etäpalvelua", "etäpalvelua"]
    with translation.override("en"):
        draft_only = _found(filled, "kummitoiminnasta", who="observer")
    assert draft_only == {"minutes": ["Minutes of " + _meeting_name(filled) + ", version 2"]}


def _meeting_name(world: World) -> str:
    version = MinutesVersion.objects.get(meeting__alliance=world.alliance, version=2)
    return str(version.meeting)


@pytest.fixture(autouse=False)
def english():
    with translation.override("en"):
        yield


def test_search__every_link_opens_for_the_reader(filled: World, english: None):
    for who in ["observer", "producer_staff", "controller"]:
        client = _client(filled, who)
        for text in ["kehittämistä", "etäpalvelua", "mentorointia", "Allianssisopimus"]:
            results = selectors.alliance_search(
                user=filled.users[who], alliance=filled.alliance, text=text, language="fi"
            )
            urls = [h.url for g in results.groups for h in g.hits]
            assert urls, (who, text)
            for url in urls:
                assert client.get(url).status_code == 200, (who, url)
    assert _found(filled, "työnhakuvalmennus", who="observer") == {
        "services": ["Työnhakuvalmennus"]
    }


def test_search__another_alliances_things_are_never_found(filled: World):
    other = filled.users["other_manager"]
    _proposal(filled, "Satakunnan asiakasneuvonta", alliance=filled.other, actor=other)
    assert _found(filled, "asiakasneuvonta") == {"proposals": ["#2 Yhteinen asiakasneuvonta"]}
    assert _search(filled, "asiakasneuvonta", who="other_manager").status_code == 404
    assert _search(filled, "asiakasneuvonta", who="stranger").status_code == 404
    anonymous = Client().get(reverse("alliancesearch:search", args=[filled.alliance.pk]))
    assert anonymous.status_code == 302


def test_page__groups_with_counts_excerpts_and_links(filled: World, english: None):
    for number in range(7):
        _proposal(filled, f"Palvelupisteen kokeilu {number}", "Kokeillaan uutta palvelupistettä.")
    response = _search(filled, "palvelupiste")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Proposals: 8" in html
    assert html.count('class="result"') == selectors.CAP
    assert html.count("Kokeillaan uutta <mark>palvelupistettä</mark>.") == selectors.CAP
    assert "kind=proposals" in html
    assert "All 8 results: Proposals" in html
    second = _search(filled, "palvelupiste", kind="proposals")
    assert second.content.decode().count('class="result"') == 8
    assert _search(filled, "palvelupiste", kind="proposals", page="2").status_code == 404
    assert _search(filled, "palvelupiste", kind="nonsense").status_code == 404


def test_page__the_alliance_page_links_to_the_search(filled: World):
    html = (
        _client(filled, "observer")
        .get(reverse("alliances:detail", args=[filled.alliance.pk]))
        .content.decode()
    )
    assert reverse("alliancesearch:search", args=[filled.alliance.pk]) in html


def test_page__an_empty_query_searches_nothing(filled: World, english: None):
    response = _search(filled, "")
    assert response.status_code == 200
    assert 'class="result"' not in response.content.decode()
    assert "Type at least one word" not in response.content.decode()


def test_page__a_query_of_punctuation_only_asks_for_words(filled: World, english: None):
    response = _search(filled, "?!  -- ... ”")
    assert response.status_code == 200
    assert "Type at least one word of letters or digits." in response.content.decode()
    assert 'class="result"' not in response.content.decode()


def test_page__a_query_longer_than_a_title_is_refused_clearly(filled: World, english: None):
    longest = ("palvelupiste " * 20)[: selectors.QUERY_LIMIT]
    assert _search(filled, longest).status_code == 200
    response = _search(filled, longest + "x")
    assert response.status_code == 400
    assert "This text has 201 characters; at most 200 are allowed." in response.content.decode()
    assert _search(filled, "palvelu\x00piste").status_code == 400
    with pytest.raises(DomainError):
        selectors.alliance_search(
            user=filled.users["manager"], alliance=filled.alliance, text="x" * 10_000, language="fi"
        )


def test_search__words_past_the_catalogues_limit_are_ignored(filled: World):
    words = "asiakasneuvonta " + "palvelupiste " * 7 + "tuntematonsana"
    assert _found(filled, words) == {"proposals": ["#2 Yhteinen asiakasneuvonta"]}


def test_search__services_in_the_readers_language(filled: World):
    results = selectors.alliance_search(
        user=filled.users["manager"], alliance=filled.alliance, text="jobbsökning", language="sv"
    )
    assert [(g.kind, [h.title for h in g.hits]) for g in results.groups if g.hits] == [
        ("services", ["Jobbsökarträning"])
    ]


def _queries(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


def test_page__a_fixed_number_of_queries_whatever_the_data(filled: World):
    client = _client(filled, "manager")
    base = reverse("alliancesearch:search", args=[filled.alliance.pk])
    paths = [f"{base}?q=palvelupiste", f"{base}?q=palvelupiste&kind=proposals", f"{base}?q=x1"]
    before = [_queries(client, p) for p in paths]
    for number in range(12):
        _proposal(filled, f"Palvelupisteen kokeilu {number}", "Kokeillaan palvelupistettä.")
        _meeting(filled, f"Palvelupisteen katselmointi {number}", days=8 + number)
    assert [_queries(client, p) for p in paths] == before
