"""Register extracts: matched by the keyed pseudonym and never kept in clear, all or nothing,
never twice; employment claims verified, contradicted or left without data; follow-ups."""

from __future__ import annotations

from pathlib import Path

import pytest

from allianssi.audit.models import AuditRecord
from allianssi.core.errors import DomainError
from allianssi.identification import identity
from allianssi.openbook.importing import ImportRejected
from allianssi.outcomes import kpis
from allianssi.outcomes.models import Earnings, FollowUp, OutcomeEvent, RegisterExtract, Status
from allianssi.outcomes.register import extract_import
from allianssi.outcomes.services import Definition, Report, definition_save, event_record
from tests.conftest import World
from tests.outcomes.conftest import D, episode, kind, person

pytestmark = pytest.mark.django_db

A = identity.temporary_code(D(1980, 1, 1), 901)
B = identity.temporary_code(D(1981, 1, 1), 902)
C = identity.temporary_code(D(1982, 1, 1), 903)
STRANGER = identity.temporary_code(D(1983, 1, 1), 904)


def write(tmp_path: Path, text: str, name: str = "tulorekisteri.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def run(world: World, path: Path, who: str = "advisor", **changes):
    arguments = {
        "actor": world.users[who],
        "alliance": world.alliance,
        "organizer": world.org["tampere"],
        "path": path,
        "source": path.name,
        "first_month": D(2026, 1, 1),
        "last_month": D(2026, 9, 1),
        "threshold_cents": 93_000,
    }
    arguments.update(changes)
    return extract_import(**arguments)


@pytest.fixture
def claims(serving: World):
    """Three customers with a service in the spring and a producer's claim of employment."""
    people = {code: person(serving, code) for code in (A, B, C)}
    events = {}
    for code, who in people.items():
        episode(serving, who, D(2026, 1, 10), D(2026, 2, 28))
        events[code] = event_record(
            report=Report(actor=serving.users["producer_staff"]),
            customer=who,
            outcome=kind("employed_open"),
            occurred_on=D(2026, 3, 20),
            evidence=f"Työsopimus {len(events) + 1}/2026",
        )
    return people, events


def test_claims_are_verified_contradicted_or_without_data(serving: World, claims, tmp_path):
    people, events = claims
    path = write(
        tmp_path,
        "henkilötunnus;kuukausi;ansiot\n"
        f"{A};2026-04;2 400,00\n"  # A: paid from April, the month after the claimed start
        f"{A};2026-08;2 400,00\n"
        f"{A};2026-09;1 000,00\n"
        f"{A};2026-09;1 400,00\n"  # two payers in one month: summed
        f"{B};2026-03;150,00\n"  # B: a little in March, nothing in April: contradicted
        f"{STRANGER};2026-03;3000\n",  # not a customer of Tampere: dropped
    )
    result = run(serving, path)
    assert (result.verified, result.contradicted, result.no_data) == (1, 1, 1)
    extract = result.extract
    assert (extract.rows, extract.matched, extract.unmatched) == (6, 2, 1)
    statuses = {code: OutcomeEvent.objects.get(pk=e.pk).status for code, e in events.items()}
    assert statuses == {A: Status.VERIFIED, B: Status.CONTRADICTED, C: Status.NO_DATA}
    # Every month of the period is kept for each person named: 0 where nothing was paid.
    assert Earnings.objects.filter(extract=extract).count() == 2 * 9
    september = Earnings.objects.get(extract=extract, customer=people[A], month=D(2026, 9, 1))
    assert september.cents == 240_000
    # Nothing of the file's henkilötunnus is kept: not the codes, not the stranger's pseudonym.
    kept = repr(list(Earnings.objects.values())) + repr(list(RegisterExtract.objects.values()))
    assert A not in kept
    assert STRANGER not in kept
    assert identity.pseudonym(STRANGER) not in kept
    audit = AuditRecord.objects.filter(action="register_extract.import").get()
    assert A not in repr(audit.after)
    # The follow-ups: ended in February, +6 months is August.
    follow = FollowUp.objects.get(episode__customer=people[A])
    assert (follow.cents_3, follow.cents_6, follow.cents_12) == (0, 240_000, None)
    assert FollowUp.objects.get(episode__customer=people[C]).cents_6 is None


def test_employed_at_six_months_from_the_follow_ups(serving: World, claims, tmp_path):
    run(serving, write(tmp_path, f"hetu;month;earnings\n{A};2026-08;2400\n{B};2026-08;500\n"))
    definition = definition_save(
        actor=serving.users["manager"],
        alliance=serving.alliance,
        definition=Definition(
            code="employed-6",
            name_fi="Työssä puolen vuoden päästä",
            measure="share",
            employed_months=6,
            threshold_cents=100_000,
        ),
    )
    [figure] = kpis.compute(definition, D(2026, 1, 1), D(2027, 1, 1))
    # C has no register data: left out of the cohort and counted apart.
    assert (figure.counts.cohort, figure.counts.reached, figure.counts.no_data) == (2, 1, 1)


def test_a_bad_row_lands_nothing_and_says_where(serving: World, claims, tmp_path):
    path = write(
        tmp_path,
        f"hetu;month;earnings\n{A};2026-04;2400\n010280-952X;2026-04;100\n{B};2027-01;10\n{C};2026-05;-5\n",
    )
    with pytest.raises(ImportRejected) as refused:
        run(serving, path)
    assert [(e.line, e.column) for e in refused.value.errors] == [
        (3, "hetu"),
        (4, "month"),
        (5, "earnings"),
    ]
    assert "check character" in refused.value.errors[0].text
    assert not RegisterExtract.objects.exists()
    assert not Earnings.objects.exists()
    assert OutcomeEvent.objects.filter(status=Status.CLAIMED).count() == 3


def test_the_same_file_is_imported_once(serving: World, claims, tmp_path):
    path = write(tmp_path, f"hetu;month;earnings\n{A};2026-04;2400\n")
    first = run(serving, path)
    again = run(serving, path)
    assert again.duplicate
    assert again.extract == first.extract
    assert RegisterExtract.objects.count() == 1


def test_only_the_organizers_advisors_and_controller_import(serving: World, claims, tmp_path):
    path = write(tmp_path, f"hetu;month;earnings\n{A};2026-04;2400\n")
    for who in ("producer_staff", "advisor_nokia", "manager"):
        with pytest.raises(DomainError) as refused:
            run(serving, path, who=who)
        assert refused.value.code == "forbidden"


def test_a_header_that_is_not_the_format(serving: World, tmp_path):
    with pytest.raises(ImportRejected) as refused:
        run(serving, write(tmp_path, "name;amount\nx;1\n"))
    assert refused.value.code == "import_header"


def test_the_period_is_checked(serving: World, tmp_path):
    path = write(tmp_path, f"hetu;month;earnings\n{A};2026-04;2400\n")
    with pytest.raises(DomainError) as refused:
        run(serving, path, first_month=D(2026, 5, 1), last_month=D(2026, 4, 1))
    assert refused.value.code == "extract_period"
    with pytest.raises(DomainError) as refused:
        run(serving, path, last_month=D(2027, 1, 1))
    assert refused.value.code == "extract_future"


def test_erasure_takes_the_earnings_and_the_texts_but_keeps_the_numbers(
    serving: World, claims, tmp_path
):
    import datetime as dt

    from allianssi.customers.services import customers_purge
    from allianssi.outcomes.models import Dispute
    from allianssi.outcomes.services import dispute_raise

    people, events = claims
    run(serving, write(tmp_path, f"hetu;month;earnings\n{A};2026-04;2400\n{B};2026-03;0\n"))
    contradicted = OutcomeEvent.objects.get(pk=events[B].pk)
    dispute_raise(
        actor=serving.users["producer_staff"],
        event=contradicted,
        reason="Maija Meikäläinen kertoi palkasta",
        evidence="Palkkalaskelma",
    )
    erased = customers_purge(today=D(2026, 12, 6) + dt.timedelta(days=3000))
    assert erased == 3
    assert not Earnings.objects.exists()
    assert set(OutcomeEvent.objects.values_list("evidence", flat=True)) == {""}
    assert set(OutcomeEvent.objects.values_list("check_note", flat=True)) == {""}
    assert Dispute.objects.get().reason == ""
    assert OutcomeEvent.objects.count() == 3
    assert FollowUp.objects.filter(episode__customer=people[A]).get().cents_6 == 0


def test_an_episode_ended_after_the_extract_gets_its_follow_up(serving: World, tmp_path):
    from allianssi.referrals.services import referral_complete
    from tests.customers.world import web

    who = person(serving, A)
    ep = episode(serving, who, D(2026, 1, 10), None)
    run(serving, write(tmp_path, f"hetu;month;earnings\n{A};2026-05;1800\n"))
    assert not FollowUp.objects.exists()
    referral_complete(
        referral=ep.referral,
        move=web(serving, "producer_staff"),
        outcome="achieved",
        ended_on=D(2026, 2, 15),
    )
    follow = FollowUp.objects.get(episode=ep)
    assert (follow.cents_3, follow.cents_6) == (180_000, 0)
