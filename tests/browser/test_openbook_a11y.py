"""The open-books pages pass axe-core's WCAG 2.1 A and AA rules in Finnish, Swedish and English:
the books with their totals, budgets and entries (also filtered), and the import page, also with
a rejected file's rows listed, and an import's progress page."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

from allianssi.accounts.models import User
from allianssi.alliances.models import Alliance
from allianssi.background.worker import drain
from allianssi.demo.common import MAIN_ALLIANCE
from allianssi.openbook import jobs
from allianssi.openbook.models import BudgetRevision, CostEntry
from tests.browser.pages import LANGUAGES, Tab, new_context
from tests.browser.test_browser_accessibility import Audit

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("language", LANGUAGES)
def test_open_books_pages_pass_axe(browser: Any, demo: Any, language: str, tmp_path: Path):
    main = Alliance.objects.get(name=MAIN_ALLIANCE)
    base = f"/alliances/{main.pk}/books"
    context = new_context(browser, demo, language)
    tab = Tab.open(context, demo)
    audit = Audit(tab, language)
    try:
        tab.login("projektitoimisto")
        audit.check("open books", tab.goto(f"{base}/"))
        if not tab.page.locator("table[aria-labelledby=entries-heading] tbody tr").count():
            audit.findings.append(f"open books [{language}]: no entries listed")
        audit.check("open books, filtered", tab.goto(f"{base}/?start=2026-02&category=personnel"))
        audit.check("import page", tab.goto(f"{base}/import/"))
        bad = tmp_path / "kulut.csv"
        bad.write_text(
            "kirjauspäivä;tuottaja;järjestäjä;palvelualue;kustannuslaji;summa;kuvaus\n"
            "31.2.2026;Tuntematon Oy;Tampere;employment;personnel;1;x\n",
            encoding="utf-8",
        )
        tab.page.set_input_files("#id_file", str(bad))
        audit.check("import page, the file queued", tab.submit())
        with tab.page.expect_navigation(timeout=20_000) as reloaded:
            drain()  # the worker runs the import; the page's script sees it end and reloads
        audit.check("import page, a rejected file", reloaded.value)
        audit.expect_errors("import page, a rejected file")
        if not tab.page.locator("table[aria-labelledby=rejected-heading] tbody tr").count():
            audit.findings.append(f"import page [{language}]: the rejected rows are not listed")
        waiting = jobs.job_create(
            actor=User.objects.get(username="projektitoimisto"),
            alliance=main,
            upload=io.BytesIO(b"booked_on;producer\n"),
            name="odottaa.csv",
        )  # queued, never run here: its page shows the progress bar
        audit.check("import in progress", tab.goto(f"{base}/import/{waiting.pk}/"))
        if not tab.page.locator("progress#import-progress").count():
            audit.findings.append(f"import in progress [{language}]: no progress bar")
        audit.check("post a cost", tab.goto(f"{base}/entries/new/"))
        entry = CostEntry.objects.filter(alliance=main, reverses__isnull=True).first()
        audit.check("correct an entry", tab.goto(f"{base}/entries/{entry.pk}/reverse/"))
        audit.check("budgets and pooled staff", tab.goto(f"{base}/plan/"))
        revision = BudgetRevision.objects.filter(budget__alliance=main).latest("pk")
        audit.check(
            "correct a budget revision", tab.goto(f"{base}/plan/budget/{revision.pk}/correct/")
        )
        tab.goto(f"{base}/plan/")
        tab.page.fill("#id_staff-person_years", "-1")
        audit.check(
            "budgets and pooled staff, a refused change",
            tab.submit('main form.form[action$="/plan/staff/"] button[type=submit]'),
        )
        audit.expect_errors("budgets and pooled staff, a refused change")
        audit.check("API tokens", tab.goto("/api/tokens/"))
        tab.page.fill("#token-name", "Talousjärjestelmä")
        audit.check("API tokens, one made", tab.submit())
    finally:
        context.close()
    report = audit.report()
    if report:
        pytest.fail(
            f"Accessibility checks of the open books failed ({language}):\n{report}", pytrace=False
        )
