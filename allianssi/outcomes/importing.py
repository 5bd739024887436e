"""Importing outcome events from CSV or XLSX: every row checked as a hand entry is, the whole
file recorded or nothing, and never twice (format: ``docs/outcome-formats.md``).

A producer's staff name each event's referral (its number in the alliance): the event follows
that referral's episode at the producer. An organizer's customer advisors name the referral or
the customer (its number): the event then follows every episode of the customer it may follow.
The file's checksum is kept, so the same file records nothing again, and an event's identifier
(the ``id`` column) is recorded once per reporter: a row whose identifier was recorded before
is skipped and counted, as a retry should be. If any row is rejected, every rejected row is
reported (line, column, reason) and nothing is recorded. Checked rows are written with the
engine's bulk path and folded into the KPI tables for the customers they touch, in the same
transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from allianssi import permissions
from allianssi.accounts.models import User
from allianssi.alliances.models import Alliance, MemberRole, Membership
from allianssi.alliances.services import alliance_lock
from allianssi.audit.services import audit_append
from allianssi.core import clock
from allianssi.core.errors import DomainError, forbidden
from allianssi.customers.importing import Writer
from allianssi.customers.models import Customer
from allianssi.openbook import ingest
from allianssi.openbook.importing import REPORT_LIMIT, ImportRejected, RowError, fingerprint
from allianssi.outcomes import kpis
from allianssi.outcomes.models import EventImport, OutcomeEvent, OutcomeType, Source, Status, Via
from allianssi.outcomes.services import ATTRIBUTION_DAYS
from allianssi.referrals.models import Episode

COLUMNS: dict[str, tuple[str, ...]] = {
    "referral": ("referral", "lähete", "remiss"),
    "customer": ("customer", "asiakas", "kund"),
    "outcome": ("outcome", "tulos", "resultat"),
    "date": ("date", "päivä", "päivämäärä", "datum"),
    "evidence": ("evidence", "näyttö", "belägg"),
    "id": ("id", "tunniste", "identifierare"),
}
Progress = Callable[[int, int], None]
#: Rows written per bulk statement.
BATCH = 20_000


@dataclass(frozen=True)
class ImportResult:
    batch: EventImport
    duplicate: bool  # the same file was imported before: nothing recorded
    recorded: int = 0
    skipped: int = 0  # rows whose identifier was recorded before


@dataclass(frozen=True)
class _Episode:
    pk: int
    customer: int
    producer: int
    started_on: dt.date
    ended_on: dt.date | None


def header_columns(cells: list[str], columns: dict[str, tuple[str, ...]]) -> dict[str, int]:
    """Where each of ``columns`` (its key: the names it may have, in English, Finnish and
    Swedish) stands in the header row ``cells``; the first of a repeated name counts."""
    names = {alias.casefold(): key for key, aliases in columns.items() for alias in aliases}
    found: dict[str, int] = {}
    for index, cell in enumerate(cells):
        key = names.get(cell.strip().casefold())
        if key is not None and key not in found:
            found[key] = index
    return found


def _types() -> dict[str, OutcomeType]:
    """Outcome types by code and by their names in the three languages, lower-cased."""
    found: dict[str, OutcomeType] = {}
    for t in OutcomeType.objects.all():
        for key in (t.code, t.name_fi, t.name_sv, t.name_en):
            found.setdefault(key.strip().casefold(), t)
    return found


def _chunked(values: set[Any], size: int = 500) -> Iterator[list[Any]]:
    ordered = sorted(values)
    for start in range(0, len(ordered), size):
        yield ordered[start : start + size]


class _Lookups:
    """What the rows are checked against, read once before them and only for what the file
    names (so a day's file costs what the day has, not the producer's whole history): the
    episodes of the referrals it names (a producer's own; an organizer's customers'), and an
    organizer's customers it names by number with their episodes."""

    def __init__(
        self,
        alliance: Alliance,
        reporter_id: int,
        organizer: bool,
        referrals: set[int],
        customers: set[int],
    ) -> None:
        self.by_referral: dict[int, _Episode] = {}
        self.by_customer: dict[int, list[_Episode]] = {}
        self.customers: dict[int, tuple[int, str, bool]] = {}
        fields = ("pk", "referral__number", "customer_id", "producer_id", "started_on", "ended_on")
        mine = (
            Episode.objects.filter(alliance=alliance, customer__organizer_id=reporter_id)
            if organizer
            else Episode.objects.filter(alliance=alliance, producer_id=reporter_id)
        )
        for numbers in _chunked(referrals):
            for pk, number, customer, producer, started, ended in mine.filter(
                referral__number__in=numbers
            ).values_list(*fields):
                self.by_referral[number] = _Episode(pk, customer, producer, started, ended)
        if organizer and customers:
            for numbers in _chunked(customers):
                for pk, number, kind, erased in Customer.objects.filter(
                    alliance=alliance, organizer_id=reporter_id, number__in=numbers
                ).values_list("pk", "number", "kind", "erased_at"):
                    self.customers[number] = (pk, kind, erased is not None)
            named = {pk for pk, _kind, _erased in self.customers.values()}
            for ids in _chunked(named):
                for pk, _number, customer, producer, started, ended in Episode.objects.filter(
                    customer_id__in=ids
                ).values_list(*fields):
                    episode = _Episode(pk, customer, producer, started, ended)
                    self.by_customer.setdefault(customer, []).append(episode)
        self.kinds: dict[int, tuple[str, bool]] = {
            pk: (kind, erased) for pk, kind, erased in self.customers.values()
        }
        unknown = {e.customer for e in self.by_referral.values()} - self.kinds.keys()
        for ids in _chunked(unknown):
            for pk, kind, erased_at in Customer.objects.filter(pk__in=ids).values_list(
                "pk", "kind", "erased_at"
            ):
                self.kinds[pk] = (kind, erased_at is not None)


def _named(path: Path, columns: dict[str, int]) -> tuple[set[int], set[int], set[str]]:
    """The referral and customer numbers and the identifiers the file names: a first, light
    read, so that only those are looked up."""
    referrals: set[int] = set()
    customers: set[int] = set()
    identifiers: set[str] = set()
    lines = ingest.rows(path)
    next(lines, None)
    places = [(key, columns[key]) for key in ("referral", "customer", "id") if key in columns]
    for _line, cells in lines:
        for key, index in places:
            value = cells[index].strip() if index < len(cells) else ""
            if not value:
                continue
            if key == "id":
                identifiers.add(value)
            elif value.isdigit() and len(value) < 12:
                (referrals if key == "referral" else customers).add(int(value))
    return referrals, customers, identifiers


def _reporter(actor: User, alliance: Alliance) -> tuple[int, bool]:
    """The party the actor reports for, and whether it is an organizer."""
    if not permissions.can_import_outcomes(actor, alliance):
        raise forbidden()
    membership = Membership.objects.filter(
        alliance=alliance, organisation_id=actor.organisation_id or 0, ended_on__isnull=True
    ).first()
    if membership is None:
        raise forbidden()
    organizer = membership.role == MemberRole.ORGANIZER
    if organizer and not permissions.can_serve_customers(
        actor, alliance, organizer_id=membership.organisation_id
    ):
        raise forbidden()
    if not organizer and not permissions.can_receive_referrals(
        actor, alliance, producer_id=membership.organisation_id
    ):
        raise forbidden()
    return membership.organisation_id, organizer


def events_import(
    *,
    actor: User,
    alliance: Alliance,
    path: Path,
    source: str,
    progress: Progress | None = None,
) -> ImportResult:
    """Record the file's outcome events for the actor's party (see the module)."""
    reporter, organizer = _reporter(actor, alliance)
    digest, expected = fingerprint(path)
    previous = EventImport.objects.filter(
        alliance=alliance, reporter_id=reporter, digest=digest
    ).first()
    if previous is not None:
        return ImportResult(previous, duplicate=True)
    types = _types()
    in_file: dict[str, int] = {}
    today = clock.today()
    checked: list[tuple[int, OutcomeType, dt.date, str, str, list[_Episode]]] = []
    errors: list[RowError] = []
    rejected = rows = skipped = 0
    try:
        lines = ingest.rows(path)
        header = next(lines, None)
        columns = header_columns(header[1], COLUMNS) if header else {}
        if (
            header is None
            or not {"outcome", "date"} <= columns.keys()
            or not ("referral" in columns or (organizer and "customer" in columns))
        ):
            raise ImportRejected([], 0, 0)
        width = max(columns.values()) + 1
        referrals, customers, identifiers = _named(path, columns)
        lookups = _Lookups(alliance, reporter, organizer, referrals, customers)
        seen_ids: set[str] = set()
        for chunk in _chunked(identifiers):
            seen_ids.update(
                OutcomeEvent.objects.filter(
                    alliance=alliance, reporter_id=reporter, external_id__in=chunk
                ).values_list("external_id", flat=True)
            )
        #: Rejected rows name the column as the file's own header does.
        headers = {key: header[1][index].strip() for key, index in columns.items()}

        def cell(cells: list[str], key: str) -> str:
            index = columns.get(key)
            return cells[index].strip() if index is not None else ""

        for line, cells in lines:
            rows += 1
            if progress is not None and rows % 20_000 == 0:
                progress(rows, expected)
            if len(cells) < width:
                cells = cells + [""] * (width - len(cells))
            problem: tuple[str, Promise, dict[str, Any]] | None = None
            outcome = types.get(cell(cells, "outcome").casefold())
            day = ingest.parse_date(cell(cells, "date"))
            evidence = cell(cells, "evidence")
            external_id = cell(cells, "id")
            referral = cell(cells, "referral")
            customer_number = cell(cells, "customer")
            episodes: list[_Episode] = []
            customer = 0
            if outcome is None:
                problem = (
                    "outcome",
                    _("“%(value)s” is not an outcome type."),
                    {"value": cell(cells, "outcome")[:60]},
                )
            elif day is None:
                problem = ("date", _("Not a date: write 2026-03-31 or 31.3.2026."), {})
            elif day > today:
                problem = ("date", _("An outcome cannot be dated in the future."), {})
            elif len(evidence) > 300:
                problem = ("evidence", _("At most 300 characters."), {})
            elif len(external_id) > 100:
                problem = ("id", _("At most 100 characters."), {})
            elif "\x00" in evidence or "\x00" in external_id:
                problem = ("evidence", _("The text contains a NUL character; remove it."), {})
            elif referral:
                found = lookups.by_referral.get(int(referral)) if referral.isdigit() else None
                if found is None:
                    problem = (
                        "referral",
                        _(
                            "“%(value)s” is not a referral whose service started at your "
                            "organisation or of your customers."
                        ),
                        {"value": referral[:30]},
                    )
                else:
                    customer = found.customer
                    episodes = [found]
            elif customer_number:
                match = (
                    lookups.customers.get(int(customer_number))
                    if customer_number.isdigit()
                    else None
                )
                if match is None:
                    problem = (
                        "customer",
                        _("“%(value)s” is not one of your organisation's customers."),
                        {"value": customer_number[:30]},
                    )
                else:
                    customer = match[0]
                    episodes = lookups.by_customer.get(customer, [])
            else:
                problem = (
                    "referral",
                    _("Name the referral (or, for an organizer, the customer)."),
                    {},
                )
            if problem is None:
                assert outcome is not None
                assert day is not None
                kind, erased = lookups.kinds.get(customer, ("", True))
                earliest = day - dt.timedelta(days=ATTRIBUTION_DAYS)
                episodes = [
                    e
                    for e in episodes
                    if e.started_on <= day and (e.ended_on is None or e.ended_on >= earliest)
                ]
                if erased:
                    problem = ("referral", _("The customer's data has been erased."), {})
                elif outcome.kind != kind:
                    problem = ("outcome", _("This outcome is not for this kind of customer."), {})
                elif not episodes:
                    problem = (
                        "date",
                        _(
                            "The service had not started by this date, or ended more than a "
                            "year before it."
                        ),
                        {},
                    )
                elif external_id and external_id in in_file:
                    problem = (
                        "id",
                        _("The identifier is also on line %(line)s."),
                        {"line": in_file[external_id]},
                    )
            if problem is not None:
                rejected += 1
                if len(errors) < REPORT_LIMIT:
                    column = headers.get(problem[0], problem[0])
                    errors.append(RowError(line, column, problem[1], problem[2]))
                continue
            if external_id:
                in_file[external_id] = line
                if external_id in seen_ids:
                    skipped += 1
                    continue
            if not errors:
                assert outcome is not None
                assert day is not None
                checked.append((customer, outcome, day, evidence, external_id, episodes))
    except ingest.Unreadable as error:
        raise DomainError(
            "import_unreadable", _("The file cannot be read as UTF-8 CSV or an XLSX workbook.")
        ) from error
    if rejected or rows == 0:
        raise ImportRejected(errors, rejected, rows)
    if progress is not None:
        progress(rows, rows)
    return _record(
        actor=actor,
        alliance=alliance,
        reporter=reporter,
        organizer=organizer,
        source=source,
        digest=digest,
        rows=rows,
        checked=checked,
        skipped=skipped,
    )


@transaction.atomic
def _record(
    *,
    actor: User,
    alliance: Alliance,
    reporter: int,
    organizer: bool,
    source: str,
    digest: str,
    rows: int,
    checked: list[tuple[int, OutcomeType, dt.date, str, str, list[_Episode]]],
    skipped: int,
) -> ImportResult:
    alliance = alliance_lock(alliance, actor, live=True)
    writer = Writer()
    writer.hold(alliance)
    batch = EventImport.objects.create(
        alliance=alliance,
        reporter_id=reporter,
        source=source[:200],
        digest=digest,
        rows=rows,
        imported_by=actor,
        imported_at=clock.now(),
    )
    now = writer.moment(clock.now())
    ids = writer.ids(OutcomeEvent, len(checked))
    kind = Source.CUSTOMER if organizer else Source.PRODUCER
    names = (
        "id", "alliance", "customer", "type", "occurred_on", "source", "evidence", "reporter",
        "producer", "external_id", "via", "batch", "recorded_by", "recorded_at", "status",
        "check_note",
    )  # fmt: skip
    through = OutcomeEvent.episodes.through
    links = ("outcomeevent", "episode")
    events: list[tuple[Any, ...]] = []
    attributed: list[tuple[Any, ...]] = []
    customers: set[int] = set()
    for pk, (customer, outcome, day, evidence, external_id, episodes) in zip(
        ids, checked, strict=True
    ):
        paid = max(episodes, key=lambda e: (e.started_on, -e.pk)).producer
        events.append((
            pk, alliance.pk, customer, outcome.pk, writer.day(day), kind, writer.text(evidence),
            reporter, paid, writer.text(external_id), Via.IMPORT, batch.pk, actor.pk, now,
            Status.CLAIMED, "",
        ))  # fmt: skip
        attributed.extend((pk, e.pk) for e in episodes)
        customers.add(customer)
        if len(events) >= BATCH:
            writer.write(OutcomeEvent, names, events)
            events = []
    writer.write(OutcomeEvent, names, events)
    for start in range(0, len(attributed), BATCH):
        writer.write(through, links, attributed[start : start + BATCH])
    kpis.refresh(customers)
    audit_append(
        actor=actor,
        alliance=alliance,
        action="outcome.import",
        obj=batch,
        after={"source": source, "rows": rows, "recorded": len(checked), "skipped": skipped},
    )
    return ImportResult(batch, duplicate=False, recorded=len(checked), skipped=skipped)
