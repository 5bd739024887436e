"""The rows of the referral lists, written in Python (ADR 0034).

A producer's queue and a sender's outgoing list show 25 referrals a page, each a row of seven
cells with a link, dates and a state; rendered cell by cell in the template language, the rows
cost more than the rest of the page. These tags write the same rows with one ``format_html`` a
row: every value escaped by it, the translated words fetched once a render, each row's link from
one ``reverse`` (``core.rows.url_maker``), the dates formatted once per distinct value
(``core.rows.Dates``). Translated words are trusted as ``{% translate %}`` trusts them.

The markup is documented by the reference templates ``referrals/rows/queue.html`` and
``referrals/rows/outgoing.html``, the loops the pages had; ``tests/referrals/test_rows.py``
renders each beside its tag, for a row of every state in every language, and compares them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from allianssi.catalogue.models import in_language
from allianssi.core.rows import Dates, url_maker
from allianssi.referrals.models import Referral, State

register = template.Library()

#: The rows' markup; the reference templates (above) are the same with the whitespace between
#: the tags.
QUEUE_ROW = (
    '<tr><th scope="row"><a href="{}">{}</a></th>'
    '<td class="user-text">{}</td>'
    "<td>{}</td>"
    '<td class="nowrap">{}</td>'
    '<td class="nowrap">{}{}</td>'
    "<td>{}</td>"
    '<td class="nowrap">{}</td></tr>'
)
OUTGOING_ROW = (
    '<tr><th scope="row"><a href="{}">{}</a></th>'
    '<td class="user-text">{}</td>'
    "<td>{}</td>"
    "<td>{}</td>"
    "<td>{}</td>"
    '<td class="nowrap">{}{}</td>'
    '<td class="nowrap">{}</td></tr>'
)
#: What an empty date shows (``|default:"—"``).
NONE = "—"


def _overdue_mark() -> SafeString:
    # A translation of a literal is not escaped by {% translate %} (the template language marks
    # its literals safe), so neither here.
    return format_html(" <strong>({})</strong>", mark_safe(_("overdue")))  # noqa: S308


def _overdue(referral: Referral, today: dt.date) -> bool:
    answer_by = referral.answer_by
    return referral.state == State.SENT and answer_by is not None and answer_by < today


def _state_labels() -> dict[str, str]:
    return {value: str(label) for value, label in State.choices}


@register.simple_tag
def queue_rows(referrals: Iterable[Referral], alliance_id: int, today: dt.date) -> SafeString:
    """``{% queue_rows page.object_list alliance.pk today %}``: the queue's rows
    (``referrals/rows/queue.html``)."""
    detail = url_maker("referrals:detail", alliance_id)
    dates, labels, language, late = Dates(), _state_labels(), get_language(), _overdue_mark()
    return format_html_join(
        "\n",
        QUEUE_ROW,
        (
            (
                detail(r.number),
                r.number,
                in_language(r.version, "name", language),
                r.sender.name,
                dates.day(r.sent_at),
                dates.day(r.answer_by) or NONE,
                late if _overdue(r, today) else "",
                labels.get(r.state, r.state),
                dates.month(r.month) or NONE,
            )
            for r in referrals
        ),
    )


@register.simple_tag
def outgoing_rows(
    referrals: Iterable[Referral],
    alliance_id: int,
    today: dt.date,
    may_list_customers: bool,
    organisation_id: int | None,
) -> SafeString:
    """``{% outgoing_rows page.object_list alliance.pk today may_list_customers
    request.user.organisation_id %}``: the outgoing list's rows (``referrals/rows/outgoing.html``);
    a customer's number links to the customer's page where the viewer's organisation is the
    customer's organizer and the viewer may list its customers."""
    detail = url_maker("referrals:detail", alliance_id)
    customer_page = url_maker("customers:detail", alliance_id)
    dates, labels, language, late = Dates(), _state_labels(), get_language(), _overdue_mark()
    own = organisation_id if may_list_customers and organisation_id is not None else None

    def customer(referral: Referral) -> SafeString:
        number = referral.customer.number
        if own is not None and referral.customer.organizer_id == own:
            return format_html('<a href="{}">{}</a>', customer_page(number), number)
        return format_html("{}", number)

    return format_html_join(
        "\n",
        OUTGOING_ROW,
        (
            (
                detail(r.number),
                r.number,
                in_language(r.version, "name", language),
                r.producer.name,
                customer(r),
                labels.get(r.state, r.state),
                dates.day(r.answer_by) or NONE,
                late if _overdue(r, today) else "",
                dates.moment(r.changed_at),
            )
            for r in referrals
        ),
    )
