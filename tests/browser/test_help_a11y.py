"""The glossary, each page's help (opened) and a main user's sign-in provider page pass axe-core's
WCAG 2.1 A and AA rules in Finnish, Swedish and English, 360 px wide; without JavaScript the help
opens, the glossary lists its terms and the provider form answers with its errors.

axe-core runs where JavaScript is on: its run waits on timers, which never fire in a page with
JavaScript off, and the test would wait for ever (docs/testing.md, "A test that hangs")."""

from __future__ import annotations

from typing import Any

import pytest

from allianssi.parties.services import organisation_for_municipality
from tests.accounts.factories import PASSWORD, UserFactory
from tests.browser.pages import (
    LANGUAGES,
    ScriptsOff,
    Tab,
    axe_violations,
    format_violations,
    new_context,
)
from tests.browser.test_browser_accessibility import Audit

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 800}


@pytest.fixture
def main_user(live_server: Any, django_db_serialized_rollback: None) -> Any:
    tampere = organisation_for_municipality(actor=None, code="837")
    UserFactory(username="paakayttaja", organisation=tampere, is_main_user=True, email="p@tre.fi")
    return live_server


def _visit(tab: Tab, audit: Audit | None, language: str) -> list[str]:
    """The glossary, the account page, the provider page with its help opened and its form
    refused; with ``audit``, each checked by axe-core and at both widths. What was wrong,
    besides the audit."""
    found: list[str] = []
    check = audit.check if audit else lambda _label, _response: None
    check("glossary", tab.goto("/glossary/"))
    if tab.page.locator("dl.glossary dt[id]").count() < 20:
        found.append(f"glossary [{language}]: its terms are missing")
    tab.login("paakayttaja", PASSWORD)
    check("your account", tab.goto("/accounts/"))
    check("sign-in provider", tab.goto("/accounts/organisation/provider/"))
    # The provider's help names a glossary term (the account page's help names none).
    tab.page.click(".page-help summary")  # a <details>: opens without JavaScript
    if not tab.page.locator(".page-help details[open] a[href^='/glossary/#']").count():
        found.append(f"help [{language}]: no open help with a glossary link")
    if audit:
        violations = axe_violations(tab.page)
        if violations:
            found.append(format_violations(f"help open [{language}]", violations))
    # Nobody answers there (refused at once; a name to look up could hang without a network).
    tab.page.fill("#id_issuer", "http://127.0.0.1:9")
    tab.page.fill("#id_client_id", "allianssi")
    tab.page.fill("#id_client_secret", "salaisuus")
    tab.page.fill("#id_email_domains", "tre.fi")
    check("sign-in provider, refused", tab.submit())
    if not tab.page.locator(".error-summary").count():
        found.append(f"sign-in provider, refused [{language}]: no error summary on the page")
    wider = tab.page.evaluate(
        "document.documentElement.scrollWidth > document.documentElement.clientWidth"
    )
    if wider:
        found.append(f"sign-in provider [{language}]: wider than 360 px")
    return found


@pytest.mark.parametrize("language", LANGUAGES)
def test_glossary_help_and_provider_pages_pass_axe(browser: Any, main_user: Any, language: str):
    context = new_context(browser, main_user, language, viewport=PHONE)
    tab = Tab.open(context, main_user)
    audit = Audit(tab, language)
    try:
        audit.findings += _visit(tab, audit, language)
    finally:
        context.close()
    report = audit.report()
    if report:
        pytest.fail(f"Accessibility checks of the help pages failed ({language}):\n{report}")


def test_glossary_help_and_provider_pages_work_without_javascript(browser: Any, main_user: Any):
    context = new_context(browser, main_user, "fi", java_script_enabled=False, viewport=PHONE)
    tab = Tab.open(context, main_user)
    try:
        found = _visit(tab, None, "fi")
        # axe-core refuses such a page at once instead of waiting for ever.
        with pytest.raises(ScriptsOff):
            axe_violations(tab.page)
        tab.fail_on_problems()
    finally:
        context.close()
    assert not found, "\n".join(found)
