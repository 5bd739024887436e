"""The self-service account pages pass axe-core's WCAG 2.1 A and AA rules in Finnish, Swedish and
English: one's account and password change, an organisation's people for its main user (also
with a refused invitation), the password reset pages and an invitation's page (a live link and a
spent one).

No demo is needed: an organisation with a main user, an invited colleague and a deactivated one
is made here, through the services."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from allianssi.accounts.models import User
from allianssi.accounts.tokens import invitation_tokens
from allianssi.parties.services import organisation_for_municipality
from allianssi.people import services as people_services
from tests.accounts.factories import PASSWORD, UserFactory
from tests.browser.pages import LANGUAGES, Tab, new_context
from tests.browser.test_browser_accessibility import Audit

pytestmark = pytest.mark.browser


@pytest.fixture
def people(live_server: Any, django_db_serialized_rollback: None) -> Any:
    tampere = organisation_for_municipality(actor=None, code="837")
    main = UserFactory(
        username="paakayttaja", organisation=tampere, is_main_user=True, email="paa@tre.fi"
    )
    people_services.user_invite(
        actor=main, first_name="Kutsuttu", last_name="Kollega", email="kutsu@tre.fi", base_url=""
    )
    gone = UserFactory(username="lahtenyt", organisation=tampere, email="pois@tre.fi")
    people_services.user_deactivate(actor=main, person=gone)
    UserFactory(username="kollega", organisation=tampere, email="kollega@tre.fi")
    return live_server


@pytest.mark.parametrize("language", LANGUAGES)
def test_account_pages_pass_axe(browser: Any, people: Any, language: str):
    context = new_context(browser, people, language)
    tab = Tab.open(context, people)
    audit = Audit(tab, language)
    try:
        audit.check("login page", tab.goto("/accounts/login/"))
        audit.check("password reset", tab.goto("/accounts/password/reset/"))
        tab.page.fill("#id_email", "ei-osoite")
        audit.check("password reset, a refused address", tab.submit(), status=200)
        audit.expect_errors("password reset, a refused address")
        tab.page.fill("#id_email", "kollega@tre.fi")
        audit.check("password reset, sent", tab.submit())
        audit.check("password reset, a spent link", tab.goto("/accounts/password/reset/MQ/x-y/"))
        invited = User.objects.get(username="kutsu@tre.fi")
        uid = urlsafe_base64_encode(force_bytes(invited.pk))
        token = invitation_tokens.make_token(invited)
        audit.check("invitation", tab.goto(f"/accounts/invitation/{uid}/{token}/"))
        tab.page.fill("#id_new_password1", "lyhyt")
        tab.page.fill("#id_new_password2", "lyhyt")
        audit.check("invitation, a refused password", tab.submit())
        audit.expect_errors("invitation, a refused password")
        audit.check("invitation, a spent link", tab.goto(f"/accounts/invitation/{uid}/1-x/"))

        tab.login("paakayttaja", PASSWORD)
        audit.check("your account", tab.goto("/accounts/"))
        audit.check("change your password", tab.goto("/accounts/password/"))
        tab.page.fill("#id_old_password", "väärä")
        audit.check("change your password, refused", tab.submit())
        audit.expect_errors("change your password, refused")
        audit.check("people", tab.goto("/accounts/people/"))
        if tab.page.locator("main table tbody tr").count() != 4:
            audit.findings.append(f"people [{language}]: not the organisation's four people")
        tab.page.fill("#id_first_name", "Toinen")
        tab.page.fill("#id_last_name", "Kollega")
        tab.page.fill("#id_email", "KOLLEGA@tre.fi")
        audit.check("people, an address in use", tab.submit())
        audit.expect_errors("people, an address in use")
        tab.goto("/accounts/people/")
        audit.check(
            "people, a colleague deactivated",
            tab.submit("main form[action$='/deactivate/'] button[type=submit]"),
        )
    finally:
        context.close()
    assert not [m for m in mail.outbox if re.search(r"\{[{%]", m.body)]  # templates rendered
    report = audit.report()
    if report:
        pytest.fail(
            f"Accessibility checks of the account pages failed ({language}):\n{report}",
            pytrace=False,
        )
