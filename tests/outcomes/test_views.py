"""The outcome pages: recording an outcome from a customer's or a referral's page, each party's
events with their disputes and decisions, the files of events, the register extracts (the file
never kept), the samples checked by hand, the KPI definitions, and the KPI figures with the
small cells hidden, the trajectory against the terms and the funnel."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format

from allianssi.customers.models import AccessReason, CustomerAccess
from allianssi.governance.models import Seat
from allianssi.outcomes import indigo, kpis, register
from allianssi.outcomes import selectors as outcome_selectors
from allianssi.outcomes.models import (
    Dispute,
    EventImport,
    KpiDefinition,
    OutcomeEvent,
    RegisterExtract,
    SampleDraw,
    Source,
    Status,
)
from allianssi.outcomes.services import Definition, definition_save, dispute_raise
from allianssi.referrals.services import referral_accept, referral_create
from allianssi.settlement import charts as settlement_charts
from allianssi.settlement import services as settlement_services
from allianssi.settlement.models import CommercialTerms
from tests.conftest import World
from tests.customers.world import offered, web
from tests.outcomes.conftest import D, episode, person
from tests.outcomes.pages import (
    Served,
    browser,
    contradict,
    hetu,
    record,
    served_customer,  # noqa: F401
    upload,
    url,
)
from tests.settlement.conftest import terms_document

pytestmark = pytest.mark.django_db


def _define(world: World, code: str = "employed", **changes) -> KpiDefinition:
    base = {"code": code, "name_fi": "Työllistyneet", "measure": "share"}
    base["types"] = ("employed_open",)
    base.update(changes)
    return definition_save(
        actor=world.users["manager"], alliance=world.alliance, definition=Definition(**base)
    )


def _text(response) -> str:
    return response.content.decode()


# Who reaches which page ---------------------------------------------------------------------------

#: The pages of an alliance, and who may open them (every other person in the alliance: 403).
EVERYONE = {
    "manager",
    "leader",
    "controller",
    "observer",
    "producer_staff",
    "producer2_staff",
    "unit_staff",
    "advisor",
    "advisor_nokia",
}
PARTIES = {
    "controller",
    "producer_staff",
    "producer2_staff",
    "unit_staff",
    "advisor",
    "advisor_nokia",
}
VERIFIERS = {"advisor", "advisor_nokia", "controller"}
PAGES = [
    ("index", EVERYONE),
    ("funnel_chart", EVERYONE),
    ("events", PARTIES),
    ("disputes", VERIFIERS),
    ("extracts", VERIFIERS),
    ("samples", VERIFIERS),
    ("import", {"producer_staff", "producer2_staff", "unit_staff", "advisor", "advisor_nokia"}),
    ("definition_new", {"manager"}),
]
PEOPLE = sorted(EVERYONE | {"stranger", "other_manager", "anonymous"})


@pytest.mark.parametrize(("page", "allowed"), PAGES)
def test_pages__by_role(serving: World, page: str, allowed: set[str]):
    for who in PEOPLE:
        response = browser(serving, who).get(url(serving, page))
        expected = 302 if who == "anonymous" else 200 if who in allowed else 403
        if who in {"stranger", "other_manager"}:  # no role in the alliance: it does not exist
            expected = 404
        assert response.status_code == expected, (page, who)
        if expected == 404:
            assert serving.alliance.name not in _text(response)


def test_pages__another_alliances_user_finds_no_event_sample_or_kpi(serving: World, served: Served):
    event = record(serving, served.customer, D(2026, 6, 10))
    _define(serving)
    client = browser(serving, "other_manager")
    for path in [
        url(serving, "event", event.pk),
        url(serving, "figures", "employed"),
        url(serving, "trajectory_chart", "employed"),
        url(serving, "record_customer", served.customer.number),
        url(serving, "record_referral", served.episode.referral.number),
    ]:
        assert client.get(path).status_code == 404, path
    response = client.post(url(serving, "dispute_raise", event.pk), {"dispute-reason": "x"})
    assert response.status_code == 404


def test_index__each_party_sees_its_own_ways_in(serving: World):
    _define(serving)
    advisor = _text(browser(serving, "advisor").get(url(serving, "index")))
    assert "Register extracts" in advisor
    assert "Our customers' outcomes" in advisor
    assert "Työllistyneet" in advisor
    producer = _text(browser(serving, "producer_staff").get(url(serving, "index")))
    assert "Outcomes we reported" in producer
    assert "Register extracts" not in producer
    assert "Define a KPI" not in producer
    manager = _text(browser(serving, "manager").get(url(serving, "index")))
    assert "Define a KPI" in manager
    assert url(serving, "definition_edit", "employed") in manager


def test_alliance_page__links_to_the_outcomes(serving: World):
    page = browser(serving, "observer").get(reverse("alliances:detail", args=[serving.alliance.pk]))
    assert url(serving, "index") in _text(page)


# Recording an outcome -----------------------------------------------------------------------------


def test_record__the_advisor_records_from_the_customers_page(serving: World, served: Served):
    client = browser(serving, "advisor")
    customer_page = reverse("customers:detail", args=[serving.alliance.pk, served.customer.number])
    form = url(serving, "record_customer", served.customer.number)
    assert form in _text(client.get(customer_page))
    assert "No outcomes recorded." in _text(client.get(customer_page))
    response = client.post(
        form,
        {"outcome": "employed_open", "occurred_on": "2026-06-10", "evidence": "Asiakas kertoi"},
    )
    assert response.status_code == 302
    assert response["Location"] == customer_page
    event = OutcomeEvent.objects.get(customer=served.customer)
    assert (event.type.code, event.occurred_on, event.source) == (
        "employed_open",
        D(2026, 6, 10),
        Source.CUSTOMER,
    )
    assert list(event.episodes.all()) == [served.episode]
    page = _text(client.get(customer_page))
    assert "Employed on the open labour market" in page
    assert "Confirmed by the customer" in page
    assert "Claimed, not yet verified" in page
    assert url(serving, "event", event.pk) in page


def test_record__the_form_offers_only_the_outcomes_for_the_customers_kind(
    serving: World, served: Served
):
    response = browser(serving, "advisor").get(
        url(serving, "record_customer", served.customer.number)
    )
    codes = [code for code, _label in response.context["form"].fields["outcome"].choices]
    assert "employed_open" in codes
    assert "hired" not in codes  # a company's outcome
    read = CustomerAccess.objects.filter(customer=served.customer).last()
    assert (read.reason, read.detail) == (AccessReason.VIEW, "outcome")


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"outcome": "employed_open", "occurred_on": "2027-01-10"},
            "occurred_on",
            "An outcome cannot be dated in the future.",
        ),
        (
            {"outcome": "employed_open", "occurred_on": "2026-01-10"},
            "occurred_on",
            "The customer has no episode of service this outcome can follow",
        ),
        ({"outcome": "hired", "occurred_on": "2026-06-10"}, "outcome", "Select a valid choice."),
        (
            {"outcome": "employed_open", "occurred_on": "10.6."},
            "occurred_on",
            "Enter a valid date.",
        ),
    ],
)
def test_record__bad_input_is_explained_at_its_field_and_nothing_is_recorded(
    serving: World, served: Served, data, field, message
):
    response = browser(serving, "advisor").post(
        url(serving, "record_customer", served.customer.number), data
    )
    assert response.status_code == 400
    errors = " ".join(response.context["form"].errors[field])
    assert message in errors
    assert message in _text(response).replace("&#x27;", "'")
    assert not OutcomeEvent.objects.exists()


def test_record__the_producers_staff_record_from_a_started_referral(serving: World, served: Served):
    referral = served.episode.referral
    referral_page = reverse("referrals:detail", args=[serving.alliance.pk, referral.number])
    form = url(serving, "record_referral", referral.number)
    staff = browser(serving, "producer_staff")
    assert form in _text(staff.get(referral_page))
    # The organizer's advisor sees the referral too, but records from the customer's page.
    assert form not in _text(browser(serving, "advisor").get(referral_page))
    assert staff.get(form).status_code == 200
    # Before the service began, the outcome cannot follow it: said at the date.
    early = staff.post(form, {"outcome": "started_degree", "occurred_on": "2026-01-20"})
    assert early.status_code == 400
    assert early.context["form"].errors["occurred_on"] == [
        "The outcome can follow only the customer's episodes begun before it."
    ]
    assert not OutcomeEvent.objects.exists()
    response = staff.post(form, {"outcome": "started_degree", "occurred_on": "2026-08-20"})
    assert response.status_code == 302
    assert response["Location"] == referral_page
    event = OutcomeEvent.objects.get()
    assert (event.source, event.reporter, event.producer) == (
        Source.PRODUCER,
        serving.org["producer"],
        serving.org["producer"],
    )
    assert list(event.episodes.all()) == [served.episode]


def test_record__not_for_another_producer_nor_before_the_service_started(
    serving: World, served: Served
):
    referral = served.episode.referral
    form = url(serving, "record_referral", referral.number)
    # Osaamo's staff do not see Työpolku's referral at all.
    assert browser(serving, "producer2_staff").get(form).status_code == 404
    # The advisor sees the referral but is not its producer's staff.
    assert browser(serving, "advisor").get(form).status_code == 403
    waiting = referral_create(
        actor=serving.users["advisor"],
        customer=served.customer,
        service=offered(serving).service,
        producer=serving.org["producer"],
        message="",
        send=True,
    )
    referral_accept(referral=waiting, move=web(serving, "producer_staff"))
    staff = browser(serving, "producer_staff")
    page = reverse("referrals:detail", args=[serving.alliance.pk, waiting.number])
    assert url(serving, "record_referral", waiting.number) not in _text(staff.get(page))
    assert staff.get(url(serving, "record_referral", waiting.number)).status_code == 404
    # A producer's staff never open the organizer's customer page form.
    assert staff.get(url(serving, "record_customer", served.customer.number)).status_code == 404


# The events and their disputes --------------------------------------------------------------------


def test_events__each_party_sees_its_own(serving: World, served: Served):
    reported = record(serving, served.customer, D(2026, 6, 10))
    confirmed = record(serving, served.customer, D(2026, 7, 1), by="advisor")

    def listed(who: str, **query: str) -> list[int]:
        response = browser(serving, who).get(url(serving, "events"), query)
        assert response.status_code == 200
        return [row["event"].pk for row in response.context["rows"]]

    assert listed("producer_staff") == [reported.pk]
    assert listed("advisor") == [confirmed.pk, reported.pk]
    assert listed("advisor_nokia") == []
    assert listed("controller") == []  # Nokia's controller: Tampere's customers are not Nokia's
    assert listed("producer2_staff") == []
    contradict(reported)
    assert listed("advisor", status="contradicted") == [reported.pk]
    assert listed("advisor", status="verified") == []
    page = _text(browser(serving, "producer_staff").get(url(serving, "events")))
    assert f"{url(serving, 'event', reported.pk)}#dispute-heading" in page
    assert (
        reverse("referrals:detail", args=[serving.alliance.pk, served.episode.referral.number])
        in page
    )
    assert "Outi Tulos" not in page  # the lists name no one


def test_events__paginated(serving: World, served: Served):
    for day in range(52):
        record(serving, served.customer, D(2026, 6, 1) + dt.timedelta(days=day))
    client = browser(serving, "producer_staff")
    first = client.get(url(serving, "events"))
    assert len(first.context["rows"]) == 50
    assert "page=2" in _text(first)
    second = client.get(url(serving, "events"), {"page": "2"})
    assert len(second.context["rows"]) == 2


def test_event__another_partys_event_is_not_found(serving: World, served: Served):
    event = record(serving, served.customer, D(2026, 6, 10))
    assert (
        browser(serving, "producer_staff").get(url(serving, "event", event.pk)).status_code == 200
    )
    assert browser(serving, "advisor").get(url(serving, "event", event.pk)).status_code == 200
    for who in ["producer2_staff", "advisor_nokia", "controller"]:
        assert browser(serving, who).get(url(serving, "event", event.pk)).status_code == 404
    assert browser(serving, "manager").get(url(serving, "event", event.pk)).status_code == 404


def test_dispute__the_reporter_disputes_and_the_organizer_decides(serving: World, served: Served):
    event = record(serving, served.customer, D(2026, 6, 10))
    contradict(event)
    staff = browser(serving, "producer_staff")
    page = staff.get(url(serving, "event", event.pk))
    assert page.context["dispute_form"] is not None
    response = staff.post(
        url(serving, "dispute_raise", event.pk),
        {"dispute-reason": "Työsuhde alkoi kesäkuussa.", "dispute-evidence": "Työsopimus 1.6."},
    )
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.status == Status.DISPUTED
    advisor = browser(serving, "advisor")
    disputes = advisor.get(url(serving, "disputes"))
    [dispute] = disputes.context["disputes"]
    assert url(serving, "event", event.pk) in _text(disputes)
    page = advisor.get(url(serving, "event", event.pk))
    assert page.context["decide_form"] is not None
    assert "Työsuhde alkoi kesäkuussa." in _text(page)
    # The producer cannot decide its own dispute.
    denied = staff.post(
        url(serving, "dispute_decide", dispute.pk),
        {"decide-decision": "upheld", "decide-reason": "x"},
    )
    assert denied.status_code == 403
    response = advisor.post(
        url(serving, "dispute_decide", dispute.pk),
        {"decide-decision": "upheld", "decide-reason": "Sopimus nähty."},
    )
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.status == Status.VERIFIED
    assert list(advisor.get(url(serving, "disputes")).context["disputes"]) == []


def test_dispute__bad_input_is_explained_and_nothing_changes(serving: World, served: Served):
    event = record(serving, served.customer, D(2026, 6, 10))
    staff = browser(serving, "producer_staff")
    # A claim not contradicted cannot be disputed: the refusal is said above the page.
    response = staff.post(
        url(serving, "dispute_raise", event.pk),
        {"dispute-reason": "Syy", "dispute-evidence": "Sopimus"},
        follow=True,
    )
    assert "Only a contradicted claim can be disputed." in _text(response)
    contradict(event)
    response = staff.post(url(serving, "dispute_raise", event.pk), {"dispute-reason": "Syy"})
    assert response.status_code == 400
    assert "This field is required." in response.context["dispute_form"].errors["evidence"]
    assert 'id="id_dispute-evidence_error"' in _text(response)
    event.refresh_from_db()
    assert event.status == Status.CONTRADICTED
    assert not Dispute.objects.exists()
    # The organizer's advisor may not dispute a producer's claim.
    response = browser(serving, "advisor").post(
        url(serving, "dispute_raise", event.pk),
        {"dispute-reason": "Syy", "dispute-evidence": "Sopimus"},
    )
    assert response.status_code == 403
    assert not Dispute.objects.exists()


def test_decide__a_decision_needs_its_reasons(serving: World, served: Served):
    event = record(serving, served.customer, D(2026, 6, 10))
    contradict(event)
    dispute = dispute_raise(
        actor=serving.users["producer_staff"], event=event, reason="Syy", evidence="Sopimus"
    )
    response = browser(serving, "advisor").post(
        url(serving, "dispute_decide", dispute.pk), {"decide-decision": "upheld"}
    )
    assert response.status_code == 400
    assert response.context["decide_form"].errors["reason"]
    dispute.refresh_from_db()
    event.refresh_from_db()
    assert (dispute.decision, event.status) == ("", Status.DISPUTED)
    # Nokia's controller decides only Nokia's customers' disputes.
    response = browser(serving, "controller").post(
        url(serving, "dispute_decide", dispute.pk),
        {"decide-decision": "upheld", "decide-reason": "x"},
    )
    assert response.status_code == 404


# Files of events ----------------------------------------------------------------------------------


def test_import__the_producer_uploads_a_file_once(serving: World, served: Served, tmp_path: Path):
    number = served.episode.referral.number
    text = f"lähete;tulos;päivä;tunniste\n{number};employed_open;10.6.2026;T-1\n"
    client = browser(serving, "producer_staff")
    response = client.post(url(serving, "import"), {"file": upload(tmp_path, "tulokset.csv", text)})
    assert response.status_code == 200
    assert "1 outcome was recorded." in _text(response)
    event = OutcomeEvent.objects.get()
    assert (event.reporter, event.external_id, event.via) == (
        serving.org["producer"],
        "T-1",
        "import",
    )
    again = client.post(url(serving, "import"), {"file": upload(tmp_path, "tulokset.csv", text)})
    assert "nothing was recorded" in _text(again)
    assert OutcomeEvent.objects.count() == 1
    assert "tulokset.csv" in _text(client.get(url(serving, "import")))


def test_import__every_bad_row_is_shown_with_its_line_column_and_reason(
    serving: World, served: Served, tmp_path: Path
):
    number = served.episode.referral.number
    text = (
        "referral,outcome,date\n"
        f"{number},employed_open,2026-06-10\n"
        f"{number},employed_open,31.13.2026\n"
        f"{number},flying,2026-06-10\n"
    )
    response = browser(serving, "producer_staff").post(
        url(serving, "import"), {"file": upload(tmp_path, "events.csv", text)}
    )
    assert response.status_code == 400
    assert response.context["rows"] == [
        {"line": 3, "column": "date", "text": "Not a date: write 2026-03-31 or 31.3.2026."},
        {"line": 4, "column": "outcome", "text": "“flying” is not an outcome type."},
    ]
    html = _text(response)
    assert "Nothing was imported: 2 of 3 rows were rejected." in html
    assert (
        '<td class="num">3</td><td>date</td><td>Not a date: write 2026-03-31 or 31.3.2026.</td>'
        in html
    )
    assert not OutcomeEvent.objects.exists()
    assert not EventImport.objects.exists()


def test_import__an_xlsx_workbook_from_an_organizer(serving: World, served: Served, tmp_path: Path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["asiakas", "tulos", "päivä", "näyttö"])
    sheet.append([str(served.customer.number), "Aloitti yritystoiminnan", "1.9.2026", "YTJ"])
    path = tmp_path / "tulokset.xlsx"
    book.save(path)
    with path.open("rb") as handle:
        response = browser(serving, "advisor").post(url(serving, "import"), {"file": handle})
    assert response.status_code == 200
    assert "1 outcome was recorded." in _text(response)
    event = OutcomeEvent.objects.get()
    assert (event.type.code, event.source, event.evidence) == (
        "started_business",
        Source.CUSTOMER,
        "YTJ",
    )


def test_import__not_a_csv_or_xlsx_file(serving: World, tmp_path: Path):
    response = browser(serving, "advisor").post(
        url(serving, "import"), {"file": upload(tmp_path, "events.txt", "x")}
    )
    assert response.status_code == 400
    assert "Upload a .csv or .xlsx file." in _text(response)


# Register extracts --------------------------------------------------------------------------------


def _extract_csv(code: str, months: dict[str, str]) -> str:
    return "hetu;kuukausi;ansiot\n" + "".join(f"{code};{m};{e}\n" for m, e in months.items())


def _spy_paths(monkeypatch) -> list[Path]:
    """The paths the extract import was given, to see that each file is gone afterwards."""
    seen: list[Path] = []
    real = register.extract_import

    def spy(**kwargs):
        seen.append(kwargs["path"])
        assert kwargs["path"].exists()
        return real(**kwargs)

    monkeypatch.setattr(register, "extract_import", spy)
    return seen


def test_extract__the_organizer_imports_and_the_file_is_deleted(
    serving: World, served: Served, tmp_path: Path, monkeypatch
):
    verified = record(serving, served.customer, D(2026, 6, 10))
    contradicted = record(serving, served.customer, D(2026, 8, 3), by="advisor")
    paths = _spy_paths(monkeypatch)
    text = _extract_csv(served.hetu, {"2026-06": "2 345,67", "2026-08": "0", "2026-09": "0"})
    text += f"{hetu(9)};2026-06;1800\n"  # not our customer
    client = browser(serving, "advisor")
    page = client.get(url(serving, "extracts"))
    assert page.context["form"]["threshold"].value() == register.DEFAULT_THRESHOLD_CENTS / 100
    response = client.post(
        url(serving, "extracts"),
        {
            "file": upload(tmp_path, "tulorekisteri.csv", text),
            "organizer": str(serving.org["tampere"].pk),
            "first_month": "2026-06",
            "last_month": "2026-09",
            "threshold": "930,00",
        },
    )
    assert response.status_code == 200, response.context["form"].errors
    result = response.context["result"]
    assert (result.extract.matched, result.extract.unmatched) == (1, 1)
    assert (result.verified, result.contradicted, result.no_data) == (1, 1, 0)
    html = _text(response)
    assert "Persons not our customers" in html
    assert "2 345,67" not in html  # counts only, never earnings
    assert "2345" not in html
    [path] = paths
    assert not path.exists()
    verified.refresh_from_db()
    contradicted.refresh_from_db()
    assert (verified.status, contradicted.status) == (Status.VERIFIED, Status.CONTRADICTED)
    listed = _text(client.get(url(serving, "extracts")))
    assert "6/2026–9/2026" in listed
    assert "€930.00" in listed
    # The producer sees its claim verified, never the earnings behind it.
    for path_ in [url(serving, "events"), url(serving, "event", verified.pk)]:
        producer_page = _text(browser(serving, "producer_staff").get(path_))
        assert "Verified" in producer_page
        assert "2 345" not in producer_page
        assert "2345" not in producer_page


def test_extract__a_rejected_file_is_deleted_too_and_nothing_lands(
    serving: World, served: Served, tmp_path: Path, monkeypatch
):
    paths = _spy_paths(monkeypatch)
    text = _extract_csv(served.hetu, {"2026-06": "2000", "2026-13": "100"})
    text += "123456-7890;2026-06;100\n"
    response = browser(serving, "advisor").post(
        url(serving, "extracts"),
        {
            "file": upload(tmp_path, "x.csv", text),
            "organizer": str(serving.org["tampere"].pk),
            "first_month": "2026-06",
            "last_month": "2026-07",
            "threshold": "930",
        },
    )
    assert response.status_code == 400
    rows = response.context["rows"]
    assert [(r["line"], r["column"]) for r in rows] == [(3, "kuukausi"), (4, "hetu")]
    assert "Rejected rows" in _text(response)
    [path] = paths
    assert not path.exists()
    assert not RegisterExtract.objects.exists()


def test_extract__a_bad_period_is_explained_and_nothing_lands(
    serving: World, served: Served, tmp_path: Path, monkeypatch
):
    paths = _spy_paths(monkeypatch)
    response = browser(serving, "controller").post(
        url(serving, "extracts"),
        {
            "file": upload(tmp_path, "x.csv", _extract_csv(served.hetu, {"2026-06": "1"})),
            "organizer": str(serving.org["nokia"].pk),
            "first_month": "2026-06",
            "last_month": "2026-03",
            "threshold": "930",
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors["last_month"] == [
        "The last month cannot come before the first."
    ]
    assert not paths[0].exists()
    assert not RegisterExtract.objects.exists()
    # Only the user's own organizer can be chosen.
    response = browser(serving, "controller").post(
        url(serving, "extracts"),
        {
            "file": upload(tmp_path, "y.csv", "hetu;kuukausi;ansiot\n"),
            "organizer": str(serving.org["tampere"].pk),
            "first_month": "2026-06",
            "last_month": "2026-07",
            "threshold": "930",
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors["organizer"]
    assert len(paths) == 1


# Samples ------------------------------------------------------------------------------------------


def test_samples__draw_a_sample_and_check_each_claim(serving: World, served: Served):
    first = record(serving, served.customer, D(2026, 6, 10))
    second = record(serving, served.customer, D(2026, 7, 10), by="advisor")
    client = browser(serving, "advisor")
    assert "2 claims not yet verified" in _text(client.get(url(serving, "samples")))
    response = client.post(
        url(serving, "sample_draw"), {"size": "2", "until": "2026-12-01", "seed": "42"}
    )
    sample = SampleDraw.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url(serving, "sample", sample.pk)
    assert (sample.seed, sample.size, sample.population) == (42, 2, 2)
    page = client.get(url(serving, "sample", sample.pk))
    assert [row["event"].pk for row in page.context["rows"]] == [first.pk, second.pk]
    response = client.post(
        url(serving, "sample_check", sample.pk, first.pk),
        {f"check-{first.pk}-confirmed": "yes", f"check-{first.pk}-evidence": "Palkkakuitti"},
    )
    assert response.status_code == 302
    response = client.post(
        url(serving, "sample_check", sample.pk, second.pk),
        {f"check-{second.pk}-confirmed": "no", f"check-{second.pk}-evidence": "Työnantaja"},
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.check_note) == (Status.VERIFIED, "Palkkakuitti")
    assert second.status == Status.CONTRADICTED
    page = client.get(url(serving, "sample", sample.pk))
    assert [row["form"] for row in page.context["rows"]] == [None, None]
    assert client.get(url(serving, "samples")).context["draws"][0].checked == 2


def test_samples__bad_input_is_explained_and_nothing_changes(serving: World, served: Served):
    event = record(serving, served.customer, D(2026, 6, 10))
    client = browser(serving, "advisor")
    response = client.post(url(serving, "sample_draw"), {"size": "0", "until": "2026-12-01"})
    assert response.status_code == 400
    assert "Draw from 1 to 1000 claims." in _text(response)
    assert not SampleDraw.objects.exists()
    response = client.post(url(serving, "sample_draw"), {"size": "1", "until": "2026-01-01"})
    assert response.status_code == 400
    assert "There are no unverified claims to draw from." in _text(response)
    client.post(url(serving, "sample_draw"), {"size": "1", "until": "2026-12-01"})
    sample = SampleDraw.objects.get()
    response = client.post(
        url(serving, "sample_check", sample.pk, event.pk), {f"check-{event.pk}-confirmed": "yes"}
    )
    assert response.status_code == 400
    [row] = response.context["rows"]
    assert row["form"].errors["evidence"]
    event.refresh_from_db()
    assert event.status == Status.CLAIMED
    # Nokia's controller does not find Tampere's sample; the producer never reaches samples.
    assert browser(serving, "controller").get(url(serving, "sample", sample.pk)).status_code == 404
    staff = browser(serving, "producer_staff")
    assert staff.get(url(serving, "sample", sample.pk)).status_code == 403
    response = staff.post(
        url(serving, "sample_check", sample.pk, event.pk),
        {f"check-{event.pk}-confirmed": "yes", f"check-{event.pk}-evidence": "x"},
    )
    assert response.status_code == 403
    event.refresh_from_db()
    assert event.status == Status.CLAIMED


# KPI definitions ----------------------------------------------------------------------------------


def _definition_data(**changes: str) -> dict[str, object]:
    data: dict[str, object] = {
        "code": "employed-90",
        "name_fi": "Työllistyneet 90 päivässä",
        "name_sv": "Sysselsatta",
        "name_en": "Employed within 90 days",
        "scope": "alliance",
        "types": ["employed_open", "employed_part_time"],
        "within_days": "90",
        "employed_months": "",
        "threshold": "",
        "measure": "share",
        "evidence": "verified",
    }
    data.update(changes)
    return data


def test_definition__the_project_office_defines_and_changes_a_kpi(serving: World):
    client = browser(serving, "manager")
    response = client.post(url(serving, "definition_new"), _definition_data())
    assert response.status_code == 302
    definition = KpiDefinition.objects.get()
    assert sorted(definition.types.values_list("code", flat=True)) == [
        "employed_open",
        "employed_part_time",
    ]
    edit = url(serving, "definition_edit", "employed-90")
    page = client.get(edit)
    assert page.context["form"].fields["code"].disabled
    response = client.post(
        edit,
        _definition_data(
            code="ignored",
            scope="producer",
            producer=str(serving.org["producer"].pk),
            types=[],
            employed_months="6",
            threshold="1 200,00",
            measure="count",
        ),
    )
    assert response.status_code == 302
    definition.refresh_from_db()
    assert (definition.code, definition.scope, definition.producer_id) == (
        "employed-90",
        "producer",
        serving.org["producer"].pk,
    )
    assert (definition.employed_months, definition.threshold_cents) == (6, 120_000)
    index = _text(client.get(url(serving, "index")))
    assert "Employed 6 months after the end, with earnings of at least €1,200.00" in index


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"types": []}, "types", "Choose the outcomes the KPI counts."),
        ({"code": "Iso Koodi"}, "code", "The code is 1–40 lower-case letters"),
        ({"scope": "organizer"}, "organizer", "Choose a party of the alliance in that role."),
        (
            {"employed_months": "3", "types": []},
            "threshold",
            "State the monthly earnings that count as employed.",
        ),
    ],
)
def test_definition__bad_input_is_explained_at_its_field(serving: World, changes, field, message):
    response = browser(serving, "manager").post(
        url(serving, "definition_new"), _definition_data(**changes)
    )
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert not KpiDefinition.objects.exists()


def test_definition__only_the_project_office(serving: World):
    _define(serving)
    for who in ["advisor", "producer_staff", "controller"]:
        client = browser(serving, who)
        assert client.get(url(serving, "definition_edit", "employed")).status_code == 403
        assert client.post(url(serving, "definition_new"), _definition_data()).status_code == 403
    assert KpiDefinition.objects.count() == 1
    assert (
        browser(serving, "manager").get(url(serving, "definition_edit", "nothing")).status_code
        == 404
    )


# KPI figures --------------------------------------------------------------------------------------


def _verified_customers(world: World, count: int, producer: str = "producer") -> None:
    """``count`` customers served by the producer in 2026, each with a verified employment."""
    staff = "producer_staff" if producer == "producer" else f"{producer}_staff"
    for i in range(count):
        who = person(world, hetu(10 + i + (20 if producer != "producer" else 0)), f"Asiakas {i}")
        episode(world, who, D(2026, 2, 1), D(2026, 3, 31), producer=producer)
        event = record(world, who, D(2026, 4, 15), by=staff)
        OutcomeEvent.objects.filter(pk=event.pk).update(status=Status.VERIFIED)
        kpis.refresh([who.pk])


def test_figures__small_groups_are_hidden_from_other_parties(serving: World):
    _define(serving)
    _verified_customers(serving, 2)
    path = url(serving, "figures", "employed")
    own = browser(serving, "producer_staff").get(path, {"year": "2026"})
    assert own.status_code == 200
    [by_producer] = [g for g in own.context["groups"] if g["key"] == "producer"]
    [row] = by_producer["rows"]
    assert (row["label"], row["cohort"], row["reached"], row["value"]) == (
        "Työpolku Oy",
        2,
        2,
        "100.0%",
    )
    assert own.context["whole"]["hidden"]  # the whole alliance: two customers, hidden from all
    other = browser(serving, "producer2_staff").get(path, {"year": "2026"})
    [by_producer] = [g for g in other.context["groups"] if g["key"] == "producer"]
    [row] = by_producer["rows"]
    assert row["hidden"]
    assert (row["cohort"], row["reached"], row["value"]) == (None, None, "")
    html = _text(other)
    assert "hidden: fewer than 5 customers" in html
    assert "100.0%" not in html


def test_figures__the_whole_alliance_by_service_and_month_by_month(serving: World):
    _define(serving)
    _verified_customers(serving, 5)
    response = browser(serving, "observer").get(
        url(serving, "figures", "employed"), {"year": "2026"}
    )
    whole = response.context["whole"]
    assert (whole["cohort"], whole["reached"], whole["value"]) == (5, 5, "100.0%")
    [by_service] = [g for g in response.context["groups"] if g["key"] == "service"]
    assert [r["label"] for r in by_service["rows"]] == ["Job-search coaching"]
    months = response.context["months"]
    assert len(months) == 12  # 2026 up to December, as today is in December
    assert months[1]["hidden"]  # none ended by February: a cohort of 0 is under 5
    assert (months[2]["cohort"], months[2]["value"]) == (5, "100.0%")
    # No commercial terms name the KPI: no trajectory chart.
    assert response.context["kpi"] is None
    assert url(serving, "trajectory_chart", "employed") not in _text(response)
    trajectory = browser(serving, "observer").get(url(serving, "trajectory_chart", "employed"))
    assert trajectory.status_code == 404


def test_figures__the_trajectory_against_the_terms_minimum_and_target(serving: World):
    _define(serving)
    _verified_customers(serving, 5)
    Seat.objects.filter(alliance=serving.alliance).delete()  # the parties decide directly
    org = serving.org
    settlement_services.terms_propose(
        actor=serving.users["manager"],
        alliance=serving.alliance,
        year=2026,
        terms=settlement_services.terms_read(
            terms_document(
                serving,
                producers=[
                    {"key": str(org["producer"].pk), "name": "Työpolku Oy", "markup": "0.1"},
                    {"key": str(org["producer2"].pk), "name": "Osaamo Oy", "markup": "0.1"},
                ],
                kpis=[
                    {
                        "key": "employed",
                        "name": "Työllistyneet",
                        "unit": "%",
                        "minimum": "22",
                        "target": "30",
                        "weight": "0.4",
                        "source": "outcomes:employed",
                    }
                ],
            )
        ),
        paying_organizer=org["region"].pk,
        reason="Liite 3",
    )
    client = browser(serving, "producer2_staff")
    response = client.get(url(serving, "figures", "employed"), {"year": "2026"})
    assert response.context["kpi"].target == Decimal("30")  # the terms' typed model
    html = _text(response)
    chart = url(serving, "trajectory_chart", "employed")
    assert f'src="{chart}?year=2026"' in html
    assert 'aria-describedby="months-table"' in html
    svg = client.get(chart, {"year": "2026"})
    assert svg.status_code == 200
    assert svg["Content-Type"].startswith("image/svg+xml")
    body = _text(svg)
    assert "Minimum" in body
    assert "Target" in body
    narrow = _text(client.get(chart, {"year": "2026", "size": "narrow"}))
    assert 'viewBox="0 0 360 400"' in narrow[: narrow.index(">")]
    assert f'srcset="{chart}?year=2026&amp;size=narrow" width="360"' in html


def _terms_with_kpi(world: World, kpi: dict[str, str], **more) -> dict:
    """Terms in force for 2026 whose one KPI is ``kpi`` (decided by the parties directly)."""
    Seat.objects.filter(alliance=world.alliance).delete()
    org = world.org
    document = terms_document(
        world,
        producers=[
            {"key": str(org["producer"].pk), "name": "Työpolku Oy", "markup": "0.1"},
            {"key": str(org["producer2"].pk), "name": "Osaamo Oy", "markup": "0.1"},
        ],
        kpis=[kpi],
        **more,
    )
    settlement_services.terms_propose(
        actor=world.users["manager"],
        alliance=world.alliance,
        year=2026,
        terms=settlement_services.terms_read(document),
        paying_organizer=org["region"].pk,
        reason="Liite 3",
    )
    return document


def test_figures__the_trajectory_is_the_one_the_stored_terms_give(serving: World):
    # The page reads the terms through their typed model; what it shows is what the stored
    # JSON gives: the sentence with the minimum and target, and the same chart drawn from the
    # JSON's own numbers month by month.
    definition = _define(serving)
    _verified_customers(serving, 5)
    stored = {
        "key": "employed",
        "name": "Työllistyneet",
        "unit": "%",
        "minimum": "22.5",
        "target": "30",
        "weight": "0.4",
        "source": "outcomes:employed",
    }
    _terms_with_kpi(serving, stored)
    client = browser(serving, "observer")
    response = client.get(url(serving, "figures", "employed"), {"year": "2026"})
    assert response.status_code == 200
    assert (
        "The commercial terms in force set its minimum at 22.5 % and its target at 30 %."
        in _text(response)
    )
    svg = _text(client.get(url(serving, "trajectory_chart", "employed"), {"year": "2026"}))
    start = dt.date(2026, 1, 1)
    points = []
    for month in range(1, 13):
        end = dt.date(2026 + month // 12, month % 12 + 1, 1)
        [cell] = outcome_selectors.figures(serving.users["observer"], definition, start, end, None)
        with translation.override("en"):
            label = date_format(dt.date(2026, month, 1), "YEAR_MONTH_FORMAT")
        points.append((label, None if cell.value is None else Decimal(str(cell.value))))
    assert points[2][1] == Decimal("100")  # the five ended in March: all reached the outcome
    with translation.override("en"):
        expected = settlement_charts.trajectory_chart(
            f"{definition.name} ({stored['unit']})",
            points,
            Decimal(stored["minimum"]),
            Decimal(stored["target"]),
            ("Result", "Minimum", "Target"),
        )
    chart_id = re.compile(r"[0-9a-f]{8}-[0-9a-f-]{27}")  # each drawing's own random id
    assert chart_id.sub("chart", svg) == chart_id.sub("chart", expected)


def test_figures__terms_that_no_longer_read_give_no_trajectory(serving: World):
    # A version stored before a rule of the format it now breaks has no typed model: the page
    # shows no terms' minimum and target rather than numbers it cannot vouch for.
    _define(serving)
    _verified_customers(serving, 5)
    _terms_with_kpi(
        serving,
        {
            "key": "employed",
            "name": "Työllistyneet",
            "unit": "%",
            "minimum": "22",
            "target": "30",
            "weight": "0.4",
            "source": "outcomes:employed",
        },
    )
    version = CommercialTerms.objects.get(alliance=serving.alliance, year=2026)
    broken = dict(version.document, kpis=[dict(version.document["kpis"][0], target="120")])
    CommercialTerms.objects.create(  # a newer version in force, as stored before the rule
        alliance=version.alliance,
        year=2026,
        version=2,
        document=broken,
        paying_organizer=version.paying_organizer,
        reason="Ennen rajoja",
        status=version.status,
        created_by=version.created_by,
        in_force_at=version.in_force_at,
    )
    response = browser(serving, "observer").get(
        url(serving, "figures", "employed"), {"year": "2026"}
    )
    assert response.status_code == 200
    assert response.context["kpi"] is None
    assert "The commercial terms in force set its minimum" not in _text(response)


def test_indigo__targets_and_prices_read_from_the_typed_terms(serving: World):
    _define(serving)
    org = serving.org
    _terms_with_kpi(
        serving,
        {
            "key": "employed",
            "name": "Työllistyneet",
            "unit": "%",
            "minimum": "22.5",
            "target": "30",
            "weight": "0.4",
            "source": "outcomes:employed",
        },
        outcome_prices=[
            {
                "outcome": "employed_open",
                "name": "Avoimille",
                "amount": "500.00",
                "producer": str(org["producer2"].pk),
                "cap": "2000.00",
            }
        ],
    )
    project = indigo.project(serving.alliance, 2026)
    [metric] = [m for m in project["outcome_metrics"] if m["id"] == "employed"]
    assert metric["outcome_metric_target"] == {"value": "minimum 22.5, target 30 %"}
    [pricing] = project["outcome_pricings"]
    assert pricing["outcome_metric_id"] == {"value": "outcome:employed_open"}
    assert pricing["price_per_unit"] == {"amount": {"value": 500.0}}
    assert pricing["price_description"] == {
        "value": "for Osaamo Oy; at most 2000.00 EUR a producer a period"
    }


def test_figures__the_funnel_chart_with_its_numbers_in_a_table(serving: World):
    _define(serving)
    _verified_customers(serving, 5)
    _verified_customers(serving, 1, producer="producer2")
    client = browser(serving, "producer2_staff")
    response = client.get(url(serving, "figures", "employed"), {"year": "2026"})
    stages = [(s.label, s.value) for s in response.context["funnel"]]
    assert stages == [
        ("Referrals sent", 6),
        ("Services started", 6),
        ("Customers whose service ended", 6),
        ("Of them, customers with a verified outcome", 6),
    ]
    html = _text(response)
    assert f'src="{url(serving, "funnel_chart")}?year=2026"' in html
    assert 'aria-describedby="funnel-table"' in html
    # Its own funnel in full; another producer's small numbers hidden.
    own = client.get(
        url(serving, "figures", "employed"),
        {"year": "2026", "producer": str(serving.org["producer2"].pk)},
    )
    assert [s.value for s in own.context["funnel"]] == [1, 1, 1, 1]
    other = browser(serving, "producer_staff").get(
        url(serving, "figures", "employed"),
        {"year": "2026", "producer": str(serving.org["producer2"].pk)},
    )
    assert [s.value for s in other.context["funnel"]] == [None, None, None, None]
    assert "fewer than 5" in _text(other)
    svg = client.get(url(serving, "funnel_chart"), {"year": "2026"})
    assert svg.status_code == 200
    assert "Referrals sent: 6" in _text(svg)
    hidden = browser(serving, "producer_staff").get(
        url(serving, "funnel_chart"),
        {"year": "2026", "producer": str(serving.org["producer2"].pk)},
    )
    assert "Referrals sent: fewer than 5" in _text(hidden)
    # The phone's drawing: each stage's name above its bar, its number (or "fewer than 5") after.
    narrow = _text(client.get(url(serving, "funnel_chart"), {"year": "2026", "size": "narrow"}))
    assert narrow.startswith('<svg xmlns="http://www.w3.org/2000/svg" width="360"')
    assert ">Referrals sent</text>" in narrow
    assert ">6</text>" in narrow
    assert 'srcset="' + url(serving, "funnel_chart") + '?year=2026&amp;size=narrow"' in html
    hidden_narrow = browser(serving, "producer_staff").get(
        url(serving, "funnel_chart"),
        {"year": "2026", "producer": str(serving.org["producer2"].pk), "size": "narrow"},
    )
    assert ">fewer than 5</text>" in _text(hidden_narrow)
