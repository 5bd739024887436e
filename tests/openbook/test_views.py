"""The open-books pages: everyone in the alliance reads, nobody else; import through the page."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import translation

from allianssi.alliances.models import Phase
from allianssi.background.worker import drain
from allianssi.openbook import services
from allianssi.openbook.models import BudgetRevision, CostEntry, StaffContribution
from tests.conftest import World

pytestmark = pytest.mark.django_db

PEOPLE = [
    "manager",
    "leader",
    "controller",
    "observer",
    "producer_staff",
    "stranger",
    "other_manager",
]
IN_ALLIANCE = {"manager", "leader", "controller", "observer", "producer_staff"}


def _client(world: World, who: str) -> Client:
    client = Client()
    client.force_login(world.users[who])
    return client


def _post(world: World, amount: str, **extra) -> CostEntry:
    values = {
        "actor": world.users["producer_staff"],
        "alliance": world.alliance,
        "booked_on": dt.date(2026, 3, 15),
        "incurred_by": world.org["producer"],
        "carried_by": world.org["tampere"],
        "service_area": "employment",
        "category": "personnel",
        "amount": Decimal(amount),
        "description": "Palkka",
    }
    values.update(extra)
    return services.entry_post(**values)


@pytest.fixture
def books(world: World) -> World:
    world.to_phase(Phase.FORMATION)
    _post(world, "1000.00")
    _post(world, "234.56", carried_by=world.org["nokia"], service_area="business")
    _post(world, "-34.56", booked_on=dt.date(2026, 4, 2))
    return world


@pytest.mark.parametrize("who", PEOPLE)
def test_pages__by_role(books: World, who: str):
    client = _client(books, who)
    pk = books.alliance.pk
    expected_books = 200 if who in IN_ALLIANCE else 404
    assert client.get(reverse("openbook:books", args=[pk])).status_code == expected_books
    assert client.get(reverse("openbook:csv", args=[pk])).status_code == expected_books
    assert client.get(reverse("openbook:xlsx", args=[pk])).status_code == expected_books
    importers = {"manager", "producer_staff"}
    expected_import = 200 if who in importers else (403 if who in IN_ALLIANCE else 404)
    assert client.get(reverse("openbook:import", args=[pk])).status_code == expected_import


def test_books__totals_by_dimension_filtered_and_the_market_share(books: World):
    client = _client(books, "observer")
    url = reverse("openbook:books", args=[books.alliance.pk])
    text = client.get(url).content.decode()
    assert "1\u00a0200,00" in text or "1 200,00" in text  # the grand total, Finnish format
    assert "100\u00a0%" in text  # every cost so far is a market producer's
    filtered = client.get(url, {"carried_by": books.org["nokia"].pk}).content.decode()
    assert "234,56" in filtered
    assert "Palkka" in filtered


def test_books_csv__the_entries_shown_with_decimal_commas(books: World):
    response = _client(books, "controller").get(
        reverse("openbook:csv", args=[books.alliance.pk]), {"start": "2026-04"}
    )
    body = b"".join(response.streaming_content).decode()
    lines = body.lstrip("\ufeff").strip().splitlines()
    assert lines[0].startswith("booked_on;producer;organizer")
    assert len(lines) == 2
    assert ";-34,56;" in lines[1]


def test_books_xlsx__the_entries_shown_read_back_in(books: World, tmp_path, monkeypatch):
    import io

    from openpyxl import load_workbook

    from allianssi.openbook import views
    from allianssi.openbook.importing import import_costs

    client = _client(books, "controller")
    url = reverse("openbook:xlsx", args=[books.alliance.pk])
    response = client.get(url, {"start": "2026-03", "end": "2026-03"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[0][:6] == (
        "booked_on",
        "producer",
        "organizer",
        "service_area",
        "category",
        "amount",
    )
    assert sorted(r[5] for r in rows[1:]) == [234.56, 1000]
    assert all(r[0].date() == dt.date(2026, 3, 15) for r in rows[1:])
    # What was exported imports again (as a new batch: its content is new to the alliance).
    path = tmp_path / "export.xlsx"
    book.close()
    response = client.get(url, {"start": "2026-03", "end": "2026-03"})
    path.write_bytes(b"".join(response.streaming_content))
    from openpyxl import load_workbook as reopen

    rewritten = reopen(path)
    rewritten.worksheets[0].delete_cols(9)  # "reverses" is not an import column
    rewritten.save(path)
    result = import_costs(
        actor=books.users["manager"], alliance=books.alliance, path=path, source="export.xlsx"
    )
    assert result.batch.total == Decimal("1234.56")
    monkeypatch.setattr(views, "XLSX_MAX_ROWS", 1)
    refused = client.get(url, follow=True)
    assert refused.redirect_chain
    assert "CSV" in refused.content.decode()


def _upload_and_work(client: Client, url: str, upload: SimpleUploadedFile) -> HttpResponse:
    """Upload a file through the page, let the worker run its import, and read its page."""
    posted = client.post(url, {"file": upload})
    assert posted.status_code == 302
    assert drain() == 1
    return client.get(posted["Location"])


def test_import_page__queued_then_rejected_rows_listed_then_booked_once(books: World):
    from allianssi.openbook.models import ImportJob

    client = _client(books, "producer_staff")
    url = reverse("openbook:import", args=[books.alliance.pk])
    header = "kirjauspäivä;tuottaja;järjestäjä;palvelualue;kustannuslaji;summa;kuvaus\n"
    bad = SimpleUploadedFile(
        "kulut.csv", (header + "1.3.2026;X;Tampere;employment;personnel;1;x\n").encode()
    )
    posted = client.post(url, {"file": bad})
    job = ImportJob.objects.get()
    assert posted["Location"] == reverse("openbook:job", args=[books.alliance.pk, job.pk])
    assert drain() == 1  # the worker runs the import queued by the page
    response = client.get(posted["Location"])
    job.refresh_from_db()
    text = response.content.decode()
    assert "Mitään ei tuotu" in text  # the whole file's refusal, in the reader's language
    assert "tuottaja" in text  # the column, as the file names it
    assert job.status == "rejected"
    assert (job.rows_read, job.rows_rejected) == (1, 1)
    with translation.override("sv"):
        swedish = _client(books, "producer_staff").get(
            reverse("openbook:job", args=[books.alliance.pk, job.pk]), HTTP_ACCEPT_LANGUAGE="sv"
        )
    assert "producent" in swedish.content.decode()
    good = (header + "2.3.2026;Työpolku Oy;Tampere;employment;personnel;10,50;Kahvi\n").encode()
    response = _upload_and_work(client, url, SimpleUploadedFile("kulut.csv", good))
    assert "10,50" in response.content.decode()
    response = _upload_and_work(client, url, SimpleUploadedFile("kulut.csv", good))
    assert "mitään ei kirjattu" in response.content.decode()
    assert CostEntry.objects.filter(batch__isnull=False).count() == 1
    statuses = list(ImportJob.objects.order_by("pk").values_list("status", flat=True))
    assert statuses == ["rejected", "booked", "duplicate"]
    status = client.get(reverse("openbook:job_status", args=[books.alliance.pk, job.pk])).json()
    assert status["finished"] is True
    # Nobody else's import is shown to a producer; the project office sees every one.
    assert (
        _client(books, "controller")
        .get(reverse("openbook:job", args=[books.alliance.pk, job.pk]))
        .status_code
        == 404
    )
    assert (
        _client(books, "manager")
        .get(reverse("openbook:job", args=[books.alliance.pk, job.pk]))
        .status_code
        == 200
    )


def test_import_job__progress_shows_while_it_runs_and_a_worker_runs_the_queue(
    books: World, settings
):
    from io import BytesIO

    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from allianssi.background.reclaim import reclaim_stale
    from allianssi.openbook import jobs
    from allianssi.openbook.models import ImportJob

    header = "kirjauspäivä;tuottaja;järjestäjä;palvelualue;kustannuslaji;summa;kuvaus\n"
    body = header + "2.3.2026;Työpolku Oy;Tampere;employment;personnel;10,50;Kahvi\n"
    job = jobs.job_create(
        actor=books.users["producer_staff"],
        alliance=books.alliance,
        upload=BytesIO(body.encode()),
        name="kulut.csv",
    )
    assert jobs.file_of(job).exists()
    task = DBTaskResult.objects.get()  # queued with the job, in its transaction
    assert (task.task_path, task.args_kwargs["args"]) == (
        "allianssi.openbook.tasks.run_import",
        [job.pk],
    )
    client = _client(books, "producer_staff")
    page = client.get(reverse("openbook:job", args=[books.alliance.pk, job.pk]))
    text = page.content.decode()
    assert "<progress" in text
    assert "import-progress.js" in text
    jobs._progress_file(job.pk).write_text("3 10", encoding="ascii")
    status = client.get(reverse("openbook:job_status", args=[books.alliance.pk, job.pk])).json()
    assert (status["read"], status["expected"], status["finished"]) == (3, 10, False)
    call_command("worker", "--once", stdout=io.StringIO())
    job.refresh_from_db()
    assert job.status == "booked"
    assert not jobs.file_of(job).exists()
    assert job.batch.total == Decimal("10.50")
    task.refresh_from_db()
    assert (task.status, task.return_value) == (TaskResultStatus.SUCCESSFUL, "booked")
    # A job left "running" by a worker that died is queued again, and runs once.
    ImportJob.objects.filter(pk=job.pk).update(
        status="running", started_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    )
    DBTaskResult.objects.filter(pk=task.pk).update(
        status=TaskResultStatus.RUNNING, started_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    )
    assert reclaim_stale(older_than=dt.timedelta(hours=1)) == 1
    assert drain() == 1
    task.refresh_from_db()
    assert task.status == TaskResultStatus.SUCCESSFUL
    assert task.return_value is not None
    assert drain() == 0
    assert jobs.run(job.pk) is None


def test_import_page__only_csv_or_xlsx(books: World):
    client = _client(books, "manager")
    response = client.post(
        reverse("openbook:import", args=[books.alliance.pk]),
        {"file": SimpleUploadedFile("kulut.pdf", b"%PDF")},
    )
    assert response.status_code == 200
    assert not CostEntry.objects.filter(batch__isnull=False).exists()


def test_import_page__a_producers_leadership_member_may_import_too(books: World):
    url = reverse("openbook:import", args=[books.alliance.pk])
    assert _client(books, "producer_leader").get(url).status_code == 200


@pytest.mark.parametrize("name", ["budget", "producers", "months"])
def test_books_chart__an_svg_with_its_styles_and_no_outside_assets(books: World, name: str):
    from allianssi.openbook.services import budget_set

    budget_set(
        actor=books.users["manager"],
        alliance=books.alliance,
        organisation=books.org["tampere"],
        year=2026,
        service_area="employment",
        amount=Decimal("5000.00"),
        person_years=Decimal("1.5"),
        effective_on=dt.date(2026, 1, 1),
    )
    client = _client(books, "observer")
    response = client.get(
        reverse("openbook:chart", args=[books.alliance.pk, name]), {"start": "2026-01"}
    )
    assert response["Content-Type"].startswith("image/svg+xml")
    svg = response.content.decode()
    assert svg.startswith("<svg")
    assert "'unsafe-inline'" in response["Content-Security-Policy"]
    assert "kozea.github.io" not in svg
    assert "<script src" not in svg
    if name != "months":
        assert "Tampere" in svg or "Työpolku" in svg
    page = client.get(reverse("openbook:books", args=[books.alliance.pk]), {"start": "2026-01"})
    text = page.content.decode()
    assert f"/chart/{name}.svg" in text
    assert 'alt="' in text
    assert "Ennuste" in text  # the forecast column, in Finnish
    outsider = _client(books, "other_manager")
    assert (
        outsider.get(reverse("openbook:chart", args=[books.alliance.pk, name])).status_code == 404
    )


def test_books__totals_link_to_the_entries_behind_them(books: World):
    client = _client(books, "observer")
    url = reverse("openbook:books", args=[books.alliance.pk])
    text = client.get(url, {"category": "personnel", "page": "2"}).content.decode()
    nokia = books.org["nokia"].pk
    assert f"?category=personnel&amp;carried_by={nokia}#entries-heading" in text
    assert "start=2026-03&amp;end=2026-03#entries-heading" in text


def test_plan_page__budgets_and_staff_as_revisions(books: World):
    client = _client(books, "controller")  # Nokia's controller
    url = reverse("openbook:plan", args=[books.alliance.pk])
    page = client.get(url)
    assert page.status_code == 200
    choices = dict(page.context["budget_form"].fields["organisation"].choices)
    assert set(choices) == {books.org["nokia"].pk}  # only its own organizer's budget
    budget_url = reverse("openbook:plan_budget", args=[books.alliance.pk])
    staff_url = reverse("openbook:plan_staff", args=[books.alliance.pk])
    assert client.get(budget_url).status_code == 405  # each form posts to its own view
    data = {
        "budget-organisation": books.org["nokia"].pk,
        "budget-year": 2026,
        "budget-service_area": "employment",
        "budget-amount": "12 500,00",
        "budget-person_years": "2.5",
        "budget-effective_on": "2026-01-01",
        "budget-reason": "",
    }
    assert client.post(budget_url, data).status_code == 302
    refused = client.post(budget_url, {**data, "budget-amount": "13 000"})
    assert (
        "Kerro muutoksen syy" in refused.content.decode() or refused.context["budget_form"].errors
    )
    client.post(budget_url, {**data, "budget-amount": "13 000", "budget-reason": "Lisätalousarvio"})
    assert list(
        BudgetRevision.objects.filter(budget__organisation=books.org["nokia"]).values_list(
            "number", "amount"
        )
    ) == [(1, Decimal("12500.00")), (2, Decimal("13000.00"))]
    leader = _client(books, "producer_leader")
    staff = {
        "staff-organisation": books.org["producer"].pk,
        "staff-year": 2026,
        "staff-person_years": "3.25",
        "staff-effective_on": "2026-02-01",
        "staff-reason": "",
    }
    assert leader.post(staff_url, staff).status_code == 302
    books_page = _client(books, "observer").get(reverse("openbook:books", args=[books.alliance.pk]))
    assert "3,25" in books_page.content.decode()
    other = {**staff, "staff-organisation": books.org["nokia"].pk}
    response = leader.post(staff_url, other)
    assert response.status_code == 200  # not one of its choices: refused, nothing saved
    assert StaffContribution.objects.count() == 1


def test_entry_pages__post_by_hand_then_correct_with_a_reversal(books: World):
    client = _client(books, "producer_staff")
    url = reverse("openbook:entry_new", args=[books.alliance.pk])
    form = client.get(url).context["form"]
    assert dict(form.fields["incurred_by"].choices) == {books.org["producer"].pk: "Työpolku Oy"}
    response = client.post(
        url,
        {
            "booked_on": "2026-03-20",
            "incurred_by": books.org["producer"].pk,
            "carried_by": books.org["nokia"].pk,
            "service_area": "employment",
            "category": "other",
            "amount": "1 000,25",
            "description": "Matkat",
            "evidence": "M-1",
        },
    )
    assert response.status_code == 302
    entry = CostEntry.objects.get(description="Matkat")
    assert entry.amount == Decimal("1000.25")
    books_page = client.get(reverse("openbook:books", args=[books.alliance.pk]))
    correct = reverse("openbook:entry_reverse", args=[books.alliance.pk, entry.pk])
    assert correct in books_page.content.decode()
    assert client.post(correct, {"reason": ""}).status_code == 200  # a reason is required
    assert client.post(correct, {"reason": "Väärä järjestäjä"}).status_code == 302
    assert CostEntry.objects.get(reverses=entry).amount == Decimal("-1000.25")
    assert _client(books, "observer").get(url).status_code == 403
    assert _client(books, "observer").get(correct).status_code == 403
    assert _client(books, "other_manager").get(correct).status_code == 404


def test_entry_new__an_alliance_without_producers_says_so_instead_of_refusing(world: World):
    """The project office of an alliance with no producer or own production unit yet is not
    offered "Post a cost", and the page's address tells why rather than answering 403."""
    client = _client(world, "other_manager")
    pk = world.other.pk
    url = reverse("openbook:entry_new", args=[pk])
    books_page = client.get(reverse("openbook:books", args=[pk]))
    assert books_page.status_code == 200
    assert url not in books_page.content.decode()
    response = client.get(url, follow=True)
    assert response.redirect_chain == [(reverse("openbook:books", args=[pk]), 302)]
    assert "ei ole yhtään nykyistä tuottajaa" in response.content.decode()
    # Those who may not post anyone's costs are still refused.
    refused = _client(world, "observer").get(
        reverse("openbook:entry_new", args=[world.alliance.pk])
    )
    assert refused.status_code == 403
