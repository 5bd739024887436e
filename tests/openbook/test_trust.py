"""The open books under bad input, mistakes and tampering (issue 15): every refusal is a clear
message and changes nothing; a mistaken budget revision is mended by a superseding one; a cost
is booked within the term and the horizon; a changed entry is found even with its rollup changed
to match."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import translation

from allianssi.alliances.models import Phase
from allianssi.audit import triggers
from allianssi.audit.models import AuditRecord
from allianssi.audit.services import audit_append
from allianssi.background.worker import drain
from allianssi.core import clock
from allianssi.core.errors import DomainError
from allianssi.openbook import bulk, ingest, services
from allianssi.openbook.importing import MAX_BATCH_CENTS, ImportRejected, import_costs
from allianssi.openbook.models import (
    BudgetRevision,
    CostEntry,
    ImportBatch,
    ImportJob,
    LedgerTotal,
    OrganizerTotal,
    PartyTotal,
    StaffContribution,
)
from allianssi.openbook.verify import batch_digests, posted_entries, rollup_mismatches
from tests.conftest import World

pytestmark = pytest.mark.django_db

HEADER = "kirjauspäivä;tuottaja;järjestäjä;palvelualue;kustannuslaji;summa;kuvaus;tosite"
MAX_ROW = "999999999999,99"  # ingest.MAX_CENTS: the most one row may carry


def _raises(code: str):
    return pytest.raises(DomainError, match=f"^{code}:")


def _csv(tmp_path: Path, lines: list[str], name: str = "kulut.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


def _row(day: str = "15.3.2026", amount: str = "10,00", **cells: str) -> str:
    values = {
        "producer": "Työpolku Oy",
        "organizer": "Tampere",
        "area": "employment",
        "category": "personnel",
        "description": "Palkka",
        "evidence": "L-1",
    }
    values.update(cells)
    return (
        f"{day};{values['producer']};{values['organizer']};{values['area']};"
        f"{values['category']};{amount};{values['description']};{values['evidence']}"
    )


def _import(world: World, path: Path, who: str = "manager", **extra):
    return import_costs(
        actor=world.users[who], alliance=world.alliance, path=path, source=path.name, **extra
    )


def _client(world: World, who: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.users[who])
    return client


def _post(world: World, booked_on: dt.date, amount: Decimal, description: str) -> CostEntry:
    """One cost by hand, the producer's personnel cost carried by Tampere."""
    return services.entry_post(
        actor=world.users["manager"],
        alliance=world.alliance,
        booked_on=booked_on,
        incurred_by=world.org["producer"],
        carried_by=world.org["tampere"],
        service_area="employment",
        category="personnel",
        amount=amount,
        description=description,
    )


def _nothing_booked() -> None:
    assert not CostEntry.objects.exists()
    assert not ImportBatch.objects.exists()
    assert not LedgerTotal.objects.exists()
    assert not PartyTotal.objects.exists()
    assert not OrganizerTotal.objects.exists()


@pytest.fixture
def formed(world: World) -> World:
    world.to_phase(Phase.FORMATION)
    return world


# Bad input: a clear refusal, never a traceback ----------------------------------------------------


