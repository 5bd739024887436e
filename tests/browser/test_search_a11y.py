"""The search within an alliance in the browser, on a phone 360 pixels wide.

In Finnish, Swedish and English the results by kind, the page with every match of one kind, the
page asking for words (a query of punctuation only) and the page refusing a too long query pass
axe-core's WCAG 2.1 A and AA rules, and none of them scrolls sideways; without JavaScript a
member searches from the alliance's page and opens a result. (axe-core and the width check run
scripts in the page, so they run where JavaScript is on.)
"""

from __future__ import annotations

from typing import Any

import pytest

from allianssi.alliances.models import Alliance
from allianssi.alliancesearch.selectors import QUERY_LIMIT
from allianssi.demo.common import MAIN_ALLIANCE
from tests.browser.pages import LANGUAGES, Tab, new_context
from tests.browser.test_browser_accessibility import Audit
from tests.browser.test_catalogue_a11y import PHONE_WIDTH, _overflow

pytestmark = pytest.mark.browser


def _phone(browser: Any, demo: Any, language: str, **options: Any) -> Any:
    return new_context(
        browser, demo, language, viewport={"width": PHONE_WIDTH, "height": 740}, **options
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_search_pages_pass_axe_on_a_phone(browser: Any, demo: Any, language: str):
    main = Alliance.objects.get(name=MAIN_ALLIANCE)
    base = f"/alliances/{main.pk}/search/"
    context = _phone(browser, demo, language)
    tab = Tab.open(context, demo)
    audit = Audit(tab, language)
    findings: list[str] = []
    try:
        tab.login("projektitoimisto")
        audit.check("alliance page with its search box", tab.goto(f"/alliances/{main.pk}/"))
        audit.check("search results", tab.goto(f"{base}?q=kokous"))
        if not tab.page.locator("li.result a").count():
            findings.append(f"search results [{language}]: nothing found for 'kokous'")
        findings += _overflow(tab, f"search results [{language}]")
        audit.check("one kind", tab.goto(f"{base}?q=kokous&kind=meetings"))
        findings += _overflow(tab, f"one kind [{language}]")
        audit.check("punctuation only", tab.goto(f"{base}?q=%3F%21"))
        if not tab.page.locator("main .message").count():
            findings.append(f"punctuation only [{language}]: no request for words")
        audit.check("too long a query", tab.goto(f"{base}?q={'a' * (QUERY_LIMIT + 1)}"), 400)
        audit.expect_errors("too long a query")
        findings += _overflow(tab, f"too long a query [{language}]")
    finally:
        context.close()
    report = "\n".join(filter(None, [audit.report(), *findings]))
    if report:
        pytest.fail(f"The search pages failed ({language}):\n{report}", pytrace=False)


@pytest.mark.parametrize("language", LANGUAGES)
def test_search_from_the_alliance_page_without_javascript(browser: Any, demo: Any, language: str):
    """A member types words into the alliance page's search box and opens a result."""
    main = Alliance.objects.get(name=MAIN_ALLIANCE)
    context = _phone(browser, demo, language, java_script_enabled=False)
    tab = Tab.open(context, demo)
    try:
        tab.login("projektitoimisto")
        tab.goto(f"/alliances/{main.pk}/")
        tab.page.fill("#alliance-search", "kokous")
        results = tab.submit("main form[role=search] button[type=submit]")
        assert results.status == 200
        assert tab.page.url.endswith(f"/alliances/{main.pk}/search/?q=kokous")
        first = tab.page.locator("#results-meetings ~ ol li.result a").first
        href = first.get_attribute("href")
        with tab.page.expect_navigation() as opened:
            first.click()
        assert opened.value.status == 200
        assert tab.page.url.endswith(href)
    finally:
        context.close()
    assert not tab.problems, tab.problems
