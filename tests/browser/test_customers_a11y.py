"""Customers, referrals and the person's own pages in the browser.

Every page of the customer side passes axe-core's WCAG 2.1 A and AA rules in Finnish, Swedish
and English: a customer advisor's list, a customer's path, the new-customer form with its errors,
the referral form, the export and the access log, the import page (also with a checked file's
rejected lines), an import in progress and the import's format guide; a producer's queue, its
sent referrals and a referral waiting for its answer, with its forms; the organizer's retention
settings; and the person's own path and data after signing in through the test identification,
with the sign-in pages themselves. The person's pages fit a phone 360 pixels wide, and a person
signs in, sees the path and declines a referral without JavaScript.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

from allianssi.accounts.models import User
from allianssi.alliances.models import Alliance
from allianssi.background.worker import drain
from allianssi.customers import jobs
from allianssi.customers.models import Customer
from allianssi.customers.person_views import PATHS
from allianssi.demo.common import MAIN_ALLIANCE
from allianssi.demo.customers import STAR_HETU
from allianssi.identification import identity
from allianssi.referrals.models import Referral, State
from tests.browser.pages import LANGUAGES, Tab, new_context
from tests.browser.test_browser_accessibility import Audit

pytestmark = pytest.mark.browser

PHONE_WIDTH = 360


def _maija(main: Alliance) -> Customer:
    return Customer.objects.get(alliance=main, pseudonym=identity.pseudonym(STAR_HETU))


def _session(browser: Any, demo: Any, language: str, username: str | None, keep: list) -> Audit:
    context = new_context(browser, demo, language)
    keep.append(context)
    audit = Audit(Tab.open(context, demo), language)
    if username:
        response = audit.tab.login(username)
        if response is None or response.status != 200 or "/accounts/login/" in audit.tab.page.url:
            audit.findings.append(f"{username} [{language}]: logging in failed")
    return audit


def _sign_in_as_maija(tab: Tab, language: str) -> Any:
    tab.goto(f"/tunnistus/testi/?next=/{PATHS[language][0]}/")
    return tab.submit("main form:has(input[name=hetu][value='010280-952L']) button[type=submit]")


@pytest.mark.parametrize("language", LANGUAGES)
def test_customer_pages_pass_axe(browser: Any, demo: Any, language: str, tmp_path: Path):
    main = Alliance.objects.get(name=MAIN_ALLIANCE)
    base = f"/alliances/{main.pk}"
    maija = _maija(main)
    waiting = Referral.objects.filter(alliance=main, state=State.SENT).order_by("pk").first()
    assert waiting is not None
    producer_staff = {
        "Työpolku Oy": "tuottaja.tyopolku",
        "Osaajat Töihin ry": "tuottaja.osaajat",
        "Kasvuvoima Oy": "tuottaja.kasvuvoima",
        "Pirkan Yrityskehitys Oy": "tuottaja.yrityskehitys",
        "Tampereen kaupungin työllisyyspalvelut": "tyollisyys.tampere",
    }[waiting.producer.name]
    audits: list[Audit] = []
    contexts: list[Any] = []
    try:
        advisor = _session(browser, demo, language, "neuvoja.tampere", contexts)
        audits.append(advisor)
        tab = advisor.tab
        advisor.check("customers", tab.goto(f"{base}/customers/"))
        advisor.check("customers, searched", tab.goto(f"{base}/customers/?q=Meik"))
        advisor.check("a customer's path", tab.goto(f"{base}/customers/{maija.number}/"))
        advisor.check("new customer", tab.goto(f"{base}/customers/new/"))
        advisor.check("new customer, empty", tab.submit(), status=400)
        advisor.expect_errors("new customer, empty")
        advisor.check("refer", tab.goto(f"{base}/customers/{maija.number}/refer/"))
        advisor.check("export", tab.goto(f"{base}/customers/{maija.number}/data/"))
        advisor.check("access log", tab.goto(f"{base}/customers/{maija.number}/access/"))
        advisor.check("sent referrals", tab.goto(f"{base}/referrals/outgoing/"))
        advisor.check("import customers", tab.goto(f"{base}/customers/import/"))
        bad = tmp_path / "asiakkaat.jsonl"
        bad.write_text('{"kind": "robot", "name": "X"}\nei json\n', encoding="utf-8")
        tab.page.set_input_files("#id_file", str(bad))
        advisor.check("import, the file queued", tab.submit("main form.form button[value=check]"))
        with tab.page.expect_navigation(timeout=20_000) as reloaded:
            drain()  # the worker checks the file; the page's script sees it end and reloads
        advisor.check("import, a rejected file", reloaded.value)
        advisor.expect_errors("import, a rejected file")
        if tab.page.locator("[aria-labelledby=rejected-heading] table tbody tr").count() < 2:
            advisor.findings.append(f"import [{language}]: the rejected lines are not listed")
        queued = jobs.job_create(
            actor=User.objects.get(username="neuvoja.tampere"),
            alliance=main,
            upload=io.BytesIO(b"{}\n"),
            name="odottaa.jsonl",
            dry_run=True,
        )  # queued, never run here: its page shows the progress bar
        with tab.page.expect_response(lambda r: r.url.endswith("/status.json")):
            # Its script polls once before the tab goes on, so that no poll is cut off.
            advisor.check("import in progress", tab.goto(f"{base}/customers/import/{queued.pk}/"))
        if not tab.page.locator("progress#import-progress").count():
            advisor.findings.append(f"import in progress [{language}]: no progress bar")
        advisor.check("the format guide", tab.goto("/help/formats/customer-import/"))

        producer = _session(browser, demo, language, producer_staff, contexts)
        audits.append(producer)
        tab = producer.tab
        producer.check("queue", tab.goto(f"{base}/referrals/queue/"))
        producer.check("queue, every state", tab.goto(f"{base}/referrals/queue/?state="))
        producer.check("a referral waiting", tab.goto(f"{base}/referrals/{waiting.number}/"))

        leader = _session(browser, demo, language, "johtoryhma.tampere", contexts)
        audits.append(leader)
        leader.check("retention settings", leader.tab.goto(f"{base}/customers/settings/"))

        person = _session(browser, demo, language, None, contexts)
        audits.append(person)
        tab = person.tab
        person.check("sign in", tab.goto("/tunnistus/"))
        person.check("test identification", tab.goto("/tunnistus/testi/"))
        person.check("my services", _sign_in_as_maija(tab, language))
        person.check("my data", tab.goto(f"/{PATHS[language][0]}/{PATHS[language][1]}/"))
    finally:
        for context in contexts:
            context.close()
    report = "\n".join(part for part in (a.report() for a in audits) if part)
    if report:
        pytest.fail(f"customer pages:\n{report}", pytrace=False)


def test_a_person_signs_in_and_declines_a_referral_without_javascript(browser: Any, demo: Any):
    main = Alliance.objects.get(name=MAIN_ALLIANCE)
    accepted = _maija(main).referrals.get(state=State.ACCEPTED)
    context = new_context(browser, demo, "fi", java_script_enabled=False)
    try:
        tab = Tab.open(context, demo)
        response = _sign_in_as_maija(tab, "fi")
        assert response is not None
        assert response.status == 200
        assert tab.page.url.endswith("/omat-palvelut/")
        body = tab.page.locator("main").inner_text()
        for producer in ["Työpolku Oy", "Osaajat Töihin ry", "Tampereen kaupungin"]:
            assert producer in body
        decline = f"main form[action$='/lahetteet/{accepted.pk}/peru/'] button[type=submit]"
        response = tab.submit(decline)
        assert response is not None
        assert response.status == 200
        tab.fail_on_problems()
    finally:
        context.close()
    accepted.refresh_from_db()
    assert accepted.state == State.DECLINED
    assert accepted.transitions.last().via == "person"


def test_the_persons_pages_fit_a_phone(browser: Any, demo: Any):
    findings: list[str] = []
    for language in LANGUAGES:
        context = new_context(
            browser,
            demo,
            None,
            viewport={"width": PHONE_WIDTH, "height": 740},
            device_scale_factor=2,
            is_mobile=True,
            has_touch=True,
        )
        tab = Tab.open(context, demo)
        try:
            for label, response in [
                ("sign in", tab.goto("/tunnistus/")),
                ("my services", _sign_in_as_maija(tab, language)),
                ("my data", tab.goto(f"/{PATHS[language][0]}/{PATHS[language][1]}/")),
            ]:
                assert response is not None, (label, language)
                assert response.status == 200, (label, language)
                width = tab.page.evaluate("document.documentElement.scrollWidth")
                if width > PHONE_WIDTH:
                    findings.append(f"{label} [{language}]: {width} px wide")
        finally:
            context.close()
    assert not findings, findings
