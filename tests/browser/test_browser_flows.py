"""The core flows work without JavaScript (managing an alliance, the leadership group deciding a
proposal, holding a meeting with versioned minutes, and an idea of the improvement forum becoming
a proposal, its author notified), other regions' alliances stay hidden, the language form works,
and every page carries a Content-Security-Policy that the pages never violate."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.utils import formats, translation

from allianssi.accounts.models import User
from allianssi.alliances.models import (
    Alliance,
    MemberRole,
    Membership,
    MembershipEnd,
    Phase,
    Role,
    ServiceArea,
)
from allianssi.core import clock, formatting
from allianssi.demo.common import MAIN_ALLIANCE
from allianssi.governance.models import (
    Decision,
    Effort,
    Idea,
    IdeaStatus,
    Meeting,
    MinutesStatus,
    Proposal,
    ProposalStatus,
    Seat,
    Vote,
    VoteChoice,
)
from allianssi.notifications.messages import TEXTS as NOTIFICATION_TEXTS
from allianssi.notifications.models import Notification
from allianssi.parties.models import Municipality, Organisation
from allianssi.procurement.assessment import CRITERIA
from allianssi.procurement.models import GoDecision
from tests.browser.pages import Tab, axe_violations, new_context, tr
from tests.browser.test_browser_accessibility import _in_form

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
        assert page.url == demo.url + "/"  # the home page

        # Start an alliance, from the link on the list page.
        tab.goto("/alliances/")
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

        # Formation is refused until the organizers have decided to go.
        with page.expect_navigation():
            page.click(f"a[href='{base}/phase/']")
        page.select_option("#id_to_phase", Phase.FORMATION.value)
        page.fill("#id_effective_on", today.isoformat())
        page.fill("#id_note", "Järjestäjät valitsivat allianssimallin.")
        tab.submit()
        assert page.url == f"{demo.url}{base}/phase/"
        assert tr(
            language,
            "The organizers must first decide unanimously to go ahead, and how they procure "
            "(strategy phase).",
        ) in page.inner_text("main")

        # The strategy phase: the region assesses suitability, from the alliance page.
        tab.goto(f"{base}/")
        with page.expect_navigation():
            page.click(f"a[href='{base}/strategy/']")
        with page.expect_navigation():
            page.click(f"a[href='{base}/strategy/assessment/']")
        for criterion in CRITERIA:
            page.check(f"input[name={criterion}][value='4']")
        tab.submit()
        assert page.url == f"{demo.url}{base}/strategy/"
        assert tr(language, "Your organisation's assessment was saved.") in _success_message(tab)

        # The region's seat gets its representative, who must be a leadership member.
        office = User.objects.get(username="projektitoimisto")
        region = office.organisation
        tab.goto(f"{base}/roles/")
        page.select_option("#id_user", str(office.pk))
        page.select_option("#id_role", Role.LEADERSHIP.value)
        tab.submit()
        tab.goto(f"{base}/leadership/seats/{region.pk}/")
        page.select_option("#id_representative", str(office.pk))
        tab.submit()

        # The go, with the region authorised to procure: a proposal to the organizers' seats.
        tab.goto(f"{base}/strategy/go/")
        page.check("input[name=verdict][value=go]")
        page.fill("#id_rationale", "Palvelutarve muuttuu; kehitetään yhdessä tuottajien kanssa.")
        page.check("input[name=route][value=authorised]")
        page.select_option("#id_authorised", str(region.pk))
        tab.submit()
        match = re.fullmatch(rf"{re.escape(demo.url)}{base}/proposals/(\d+)/", page.url)
        assert match, page.url
        go = GoDecision.objects.get(alliance=alliance)
        assert go.proposal.number == int(match[1])
        deadline = (clock.now() + dt.timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
        page.fill(_in_form("open", "input[name=deadline]"), deadline)
        tab.submit(_in_form("open", "button[type=submit]"))
        page.check(_in_form("vote", "input[name=choice][value=approve]"))
        tab.submit(_in_form("vote", "button[type=submit]"))
        go.proposal.refresh_from_db()
        assert go.proposal.status == ProposalStatus.DECIDED
        tab.goto(f"{base}/strategy/")
        assert go.proposal.decision.number in page.inner_text("main")

        # Formation.
        tab.goto(f"{base}/")
        with page.expect_navigation():
            page.click(f"a[href='{base}/phase/']")
        page.select_option("#id_to_phase", Phase.FORMATION.value)
        page.fill("#id_effective_on", today.isoformat())
        page.fill("#id_note", "Järjestäjät valitsivat allianssimallin.")
        tab.submit()
        assert page.url == f"{demo.url}{base}/"
        assert _phase(language, Phase.FORMATION) in page.inner_text(".facts")

        # A municipality joins as an organizer.
        with page.expect_navigation():
            page.click(f"a[href='{base}/members/add/']")
        page.select_option("#id_role", MemberRole.ORGANIZER.value)
        page.select_option("#id_party", f"municipality:{tampere.code}")
        tab.submit()
        assert page.url == f"{demo.url}{base}/"
        assert "Tampere" in _success_message(tab)

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


def _status(tab: Tab) -> str:
    """The status of the proposal, as its page shows it."""
    return tab.page.inner_text(".facts dd strong").strip()


def test_leadership_group_decides_a_proposal_without_javascript(browser: Any, demo: Any):
    """The project office drafts a proposal with two alternatives and puts the second one to the
    vote; every seat's representative approves in turn, each in a browser of their own, and the
    last approval decides it into the register. An objection without a reason is refused."""
    language = "fi"
    main = Alliance.objects.get(name=MAIN_ALLIANCE)
    base = f"/alliances/{main.pk}"
    title = "Yhteinen rekrytointitapahtuma syksyllä"
    first_alt = "Messut Tampereella"
    second_alt = "Kiertävä rekrytointibussi seutukuntiin"
    deadline = (clock.now() + dt.timedelta(days=7)).replace(second=0, microsecond=0)
    deadline_input = deadline.strftime("%Y-%m-%dT%H:%M")
    contexts: list[Any] = []
    tabs: list[Tab] = []

    def browser_of(username: str) -> Tab:
        context = new_context(browser, demo, language, java_script_enabled=False)
        contexts.append(context)
        tab = Tab.open(context, demo)
        tabs.append(tab)
        tab.login(username)
        assert tab.page.url == demo.url + "/", f"{username} could not log in"
        return tab

    try:
        office = browser_of("projektitoimisto")
        page = office.page

        # From the alliance page to the leadership group, and on to a new proposal.
        office.goto(f"{base}/")
        with page.expect_navigation():
            page.click(f"a[href='{base}/leadership/']")
        assert office.heading() == tr(language, "Leadership group")
        with page.expect_navigation():
            page.click(f"a[href='{base}/proposals/new/']")
        page.fill("#id_title", title)
        page.fill("#id_description", "Yritykset tarvitsevat osaajia nopeammin.")
        page.fill("#id_alt0_title", first_alt)
        # The cost the Finnish way, a space between the thousands and a decimal comma, typed
        # key by key as a person would (a number input would drop the space and the comma).
        page.locator("#id_alt0_cost").press_sequentially("1 234,50")
        cost_input = page.locator("#id_alt0_cost").evaluate("input => input.outerHTML")
        page.fill("#id_alt0_effect", "Sata rekrytointia")
        page.fill("#id_alt0_risks", "Sää")
        page.fill("#id_alt1_title", second_alt)
        page.fill("#id_alt1_description", "Bussi kiertää kaikki seutukunnat.")
        response = office.submit()
        assert response.status == 200
        match = re.fullmatch(rf"{re.escape(demo.url)}{base}/proposals/(\d+)/", page.url)
        assert match, page.url
        proposal = Proposal.objects.get(alliance=main, number=int(match[1]))
        assert tr(language, "The proposal was drafted.") in _success_message(office)
        assert _status(office) == tr(language, ProposalStatus.DRAFT.label)
        alternatives = list(proposal.alternatives.order_by("position"))
        assert [a.title for a in alternatives] == [first_alt, second_alt]
        assert alternatives[0].estimated_cost == Decimal("1234.50"), (
            f"typing 1 234,50 € into the cost field saved {alternatives[0].estimated_cost} €"
            f" (the field: {cost_input})"
        )
        assert alternatives[1].estimated_cost is None
        assert proposal.put_to_vote is None
        with translation.override(language):
            shown_cost = formats.number_format(Decimal("1234.50"), 2, force_grouping=True)
        table = page.inner_text("table[aria-labelledby=alternatives-heading]")
        assert shown_cost in table, table

        # Put the second alternative to the vote, with a deadline a week from now.
        page.fill(_in_form("open", "input[name=deadline]"), deadline_input)
        page.select_option(_in_form("open", "select[name=put_to_vote]"), "1")
        office.submit(_in_form("open", "button[type=submit]"))
        assert page.url == f"{demo.url}{base}/proposals/{proposal.number}/"
        assert tr(language, "The proposal was put to the vote.") in _success_message(office)
        assert _status(office) == tr(language, ProposalStatus.OPEN.label)
        proposal.refresh_from_db()
        assert proposal.status == ProposalStatus.OPEN
        assert proposal.put_to_vote == alternatives[1]
        assert proposal.deadline == deadline
        with translation.override(language):
            shown = formatting.moment(deadline)  # as the reader's language writes it
        assert shown in page.inner_text(".facts")

        # The seats and their representatives, as the leadership page lists them.
        office.goto(f"{base}/leadership/")
        rows = page.locator("table[aria-labelledby=seats-heading] tbody tr")
        listed = [
            (rows.nth(i).locator("th").inner_text().strip(), rows.nth(i).locator("td").first)
            for i in range(rows.count())
        ]
        seats = {
            s.organisation.name: s.representative
            for s in Seat.objects.filter(alliance=main).select_related(
                "organisation", "representative"
            )
        }
        assert sorted(party for party, _cell in listed) == sorted(seats)
        voters: list[tuple[str, str]] = []
        for party, cell in listed:
            representative = seats[party]
            assert representative is not None, party
            assert cell.inner_text().strip() == str(representative), party
            voters.append((party, representative.username))
        usernames = {username for _party, username in voters}
        assert {"projektitoimisto", "johtoryhma.tampere", "tuottaja.tyopolku"} <= usernames
        assert all(
            u in {"projektitoimisto", "johtoryhma.tampere", "tuottaja.tyopolku"}
            or u.startswith("edustaja.")
            for u in usernames
        ), usernames
        assert len(voters) == proposal.electors.count() > 3

        proposal_url = f"{base}/proposals/{proposal.number}/"
        for index, (party, username) in enumerate(voters):
            tab = office if username == "projektitoimisto" else browser_of(username)
            tab.goto(proposal_url)
            seat_options = tab.page.locator(_in_form("vote", "select[name=seat] option"))
            assert seat_options.all_inner_texts() == [party], username
            tab.page.locator(_in_form("vote", "select[name=seat]")).select_option(label=party)

            if username == "edustaja.nokia":
                # An objection without a reason is refused, and nothing is recorded.
                votes_before = Vote.objects.filter(proposal=proposal).count()
                tab.page.check(_in_form("vote", "input[name=choice][value=object]"))
                response = tab.submit(_in_form("vote", "button[type=submit]"))
                assert response.status == 200
                # The page again, with the form's errors, at the address the form posts to.
                assert tab.page.url == demo.url + proposal_url + "vote/"
                assert tab.page.locator(".error-summary").count() == 1
                errors = tab.page.inner_text(_in_form("vote", ".field-error .errors"))
                assert tr(language, "An objection needs a reason.") in errors
                assert not tab.page.locator(".messages").count()
                assert Vote.objects.filter(proposal=proposal).count() == votes_before
                assert _status(tab) == tr(language, ProposalStatus.OPEN.label)

            tab.page.check(_in_form("vote", "input[name=choice][value=approve]"))
            tab.submit(_in_form("vote", "button[type=submit]"))
            assert tab.page.url == demo.url + proposal_url, username
            assert tr(language, "The vote was recorded.") in _success_message(tab), username
            last = index == len(voters) - 1
            expected = ProposalStatus.DECIDED if last else ProposalStatus.OPEN
            assert _status(tab) == tr(language, expected.label), username

        # Decided: the page says so, and the decision register lists it with its alternative.
        decision = Decision.objects.get(proposal=proposal)
        assert decision.alternative == alternatives[1]
        outcome = tab.page.inner_text("section[aria-labelledby=outcome-heading]")
        decided = tr(language, "Decided unanimously (decision %(number)s).")
        assert decided % {"number": decision.number} in outcome
        assert not tab.page.locator(_in_form("vote", "button")).count()
        assert Vote.objects.filter(proposal=proposal).count() == len(voters)
        assert set(Vote.objects.filter(proposal=proposal).values_list("choice", flat=True)) == {
            VoteChoice.APPROVE
        }

        with tab.page.expect_navigation():
            tab.page.click(f"a[href='{base}/leadership/']")
        with tab.page.expect_navigation():
            tab.page.click(f"a[href='{base}/decisions/']")
        assert tab.heading() == tr(language, "Decision register")
        row = tab.page.locator("tbody tr", has_text=title)
        assert row.count() == 1
        cells = row.locator("th, td").all_inner_texts()
        today = clock.today()
        assert cells[0].strip() == decision.number
        assert cells[1].strip() == f"{today.day}.{today.month}.{today.year}"
        assert cells[2].strip() == title
        assert cells[3].strip() == second_alt
        approve = tr(language, VoteChoice.APPROVE.label)
        votes = [line.strip() for line in cells[4].splitlines() if line.strip()]
        assert sorted(votes) == sorted(f"{party}: {approve}" for party, _u in voters)
    finally:
        for context in contexts:
            context.close()
    for tab in tabs:
        tab.fail_on_problems()


def _versions(tab: Tab, language: str) -> list[str]:
    """The meeting page's list of minutes versions, one line a version."""
    heading = tr(language, "Versions")
    items = tab.page.locator(f"main h3:text-is('{heading}') + ul > li")
    return [re.sub(r"\s+", " ", text).strip() for text in items.all_inner_texts()]


