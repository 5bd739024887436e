"""Staff sign-in with the organisation's identity provider, in the browser.

The login page's link, the page where a person names their organisation (empty, with an
organisation found, with none found) and the page of a refused sign-in pass axe-core's WCAG 2.1
A and AA rules in Finnish, Swedish and English; and the whole sign-in runs in Chromium without
JavaScript, through a real OpenID Connect provider on 127.0.0.1 and back, under the app's
Content-Security-Policy.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from allianssi.staffsignin.discovery import discover
from allianssi.staffsignin.services import identity_provider_set
from tests.accounts.factories import UserFactory
from tests.browser.pages import LANGUAGES, Tab, new_context
from tests.browser.test_browser_accessibility import Audit
from tests.parties.factories import CompanyFactory
from tests.staffsignin.provider import Provider

pytestmark = pytest.mark.browser

SECRET = "browser-test-client-secret"


@pytest.fixture
def organisation_provider(
    live_server: Any, django_db_serialized_rollback: None
) -> Iterator[Provider]:
    running = Provider()
    running.register("allianssi", SECRET, f"{live_server.url}/accounts/organisation/callback/")
    company = CompanyFactory(name="Selain Oy")
    identity_provider_set(
        actor=None,
        organisation=company,
        discovery=discover(running.issuer),
        client_id="allianssi",
        client_secret=SECRET,
        email_domains=["selain.example.fi"],
    )
    UserFactory(username="selma", email="selma@selain.example.fi", organisation=company)
    yield running
    running.stop()


@pytest.mark.parametrize("language", LANGUAGES)
def test_staff_sign_in_pages_pass_axe(
    browser: Any, live_server: Any, organisation_provider: Provider, language: str
):
    context = new_context(browser, live_server, language)
    audit = Audit(Tab.open(context, live_server), language)
    tab = audit.tab
    try:
        audit.check("login", tab.goto("/accounts/login/"))
        with tab.page.expect_navigation() as navigation:
            tab.page.click("main a[href^='/accounts/organisation/']")
        audit.check("start", navigation.value)
        tab.page.fill("#id_organisation", "nobody@elsewhere.example")
        audit.check("start, none found", tab.submit("main form button[type=submit]"))
        audit.expect_errors("start, none found")
        tab.page.fill("#id_organisation", "selma@selain.example.fi")
        audit.check("start, found", tab.submit("main form button[type=submit]"))
        # Someone the organisation's provider knows, but who has no account here.
        organisation_provider.person = {"sub": "s-2", "email": "stranger@selain.example.fi"}
        with tab.page.expect_navigation(url=f"{live_server.url}/**") as navigation:
            tab.page.click("main a.button")
        audit.check("refused", navigation.value, status=403)
        audit.expect_errors("refused")
    finally:
        context.close()
    report = audit.report()
    assert not report, report


def test_staff_sign_in_works_without_javascript(
    browser: Any, live_server: Any, organisation_provider: Provider
):
    context = new_context(browser, live_server, "fi", java_script_enabled=False)
    tab = Tab.open(context, live_server)
    page = tab.page
    try:
        tab.goto("/accounts/login/?next=/notifications/")
        with page.expect_navigation():
            page.click("main a[href^='/accounts/organisation/']")
        page.fill("#id_organisation", "selma@selain.example.fi")
        tab.submit("main form button[type=submit]")
        organisation_provider.person = {"sub": "s-1", "email": "selma@selain.example.fi"}
        with page.expect_navigation(url=f"{live_server.url}/notifications/") as navigation:
            page.click("main a.button")
        assert navigation.value.status == 200
        assert page.url == f"{live_server.url}/notifications/"
        tab.fail_on_problems()
    finally:
        context.close()
