"""Importing costs from CSV and XLSX: all rows or none, every rejection explained, never twice."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from allianssi.alliances.models import Phase
from allianssi.audit.models import AuditRecord
from allianssi.core.errors import DomainError
from allianssi.openbook import ingest
from allianssi.openbook.importing import ImportRejected, import_costs
from allianssi.openbook.models import CostEntry, ImportBatch, LedgerTotal
from allianssi.openbook.verify import rollup_mismatches
from tests.conftest import World

pytestmark = pytest.mark.django_db

FINNISH_HEADER = "kirjauspäivä;tuottaja;järjestäjä;palvelualue;kustannuslaji;summa;kuvaus;tosite"


def _csv(tmp_path: Path, world: World, lines: list[str], name: str = "kulut.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([FINNISH_HEADER, *lines]) + "\n", encoding="utf-8")
    return path


def _good(world: World) -> list[str]:
    y = world.org["producer"].business_id
    return [
        f"15.3.2026;{y};Tampere;Työllisyyspalvelut;Henkilöstö;1 234,56;Valmentajan palkka;L-1",
        "2026-03-20;Työpolku Oy;nokia;employment;purchased_services;-34,56 €;Hyvitys;L-2",
        f"1.4.2026;#{world.org['producer'].pk};Tampere;business;premises;100;Vuokra;",
    ]


def _import(world: World, path: Path, who: str = "manager", **extra):
    return import_costs(
        actor=world.users[who], alliance=world.alliance, path=path, source=path.name, **extra
    )


def test_import__finnish_csv_lands_whole_and_rolls_up_exactly(world: World, tmp_path: Path):
    world.to_phase(Phase.FORMATION)
    result = _import(world, _csv(tmp_path, world, _good(world)))
    assert not result.duplicate
    assert (result.batch.rows, result.batch.total) == (3, Decimal("1300.00"))
    assert CostEntry.objects.filter(batch=result.batch).count() == 3
    march = LedgerTotal.objects.filter(month="2026-03-01")
    assert sum(t.amount for t in march) == Decimal("1200.00")
    assert rollup_mismatches() == []
    record = AuditRecord.objects.get(action="cost.import")
    assert record.after["rows"] == 3
    assert record.after["total"] == "1300.00"


def test_import__the_same_file_or_batch_id_is_never_booked_twice(world: World, tmp_path: Path):
    world.to_phase(Phase.FORMATION)
    path = _csv(tmp_path, world, _good(world))
    first = _import(world, path, external_id="erp-2026-03")
    again = _import(world, path)
    assert again.duplicate
    assert again.batch == first.batch
    other = _csv(tmp_path, world, _good(world)[:1], name="toinen.csv")
    assert _import(world, other, external_id="erp-2026-03").duplicate
    assert CostEntry.objects.count() == 3
    assert ImportBatch.objects.count() == 1


def test_import__every_rejected_row_is_explained_and_nothing_is_saved(world: World, tmp_path: Path):
    world.to_phase(Phase.FORMATION)
    lines = [
        *_good(world),
        "31.2.2026;Työpolku Oy;Tampere;employment;personnel;10;x;",
        "1.3.2026;Tuntematon Oy;Tampere;employment;personnel;10;x;",
        "1.3.2026;Työpolku Oy;Työpolku Oy;employment;personnel;10;x;",
        "1.3.2026;Työpolku Oy;Tampere;sote;personnel;10,001;;",
    ]
    with translation.override("fi"), pytest.raises(ImportRejected) as refused:
        _import(world, _csv(tmp_path, world, lines))
    rejected = refused.value
    assert (rejected.rejected, rejected.rows) == (4, 7)
    where = [(e.line, e.column) for e in rejected.errors]
    assert where == [  # named as the file's header names them
        (5, "kirjauspäivä"),
        (6, "tuottaja"),
        (7, "järjestäjä"),
        (8, "palvelualue"),
        (8, "summa"),
        (8, "kuvaus"),
    ]
    with translation.override("sv"):
        assert "Tuntematon Oy" in rejected.errors[1].text
        assert "producent" in rejected.errors[1].text
    assert not CostEntry.objects.exists()
    assert not ImportBatch.objects.exists()
    assert not LedgerTotal.objects.exists()


def test_import__a_header_not_in_the_format_is_refused(world: World, tmp_path: Path):
    world.to_phase(Phase.FORMATION)
    path = tmp_path / "bad.csv"
    path.write_text("päivä;summa\n1.3.2026;10\n", encoding="utf-8")
    with pytest.raises(ImportRejected) as refused:
        _import(world, path)
    assert refused.value.code == "import_header"
    assert {e.column for e in refused.value.errors} >= {"päivä", "producer", "organizer"}


def test_import__a_producers_staff_imports_only_its_own_costs(world: World, tmp_path: Path):
    world.to_phase(Phase.FORMATION)
    own = "1.3.2026;Työpolku Oy;Tampere;employment;personnel;10;Oma;"
    other = "1.3.2026;Tampereen työllisyyspalvelut;Tampere;employment;personnel;10;Toisen;"
    with pytest.raises(ImportRejected) as refused:
        _import(world, _csv(tmp_path, world, [own, other]), who="producer_staff")
    assert [(e.line, e.column) for e in refused.value.errors] == [(3, "tuottaja")]
    result = _import(world, _csv(tmp_path, world, [own], name="oma.csv"), who="producer_staff")
    assert result.batch.rows == 1


def test_import__xlsx_with_dates_and_numbers_as_cells(world: World, tmp_path: Path):
    import datetime as dt

    from openpyxl import Workbook

    world.to_phase(Phase.FORMATION)
    book = Workbook()
    sheet = book.active
    sheet.append(
        [
            "booked_on",
            "producer",
            "organizer",
            "service_area",
            "category",
            "amount",
            "description",
            "evidence",
        ]
    )
    sheet.append(
        [
            dt.datetime(2026, 5, 4),  # noqa: DTZ001 (a spreadsheet cell has no timezone)
            "Työpolku Oy",
            "Nokia",
            "Employment services",
            "Personnel",
            1234.5,
            "Palkka",
            "X-1",
        ]
    )
    sheet.append(
        [dt.date(2026, 5, 5), "Työpolku Oy", "Nokia", "employment", "other", 0.1, "Posti", None]
    )
    path = tmp_path / "kulut.xlsx"
    book.save(path)
    result = _import(world, path)
    assert result.batch.total == Decimal("1234.60")
    assert sorted(CostEntry.objects.values_list("amount", flat=True)) == [
        Decimal("0.10"),
        Decimal("1234.50"),
    ]


def test_import__chunks_and_the_rollup_stay_exact(world: World, tmp_path: Path, monkeypatch):
    world.to_phase(Phase.FORMATION)
    monkeypatch.setattr(ingest, "CHUNK", 3)
    lines = [
        f"{d}.3.2026;Työpolku Oy;Tampere;employment;personnel;{d},01;Rivi {d};"
        for d in range(1, 11)
    ]
    seen: list[tuple[int, int]] = []
    _import(world, _csv(tmp_path, world, lines), progress=lambda n, of: seen.append((n, of)))
    assert CostEntry.objects.count() == 10
    assert LedgerTotal.objects.get().amount == sum(Decimal(f"{d}.01") for d in range(1, 11))
    assert seen == [(3, 10), (6, 10), (9, 10), (10, 10)]
    assert rollup_mismatches() == []


def test_openbook_import__command_reports_rejections_and_success(world: World, tmp_path: Path):
    world.to_phase(Phase.FORMATION)
    bad = _csv(tmp_path, world, ["1.3.2026;Tuntematon;Tampere;employment;personnel;10;x;"])
    err = io.StringIO()
    with pytest.raises(CommandError, match=r"1 of 1 rows"):
        call_command(
            "openbook_import",
            str(bad),
            alliance=world.alliance.pk,
            user="manager",
            language="en",
            stdout=io.StringIO(),
            stderr=err,
        )
    assert "line 2, tuottaja" in err.getvalue()
    out = io.StringIO()
    call_command(
        "openbook_import",
        str(_csv(tmp_path, world, _good(world), name="ok.csv")),
        alliance=world.alliance.pk,
        user="manager",
        stdout=out,
    )
    assert "Imported 3 rows, 1300.00 €" in out.getvalue()


def test_import__a_file_in_another_encoding_or_a_broken_workbook_is_refused_clearly(
    world: World, tmp_path: Path
):
    world.to_phase(Phase.FORMATION)
    latin = tmp_path / "kulut.csv"
    latin.write_bytes(
        (FINNISH_HEADER + "\n1.3.2026;Työpolku Oy;Tampere;employment;personnel;1;x;\n").encode(
            "cp1252"
        )
    )
    with pytest.raises(DomainError, match=r"^import_encoding:"):
        _import(world, latin)
    broken = tmp_path / "kulut.xlsx"
    broken.write_bytes(b"not a zip")
    with pytest.raises(DomainError, match=r"^import_unreadable:"):
        _import(world, broken)
    assert not CostEntry.objects.exists()


def test_import__a_name_two_members_share_is_refused_not_guessed(world: World, tmp_path: Path):
    from allianssi.alliances.models import MemberRole
    from allianssi.alliances.services import membership_add
    from tests.parties.factories import CompanyFactory

    world.to_phase(Phase.FORMATION)
    twin = CompanyFactory(name="Työpolku Oy")  # another company with the same name
    membership_add(
        actor=world.users["manager"],
        alliance=world.alliance,
        organisation=twin,
        role=MemberRole.PRODUCER,
    )
    line = "1.3.2026;Työpolku Oy;Tampere;employment;personnel;1;x;"
    with pytest.raises(ImportRejected) as refused:
        _import(world, _csv(tmp_path, world, [line]))
    assert "Y-tunnus" in refused.value.errors[0].text
    by_id = f"1.3.2026;{twin.business_id};Tampere;employment;personnel;1;x;"
    assert _import(world, _csv(tmp_path, world, [by_id], name="id.csv")).batch.rows == 1


def test_import__checked_in_a_child_process_the_result_is_the_same(world: World, tmp_path: Path):
    world.to_phase(Phase.FORMATION)
    result = _import(world, _csv(tmp_path, world, _good(world)), parallel=True)
    assert (result.batch.rows, result.batch.total) == (3, Decimal("1300.00"))
    assert rollup_mismatches() == []
    bad = ["1.3.2026;Tuntematon Oy;Tampere;employment;personnel;10;x;"]
    with pytest.raises(ImportRejected) as refused:
        _import(world, _csv(tmp_path, world, bad, name="bad.csv"), parallel=True)
    assert [(e.line, e.column) for e in refused.value.errors] == [(2, "tuottaja")]
    latin = tmp_path / "latin.csv"
    latin.write_bytes(
        (FINNISH_HEADER + "\n1.3.2026;Työpolku Oy;Tampere;employment;personnel;1;x;\n").encode(
            "utf-8"
        )
        + "2.3.2026;Työpolku Oy;Tampere;employment;personnel;1;Hyvä;\n".encode("cp1252")
    )
    with pytest.raises(DomainError, match=r"^import_encoding:"):
        _import(world, latin, parallel=True)
    assert CostEntry.objects.count() == 3


def test_import__a_rejected_row_after_booked_chunks_rolls_everything_back(
    world: World, tmp_path: Path, monkeypatch
):
    world.to_phase(Phase.FORMATION)
    monkeypatch.setattr(ingest, "CHUNK", 2)
    lines = [
        f"{d}.3.2026;Työpolku Oy;Tampere;employment;personnel;{d};Rivi {d};" for d in (1, 2, 3)
    ]
    lines += ["9.3.2026;Työpolku Oy;Tampere;employment;personnel;0;Nolla;"]
    with pytest.raises(ImportRejected) as refused:
        _import(world, _csv(tmp_path, world, lines))
    assert [(e.line, e.column) for e in refused.value.errors] == [(5, "summa")]
    assert not CostEntry.objects.exists()
    assert not LedgerTotal.objects.exists()
    assert not ImportBatch.objects.exists()


def test_import__many_keys_land_in_a_fresh_period_then_add_to_it(world: World, tmp_path: Path):
    """Hundreds of rollup keys: the first import of a period writes its totals straight in
    (PostgreSQL), the next one adds to them; both stay equal to the ledger."""
    world.to_phase(Phase.FORMATION)
    producers = [world.org["producer"].pk, world.org["own_unit"].pk]
    organizers = [world.org["tampere"].pk, world.org["nokia"].pk, world.org["region"].pk]
    categories = ["personnel", "purchased_services", "premises", "other"]
    lines = [
        f"{day}.{month}.2026;#{p};#{o};employment;{c};{month},{day:02d};Rivi"
        for month in range(1, 13)
        for p in producers
        for o in organizers
        for c in categories
        for day in (3, 17)
    ]
    first = _import(world, _csv(tmp_path, world, lines, name="a.csv"))
    assert LedgerTotal.objects.count() == 12 * 2 * 3 * 4
    assert rollup_mismatches() == []
    again = [line.replace(";Rivi", ";Toinen") for line in lines]
    second = _import(world, _csv(tmp_path, world, again, name="b.csv"))
    assert LedgerTotal.objects.count() == 12 * 2 * 3 * 4
    assert rollup_mismatches() == []
    assert (
        sum(t.amount for t in LedgerTotal.objects.all()) == first.batch.total + second.batch.total
    )
    assert sum(t.entries for t in LedgerTotal.objects.all()) == 2 * len(lines)
