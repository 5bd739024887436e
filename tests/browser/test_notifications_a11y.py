"""The notifications and their settings in the browser: both pages pass axe-core's WCAG 2.1 A and
AA rules in Finnish, Swedish and English, the settings save without JavaScript, and the settings
page fits a phone 360 pixels wide."""

from __future__ import annotations

from typing import Any

import pytest

from allianssi.notifications.models import NotificationSettings
from tests.browser.pages import LANGUAGES, Tab, new_context
from tests.browser.test_browser_accessibility import Audit

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("language", LANGUAGES)
def test_notification_pages_pass_axe(browser: Any, demo: Any, language: str):
    context = new_context(browser, demo, language)
    tab = Tab.open(context, demo)
    audit = Audit(tab, language)
    try:
        tab.login("projektitoimisto")
        audit.check("notifications", tab.goto("/notifications/"))
        audit.check("notification settings", tab.goto("/notifications/settings/"))
        tab.page.select_option("#id_idea_commented", "app")
        tab.page.select_option("#id_language", "sv")
        audit.check("notification settings, saved", tab.submit())
        if not tab.page.locator(".messages, [role=status]").count():
            audit.findings.append(f"settings [{language}]: saving showed no confirmation")
        saved = NotificationSettings.objects.get(user__username="projektitoimisto")
        if (saved.deliveries.get("idea_commented"), saved.language) != ("app", "sv"):
            audit.findings.append(f"settings [{language}]: not saved: {saved.deliveries}")
    finally:
        context.close()
    assert not audit.report(), audit.report()


def test_notification_settings_fit_a_phone_and_save_without_javascript(browser: Any, demo: Any):
    phone = new_context(browser, demo, "fi", viewport={"width": 360, "height": 740})
    tab = Tab.open(phone, demo)
    try:
        tab.login("projektitoimisto")
        tab.goto("/notifications/settings/")
        width = tab.page.evaluate("document.documentElement.scrollWidth")
    finally:
        phone.close()
    assert width <= 360

    plain = new_context(browser, demo, "en", java_script_enabled=False)
    tab = Tab.open(plain, demo)
    try:
        tab.login("projektitoimisto")
        tab.goto("/notifications/settings/")
        tab.page.select_option("#id_proposal_closed", "now")
        tab.submit()
        confirmation = tab.page.locator(".messages").inner_text()
    finally:
        plain.close()
    assert "Your notification settings were saved." in confirmation
    saved = NotificationSettings.objects.get(user__username="projektitoimisto")
    assert saved.deliveries["proposal_closed"] == "now"
