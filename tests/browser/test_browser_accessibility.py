"""Every page a logged-in user can reach passes axe-core's WCAG 2.1 A and AA rules, in Finnish,
Swedish and English, and the forms do so also when they show their errors.

The leadership group's pages are visited both as the manager and as a seat's representative, so
that every form of the proposal page is rendered, and its meetings as the manager (with the
attendance and minutes forms) and as an observer (read-only). The printable documents (minutes,
decision register) are in the alliance's language whatever the chosen one, so their ``<html
lang>`` is checked against that. The improvement forum's pages are visited as the manager (with
the evaluate, decline and propose forms) and as an observer (no forms), and the notifications
page, with the header's unread badge, as a representative with unread notifications.

Each page is also checked for its ``<html lang>``, its Content-Security-Policy header, the
absence of CSP violations in the console, and its width: laid out at 360×740 and at 1366×768
(the window resized in place), no page is wider than the window
(``document.documentElement.scrollWidth <= window.innerWidth``); a failure names the elements
that stick out. Every browser test that checks pages through :class:`Audit` checks this too.
The test collects every finding and reports them all at the end.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings

from allianssi.accounts.models import User
from allianssi.alliances.models import Alliance, Membership
from allianssi.core import clock
from allianssi.demo.common import MAIN_ALLIANCE
from allianssi.governance.models import (
    Idea,
    IdeaStatus,
    Meeting,
    Proposal,
    ProposalStatus,
    Seat,
    VoteChoice,
)
from allianssi.governance.services import proposal_open, vote_cast
from allianssi.parties.models import Organisation
from tests.browser.pages import (
    LANGUAGES,
    Tab,
    axe_review,
    axe_violations,
    format_violations,
    new_context,
    overflow_at_widths,
)

pytestmark = pytest.mark.browser


class Audit:
    """Visits pages in one tab and collects what is wrong with each."""

    def __init__(self, tab: Tab, language: str) -> None:
        self.tab = tab
        self.language = language
        self.findings: list[str] = []
        self.checked: list[str] = []

    def check(self, label: str, response: Any, status: int = 200, lang: str | None = None) -> None:
        """``lang``: the language the page must declare, when not the chosen one (the printable
        documents are in the alliance's language)."""
        page = self.tab.page
        where = f"{label} [{self.language}] {page.url}"
        expected_lang = lang or self.language
        self.checked.append(label)
        if response is None or response.status != status:
            got = None if response is None else response.status
            self.findings.append(f"{where}: expected HTTP {status}, got {got}")
        if response is not None and not response.headers.get("content-security-policy"):
            self.findings.append(f"{where}: no Content-Security-Policy header")
        lang = self.tab.html_lang()
        if lang != expected_lang:
            self.findings.append(f'{where}: <html lang="{lang}">, expected "{expected_lang}"')
        violations = axe_violations(page)
        if violations:
            self.findings.append(format_violations(where, violations))
        self.findings += [
            f"{where}: wider than the window {problem}" for problem in overflow_at_widths(page)
        ]

    def expect_errors(self, label: str) -> None:
        """The form answered with its errors (otherwise the error state went unchecked)."""
        if not self.tab.page.locator(".error-summary").count():
            self.findings.append(f"{label} [{self.language}]: no error summary on the page")

    def report(self) -> str:
        problems = [f"{p.where}: {p.what}" for p in self.tab.problems]
        return "\n".join(self.findings + problems)


def _fill_and_submit(
    audit: Audit,
    label: str,
    fields: dict[str, str] | None = None,
    button: str = "main form.form button[type=submit]",
) -> None:
    for selector, value in (fields or {}).items():
        audit.tab.page.fill(selector, value)
    audit.check(label, audit.tab.submit(button))
    audit.expect_errors(label)


#: The end of the address each form of the proposal, meeting, idea, procurement, scores and
#: compliance pages posts to (each form has a view of its own); a name not here is ``/name/``.
FORM_ACTIONS = {
    "minutes": "/minutes/versions/",
    "approve": "/minutes/approve/",
    "candidate": "/candidates/",
    "criterion": "/requirements/",
    "result": "/requirements/results/",
    "exclude": "/exclusions/",
    "round": "/rounds/",
    "award_criteria": "/award-criteria/",
    "evaluator": "/evaluators/",
    "scores": "/scores/save/",
    "conflict": "/scores/conflicts/",
    "assignment": "/compliance/tasks/",
}


def _in_form(name: str, selector: str) -> str:
    """An element of one of the page's forms, told apart by the address it posts to."""
    return f'main form[action$="{FORM_ACTIONS.get(name, f"/{name}/")}"] {selector}'


def _proposal_form_button(name: str) -> str:
    """The submit button of one of the proposal or meeting page's forms."""
    return _in_form(name, "button[type=submit]")


def _expect_form(audit: Audit, label: str, name: str, present: bool = True) -> None:
    """The page has (or has not) the form ``name`` (see :data:`FORM_ACTIONS`)."""
    found = audit.tab.page.locator(_in_form(name, "")).count()
    if bool(found) != present:
        audit.findings.append(
            f"{label} [{audit.language}]: the {name} form is {'missing' if present else 'shown'}"
        )


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_passes_axe(browser: Any, demo: Any, language: str):
    main = Alliance.objects.get(name=MAIN_ALLIANCE)
    other_region = Alliance.objects.exclude(region=main.region).get()
    producer = Membership.objects.get(alliance=main, organisation__name="Työpolku Oy")
    base = f"/alliances/{main.pk}"

    context = new_context(browser, demo, language)
    tab = Tab.open(context, demo)
    audit = Audit(tab, language)
    page = tab.page
    try:
        # Anonymous: the login page, a failed login, then the real login form.
        audit.check("login page", tab.goto("/accounts/login/"))
        audit.check("login page, wrong password", tab.login("projektitoimisto", "wrong-password"))
        if not page.locator(".error-summary").count():
            audit.findings.append(f"login [{language}]: a wrong password showed no error")
        response = tab.login("projektitoimisto")
        audit.check("alliance list (after login)", response)

        audit.check("alliance detail", tab.goto(f"{base}/"))

        audit.check("create alliance form", tab.goto("/alliances/new/"))
        _fill_and_submit(audit, "create alliance form, empty")
        tab.goto("/alliances/new/")
        _fill_and_submit(
            audit,
            "create alliance form, end before start",
            {"#id_name": "Testi", "#id_term_start": "2027-01-01", "#id_term_end": "2026-01-01"},
        )

        audit.check("edit form", tab.goto(f"{base}/edit/"))
        _fill_and_submit(audit, "edit form, no name", {"#id_name": ""})

        audit.check("add member form", tab.goto(f"{base}/members/add/"))
        _fill_and_submit(audit, "add member form, empty")

        audit.check("phase form", tab.goto(f"{base}/phase/"))
        _fill_and_submit(audit, "phase form, no date")

        exit_url = f"{base}/members/{producer.pk}/exit/"
        audit.check("exit form", tab.goto(exit_url))
        _fill_and_submit(audit, "exit form, empty")
        # A complete exit that the rules refuse: the error is about the whole form.
        tab.goto(exit_url)
        _fill_and_submit(
            audit,
            "exit form, refused in implementation",
            {"#id_effective_on": "2026-06-30", "#id_reason": "Testi"},
        )

        audit.check("remove form", tab.goto(f"{base}/members/{producer.pk}/remove/"))
        _fill_and_submit(audit, "remove form, no reason")

        audit.check("roles page", tab.goto(f"{base}/roles/"))
        _fill_and_submit(audit, "roles page, nothing chosen")

        audit.check("audit trail", tab.goto(f"{base}/audit/"))

        audit.check("party registration form", tab.goto("/parties/new/"))
        _fill_and_submit(audit, "party registration form, empty")

        audit.check("404 page", tab.goto(f"/alliances/{other_region.pk}/"), status=404)

        # The 403 page: an observer (no organisation) may not start an alliance.
        observer_context = new_context(browser, demo, language)
        observer = Tab.open(observer_context, demo)
        observer_audit = Audit(observer, language)
        observer.login("tarkastaja")
        observer_audit.check("403 page", observer.goto("/alliances/new/"), status=403)
        observer_context.close()

        # The lock-out page: too many wrong passwords for one user name.
        locked_context = new_context(browser, demo, language)
        locked = Tab.open(locked_context, demo)
        locked_audit = Audit(locked, language)
        response = None
        for _attempt in range(settings.AXES_FAILURE_LIMIT + 1):
            response = locked.login("johtoryhma.tampere", "wrong-password")
            if response is not None and response.status == 429:
                break
        locked_audit.check("locked-out page", response, status=429)
        locked_context.close()
    finally:
        context.close()

    report = "\n".join(
        part for part in (audit.report(), observer_audit.report(), locked_audit.report()) if part
    )
    if report:
        pytest.fail(f"Accessibility and page checks failed ({language}):\n{report}", pytrace=False)


@pytest.mark.parametrize("language", LANGUAGES)
def test_leadership_pages_pass_axe(browser: Any, demo: Any, language: str):
    """The leadership group's pages: the manager's view of the seats and of every demo proposal
    (decided, blocked, open, draft), and a representative's view of the open proposal with its
    vote and delegation forms, each form also with its errors; the meetings as the manager
    (list, the form to call one, the past meeting with its attendance form, approved minutes
    and versions, an older version, the upcoming meeting without minutes, the printable minutes
    and decision register) and the past meeting as an observer (a read-only attendance table)."""
    main = Alliance.objects.get(name=MAIN_ALLIANCE)
    past, upcoming = 1, 2
    assert Meeting.objects.get(alliance=main, number=past).minutes.count() == 2
    assert not Meeting.objects.get(alliance=main, number=upcoming).minutes.exists()
    nokia = Organisation.objects.get(name="Nokia")
    base = f"/alliances/{main.pk}"
    proposals = {
        status: Proposal.objects.get(alliance=main, status=status, kind="general").number
        for status in (
            ProposalStatus.DECIDED,
            ProposalStatus.BLOCKED,
            ProposalStatus.OPEN,
            ProposalStatus.DRAFT,
        )
    }
    open_url = f"{base}/proposals/{proposals[ProposalStatus.OPEN]}/"

    audits: list[Audit] = []
    contexts: list[Any] = []

    def session(username: str) -> Audit:
        context = new_context(browser, demo, language)
        contexts.append(context)
        tab = Tab.open(context, demo)
        audit = Audit(tab, language)
        audits.append(audit)
        response = tab.login(username)
        if response is None or response.status != 200 or "/accounts/login/" in tab.page.url:
            audit.findings.append(f"{username} [{language}]: logging in failed")
        return audit

    try:
        # The project office: the manager of the alliance and the seats.
        manager = session("projektitoimisto")
        tab = manager.tab
        manager.check("leadership group", tab.goto(f"{base}/leadership/"))
        manager.check("seat edit form", tab.goto(f"{base}/leadership/seats/{nokia.pk}/"))
        manager.check("new proposal form", tab.goto(f"{base}/proposals/new/"))
        _fill_and_submit(manager, "new proposal form, empty")
        for status, number in proposals.items():
            manager.check(f"proposal page, {status}", tab.goto(f"{base}/proposals/{number}/"))
        draft_url = f"{base}/proposals/{proposals[ProposalStatus.DRAFT]}/"
        if not tab.page.locator(_in_form("open", "")).count():
            manager.findings.append(f"draft proposal [{language}]: no form to open the vote")
        _fill_and_submit(
            manager, "open the vote form, no deadline", button=_proposal_form_button("open")
        )
        # The page is shown again, with the form's errors, at the address the form posts to.
        if tab.page.url != demo.url + draft_url + "open/":
            manager.findings.append(f"open the vote form [{language}]: ended up at {tab.page.url}")
        manager.check("decision register", tab.goto(f"{base}/decisions/"))
        manager.check(
            "printable decision register",
            tab.goto(f"{base}/decisions/document/"),
            lang=main.language,
        )

        # Meetings, as the project office: every form of the meeting page is there.
        manager.check("meetings", tab.goto(f"{base}/meetings/"))
        manager.check("call a meeting form", tab.goto(f"{base}/meetings/new/"))
        _fill_and_submit(manager, "call a meeting form, empty")
        past_url = f"{base}/meetings/{past}/"
        manager.check("past meeting, manager", tab.goto(past_url))
        for name in ("attendance", "minutes"):
            _expect_form(manager, "past meeting, manager", name)
        if tab.page.locator("main a[href='?version=1'], main a[href='?version=2']").count() != 2:
            manager.findings.append(f"past meeting [{language}]: the versions list is not 1 and 2")
        manager.check("past meeting, version 1", tab.goto(f"{past_url}?version=1"))
        _fill_and_submit(
            manager,
            "minutes form, no text",
            {"#minutes_text": ""},
            button=_proposal_form_button("minutes"),
        )
        manager.check("upcoming meeting, manager", tab.goto(f"{base}/meetings/{upcoming}/"))
        manager.check("printable minutes", tab.goto(f"{past_url}minutes/"), lang=main.language)

        # A representative whose seat has not voted yet: the vote and delegation forms.
        representative = session("edustaja.nokia")
        tab = representative.tab
        representative.check("open proposal, representative", tab.goto(open_url))
        for name in ("vote", "delegate"):
            if not tab.page.locator(_in_form(name, "")).count():
                representative.findings.append(
                    f"open proposal [{language}]: no {name} form for the representative"
                )
        tab.page.check("input[name=choice][value=object]")
        _fill_and_submit(
            representative,
            "vote form, objection without a reason",
            button=_proposal_form_button("vote"),
        )

        # An observer sees the meeting without its forms: the attendance is a table.
        observer = session("tarkastaja")
        tab = observer.tab
        observer.check("past meeting, observer", tab.goto(past_url))
        for name in ("attendance", "minutes", "approve"):
            _expect_form(observer, "past meeting, observer", name, present=False)
        if not tab.page.locator("main table[aria-labelledby=attendance-heading]").count():
            observer.findings.append(f"past meeting [{language}]: no attendance table")
    finally:
        for context in contexts:
            context.close()

    report = "\n".join(part for part in (a.report() for a in audits) if part)
    if report:
        pytest.fail(
            f"Accessibility and page checks of the leadership pages failed ({language}):\n{report}",
            pytrace=False,
        )


def _forum_ideas(alliance: Alliance) -> dict[str, int]:
    """The demo's ideas by their status: one proposed, one open, one declined."""
    return {
        status: Idea.objects.get(alliance=alliance, status=status).number
        for status in (IdeaStatus.PROPOSED, IdeaStatus.OPEN, IdeaStatus.DECLINED)
    }


def _expect(audit: Audit, label: str, selector: str, present: bool = True) -> None:
    """The page has (or has not) an element matching ``selector``."""
    found = audit.tab.page.locator(selector).count()
    if bool(found) != present:
        audit.findings.append(
            f"{label} [{audit.language}]: {selector} is {'missing' if present else 'shown'}"
        )


@pytest.mark.parametrize("language", LANGUAGES)
def test_forum_and_notification_pages_pass_axe(browser: Any, demo: Any, language: str):
    """The improvement forum and the notifications: the list of ideas, the form to post one
    (also with its errors), the demo's proposed, open and declined ideas as the project office
    (on the open one the evaluate and decline forms, the decline form with its error, and once
    evaluated the form to turn it into a proposal), the open idea as an observer (no forms), and
    the notifications page with unread items and the header's unread badge, before and after
    marking them read."""
    main = Alliance.objects.get(name=MAIN_ALLIANCE)
    base = f"/alliances/{main.pk}"
    ideas = _forum_ideas(main)
    idea_url = {status: f"{base}/ideas/{number}/" for status, number in ideas.items()}
    audits: list[Audit] = []
    contexts: list[Any] = []

    def session(username: str) -> Audit:
        context = new_context(browser, demo, language)
        contexts.append(context)
        tab = Tab.open(context, demo)
        audit = Audit(tab, language)
        audits.append(audit)
        response = tab.login(username)
        if response is None or response.status != 200 or "/accounts/login/" in tab.page.url:
            audit.findings.append(f"{username} [{language}]: logging in failed")
        return audit

    try:
        # The project office: the manager, who evaluates, declines and proposes ideas.
        manager = session("projektitoimisto")
        tab = manager.tab
        manager.check("forum", tab.goto(f"{base}/ideas/"))
        _expect(manager, "forum", f"main a[href='{base}/ideas/new/']")
        for url in idea_url.values():
            _expect(manager, "forum", f"main table a[href='{url}']")
        manager.check("post an idea form", tab.goto(f"{base}/ideas/new/"))
        _fill_and_submit(manager, "post an idea form, empty")

        label = "idea, turned into a proposal"
        manager.check(label, tab.goto(idea_url[IdeaStatus.PROPOSED]))
        _expect(manager, label, f"main a[href^='{base}/proposals/']")
        _expect_form(manager, label, "support")
        for name in ("evaluate", "decline", "propose"):
            _expect_form(manager, label, name, present=False)
        label = "idea, declined"
        manager.check(label, tab.goto(idea_url[IdeaStatus.DECLINED]))
        for name in ("evaluate", "decline", "propose", "implementation"):
            _expect_form(manager, label, name, present=False)

        label = "idea, open, manager"
        open_url = idea_url[IdeaStatus.OPEN]
        manager.check(label, tab.goto(open_url))
        for name in ("comment", "evaluate", "decline"):
            _expect_form(manager, label, name)
        # The project office already supports it (in the demo), and it is not evaluated yet.
        for name in ("support", "propose"):
            _expect_form(manager, label, name, present=False)
        _fill_and_submit(
            manager, "decline form, no reason", button=_proposal_form_button("decline")
        )
        if tab.page.url != demo.url + open_url + "decline/":  # the page again, at the action
            manager.findings.append(f"decline form [{language}]: ended up at {tab.page.url}")
        _expect(manager, "decline form, no reason", _in_form("decline", ".error-summary"))
        _fill_and_submit(
            manager,
            "comment form, empty",
            {_in_form("comment", "textarea"): ""},
            button=_proposal_form_button("comment"),
        )
        # Evaluated: the form to turn the idea into a proposal appears.
        tab.page.fill("#evaluate_cost_estimate", "12 500")
        tab.page.select_option("#evaluate_effort", "small")
        label = "idea, evaluated, manager"
        manager.check(label, tab.submit(_proposal_form_button("evaluate")))
        _expect(manager, label, ".messages")
        _expect_form(manager, label, "propose")

        # An observer reads the idea, without any of its forms.
        observer = session("tarkastaja")
        tab = observer.tab
        observer.check("forum, observer", tab.goto(f"{base}/ideas/"))
        _expect(observer, "forum, observer", f"main a[href='{base}/ideas/new/']", present=False)
        label = "idea, open, observer"
        observer.check(label, tab.goto(open_url))
        _expect(observer, label, "main form", present=False)

        # A representative with unread notifications: the header's badge, and the list.
        member = session("johtoryhma.tampere")
        tab = member.tab
        label = "notifications, unread"
        _expect(member, "header", ".site-header a[href='/notifications/'] .badge")
        member.check(label, tab.goto("/notifications/"))
        _expect(member, label, "main .notifications li.unread")
        _expect(member, label, ".site-header .badge")
        label = "notifications, all read"
        member.check(label, tab.submit("main form[action='/notifications/read/'] button"))
        _expect(member, label, "main .notifications li")
        _expect(member, label, "main .notifications li.unread", present=False)
        _expect(member, label, ".site-header .badge", present=False)
    finally:
        for context in contexts:
            context.close()

    report = "\n".join(part for part in (a.report() for a in audits) if part)
    if report:
        pytest.fail(
            f"Accessibility and page checks of the forum and notifications failed ({language}):"
            f"\n{report}",
            pytrace=False,
        )


#: axe's "needs review" checks that are certain failures on these pages (see ``axe_review``).
REVIEW_RULES = ["aria-valid-attr-value", "duplicate-id-aria", "form-field-multiple-labels"]


def _break_first_choice(name: str) -> Callable[[Tab], None]:
    """Give the first select of the form ``name`` a choice that does not exist, so that the form
    answers with a field error (a browser offers no invalid choice of its own): on the meeting
    page the first seat's attendee, on the idea page the implementation status."""

    def prepare(tab: Tab) -> None:
        tab.page.locator(_in_form(name, "select")).first.evaluate(
            """select => {
                const option = new Option("?", "999999", true, true);
                select.append(option);
            }"""
        )

    return prepare


def _decide(proposal: Proposal | None) -> None:
    """Put a draft proposal to the vote and have every seat's representative approve it."""
    assert proposal is not None
    office = User.objects.get(username="projektitoimisto")
    proposal = proposal_open(
        actor=office, proposal=proposal, deadline=clock.now() + dt.timedelta(days=7)
    )
    for seat in Seat.objects.filter(alliance=proposal.alliance).select_related(
        "organisation", "representative"
    ):
        assert seat.representative is not None, seat.organisation
        vote_cast(
            actor=seat.representative,
            proposal=proposal,
            seat=seat.organisation,
            choice=VoteChoice.APPROVE,
        )
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.DECIDED, proposal.status


def test_form_errors_and_labels_are_tied_to_their_fields(browser: Any, demo: Any):
    """The forms with their errors shown, where a page has several forms too (the meeting page's
    attendance and minutes forms have ids of their own, ``attendance_…`` and ``minutes_…``, and
    so do the idea page's forms).

    The implementation form of an idea is shown once the idea's proposal has been decided; the
    demo's proposed idea has a draft, which every seat approves here before the pages are seen."""
    language = "fi"
    main = Alliance.objects.get(name=MAIN_ALLIANCE)
    number = Proposal.objects.get(alliance=main, status=ProposalStatus.OPEN).number
    base = f"/alliances/{main.pk}"
    meeting = f"{base}/meetings/1/"
    ideas = _forum_ideas(main)
    open_idea = f"{base}/ideas/{ideas[IdeaStatus.OPEN]}/"
    proposed_idea = f"{base}/ideas/{ideas[IdeaStatus.PROPOSED]}/"
    _decide(Idea.objects.get(alliance=main, number=ideas[IdeaStatus.PROPOSED]).proposal)
    findings: list[str] = []
    Step = tuple[str, str, str | None, Callable[[Tab], None] | None]
    steps: list[Step] = [
        ("projektitoimisto", f"{base}/proposals/new/", "main form.form button[type=submit]", None),
        ("edustaja.nokia", f"{base}/proposals/{number}/", None, None),
        ("projektitoimisto", f"{base}/meetings/new/", "main form.form button[type=submit]", None),
        (
            "projektitoimisto",
            meeting,
            _proposal_form_button("minutes"),
            lambda tab: tab.page.fill("#minutes_text", ""),
        ),
        (
            "projektitoimisto",
            meeting,
            _proposal_form_button("attendance"),
            _break_first_choice("attendance"),
        ),
        # The forum: the form to post an idea, and the idea page's forms (``comment_…``,
        # ``evaluate_…``, ``decline_…`` and ``implementation_…``), each with its error.
        ("tuottaja.tyopolku", f"{base}/ideas/new/", "main form.form button[type=submit]", None),
        ("tuottaja.tyopolku", open_idea, _proposal_form_button("comment"), None),
        (
            "projektitoimisto",
            open_idea,
            _proposal_form_button("evaluate"),
            lambda tab: tab.page.fill("#evaluate_cost_estimate", "paljon"),
        ),
        ("projektitoimisto", open_idea, _proposal_form_button("decline"), None),
        (
            "projektitoimisto",
            proposed_idea,
            _proposal_form_button("implementation"),
            _break_first_choice("implementation"),
        ),
    ]
    for username, path, submit, prepare in steps:
        context = new_context(browser, demo, language)
        try:
            tab = Tab.open(context, demo)
            tab.login(username)
            tab.goto(path)
            if prepare:
                prepare(tab)
            if submit:
                tab.submit(submit)
                if not tab.page.locator(".error-summary").count():
                    findings.append(f"{path} ({username}, {submit}): no error summary")
            found = axe_review(tab.page, REVIEW_RULES)
            if found:
                findings.append(format_violations(f"{path} ({username}, {submit})", found))
        finally:
            context.close()
    assert not findings, "\n".join(findings)