def test_leadership_group_meeting_and_its_minutes_without_javascript(browser: Any, demo: Any):
    """The project office calls a meeting with an open proposal and a free-text item on its
    agenda, records who attended for each seat and writes the minutes; a representative who
    attended corrects them, one who did not gets no form to do so; the office approves the
    correction, and the approved minutes download as a PDF."""
    language = "fi"
    main = Alliance.objects.get(name=MAIN_ALLIANCE)
    base = f"/alliances/{main.pk}"
    proposal = Proposal.objects.get(alliance=main, kind="general", status=ProposalStatus.OPEN)
    assert proposal.status == ProposalStatus.OPEN
    title = "Johtoryhmän ylimääräinen kokous"
    other_item = "Kesätyöseteli nuorille"
    starts = (clock.now() + dt.timedelta(days=3)).replace(
        hour=13, minute=0, second=0, microsecond=0
    )
    first_text = "1. Kokous avattiin klo 13.00.\n2. Työkokeilut: asia jatkuu.\n3. Kesätyöseteli."
    corrected_text = first_text.replace("klo 13.00", "klo 13.10")
    note = "Avauksen kellonaika korjattu"
    seats: dict[Organisation, User] = {}
    for seat in Seat.objects.filter(alliance=main).select_related("organisation", "representative"):
        assert seat.representative is not None, seat.organisation
        seats[seat.organisation] = seat.representative
    lempaala = next(o for o in seats if o.name == "Lempäälä")
    tampere = next(o for o in seats if o.name == "Tampere")
    assert seats[lempaala].username == "edustaja.lempaala"
    assert seats[tampere].username == "johtoryhma.tampere"
    contexts: list[Any] = []
    tabs: list[Tab] = []

    def browser_of(username: str) -> Tab:
        context = new_context(browser, demo, language, java_script_enabled=False)
        contexts.append(context)
        tab = Tab.open(context, demo)
        tabs.append(tab)
        tab.login(username)
        assert tab.page.url == demo.url + "/", f"{username} could not log in"
        return tab

    try:
        office = browser_of("projektitoimisto")
        page = office.page

        # From the leadership group to its meetings, and on to call a new one.
        office.goto(f"{base}/leadership/")
        with page.expect_navigation():
            page.click(f"a[href='{base}/meetings/']")
        assert office.heading() == tr(language, "Meetings")
        with page.expect_navigation():
            page.click(f"a[href='{base}/meetings/new/']")
        assert office.heading() == tr(language, "Call a meeting")
        page.fill("#id_title", title)
        page.fill("#id_starts_at", starts.strftime("%Y-%m-%dT%H:%M"))
        page.fill("#id_location", "Pirkanmaan liitto, Tampere")
        checkbox = page.locator(f"input[name=proposals][value='{proposal.pk}']")
        label = page.inner_text(f"label[for='{checkbox.get_attribute('id')}']")
        assert label.strip() == f"{proposal.number}. {proposal.title}"
        checkbox.check()
        page.fill("#id_other_items", other_item)
        office.submit()
        match = re.fullmatch(rf"{re.escape(demo.url)}{base}/meetings/(\d+)/", page.url)
        assert match, page.url
        meeting = Meeting.objects.get(alliance=main, number=int(match[1]))
        meeting_url = f"{base}/meetings/{meeting.number}/"
        assert tr(language, "The meeting was called.") in _success_message(office)
        assert meeting.title == title
        assert meeting.starts_at == starts
        agenda = page.locator("ol[aria-labelledby=agenda-heading] > li")
        assert agenda.count() == 2, agenda.all_inner_texts()
        assert agenda.nth(0).locator(
            f"a[href='{base}/proposals/{proposal.number}/']"
        ).inner_text() == (proposal.title)
        assert agenda.nth(1).inner_text().strip() == other_item
        assert [(i.title, i.proposal_id) for i in meeting.agenda.order_by("position")] == [
            (proposal.title, proposal.pk),
            (other_item, None),
        ]
        assert page.inner_text("#minutes-heading + p") == tr(
            language, "No minutes have been written yet."
        )

        # Attendance: everyone attended for their seat except Lempäälä, not represented.
        for party, representative in seats.items():
            select = page.locator(_in_form("attendance", f"select[name=seat_{party.pk}]"))
            if party == lempaala:
                assert select.input_value() == ""
            else:
                select.select_option(str(representative.pk))
        office.submit(_in_form("attendance", "button[type=submit]"))
        assert page.url == demo.url + meeting_url
        assert tr(language, "The attendance was recorded.") in _success_message(office)
        present = {a.organisation: a.person for a in meeting.attendance.all()}
        assert present == {p: (None if p == lempaala else r) for p, r in seats.items()}
        lempaala_select = page.locator(_in_form("attendance", f"select[name=seat_{lempaala.pk}]"))
        assert lempaala_select.input_value() == ""
        tampere_select = page.locator(_in_form("attendance", f"select[name=seat_{tampere.pk}]"))
        assert tampere_select.input_value() == str(seats[tampere].pk)

        # The office writes the minutes: version 1, a draft.
        assert page.inner_text("#write-heading") == tr(language, "Write the minutes")
        page.fill("#minutes_text", first_text)
        office.submit(_in_form("minutes", "button[type=submit]"))
        assert page.url == demo.url + meeting_url
        saved = tr(language, "The minutes were saved as a new version.")
        assert saved in _success_message(office)
        version = tr(language, "Version %(version)s (%(status)s)")
        draft = tr(language, MinutesStatus.DRAFT.label)
        approved = tr(language, MinutesStatus.APPROVED.label)
        assert version % {"version": 1, "status": draft} in page.inner_text("main")

        # Tampere's representative attended, and corrects them: version 2.
        tampere_tab = browser_of("johtoryhma.tampere")
        tampere_tab.goto(meeting_url)
        assert not tampere_tab.page.locator(_in_form("attendance", "")).count()
        assert not tampere_tab.page.locator(_in_form("approve", "")).count()
        assert tampere_tab.page.inner_text("#write-heading") == tr(language, "Correct the minutes")
        assert tampere_tab.page.input_value("#minutes_text") == first_text
        tampere_tab.page.fill("#minutes_text", corrected_text)
        tampere_tab.page.fill("#minutes_change_note", note)
        tampere_tab.submit(_in_form("minutes", "button[type=submit]"))
        assert tampere_tab.page.url == demo.url + meeting_url
        assert saved in _success_message(tampere_tab)
        listed = _versions(tampere_tab, language)
        assert listed[1].startswith(version % {"version": 2, "status": draft}), listed

        # Lempäälä's representative was not there: the minutes can be read, not written.
        assert not meeting.attendance.filter(person=seats[lempaala]).exists()
        lempaala_tab = browser_of("edustaja.lempaala")
        lempaala_tab.goto(meeting_url)
        assert not lempaala_tab.page.locator(_in_form("minutes", "")).count()
        assert not lempaala_tab.page.locator("#minutes_text, #write-heading").count()
        assert not lempaala_tab.page.locator("main form").count()
        assert corrected_text.splitlines()[0] in lempaala_tab.page.inner_text(".minutes-text")

        # The office approves version 2; it is frozen, and both versions are listed.
        office.goto(meeting_url)
        approve = page.locator(_in_form("approve", "button[type=submit]"))
        assert approve.inner_text().strip() == tr(
            language, "Approve version %(version)s and freeze it"
        ) % {"version": 2}
        office.submit(_in_form("approve", "button[type=submit]"))
        assert page.url == demo.url + meeting_url
        assert tr(language, "The minutes were approved and frozen.") in _success_message(office)
        shown = page.inner_text("#minutes-heading + p strong")
        assert shown == version % {"version": 2, "status": approved}
        assert note in page.inner_text("#minutes-heading + p")
        assert not page.locator(_in_form("approve", "")).count()
        versions = _versions(office, language)
        assert len(versions) == 2, versions
        assert versions[0].startswith(version % {"version": 1, "status": draft}), versions
        assert versions[1].startswith(version % {"version": 2, "status": approved}), versions
        assert str(seats[tampere]) in versions[1]
        stored = list(meeting.minutes.order_by("version").values_list("version", "status"))
        assert stored == [(1, MinutesStatus.DRAFT), (2, MinutesStatus.APPROVED)]

        # The PDF, through the page's own link and the office's session.
        link = page.locator(f"main a[href='{meeting_url}minutes/?format=pdf']")
        assert link.inner_text().strip() == tr(language, "Minutes as PDF")
        pdf = office.page.context.request.get(demo.url + link.get_attribute("href"))
        assert pdf.status == 200, pdf.text()[:500]
        assert pdf.headers["content-type"] == "application/pdf"
        assert pdf.headers["content-disposition"].startswith("attachment;")
        assert pdf.body().startswith(b"%PDF")
    finally:
        for context in contexts:
            context.close()
    for tab in tabs:
        tab.fail_on_problems()