def test_import__a_field_longer_than_the_csv_readers_limit_is_refused_by_line(
    formed: World, tmp_path: Path
):
    long = "x" * (ingest.FIELD_LIMIT + 1)
    path = _csv(tmp_path, [_row(), _row(description=long), _row()])
    with translation.override("en"), _raises("import_field_too_long") as refused:
        _import(formed, path)
    with translation.override("en"):  # the message is translated when read
        assert "line 3 has a field longer than 131 072 characters" in refused.value.message
    _nothing_booked()
    # The command: its one-line error and a non-zero exit status, no traceback.
    with pytest.raises(CommandError, match="line 3 has a field longer") as failed:
        call_command(
            "openbook_import",
            str(path),
            alliance=formed.alliance.pk,
            user="manager",
            language="en",
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    assert "\n" not in str(failed.value)
    # In the header too.
    header = tmp_path / "header.csv"
    header.write_text(f"{HEADER};{long}\n{_row()}\n", encoding="utf-8")
    with _raises("import_field_too_long"):
        _import(formed, header)
    _nothing_booked()


def test_import_page__a_field_too_long_shows_its_message_on_the_jobs_page(formed: World):
    body = f"{HEADER}\n{_row(description='y' * 200_000)}\n".encode()
    client = _client(formed, "manager")
    posted = client.post(
        reverse("openbook:import", args=[formed.alliance.pk]),
        {"file": SimpleUploadedFile("kulut.csv", body)},
    )
    assert drain() == 1  # the worker runs the import queued by the page
    response = client.get(posted["Location"])
    assert response.status_code == 200
    job = ImportJob.objects.get()
    assert job.status == "failed"
    assert "line 2 has a field longer than" in response.content.decode()
    assert "unexpectedly" not in response.content.decode()
    _nothing_booked()


def test_import__a_batch_whose_total_passes_its_column_is_refused(formed: World, tmp_path: Path):
    # Every row within the per-row maximum; 101 of them pass the batch's column, 99 999 999 999
    # 999,99 €. Spread over two producers and two areas, no rollup total passes its limit first.
    lines = [
        _row(
            f"{1 + i % 28}.3.2026",
            MAX_ROW,
            producer=("Työpolku Oy", "Tampereen työllisyyspalvelut")[i % 2],
            area=("employment", "business")[i // 2 % 2],
        )
        for i in range(101)
    ]
    with translation.override("en"), _raises("import_total_too_large") as refused:
        _import(formed, _csv(tmp_path, lines))
    with translation.override("en"):  # the message is translated when read
        assert "at most €99,999,999,999,999.99 either way" in refused.value.message
    _nothing_booked()
    assert 100 * ingest.MAX_CENTS <= MAX_BATCH_CENTS  # a hundred rows still fit
    assert _import(formed, _csv(tmp_path, lines[:100], name="sata.csv")).batch.rows == 100


def test_import__a_rollup_total_never_passes_its_limit(formed: World, tmp_path: Path):
    # One key's sum beyond the limit while the batch's total is zero: refused before writing.
    plus = [_row(f"{1 + i % 28}.3.2026", MAX_ROW) for i in range(101)]
    minus = [_row(f"{1 + i % 28}.3.2026", "-" + MAX_ROW, category="other") for i in range(101)]
    with _raises("total_too_large"):
        _import(formed, _csv(tmp_path, plus + minus))
    _nothing_booked()
    # A total near the limit, then a batch that would carry it over, among 300 other keys (on
    # PostgreSQL the upsert through a temporary table; on SQLite many-row statements).
    first = _import(formed, _csv(tmp_path, plus[:100], name="eka.csv"))
    assert LedgerTotal.objects.get().amount * 100 == 100 * ingest.MAX_CENTS
    others = [
        _row(
            f"1.{month}.2026",
            "1,00",
            producer=producer,
            organizer=organizer,
            area=area,
            category=category,
        )
        for month in range(4, 12)
        for area in ("employment", "business")
        for producer in ("Työpolku Oy", "Tampereen työllisyyspalvelut")
        for organizer in ("Tampere", "Nokia")
        for category in ("personnel", "premises", "other", "purchased_services")
    ]
    assert len(others) == 256  # distinct keys: more than one statement's 200
    with _raises("total_too_large"):
        _import(formed, _csv(tmp_path, [*others, _row("20.3.2026", "1000,00")], name="toka.csv"))
    assert list(ImportBatch.objects.all()) == [first.batch]
    assert CostEntry.objects.count() == 100
    # By hand too, and the totals stay exactly the ledger's.
    with _raises("total_too_large"):
        _post(formed, dt.date(2026, 3, 20), Decimal("100000.00"), "Liikaa")
    assert CostEntry.objects.count() == 100
    assert rollup_mismatches() == []
    # Well below the limit, the same key still takes more.
    _post(formed, dt.date(2026, 3, 20), Decimal("-5.00"), "Hyvitys")
    assert rollup_mismatches() == []


def test_import__an_amount_far_out_of_range_or_a_nul_in_the_batch_id_is_refused(
    formed: World, tmp_path: Path
):
    # Decimal overflows on an exponent this far out; the row is rejected like any bad amount.
    with pytest.raises(ImportRejected) as refused:
        _import(formed, _csv(tmp_path, [_row(amount="1e999999"), _row(amount="-1E+99999")]))
    assert [(e.line, e.column) for e in refused.value.errors] == [(2, "summa"), (3, "summa")]
    with _raises("text_nul"):
        _import(formed, _csv(tmp_path, [_row()], name="b.csv"), external_id="erp\x00-1")
    with _raises("batch_id_invalid"):
        _import(formed, _csv(tmp_path, [_row()], name="c.csv"), external_id="x" * 101)
    _nothing_booked()


def test_plan_and_entry__values_beyond_the_columns_are_refused_with_the_range(formed: World):
    with translation.override("en"), _raises("person_years_invalid") as refused:
        services.budget_set(
            actor=formed.users["manager"],
            alliance=formed.alliance,
            organisation=formed.org["tampere"],
            year=2026,
            service_area="employment",
            amount=Decimal("1.00"),
            person_years=Decimal("10000000"),
            effective_on=dt.date(2026, 1, 1),
        )
    with translation.override("en"):  # the message is translated when read
        assert "from 0 to 999,999.99" in refused.value.message
    with _raises("text_too_long"):
        services.staff_set(
            actor=formed.users["manager"],
            alliance=formed.alliance,
            organisation=formed.org["tampere"],
            year=2026,
            person_years=Decimal("1"),
            effective_on=dt.date(2026, 1, 1),
            reason="x" * 100_000,
        )
    with _raises("text_too_long"):
        _post(formed, dt.date(2026, 3, 1), Decimal("1.00"), "x" * 501)
    assert not BudgetRevision.objects.exists()
    assert not StaffContribution.objects.exists()
    assert not CostEntry.objects.exists()
    client = _client(formed, "manager")
    page = client.post(
        reverse("openbook:plan_budget", args=[formed.alliance.pk]),
        {
            "budget-organisation": formed.org["tampere"].pk,
            "budget-year": 2026,
            "budget-service_area": "employment",
            "budget-amount": "1",
            "budget-person_years": "99999999999999999999",
            "budget-effective_on": "2026-01-01",
        },
    )
    assert page.status_code == 200
    assert "999999.99" in page.content.decode()
    assert not BudgetRevision.objects.exists()


def test_books__a_month_at_the_end_of_the_calendar_is_not_a_server_error(formed: World):
    client = _client(formed, "observer")
    for query in ({"end": "9999-12"}, {"start": "9999-12", "end": "9999-12"}, {"start": "0001-01"}):
        assert (
            client.get(reverse("openbook:books", args=[formed.alliance.pk]), query).status_code
            == 200
        )
        for name in ("months", "budget", "producers"):
            chart = reverse("openbook:chart", args=[formed.alliance.pk, name])
            assert client.get(chart, query).status_code == 200
        assert (
            client.get(reverse("openbook:csv", args=[formed.alliance.pk]), query).status_code == 200
        )
    for key in ("x", "9999-99-99_1", "2026-03-01_" + "9" * 40, "0001-01-01_1"):
        for name in ("after", "before"):
            response = client.get(reverse("openbook:books", args=[formed.alliance.pk]), {name: key})
            assert response.status_code == 200


def test_worker__a_stale_age_beyond_a_week_is_refused(world: World):
    with pytest.raises(CommandError, match="give 1 to 10080 minutes"):
        call_command("worker", "--stale-minutes", "99999999999", stdout=io.StringIO())


# Mistakes: refused, or mended -------------------------------------------------------------------


def _budget(world: World, amount: str, on: dt.date, reason: str = "", who: str = "leader"):
    return services.budget_set(
        actor=world.users[who],
        alliance=world.alliance,
        organisation=world.org["tampere"],
        year=2026,
        service_area="employment",
        amount=Decimal(amount),
        person_years=Decimal("2.00"),
        effective_on=on,
        reason=reason,
    )


def test_budget__a_revision_takes_effect_within_its_year(world: World):
    original = _budget(world, "500000.00", dt.date(2026, 1, 1))
    with translation.override("en"), _raises("date_outside_year") as refused:
        _budget(world, "550000.00", dt.date(9999, 12, 31), "Lisätalousarvio")
    with translation.override("en"):  # the message is translated when read
        assert "from 1.1.2026 to 31.12.2026" in refused.value.message
    with _raises("date_outside_year"):
        _budget(world, "550000.00", dt.date(2025, 12, 31), "Lisätalousarvio")
    assert list(original.budget.revisions.all()) == [original]


def test_budget__a_mistaken_revision_is_superseded_and_the_budget_moves_again(world: World):
    original = _budget(world, "500000.00", dt.date(2026, 2, 1))
    # A revision recorded before the year rule: 31.12.9999 held every later change back.
    frozen = BudgetRevision.objects.create(
        budget=original.budget,
        number=2,
        amount=Decimal("5500000.00"),
        person_years=Decimal("2.00"),
        effective_on=dt.date(9999, 12, 31),
        reason="Lisätalousarvio (väärä päivä ja summa)",
        created_by=world.users["leader"],
    )
    with _raises("date_before_previous"):
        _budget(world, "550000.00", dt.date(2026, 6, 1), "Lisätalousarvio")

    def correct(revision: BudgetRevision, who: str = "leader", **values):
        arguments = {
            "amount": Decimal("550000.00"),
            "person_years": Decimal("2.00"),
            "effective_on": dt.date(2026, 6, 1),
            "reason": "Päivä ja summa korjattu",
        }
        arguments.update(values)
        return services.budget_revision_supersede(
            actor=world.users[who], revision=revision, **arguments
        )

    with _raises("forbidden"):
        correct(frozen, who="controller")  # Nokia's controller: not its budget
    with _raises("reason_required"):
        correct(frozen, reason=" ")
    with _raises("date_outside_year"):
        correct(frozen, effective_on=dt.date(2027, 1, 1))
    with _raises("not_latest_revision"):
        correct(original)
    correction = correct(frozen)
    assert (correction.number, correction.supersedes, correction.amount) == (
        3,
        frozen,
        Decimal("550000.00"),
    )
    record = AuditRecord.objects.get(action="budget.supersede")
    assert record.before["effective_on"] == "9999-12-31"
    assert record.after["supersedes"] == 2
    assert record.after["reason"] == "Päivä ja summa korjattu"
    # A correction takes effect no earlier than the revision in force before the mistaken one.
    with _raises("date_before_previous"):
        correct(correction, effective_on=dt.date(2026, 1, 31))
    # The budget moves on, and the selectors read the correction.
    later = _budget(world, "600000.00", dt.date(2026, 9, 1), "Toinen lisätalousarvio")
    assert later.number == 4
    from allianssi.openbook.selectors import budget_vs_actual

    (line,) = budget_vs_actual(user=world.users["observer"], alliance=world.alliance, year=2026)
    assert line.budget == Decimal("600000.00")


def test_budget_correction__a_page_for_whoever_may_revise_the_budget(world: World):
    _budget(world, "500000.00", dt.date(2026, 1, 1))
    mistaken = _budget(world, "9000000.00", dt.date(2026, 3, 1), "Lisäys", who="manager")
    url = reverse("openbook:budget_correct", args=[world.alliance.pk, mistaken.pk])
    plan = reverse("openbook:plan", args=[world.alliance.pk])
    assert _client(world, "observer").get(url).status_code == 403
    assert _client(world, "controller").get(url).status_code == 403  # Nokia's: not its budget
    assert _client(world, "other_manager").get(url).status_code == 404
    leader = _client(world, "leader")  # Tampere's leadership member
    assert url in leader.get(plan).content.decode()
    form = leader.get(url)
    assert form.status_code == 200
    assert 'value="9000000.00"' in form.content.decode()
    refused = leader.post(
        url,
        {"amount": "900000,00", "person_years": "2", "effective_on": "2027-03-01", "reason": "x"},
    )
    assert "in the year 2026" in refused.content.decode()
    done = leader.post(
        url,
        {
            "amount": "900 000,00",
            "person_years": "2",
            "effective_on": "2026-03-01",
            "reason": "Yksi nolla liikaa",
        },
        follow=True,
    )
    assert done.redirect_chain[-1][0] == plan
    text = done.content.decode()
    assert "Revision 2 was corrected by revision 3." in text
    assert "Corrected by revision 3" in text
    assert "Corrects revision 2" in text
    assert BudgetRevision.objects.filter(budget=mistaken.budget).latest("number").amount == (
        Decimal("900000.00")
    )
    # Only the latest revision is offered for correction.
    assert url not in text


def test_staff__a_mistaken_statement_is_superseded(formed: World):
    first = services.staff_set(
        actor=formed.users["producer_leader"],
        alliance=formed.alliance,
        organisation=formed.org["producer"],
        year=2026,
        person_years=Decimal("35.00"),
        effective_on=dt.date(2026, 1, 1),
    )
    url = reverse("openbook:staff_correct", args=[formed.alliance.pk, first.pk])
    assert _client(formed, "controller").get(url).status_code == 403
    response = _client(formed, "producer_leader").post(
        url,
        {"person_years": "3,5", "effective_on": "2026-01-01", "reason": "Pilkku väärässä"},
    )
    assert response.status_code == 302
    correction = StaffContribution.objects.get(supersedes=first)
    assert (correction.number, correction.person_years) == (2, Decimal("3.50"))
    assert AuditRecord.objects.filter(action="staff.supersede").count() == 1
    with _raises("not_latest_revision"):
        services.staff_revision_supersede(
            actor=formed.users["manager"],
            contribution=first,
            person_years=Decimal("3"),
            effective_on=dt.date(2026, 1, 1),
            reason="x",
        )


def test_booking__within_the_term_and_the_horizon_in_every_path(
    formed: World, tmp_path: Path, settings
):
    settings.OPENBOOK_BOOKING_HORIZON_DAYS = 31
    today = clock.today()
    first, last = services.booking_window(formed.alliance, today)
    assert (first, last) == (
        dt.date(2026, 1, 1),
        min(today + dt.timedelta(days=31), first.replace(year=2029, month=12, day=31)),
    )

    end = ingest.day_text(last)
    with translation.override("en"), _raises("date_outside_term") as refused:
        # Within the term, years ahead.
        _post(formed, dt.date(2029, 12, 31), Decimal("10.00"), "Palkka")
    with translation.override("en"):  # the message is translated when read
        assert f"from 1.1.2026 to {end}" in refused.value.message
        assert "at most 31 days after today" in refused.value.message
    with _raises("date_outside_term"):
        _post(formed, dt.date(2025, 12, 31), Decimal("10.00"), "Palkka")
    entry = _post(formed, last, Decimal("10.00"), "Palkka")
    with _raises("date_outside_term"):
        services.entry_reverse(
            actor=formed.users["manager"],
            entry=entry,
            reason="Väärä",
            booked_on=last + dt.timedelta(days=1),
        )
    # The import names the range on the row.
    with translation.override("en"), pytest.raises(DomainError) as rejected:
        _import(formed, _csv(tmp_path, [_row("31.12.2029")]))
    (error,) = rejected.value.errors
    assert (error.line, error.column) == (2, "kirjauspäivä")
    with translation.override("en"):  # the row's message is translated when read
        assert f"from 1.1.2026 to {end}" in error.text
    # The horizon is a setting.
    settings.OPENBOOK_BOOKING_HORIZON_DAYS = 10_000
    assert services.booking_window(formed.alliance, today)[1] == dt.date(2029, 12, 31)
    assert _import(formed, _csv(tmp_path, [_row("31.12.2029")], name="b.csv")).batch.rows == 1


# Tampering: found even with the rollup changed to match ------------------------------------------


def _tamper(sql: str, parameters: list) -> None:
    """What a database superuser can do: lift the append-only trigger, change, put it back."""
    triggers.remove(connection, ["openbook_costentry"])
    with connection.cursor() as cursor:
        cursor.execute(sql, parameters)
    triggers.install(connection, ["openbook_costentry"])


def _verify() -> tuple[str, str, CommandError | None]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("openbook_verify", stdout=out, stderr=err)
    except CommandError as failed:
        return out.getvalue(), err.getvalue(), failed
    return out.getvalue(), err.getvalue(), None


@pytest.mark.parametrize("parallel", [False, True])
def test_verify__an_entry_and_its_rollup_changed_together_are_found_by_the_batch_digest(
    formed: World, tmp_path: Path, parallel: bool
):
    lines = [_row(f"{d}.3.2026", f"{d},25", description=f"Rivi\t{d}\\") for d in range(1, 11)]
    first = _import(formed, _csv(tmp_path, lines[:5]), parallel=parallel).batch
    second = _import(formed, _csv(tmp_path, lines[5:], name="b.csv"), parallel=parallel).batch
    record = AuditRecord.objects.get(action="cost.import", object_id=str(first.pk))
    assert len(record.after["rows_sha256"]) == 64
    out, _err, failed = _verify()
    assert failed is None
    assert "2 import batch(es) match their digests" in out
    entry = CostEntry.objects.filter(batch=second).order_by("pk")[2]
    table = CostEntry._meta.db_table
    _tamper(f"UPDATE {table} SET amount = amount + 100000 WHERE id = %s", [entry.pk])  # noqa: S608
    LedgerTotal.objects.filter(month="2026-03-01").update(
        amount=LedgerTotal.objects.get().amount + 1000
    )
    PartyTotal.objects.filter(month="2026-03-01").update(
        amount=PartyTotal.objects.get().amount + 1000
    )
    OrganizerTotal.objects.filter(month="2026-03-01").update(
        amount=OrganizerTotal.objects.get().amount + 1000
    )
    assert rollup_mismatches() == []  # the rollup agrees: the old check passes
    _out, err, failed = _verify()
    assert failed is not None
    assert f"import batch {second.pk}: its rows do not match the digest" in err
    assert f"import batch {first.pk}:" not in err
    check = batch_digests(formed.alliance.pk)
    assert {batch for _a, batch, _p in check.problems} == {second.pk}


def test_verify__a_description_moved_between_batches_or_a_posted_cost_changed_is_found(
    formed: World, tmp_path: Path
):
    batch = _import(formed, _csv(tmp_path, [_row(), _row("16.3.2026")])).batch
    posted = _post(formed, dt.date(2026, 4, 1), Decimal("10.00"), "Käsin")
    assert posted_entries() == []
    table = CostEntry._meta.db_table
    _tamper(f"UPDATE {table} SET description = %s WHERE batch_id = %s", ["Muu", batch.pk])  # noqa: S608
    _tamper(f"UPDATE {table} SET evidence = %s WHERE id = %s", ["X", posted.pk])  # noqa: S608
    assert rollup_mismatches() == []
    _out, err, failed = _verify()
    assert failed is not None
    assert f"import batch {batch.pk}: its rows do not match the digest" in err
    assert f"cost entry {posted.pk}: its evidence differ(s) from its audit record" in err


def test_verify__a_batch_booked_before_digests_is_named_not_failed(formed: World):
    # As an import recorded before the digest: its audit record has no rows_sha256.
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            alliance=formed.alliance,
            checksum="0" * 64,
            source="vanha.csv",
            rows=1,
            total=Decimal("10.00"),
            created_by=formed.users["manager"],
        )
        entry = CostEntry.objects.create(
            alliance=formed.alliance,
            booked_on=dt.date(2026, 3, 1),
            incurred_by=formed.org["producer"],
            carried_by=formed.org["tampere"],
            service_area="employment",
            category="personnel",
            amount=Decimal("10.00"),
            description="Vanha",
            batch=batch,
            created_by=formed.users["manager"],
        )
        services.roll(formed.alliance, [entry])
        audit_append(
            actor=formed.users["manager"],
            alliance=formed.alliance,
            action="cost.import",
            obj=batch,
            after={"source": "vanha.csv", "rows": 1, "total": Decimal("10.00")},
        )
    out, _err, failed = _verify()
    assert failed is None
    assert "1 import batch(es) were booked before digests were kept" in out
    assert out.rstrip().split("\n")[0].endswith(f": {batch.pk}")
    # Its recorded number and total are still checked.
    table = CostEntry._meta.db_table
    _tamper(f"UPDATE {table} SET amount = 2000 WHERE id = %s", [entry.pk])  # noqa: S608
    LedgerTotal.objects.update(amount=Decimal("20.00"))
    PartyTotal.objects.update(amount=Decimal("20.00"))
    OrganizerTotal.objects.update(amount=Decimal("20.00"))
    _out, err, failed = _verify()
    assert failed is not None
    assert f"import batch {batch.pk}: the ledger holds 1 of its rows and 20.00 €" in err


def test_bulk__the_rollups_limit_is_checked_on_the_sums_being_added():
    sums = ingest.Sums()
    sums.add(("2026-03-01", 1, 2, "employment", "personnel"), bulk.MAX_TOTAL_CENTS)
    bulk._within_limit(sums)
    sums.add(("2026-04-01", 1, 2, "employment", "personnel"), -bulk.MAX_TOTAL_CENTS - 1)
    with _raises("total_too_large"):
        bulk._within_limit(sums)
