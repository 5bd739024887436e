"""Register extracts: an organizer's monthly earnings of its customers, imported from the
Incomes Register's delivery (format: ``docs/outcome-formats.md``), and the verification of
employment claims against them.

The file is read as a stream and never kept. Each row's henkilötunnus is checked and turned
into the keyed pseudonym at once (``identity.pseudonym``) and matched to the organizer's own
customers; the rows of persons who are not its customers are counted and dropped. A person the
extract names is covered for every month of the extract's period: a month without a row is a
month without earnings (0), as the Incomes Register reports only what was paid. The whole file
lands or nothing does; the same file is never imported twice.

After the earnings land, in the same transaction, the organizer's employment claims dated in
the period are verified (earnings at or above the stated monthly threshold in the month of the
claimed start or the next one), contradicted (both months covered and below it), or marked as
having no data (the person is not in the extract); and the KPI tables are refreshed for the
persons the extract names.
"""

from __future__ import annotations

import datetime as dt
from array import array
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from allianssi import permissions
from allianssi.accounts.models import User
from allianssi.alliances.models import Alliance, MemberRole, Membership
from allianssi.alliances.services import alliance_lock
from allianssi.audit import actions
from allianssi.audit.services import audit_append
from allianssi.core import clock, euros
from allianssi.core.errors import DomainError, forbidden
from allianssi.customers.importing import Writer
from allianssi.customers.models import Customer, CustomerKind
from allianssi.identification import identity
from allianssi.openbook import ingest
from allianssi.openbook.importing import REPORT_LIMIT, ImportRejected, RowError, fingerprint
from allianssi.outcomes import kpis
from allianssi.outcomes.importing import header_columns
from allianssi.outcomes.models import (
    Earnings,
    OutcomeEvent,
    OutcomeType,
    RegisterExtract,
    Status,
)
from allianssi.parties.models import Organisation

#: The monthly earnings that verify a claim of employment unless the importer states another:
#: the employment condition's monthly earnings (Act 1290/2002 ch. 5 § 4, 930 € from 2024).
DEFAULT_THRESHOLD_CENTS = 93_000
#: The longest period one extract may cover.
MAX_MONTHS = 36

COLUMNS: dict[str, tuple[str, ...]] = {
    "hetu": ("hetu", "henkilötunnus", "henkilotunnus", "personbeteckning"),
    "month": ("month", "kuukausi", "månad"),
    "earnings": ("earnings", "ansiot", "förvärvsinkomster", "inkomster"),
}
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ExtractResult:
    extract: RegisterExtract
    duplicate: bool
    verified: int = 0
    contradicted: int = 0
    no_data: int = 0


def first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    months = []
    month = first_of_month(first)
    while month <= last:
        months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return months


def parse_month(value: str) -> dt.date | None:
    """``2026-03``, ``3/2026``, ``03.2026`` or a whole date: its month's first day."""
    text = value.strip()
    for sep in ("-", "/", "."):
        parts = text.split(sep)
        if len(parts) == 2 and all(p.isdigit() for p in parts):
            year, month = (parts[0], parts[1]) if len(parts[0]) == 4 else (parts[1], parts[0])
            try:
                return dt.date(int(year), int(month), 1)
            except ValueError:
                return None
    day = ingest.parse_date(text)
    return first_of_month(day) if day else None


def parse_earnings(value: str) -> int | None:
    """Earnings in euros as whole cents (0 allowed), or ``None``."""
    amount = euros.parse(value)
    if amount is None or amount < 0 or abs(amount) >= 10**9:
        return None
    cents = amount.scaleb(2)
    return int(cents) if cents == cents.to_integral_value() else None


def _organizer_check(actor: User, alliance: Alliance, organizer: Organisation) -> None:
    if not Membership.objects.filter(
        alliance=alliance, organisation=organizer, role=MemberRole.ORGANIZER
    ).exists():
        raise DomainError("extract_organizer", _("Choose an organizer of the alliance."))
    if not permissions.can_verify_outcomes(actor, alliance, organizer_id=organizer.pk):
        raise forbidden()


