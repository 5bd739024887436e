"""The open-books page at scale: the entries paged by key (no count of the ledger, no offset),
the totals from one aggregation of the rollup, the months chart from its one series."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from allianssi.alliances.models import Phase
from allianssi.openbook.importing import import_costs
from allianssi.openbook.models import CostEntry
from tests.conftest import World

pytestmark = pytest.mark.django_db

HEADER = "kirjauspäivä;tuottaja;järjestäjä;palvelualue;kustannuslaji;summa;kuvaus;tosite"
ENTRIES = 250


@pytest.fixture
def ledger(world: World, tmp_path: Path) -> World:
    """250 costs on five days, fifty a day, so that pages end within a day."""
    world.to_phase(Phase.FORMATION)
    lines = [
        f"{1 + i // 50}.3.2026;Työpolku Oy;{('Tampere', 'Nokia')[i % 2]};employment;"
        f"{('personnel', 'premises')[i % 3 == 0]};{i + 1},00;Rivi {i};L-{i}"
        for i in range(ENTRIES)
    ]
    path = tmp_path / "kulut.csv"
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    import_costs(actor=world.users["manager"], alliance=world.alliance, path=path, source="k")
    return world


def _client(world: World) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.users["observer"])
    return client


def _shown(text: str) -> list[str]:
    """The descriptions of the entries listed, in order."""
    return re.findall(r"<td>(Rivi \d+)</td>", text)


def _link(text: str, label: str) -> str | None:
    found = re.search(r'<a href="(\?[^"]*)"[^>]*>' + label + "</a>", text)
    return found[1].replace("&amp;", "&") if found else None


def test_books__entries_paged_by_key_newest_first_without_overlap(ledger: World):
    client = _client(ledger)
    url = reverse("openbook:books", args=[ledger.alliance.pk])
    expected = [
        e.description for e in CostEntry.objects.order_by("-booked_on", "-pk").only("description")
    ]
    first = client.get(url).content.decode()
    assert "250 entries, newest first." in first
    assert _link(first, "Newer entries") is None
    assert _link(first, "Newest entries") is None
    pages = [_shown(first)]
    text = first
    while older := _link(text, "Older entries"):
        assert "after=" in older
        text = client.get(url + older.split("#")[0]).content.decode()
        pages.append(_shown(text))
        assert _link(text, "Newest entries") is not None
    assert [len(p) for p in pages] == [100, 100, 50]
    assert [d for page in pages for d in page] == expected
    # Back from the last page: the page before it, exactly.
    newer = _link(text, "Newer entries")
    assert newer is not None
    assert "before=" in newer
    back = client.get(url + newer.split("#")[0]).content.decode()
    assert _shown(back) == pages[1]
    assert _link(back, "Older entries") is not None
    # A key past either end, or no key at all, shows the first page.
    for junk in ("after=1900-01-01_1", "before=2099-01-01_1", "after=x", "before=9999-13-01_1"):
        assert _shown(client.get(f"{url}?{junk}").content.decode()) == pages[0]


def test_books__the_pager_keeps_the_filters_and_counts_from_the_rollup(ledger: World):
    client = _client(ledger)
    url = reverse("openbook:books", args=[ledger.alliance.pk])
    nokia = ledger.org["nokia"].pk
    with CaptureQueriesContext(connection) as queries:
        text = client.get(url, {"carried_by": nokia, "category": "premises"}).content.decode()
    expected = list(
        CostEntry.objects.filter(carried_by=ledger.org["nokia"], category="premises")
        .order_by("-booked_on", "-pk")
        .values_list("description", flat=True)
    )
    assert f"{len(expected)} entries, newest first." in text
    assert _shown(text) == expected[:100]
    ledger_statements = [q["sql"] for q in queries if "openbook_costentry" in q["sql"]]
    assert not any("COUNT(" in sql.upper() for sql in ledger_statements), ledger_statements
    assert not any("OFFSET" in sql.upper() for sql in ledger_statements), ledger_statements
    # The page's breakdowns are one statement on the rollup (the budget table's is another).
    assert len([q for q in queries if "openbook_ledgertotal" in q["sql"]]) == 2
    # Links of the pager keep the filters; the drill-down links leave the pager behind.
    everything = client.get(url).content.decode()
    older = _link(everything, "Older entries")
    assert older is not None
    page_two = client.get(url + older.split("#")[0] + "&category=premises").content.decode()
    pager = re.search(r'<nav aria-label="Pages of entries".*?</nav>', page_two, flags=re.S)
    assert pager is not None
    assert "?category=premises&amp;before=" in pager[0]  # the filter kept, the key added
    drills = re.findall(r'href="\?([^"]*carried_by=[^"]*)#entries-heading"', page_two)
    assert drills
    assert not any("after=" in link for link in drills)


def test_books_chart__the_months_chart_sums_one_series(ledger: World):
    client = _client(ledger)
    chart = reverse("openbook:chart", args=[ledger.alliance.pk, "months"])
    with CaptureQueriesContext(connection) as queries:
        response = client.get(chart, {"category": "premises"})
    assert response.status_code == 200
    rollup = [q["sql"] for q in queries if "openbook_ledgertotal" in q["sql"]]
    assert len(rollup) == 1
    assert "GROUP BY month" in rollup[0]
    assert "UNION" not in rollup[0]
    assert "GROUPING" not in rollup[0]


def test_books__an_entry_row_escaped_formatted_and_with_its_correction_link(ledger: World):
    from decimal import Decimal

    from allianssi.openbook import services

    alliance = ledger.alliance
    entry = services.entry_post(
        actor=ledger.users["manager"],
        alliance=alliance,
        booked_on=CostEntry.objects.order_by("-booked_on").first().booked_on,
        incurred_by=ledger.org["producer"],
        carried_by=ledger.org["tampere"],
        service_area="employment",
        category="other",
        amount=Decimal("1234567.50"),
        description='<script>alert("x")</script> & co',
        evidence="",
    )
    url = reverse("openbook:books", args=[alliance.pk])
    manager = Client(HTTP_ACCEPT_LANGUAGE="fi")
    manager.force_login(ledger.users["manager"])
    page = manager.get(url).content.decode()
    day = f"{entry.booked_on.day}.{entry.booked_on.month}.{entry.booked_on.year}"
    correct = reverse("openbook:entry_reverse", args=[alliance.pk, entry.pk])
    assert (
        f"<tr><td>{day}</td><td>Työpolku Oy</td><td>Tampere</td><td>Työllisyyspalvelut</td>"
        '<td>Muut kustannukset</td><td class="num">1\xa0234\xa0567,50</td>'
        "<td>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co</td><td>—</td>"
        f'<td><a href="{correct}">Korjaa kirjaus {day}</a></td></tr>'
    ) in page
    assert "<script>alert" not in page
    # A reader sees the row without the link; a reversal is marked as a correction.
    services.entry_reverse(
        actor=ledger.users["manager"], entry=entry, reason="Väärä", booked_on=entry.booked_on
    )
    page = _client(ledger).get(url).content.decode()
    assert correct not in page
    assert '<td>Väärä <span class="muted">(correction)</span></td><td>—</td><td></td></tr>' in page
