"""Issue 17: the charts fit their box at any width. On a phone 360 pixels wide each chart of the
open books, the KPIs and a KPI's figures is its narrow drawing (360 px, chosen by the page's
``<picture>`` without JavaScript), no wider than its box and not inside a box that scrolls; on a
laptop 1366 pixels wide it is the wide drawing. The page is no wider than the window at either
width."""

from __future__ import annotations

from typing import Any

import pytest

from allianssi.alliances.models import Alliance
from allianssi.demo.common import MAIN_ALLIANCE
from tests.browser.pages import Tab, new_context, overflow
from tests.browser.test_outcomes_a11y import _world

pytestmark = pytest.mark.browser

#: Each chart image, once loaded: the drawing it shows, its size and its box's, and whether an
#: ancestor scrolls or clips it sideways.
_CHARTS = """() => Array.from(document.querySelectorAll("main figure.chart img")).map((img) => {
  let scrolled = null;
  for (let e = img.parentElement; e && e !== document.body; e = e.parentElement) {
    if (getComputedStyle(e).overflowX !== "visible") { scrolled = e.tagName + "." + e.className; }
  }
  const box = img.closest("figure").getBoundingClientRect();
  const own = img.getBoundingClientRect();
  return {
    src: img.currentSrc, loaded: img.complete && img.naturalWidth > 0,
    natural: img.naturalWidth, width: own.width, right: own.right,
    box: box.width, boxRight: box.right, scrolled: scrolled,
  };
})"""


def _charts(tab: Tab) -> list[dict[str, Any]]:
    tab.page.wait_for_load_state("load")  # every image loaded (or failed)
    return list(tab.page.evaluate(_CHARTS))


def _pages() -> list[tuple[str, int]]:
    """The pages with charts, each with how many charts the demo gives it at least."""
    main, _maija, _started = _world()  # a KPI defined: its figures have the funnel chart
    return [
        (f"/alliances/{main.pk}/books/?start=2026-01", 3),
        (f"/alliances/{main.pk}/settlement/kpis/?year=2026", 1),
        (f"/alliances/{main.pk}/outcomes/figures/tyollistyneet/?year=2026", 1),
    ]


def test_charts_fit_a_phone_without_scrolling_and_are_wide_on_a_laptop(browser: Any, demo: Any):
    assert Alliance.objects.filter(name=MAIN_ALLIANCE).exists()
    pages = _pages()
    findings: list[str] = []
    for width, height, narrow in [(360, 740, True), (1366, 768, False)]:
        context = new_context(browser, demo, "fi", viewport={"width": width, "height": height})
        try:
            tab = Tab.open(context, demo)
            tab.login("projektitoimisto")
            for path, least in pages:
                response = tab.goto(path)
                assert response is not None, path
                assert response.status == 200, path
                where = f"{path} at {width} px"
                charts = _charts(tab)
                if len(charts) < least:
                    findings.append(f"{where}: {len(charts)} charts, expected {least} at least")
                for chart in charts:
                    what = f"{where}, {chart['src']}"
                    if not chart["loaded"]:
                        findings.append(f"{what}: not loaded")
                    if ("size=narrow" in chart["src"]) != narrow:
                        findings.append(f"{what}: the {'wide' if narrow else 'narrow'} drawing")
                    if narrow and chart["natural"] != 360:
                        findings.append(f"{what}: drawn {chart['natural']} px wide, not 360")
                    if chart["width"] > chart["box"] + 0.5 or chart["right"] > width:
                        findings.append(
                            f"{what}: {chart['width']:.0f} px wide in a box of {chart['box']:.0f}"
                        )
                    if chart["box"] > width or chart["boxRight"] > width + 0.5:
                        findings.append(f"{what}: its box is wider than the window")
                    if chart["scrolled"]:
                        findings.append(f"{what}: inside a box that scrolls ({chart['scrolled']})")
                    if width == 1366 and chart["width"] < 700:
                        findings.append(f"{what}: only {chart['width']:.0f} px wide on a laptop")
                problem = overflow(tab.page)
                if problem:
                    findings.append(f"{where}: {problem}")
            tab.fail_on_problems()
        finally:
            context.close()
    assert not findings, "\n".join(findings)
