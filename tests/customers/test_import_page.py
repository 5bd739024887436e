"""The customer import's page: an organizer's advisor uploads a file of their own organizer's
customers, checks it (a dry run, every wrong line shown with its number) and imports it, both in
the background with their progress; the template in the format the import reads; the guide."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django_tasks_db.models import DBTaskResult

from allianssi.audit.models import AuditRecord
from allianssi.background import reclaim
from allianssi.background.worker import drain
from allianssi.customers import importing, jobs
from allianssi.customers.models import Customer, CustomerImportJob
from allianssi.identification import identity
from allianssi.referrals.models import Referral
from tests.conftest import World
from tests.customers.test_import import EXAMPLE, completed, person
from tests.customers.test_import import importing as importing_world
from tests.customers.world import OTHER_HETU

pytestmark = pytest.mark.django_db

__all__ = ["importing_world"]  # the fixture, used by name


def _client(world: World, who: str = "advisor") -> Client:
    client = Client()
    client.force_login(world.users[who])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _file(*lines: dict[str, Any] | str, name: str = "asiakkaat.jsonl") -> SimpleUploadedFile:
    text = "".join((x if isinstance(x, str) else json.dumps(x)) + "\n" for x in lines)
    return SimpleUploadedFile(name, text.encode())


def _upload(world: World, client: Client, upload: SimpleUploadedFile, mode: str) -> Any:
    return client.post(
        reverse("customers:import", args=[world.alliance.pk]), {"file": upload, "mode": mode}
    )


def _job_page(world: World, client: Client, job: CustomerImportJob) -> str:
    url = reverse("customers:import_job", args=[world.alliance.pk, job.pk])
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_import_page__check_then_import_in_the_background(importing_world: World):
    world, client = importing_world, _client(importing_world)
    page = client.get(reverse("customers:import", args=[world.alliance.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert reverse("customers:import_template", args=[world.alliance.pk]) in body
    assert reverse("home:format_guide", args=["customer-import"]) in body
    assert "not as CSV or XLSX" in body

    # The check: queued with its task, nothing written; the worker reads every line.
    checked = _upload(world, client, SimpleUploadedFile("a.jsonl", EXAMPLE.read_bytes()), "check")
    job = CustomerImportJob.objects.get()
    assert checked["Location"] == reverse("customers:import_job", args=[world.alliance.pk, job.pk])
    assert (job.dry_run, job.status, job.organizer) == (True, "queued", world.org["tampere"])
    assert '<progress id="import-progress"' in _job_page(world, client, job)
    status_url = reverse("customers:import_job_status", args=[world.alliance.pk, job.pk])
    assert client.get(status_url).json()["finished"] is False
    assert DBTaskResult.objects.count() == 1
    assert drain() == 1
    job.refresh_from_db()
    assert (job.status, job.lines, job.counts["customers"]) == ("checked", 4, 4)
    assert not Customer.objects.exists()
    assert "All 4 lines are fine; nothing was saved." in _job_page(world, client, job)
    assert not jobs.file_of(job).exists()  # the file of identity codes is gone

    # The import: the same file, saved whole, with the import's own audit record.
    _upload(world, client, SimpleUploadedFile("a.jsonl", EXAMPLE.read_bytes()), "import")
    job = CustomerImportJob.objects.order_by("-pk").first()
    assert job is not None
    assert job.dry_run is False
    assert drain() == 1
    job.refresh_from_db()
    assert job.status == "imported"
    assert Customer.objects.filter(organizer=world.org["tampere"]).count() == 4
    assert Referral.objects.count() == 5
    body = _job_page(world, client, job)
    assert "The customers were imported, numbered 1–4." in body
    status = client.get(
        reverse("customers:import_job_status", args=[world.alliance.pk, job.pk])
    ).json()
    assert (status["finished"], status["read"]) == (True, 100)
    actions = list(
        AuditRecord.objects.filter(action__startswith="customer.import")
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == [
        "customer.import_queued",
        "customer.import_finished",
        "customer.import_queued",
        "customer.import",
        "customer.import_finished",
    ]
    audit = client.get(reverse("alliances:audit", args=[world.alliance.pk])).content.decode()
    assert "imported 4 customers with 5 referrals" in audit
    assert drain() == 0


def test_import_page__a_file_with_errors_shows_each_line_and_saves_nothing(
    importing_world: World,
):
    world, client = importing_world, _client(importing_world)
    customer = person()
    customer["referrals"] = [completed()]
    broken = person(hetu=OTHER_HETU, kind="robot")
    upload = _file(customer, "not json", broken, customer)
    _upload(world, client, upload, "import")
    assert drain() == 1
    job = CustomerImportJob.objects.get()
    assert (job.status, job.lines, job.rejected) == ("rejected", 4, 3)
    assert not Customer.objects.exists()
    assert not Referral.objects.exists()
    lines = [line for line, _field, _text in job.errors]
    assert lines == [2, 3, 4]
    body = _job_page(world, client, job)
    assert "Rejected lines" in body
    assert "Nothing was imported: 3 of 4 lines were rejected." in body
    assert "The same customer is on line 1." in body
    assert "The line is not a JSON object." in body
    # The identity codes of the file are in no kept message.
    assert "010280" not in json.dumps(job.errors) + job.message


def test_import_page__only_an_upload_of_json_lines(importing_world: World):
    world, client = importing_world, _client(importing_world)
    response = _upload(world, client, _file(person(), name="asiakkaat.xlsx"), "check")
    assert response.status_code == 400
    assert "Upload a JSON Lines file (.jsonl)." in response.content.decode()
    assert not CustomerImportJob.objects.exists()


def test_import_template__the_importers_own_fields_and_the_alliances_data(
    importing_world: World, tmp_path
):
    world, client = importing_world, _client(importing_world)
    response = client.get(reverse("customers:import_template", args=[world.alliance.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/x-ndjson")
    assert "customers-template.jsonl" in response["Content-Disposition"]
    lines = [json.loads(line) for line in response.content.decode().splitlines()]
    used = set()
    for line in lines:
        used |= set(line)
        for referral in line.get("referrals", []):
            used |= {f"referrals[].{name}" for name in referral}
            for move in referral.get("transitions", []):
                used |= {f"referrals[].transitions[].{name}" for name in move}
            used |= {f"referrals[].episode.{name}" for name in referral.get("episode") or {}}
    # The guide names exactly the fields the import reads, and the template uses every one.
    assert set(importing.FIELD_HELP) == importing.field_paths() == used
    assert set(importing.FIELD_REQUIRED) <= importing.field_paths()
    # It imports as it is, to the alliance's own service (the test codes allowed here).
    path = tmp_path / "template.jsonl"
    path.write_bytes(response.content)
    result = importing.customers_import(
        actor=world.users["advisor"],
        alliance=world.alliance,
        organizer=world.org["tampere"],
        path=path,
        dry_run=True,
    )
    assert (result.customers, result.referrals, result.episodes) == (2, 2, 1)


def test_format_guide__rendered_from_docs_without_raw_html(client: Client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for slug in ("customer-import", "ledger-import", "outcome-formats"):
        response = client.get(reverse("home:format_guide", args=[slug]))
        assert response.status_code == 200, slug
        body = response.content.decode()
        assert '<div class="format-guide" lang="en">' in body
        assert "<h1>" in body
    body = client.get(reverse("home:format_guide", args=["ledger-import"])).content.decode()
    assert "/alliances/&lt;id&gt;/books/import/" in body  # the guide's "<id>" is text
    assert "<id>" not in body
    # A link to another guide leads to its page; one to a file of the repository is text.
    body = client.get(reverse("home:format_guide", args=["customer-import"])).content.decode()
    assert 'role="region" aria-label="Table 1"><table>' in body
    assert 'role="region" aria-label="Example 1"><pre><code>' in body  # a wide line scrolls
    assert 'href="customers.md' not in body
    assert "customers.md" in body
    assert client.get(reverse("home:format_guide", args=["settlement"])).status_code == 404


def test_format_guide__raw_html_in_a_guide_is_escaped(tmp_path, settings):
    from allianssi.home import guides

    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "ledger-import.md").write_text(
        "# Guide\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1)) "
        "[y](customer-import.md#the-file) [z](https://example.org/)\n",
        encoding="utf-8",
    )
    settings.BASE_DIR = tmp_path
    html = guides.render(guides.GUIDES["ledger-import"], "en")
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert 'href="javascript' not in html
    assert f'href="{reverse("home:format_guide", args=["customer-import"])}#the-file"' in html
    assert 'href="https://example.org/"' in html


def test_import_job__given_up_by_its_workers_fails_and_its_file_is_deleted(
    importing_world: World,
):
    world = importing_world
    with translation.override("en"):  # the uploader's language, the job's messages'
        job = jobs.job_create(
            actor=world.users["advisor"],
            alliance=world.alliance,
            upload=SimpleUploadedFile("a.jsonl", EXAMPLE.read_bytes()),
            name="a.jsonl",
            dry_run=False,
        )
    assert job.language == "en"
    assert jobs.file_of(job).exists()
    # What background.reclaim calls for a task whose every worker died.
    reclaim.GIVEN_UP["allianssi.customers.tasks.run_import"](job.pk)
    job.refresh_from_db()
    assert job.status == "failed"
    assert "stopped each time it ran" in job.message
    assert not jobs.file_of(job).exists()
    assert not Customer.objects.exists()
    assert drain() == 1  # its task, if it runs after all, finds the job ended and does nothing
    job.refresh_from_db()
    assert job.status == "failed"


def test_import_job__a_queueing_that_fails_leaves_no_file_behind(
    importing_world: World, monkeypatch
):
    """The uploaded file holds identity codes in clear: when the job's transaction fails after
    the file was moved to the job's name, the file goes with the job."""
    world = importing_world
    from allianssi.customers import jobs as jobs_module

    def refuse(**kwargs: Any) -> None:
        raise RuntimeError("the audit chain is unavailable")

    monkeypatch.setattr(jobs_module, "audit_append", refuse)
    folder = jobs.file_of(CustomerImportJob(pk=1)).parent
    before = set(folder.iterdir())
    with pytest.raises(RuntimeError):
        jobs.job_create(
            actor=world.users["advisor"],
            alliance=world.alliance,
            upload=SimpleUploadedFile("a.jsonl", EXAMPLE.read_bytes()),
            name="a.jsonl",
            dry_run=False,
        )
    assert not CustomerImportJob.objects.exists()
    assert set(folder.iterdir()) == before


def test_import_job__an_identity_code_in_the_files_name_is_masked(importing_world: World):
    """The name is kept on the job, shown on its pages and written to the audit trail: an
    identity code in it (valid or not) is kept only masked."""
    world = importing_world
    job = jobs.job_create(
        actor=world.users["advisor"],
        alliance=world.alliance,
        upload=SimpleUploadedFile("x.jsonl", EXAMPLE.read_bytes()),
        name="maija 010280-952L ja 010280-952X.jsonl",
        dry_run=True,
    )
    assert job.source == "maija 010280-**** ja 010280-****.jsonl"
    queued = AuditRecord.objects.get(action="customer.import_queued", object_id=str(job.pk))
    assert "952" not in json.dumps(queued.after)
    assert (
        identity.masked_in("tiedosto 2026-01-01 1234567-8.csv")
        == "tiedosto 2026-01-01 1234567-8.csv"
    )
