"""The settlement pages pass axe-core's WCAG 2.1 A and AA rules in Finnish, Swedish and English:
the year at a glance, the commercial terms with their versions (also with a refused document),
the KPIs with their charts, a settlement with its what-if, an invoice, and the invoicing
details."""

from __future__ import annotations

from typing import Any

import pytest

from allianssi.alliances.models import Alliance
from allianssi.demo.common import MAIN_ALLIANCE
from allianssi.settlement.models import Invoice, Settlement
from tests.browser.pages import LANGUAGES, Tab, new_context
from tests.browser.test_browser_accessibility import Audit

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("language", LANGUAGES)
def test_settlement_pages_pass_axe(browser: Any, demo: Any, language: str):
    main = Alliance.objects.get(name=MAIN_ALLIANCE)
    base = f"/alliances/{main.pk}/settlement"
    interim = Settlement.objects.get(alliance=main, kind="interim")
    final = Settlement.objects.get(alliance=main, kind="final")
    invoice = Invoice.objects.filter(settlement=interim).first()
    assert invoice is not None
    context = new_context(browser, demo, language)
    tab = Tab.open(context, demo)
    audit = Audit(tab, language)
    try:
        tab.login("projektitoimisto")
        audit.check("settlement overview", tab.goto(f"{base}/?year=2026"))
        if not tab.page.locator("table[aria-labelledby=projected-producers] tbody tr").count():
            audit.findings.append(f"settlement overview [{language}]: no projected shares")
        audit.check("commercial terms", tab.goto(f"{base}/terms/?year=2026"))
        tab.page.fill("#id_edit-kpi_0_weight", "150")
        tab.page.fill("#id_edit-reason", "Kokeilu")
        audit.check(
            "commercial terms, a refused change",
            tab.submit("main form[action*='/terms/edit/'] button[type=submit]"),
        )
        audit.expect_errors("commercial terms, a refused change")
        if not tab.page.locator("#id_edit-kpi_0_weight_error").count():
            audit.findings.append(f"commercial terms [{language}]: the error is not at its field")
        tab.page.click("details summary")
        tab.page.fill("#id_json-document", '{"target": "-1"}')
        tab.page.fill("#id_json-reason", "Kokeilu")
        audit.check(
            "commercial terms, a refused JSON document",
            tab.submit("main form[action*='/terms/json/'] button[type=submit]"),
        )
        audit.expect_errors("commercial terms, a refused JSON document")
        audit.check("KPIs", tab.goto(f"{base}/kpis/?year=2026"))
        audit.check("interim settlement", tab.goto(f"{base}/{interim.pk}/"))
        audit.check(
            "final settlement with what-if",
            tab.goto(
                f"{base}/{final.pk}/?outturn_low=300000&outturn_high=3000000&steps=5"
                "&kpi_employed_low=20&kpi_employed_high=32"
            ),
        )
        if not tab.page.locator("p.outcome").count():
            audit.findings.append(f"what-if [{language}]: no ranges shown")
        audit.check("invoicing details", tab.goto(f"{base}/billing/"))
        audit.check(  # a document: in the alliance's own language, whoever reads it
            "invoice",
            tab.goto(f"/alliances/{main.pk}/invoices/{invoice.pk}/"),
            lang=main.language,
        )
    finally:
        context.close()
    report = audit.report()
    if report:
        pytest.fail(
            f"Accessibility checks of the settlement pages failed ({language}):\n{report}",
            pytrace=False,
        )
