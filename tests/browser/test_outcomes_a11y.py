"""The outcome pages pass axe-core's WCAG 2.1 A and AA rules in Finnish, Swedish and English: the
outcomes' front page, a KPI's figures with the funnel chart (and its image loading), the KPI
definition form with its errors, the form recording an outcome from a customer's page and from a
referral (empty, with its errors, then recorded), and the customer's page listing the outcome.
The record form and the figures fit a phone 360 pixels wide."""

from __future__ import annotations

from typing import Any

import pytest

from allianssi.accounts.models import User
from allianssi.alliances.models import Alliance
from allianssi.customers.models import Customer
from allianssi.demo.common import MAIN_ALLIANCE
from allianssi.demo.customers import STAR_HETU
from allianssi.identification import identity
from allianssi.outcomes.services import Definition, definition_save
from allianssi.referrals.models import Episode
from tests.browser.pages import LANGUAGES, Tab, new_context
from tests.browser.test_browser_accessibility import Audit

pytestmark = pytest.mark.browser

PHONE_WIDTH = 360
#: The demo's producer staff, by their producer's name.
STAFF = {
    "Työpolku Oy": "tuottaja.tyopolku",
    "Osaajat Töihin ry": "tuottaja.osaajat",
    "Kasvuvoima Oy": "tuottaja.kasvuvoima",
    "Pirkan Yrityskehitys Oy": "tuottaja.yrityskehitys",
    "Tampereen kaupungin työllisyyspalvelut": "tyollisyys.tampere",
}


def _world() -> tuple[Alliance, Customer, Episode]:
    """The demo's main alliance with a KPI defined, Maija, and a service that has started."""
    main = Alliance.objects.get(name=MAIN_ALLIANCE)
    definition_save(
        actor=User.objects.get(username="projektitoimisto"),
        alliance=main,
        definition=Definition(
            code="tyollistyneet",
            name_fi="Työllistyneet 90 päivässä",
            name_sv="Sysselsatta inom 90 dagar",
            name_en="Employed within 90 days",
            measure="share",
            types=("employed_open", "employed_part_time"),
        ),
    )
    maija = Customer.objects.get(alliance=main, pseudonym=identity.pseudonym(STAR_HETU))
    started = (
        Episode.objects.filter(
            alliance=main,
            producer__name__in=STAFF,
            customer__erased_at=None,
            customer__kind="person",
            started_on__lte="2026-11-02",
        )
        .select_related("referral", "producer")
        .order_by("pk")
        .first()
    )
    assert started is not None
    return main, maija, started


def _session(browser: Any, demo: Any, language: str, username: str, keep: list) -> Audit:
    context = new_context(browser, demo, language)
    keep.append(context)
    audit = Audit(Tab.open(context, demo), language)
    response = audit.tab.login(username)
    if response is None or response.status != 200 or "/accounts/login/" in audit.tab.page.url:
        audit.findings.append(f"{username} [{language}]: logging in failed")
    return audit


def _record(audit: Audit, path: str, label: str) -> None:
    """The record form: empty, sent empty (its errors), then filled in and recorded."""
    tab = audit.tab
    audit.check(label, tab.goto(path))
    audit.check(f"{label}, empty", tab.submit(), status=400)
    audit.expect_errors(f"{label}, empty")
    tab.page.check("main form.form input[name=outcome][value=employed_open]")
    tab.page.fill("#id_occurred_on", "2026-11-02")
    tab.page.fill("#id_evidence", "Työsopimus")
    audit.check(f"{label}, recorded", tab.submit())
    if not tab.page.locator(".message-success").count():
        audit.findings.append(f"{label} [{audit.language}]: no confirmation after recording")


@pytest.mark.parametrize("language", LANGUAGES)
def test_outcome_pages_pass_axe(browser: Any, demo: Any, language: str):
    main, maija, started = _world()
    base = f"/alliances/{main.pk}/outcomes"
    audits: list[Audit] = []
    contexts: list[Any] = []
    try:
        office = _session(browser, demo, language, "projektitoimisto", contexts)
        audits.append(office)
        tab = office.tab
        office.check("outcomes", tab.goto(f"{base}/"))
        office.check("KPI figures", tab.goto(f"{base}/figures/tyollistyneet/?year=2026"))
        if not tab.page.locator("table#funnel-table tbody tr").count():
            office.findings.append(f"KPI figures [{language}]: no funnel table")
        office.check("define a KPI", tab.goto(f"{base}/kpis/new/"))
        office.check("define a KPI, empty", tab.submit(), status=400)
        office.expect_errors("define a KPI, empty")

        advisor = _session(browser, demo, language, "neuvoja.tampere", contexts)
        audits.append(advisor)
        _record(advisor, f"{base}/customers/{maija.number}/new/", "record an outcome")
        advisor.check("our customers' outcomes", advisor.tab.goto(f"{base}/events/"))

        producer = _session(browser, demo, language, STAFF[started.producer.name], contexts)
        audits.append(producer)
        _record(
            producer,
            f"{base}/referrals/{started.referral.number}/new/",
            "record an outcome of a referral",
        )
        producer.check("outcomes we reported", producer.tab.goto(f"{base}/events/"))
    finally:
        for context in contexts:
            context.close()
    report = "\n".join(part for part in (a.report() for a in audits) if part)
    if report:
        pytest.fail(f"outcome pages:\n{report}", pytrace=False)


def test_the_record_form_and_the_figures_fit_a_phone(browser: Any, demo: Any):
    main, maija, _started = _world()
    base = f"/alliances/{main.pk}/outcomes"
    context = new_context(
        browser,
        demo,
        "fi",
        viewport={"width": PHONE_WIDTH, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    findings: list[str] = []
    try:
        tab = Tab.open(context, demo)
        for username, path in [
            ("neuvoja.tampere", f"{base}/customers/{maija.number}/new/"),
            ("projektitoimisto", f"{base}/figures/tyollistyneet/?year=2026"),
        ]:
            context.clear_cookies()
            tab.login(username)
            response = tab.goto(path)
            assert response is not None
            assert response.status == 200, path
            width = tab.page.evaluate("document.documentElement.scrollWidth")
            if width > PHONE_WIDTH:
                findings.append(f"{path}: {width} px wide")
    finally:
        context.close()
    assert not findings, findings
