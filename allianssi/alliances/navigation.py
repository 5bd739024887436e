"""Where a page inside an alliance is: its section, the section's pages, and the breadcrumbs.

Every page at ``alliances/<pk>/…`` belongs to one section of the alliance (governance,
procurement, open books, …). The section is decided here, once, from the page's resolved URL
(its namespace and URL name), never by the page's template; which sections a person is shown is
decided by :mod:`allianssi.permissions`, asked the same questions as the pages themselves ask.
``base.html`` renders the result (``includes/alliance_nav.html``): the breadcrumbs (Alliances ›
the alliance › the section › the page) and the section navigation. See docs/navigation.md.

This module names the other apps' pages only by their URL names (strings), so it imports nothing
above the alliances layer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_lazy, pgettext_lazy

from allianssi import permissions
from allianssi.alliances.models import Alliance

if TYPE_CHECKING:
    from django.http import HttpRequest

    from allianssi.permissions import AnyUser

Allowed = Callable[["AnyUser", Alliance, int], bool]
"""Whether the user may open a page: ``(user, alliance, own organisation id or 0)``."""


def _everyone(user: AnyUser, alliance: Alliance, own: int) -> bool:
    return permissions.can_view_alliance(user, alliance)


def _procurement(user: AnyUser, alliance: Alliance, own: int) -> bool:
    return permissions.can_view_procurement(user, alliance)


def _compliance(user: AnyUser, alliance: Alliance, own: int) -> bool:
    return permissions.can_view_compliance(user, alliance)


def _books(user: AnyUser, alliance: Alliance, own: int) -> bool:
    return permissions.can_read_ledger(user, alliance)


def _settlement(user: AnyUser, alliance: Alliance, own: int) -> bool:
    return permissions.can_view_settlement(user, alliance)


def _outcomes(user: AnyUser, alliance: Alliance, own: int) -> bool:
    return permissions.can_view_outcome_figures(user, alliance)


def _catalogue(user: AnyUser, alliance: Alliance, own: int) -> bool:
    return permissions.can_view_catalogue(user, alliance)


def _service_requests(user: AnyUser, alliance: Alliance, own: int) -> bool:
    return bool(own) and permissions.can_handle_service_requests(user, alliance, organizer_id=own)


def _customers(user: AnyUser, alliance: Alliance, own: int) -> bool:
    return permissions.can_list_customers(user, alliance)


def _customer_settings(user: AnyUser, alliance: Alliance, own: int) -> bool:
    return bool(own) and permissions.can_manage_customer_settings(user, alliance, organizer_id=own)


def _referral_queue(user: AnyUser, alliance: Alliance, own: int) -> bool:
    return bool(own) and permissions.can_receive_referrals(user, alliance, producer_id=own)


def _sent_referrals(user: AnyUser, alliance: Alliance, own: int) -> bool:
    return bool(own) and permissions.can_send_referral(user, alliance, sender_id=own)


def _audit(user: AnyUser, alliance: Alliance, own: int) -> bool:
    return permissions.can_view_audit(user, alliance)


@dataclass(frozen=True)
class Part:
    """A page of a section that the section navigation links to (its landing page first)."""

    url_name: str
    label: Promise
    allowed: Allowed


@dataclass(frozen=True)
class Section:
    key: str
    label: Promise
    parts: tuple[Part, ...]


SECTIONS: tuple[Section, ...] = (
    Section(
        "overview",
        gettext_lazy("Overview"),
        (Part("alliances:detail", gettext_lazy("Overview"), _everyone),),
    ),
    Section(
        "governance",
        gettext_lazy("Governance"),
        (
            Part("governance:leadership", gettext_lazy("Leadership group"), _everyone),
            Part("governance:decisions", gettext_lazy("Decision register"), _everyone),
            Part("governance:meetings", gettext_lazy("Meetings"), _everyone),
            Part("governance:ideas", gettext_lazy("Improvement forum"), _everyone),
        ),
    ),
    Section(
        "procurement",
        gettext_lazy("Strategy and procurement"),
        (
            Part("procurement:strategy", gettext_lazy("Strategy phase"), _everyone),
            Part("procurement:list", gettext_lazy("Procurements"), _procurement),
        ),
    ),
    Section(
        "compliance",
        gettext_lazy("Compliance"),
        (Part("compliance:page", gettext_lazy("Compliance"), _compliance),),
    ),
    Section(
        "openbook",
        gettext_lazy("Open books"),
        (
            Part("openbook:books", gettext_lazy("Open books"), _books),
            Part("openbook:plan", gettext_lazy("Budgets and pooled staff"), _books),
        ),
    ),
    Section(
        "settlement",
        gettext_lazy("Settlement and KPIs"),
        (Part("settlement:overview", gettext_lazy("Settlement and KPIs"), _settlement),),
    ),
    Section(
        "outcomes",
        gettext_lazy("Outcomes"),
        (Part("outcomes:index", gettext_lazy("Outcomes"), _outcomes),),
    ),
    Section(
        "services",
        gettext_lazy("Services"),
        (
            Part("catalogue:services", gettext_lazy("Services"), _catalogue),
            Part("catalogue:requests", gettext_lazy("Requests for services"), _service_requests),
        ),
    ),
    Section(
        "customers",
        gettext_lazy("Customers"),
        (
            Part("customers:list", gettext_lazy("Customers"), _customers),
            Part(
                "customers:settings",
                gettext_lazy("Retention of customer data"),
                _customer_settings,
            ),
        ),
    ),
    Section(
        "referrals",
        gettext_lazy("Referrals"),
        (
            Part("referrals:queue", gettext_lazy("Referrals to us"), _referral_queue),
            Part("referrals:outgoing", gettext_lazy("Sent referrals"), _sent_referrals),
        ),
    ),
    Section(
        "people",
        gettext_lazy("People and roles"),
        (Part("alliances:roles", gettext_lazy("People and roles"), _everyone),),
    ),
    Section(
        "audit",
        gettext_lazy("Audit trail"),
        (Part("alliances:audit", gettext_lazy("Audit trail"), _audit),),
    ),
    Section(
        "search",
        pgettext_lazy("section of an alliance", "Search"),
        (
            Part(
                "alliancesearch:search",
                pgettext_lazy("section of an alliance", "Search"),
                _everyone,
            ),
        ),
    ),
)
_SECTION = {section.key: section for section in SECTIONS}


@dataclass(frozen=True)
class Page:
    """A page inside an alliance: its section, the section's part it belongs to (a key of
    :data:`SECTIONS`' parts, when it is one of them or below one), its parent page (reversed with
    the same URL arguments as the page itself), and its name in the breadcrumbs (formatted with
    the page's URL arguments)."""

    section: str
    label: Promise | None = None
    part: str | None = None
    parent: str | None = None


def _pages() -> dict[str, Page]:
    lazy = gettext_lazy
    p = Page
    gov, proc, books, money, out = "governance", "procurement", "openbook", "settlement", "outcomes"
    pages = {
        # The alliance itself.
        "alliances:detail": p("overview", part="alliances:detail"),
        "alliances:edit": p("overview", lazy("Edit the alliance")),
        "alliances:member_add": p("overview", lazy("Add a member")),
        "alliances:member_exit": p("overview", lazy("Record an exit")),
        "alliances:member_remove": p("overview", lazy("Remove a member")),
        "alliances:phase": p("overview", lazy("Change the phase")),
        "alliances:roles": p("people", part="alliances:roles"),
        "alliances:role_revoke": p("people", part="alliances:roles"),
        "alliances:audit": p("audit", part="alliances:audit"),
        "audit:checkpoint": p("audit", part="alliances:audit"),
        "alliancesearch:search": p("search", part="alliancesearch:search"),
        # Governance.
        "governance:leadership": p(gov, part="governance:leadership"),
        "governance:seat": p(gov, lazy("Seat"), part="governance:leadership"),
        "governance:proposal_new": p(gov, lazy("New proposal"), part="governance:leadership"),
        "governance:proposal": p(gov, lazy("Proposal %(number)s"), part="governance:leadership"),
        "governance:decisions": p(gov, part="governance:decisions"),
        "governance:decisions_document": p(gov, part="governance:decisions"),
        "governance:meetings": p(gov, part="governance:meetings"),
        "governance:meeting_new": p(gov, lazy("Call a meeting"), part="governance:meetings"),
        "governance:meeting": p(gov, lazy("Meeting %(number)s"), part="governance:meetings"),
        "governance:minutes_document": p(gov, part="governance:meetings"),
        "governance:ideas": p(gov, part="governance:ideas"),
        "governance:idea_new": p(gov, lazy("Post an idea"), part="governance:ideas"),
        "governance:idea": p(gov, lazy("Idea %(number)s"), part="governance:ideas"),
        # Strategy and procurement.
        "procurement:strategy": p(proc, part="procurement:strategy"),
        "procurement:assessment": p(
            proc, lazy("Suitability assessment"), part="procurement:strategy"
        ),
        "procurement:go_new": p(proc, lazy("Propose the go / no-go"), part="procurement:strategy"),
        "procurement:list": p(proc, part="procurement:list"),
        "procurement:new": p(proc, lazy("Open a procurement"), part="procurement:list"),
        "procurement:detail": p(proc, lazy("Procurement %(number)s"), part="procurement:list"),
        "procurement:ocds": p(proc, part="procurement:list", parent="procurement:detail"),
        # Compliance.
        "compliance:page": p("compliance", part="compliance:page"),
        # Open books.
        "openbook:books": p(books, part="openbook:books"),
        "openbook:csv": p(books, part="openbook:books"),
        "openbook:xlsx": p(books, part="openbook:books"),
        "openbook:chart": p(books, part="openbook:books"),
        "openbook:import": p(books, lazy("Import costs"), part="openbook:books"),
        "openbook:job": p(
            books, lazy("Import %(job)s"), part="openbook:books", parent="openbook:import"
        ),
        "openbook:job_status": p(books, part="openbook:books", parent="openbook:job"),
        "openbook:import_template": p(books, part="openbook:books", parent="openbook:import"),
        "openbook:plan": p(books, part="openbook:plan"),
        "openbook:budget_correct": p(books, lazy("Correct a budget"), part="openbook:plan"),
        "openbook:staff_correct": p(books, lazy("Correct a staff statement"), part="openbook:plan"),
        "openbook:entry_new": p(books, lazy("Post a cost"), part="openbook:books"),
        "openbook:entry_reverse": p(books, lazy("Correct an entry"), part="openbook:books"),
        # Settlement.
        "settlement:overview": p(money, part="settlement:overview"),
        "settlement:terms": p(money, lazy("Commercial terms"), part="settlement:overview"),
        "settlement:kpis": p(money, lazy("KPIs"), part="settlement:overview"),
        "settlement:kpi_chart": p(money, part="settlement:overview", parent="settlement:kpis"),
        "settlement:billing": p(money, lazy("Invoicing details"), part="settlement:overview"),
        "settlement:detail": p(money, lazy("Settlement"), part="settlement:overview"),
        "settlement:document": p(money, part="settlement:overview", parent="settlement:detail"),
        "settlement:invoice": p(money, lazy("Invoice"), part="settlement:overview"),
        "settlement:invoice_pdf": p(money, part="settlement:overview", parent="settlement:invoice"),
        "settlement:invoice_xml": p(money, part="settlement:overview", parent="settlement:invoice"),
        # Outcomes.
        "outcomes:index": p(out, part="outcomes:index"),
        "outcomes:events": p(out, lazy("Outcome events"), part="outcomes:index"),
        "outcomes:event": p(
            out, lazy("Event %(event)s"), part="outcomes:index", parent="outcomes:events"
        ),
        "outcomes:dispute_raise": p(out, part="outcomes:index", parent="outcomes:event"),
        "outcomes:disputes": p(out, lazy("Open disputes"), part="outcomes:index"),
        "outcomes:dispute_decide": p(out, part="outcomes:index", parent="outcomes:disputes"),
        "outcomes:record_customer": p(out, lazy("Record an outcome"), part="outcomes:index"),
        "outcomes:record_referral": p(out, lazy("Record an outcome"), part="outcomes:index"),
        "outcomes:import": p(out, lazy("Upload a file of outcomes"), part="outcomes:index"),
        "outcomes:import_template": p(out, part="outcomes:index", parent="outcomes:import"),
        "outcomes:extracts": p(out, lazy("Register extracts"), part="outcomes:index"),
        "outcomes:samples": p(out, lazy("Samples checked by hand"), part="outcomes:index"),
        "outcomes:sample_draw": p(out, part="outcomes:index", parent="outcomes:samples"),
        "outcomes:sample": p(
            out, lazy("Sample %(sample)s"), part="outcomes:index", parent="outcomes:samples"
        ),
        "outcomes:sample_check": p(out, part="outcomes:index", parent="outcomes:sample"),
        "outcomes:definition_new": p(out, lazy("Define a KPI"), part="outcomes:index"),
        "outcomes:definition_edit": p(out, lazy("KPI %(code)s"), part="outcomes:index"),
        "outcomes:figures": p(out, lazy("KPI %(code)s"), part="outcomes:index"),
        "outcomes:trajectory_chart": p(out, part="outcomes:index", parent="outcomes:figures"),
        "outcomes:funnel_chart": p(out, part="outcomes:index"),
        # The service catalogue.
        "catalogue:services": p("services", part="catalogue:services"),
        "catalogue:settings": p("services", part="catalogue:services"),
        "catalogue:service_new": p(
            "services", lazy("Draft a new service"), part="catalogue:services"
        ),
        "catalogue:service": p("services", lazy("Service %(number)s"), part="catalogue:services"),
        "catalogue:service_edit": p(
            "services",
            lazy("Edit the draft"),
            part="catalogue:services",
            parent="catalogue:service",
        ),
        "catalogue:channel_new": p(
            "services",
            lazy("Add a way to reach the service"),
            part="catalogue:services",
            parent="catalogue:service",
        ),
        "catalogue:requests": p("services", part="catalogue:requests"),
        "catalogue:request": p(
            "services", lazy("Request for a service"), part="catalogue:requests"
        ),
        "catalogue:request_handle": p(
            "services", part="catalogue:requests", parent="catalogue:request"
        ),
        # Customers.
        "customers:list": p("customers", part="customers:list"),
        "customers:create": p("customers", lazy("New customer"), part="customers:list"),
        "customers:settings": p("customers", part="customers:settings"),
        "customers:import": p("customers", lazy("Import customers"), part="customers:list"),
        "customers:import_template": p(
            "customers", part="customers:list", parent="customers:import"
        ),
        "customers:import_job": p(
            "customers", lazy("Import %(job)s"), part="customers:list", parent="customers:import"
        ),
        "customers:import_job_status": p(
            "customers", part="customers:list", parent="customers:import_job"
        ),
        "customers:detail": p("customers", lazy("Customer %(n)s"), part="customers:list"),
        "customers:edit": p(
            "customers",
            lazy("Edit contact details"),
            part="customers:list",
            parent="customers:detail",
        ),
        "customers:erase": p(
            "customers",
            lazy("Erase the customer's personal data"),
            part="customers:list",
            parent="customers:detail",
        ),
        "customers:export": p(
            "customers",
            lazy("The customer's data"),
            part="customers:list",
            parent="customers:detail",
        ),
        # Who read a customer's record: also the organizer's controller and leadership member,
        # who do not see the record itself, so no link leads to it.
        "customers:access": p("customers", lazy("Who has read the record")),
        # Referrals. A referral is reached from either list, or from a customer.
        "referrals:queue": p("referrals", part="referrals:queue"),
        "referrals:outgoing": p("referrals", part="referrals:outgoing"),
        "referrals:create": p("referrals", lazy("New referral")),
        "referrals:detail": p("referrals", lazy("Referral %(n)s")),
    }
    # Actions that answer with the page they were sent from (when refused) or redirect.
    for name in ("submit", "publish", "return", "revise", "withdraw", "channel_remove"):
        pages[f"catalogue:{name}"] = p(
            "services", part="catalogue:services", parent="catalogue:service"
        )
    for name in ("reveal", "consent_give", "consent_withdraw", "export_json"):
        pages[f"customers:{name}"] = p(
            "customers", part="customers:list", parent="customers:detail"
        )
    for name in ("send", "accept", "reject", "start", "complete", "interrupt", "revoke", "decline"):
        pages[f"referrals:{name}"] = p("referrals", parent="referrals:detail")
    for name, label in (
        ("edit", lazy("Edit the procurement")),
        ("scores", lazy("Your scores")),
        ("award", lazy("Propose the award")),
    ):
        pages[f"procurement:{name}"] = p(
            proc, label, part="procurement:list", parent="procurement:detail"
        )
    # Each form's own action (one view per action): refused, it answers with its page's form and
    # the errors, under its page's section and breadcrumbs.
    actions = {
        "governance:proposal": ("proposal_open", "proposal_vote", "proposal_delegate"),
        "governance:idea": (
            "idea_support",
            "idea_comment",
            "idea_evaluate",
            "idea_propose",
            "idea_decline",
            "idea_implementation",
        ),
        "governance:meeting": ("meeting_attendance", "meeting_minutes", "meeting_approve"),
        "procurement:detail": (
            "candidate_add",
            "candidate_exclude",
            "criterion_add",
            "result_set",
            "round_add",
            "award_criteria_set",
            "evaluator_add",
            "cancel",
        ),
        "procurement:scores": ("scores_save", "conflict_declare"),
        "compliance:page": (
            "assignment_add",
            "assignment_end",
            "market_declare",
            "market_end",
            "document_register",
        ),
        "openbook:plan": ("plan_budget", "plan_staff"),
        "settlement:overview": ("compute",),
        "settlement:terms": ("terms_edit", "terms_json"),
        "settlement:kpis": ("kpi_enter",),
        "settlement:billing": ("billing_set",),
        "settlement:detail": ("submit", "approve"),
    }
    for page_name, names in actions.items():
        page = pages[page_name]
        app = page_name.split(":")[0]
        for name in names:
            pages[f"{app}:{name}"] = p(
                page.section,
                part=page.part,
                parent=page_name if page.label is not None else page.parent,
            )
    return pages


PAGES: Mapping[str, Page] = _pages()


@dataclass(frozen=True)
class Link:
    label: str
    url: str
    current: bool = False


@dataclass(frozen=True)
class Navigation:
    """What ``includes/alliance_nav.html`` shows on a page inside an alliance."""

    alliance: Alliance
    section: str
    section_label: str
    sections: list[Link]
    parts: list[Link]
    breadcrumbs: list[Link] = field(default_factory=list)


def visible_sections(user: AnyUser, alliance: Alliance) -> list[tuple[Section, list[Part]]]:
    """The sections the user may open in the alliance, each with its parts that the user may
    open (a section none of whose parts the user may open is left out)."""
    own = getattr(user, "organisation_id", None) or 0
    shown = []
    for section in SECTIONS:
        parts = [part for part in section.parts if part.allowed(user, alliance, own)]
        if parts:
            shown.append((section, parts))
    return shown


def section_of(view_name: str) -> str | None:
    """The section of the page whose URL resolved to ``view_name`` (``namespace:url_name``)."""
    page = PAGES.get(view_name)
    return page.section if page else None


def _format(label: Promise, kwargs: Mapping[str, Any]) -> str:
    """The label with the page's URL arguments in it (``n`` is the page's ``number``, as in the
    pages' own titles)."""
    text = str(label)
    return text % {"n": kwargs.get("number"), **kwargs} if "%(" in text else text


def navigation(
    user: AnyUser, alliance: Alliance, view_name: str, kwargs: Mapping[str, Any], path: str
) -> Navigation | None:
    """The section navigation and the breadcrumbs of the page at ``path``, whose URL resolved to
    ``view_name`` with ``kwargs`` (``pk`` the alliance's); ``None`` for a page that belongs to no
    section."""
    page = PAGES.get(view_name)
    if page is None:
        return None
    pk = alliance.pk
    shown = visible_sections(user, alliance)
    sections = [
        Link(str(section.label), _url(parts[0].url_name, pk), section.key == page.section)
        for section, parts in shown
    ]
    own_parts = next((parts for section, parts in shown if section.key == page.section), [])
    parts = (
        [
            Link(str(part.label), _url(part.url_name, pk), part.url_name == page.part)
            for part in own_parts
        ]
        if len(own_parts) > 1
        else []
    )
    crumbs = [
        Link(gettext("Alliances"), reverse("alliances:list")),
        Link(alliance.name, _url("alliances:detail", pk)),
    ]
    section = _SECTION[page.section]
    if page.section != "overview":
        landing = next(iter(own_parts), None) or section.parts[0]
        crumbs.append(Link(str(section.label), _url(landing.url_name, pk)))
        part = next((p for p in own_parts if p.url_name == page.part), None)
        if part is not None and part is not landing:
            crumbs.append(Link(str(part.label), _url(part.url_name, pk)))
    if page.parent:
        parent = PAGES[page.parent]
        for name in (parent.parent, page.parent):
            entry = PAGES.get(name or "")
            if name and entry and entry.label is not None:
                url = _reverse(name, kwargs)
                if url:
                    crumbs.append(Link(_format(entry.label, kwargs), url))
    if page.label is not None:
        crumbs.append(Link(_format(page.label, kwargs), path))
    last = crumbs[-1]
    crumbs[-1] = Link(last.label, last.url, current=True)
    return Navigation(alliance, page.section, str(section.label), sections, parts, crumbs)


def _url(view_name: str, pk: int) -> str:
    """The URL of a section's page in the alliance ``pk``: reversed once per process for each
    page, alliance, script prefix and URLconf (the same arguments give the same URL)."""
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    return _reversed(view_name, pk, get_script_prefix(), urlconf)


@lru_cache(maxsize=8192)
def _reversed(view_name: str, pk: int, prefix: str, urlconf: object) -> str:
    return reverse(view_name, args=[pk])


def _reverse(view_name: str, kwargs: Mapping[str, Any]) -> str | None:
    """The URL of ``view_name`` with as many of ``kwargs`` (from the first) as its pattern
    takes."""
    names = dict(kwargs)
    while names:
        try:
            return reverse(view_name, kwargs=names)
        except NoReverseMatch:
            names.popitem()
    return None


def for_request(request: HttpRequest) -> Navigation | None:
    """The navigation of the page the request resolved to, when it is a page inside an alliance
    the user may see; otherwise ``None``."""
    match = getattr(request, "resolver_match", None)
    if match is None or not str(match.route).startswith("alliances/<int:pk>/"):
        return None
    pk = match.kwargs.get("pk")
    user = request.user
    alliance = permissions.visible_alliance(user, pk)
    if alliance is None:
        return None
    return navigation(user, alliance, match.view_name, match.kwargs, request.path)
