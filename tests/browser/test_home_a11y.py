"""The home page in the browser: for each demo role it passes axe-core's WCAG 2.1 A and AA rules
in Finnish, Swedish and English, it is where the login lands, it fits a phone 360 pixels wide,
and its links work without JavaScript."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings

from tests.browser.pages import LANGUAGES, Tab, new_context
from tests.browser.test_browser_accessibility import Audit

pytestmark = pytest.mark.browser

#: The demo's people: the project office, an organizer's leadership member and controller, a
#: producer's staff, an auditor (observer) and another region's manager.
PEOPLE = [
    "projektitoimisto",
    "johtoryhma.tampere",
    "controller.nokia",
    "tuottaja.tyopolku",
    "tarkastaja",
    "satakunta",
]
PHONE_WIDTH = 360


@pytest.mark.parametrize("language", LANGUAGES)
def test_home_page_passes_axe_for_every_role(browser: Any, demo: Any, language: str):
    context = new_context(browser, demo, language)
    tab = Tab.open(context, demo)
    audit = Audit(tab, language)
    try:
        for username in PEOPLE:
            context.clear_cookies()
            context.add_cookies(
                [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": demo.url}]
            )
            response = tab.login(username)
            if tab.page.url != demo.url + "/":
                audit.findings.append(f"{username} [{language}]: login landed on {tab.page.url}")
            audit.check(f"home page of {username}", response)
            # Again, now as a later visit within the same visit.
            audit.check(f"home page of {username}, reloaded", tab.goto("/"))
    finally:
        context.close()
    assert not audit.report(), audit.report()


def test_home_page_fits_a_phone_and_works_without_javascript(browser: Any, demo: Any):
    context = new_context(
        browser,
        demo,
        "fi",
        viewport={"width": PHONE_WIDTH, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        java_script_enabled=False,
    )
    findings: list[str] = []
    try:
        tab = Tab.open(context, demo)
        for username in PEOPLE:
            context.clear_cookies()
            response = tab.login(username)
            assert response is not None
            assert response.status == 200, username
            width = tab.page.evaluate("document.documentElement.scrollWidth")
            if width > PHONE_WIDTH:
                findings.append(f"{username}: the home page is {width} px wide")
            links = tab.page.locator("main a[href]")
            for i in range(links.count()):
                href = links.nth(i).get_attribute("href") or ""
                if not href.startswith("/"):
                    findings.append(f"{username}: a link that leaves the site: {href}")
        tab.fail_on_problems()
    finally:
        context.close()
    assert not findings, findings
