"""The service catalogue in the browser.

Every catalogue page passes axe-core's WCAG 2.1 A and AA rules in Finnish, Swedish and English:
the public front door (the search with and without results, a service, the form to ask for it,
also with its errors, and the thank-you page), each reached by its own language's address while
the browser's language cookie names another language, and the alliance's own pages behind login
(the list with the manager's settings, drafting and editing a service and adding a channel, also
with their errors, a service in each state with its actions, and the request queue).

Without JavaScript, a person finds a service by searching, opens it and asks for it, and the
request reaches the responsible organizer; and a producer's staff member drafts a service, adds a
channel and sends it to review, and the responsible organizer's member publishes it.

On a phone 360 pixels wide, the public pages need no sideways scrolling.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from allianssi.accounts.models import User
from allianssi.alliances.models import Alliance
from allianssi.catalogue.models import (
    ChannelKind,
    RequestStatus,
    Service,
    ServiceRequest,
    ServiceVersion,
    VersionStatus,
)
from allianssi.demo.common import MAIN_ALLIANCE
from allianssi.parties.models import Organisation, OrganisationKind
from tests.browser.pages import LANGUAGES, Tab, new_context, tr
from tests.browser.test_browser_accessibility import Audit

pytestmark = pytest.mark.browser

#: The public addresses in each language: (the list and its services, ask, thanks).
PUBLIC = {
    "fi": ("palvelut", "pyyda", "kiitos"),
    "sv": ("tjanster", "begar", "tack"),
    "en": ("services", "ask", "thanks"),
}
#: A language the browser's cookie names, other than the address's: the address must win.
OTHER = {"fi": "sv", "sv": "en", "en": "fi"}
#: A search word that finds the job-search coaching in each language.
COACHING = {"fi": "valmennus", "sv": "coachning", "en": "coaching"}
NO_MATCH = "xyzzyqwv"
TAMPERE = "837"
PHONE_WIDTH = 360

# The demo's services, by their Finnish names.
JOB_SEARCH_COACHING = "Työnhakuvalmennus"  # published, with a revised draft
START_UP_ADVICE = "Yrityksen perustamisneuvonta"  # published, for persons and companies
WORK_TRIAL = "Työkokeilu yrityksessä"  # waits for review
DIGITAL_SKILLS = "Digitaidot työnhakuun"  # returned to its producer
SUMMER_JOBS = "Kesätyöneuvonta nuorille 2026"  # withdrawn


def _service(alliance: Alliance, name_fi: str) -> Service:
    return Service.objects.filter(alliance=alliance, versions__name_fi=name_fi).distinct().get()


def _public(language: str, pk: int | None = None, page: str = "") -> str:
    """A public address: the list, a service (``pk``), or its ``ask`` or ``thanks`` page."""
    base, ask, thanks = PUBLIC[language]
    if pk is None:
        return f"/{base}/"
    return f"/{base}/{pk}/" + {"": "", "ask": f"{ask}/", "thanks": f"{thanks}/"}[page]


def _expect(audit: Audit, label: str, selector: str, present: bool = True) -> None:
    found = audit.tab.page.locator(selector).count()
    if bool(found) != present:
        audit.findings.append(
            f"{label} [{audit.language}]: {selector} is {'missing' if present else 'shown'}"
        )


def _session(
    browser: Any,
    demo: Any,
    language: str,
    username: str | None,
    contexts: list[Any],
    audits: list[Audit],
    cookie_language: str | None = None,
) -> Audit:
    """A new browser context (logged in as ``username`` if given) and its audit; the context's
    language cookie and locale are ``cookie_language`` if given, else ``language``."""
    context = new_context(browser, demo, cookie_language or language)
    contexts.append(context)
    tab = Tab.open(context, demo)
    audit = Audit(tab, language)
    audits.append(audit)
    if username:
        response = tab.login(username)
        if response is None or response.status != 200 or "/accounts/login/" in tab.page.url:
            audit.findings.append(f"{username} [{language}]: logging in failed")
    return audit


def _fail_on(audits: list[Audit], what: str) -> None:
    report = "\n".join(part for part in (a.report() for a in audits) if part)
    if report:
        pytest.fail(f"{what}:\n{report}", pytrace=False)


# Accessibility ---------------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_pages_pass_axe(browser: Any, demo: Any, language: str):
    main = Alliance.objects.get(name=MAIN_ALLIANCE)
    base = f"/alliances/{main.pk}"
    coaching = _service(main, JOB_SEARCH_COACHING)
    advice = _service(main, START_UP_ADVICE)
    in_review = _service(main, WORK_TRIAL)
    returned = _service(main, DIGITAL_SKILLS)
    withdrawn = _service(main, SUMMER_JOBS)
    region = User.objects.get(username="projektitoimisto").organisation
    audits: list[Audit] = []
    contexts: list[Any] = []
    try:
        # The public front door: anonymous, the cookie in another language than the address.
        public = _session(browser, demo, language, None, contexts, audits, OTHER[language])
        tab = public.tab
        public.check("public list", tab.goto(_public(language)))
        _expect(public, "public list", "main ol.results li.result")
        if tab.page.locator("nav.pager a").count():
            public.check("public list, page 2", tab.goto(_public(language) + "?page=2"))
        public.check(
            "public search with results",
            tab.goto(f"{_public(language)}?q={COACHING[language]}&municipality={TAMPERE}"),
        )
        _expect(
            public, "public search with results", f"main a[href='{_public(language, coaching.pk)}']"
        )
        public.check(
            "public search without results",
            tab.goto(f"{_public(language)}?q={NO_MATCH}&customer=company"),
        )
        _expect(public, "public search without results", "main ol.results", present=False)
        public.check("public service", tab.goto(_public(language, coaching.pk)))
        _expect(public, "public service", f"main a[href='{_public(language, coaching.pk, 'ask')}']")
        public.check("public service for companies too", tab.goto(_public(language, advice.pk)))
        ask = _public(language, advice.pk, "ask")
        public.check("request form", tab.goto(ask))
        public.check("request form, empty", tab.submit(), status=400)
        public.expect_errors("request form, empty")
        tab.goto(ask)
        tab.page.check("input[name=customer_type][value=company]")
        tab.page.fill("#id_name", "Anna Andersson")
        tab.page.fill("#id_contact", "anna@example.fi")
        tab.page.select_option("#id_municipality", TAMPERE)
        tab.page.fill("#id_company_name", "Firma Ab")
        tab.page.fill("#id_business_id", "1234567-8")
        tab.page.fill("#id_message", "Vi vill starta ett företag.")
        public.check("request form, invalid business ID", tab.submit(), status=400)
        public.expect_errors("request form, invalid business ID")
        _expect(public, "request form, invalid business ID", "#id_business_id_error")
        public.check("thank-you page", tab.goto(_public(language, advice.pk, "thanks")))

        # The project office: the manager, who sees the settings and reviews the services.
        office = _session(browser, demo, language, "projektitoimisto", contexts, audits)
        tab = office.tab
        office.check("services", tab.goto(f"{base}/services/"))
        _expect(office, "services", f"main form[action='{base}/services/settings/']")
        office.check("services in review", tab.goto(f"{base}/services/?status=in_review"))
        tab.goto(f"{base}/services/")
        tab.page.fill("#id_request_retention_days", "0")
        office.check(
            "services, refused settings",
            tab.submit(f"main form[action='{base}/services/settings/'] button[type=submit]"),
        )
        _expect(office, "services, refused settings", ".messages .message-error")

        office.check("new service form", tab.goto(f"{base}/services/new/"))
        office.check("new service form, empty", tab.submit())
        office.expect_errors("new service form, empty")

        for label, service in [
            ("service, published with a revised draft", coaching),
            ("service, in review", in_review),
            ("service, returned", returned),
            ("service, withdrawn", withdrawn),
        ]:
            office.check(label, tab.goto(f"{base}/services/{service.number}/"))
        tab.goto(f"{base}/services/{in_review.number}/")
        _expect(office, "service, in review", f"main form[action$='/{in_review.number}/publish/']")
        office.check(
            "service, return without a reason",
            tab.submit(f"main form[action$='/{in_review.number}/return/'] button[type=submit]"),
            status=400,
        )
        office.expect_errors("service, return without a reason")

        edit = f"{base}/services/{coaching.number}/edit/"
        office.check("edit the draft", tab.goto(edit))
        tab.page.fill("#id_min_age", "30")
        tab.page.fill("#id_max_age", "20")
        office.check("edit the draft, oldest age below the youngest", tab.submit())
        office.expect_errors("edit the draft, oldest age below the youngest")
        _expect(office, "edit the draft, oldest age below the youngest", "#id_max_age_error")

        channel = f"{base}/services/{coaching.number}/channels/new/"
        office.check("channel form", tab.goto(channel))
        tab.page.check(f"input[name=kind][value={ChannelKind.LOCATION}]")
        tab.page.fill("#id_name_fi", "Toimipiste")
        tab.page.check("input[name=languages][value=fi]")
        office.check("channel form, a location without its address", tab.submit())
        office.expect_errors("channel form, a location without its address")
        _expect(office, "channel form, a location without its address", "#id_street_error")
        tab.page.fill("#id_opens_1", "09:00")
        office.check("channel form, an opening time without its closing", tab.submit())
        office.expect_errors("channel form, an opening time without its closing")
        _expect(office, "channel form, an opening time without its closing", "#id_closes_1_error")

        # The region's queue: the requests for its business services.
        queue = f"{base}/service-requests/"
        office.check("requests", tab.goto(queue))
        office.check("requests, all", tab.goto(f"{queue}?status=all"))
        waiting = ServiceRequest.objects.filter(
            alliance=main, organizer=region, status=RequestStatus.NEW
        ).first()
        if waiting is None:
            office.findings.append(f"requests [{language}]: no request in the region's queue")
        else:
            office.check("request", tab.goto(f"{queue}{waiting.pk}/"))
            _expect(office, "request", f"main form[action='{queue}{waiting.pk}/handle/']")

        # Tampere's leadership member: a handled request, read-only.
        tampere = _session(browser, demo, language, "johtoryhma.tampere", contexts, audits)
        handled = ServiceRequest.objects.get(alliance=main, status=RequestStatus.HANDLED)
        tampere.check("requests, all (Tampere)", tampere.tab.goto(f"{queue}?status=all"))
        tampere.check("request, handled", tampere.tab.goto(f"{queue}{handled.pk}/"))
        _expect(tampere, "request, handled", "main form[action$='/handle/']", present=False)

        # The producer's staff: its own services, without the manager's settings.
        producer = _session(browser, demo, language, "tuottaja.tyopolku", contexts, audits)
        tab = producer.tab
        producer.check("services (producer)", tab.goto(f"{base}/services/"))
        _expect(producer, "services (producer)", "main form[action$='/settings/']", present=False)
        producer.check(
            "service with a draft (producer)", tab.goto(f"{base}/services/{coaching.number}/")
        )
        _expect(producer, "service with a draft (producer)", f"main a[href='{edit}']")
        _expect(
            producer,
            "service with a draft (producer)",
            "main form[action$='/publish/']",
            present=False,
        )
    finally:
        for context in contexts:
            context.close()
    _fail_on(audits, f"Accessibility checks of the catalogue pages failed ({language})")


# Without JavaScript -----------------------------------------------------------------------------


def test_a_person_finds_a_service_and_asks_for_it_without_javascript(browser: Any, demo: Any):
    language = "fi"
    main = Alliance.objects.get(name=MAIN_ALLIANCE)
    coaching = _service(main, JOB_SEARCH_COACHING)
    tampere = Organisation.objects.get(
        municipality__code=TAMPERE, kind=OrganisationKind.MUNICIPALITY
    )
    before = ServiceRequest.objects.count()
    context = new_context(browser, demo, language, java_script_enabled=False)
    tab = Tab.open(context, demo)
    page = tab.page
    try:
        tab.goto(_public(language))
        page.fill("#id_q", COACHING[language])
        page.select_option("#id_municipality", TAMPERE)
        tab.submit("main form.search-form button[type=submit]")
        assert page.url.startswith(f"{demo.url}{_public(language)}?")
        assert f"q={COACHING[language]}" in page.url
        assert f"municipality={TAMPERE}" in page.url
        results = page.locator("main ol.results li.result h3 a")
        names = results.all_inner_texts()
        assert JOB_SEARCH_COACHING in names, names
        # Only services that serve Tampere and match the words are listed.
        for name in names:
            version = ServiceVersion.objects.get(
                service__alliance=main, name_fi=name, status=VersionStatus.PUBLISHED
            )
            assert TAMPERE in version.municipalities, name

        with page.expect_navigation():
            page.click(f"main a[href='{_public(language, coaching.pk)}']")
        assert tab.heading() == JOB_SEARCH_COACHING
        with page.expect_navigation():
            page.click(f"main a[href='{_public(language, coaching.pk, 'ask')}']")
        assert tab.heading() == tr(language, "Ask for this service")

        page.check("input[name=customer_type][value=person]")
        page.fill("#id_name", "Ilmari Esimerkki")
        page.fill("#id_contact", "ilmari.esimerkki@example.fi")
        page.select_option("#id_municipality", TAMPERE)
        page.fill("#id_message", "Haluaisin apua työhaastatteluun valmistautumiseen.")
        response = tab.submit()
        assert response.status == 200
        assert page.url == demo.url + _public(language, coaching.pk, "thanks")
        assert tab.heading() == tr(language, "Thank you: your request was sent")
    finally:
        context.close()
    tab.fail_on_problems()

    assert ServiceRequest.objects.count() == before + 1
    request = ServiceRequest.objects.get(name="Ilmari Esimerkki")
    assert request.service == coaching
    assert request.organizer == tampere
    assert request.status == RequestStatus.NEW
    assert (request.customer_type, request.language) == ("person", language)
    assert request.municipality.code == TAMPERE

    # The responsible organizer's member finds it in the queue, without JavaScript too.
    context = new_context(browser, demo, language, java_script_enabled=False)
    tab = Tab.open(context, demo)
    try:
        tab.login("johtoryhma.tampere")
        tab.goto(f"/alliances/{main.pk}/service-requests/")
        link = f"main a[href='/alliances/{main.pk}/service-requests/{request.pk}/']"
        with tab.page.expect_navigation():
            tab.page.click(link)
        assert "Ilmari Esimerkki" in tab.page.inner_text("main")
    finally:
        context.close()
    tab.fail_on_problems()


def test_a_producer_drafts_a_service_and_the_organizer_publishes_it_without_javascript(
    browser: Any, demo: Any
):
    language = "fi"
    main = Alliance.objects.get(name=MAIN_ALLIANCE)
    base = f"/alliances/{main.pk}"
    tampere = Organisation.objects.get(
        municipality__code=TAMPERE, kind=OrganisationKind.MUNICIPALITY
    )
    producer = User.objects.get(username="tuottaja.tyopolku").organisation
    name = "Mentorointi työnhakijoille"
    contexts: list[Any] = []
    tabs: list[Tab] = []

    def session(username: str) -> Tab:
        context = new_context(browser, demo, language, java_script_enabled=False)
        contexts.append(context)
        tab = Tab.open(context, demo)
        tabs.append(tab)
        tab.login(username)
        return tab

    try:
        # The producer's staff member drafts the service, from the link on the list.
        tab = session("tuottaja.tyopolku")
        page = tab.page
        tab.goto(f"{base}/services/")
        with page.expect_navigation():
            page.click(f"main a[href='{base}/services/new/']")
        page.select_option("#id_service_area", "employment")
        page.fill("#id_name_fi", name)
        page.fill("#id_summary_fi", "Kokenut mentori tukee työnhakijaa.")
        page.fill("#id_description_fi", "Mentori tapaa työnhakijan kerran kuukaudessa.")
        page.check(f"input[name=responsible][value='{tampere.pk}']")
        assert page.is_checked(f"input[name=producers][value='{producer.pk}']")
        assert page.is_checked("#id_for_persons")
        page.select_option("#id_service_classes", ["P10.1"])
        page.select_option("#id_municipalities", [TAMPERE])
        assert page.is_checked("input[name=jobseeker][value=any]")
        tab.submit()
        match = re.fullmatch(rf"{re.escape(demo.url)}{base}/services/(\d+)/", page.url)
        assert match, page.url
        service = Service.objects.get(alliance=main, number=int(match[1]))
        draft = service.versions.get()
        assert (draft.name_fi, draft.status) == (name, VersionStatus.DRAFT)
        assert tab.heading() == name

        # A phone channel, from the link on the service's page.
        url = f"{base}/services/{service.number}/"
        with page.expect_navigation():
            page.click(f"main a[href='{url}channels/new/']")
        page.check(f"input[name=kind][value={ChannelKind.PHONE}]")
        page.fill("#id_name_fi", "Mentoripuhelin")
        page.fill("#id_phone", "+358 40 123 4567")
        page.check("input[name=languages][value=fi]")
        page.fill("#id_opens_1", "09:00")
        page.fill("#id_closes_1", "15:00")
        tab.submit()
        assert page.url == demo.url + url
        channel = draft.channels.get()
        assert (channel.kind, channel.phone) == (ChannelKind.PHONE, "+358 40 123 4567")
        assert channel.hours == [{"day": 1, "opens": "09:00", "closes": "15:00"}]
        assert "Mentoripuhelin" in page.inner_text("main")

        # To review; the producer may not publish its own service.
        tab.submit(f"main form[action='{url}submit/'] button[type=submit]")
        assert page.url == demo.url + url
        draft.refresh_from_db()
        assert draft.status == VersionStatus.IN_REVIEW
        assert not page.locator(f"main form[action='{url}publish/']").count()

        # Tampere, the responsible organizer: its leadership member publishes it.
        tab = session("johtoryhma.tampere")
        page = tab.page
        tab.goto(f"{base}/services/?status={VersionStatus.IN_REVIEW}")
        with page.expect_navigation():
            page.click(f"main a[href='{url}']")
        tab.submit(f"main form[action='{url}publish/'] button[type=submit]")
        assert page.url == demo.url + url
        draft.refresh_from_db()
        service.refresh_from_db()
        assert draft.status == VersionStatus.PUBLISHED
        assert service.current == draft
        assert tr(language, "The service was published.") in page.inner_text(".messages")

        # Anyone finds it on the public pages now.
        context = new_context(browser, demo, None, java_script_enabled=False)
        contexts.append(context)
        tab = Tab.open(context, demo)
        tabs.append(tab)
        tab.goto(f"{_public(language)}?q=mentorointi")
        assert name in tab.page.locator("main ol.results").inner_text()
    finally:
        for context in contexts:
            context.close()
    for tab in tabs:
        tab.fail_on_problems()


# A phone ----------------------------------------------------------------------------------------


def test_public_pages_fit_a_phone(browser: Any, demo: Any):
    """At 360 CSS pixels wide nothing makes the public pages scroll sideways, in any language:
    the list with its filters, a service with its opening hours, and the request form, also with
    its errors."""
    main = Alliance.objects.get(name=MAIN_ALLIANCE)
    coaching = _service(main, JOB_SEARCH_COACHING)
    advice = _service(main, START_UP_ADVICE)
    findings: list[str] = []
    for language in LANGUAGES:
        context = new_context(
            browser,
            demo,
            None,
            viewport={"width": PHONE_WIDTH, "height": 740},
            device_scale_factor=2,
            is_mobile=True,
            has_touch=True,
        )
        tab = Tab.open(context, demo)
        try:
            pages = [
                ("public list", _public(language)),
                ("public search", f"{_public(language)}?q={COACHING[language]}"),
                ("public service", _public(language, coaching.pk)),
                ("public service for companies too", _public(language, advice.pk)),
                ("request form", _public(language, advice.pk, "ask")),
            ]
            for label, path in pages:
                response = tab.goto(path)
                assert response is not None
                assert response.status == 200, (label, language)
                findings += _overflow(tab, f"{label} [{language}] {path}")
            tab.submit()
            findings += _overflow(tab, f"request form with errors [{language}]")
        finally:
            context.close()
        findings += [f"{p.where}: {p.what}" for p in tab.problems]
    if findings:
        pytest.fail("Public pages wider than a phone:\n" + "\n".join(findings), pytrace=False)


_WIDEST = """(limit) => {
  const describe = (element) => {
    const parts = [];
    for (let e = element; e && e.tagName !== "MAIN" && e !== document.body; e = e.parentElement) {
      const classes = typeof e.className === "string" && e.className.trim()
        ? "." + e.className.trim().split(/\\s+/).join(".") : "";
      parts.unshift(e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + classes);
    }
    const href = element.getAttribute("href");
    return parts.join(" > ") + (href ? `[href="${href}"]` : "");
  };
  const wide = [];
  for (const element of document.body.querySelectorAll("*")) {
    const box = element.getBoundingClientRect();
    if (box.width && box.right > limit + 0.5) {
      const parent = element.parentElement && element.parentElement.getBoundingClientRect();
      if (!parent || parent.right <= limit + 0.5) {
        wide.push(`${describe(element)} (right edge at ${Math.round(box.right)} px)`);
      }
    }
  }
  return wide.slice(0, 10);
}"""


def _overflow(tab: Tab, where: str) -> list[str]:
    """The page's width beyond the viewport, and the outermost elements that stick out."""
    width = tab.page.evaluate("document.documentElement.scrollWidth")
    if width <= PHONE_WIDTH:
        return []
    widest = tab.page.evaluate(_WIDEST, PHONE_WIDTH)
    return [f"{where}: {width} px wide; sticking out: {', '.join(widest) or '?'}"]
