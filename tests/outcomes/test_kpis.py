"""KPIs from outcome data: the cohort, the outcome window, the measures, kept incrementally and
equal to a full rebuild and to the same computation done by hand in Python."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest

from allianssi.core.errors import DomainError
from allianssi.customers import identity
from allianssi.outcomes import kpis, measures
from allianssi.outcomes.models import FirstOutcome, KpiDefinition, Status
from allianssi.outcomes.services import Definition, Report, definition_save, event_record
from allianssi.settlement import sources
from tests.conftest import World
from tests.outcomes.conftest import D, episode, kind, person

pytestmark = pytest.mark.django_db

YEAR = (D(2026, 1, 1), D(2027, 1, 1))


def define(world: World, **changes) -> KpiDefinition:
    base = {
        "code": "employed",
        "name_fi": "Työllistyneet",
        "measure": "share",
        "types": ("employed_open",),
    }
    base.update(changes)
    return definition_save(
        actor=world.users["manager"], alliance=world.alliance, definition=Definition(**base)
    )


def record(world: World, who, code: str, day: dt.date, by: str = "producer_staff"):
    return event_record(
        report=Report(actor=world.users[by]), customer=who, outcome=kind(code), occurred_on=day
    )


def verify(event, status=Status.VERIFIED):
    event.status = status
    event.save(update_fields=["status"])
    kpis.refresh([event.customer_id])


def test_the_window_is_from_the_start_to_n_days_after_the_end(serving: World):
    people = [
        person(serving, identity.temporary_code(D(1980, 1, 1 + i), 900 + i)) for i in range(4)
    ]
    for who in people:
        episode(serving, who, D(2026, 2, 1), D(2026, 5, 31))
    verify(record(serving, people[0], "employed_open", D(2026, 3, 15)))  # during the service
    verify(record(serving, people[1], "employed_open", D(2026, 8, 29)))  # day 90 after the end
    verify(record(serving, people[2], "employed_open", D(2026, 8, 30)))  # day 91: too late
    record(serving, people[3], "employed_open", D(2026, 6, 10))  # a claim, not verified
    definition = define(serving, within_days=90)
    [figure] = kpis.compute(definition, *YEAR)
    assert (figure.counts.cohort, figure.counts.reached) == (4, 2)
    assert figure.value == Decimal("50.0000")
    claims = define(serving, code="claimed", evidence="claimed")
    assert kpis.compute(claims, *YEAR)[0].counts.reached == 3


def test_an_event_before_the_service_began_does_not_count(serving: World):
    who = person(serving, identity.temporary_code(D(1981, 1, 1), 900))
    episode(serving, who, D(2025, 1, 1), D(2025, 3, 1))
    verify(record(serving, who, "employed_open", D(2025, 2, 1)))
    episode(serving, who, D(2026, 1, 1), D(2026, 3, 1))
    [figure] = kpis.compute(define(serving), *YEAR)
    assert (figure.counts.cohort, figure.counts.reached) == (1, 0)


def test_contradicted_claims_never_count(serving: World):
    who = person(serving, identity.temporary_code(D(1982, 1, 1), 900))
    episode(serving, who, D(2026, 1, 1), D(2026, 3, 1))
    verify(record(serving, who, "employed_open", D(2026, 3, 2)), Status.CONTRADICTED)
    definition = define(serving, evidence="claimed")
    assert kpis.compute(definition, *YEAR)[0].counts.reached == 0


def test_count_and_median_worked_by_hand(serving: World):
    # Three customers reach the outcome 10, 20 and 40 days after their starts: the median is 20.
    # A fourth, with two episodes, reaches it 30 days after the later start: 10, 20, 30, 40
    # gives 25.
    starts = [D(2026, 1, 1), D(2026, 2, 1), D(2026, 3, 1)]
    days = [10, 20, 40]
    for i, (start, gap) in enumerate(zip(starts, days, strict=True)):
        who = person(serving, identity.temporary_code(D(1983, 1, 1 + i), 900 + i))
        episode(serving, who, start, start + dt.timedelta(days=60))
        verify(record(serving, who, "employed_open", start + dt.timedelta(days=gap)))
    median = define(serving, code="median", measure="median_days")
    assert kpis.compute(median, *YEAR)[0].value == Decimal("20.0")
    fourth = person(serving, identity.temporary_code(D(1983, 2, 1), 905))
    episode(serving, fourth, D(2026, 4, 1), D(2026, 4, 30))
    episode(serving, fourth, D(2026, 5, 1), D(2026, 6, 30), producer="producer2")
    verify(record(serving, fourth, "employed_open", D(2026, 5, 31)))
    figure = kpis.compute(median, *YEAR)[0]
    # From the later start 30 days, from the earlier 60: the fewest days count.
    assert figure.value == Decimal("25.0")
    count = define(serving, code="count", measure="count")
    assert kpis.compute(count, *YEAR)[0].value == Decimal(4)


def test_by_producer_each_counts_the_outcomes_after_its_own_episodes(serving: World):
    who = person(serving, identity.temporary_code(D(1984, 1, 1), 900))
    episode(serving, who, D(2026, 1, 1), D(2026, 1, 31))
    episode(serving, who, D(2026, 6, 1), D(2026, 6, 30), producer="producer2")
    verify(record(serving, who, "employed_open", D(2026, 7, 1), by="producer2_staff"))
    figures = {f.group: f.counts for f in kpis.compute(define(serving), *YEAR, by="producer")}
    producer, producer2 = serving.org["producer"].pk, serving.org["producer2"].pk
    # The first episode ended in January: 1 July is 151 days later, beyond the 90 days.
    assert (figures[producer].cohort, figures[producer].reached) == (1, 0)
    assert (figures[producer2].cohort, figures[producer2].reached) == (1, 1)


def test_a_definition_is_a_settlement_source(serving: World):
    who = person(serving, identity.temporary_code(D(1985, 1, 1), 900))
    episode(serving, who, D(2026, 1, 1), D(2026, 2, 1))
    verify(record(serving, who, "employed_open", D(2026, 2, 1)))
    define(serving)
    source = sources.get("outcomes:employed")
    assert source is not None
    assert source.compute(serving.alliance, *YEAR, {}) == Decimal("100.0000")
    assert sources.get("outcomes:nothing").compute(serving.alliance, *YEAR, {}) is None
    assert ("outcomes:employed", "Työllistyneet (employed)") in sources.choices(serving.alliance)


def _oracle(episodes, events, definition, start, end, verified_only=True):
    """The KPI done by hand: for each customer with an episode ended in the period, whether an
    event of the types falls on or after an episode's start and within the days after its end."""
    cohort, reached = set(), set()
    for ep in episodes:
        if ep.ended_on is None or not start <= ep.ended_on < end:
            continue
        cohort.add(ep.customer_id)
        for ev in events:
            if ev.customer_id != ep.customer_id or ev.type.code != "employed_open":
                continue
            if ev.status == Status.CONTRADICTED or (verified_only and ev.status != Status.VERIFIED):
                continue
            if (
                ep.started_on
                <= ev.occurred_on
                <= ep.ended_on + dt.timedelta(days=definition.within_days)
            ):
                reached.add(ep.customer_id)
    return len(cohort), len(reached)


