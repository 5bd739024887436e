"""The section navigation and the breadcrumbs of the pages inside an alliance: which sections
each role is shown, which section a page belongs to, and what the shared template renders."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import translation

from allianssi.accounts.models import User
from allianssi.alliances import navigation
from allianssi.alliances.models import Phase, Role
from allianssi.alliances.services import alliance_enter_phase, alliance_role_grant
from tests.accounts.factories import UserFactory
from tests.conftest import World

pytestmark = pytest.mark.django_db

EVERYONE = ["overview", "governance", "procurement", "compliance", "openbook", "settlement"]
EVERYONE += ["outcomes", "services", "people", "audit", "search"]


def _keys(user: User, world: World) -> list[str]:
    return [section.key for section, _parts in navigation.visible_sections(user, world.alliance)]


def _parts(user: User, world: World, key: str) -> list[str]:
    shown = {s.key: parts for s, parts in navigation.visible_sections(user, world.alliance)}
    return [part.url_name for part in shown.get(key, [])]


def _advisor(world: World) -> User:
    advisor = UserFactory(username="advisor", organisation=world.org["tampere"])
    alliance_role_grant(
        actor=world.users["manager"], alliance=world.alliance, user=advisor, role=Role.ADVISOR
    )
    return advisor


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


# Which sections each role is shown --------------------------------------------------------------


def test_the_project_office_sees_every_section_but_the_customers_and_referrals(world: World):
    assert _keys(world.users["manager"], world) == EVERYONE
    assert _parts(world.users["manager"], world, "procurement") == [
        "procurement:strategy",
        "procurement:list",
    ]
    # The project office (of the region, an organizer) handles the region's requests too.
    assert _parts(world.users["manager"], world, "services") == [
        "catalogue:services",
        "catalogue:requests",
    ]
    # An observer of no organisation handles none.
    assert _parts(world.users["observer"], world, "services") == ["catalogue:services"]


def test_an_observer_sees_the_procurement_but_no_customers(world: World):
    observer = world.users["observer"]
    assert _keys(observer, world) == EVERYONE
    assert "procurement:list" in _parts(observer, world, "procurement")


def test_a_controller_of_an_organizer_sees_the_retention_of_customer_data_only(world: World):
    controller = world.users["controller"]
    assert _keys(controller, world) == [*EVERYONE[:8], "customers", *EVERYONE[8:]]
    assert _parts(controller, world, "customers") == ["customers:settings"]
    assert _parts(controller, world, "services") == ["catalogue:services", "catalogue:requests"]


def test_an_advisor_sees_the_customers_and_the_referrals_they_sent(world: World):
    advisor = _advisor(world)
    keys = _keys(advisor, world)
    assert {"customers", "referrals"} <= set(keys)
    assert _parts(advisor, world, "customers") == ["customers:list"]
    assert _parts(advisor, world, "referrals") == ["referrals:outgoing"]
    assert "procurement:list" not in _parts(advisor, world, "procurement")


def test_a_producers_staff_see_their_queue_but_no_customers_or_procurement(world: World):
    world.to_phase(Phase.FORMATION)
    staff = world.users["producer_staff"]
    keys = _keys(staff, world)
    assert "customers" not in keys
    assert _parts(staff, world, "referrals") == ["referrals:queue", "referrals:outgoing"]
    assert _parts(staff, world, "procurement") == ["procurement:strategy"]


def test_someone_without_a_role_sees_no_section_and_no_navigation(world: World):
    stranger = world.users["stranger"]
    assert _keys(stranger, world) == []
    body = _client(stranger).get(reverse("alliances:list")).content.decode()
    assert "section-nav" not in body


def test_an_ended_alliance_keeps_its_sections_readable_and_drops_the_managers_actions(
    world: World,
):
    world.to_phase(Phase.IMPLEMENTATION)
    alliance_enter_phase(
        actor=world.users["manager"],
        alliance=world.alliance,
        to_phase=Phase.ENDED,
        effective_on=world.alliance.term_end,
        note="Sopimuskausi päättyi",
    )
    world.alliance.refresh_from_db()
    assert world.alliance.phase == Phase.ENDED
    manager = world.users["manager"]
    assert _keys(manager, world) == EVERYONE
    body = _client(manager).get(reverse("alliances:detail", args=[world.alliance.pk]))
    text = body.content.decode()
    assert 'class="section-nav"' in text
    assert reverse("alliances:phase", args=[world.alliance.pk]) not in text
    # Every section of the history stays open to the observer too.
    assert _keys(world.users["observer"], world) == EVERYONE


# Which section a page is in --------------------------------------------------------------------


def _alliance_routes() -> list[tuple[str, str]]:
    """(view name, route) of every URL pattern inside an alliance."""
    found: list[tuple[str, str]] = []

    def walk(patterns: list[URLPattern | URLResolver], namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif str(pattern.pattern).startswith("alliances/<int:pk>/") and pattern.name:
                found.append((f"{namespace}:{pattern.name}", str(pattern.pattern)))

    walk(get_resolver().url_patterns, "")
    return found


def test_every_page_inside_an_alliance_has_a_section():
    routes = _alliance_routes()
    assert len(routes) > 100
    missing = [name for name, _route in routes if navigation.section_of(name) is None]
    assert not missing
    # And the table names no page that does not exist.
    assert set(navigation.PAGES) <= {name for name, _route in routes}


@pytest.mark.parametrize(
    ("view_name", "section"),
    [
        ("alliances:detail", "overview"),
        ("alliances:phase", "overview"),
        ("governance:proposal", "governance"),
        ("governance:idea", "governance"),
        ("procurement:strategy", "procurement"),
        ("procurement:scores", "procurement"),
        ("openbook:job", "openbook"),
        ("settlement:invoice", "settlement"),
        ("outcomes:sample", "outcomes"),
        ("catalogue:requests", "services"),
        ("customers:settings", "customers"),
        ("referrals:create", "referrals"),
        ("alliances:roles", "people"),
        ("audit:checkpoint", "audit"),
        ("alliancesearch:search", "search"),
        ("catalogue:public_list_fi", None),
        ("notifications:list", None),
    ],
)
def test_section_of_a_page(view_name: str, section: str | None):
    assert navigation.section_of(view_name) == section


# What the pages show -----------------------------------------------------------------------------


def _nav(body: str, label: str) -> str:
    match = re.search(rf'<nav aria-label="{re.escape(label)}"[^>]*>(.*?)</nav>', body, re.S)
    assert match, f"no navigation labelled {label!r}"
    return match.group(1)


def _links(html: str) -> list[tuple[str, str, str | None]]:
    return [
        (href, re.sub(r"<[^>]+>", "", text).strip(), current or None)
        for href, current, text in re.findall(
            r'<a href="([^"]+)"(?: aria-current="(\w+)")?>(.*?)</a>', html, re.S
        )
    ]


def test_a_page_deep_in_a_section_has_its_breadcrumbs_and_section(world: World):
    world.to_phase(Phase.FORMATION)
    pk = world.alliance.pk
    manager = world.users["manager"]
    body = _client(manager).get(reverse("governance:meeting_new", args=[pk])).content.decode()
    with translation.override("en"):
        crumbs = _links(_nav(body, "Breadcrumb"))
        sections = _links(_nav(body, "Sections of the alliance"))
        parts = _links(_nav(body, "Pages in this section"))
    assert '<nav aria-label="Breadcrumb" class="breadcrumb">\n    <ol>' in body
    assert crumbs == [
        (reverse("alliances:list"), "Alliances", None),
        (reverse("alliances:detail", args=[pk]), "Pirkanmaan allianssi", None),
        (reverse("governance:leadership", args=[pk]), "Governance", None),
        (reverse("governance:meetings", args=[pk]), "Meetings", None),
        (reverse("governance:meeting_new", args=[pk]), "Call a meeting", "page"),
    ]
    assert [label for _href, label, _current in sections] == [
        "Overview",
        "Governance",
        "Strategy and procurement",
        "Compliance",
        "Open books",
        "Settlement and KPIs",
        "Outcomes",
        "Services",
        "People and roles",
        "Audit trail",
        "Search",
    ]
    # The section holds the page, but is not the page: aria-current="true", not "page".
    assert [current for _h, _l, current in sections] == [None, "true", *[None] * 9]
    assert [(label, current) for _href, label, current in parts] == [
        ("Leadership group", None),
        ("Decision register", None),
        ("Meetings", "true"),
        ("Improvement forum", None),
    ]


def test_a_sections_landing_page_is_the_current_page(world: World):
    pk = world.alliance.pk
    body = (
        _client(world.users["observer"]).get(reverse("openbook:books", args=[pk])).content.decode()
    )
    crumbs = _links(_nav(body, "Breadcrumb"))
    assert crumbs[-1] == (reverse("openbook:books", args=[pk]), "Open books", "page")
    assert len(crumbs) == 3
    sections = _links(_nav(body, "Sections of the alliance"))
    assert (reverse("openbook:books", args=[pk]), "Open books", "page") in sections


def test_a_parent_page_is_linked_with_the_pages_own_arguments(world: World):
    pk = world.alliance.pk
    nav = navigation.navigation(
        world.users["manager"],
        world.alliance,
        "procurement:scores",
        {"pk": pk, "number": 3},
        "/the/page/",
    )
    assert nav is not None
    with translation.override("en"):
        nav = navigation.navigation(
            world.users["manager"],
            world.alliance,
            "procurement:scores",
            {"pk": pk, "number": 3},
            "/the/page/",
        )
    assert nav is not None
    assert [(c.label, c.url, c.current) for c in nav.breadcrumbs[2:]] == [
        ("Strategy and procurement", reverse("procurement:strategy", args=[pk]), False),
        ("Procurements", reverse("procurement:list", args=[pk]), False),
        ("Procurement 3", reverse("procurement:detail", args=[pk, 3]), False),
        ("Your scores", "/the/page/", True),
    ]


def test_the_overview_is_the_alliance_in_the_breadcrumbs_and_has_no_button_wall(world: World):
    pk = world.alliance.pk
    body = _client(world.users["leader"]).get(reverse("alliances:detail", args=[pk]))
    text = body.content.decode()
    crumbs = _links(_nav(text, "Breadcrumb"))
    assert crumbs == [
        (reverse("alliances:list"), "Alliances", None),
        (reverse("alliances:detail", args=[pk]), "Pirkanmaan allianssi", "page"),
    ]
    # Each section is linked once, from the section navigation, not from buttons in the page.
    main = text[text.index('<main id="main"') :]
    assert reverse("openbook:books", args=[pk]) not in main
    assert 'class="button button-secondary" href="/alliances/' not in main
    # The facts of the alliance are still there.
    for fact in ["Pirkanmaa", "Goals", "Members", "Municipalities of the region", "History"]:
        assert fact in main, fact


def test_pages_outside_an_alliance_have_no_section_navigation(world: World):
    client = _client(world.users["manager"])
    for url in [reverse("alliances:list"), reverse("home:index"), reverse("notifications:list")]:
        assert 'class="section-nav"' not in client.get(url).content.decode(), url


def test_a_page_of_an_alliance_the_user_cannot_see_shows_no_navigation(world: World):
    response = _client(world.users["manager"]).get(
        reverse("alliances:detail", args=[world.other.pk])
    )
    assert response.status_code == 404
    assert 'class="section-nav"' not in response.content.decode()
