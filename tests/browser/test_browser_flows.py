"""The core flows work without JavaScript, other regions' alliances stay hidden, the language form
works, and every page carries a Content-Security-Policy that the pages never violate."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings

from allianssi.alliances.management.commands.demo_load import MAIN_ALLIANCE
from allianssi.alliances.models import Alliance, MemberRole, Membership, MembershipEnd, Phase
from allianssi.core import clock
from allianssi.parties.models import Municipality, Organisation
from tests.browser.pages import Tab, axe_violations, new_context, tr

pytestmark = pytest.mark.browser


def _phase(language: str, phase: Phase) -> str:
    return tr(language, phase.label)


def _success_message(tab: Tab) -> str:
    return tab.page.inner_text(".messages")


def test_manage_an_alliance_without_javascript(browser: Any, demo: Any):
    language = "fi"
    today = clock.today()
    tampere = Municipality.objects.get(code="837")
    producer = Organisation.objects.get(name="Työpolku Oy")
    context = new_context(browser, demo, language, java_script_enabled=False)
    tab = Tab.open(context, demo)
    page = tab.page
    try:
        tab.login("projektitoimisto")
        assert page.url == demo.url + "/"

        # Start an alliance, from the link on the list page.
        with page.expect_navigation():
            page.click("a[href='/alliances/new/']")
        page.fill("#id_name", "Pirkanmaan testiallianssi")
        page.select_option("#id_region", label="Pirkanmaa")
        page.fill("#id_term_start", today.isoformat())
        page.fill("#id_term_end", today.replace(year=today.year + 4).isoformat())
        page.check("input[name=service_areas][value=employment]")
        page.check("input[name=service_areas][value=business]")
        page.fill("#id_goals", "Työllisyys paranee\nYritykset saavat osaajia")
        response = tab.submit()
        assert response.status == 200
        match = re.fullmatch(rf"{re.escape(demo.url)}/alliances/(\d+)/", page.url)
        assert match, page.url
        alliance = Alliance.objects.get(pk=int(match[1]))
        assert alliance.name == "Pirkanmaan testiallianssi"
        assert alliance.region.code == "06"
        created = tr(language, "The alliance was created in the strategy phase.")
        assert created in _success_message(tab)
        base = f"/alliances/{alliance.pk}"

        # A municipality joins as an organizer.
        with page.expect_navigation():
            page.click(f"a[href='{base}/members/add/']")
        page.select_option("#id_role", MemberRole.ORGANIZER.value)
        page.select_option("#id_party", f"municipality:{tampere.code}")
        tab.submit()
        assert page.url == f"{demo.url}{base}/"
        assert "Tampere" in _success_message(tab)

        # Formation.
        with page.expect_navigation():
            page.click(f"a[href='{base}/phase/']")
        page.select_option("#id_to_phase", Phase.FORMATION.value)
        page.fill("#id_effective_on", today.isoformat())
        page.fill("#id_note", "Järjestäjät valitsivat allianssimallin.")
        tab.submit()
        assert page.url == f"{demo.url}{base}/"
        assert _phase(language, Phase.FORMATION) in page.inner_text(".facts")

        # A producer of the demo joins.
        tab.goto(f"{base}/members/add/")
        page.select_option("#id_role", MemberRole.PRODUCER.value)
        page.select_option("#id_party", f"party:{producer.pk}")
        tab.submit()
        assert page.url == f"{demo.url}{base}/"
        assert "Työpolku Oy" in page.inner_text("section[aria-labelledby=members-heading]")

        # Development.
        tab.goto(f"{base}/phase/")
        page.select_option("#id_to_phase", Phase.DEVELOPMENT.value)
        page.fill("#id_effective_on", today.isoformat())
        tab.submit()
        assert _phase(language, Phase.DEVELOPMENT) in page.inner_text(".facts")

        # The producer exits, through the link in its row.
        membership = Membership.objects.get(alliance=alliance, organisation=producer)
        with page.expect_navigation():
            page.click(f"a[href='{base}/members/{membership.pk}/exit/']")
        page.fill("#id_effective_on", today.isoformat())
        page.fill("#id_reason", "Kehitysvaiheen päätteeksi tuottaja käytti exit-oikeuttaan.")
        tab.submit()
        assert page.url == f"{demo.url}{base}/"

        # The alliance page shows the phase history and the exit.
        history = page.locator("section[aria-labelledby=history-heading]")
        phases = history.locator("table").nth(0).locator("tbody tr").all_inner_texts()
        strategy, formation, development = (
            _phase(language, p) for p in (Phase.STRATEGY, Phase.FORMATION, Phase.DEVELOPMENT)
        )
        assert len(phases) == 3, phases
        assert tr(language, "Created in the phase %(phase)s") % {"phase": strategy} in phases[0]
        assert f"{strategy} → {formation}" in phases[1]
        assert "Järjestäjät valitsivat allianssimallin." in phases[1]
        assert f"{formation} → {development}" in phases[2]
        former = history.locator("table").nth(1).locator("tbody tr").all_inner_texts()
        assert len(former) == 1, former
        assert "Työpolku Oy" in former[0]
        assert tr(language, MembershipEnd.EXITED.label) in former[0]
        assert f"{today.day}.{today.month}.{today.year}" in former[0]
        assert "Kehitysvaiheen päätteeksi tuottaja käytti exit-oikeuttaan." in former[0]
        producers = page.inner_text("section[aria-labelledby=members-heading]")
        assert "Työpolku Oy" not in producers

        alliance.refresh_from_db()
        membership.refresh_from_db()
        assert alliance.phase == Phase.DEVELOPMENT
        assert membership.ended_on == today
        assert membership.end_kind == MembershipEnd.EXITED
        assert membership.ended_in_phase == Phase.DEVELOPMENT
    finally:
        context.close()
    tab.fail_on_problems()


def test_another_region_guessing_urls_gets_404_and_nothing_of_the_alliance(browser: Any, demo: Any):
    language = "fi"
    main = Alliance.objects.get(name=MAIN_ALLIANCE)
    membership = Membership.objects.filter(alliance=main).first()
    assert membership is not None
    base = f"/alliances/{main.pk}"
    secrets = [MAIN_ALLIANCE, "Pirkanmaa", "Työpolku", "Tampere"]
    context = new_context(browser, demo, language, java_script_enabled=False)
    tab = Tab.open(context, demo)
    page = tab.page
    try:
        tab.login("satakunta")
        listing = page.content()
        assert "Satakunnan työllisyysallianssi" in listing
        assert not [s for s in secrets if s in listing]

        for path in [
            f"{base}/",
            f"{base}/edit/",
            f"{base}/members/add/",
            f"{base}/members/{membership.pk}/exit/",
            f"{base}/members/{membership.pk}/remove/",
            f"{base}/phase/",
            f"{base}/roles/",
            f"{base}/audit/",
        ]:
            response = tab.goto(path)
            assert response.status == 404, path
            assert tab.heading() == tr(language, "Not found"), path
            html = page.content()
            leaked = [s for s in secrets if s in html]
            assert not leaked, f"{path} shows {leaked}"
    finally:
        context.close()
    tab.fail_on_problems()


def test_language_form_switches_the_language_without_javascript(browser: Any, demo: Any):
    # No language cookie: the browser's Finnish preference decides at first.
    context = new_context(browser, demo, None, java_script_enabled=False)
    tab = Tab.open(context, demo)
    page = tab.page

    def switch_to(language: str) -> None:
        page.select_option("#language-select", language)
        tab.submit("form.lang-form button[type=submit]")

    try:
        tab.goto("/accounts/login/")
        headings = {"fi": tab.heading()}
        assert tab.html_lang() == "fi"
        assert headings["fi"] == tr("fi", "Log in")

        switch_to("sv")
        assert page.url == demo.url + "/accounts/login/"
        assert tab.html_lang() == "sv"
        headings["sv"] = tab.heading()
        assert headings["sv"] == tr("sv", "Log in")
        cookies = {c["name"]: c["value"] for c in context.cookies()}
        assert cookies[settings.LANGUAGE_COOKIE_NAME] == "sv"

        # The choice stays after logging in, and the form works on every page.
        tab.login("projektitoimisto")
        assert tab.html_lang() == "sv"
        assert tab.heading() == tr("sv", "Your alliances")
        switch_to("en")
        assert page.url == demo.url + "/"
        assert tab.html_lang() == "en"
        assert tab.heading() == "Your alliances"
        tab.submit("form.logout-form button[type=submit]")
        assert page.url == demo.url + "/accounts/login/"
        headings["en"] = tab.heading()
        assert headings["en"] == "Log in"

        # The page text really changed: the three catalogues are compiled and in use.
        assert len(set(headings.values())) == 3, headings
    finally:
        context.close()
    tab.fail_on_problems()


def test_pages_carry_a_strict_csp_and_the_checks_catch_violations(browser: Any, live_server: Any):
    """The CSP header is strict, and the console watch and axe really report what they should
    (so that a clean run of the other tests means something)."""
    context = new_context(browser, live_server, "en")
    tab = Tab.open(context, live_server)
    try:
        response = tab.goto("/accounts/login/")
        policy = response.headers["content-security-policy"]
        directives = {
            part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()
        }
        assert directives["default-src"] == ["'self'"]
        assert directives["script-src"] == ["'self'"]
        assert directives["style-src"] == ["'self'"]
        assert directives["object-src"] == ["'none'"]
        assert directives["frame-ancestors"] == ["'none'"]
        assert "'unsafe-inline'" not in policy
        assert not [p for p in tab.problems if "CSP" in p.what]

        with tab.page.expect_console_message(lambda m: "Content Security Policy" in m.text):
            tab.page.evaluate(
                """() => {
                    const style = document.createElement("style");
                    style.textContent = "body { color: red; }";
                    document.head.appendChild(style);
                }"""
            )
        assert [p for p in tab.problems if "CSP violation" in p.what], tab.console

        tab.page.evaluate("() => document.querySelector('label[for=id_username]').remove()")
        assert "label" in {v["id"] for v in axe_violations(tab.page)}
    finally:
        context.close()
