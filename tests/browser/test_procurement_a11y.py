"""The strategy phase, procurement and compliance pages pass axe-core's WCAG 2.1 A and AA rules
in Finnish, Swedish and English, with their forms also when they show errors.

The main demo alliance shows a finished story (assessments, the go decision, an awarded
procurement with scores and a declared conflict of interest, the division of tasks); the second
demo alliance is in its strategy phase, where the assessment and go / no-go forms are live. A
procurement in preparation is opened in the main alliance so that every form of the procurement
page is rendered.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from allianssi.accounts.models import User
from allianssi.alliances.models import Alliance
from allianssi.demo.common import MAIN_ALLIANCE
from allianssi.parties.models import Organisation
from allianssi.procurement import services
from allianssi.procurement.models import Procedure
from tests.browser.pages import LANGUAGES, Tab, new_context
from tests.browser.test_browser_accessibility import Audit, _fill_and_submit, _in_form

pytestmark = pytest.mark.browser


def _preparation(main: Alliance) -> int:
    """A second procurement of the main alliance, in preparation, with one candidate."""
    office = User.objects.get(username="projektitoimisto")
    region = Organisation.objects.get(kind="region", region=main.region)
    procurement = services.procurement_create(
        actor=office,
        alliance=main,
        title="Nuorten palvelujen lisähankinta",
        procedure=Procedure.COMPETITIVE_NEGOTIATED,
        category="services",
        lots={"employment": Decimal("80000.00")},
        shares={region.pk: Decimal("80000.00")},
        notice_on=dt.date(2026, 10, 1),
    )
    services.candidate_add(
        actor=office,
        procurement=procurement,
        organisation=Organisation.objects.get(name="Uraverkko Oy"),
    )
    return procurement.number


@pytest.mark.parametrize("language", LANGUAGES)
def test_strategy_procurement_and_compliance_pages_pass_axe(browser: Any, demo: Any, language: str):
    main = Alliance.objects.get(name=MAIN_ALLIANCE)
    second = Alliance.objects.get(phase="strategy", region=main.region)
    fresh = _preparation(main)
    awarded = main.procurements.get(status="awarded").number
    base, second_base = f"/alliances/{main.pk}", f"/alliances/{second.pk}"
    audits: list[Audit] = []
    contexts: list[Any] = []

    def session(username: str) -> Audit:
        context = new_context(browser, demo, language)
        contexts.append(context)
        tab = Tab.open(context, demo)
        audit = Audit(tab, language)
        audits.append(audit)
        response = tab.login(username)
        if response is None or response.status != 200 or "/accounts/login/" in tab.page.url:
            audit.findings.append(f"{username} [{language}]: logging in failed")
        return audit

    try:
        office = session("projektitoimisto")
        tab = office.tab
        office.check("strategy, decided", tab.goto(f"{base}/strategy/"))
        office.check("procurements", tab.goto(f"{base}/procurements/"))
        office.check("procurement, awarded", tab.goto(f"{base}/procurements/{awarded}/"))
        office.check("scores, evaluator", tab.goto(f"{base}/procurements/{awarded}/scores/"))
        office.check("procurement, in preparation", tab.goto(f"{base}/procurements/{fresh}/"))
        for name in ("candidate", "criterion", "result", "exclude", "round", "award_criteria"):
            if not tab.page.locator(_in_form(name, "")).count():
                office.findings.append(f"procurement [{language}]: no {name} form")
        _fill_and_submit(office, "negotiation round, empty", button=_in_form("round", "button"))
        tab.goto(f"{base}/procurements/{fresh}/")
        _fill_and_submit(
            office,
            "award criteria, weights not 100",
            {"#award_criteria_name0": "Laatu", "#award_criteria_weight0": "90"},
            button=_in_form("award_criteria", "button"),
        )
        office.check("award form", tab.goto(f"{base}/procurements/{fresh}/award/"))
        _fill_and_submit(office, "award form, empty")
        office.check("new procurement form", tab.goto(f"{base}/procurements/new/"))
        _fill_and_submit(office, "new procurement form, empty")
        office.check("compliance", tab.goto(f"{base}/compliance/"))
        tab.page.select_option("#assignment_task", "benefit_statement")
        party = tab.page.locator("#assignment_organisation option", has_text="Työpolku").first
        tab.page.select_option("#assignment_organisation", party.get_attribute("value"))
        _fill_and_submit(
            office, "compliance, refused assignment", button=_in_form("assignment", "button")
        )
        office.check("go / no-go form", tab.goto(f"{second_base}/strategy/go/"))
        _fill_and_submit(office, "go / no-go form, empty")

        nokia = session("controller.nokia")  # Nokia has not assessed the second alliance yet
        tab = nokia.tab
        nokia.check("strategy, assessing", tab.goto(f"{second_base}/strategy/"))
        nokia.check("assessment form", tab.goto(f"{second_base}/strategy/assessment/"))
        tab.page.check("#id_need_uncertainty_3")
        _fill_and_submit(nokia, "assessment form, scores missing")

        observer = session("tarkastaja")
        observer.check("compliance, observer", observer.tab.goto(f"{base}/compliance/"))
        observer.check(
            "procurement, observer", observer.tab.goto(f"{base}/procurements/{awarded}/")
        )
    finally:
        for context in contexts:
            context.close()

    report = "\n".join(part for part in (a.report() for a in audits) if part)
    if report:
        pytest.fail(
            f"Accessibility checks of the procurement pages failed ({language}):\n{report}",
            pytrace=False,
        )
