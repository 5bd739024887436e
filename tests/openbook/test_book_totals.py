"""The open-books page's totals from the rollup's own rollups: the per-organizer totals move
with every posting, reversal and import and are checked by ``openbook_verify``; each breakdown
reads the coarsest level that holds it, and gives what the raw ledger sums to; the budget's and
the producers' actuals of a whole year are the breakdowns' own sums; the page's rows and filter
form are written as the template language wrote them."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth
from django.template import loader
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from allianssi.alliances.models import Phase
from allianssi.openbook import selectors, services
from allianssi.openbook.forms import FilterForm
from allianssi.openbook.importing import import_costs
from allianssi.openbook.models import CostEntry, OrganizerTotal
from allianssi.openbook.selectors import Filters
from allianssi.openbook.templatetags.openbook import filter_fields
from allianssi.openbook.verify import rollup_mismatches
from tests.conftest import World

pytestmark = pytest.mark.django_db

HEADER = "kirjauspäivä;tuottaja;järjestäjä;palvelualue;kustannuslaji;summa;kuvaus;tosite"


@pytest.fixture
def books(world: World, tmp_path: Path) -> World:
    """Costs of both producers, carried by two organizers, in two areas and two categories, over
    eleven months: an import, a cost posted by hand and its reversal."""
    world.to_phase(Phase.FORMATION)
    producers = ("Työpolku Oy", world.org["own_unit"].name)
    lines = [
        f"{1 + i % 28}.{1 + i % 11}.2026;{producers[i % 2]};"
        f"{('Tampere', 'Nokia')[i % 6 == 0]};{('employment', 'business')[i % 3 == 1]};"
        f"{('personnel', 'premises')[i % 5 == 0]};{i * 7 + 1},{i % 100:02d};Rivi {i};L-{i}"
        for i in range(120)
    ]
    path = tmp_path / "kulut.csv"
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    import_costs(actor=world.users["manager"], alliance=world.alliance, path=path, source="k")
    posted = services.entry_post(
        actor=world.users["manager"],
        alliance=world.alliance,
        booked_on=dt.date(2026, 3, 15),
        incurred_by=world.org["producer"],
        carried_by=world.org["tampere"],
        service_area="employment",
        category="other",
        amount=Decimal("1234.56"),
        description="Käsin",
    )
    services.entry_reverse(
        actor=world.users["manager"], entry=posted, reason="Väärä", booked_on=posted.booked_on
    )
    return world


def _ledger_by_organizer() -> dict[tuple[object, ...], tuple[Decimal, int]]:
    return {
        (r["m"], r["carried_by_id"], r["service_area"], r["category"]): (r["s"], r["n"])
        for r in CostEntry.objects.annotate(m=TruncMonth("booked_on"))
        .values("m", "carried_by_id", "service_area", "category")
        .annotate(s=Sum("amount"), n=Count("pk"))
        .order_by()
    }


def test_organizer_totals__move_with_every_import_posting_and_reversal(books: World):
    kept = {
        (t.month, t.carried_by_id, t.service_area, t.category): (t.amount, t.entries)
        for t in OrganizerTotal.objects.filter(alliance=books.alliance)
    }
    assert kept == _ledger_by_organizer()
    assert len(kept) > 20
    # The reversed cost leaves its key at zero euros and two entries.
    assert kept[dt.date(2026, 3, 1), books.org["tampere"].pk, "employment", "other"] == (
        Decimal("0.00"),
        2,
    )
    assert rollup_mismatches() == []


def test_openbook_verify__finds_organizer_totals_that_drifted(books: World):
    call_command("openbook_verify", stdout=io.StringIO())
    OrganizerTotal.objects.filter(category="premises").update(entries=0)
    drifted = OrganizerTotal.objects.filter(category="premises").count()
    found = rollup_mismatches()
    assert len(found) == drifted > 0
    assert all(m.key[0] == "organizer" for m in found)
    err = io.StringIO()
    with pytest.raises(CommandError, match=f"{drifted} rollup total"):
        call_command("openbook_verify", stdout=io.StringIO(), stderr=err)
    assert "'organizer'" in err.getvalue()


def _expected(world: World, filters: Filters) -> dict[str, dict[object, tuple[Decimal, int]]]:
    """The breakdowns summed straight from the ledger."""
    rows = filters.entries(world.alliance).annotate(month=TruncMonth("booked_on"))
    found = {}
    for dimension, column in (
        ("carried_by", "carried_by_id"),
        ("incurred_by", "incurred_by_id"),
        ("service_area", "service_area"),
        ("category", "category"),
        ("month", "month"),
    ):
        found[dimension] = {
            r[column]: (r["s"], r["n"])
            for r in rows.values(column).annotate(s=Sum("amount"), n=Count("pk")).order_by()
        }
    return found


FILTERS = [
    Filters(),
    Filters(start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 1)),
    Filters(start=dt.date(2026, 4, 1), end=dt.date(2026, 6, 1)),
    Filters(category="premises"),
    Filters(service_area="business", start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 1)),
    Filters(incurred_by=-1),  # the producer's id is put in below
    Filters(incurred_by=-1, category="personnel"),
]


@pytest.mark.parametrize("index", range(len(FILTERS)))
def test_books__each_breakdown_from_the_coarsest_level_equals_the_ledger(books: World, index):
    filters = FILTERS[index]
    if filters.incurred_by == -1:
        filters = Filters(incurred_by=books.org["producer"].pk, category=filters.category)
    with CaptureQueriesContext(connection) as queries:
        view = selectors.books(
            user=books.users["observer"], alliance=books.alliance, filters=filters
        )
    expected = _expected(books, filters)
    for dimension, lines in view.by.items():
        assert {line.key: (line.amount, line.entries) for line in lines} == expected[dimension]
    assert view.entries == sum(n for _s, n in expected["category"].values())
    assert view.total == sum((s for s, _n in expected["category"].values()), Decimal(0))
    # The whole rollup is read only when a side needs both an organizer's and a producer's
    # dimension: the producers' side under an organizer's, area's or category's filter, the
    # organizers' side under a producer's.
    whole = [q["sql"] for q in queries if '"openbook_ledgertotal"' in q["sql"]]
    assert bool(whole) == bool(filters.filtered_by()), whole


def test_books__a_whole_years_budget_and_producers_are_the_breakdowns_own_sums(books: World):
    observer, alliance = books.users["observer"], books.alliance
    services.budget_set(
        actor=books.users["manager"],
        alliance=alliance,
        organisation=books.org["nokia"],
        year=2026,
        service_area="employment",
        amount=Decimal("100.00"),
        person_years=Decimal("1.5"),
        effective_on=dt.date(2026, 1, 1),
    )
    year = Filters(start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 1))
    assert year.whole_year() == 2026
    assert Filters(start=dt.date(2026, 1, 1), end=dt.date(2026, 11, 1)).whole_year() is None
    assert Filters(start=year.start, end=year.end, category="other").whole_year() is None
    view = selectors.books(user=observer, alliance=alliance, filters=year)
    day = dt.date(2026, 6, 30)
    read = selectors.budget_vs_actual(user=observer, alliance=alliance, year=2026, as_of=day)
    assert any(line.budget == Decimal("100.00") for line in read)
    assert read == selectors.budget_vs_actual(
        user=observer, alliance=alliance, year=2026, as_of=day, actual=view.carried
    )
    producers = {line.key: line.amount for line in view.by["incurred_by"]}
    read_producers = selectors.producers_year(
        user=observer, alliance=alliance, year=2026, as_of=day
    )
    assert len(read_producers) == 2
    assert read_producers == selectors.producers_year(
        user=observer, alliance=alliance, year=2026, as_of=day, actual=producers
    )


def test_books_page__a_producer_without_staff_time_shows_a_dash_not_its_id(books: World):
    services.staff_set(
        actor=books.users["manager"],
        alliance=books.alliance,
        organisation=books.org["own_unit"],
        year=2026,
        person_years=Decimal("3.5"),
        effective_on=dt.date(2026, 1, 1),
        reason="",
    )
    client = Client(HTTP_ACCEPT_LANGUAGE="fi")
    client.force_login(books.users["observer"])
    page = client.get(
        reverse("openbook:books", args=[books.alliance.pk]), {"year": "2026"}
    ).content.decode()
    table = re.search(r'id="producers-table".*?</table>', page, flags=re.S)
    assert table is not None
    rows = dict(
        re.findall(r'<th scope="row">([^<]*)</th>.*?<td class="num">([^<]*)</td></tr>', table[0])
    )
    assert rows == {books.org["own_unit"].name: "3,50", "Työpolku Oy": "—"}


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_filter_fields__the_same_markup_as_the_forms_template(books: World, language: str):
    parties = selectors.book_parties(books.alliance)

    def form(data: dict[str, str]) -> FilterForm:
        return FilterForm(
            data,
            organizers=parties.organizers,
            producers=parties.producers,
            areas=["business", "employment"],
            years=[2026, 2025],
        )

    def squeezed(html: str) -> str:
        return re.sub(r">\s+<", "><", html).strip()

    with translation.override(language):
        for data in (
            {"year": "2026"},
            {"year": "all", "start": "2025-03", "carried_by": str(books.org["nokia"].pk)},
            {"incurred_by": str(books.org["producer"].pk), "category": "premises"},
        ):
            valid = form(data)
            assert valid.is_valid()
            ours = filter_fields(valid)
            assert squeezed(ours) == squeezed(
                loader.render_to_string("includes/form.html", {"form": form(data)})
            )
            assert "selected>" in ours
        invalid = form({"start": "maaliskuu"})  # errors: the template itself writes them
        assert str(filter_fields(invalid)) == loader.render_to_string(
            "includes/form.html", {"form": invalid}
        )
        assert "field-error" in str(filter_fields(invalid))