def _badge(tab: Tab) -> str | None:
    """The header's unread count, as its badge on the notifications link shows it."""
    badge = tab.page.locator(".site-header a[href='/notifications/'] .badge")
    return badge.inner_text().strip() if badge.count() else None


def test_an_idea_becomes_a_proposal_and_its_author_is_notified_without_javascript(
    browser: Any, demo: Any
):
    """A producer posts an idea in the improvement forum; a municipality's representative
    comments on it and supports it; the project office evaluates it (a cost the Finnish way) and
    turns it into a draft proposal, which links back to the idea. The author finds the
    notification that leads to the idea, and marking everything read clears the header's
    badge."""
    language = "fi"
    main = Alliance.objects.get(name=MAIN_ALLIANCE)
    base = f"/alliances/{main.pk}"
    title = "Kielikoulutus maahanmuuttajille työpaikoilla"
    problem = "Työnhakijoiden kielitaito ei riitä työpaikan perehdytykseen."
    suggestion = "Työpaikoilla annettava suomen kielen koulutus\nYrityksille oma yhteyshenkilö"
    comment = "Nokialla on tähän valmiita yhteistyöyrityksiä."
    effect = "Kymmenen työllistymistä vuodessa"
    contexts: list[Any] = []
    tabs: list[Tab] = []

    def browser_of(username: str) -> Tab:
        context = new_context(browser, demo, language, java_script_enabled=False)
        contexts.append(context)
        tab = Tab.open(context, demo)
        tabs.append(tab)
        tab.login(username)
        assert tab.page.url == demo.url + "/", f"{username} could not log in"
        return tab

    try:
        # The producer posts the idea, from the alliance page through the forum.
        author = browser_of("tuottaja.tyopolku")
        page = author.page
        author.goto(f"{base}/")
        # The governance section first (its landing page), then its forum.
        with page.expect_navigation():
            page.click(f".section-nav a[href='{base}/leadership/']")
        with page.expect_navigation():
            page.click(f".section-parts a[href='{base}/ideas/']")
        assert author.heading() == tr(language, "Improvement forum")
        with page.expect_navigation():
            page.click(f"main a[href='{base}/ideas/new/']")
        assert author.heading() == tr(language, "Post an idea")
        page.fill("#id_title", title)
        page.fill("#id_problem", problem)
        page.fill("#id_suggestion", suggestion)
        page.select_option("#id_service_area", ServiceArea.EMPLOYMENT.value)
        author.submit()
        match = re.fullmatch(rf"{re.escape(demo.url)}{base}/ideas/(\d+)/", page.url)
        assert match, page.url
        idea = Idea.objects.get(alliance=main, number=int(match[1]))
        idea_url = f"{base}/ideas/{idea.number}/"
        assert tr(language, "The idea was posted.") in _success_message(author)
        assert (idea.title, idea.author.username, idea.status) == (
            title,
            "tuottaja.tyopolku",
            IdeaStatus.OPEN,
        )
        assert _status(author) == tr(language, IdeaStatus.OPEN.label)
        unread_before = Notification.objects.filter(user=idea.author, read_at__isnull=True).count()

        # Nokia's representative finds it in the forum, comments on it and supports it.
        nokia = browser_of("edustaja.nokia")
        nokia.goto(f"{base}/ideas/")
        row = nokia.page.locator("main tbody tr", has_text=title)
        assert tr(language, IdeaStatus.OPEN.label) in row.inner_text()
        with nokia.page.expect_navigation():
            row.locator(f"a[href='{idea_url}']").click()
        nokia.page.fill(_in_form("comment", "#comment_text"), comment)
        nokia.submit(_in_form("comment", "button[type=submit]"))
        assert nokia.page.url == demo.url + idea_url
        assert tr(language, "Saved.") in _success_message(nokia)
        assert comment in nokia.page.inner_text("main .comment")
        nokia.submit(_in_form("support", "button[type=submit]"))
        assert nokia.page.url == demo.url + idea_url
        assert tr(language, "You support this idea.") in nokia.page.inner_text("main")
        assert not nokia.page.locator(_in_form("support", "")).count()
        assert not nokia.page.locator(_in_form("evaluate", "")).count()
        assert [s.user.username for s in idea.supports.all()] == ["edustaja.nokia"]

        # The project office evaluates it, typing the cost as a person would.
        office = browser_of("projektitoimisto")
        page = office.page
        office.goto(idea_url)
        assert not page.locator(_in_form("propose", "")).count()
        page.locator("#evaluate_cost_estimate").press_sequentially("12 500")
        page.fill("#evaluate_expected_effect", effect)
        page.select_option("#evaluate_effort", Effort.MEDIUM.value)
        office.submit(_in_form("evaluate", "button[type=submit]"))
        assert page.url == demo.url + idea_url
        assert tr(language, "Saved.") in _success_message(office)
        assert _status(office) == tr(language, IdeaStatus.EVALUATED.label)
        idea.refresh_from_db()
        assert idea.cost_estimate == Decimal("12500"), (
            f"typing 12 500 into the cost field saved {idea.cost_estimate} €"
        )
        assert idea.effort == Effort.MEDIUM
        with translation.override(language):
            shown_cost = formats.number_format(Decimal("12500.00"), 2, force_grouping=True)
        evaluation = page.inner_text("main")
        assert shown_cost in evaluation
        assert tr(language, Effort.MEDIUM.label) in evaluation

        # ... and turns it into a proposal: a draft, which links back to the idea.
        office.submit(_in_form("propose", "button[type=submit]"))
        match = re.fullmatch(rf"{re.escape(demo.url)}{base}/proposals/(\d+)/", page.url)
        assert match, page.url
        proposal = Proposal.objects.get(alliance=main, number=int(match[1]))
        assert tr(language, "The idea was turned into a draft proposal.") in _success_message(
            office
        )
        assert office.heading() == tr(language, "Proposal %(number)s: %(title)s") % {
            "number": proposal.number,
            "title": title,
        }
        assert _status(office) == tr(language, ProposalStatus.DRAFT.label)
        alternative = proposal.alternatives.get()
        assert alternative.title == suggestion.splitlines()[0]
        assert alternative.estimated_cost == Decimal("12500")
        back = page.locator(f"main a[href='{idea_url}']")
        assert back.inner_text().strip() == tr(language, "Idea %(number)s: %(title)s") % {
            "number": idea.number,
            "title": title,
        }
        with page.expect_navigation():
            back.click()
        assert page.url == demo.url + idea_url
        assert _status(office) == tr(language, IdeaStatus.PROPOSED.label)
        assert page.locator(f"main a[href='{base}/proposals/{proposal.number}/']").count() == 1
        for name in ("evaluate", "decline", "propose"):
            assert not page.locator(_in_form(name, "")).count(), name
        idea.refresh_from_db()
        assert (idea.status, idea.proposal) == (IdeaStatus.PROPOSED, proposal)

        # The author is told: the comment and the proposal, both leading to the idea.
        author.goto(f"{base}/")
        expected_unread = unread_before + 2
        with translation.override(language):
            badge = translation.ngettext(
                "%(counter)s unread", "%(counter)s unread", expected_unread
            ) % {"counter": expected_unread}
        assert _badge(author) == badge
        with author.page.expect_navigation():
            author.page.click(".site-header a[href='/notifications/']")
        assert author.heading() == tr(language, "Notifications")
        params = {"alliance": main.name, "title": title}
        proposed = tr(language, NOTIFICATION_TEXTS["idea_proposed"]) % {
            **params,
            "number": proposal.number,
        }
        commented = tr(language, NOTIFICATION_TEXTS["idea_commented"]) % {
            **params,
            "person": str(User.objects.get(username="edustaja.nokia")),
        }
        unread = author.page.locator("main .notifications li.unread")
        assert unread.count() == expected_unread
        for text in (proposed, commented):
            link = author.page.locator("main .notifications li.unread a", has_text=text)
            assert link.count() == 1, (text, unread.all_inner_texts())
            assert link.get_attribute("href") == idea_url
        with author.page.expect_navigation():
            author.page.click(f"main .notifications a:text-is('{proposed}')")
        assert author.page.url == demo.url + idea_url
        assert _status(author) == tr(language, IdeaStatus.PROPOSED.label)

        # Marking everything read clears the badge and the unread marks.
        author.goto("/notifications/")
        author.submit("main form[action='/notifications/read/'] button[type=submit]")
        assert author.page.url == demo.url + "/notifications/"
        assert _badge(author) is None
        assert not author.page.locator("main .notifications li.unread").count()
        assert author.page.locator("main .notifications li").count() >= expected_unread
        assert not Notification.objects.filter(user=idea.author, read_at__isnull=True).exists()
    finally:
        for context in contexts:
            context.close()
    for tab in tabs:
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
        welcome = {"name": "Paula Projektipäällikkö"}  # the home page
        assert tab.heading() == tr("sv", "Welcome, %(name)s") % welcome
        switch_to("en")
        assert page.url == demo.url + "/"
        assert tab.html_lang() == "en"
        assert tab.heading() == f"Welcome, {welcome['name']}"
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
