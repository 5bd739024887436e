"""The rows of a customer's path, written in Python (ADR 0034).

A path can hold dozens of steps of nine cells, most of them dates; rendered cell by cell in the
template language, they were the largest part of the customer's page after its frame. This tag
writes the same rows with one ``format_html`` a row: every value escaped by it, the translated
words fetched once a render, each referral's link from one ``reverse`` an alliance
(``core.rows.url_maker``), the dates formatted once per distinct value (``core.rows.Dates``).
Translated words are trusted as ``{% translate %}`` and ``{% blocktranslate %}`` trust them.

The markup is documented by the reference template ``customers/rows/path.html``, the loop the
page had; ``tests/customers/test_rows.py`` renders it beside the tag, for steps of every state in
every language, and compares them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django import template
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from allianssi.core.rows import Dates, url_maker
from allianssi.customers.selectors import Step

register = template.Library()

#: The row's markup: the sent day, the service (a cell of its own, made below), the producer,
#: the state, four dates, and the outcome where the viewer may see it.
PATH_ROW = (
    '<tr><td class="nowrap">{}</td>'
    '<th scope="row">{}</th>'
    "<td>{}</td>"
    "<td>{}</td>"
    '<td class="nowrap">{}</td>'
    '<td class="nowrap">{}</td>'
    '<td class="nowrap">{}</td>'
    '<td class="nowrap">{}</td>'
    "{}</tr>"
)
#: What an empty cell shows (``|default:"—"``).
NONE = "—"


@register.simple_tag
def path_rows(path: Iterable[Step], shared_only: bool = False) -> SafeString:
    """``{% path_rows path shared_only %}``: the rows of the path's table
    (``customers/rows/path.html``); with ``shared_only`` (a referral's page) without the
    outcome and without the note on another organizer's steps."""
    dates = Dates()
    # {% translate %} of a literal is not escaped (the template language marks literals safe).
    not_sent = mark_safe(_("Not sent"))  # noqa: S308
    referral_word = _("referral %(n)s")
    elsewhere = (
        ""
        if shared_only
        else format_html(
            ' <span class="muted">({})</span>',
            mark_safe(_("another organizer's customer record")),  # noqa: S308
        )
    )
    links: dict[int, Callable[[object], str]] = {}

    def service(step: Step) -> SafeString:
        referral = step.referral
        if referral is None:
            return format_html("{}{}", step.service, elsewhere)
        link = links.get(referral.alliance_id)
        if link is None:
            link = links[referral.alliance_id] = url_maker("referrals:detail", referral.alliance_id)
        # {% blocktranslate %}: the value escaped, the translation as it is.
        number = mark_safe(referral_word % {"n": escape(referral.number)})  # noqa: S308
        return format_html(
            '<a href="{}">{}</a> <span class="muted">({})</span>',
            link(referral.number),
            step.service,
            number,
        )

    def outcome(step: Step) -> SafeString | str:
        if shared_only:
            return ""
        return format_html("<td>{}</td>", step.outcome_label or NONE)

    return format_html_join(
        "\n",
        PATH_ROW,
        (
            (
                dates.day(step.sent_on) if step.sent_on else not_sent,
                service(step),
                step.producer,
                step.state_label,
                dates.day(step.answer_by) or NONE,
                dates.month(step.month) or NONE,
                dates.day(step.started_on) or NONE,
                dates.day(step.ended_on) or NONE,
                outcome(step),
            )
            for step in path
        ),
    )
