"""A cost entry's rules are written twice: ``services.validate_entry`` for a cost posted by hand,
and ``ingest.Checker`` for the rows of an import, in its own fast loop. This property test proves
the two agree: for any entry, both accept it or both refuse it, and the field the hand path names
is one of the columns the import names."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from allianssi.alliances.models import Phase, ServiceArea
from allianssi.core.errors import DomainError
from allianssi.openbook import importing, ingest, services
from allianssi.openbook.models import CostCategory
from tests.conftest import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def books(world: World) -> World:
    """The alliance in implementation: its producers have joined, and costs are booked."""
    world.to_phase(Phase.IMPLEMENTATION)
    return world


#: The hand path's field → the import's column.
COLUMN = {
    "booked_on": "booked_on",
    "incurred_by": "producer",
    "carried_by": "organizer",
    "service_area": "service_area",
    "category": "category",
    "amount": "amount",
    "description": "description",
}
COLUMNS = {name: position for position, name in enumerate([*COLUMN.values(), "evidence"])}

AMOUNTS = st.one_of(
    st.sampled_from(
        [
            "0",
            "0.00",
            "-0.00",
            "0.01",
            "-0.01",
            "0.001",
            "10.005",
            "1234.56",
            "-1234.56",
            "999999999999.99",
            "-999999999999.99",
            "1000000000000.00",
            "-1000000000000",
            "1E+2",
            "1E-2",
        ]
    ),
    st.decimals(
        min_value=Decimal("-1e13"), max_value=Decimal("1e13"), places=3, allow_nan=False
    ).map(str),
)
DESCRIPTIONS = st.one_of(
    st.just("Työvalmentajan palkka"),
    st.sampled_from(["", " ", "Palkka", " Palkka ", "x" * 500, "x" * 501, "a\x00b"]),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40),
)


def _hand(world: World, entry: dict[str, object]) -> str | None:
    """The field the hand path refuses first, or ``None`` if it accepts the entry."""
    try:
        services.validate_entry(alliance=world.alliance, **entry)  # type: ignore[arg-type]
    except DomainError as error:
        refused = error
    else:
        return None
    assert refused.field in COLUMN, refused
    return COLUMN[refused.field]


def _imported(lookups: ingest.Lookups, entry: dict[str, object]) -> set[str]:
    """The columns the import refuses, empty if it accepts the row."""
    cells = [
        str(entry["booked_on"]),
        f"#{entry['incurred_by'].pk}",  # type: ignore[attr-defined]
        f"#{entry['carried_by'].pk}",  # type: ignore[attr-defined]
        str(entry["service_area"]),
        str(entry["category"]),
        str(entry["amount"]),
        str(entry["description"]),
        "",
    ]
    found = ingest.Checker(lookups).row(2, cells)
    if isinstance(found, tuple):
        return set()
    return {column for _line, column, _code, _params in found}


@settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_the_hand_path_and_the_import_accept_and_refuse_the_same_entries(
    books: World, data: st.DataObject
):
    world = books
    alliance = world.alliance
    first, last = services.booking_window(alliance)
    lookups = importing.lookups(alliance, world.users["manager"], COLUMNS)
    parties = sorted(world.org.values(), key=lambda o: o.pk)
    producers = [world.org["producer"], world.org["own_unit"]]
    organizers = [world.org["tampere"], world.org["nokia"], world.org["region"]]
    areas = sorted(alliance.service_areas.values_list("area", flat=True))
    day = data.draw(
        st.one_of(
            st.sampled_from([first, last, first - dt.timedelta(days=1), last + dt.timedelta(1)]),
            st.dates(first, last),
            st.dates(first - dt.timedelta(days=60), last + dt.timedelta(days=60)),
        ),
        label="booked_on",
    )
    entry: dict[str, object] = {
        "booked_on": day,
        # The alliance's own producers and organizers half the time, so that many entries pass
        # every rule and both paths must accept them; any party the other half.
        "incurred_by": data.draw(
            st.one_of(st.sampled_from(producers), st.sampled_from(parties)), label="incurred_by"
        ),
        "carried_by": data.draw(
            st.one_of(st.sampled_from(organizers), st.sampled_from(parties)), label="carried_by"
        ),
        "service_area": data.draw(
            st.one_of(st.sampled_from(areas), st.sampled_from(ServiceArea.values)),
            label="service_area",
        ),
        "category": data.draw(st.sampled_from([*CostCategory.values, "other"]), label="category"),
        "amount": data.draw(AMOUNTS, label="amount"),
        "description": data.draw(DESCRIPTIONS, label="description"),
    }
    refused_by_hand = _hand(world, {**entry, "amount": Decimal(str(entry["amount"]))})
    refused_by_import = _imported(lookups, entry)
    event("accepted" if refused_by_hand is None else f"refused: {refused_by_hand}")
    if refused_by_hand is None:
        assert refused_by_import == set(), entry
    else:
        assert refused_by_hand in refused_by_import, entry


def test_the_property_test_sees_a_disagreement(books: World, monkeypatch: pytest.MonkeyPatch):
    """Both accept a right entry, and the comparison fails when the import's rules drift from the
    hand path's (here: the import taking any description, however long)."""
    world = books
    lookups = importing.lookups(world.alliance, world.users["manager"], COLUMNS)
    entry: dict[str, object] = {
        "booked_on": services.booking_window(world.alliance)[0],
        "incurred_by": world.org["producer"],
        "carried_by": world.org["tampere"],
        "service_area": "employment",
        "category": "personnel",
        "amount": "12.50",
        "description": "x" * 501,
    }
    assert _hand(world, {**entry, "description": "Palkka", "amount": Decimal("12.50")}) is None
    assert _imported(lookups, {**entry, "description": "Palkka"}) == set()
    assert _hand(world, {**entry, "amount": Decimal("12.50")}) == "description"
    assert _imported(lookups, entry) == {"description"}
    lenient = ingest.Checker.row

    def row(self: ingest.Checker, line: int, cells: list[str]) -> object:
        return lenient(self, line, [*cells[:6], cells[6][:500], *cells[7:]])

    monkeypatch.setattr(ingest.Checker, "row", row)
    assert _imported(lookups, entry) == set()
