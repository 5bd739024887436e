"""KPIs from outcome data: the cohort, the outcome window, the measures, kept incrementally and
equal to a full rebuild and to the same computation done by hand in Python."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.utils import timezone

from allianssi.core.errors import DomainError
from allianssi.identification import identity
from allianssi.outcomes import kpis, measures
from allianssi.outcomes.models import (
    EventImport,
    FirstOutcome,
    FollowUp,
    KpiDefinition,
    OutcomeEvent,
    Source,
    Status,
    Via,
)
from allianssi.outcomes.services import Definition, Report, definition_save, event_record
from allianssi.referrals.services import referral_complete
from allianssi.settlement import sources
from tests.conftest import World
from tests.customers.world import web
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


@pytest.mark.skipif(connection.vendor != "postgresql", reason="work_mem is PostgreSQL's")
def test_postgresql__the_kpis_memory_is_theirs_alone(serving: World):
    """Raised for the KPI's statements, then back to what the caller's transaction had."""

    def work_mem() -> str:
        with connection.cursor() as cursor:
            cursor.execute("SHOW work_mem")
            return str(cursor.fetchone()[0])

    with transaction.atomic():
        before = work_mem()
        assert before != kpis.KPI_WORK_MEM
        kpis.compute(define(serving), *YEAR)
        assert work_mem() == before


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


def _tables() -> tuple[list[tuple], list[tuple]]:
    """Every column of both KPI tables but the first outcomes' surrogate key, sorted."""
    return (
        sorted(FirstOutcome.objects.order_by().values_list(*_columns(FirstOutcome))),
        sorted(FollowUp.objects.order_by().values_list(*_columns(FollowUp))),
    )


def _columns(model) -> list[str]:
    return [field.attname for field in model._meta.concrete_fields if field.attname != "id"]


def test_equal_to_the_same_done_by_hand_and_to_a_rebuild(serving: World):
    rng = random.Random(20261206)
    people = [
        person(serving, identity.temporary_code(D(1970 + i, 1 + i % 12, 1 + i % 27), 900 + i))
        for i in range(12)
    ]
    episodes, events, later = [], [], []
    for who in people:
        for _ in range(rng.randint(1, 3)):
            start = D(2025, 6, 1) + dt.timedelta(days=rng.randint(0, 400))
            end = start + dt.timedelta(days=rng.randint(0, 120))
            if end > D(2026, 12, 6):
                end = None
            producer = rng.choice(["producer", "producer2"])
            # Some episodes end only after their outcomes are recorded: the end is stamped on
            # the first outcomes already there.
            ends_later = end is not None and rng.random() < 0.4
            made = episode(serving, who, start, None if ends_later else end, producer=producer)
            episodes.append(made)
            if ends_later:
                later.append((made, end, producer))
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
    assert later
    for made, end, producer in later:
        staff = web(serving, f"{producer}_staff" if producer != "producer" else "producer_staff")
        referral_complete(referral=made.referral, move=staff, outcome="achieved", ended_on=end)
        made.refresh_from_db()
    for evidence in ("verified", "claimed"):
        definition = define(serving, code=f"k-{evidence}", within_days=60, evidence=evidence)
        for by in (None, "producer", "organizer", "service"):
            figures = kpis.compute(definition, *YEAR, by=by)
            assert sum(f.counts.cohort for f in figures) >= figures[0].counts.cohort > 0
        figure = kpis.compute(definition, *YEAR)[0]
        expected = _oracle(
            episodes, events, definition, *YEAR, verified_only=evidence == "verified"
        )
        assert (figure.counts.cohort, figure.counts.reached) == expected
    before = _tables()
    kpis.rebuild(serving.alliance)
    after = _tables()
    assert before[0]
    assert before[1]
    assert before == after


def test_an_imports_claims_fold_in_as_a_rebuild_would(serving: World):
    """``claims_recorded`` folds a batch's new claims in by one upsert: the tables then equal a
    rebuild's, whatever was there before (earlier claims, verified and contradicted ones)."""
    people = [
        person(serving, identity.temporary_code(D(1980, 1, 1 + i), 920 + i)) for i in range(4)
    ]
    for who in people:
        episode(serving, who, D(2026, 1, 5), D(2026, 3, 31))
        episode(serving, who, D(2026, 5, 1), None)
    verify(record(serving, people[0], "employed_open", D(2026, 6, 1)))
    verify(record(serving, people[1], "employed_open", D(2026, 2, 1)), Status.CONTRADICTED)
    record(serving, people[2], "employed_open", D(2026, 4, 20))
    batch = EventImport.objects.create(
        alliance=serving.alliance,
        reporter=serving.org["producer"],
        source="tulokset.csv",
        digest="0" * 64,
        rows=5,
        imported_by=serving.users["producer_staff"],
        imported_at=timezone.now(),
    )
    new = [
        (people[0], D(2026, 2, 10)),  # earlier than its verified event: the first claim moves
        (people[1], D(2026, 2, 15)),  # beside a contradicted one
        (people[2], D(2026, 5, 20)),  # later than its claim: the first claim stays
        (people[3], D(2026, 3, 1)),  # the customer's first
        (people[3], D(2026, 3, 2)),  # and a second the same batch: the earlier counts
    ]
    for who, day in new:
        OutcomeEvent.objects.create(
            alliance=serving.alliance,
            customer=who,
            type=kind("employed_open"),
            occurred_on=day,
            source=Source.PRODUCER,
            reporter=serving.org["producer"],
            producer=serving.org["producer"],
            via=Via.IMPORT,
            batch=batch,
            recorded_by=serving.users["producer_staff"],
            recorded_at=timezone.now(),
            status=Status.CLAIMED,
        )
    kpis.claims_recorded(batch.pk)
    folded = _tables()
    kpis.rebuild(serving.alliance)
    assert folded == _tables()
    assert FirstOutcome.objects.get(customer=people[0], started_on=D(2026, 1, 5)).claimed_on == D(
        2026, 2, 10
    )
    assert FirstOutcome.objects.filter(customer=people[3]).get().claimed_on == D(2026, 3, 1)


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


def test_imported_customers_ended_episodes_join_the_cohort(serving: World, tmp_path):
    """Customers brought in by the customer import, with referral histories that ended, are in
    the KPIs' cohort at once (the import writes in bulk and tells the outcomes through
    ``core.hooks.customers_imported``); a dry run adds nothing."""
    from allianssi.parties.models import Organisation
    from tests.customers.test_import import PRODUCER_ID, completed, run, write
    from tests.customers.test_import import person as line
    from tests.customers.world import offered

    offered(serving)  # the service the import's lines name (number 1), by the file's producer
    Organisation.objects.filter(pk=serving.org["producer"].pk).update(business_id=PRODUCER_ID)
    path = write(
        tmp_path,
        line(referrals=[completed()]),
        line(hetu=identity.temporary_code(D(1985, 5, 5), 941), referrals=[completed()]),
    )
    definition = define(serving)
    run(serving, path, dry_run=True)
    assert not FollowUp.objects.exists()
    run(serving, path)
    figure = kpis.compute(definition, *YEAR)[0]
    assert figure.counts.cohort == 2
    imported = _tables()
    assert len(imported[1]) == 2
    kpis.rebuild(serving.alliance)
    assert _tables() == imported