def test_equal_to_the_same_done_by_hand_and_to_a_rebuild(serving: World):
    rng = random.Random(20261206)
    people = [
        person(serving, identity.temporary_code(D(1970 + i, 1 + i % 12, 1 + i % 27), 900 + i))
        for i in range(12)
    ]
    episodes, events = [], []
    for who in people:
        for _ in range(rng.randint(1, 3)):
            start = D(2025, 6, 1) + dt.timedelta(days=rng.randint(0, 400))
            end = start + dt.timedelta(days=rng.randint(0, 120))
            if end > D(2026, 12, 6):
                end = None
            episodes.append(
                episode(serving, who, start, end, producer=rng.choice(["producer", "producer2"]))
            )
    for who in people:
        for _ in range(rng.randint(0, 3)):
            day = D(2025, 7, 1) + dt.timedelta(days=rng.randint(0, 520))
            if day > D(2026, 12, 6):
                continue
            staff = rng.choice(["producer_staff", "producer2_staff", "advisor"])
            try:
                event = record(serving, who, "employed_open", day, by=staff)
            except DomainError:  # no episode of that producer before the day
                continue
            verify(event, rng.choice([Status.VERIFIED, Status.CLAIMED, Status.CONTRADICTED]))
            events.append(event)
    assert events
    for evidence in ("verified", "claimed"):
        definition = define(serving, code=f"k-{evidence}", within_days=60, evidence=evidence)
        figure = kpis.compute(definition, *YEAR)[0]
        expected = _oracle(
            episodes, events, definition, *YEAR, verified_only=evidence == "verified"
        )
        assert (figure.counts.cohort, figure.counts.reached) == expected
    before = sorted(
        FirstOutcome.objects.values_list("episode_id", "type_id", "claimed_on", "verified_on")
    )
    kpis.rebuild(serving.alliance)
    after = sorted(
        FirstOutcome.objects.values_list("episode_id", "type_id", "claimed_on", "verified_on")
    )
    assert before
    assert before == after


def test_small_cells_are_hidden_from_other_parties():
    assert measures.shown(measures.Counts(cohort=4, reached=0), own=False) is False
    assert measures.shown(measures.Counts(cohort=4, reached=0), own=True) is True
    assert measures.shown(measures.Counts(cohort=20, reached=3), own=False) is False
    assert measures.shown(measures.Counts(cohort=20, reached=17), own=False) is False
    assert measures.shown(measures.Counts(cohort=20, reached=0), own=False) is True
    assert measures.shown(measures.Counts(cohort=20, reached=10), own=False) is True


def test_measures_by_hand():
    assert measures.value("share", measures.Counts(3, 1)) == Decimal("33.3333")
    assert measures.value("share", measures.Counts(0, 0)) is None
    assert measures.value("count", measures.Counts(3, 2)) == Decimal(2)
    assert measures.median([5, 1, 3]) == Decimal(3)
    assert measures.median([4, 1, 3, 2]) == Decimal("2.5")
    assert measures.median([]) is None
    with pytest.raises(ValueError, match="more customers"):
        measures.Counts(cohort=1, reached=2)