def extract_import(
    *,
    actor: User,
    alliance: Alliance,
    organizer: Organisation,
    path: Path,
    source: str,
    first_month: dt.date,
    last_month: dt.date,
    threshold_cents: int = DEFAULT_THRESHOLD_CENTS,
    progress: Progress | None = None,
) -> ExtractResult:
    """Import an Incomes Register extract of the organizer's customers' monthly earnings for
    the months ``first_month``–``last_month`` (see the module)."""
    _organizer_check(actor, alliance, organizer)
    first_month, last_month = first_of_month(first_month), first_of_month(last_month)
    months = months_between(first_month, last_month)
    if not months:
        raise DomainError(
            "extract_period", _("The last month cannot come before the first."), field="last_month"
        )
    if len(months) > MAX_MONTHS:
        raise DomainError(
            "extract_period_long",
            _("An extract covers at most %(most)s months."),
            field="last_month",
            most=str(MAX_MONTHS),
        )
    if last_month > first_of_month(clock.today()):
        raise DomainError(
            "extract_future", _("An extract cannot cover months to come."), field="last_month"
        )
    if threshold_cents <= 0:
        raise DomainError(
            "extract_threshold",
            _("State the monthly earnings that verify employment."),
            field="threshold",
        )
    digest, _rows = fingerprint(path)
    previous = RegisterExtract.objects.filter(
        alliance=alliance, organizer=organizer, digest=digest
    ).first()
    if previous is not None:
        return ExtractResult(previous, duplicate=True)
    index = {month: i for i, month in enumerate(months)}
    customers = dict(
        Customer.objects.filter(
            alliance=alliance,
            organizer=organizer,
            kind=CustomerKind.PERSON,
            erased_at__isnull=True,
        ).values_list("pseudonym", "pk")
    )
    earnings: dict[int, array[int]] = {}
    unmatched: set[str] = set()
    pseudonyms: dict[str, str | None] = {}
    invalid: dict[str, str | Promise] = {}  # each wrong code's reason, for its every row
    errors: list[RowError] = []
    rejected = rows = 0
    try:
        lines = ingest.rows(path)
        header_line = next(lines, None)
        columns = header_columns(header_line[1], COLUMNS) if header_line else {}
        if header_line is None or len(columns) != len(COLUMNS):
            raise ImportRejected([], 0, 0)
        h, m, e = columns["hetu"], columns["month"], columns["earnings"]
        width = max(h, m, e) + 1
        #: Rejected rows name the column as the file's own header does.
        headers = {key: header_line[1][index].strip() for key, index in columns.items()}
        for line, cells in lines:
            rows += 1
            if progress is not None and rows % 50_000 == 0:
                progress(rows, 0)
            if len(cells) < width:
                cells = cells + [""] * (width - len(cells))
            problem: tuple[str, str | Promise, dict[str, Any]] | None = None
            code = cells[h].strip()
            pseudonym = pseudonyms.get(code, "")
            if pseudonym == "":
                try:
                    pseudonym = identity.pseudonym(identity.validate(code))
                except DomainError as error:
                    invalid[code] = error.template
                    pseudonym = None
                pseudonyms[code] = pseudonym
            if pseudonym is None:
                problem = ("hetu", invalid[code], {})
            month = parse_month(cells[m])
            cents = parse_earnings(cells[e])
            if problem is None and month is None:
                problem = ("month", _("Not a month: write 2026-03."), {})
            elif problem is None and month not in index:
                problem = ("month", _("The month is outside the extract's period."), {})
            elif problem is None and (cents is None or cents < 0):
                problem = (
                    "earnings",
                    _("Not an amount of earnings in euros: “%(value)s”."),
                    {"value": cells[e][:40]},
                )
            if problem is not None:
                rejected += 1
                if len(errors) < REPORT_LIMIT:
                    errors.append(
                        RowError(line, headers.get(problem[0], problem[0]), *problem[1:])  # type: ignore[arg-type]
                    )
                continue
            if errors:
                continue
            assert pseudonym is not None
            assert month is not None
            assert cents is not None
            customer = customers.get(pseudonym)
            if customer is None:
                unmatched.add(pseudonym)
                continue
            sums = earnings.get(customer)
            if sums is None:
                sums = earnings[customer] = array("q", bytes(8 * len(months)))
            sums[index[month]] += cents
    except ingest.Unreadable as error:
        raise DomainError(
            "import_unreadable", _("The file cannot be read as UTF-8 CSV or an XLSX workbook.")
        ) from error
    if rejected or rows == 0:
        raise ImportRejected(errors, rejected, rows)
    pseudonyms.clear()
    invalid.clear()
    return _land(
        actor=actor,
        alliance=alliance,
        organizer=organizer,
        source=source,
        digest=digest,
        months=months,
        rows=rows,
        earnings=earnings,
        unmatched=len(unmatched),
        threshold_cents=threshold_cents,
    )


