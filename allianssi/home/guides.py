"""The imports' format guides, readable in the app: ``docs/*.md`` rendered as HTML at
``/help/formats/<slug>/`` (``home:format_guide``), linked from the import pages.

The guides are the repository's own documentation, written once (in English) for developers,
operators and the people who make the files; the app shows the same text rather than a copy that
could drift. They are rendered with markdown-it-py's CommonMark parser with tables and **raw HTML
off**: an HTML tag written in a guide is shown as text, never passed to the page. Links are kept
where they lead somewhere a reader can go: another guide (to its page here) and addresses on the
web; a link to another file of the repository keeps its text and loses its link. Each table and
each code example is put in a scrolling region that a keyboard can reach, as the app's own tables
are, so that a wide one never widens the page.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.html import escape
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _
from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict


@dataclass(frozen=True)
class Guide:
    slug: str
    file: str  # in docs/
    title: Promise


GUIDES: dict[str, Guide] = {
    guide.slug: guide
    for guide in (
        Guide("ledger-import", "ledger-import.md", _("Importing costs: the file format")),
        Guide("outcome-formats", "outcome-formats.md", _("Importing outcomes: the file formats")),
        Guide("customer-import", "customer-import.md", _("Importing customers: the file format")),
    )
}
_BY_FILE = {guide.file: guide for guide in GUIDES.values()}


def _docs() -> Path:
    return Path(settings.BASE_DIR) / "docs"


def _link_open(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[idx]
    href = str(token.attrGet("href") or "")
    file, _sep, anchor = href.partition("#")
    kept = True
    if file in _BY_FILE:
        token.attrSet("href", reverse("home:format_guide", args=[file.removesuffix(".md")]))
        if anchor:
            token.attrSet("href", f"{token.attrGet('href')}#{anchor}")
    elif href.startswith("#"):
        pass
    elif not href.startswith(("https://", "http://")):
        kept = False
    env.setdefault("links", []).append(kept)
    return self.renderToken(tokens, idx, options, env) if kept else ""


def _link_close(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    kept = env.get("links", [True]).pop() if env.get("links") else True
    return self.renderToken(tokens, idx, options, env) if kept else ""


def _table_open(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    env["tables"] = env.get("tables", 0) + 1
    label = escape(gettext("Table %(n)s") % {"n": env["tables"]})
    return (
        f'<div class="table-scroll" tabindex="0" role="region" aria-label="{label}">'
        + self.renderToken(tokens, idx, options, env)
    )


def _table_close(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return self.renderToken(tokens, idx, options, env) + "</div>"


def _scrolling(default: Any, label: str) -> Any:
    """A renderer rule that puts the default rendering of a code block in a scrolling region
    that the keyboard reaches, labelled ``label`` ("Example 2"), so that a long line does not
    widen the page."""

    def render(
        self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        env["examples"] = env.get("examples", 0) + 1
        text = escape(gettext(label) % {"n": env["examples"]})
        inner = default(tokens, idx, options, env)
        return (
            f'<div class="table-scroll" tabindex="0" role="region" aria-label="{text}">'
            f"{inner}</div>"
        )

    return render


def _parser() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": False}).enable("table")
    parser.add_render_rule("link_open", _link_open)
    parser.add_render_rule("link_close", _link_close)
    parser.add_render_rule("table_open", _table_open)
    parser.add_render_rule("table_close", _table_close)
    renderer = parser.renderer
    assert isinstance(renderer, RendererHTML)
    for rule in ("fence", "code_block"):
        parser.add_render_rule(
            rule, _scrolling(renderer.rules[rule], gettext_noop("Example %(n)s"))
        )
    return parser


@functools.lru_cache(maxsize=16)
def _rendered(path: Path, modified: float, language: str) -> str:
    env: dict[str, Any] = {}
    return str(_parser().render(path.read_text(encoding="utf-8"), env))


def render(guide: Guide, language: str) -> str:
    """The guide's HTML (safe: no raw HTML of the markdown passes). Read again when the file
    changes."""
    path = _docs() / guide.file
    return _rendered(path, path.stat().st_mtime, language)
