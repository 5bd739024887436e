"""Meeting pages, printable documents and PDFs."""

from __future__ import annotations

import datetime as dt
import logging
import os

import pytest
from django.conf import settings
from django.test import Client
from django.urls import resolve, reverse

from allianssi.core import clock
from allianssi.governance.documents import PdfUnavailable, pdf_from_html
from allianssi.governance.meetings import minutes_approve, minutes_save
from allianssi.governance.models import Meeting, MinutesVersion
from tests.governance.conftest import Board


def _action(page: str, name: str) -> str:
    """The URL the page's form ``name`` posts to (each form has a view of its own)."""
    match = resolve(page)
    return reverse(f"{match.namespace}:{match.url_name}_{name}", kwargs=match.kwargs)


pytestmark = pytest.mark.django_db


def _client(board: Board, who: str, language: str = "fi") -> Client:
    client = Client()
    client.force_login(board.world.users[who])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def _call_meeting(board: Board) -> Meeting:
    proposal = board.proposal()
    manager = _client(board, "manager")
    response = manager.post(
        reverse("governance:meeting_new", args=[board.world.alliance.pk]),
        {
            "title": "Kokous 1/2026",
            "starts_at": (clock.now() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
            "location": "Tampere",
            "proposals": [str(proposal.pk)],
            "other_items": "Avaus\nMuut asiat",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return board.world.alliance.meetings.get()


def _pdf_works() -> bool:
    try:
        pdf_from_html("<html lang='fi'><body><p>ä</p></body></html>")
    except PdfUnavailable:
        if os.environ.get("CI"):
            pytest.fail("WeasyPrint cannot run under CI: install libpango-1.0-0 libpangoft2-1.0-0")
        return False
    return True


def test_meeting_flow__call_attend_write_correct_approve(board: Board):
    meeting = _call_meeting(board)
    pk, url = board.world.alliance.pk, None
    url = reverse("governance:meeting", args=[pk, meeting.number])
    manager = _client(board, "manager")
    org = board.world.org
    response = manager.post(
        _action(url, "attendance"),
        {
            f"seat_{org['region'].pk}": str(board.rep("region").pk),
            f"seat_{org['tampere'].pk}": str(board.rep("tampere").pk),
            f"seat_{org['nokia'].pk}": "",
            f"seat_{org['producer'].pk}": str(board.rep("producer").pk),
        },
    )
    assert response.status_code == 302
    assert manager.post(_action(url, "minutes"), {"text": "1. Avaus."}).status_code == 302
    # Tampere's representative attended and corrects the draft.
    tampere = _client(board, "rep_tampere")
    assert (
        tampere.post(
            _action(url, "minutes"), {"text": "1. Avaus klo 9.", "change_note": "Kellonaika"}
        ).status_code
        == 302
    )
    # Nokia attended for no one: it cannot write.
    nokia = _client(board, "rep_nokia")
    assert nokia.post(_action(url, "minutes"), {"text": "muuta"}).status_code == 403
    assert manager.post(_action(url, "approve"), {"version": "2"}).status_code == 302
    versions = list(MinutesVersion.objects.filter(meeting=meeting).values_list("version", "status"))
    assert versions == [(1, "draft"), (2, "approved")]
    body = manager.get(url + "?version=1").content.decode()
    assert "1. Avaus." in body


def test_meeting_pages__by_role(board: Board):
    meeting = _call_meeting(board)
    pk = board.world.alliance.pk
    pages = [
        reverse("governance:meetings", args=[pk]),
        reverse("governance:meeting", args=[pk, meeting.number]),
        reverse("governance:minutes_document", args=[pk, meeting.number]),
        reverse("governance:decisions_document", args=[pk]),
    ]
    for who, expected in [("observer", 200), ("controller", 200), ("other_manager", 404)]:
        client = _client(board, who)
        for url in pages:
            assert client.get(url).status_code == expected, (who, url)
    observer = _client(board, "observer")
    assert observer.get(reverse("governance:meeting_new", args=[pk])).status_code == 403
    url = reverse("governance:meeting", args=[pk, meeting.number])
    assert observer.post(_action(url, "approve"), {"version": "1"}).status_code == 403
    assert observer.post(_action(url, "minutes"), {"text": "x"}).status_code == 403


def test_minutes_document__in_the_alliances_language_whoever_asks(board: Board):
    meeting = _call_meeting(board)
    minutes_save(actor=board.world.users["manager"], meeting=meeting, text="Pöytäkirjan teksti")
    url = reverse("governance:minutes_document", args=[board.world.alliance.pk, meeting.number])
    body = _client(board, "observer", "en").get(url).content.decode()
    assert '<html lang="fi">' in body
    assert "Pöytäkirjan teksti" in body
    assert "not approved" not in body  # the English words would mean the wrong language


def test_documents__pdf(board: Board):
    if not _pdf_works():
        pytest.skip("WeasyPrint needs Pango: apt-get install libpango-1.0-0 libpangoft2-1.0-0")
    meeting = _call_meeting(board)
    version = minutes_save(actor=board.world.users["manager"], meeting=meeting, text="Teksti")
    minutes_approve(actor=board.world.users["manager"], meeting=meeting, version=version.version)
    client = _client(board, "observer")
    pk = board.world.alliance.pk
    for url in [
        reverse("governance:minutes_document", args=[pk, meeting.number]) + "?format=pdf",
        reverse("governance:decisions_document", args=[pk]) + "?format=pdf",
    ]:
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF-")
        assert "attachment" in response["Content-Disposition"]


def test_documents__pdf_made_without_a_warning(board: Board, caplog: pytest.LogCaptureFixture):
    """The PDF is made from the page without its links to the stylesheets (WeasyPrint is given
    print.css itself, and reads no phone-width media query): nothing for WeasyPrint to warn of
    in the log on every document."""
    if not _pdf_works():
        pytest.skip("WeasyPrint needs Pango")
    meeting = _call_meeting(board)
    minutes_save(actor=board.world.users["manager"], meeting=meeting, text="Teksti")
    client = _client(board, "observer")
    pk = board.world.alliance.pk
    page = reverse("governance:minutes_document", args=[pk, meeting.number])
    assert "print-narrow.css" in client.get(page).content.decode()  # the page keeps both
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        assert client.get(page + "?format=pdf").status_code == 200
    assert [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")] == []


def test_pdf_from_html__fetches_nothing():
    if not _pdf_works():
        pytest.skip("WeasyPrint needs Pango")
    # An image pointing at a network address is refused, not fetched.
    pdf = pdf_from_html(
        "<html lang='fi'><body><img src='http://127.0.0.2/x.png' alt='x'></body></html>"
    )
    assert pdf.startswith(b"%PDF-")


def test_meeting_detail__bad_input_is_refused_with_a_message(board: Board):
    meeting = _call_meeting(board)
    url = reverse("governance:meeting", args=[board.world.alliance.pk, meeting.number])
    manager = _client(board, "manager", "en")
    response = manager.post(_action(url, "approve"), {"version": "abc"}, follow=True)
    assert "Only the latest version of the minutes can be approved." in response.content.decode()
    response = manager.post(_action(url, "minutes"), {"text": "   "})
    assert response.status_code == 200
    assert 'class="error-summary"' in response.content.decode()
    response = manager.post(
        _action(url, "attendance"),
        {f"seat_{board.world.org['nokia'].pk}": str(board.rep("tampere").pk)},
    )
    assert response.status_code == 200
    assert not meeting.attendance.filter(person=board.rep("tampere")).exists()
    assert manager.post(url + "nonsense/", {}).status_code == 404  # no such action
    assert manager.post(url, {"text": "x"}).status_code == 405  # the page only shows
    assert not MinutesVersion.objects.exists()
