"""Helpers of the browser tests: a watched tab, logging in, axe-core and its report."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.utils import translation
from playwright.sync_api import Error as PlaywrightError

from allianssi.demo.common import DEMO_PASSWORD

#: WCAG 2.0 and 2.1, levels A and AA: what Finnish public services must meet.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
LANGUAGES = ["fi", "sv", "en"]
LOCALES = {"fi": "fi-FI", "sv": "sv-FI", "en": "en-GB"}
_axe = Axe()


def tr(language: str, message: Any) -> str:
    """A message id (or a lazy string, such as a choice label) as the app shows it in
    ``language``."""
    with translation.override(language):
        return translation.gettext(message) if isinstance(message, str) else str(message)


def new_context(browser: Any, live_server: Any, language: str | None, **options: Any) -> Any:
    """A fresh context (cookies, cache) whose browser prefers ``language``; with ``language``
    also the app's language cookie, as the language form sets it."""
    context = browser.new_context(locale=LOCALES[language or "fi"], **options)
    context.set_default_timeout(15_000)
    # Remembered for axe_violations: see there.
    context.allianssi_scripts = options.get("java_script_enabled", True)
    if language:
        context.add_cookies(
            [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
        )
    return context


@dataclass
class Problem:
    where: str
    what: str


@dataclass
class Tab:
    """A page whose every document is checked for its CSP header, and whose console is checked
    for CSP violations and same-origin resources that failed to load."""

    page: Any
    base_url: str
    problems: list[Problem] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    _broken: set[str] = field(default_factory=set)

    @classmethod
    def open(cls, context: Any, live_server: Any) -> Tab:
        tab = cls(page=context.new_page(), base_url=live_server.url)
        tab.page.on("console", tab._on_console)
        tab.page.on("pageerror", lambda error: tab.console.append(f"page error: {error}"))
        tab.page.on("response", tab._on_response)
        tab.page.on("requestfailed", tab._on_request_failed)
        return tab

    def _problem(self, where: str, what: str) -> None:
        problem = Problem(where, what)
        if problem not in self.problems:
            self.problems.append(problem)

    def _here(self) -> str:
        return urlsplit(self.page.url).path or self.page.url

    @staticmethod
    def _document_of(request: Any) -> str:
        try:
            return urlsplit(request.frame.url).path or request.frame.url
        except PlaywrightError:  # a request of a frame that is gone
            return "?"

    def _on_console(self, message: Any) -> None:
        text = f"console {message.type}: {message.text}"
        self.console.append(text)
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self._problem(self._here(), f"CSP violation — {text}")

    def _same_origin(self, url: str) -> bool:
        return url.startswith(self.base_url)

    def _on_response(self, response: Any) -> None:
        request = response.request
        path = urlsplit(response.url).path
        if not self._same_origin(response.url):
            return
        if request.resource_type == "document":
            if not response.headers.get("content-security-policy"):
                self._problem(path, f"no Content-Security-Policy header ({response.status})")
        elif response.status >= 400 and path != "/favicon.ico":
            self._broken.add(response.url)
            self._problem(
                self._document_of(request),
                f"{request.resource_type} {path} answered HTTP {response.status}",
            )

    def _on_request_failed(self, request: Any) -> None:
        if request.resource_type == "document" or request.url in self._broken:
            return
        if urlsplit(request.url).path == "/favicon.ico":
            return
        if request.resource_type in {"fetch", "xhr"} and request.failure == "net::ERR_ABORTED":
            # Cancelled by the page itself going away (the test moved on while a page's script,
            # such as an import's progress poll, waited for its answer): nothing failed to load.
            return
        self._problem(
            self._document_of(request),
            f"{request.resource_type} {request.url} failed: {request.failure}",
        )

    # Navigation -----------------------------------------------------------------------------

    def goto(self, path: str) -> Any:
        return self.page.goto(self.base_url + path)

    def submit(self, selector: str = "main form.form button[type=submit]") -> Any:
        """Press a submit button and wait for the page the server answers with."""
        with self.page.expect_navigation() as navigation:
            self.page.click(selector)
        return navigation.value

    def login(self, username: str, password: str = DEMO_PASSWORD) -> Any:
        self.goto("/accounts/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", password)
        return self.submit("main form button[type=submit]")

    def heading(self) -> str:
        return self.page.inner_text("h1").strip()

    def html_lang(self) -> str | None:
        return self.page.get_attribute("html", "lang")

    def fail_on_problems(self) -> None:
        if self.problems:
            lines = [f"  {p.where}: {p.what}" for p in self.problems]
            raise AssertionError("Problems seen in the browser:\n" + "\n".join(lines))


class ScriptsOff(AssertionError):
    """axe-core asked to run in a page whose JavaScript is off."""


def _scripts_on(page: Any) -> None:
    """axe-core's run is a promise that settles only after timers (``setTimeout``) fire, and in
    a page with JavaScript off Chromium fires none: ``page.evaluate`` (which has no timeout)
    would wait for ever with the page idle. So axe-core checks a page in a context with
    JavaScript on, and a test without JavaScript checks what works without it (docs/testing.md)."""
    if getattr(page.context, "allianssi_scripts", True) is False:
        raise ScriptsOff(
            "axe-core cannot run where JavaScript is off (its promise waits on timers that never "
            "fire): check the page in a context with JavaScript on"
        )


def _axe_run(page: Any, options: dict[str, Any]) -> dict[str, Any]:
    """``axe.run`` on the whole document, as ``Axe.run`` of axe-playwright-python does, but with
    axe-core (570 kB) put into the document only if it is not there yet: a document checked
    twice (``axe_violations`` and ``axe_review``, or again after a change) takes it once."""
    if not page.evaluate("() => typeof window.axe === 'object' && typeof axe.run === 'function'"):
        page.evaluate(_axe.axe_script)
    response: dict[str, Any] = page.evaluate("(options) => axe.run(document, options)", options)
    return response


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Run axe-core (WCAG 2.1 A and AA rules) on the page as it is now."""
    _scripts_on(page)
    response = _axe_run(
        page, {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
    )
    return list(response["violations"])


def axe_review(page: Any, rules: list[str]) -> list[dict[str, Any]]:
    """Run only ``rules`` and return what axe finds, also what it leaves "for review".

    Some of axe's checks never count as violations, though on these pages they are certain
    failures: ``aria-valid-attr-value`` (an ARIA reference to an id that does not exist),
    ``duplicate-id-aria`` (an id that a label or ARIA refers to is on two elements) and
    ``form-field-multiple-labels``.
    """
    _scripts_on(page)
    response = _axe_run(
        page,
        {"runOnly": {"type": "rule", "values": rules}, "resultTypes": ["violations", "incomplete"]},
    )
    return list(response["violations"]) + list(response["incomplete"])


#: The widths every page is checked at: a small phone and a common laptop (CSS pixels).
WIDTHS = [(360, 740), (1366, 768)]

_STICKING_OUT = """(limit) => {
  const describe = (element) => {
    const parts = [];
    for (let e = element; e && e !== document.body; e = e.parentElement) {
      const classes = typeof e.className === "string" && e.className.trim()
        ? "." + e.className.trim().split(/\\s+/).join(".") : "";
      parts.unshift(e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + classes);
      if (e.id || e.tagName === "MAIN") break;
    }
    const href = element.getAttribute("href");
    return parts.join(" > ") + (href ? `[href="${href}"]` : "");
  };
  // Inside a box that scrolls (or clips) it, which only its containing block does: an
  // absolutely positioned element (a visually hidden text) escapes every static ancestor.
  const scrolls = (element) => {
    let absolute = ["absolute", "fixed"].includes(getComputedStyle(element).position);
    for (let e = element.parentElement; e && e !== document.body; e = e.parentElement) {
      const style = getComputedStyle(e);
      if (absolute && style.position === "static") continue;
      if (style.overflowX !== "visible") return true;
      absolute = ["absolute", "fixed"].includes(style.position);
    }
    return false;
  };
  const wide = [];
  for (const element of document.body.querySelectorAll("*")) {
    const box = element.getBoundingClientRect();
    if (!box.width || box.right <= limit + 0.5 || scrolls(element)) continue;
    const parent = element.parentElement && element.parentElement.getBoundingClientRect();
    if (!parent || parent.right <= limit + 0.5) {
      const size = `${Math.round(box.width)} px wide, right edge at ${Math.round(box.right)} px`;
      wide.push(`${describe(element)} (${size})`);
    }
  }
  return wide.slice(0, 8);
}"""


def overflow(page: Any) -> str | None:
    """``None`` when the page is no wider than the window
    (``document.documentElement.scrollWidth <= window.innerWidth``); otherwise its width and the
    outermost elements that stick out (those not inside a box that scrolls)."""
    width, limit = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    if width <= limit:
        return None
    widest = page.evaluate(_STICKING_OUT, limit)
    return f"{width} px wide at {limit} px; sticking out: {'; '.join(widest) or '?'}"


_IMAGES_LOADED = """Array.from(document.images).every((image) => {
  if (!image.complete) return false;
  const picture = image.parentElement;
  if (!picture || picture.tagName !== "PICTURE") return true;
  const source = Array.from(picture.querySelectorAll("source"))
    .find((s) => !s.media || window.matchMedia(s.media).matches);
  const wanted = source ? source.getAttribute("srcset") : image.getAttribute("src");
  return image.currentSrc === new URL(wanted, document.baseURI).href;
})"""


def images_loaded(page: Any, seconds: float = 10.0) -> None:
    """Wait until every image of the page shows what it should and has loaded (or failed): a
    ``<picture>`` fetches another drawing when the window's width crosses its ``media``
    (docs/charts.md), and a resize before it arrives would abort it. (An image's ``complete``
    speaks of the drawing it shows, not of the one coming, hence the comparison of its
    ``currentSrc`` with the source that matches now.) Polled from here with plain evaluations,
    which work in a page without JavaScript too (Playwright's ``wait_for_function`` would not)."""
    for _ in range(int(seconds * 20)):
        if page.evaluate(_IMAGES_LOADED):
            return
        page.wait_for_timeout(50)


def overflow_at_widths(page: Any) -> list[str]:
    """The page as it is now, laid out at each of :data:`WIDTHS` in turn (the same document,
    the window resized), then given back its own size: what is wider than the window at each."""
    own = page.viewport_size
    found: list[str] = []
    try:
        for width, height in WIDTHS:
            page.set_viewport_size({"width": width, "height": height})
            images_loaded(page)
            problem = overflow(page)
            if problem:
                found.append(f"at {width}×{height}: {problem}")
    finally:
        if own:
            page.set_viewport_size(own)
            images_loaded(page)
    return found


def _target(node: dict[str, Any]) -> str:
    return " ".join(str(part) for part in node.get("target", []))


def format_violations(label: str, violations: list[dict[str, Any]]) -> str:
    lines = [f"{label}:"]
    for violation in violations:
        lines.append(
            f"  - {violation['id']} [{violation.get('impact')}] {violation['help']}"
            f" ({violation.get('helpUrl', '')})"
        )
        for node in violation["nodes"]:
            summary = re.sub(r"\s+", " ", node.get("failureSummary") or "").strip()
            lines.append(f"      at {_target(node)}: {summary}")
    return "\n".join(lines)