@transaction.atomic
def _land(
    *,
    actor: User,
    alliance: Alliance,
    organizer: Organisation,
    source: str,
    digest: str,
    months: list[dt.date],
    rows: int,
    earnings: dict[int, array[int]],
    unmatched: int,
    threshold_cents: int,
) -> ExtractResult:
    alliance = alliance_lock(alliance, actor, live=True)
    writer = Writer()
    writer.hold(alliance)
    extract = RegisterExtract.objects.create(
        alliance=alliance,
        organizer=organizer,
        source=source[:200],
        digest=digest,
        first_month=months[0],
        last_month=months[-1],
        rows=rows,
        matched=len(earnings),
        unmatched=unmatched,
        threshold_cents=threshold_cents,
        imported_by=actor,
        imported_at=clock.now(),
    )
    days = [writer.day(month) for month in months]
    names = ("alliance", "extract", "customer", "month", "cents")
    batch: list[tuple[Any, ...]] = []
    for customer, sums in earnings.items():
        for i, cents in enumerate(sums):
            batch.append((alliance.pk, extract.pk, customer, days[i], cents))
        if len(batch) >= 20_000:
            writer.write(Earnings, names, batch)
            batch = []
    writer.write(Earnings, names, batch)
    verified, contradicted, no_data, touched = _verify(extract, months)
    kpis.refresh(set(earnings) | touched, follow_ups=True)
    audit_append(
        actor=actor,
        alliance=alliance,
        action=actions.REGISTER_EXTRACT_IMPORT,
        obj=extract,
        after={
            "organizer": organizer.pk,
            "first_month": months[0],
            "last_month": months[-1],
            "rows": rows,
            "matched": len(earnings),
            "unmatched": unmatched,
            "threshold_cents": threshold_cents,
            "verified": verified,
            "contradicted": contradicted,
            "no_data": no_data,
        },
    )
    return ExtractResult(extract, False, verified, contradicted, no_data)


def _verify(extract: RegisterExtract, months: list[dt.date]) -> tuple[int, int, int, set[int]]:
    """Verify, contradict or mark as without data the organizer's open employment claims dated
    in the extract's period. Returns the counts and the customers whose claims changed."""
    quote = connection.ops.quote_name
    events = quote(OutcomeEvent._meta.db_table)
    customers = quote(Customer._meta.db_table)
    types = quote(OutcomeType._meta.db_table)
    earnings = quote(Earnings._meta.db_table)
    postgres = connection.vendor == "postgresql"
    month = (
        "CAST(date_trunc('month', ev.occurred_on) AS date)"
        if postgres
        else "date(ev.occurred_on, 'start of month')"
    )
    next_month = (
        "CAST(date_trunc('month', ev.occurred_on) + interval '1 month' AS date)"
        if postgres
        else "date(ev.occurred_on, 'start of month', '+1 month')"
    )
    last = months[-1]
    candidates = (
        f"SELECT ev.id, ev.customer_id, "  # noqa: S608
        f"(SELECT MAX(g.cents) FROM {earnings} g WHERE g.extract_id = %s "
        f"AND g.customer_id = ev.customer_id AND g.month IN ({month}, {next_month})), "
        f"(SELECT COUNT(*) FROM {earnings} g WHERE g.extract_id = %s "
        f"AND g.customer_id = ev.customer_id AND g.month IN ({month}, {next_month})), "
        f"CASE WHEN {next_month} <= %s THEN 2 ELSE 1 END "
        f"FROM {events} ev JOIN {customers} c ON c.id = ev.customer_id "
        f"JOIN {types} t ON t.id = ev.type_id "
        "WHERE ev.alliance_id = %s AND c.organizer_id = %s AND t.employment "
        "AND ev.status IN (%s, %s) AND ev.occurred_on >= %s AND ev.occurred_on < %s"
    )
    end = (last + dt.timedelta(days=32)).replace(day=1)
    with connection.cursor() as cursor:
        cursor.execute(
            candidates,
            [
                extract.pk,
                extract.pk,
                last,
                extract.alliance_id,
                extract.organizer_id,
                Status.CLAIMED,
                Status.NO_DATA,
                months[0],
                end,
            ],
        )
        found = cursor.fetchall()
    verdicts: dict[str, list[int]] = {
        Status.VERIFIED: [],
        Status.CONTRADICTED: [],
        Status.NO_DATA: [],
    }
    touched: set[int] = set()
    for event_id, customer_id, best, covered, needed in found:
        if covered == 0:
            verdict = Status.NO_DATA
        elif best is not None and best >= extract.threshold_cents:
            verdict = Status.VERIFIED
        elif covered >= needed:
            verdict = Status.CONTRADICTED
        else:
            continue  # the next month is not in this extract yet: still a claim
        verdicts[verdict].append(event_id)
        touched.add(customer_id)
    note = f"{extract.register} {extract.first_month:%Y-%m}–{extract.last_month:%Y-%m}"
    now = clock.now()
    for status, ids in verdicts.items():
        for start in range(0, len(ids), 500):
            OutcomeEvent.objects.filter(pk__in=ids[start : start + 500]).update(
                status=status, extract=extract, verified_at=now, check_note=note
            )
    return (
        len(verdicts[Status.VERIFIED]),
        len(verdicts[Status.CONTRADICTED]),
        len(verdicts[Status.NO_DATA]),
        touched,
    )
