"""The audit page, read as sentences, passes axe-core's WCAG 2.1 A and AA rules in Finnish, Swedish
and English, with a record's raw details opened."""

from __future__ import annotations

from typing import Any

import pytest

from allianssi.alliances.models import Alliance
from allianssi.demo.common import MAIN_ALLIANCE
from tests.browser.pages import (
    LANGUAGES,
    Tab,
    axe_violations,
    format_violations,
    new_context,
)
from tests.browser.test_browser_accessibility import Audit

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("language", LANGUAGES)
def test_audit_page_passes_axe(browser: Any, demo: Any, language: str):
    main = Alliance.objects.get(name=MAIN_ALLIANCE)
    context = new_context(browser, demo, language)
    tab = Tab.open(context, demo)
    audit = Audit(tab, language)
    try:
        tab.login("projektitoimisto")
        audit.check("audit trail", tab.goto(f"/alliances/{main.pk}/audit/"))
        sentences = tab.page.locator("table.audit p.audit-sentence")
        if not sentences.count():
            audit.findings.append(f"audit trail [{language}]: no sentences")
        elif "%(" in sentences.first.inner_text():
            audit.findings.append(f"audit trail [{language}]: a sentence was not filled in")
        if not tab.page.locator("table.audit p.audit-sentence a").count():
            audit.findings.append(f"audit trail [{language}]: no sentence links to its object")
        details = tab.page.locator("table.audit details.audit-raw").first
        details.locator("summary").click()
        if details.get_attribute("open") is None:
            audit.findings.append(f"audit trail [{language}]: a record's details do not open")
        if "<code>" not in details.inner_html():
            audit.findings.append(f"audit trail [{language}]: no raw action name in the details")
        opened = axe_violations(tab.page)
        if opened:
            audit.findings.append(format_violations("audit trail, a record's details", opened))
    finally:
        context.close()
    report = audit.report()
    if report:
        pytest.fail(
            f"Accessibility checks of the audit page failed ({language}):\n{report}",
            pytrace=False,
        )
