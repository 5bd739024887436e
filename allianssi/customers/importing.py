"""Importing an organizer's existing customers and their referral history, whole or not at all.

An organizer that joins an alliance brings its customers from its previous system: one JSON
object a line (the format is ``docs/customer-import.md``). Every line is checked by the rules the
services apply one by one (``customers.services``: the henkilötunnus by python-stdnum, encrypted
and pseudonymised as ``customer_create`` does it; the Y-tunnus; the legal basis; the contact
data), against the alliance's published services and their producers, and the moves of each
referral against :data:`~allianssi.referrals.models.TRANSITIONS`, in order, with the episode
they imply.

The import is **one transaction** under the alliance's lock (``alliance_lock``): the checked
lines are written in batches of :data:`BATCH` customers with each engine's bulk path
(PostgreSQL's ``COPY``, SQLite's INSERT statements of many rows), and if any line is rejected the
checking goes on to the end, so that every rejected line is reported with its number, and the
transaction is rolled back: nothing is saved. A dry run does the same and always rolls back.
A person (the same pseudonym) or a company (the same Y-tunnus) the organizer already has, in
the database or on an earlier line, is refused; that is checked against the database a batch at
a time, so memory holds one batch and never the file.

There is no audit record per row: one record names the import (the organizer, the counts, the
numbers given and the file's SHA-256), and nothing that identifies a customer.

This module writes referrals too, so it imports ``allianssi.referrals``, which itself builds on
the customers' models; in ``customers`` only its command and the import page
(``customers.jobs``, ``customers.import_views``) import it. The import page's format guide
(:data:`FIELD_HELP`) and template (:func:`template_lines`) are at the end of this module.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from array import array
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.db.models import Field, Max, Model
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fi import ytunnus

from allianssi import permissions
from allianssi.alliances.models import Alliance, MemberRole, Membership
from allianssi.alliances.services import alliance_lock
from allianssi.audit import actions
from allianssi.audit.services import audit_append
from allianssi.catalogue.models import (
    DELIVERY_PHASES,
    PartyRole,
    Service,
    ServiceParty,
    VersionStatus,
)
from allianssi.core import clock, hooks
from allianssi.core.errors import DomainError, forbidden
from allianssi.customers import services
from allianssi.customers.models import (
    Consent,
    Customer,
    CustomerKind,
    LegalBasis,
    StatutoryTask,
)
from allianssi.parties.models import Municipality, Organisation
from allianssi.referrals.models import (
    TRANSITIONS,
    EndedBy,
    Episode,
    Outcome,
    Referral,
    RejectReason,
    Side,
    State,
    Transition,
)

if TYPE_CHECKING:
    from allianssi.accounts.models import User

#: Customers written at a time (with their referrals, moves and episodes).
BATCH = 5_000
#: Errors kept for the report; the rejected lines beyond them are counted.
REPORT_LIMIT = 1_000
#: The time of day a move dated by its day alone is recorded at (Helsinki time).
MOVE_TIME = dt.time(12, 0)
#: How an imported move is recorded (``Transition.via``; no user made it in Allianssi).
VIA = "import"

CUSTOMER_FIELDS = frozenset({
    "kind", "hetu", "business_id", "name", "email", "phone", "municipality", "language",
    "jobseeker", "employees", "registered_on", "legal_basis", "statutory_task",
    "consent_purpose", "referrals"
})  # fmt: skip
REFERRAL_FIELDS = frozenset({"service", "producer", "sent_on", "transitions", "episode"})
MOVE_FIELDS = frozenset({"to", "on", "reason_code", "note"})
EPISODE_FIELDS = frozenset({"started_on", "ended_on", "outcome", "ended_by"})

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
# The choices' values, once (``TextChoices.values`` makes a new list at every call).
_STATES = frozenset(State.values)
_REJECT_REASONS = frozenset(RejectReason.values)
_OUTCOMES = frozenset(Outcome.values)
_ENDED_BY = frozenset(EndedBy.values)
_TASKS = frozenset(StatutoryTask.values)
_COPY_SPECIAL = re.compile(r"[\\\t\n\r]")


# What the import reports ----------------------------------------------------------------------


@dataclass(frozen=True)
class LineError:
    """One rejected line: its number in the file (from 1), the field as a path into its object
    (``referrals[0].transitions[1].to``; empty for the line as a whole) and why."""

    line: int
    field: str
    message: str


class ImportRejected(DomainError):
    """The file was refused as a whole; ``errors`` names the first rejected lines."""

    def __init__(self, errors: list[LineError], rejected: int, lines: int) -> None:
        self.errors = errors
        self.rejected = rejected
        self.lines = lines
        super().__init__(
            "import_rejected",
            _(
                "Nothing was imported: %(rejected)s of %(lines)s lines were rejected. Correct "
                "them and import the whole file again."
            ),
            rejected=str(rejected),
            lines=str(lines),
        )


@dataclass(frozen=True)
class ImportResult:
    """What an import wrote (or, in a dry run, would have written)."""

    dry_run: bool
    lines: int
    customers: int
    persons: int
    companies: int
    consents: int
    referrals: int
    transitions: int
    episodes: int
    #: The customer numbers given: first and last (0, 0 for none).
    numbers: tuple[int, int]
    #: The referral numbers given: first and last (0, 0 for none).
    referral_numbers: tuple[int, int]
    sha256: str
    #: Customers whose last activity is older than the organizer's retention period: the next
    #: ``customers_purge`` erases them.
    past_retention: int

    def counts(self) -> dict[str, Any]:
        return {
            "lines": self.lines,
            "customers": self.customers,
            "persons": self.persons,
            "companies": self.companies,
            "consents": self.consents,
            "referrals": self.referrals,
            "transitions": self.transitions,
            "episodes": self.episodes,
            "numbers": list(self.numbers),
            "referral_numbers": list(self.referral_numbers),
            "past_retention": self.past_retention,
        }


# The checked lines ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Move:
    from_state: str
    to_state: str
    side: str
    on: dt.date  # recorded at MOVE_TIME that day
    reason_code: str
    note: str


@dataclass(frozen=True)
class EpisodeRow:
    started_on: dt.date
    ended_on: dt.date | None
    outcome: str
    ended_by: str
    reason: str


@dataclass(frozen=True)
class ReferralRow:
    service_id: int
    version_id: int
    producer_id: int
    sent_on: dt.date
    answer_by: dt.date
    state: str
    answered_on: dt.date | None
    month: dt.date | None
    reason_code: str
    reason: str
    changed_on: dt.date
    moves: tuple[Move, ...]
    episode: EpisodeRow | None


@dataclass(frozen=True)
class CustomerRow:
    """A checked line: the customer's fields as ``customer_create`` would write them."""

    line: int
    kind: str
    legal_basis: str
    #: What the organizer may have only once: the pseudonym (a person) or the Y-tunnus.
    key: str
    fields: dict[str, Any]
    consent_purpose: str
    last_activity_on: dt.date | None
    referrals: tuple[ReferralRow, ...]


class _Rejected(Exception):
    """A line's errors: (field, message) each."""

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        self.errors = errors
        super().__init__(errors)


@dataclass(frozen=True)
class _Service:
    service_id: int
    version_id: int
    answer_days: int
    producers: frozenset[int]


@dataclass
class Lookups:
    """What every line is checked against, read once under the alliance's lock."""

    municipalities: dict[str, int]
    #: The alliance's services with a published version, by their number.
    services: dict[int, _Service]
    #: The alliance's current producers and own production units, by id and by Y-tunnus.
    producers: dict[int | str, int]
    today: dt.date

    @classmethod
    def read(cls, alliance: Alliance) -> Lookups:
        municipalities = dict(Municipality.objects.values_list("code", "pk"))
        members = Membership.objects.filter(
            alliance=alliance,
            ended_on__isnull=True,
            role__in=[MemberRole.PRODUCER, MemberRole.OWN_PRODUCTION],
        ).values_list("organisation_id", "organisation__business_id")
        producers: dict[int | str, int] = {}
        for organisation_id, business_id in members:
            producers[organisation_id] = organisation_id
            if business_id:
                producers[business_id] = organisation_id
        published = Service.objects.filter(
            alliance=alliance, current__status=VersionStatus.PUBLISHED
        ).values_list("number", "pk", "current_id", "current__answer_days")
        parties: dict[int, set[int]] = {}
        for version_id, organisation_id in ServiceParty.objects.filter(
            alliance=alliance, role=PartyRole.PRODUCER
        ).values_list("version_id", "organisation_id"):
            parties.setdefault(version_id, set()).add(organisation_id)
        offered = {
            number: _Service(pk, version_id, answer_days, frozenset(parties.get(version_id, ())))
            for number, pk, version_id, answer_days in published
        }
        return cls(municipalities, offered, producers, clock.today())


# Checking one line ----------------------------------------------------------------------------


class Problems(list[tuple[str, str]]):
    """A line's problems so far: (the field as a path into the line's object, why) each."""

    def add(self, where: str, message: str | Promise, **params: Any) -> None:
        text = str(message)
        self.append((where, text % params if params else text))


class Checker:
    """Checks lines one by one into :class:`CustomerRow`; raises :class:`_Rejected`."""

    def __init__(self, lookups: Lookups) -> None:
        self.lookups = lookups
        self._days: dict[str, dt.date] = {}
        #: The producers found, by the value as the file gives it (id or Y-tunnus as written).
        self._producers: dict[Any, int] = {}

    # The JSON types ---------------------------------------------------------------------------

    @staticmethod
    def _unknown(obj: dict[str, Any], known: frozenset[str], path: str, errors: Problems) -> None:
        for name in obj:
            if name not in known:
                errors.add(path + name, _("Unknown field %(name)s."), name=name)

    @staticmethod
    def _text(obj: dict[str, Any], name: str, path: str, errors: Problems) -> str:
        value = obj.get(name)
        if value is None:
            return ""
        if not isinstance(value, str):
            errors.add(path + name, _("Give %(name)s as text."), name=name)
            return ""
        if "\x00" in value:
            errors.add(path + name, _("The text has a NUL character."))
            return ""
        return value

    def _day(
        self, obj: dict[str, Any], name: str, path: str, errors: Problems, *, required: bool
    ) -> dt.date | None:
        """A date written ``2026-06-30``, not after today."""
        value = obj.get(name)
        if value is None:
            if required:
                errors.add(path + name, _("This field is required."))
            return None
        day = self._days.get(value) if isinstance(value, str) else None
        if day is None:
            try:
                if not isinstance(value, str) or not _DAY.fullmatch(value):
                    raise ValueError(value)
                day = self._days[value] = dt.date.fromisoformat(value)
            except ValueError:
                errors.add(path + name, _("Give %(name)s as a date: 2026-06-30."), name=name)
                return None
        if day > self.lookups.today:
            errors.add(path + name, _("The day cannot be in the future."))
        return day

    # A customer -------------------------------------------------------------------------------

    def line(self, number: int, raw: bytes) -> CustomerRow:
        try:
            obj = json.loads(raw)
        except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
            obj = None
        if not isinstance(obj, dict):
            raise _Rejected([("", str(_("The line is not a JSON object.")))])
        errors = Problems()
        self._unknown(obj, CUSTOMER_FIELDS, "", errors)
        data, municipality_id = self._customer_input(obj, errors)
        fields: dict[str, Any] = {}
        if not errors:
            # The services' own checks, in the order ``customer_create`` makes them; the
            # municipality was looked up among the codes read once.
            try:
                if not (data.legal_basis == LegalBasis.STATUTORY and data.statutory_task in _TASKS):
                    services._legal_basis(data)  # the one case it accepts, checked above quicker
                services._registered_on(data)
                fields.update(services._identity(data))
                fields.update(services._contact(replace(data, municipality="")))
                if data.legal_basis == LegalBasis.CONSENT:
                    services._text(data.consent_purpose, "consent_purpose", 300, required=True)
            except DomainError as error:
                errors.add(error.field or "", error.message)
        referrals = self._referrals(obj.get("referrals"), errors)
        if errors:
            raise _Rejected(errors)
        company = data.kind == CustomerKind.COMPANY
        statutory = data.legal_basis == LegalBasis.STATUTORY
        fields.update(
            municipality=municipality_id,
            registered_on=data.registered_on if company else None,
            statutory_task=data.statutory_task if statutory else "",
        )
        # The customer was last served on the day of their referrals' latest move (as the
        # services' ``touch`` keeps it); a customer without referrals, on the day of the import.
        last = max((referral.changed_on for referral in referrals), default=None)
        return CustomerRow(
            line=number,
            kind=data.kind,
            legal_basis=data.legal_basis,
            key=fields["business_id"] if company else fields["pseudonym"],
            fields=fields,
            consent_purpose="" if statutory else data.consent_purpose.strip(),
            last_activity_on=last,
            referrals=tuple(referrals),
        )

    def _customer_input(
        self, obj: dict[str, Any], errors: Problems
    ) -> tuple[services.CustomerInput, int | None]:
        text = self._text
        jobseeker = obj.get("jobseeker", False)
        if not isinstance(jobseeker, bool):
            errors.add("jobseeker", _("Give %(name)s as true or false."), name="jobseeker")
            jobseeker = False
        employees = obj.get("employees")
        if employees is not None and type(employees) is not int:
            errors.add("employees", _("Give %(name)s as a whole number."), name="employees")
            employees = None
        code = obj.get("municipality")
        municipality_id = None
        if code is not None and code != "":
            if isinstance(code, str):
                municipality_id = self.lookups.municipalities.get(code)
            if municipality_id is None:
                errors.add(
                    "municipality",
                    _(
                        "%(code)s is not a municipality code: give Statistics Finland's "
                        'three-digit code as text, such as "091".'
                    ),
                    code=json.dumps(code),
                )
        language = obj.get("language", "fi")
        data = services.CustomerInput(
            kind=text(obj, "kind", "", errors),
            name=text(obj, "name", "", errors),
            hetu=text(obj, "hetu", "", errors),
            business_id=text(obj, "business_id", "", errors),
            email=text(obj, "email", "", errors),
            phone=text(obj, "phone", "", errors),
            language=language if isinstance(language, str) else "?",
            jobseeker=jobseeker,
            employees=employees,
            registered_on=self._day(obj, "registered_on", "", errors, required=False),
            legal_basis=text(obj, "legal_basis", "", errors),
            statutory_task=text(obj, "statutory_task", "", errors),
            consent_purpose=text(obj, "consent_purpose", "", errors),
        )
        if data.kind == CustomerKind.PERSON and data.business_id:
            errors.add("business_id", _("A person has no business ID."))
        if data.kind == CustomerKind.COMPANY and data.hetu:
            errors.add("hetu", _("A company has no personal identity code."))
        return data, municipality_id

    # Its referrals ----------------------------------------------------------------------------

    def _referrals(self, value: Any, errors: Problems) -> list[ReferralRow]:
        if value is None:
            return []
        if not isinstance(value, list):
            errors.add("referrals", _("Give %(name)s as a list."), name="referrals")
            return []
        found = []
        for index, item in enumerate(value):
            path = f"referrals[{index}]"
            if not isinstance(item, dict):
                errors.add(path, _("Give each referral as an object."))
                continue
            referral = self._referral(item, path + ".", errors)
            if referral is not None:
                found.append(referral)
        return found

    def _service(self, item: dict[str, Any], path: str, errors: Problems) -> _Service | None:
        number = item.get("service")
        if type(number) is not int:
            errors.add(path + "service", _("Give the service by its number in the alliance."))
            return None
        service = self.lookups.services.get(number)
        if service is None:
            errors.add(
                path + "service",
                _("The alliance has no published service number %(number)s."),
                number=number,
            )
        return service

    def _producer(
        self, item: dict[str, Any], service: _Service | None, path: str, errors: Problems
    ) -> int | None:
        """The producer by its id or Y-tunnus: a current member, and the service's producer."""
        value = item.get("producer")
        producer = self._producers.get(value) if type(value) in (int, str) else None
        if producer is None:
            if type(value) is int:
                producer = self.lookups.producers.get(value)
            elif isinstance(value, str):
                try:
                    producer = self.lookups.producers.get(ytunnus.format(ytunnus.validate(value)))
                except StdnumError:
                    errors.add(
                        path + "producer",
                        _(
                            "Check the business ID (Y-tunnus): seven digits, a hyphen and a "
                            "check digit."
                        ),
                    )
                    return None
            else:
                errors.add(
                    path + "producer",
                    _("Give the producer by its Y-tunnus or its id in Allianssi."),
                )
                return None
            if producer is not None:
                self._producers[value] = producer
        if producer is None or (service is not None and producer not in service.producers):
            errors.add(
                path + "producer",
                _("%(producer)s is not a producer of that service in the alliance now."),
                producer=value,
            )
            return None
        return producer

    def _referral(self, item: dict[str, Any], path: str, errors: Problems) -> ReferralRow | None:
        """A referral: sent on ``sent_on``, then moved as ``transitions`` say, in order."""
        before = len(errors)
        self._unknown(item, REFERRAL_FIELDS, path, errors)
        service = self._service(item, path, errors)
        producer = self._producer(item, service, path, errors)
        sent_on = self._day(item, "sent_on", path, errors, required=True)
        moves_in = item.get("transitions", [])
        if not isinstance(moves_in, list):
            errors.add(path + "transitions", _("Give %(name)s as a list."), name="transitions")
        episode_in = item.get("episode")
        if episode_in is not None and not isinstance(episode_in, dict):
            errors.add(path + "episode", _("Give the episode as an object."))
        if len(errors) > before or service is None or producer is None or sent_on is None:
            return None
        # The first two moves are the import's own, as the services make them: created as a
        # draft and sent, both on ``sent_on``.
        moves = [
            Move("", State.DRAFT, Side.SENDER, sent_on, "", ""),
            Move(State.DRAFT, State.SENT, Side.SENDER, sent_on, "", ""),
        ]
        state: str = State.SENT
        last = sent_on
        answered_on = month = None
        reason_code = reason = ""
        dated: dict[str, dt.date] = {}
        for index, move_in in enumerate(moves_in):
            here = f"{path}transitions[{index}]"
            if not isinstance(move_in, dict):
                errors.add(here, _("Give each move as an object."))
                return None
            here += "."
            self._unknown(move_in, MOVE_FIELDS, here, errors)
            to = move_in.get("to")
            if to is None:
                errors.add(here + "to", _("This field is required."))
            to = to if isinstance(to, str) else json.dumps(to)
            on = self._day(move_in, "on", here, errors, required=True)
            code = self._text(move_in, "reason_code", here, errors)
            note = self._text(move_in, "note", here, errors).strip()
            if len(errors) > before or on is None:
                return None
            if (state, to) not in TRANSITIONS:
                errors.add(
                    here + "to",
                    _("The referral is %(state)s; it cannot become %(to)s."),
                    state=State(state).label.lower(),
                    to=State(to).label.lower() if to in _STATES else to,
                )
                return None
            if on < last:
                errors.add(
                    here + "on",
                    _(
                        "A move cannot be dated before the move before it or the day the "
                        "referral was sent."
                    ),
                )
                return None
            if len(note) > 2000:
                errors.add(here + "note", _("At most 2000 characters."))
            code, side = self._reason(state, to, code, note, episode_in, here, errors)
            if len(errors) > before:
                return None
            moves.append(Move(state, to, side, on, code, note))
            if to in (State.ACCEPTED, State.REJECTED):
                answered_on = on
            if to == State.ACCEPTED:
                month = on.replace(day=1)
            reason_code, reason = code or reason_code, note or reason
            dated[to] = on
            state, last = to, on
        episode = self._episode(episode_in, state, dated, reason, path + "episode", errors)
        if len(errors) > before:
            return None
        return ReferralRow(
            service_id=service.service_id,
            version_id=service.version_id,
            producer_id=producer,
            sent_on=sent_on,
            answer_by=sent_on + dt.timedelta(days=service.answer_days),
            state=state,
            answered_on=answered_on,
            month=month,
            reason_code=reason_code,
            reason=reason,
            changed_on=last,
            moves=tuple(moves),
            episode=episode,
        )

    @staticmethod
    def _reason(
        state: str,
        to: str,
        code: str,
        note: str,
        episode: dict[str, Any] | None,
        here: str,
        errors: Problems,
    ) -> tuple[str, str]:
        """The move's reason code and side as the services record them, and the reasons the
        services require: a rejection's code (and words for "other"), words for a revocation,
        for a completion not achieved and for an interruption by the producer."""
        side = next(iter(TRANSITIONS[(state, to)]))
        if to == State.REJECTED:
            if code not in _REJECT_REASONS:
                errors.add(here + "reason_code", _("Choose why the referral is rejected."))
            elif code == RejectReason.OTHER and not note:
                errors.add(here + "note", _("Say why."))
            return code, side
        if to in (State.COMPLETED, State.INTERRUPTED):
            # Recorded as the services record it: the outcome, or who ended the episode.
            name = "outcome" if to == State.COMPLETED else "ended_by"
            ending = episode.get(name, "") if episode else ""
            ending = ending if isinstance(ending, str) else ""
            if code and code != ending:
                errors.add(
                    here + "reason_code",
                    _("A move that ends the episode takes its code from the episode's %(name)s."),
                    name=name,
                )
            if to == State.INTERRUPTED:
                side = Side.CUSTOMER if ending == EndedBy.CUSTOMER else Side.RECEIVER
            if ending in (Outcome.PARTIAL, Outcome.NOT_ACHIEVED, EndedBy.PRODUCER) and not note:
                errors.add(here + "note", _("Say why."))
            return ending, side
        if code:
            errors.add(here + "reason_code", _("This move takes no reason code."))
        if to == State.REVOKED and not note:
            errors.add(here + "note", _("Say why."))
        if to == State.DECLINED:
            side = Side.CUSTOMER
        return "", side

    def _episode(
        self,
        value: dict[str, Any] | None,
        state: str,
        dated: dict[str, dt.date],
        reason: str,
        here: str,
        errors: Problems,
    ) -> EpisodeRow | None:
        """The episode the moves imply: begun on the day of the move to started, ended on the day
        of the completion or interruption, with its outcome or who ended it."""
        if value is None:
            if State.STARTED in dated:
                errors.add(here, _("A referral that has started has its episode."))
            return None
        if State.STARTED not in dated:
            errors.add(here, _("Only a referral that has started has an episode."))
            return None
        before = len(errors)
        self._unknown(value, EPISODE_FIELDS, here + ".", errors)
        started_on = self._day(value, "started_on", here + ".", errors, required=True)
        ended_on = self._day(value, "ended_on", here + ".", errors, required=False)
        outcome = self._text(value, "outcome", here + ".", errors)
        ended_by = self._text(value, "ended_by", here + ".", errors)
        if len(errors) > before or started_on is None:
            return None
        if started_on != dated[State.STARTED]:
            errors.add(
                here + ".started_on", _("The episode starts on the day of the move to started.")
            )
        ended = state in (State.COMPLETED, State.INTERRUPTED)
        if state == State.COMPLETED and outcome not in _OUTCOMES:
            errors.add(here + ".outcome", _("Choose the outcome."))
        if state == State.INTERRUPTED and ended_by not in _ENDED_BY:
            errors.add(here + ".ended_by", _("Say who ended the service."))
        if (outcome and state != State.COMPLETED) or (ended_by and state != State.INTERRUPTED):
            errors.add(
                here,
                _(
                    "A completed episode has an outcome, an interrupted one says who ended it, "
                    "and one still going has neither."
                ),
            )
        if ended and ended_on is None:
            errors.add(here + ".ended_on", _("This field is required."))
        elif ended and ended_on != dated[state]:
            errors.add(
                here + ".ended_on", _("The episode ends on the day of the move that ended it.")
            )
        elif not ended and ended_on is not None:
            errors.add(here + ".ended_on", _("An episode still going has no end day."))
        if ended_on is not None and ended_on < started_on:
            errors.add(here + ".ended_on", _("The service cannot end before it started."))
        if len(errors) > before:
            return None
        return EpisodeRow(started_on, ended_on, outcome, ended_by, reason if ended else "")


# Writing --------------------------------------------------------------------------------------


def _columns(model: type[Model], names: Sequence[str]) -> tuple[str, str]:
    """The quoted table and its quoted columns for the model's fields ``names``."""
    quote = connection.ops.quote_name
    meta = model._meta
    columns = []
    for name in names:
        found = meta.get_field(name)
        assert isinstance(found, Field)
        columns.append(quote(found.column))
    return quote(meta.db_table), ", ".join(columns)


_CUSTOMER = (
    "id", "alliance", "organizer", "number", "kind", "pseudonym", "hetu_token", "business_id",
    "employees", "registered_on", "name", "email", "phone", "municipality", "language",
    "jobseeker", "legal_basis", "statutory_task", "created_by", "created_at", "last_activity_on"
)  # fmt: skip
_CONSENT = (
    "alliance", "customer", "purpose", "given_at", "given_via", "recorded_by",
    "withdrawn_via"
)  # fmt: skip
_REFERRAL = (
    "id", "alliance", "number", "customer", "service", "version", "producer", "sender",
    "created_by", "created_at", "state", "message", "sent_at", "answer_by", "answered_at",
    "month", "reason_code", "reason", "changed_at"
)  # fmt: skip
_TRANSITION = (
    "alliance", "referral", "from_state", "to_state", "side", "actor", "via", "at", "reason_code",
    "note", "idempotency_key"
)  # fmt: skip
_EPISODE = (
    "alliance", "referral", "customer", "service", "producer", "started_on", "ended_on",
    "outcome", "ended_by", "reason"
)  # fmt: skip
#: Rows per SQLite INSERT statement (at most 21 parameters a row: far below SQLite's 32 766).
_ROWS_PER_STATEMENT = 200


class Writer:
    """Writes rows with the engine's bulk path: ``COPY`` on PostgreSQL, INSERT statements of
    many rows on SQLite. Values are ``COPY`` data or parameters, never SQL text. The rows come
    already in the engine's form (``null``, ``text``, ``day``, ``stamp``)."""

    def __init__(self) -> None:
        self.postgres = connection.vendor == "postgresql"
        self.null: Any = "\\N" if self.postgres else None
        self._stamps: dict[dt.date, Any] = {}
        self._days: dict[dt.date, Any] = {}
        self._next: dict[str, int] = {}

    def hold(self, alliance: Alliance) -> None:
        """On SQLite, take the database's write lock now (``alliance_lock`` cannot: SQLite has
        no row locks), so that the ids read next stay ours until the commit."""
        if not self.postgres:
            table, column = _columns(Alliance, ["phase"])
            with connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {table} SET {column} = {column} WHERE id = %s",  # noqa: S608
                    [alliance.pk],
                )

    def text(self, value: str) -> str:
        if self.postgres and _COPY_SPECIAL.search(value):
            return (
                value.replace("\\", "\\\\")
                .replace("\t", "\\t")
                .replace("\n", "\\n")
                .replace("\r", "\\r")
            )
        return value

    def flag(self, value: bool) -> Any:
        if self.postgres:
            return "t" if value else "f"
        return value

    def day(self, value: dt.date | None) -> Any:
        if value is None:
            return self.null
        found = self._days.get(value)
        if found is None:
            found = self._days[value] = value.isoformat()
        return found

    def moment(self, value: dt.datetime) -> Any:
        if self.postgres:
            return value.isoformat()
        return connection.ops.adapt_datetimefield_value(value)

    def stamp(self, day: dt.date | None) -> Any:
        """The moment of a move made on ``day``: :data:`MOVE_TIME` in Helsinki."""
        if day is None:
            return self.null
        found = self._stamps.get(day)
        if found is None:
            moment = dt.datetime.combine(day, MOVE_TIME, tzinfo=clock.HELSINKI)
            found = self._stamps[day] = self.moment(moment)
        return found

    def ids(self, model: type[Model], count: int) -> list[int]:
        """``count`` ids for new rows of ``model``: from its sequence on PostgreSQL; on SQLite
        after the highest ever given (the write lock is ours since :meth:`hold`)."""
        if not count:
            return []
        table = model._meta.db_table
        with connection.cursor() as cursor:
            if self.postgres:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                    [table, count],
                )
                return [row[0] for row in cursor.fetchall()]
            if table not in self._next:
                quoted = connection.ops.quote_name(table)
                cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {quoted}")  # noqa: S608
                highest = cursor.fetchone()[0]
                cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
                row = cursor.fetchone()
                self._next[table] = max(highest, row[0] if row else 0) + 1
        first = self._next[table]
        self._next[table] = first + count
        return list(range(first, first + count))

    def write(self, model: type[Model], names: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        table, columns = _columns(model, names)
        with connection.cursor() as cursor:
            if self.postgres:
                text = "".join("\t".join(map(str, row)) + "\n" for row in rows)
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    copy.write(text)
                return
            one = "(" + ", ".join(["%s"] * len(names)) + ")"
            head = f"INSERT INTO {table} ({columns}) VALUES "  # noqa: S608
            whole = len(rows) - len(rows) % _ROWS_PER_STATEMENT
            if whole:
                many = head + ", ".join([one] * _ROWS_PER_STATEMENT)
                cursor.executemany(
                    many,
                    [
                        [value for row in rows[i : i + _ROWS_PER_STATEMENT] for value in row]
                        for i in range(0, whole, _ROWS_PER_STATEMENT)
                    ],
                )
            if whole < len(rows):
                cursor.executemany(head + one, rows[whole:])


@dataclass
class _Counts:
    lines: int = 0
    customers: int = 0
    persons: int = 0
    companies: int = 0
    consents: int = 0
    referrals: int = 0
    transitions: int = 0
    episodes: int = 0
    past_retention: int = 0
    rejected: int = 0
    errors: list[LineError] = field(default_factory=list)

    def reject(self, line: int, problems: list[tuple[str, str]]) -> None:
        self.rejected += 1
        room = REPORT_LIMIT - len(self.errors)
        self.errors += [LineError(line, where, why) for where, why in problems[: max(room, 0)]]


class _Batches:
    """Writes checked lines a batch at a time, refusing the customers the organizer has."""

    def __init__(
        self,
        *,
        alliance: Alliance,
        organizer: Organisation,
        actor: User,
        writer: Writer,
        counts: _Counts,
        retention_days: int,
        now: dt.datetime,
    ) -> None:
        self.alliance = alliance
        self.organizer = organizer
        self.actor = actor
        self.writer = writer
        self.counts = counts
        self.now = now
        self.cutoff = now.date() - dt.timedelta(days=retention_days)
        self.first_number = self.next_number = (
            Customer.objects.filter(alliance=alliance).aggregate(n=Max("number"))["n"] or 0
        ) + 1
        self.first_referral = self.next_referral = (
            Referral.objects.filter(alliance=alliance).aggregate(n=Max("number"))["n"] or 0
        ) + 1
        #: The line each customer number this import gave came from (by number - first).
        self.lines = array("L")

    def _clashes(self, rows: list[CustomerRow]) -> set[int]:
        """The lines whose customer the organizer already has (the database, an earlier batch
        of this file, or an earlier line of this batch), each reported."""
        refused: set[int] = set()
        # (kind, the column it is kept by, the field of the file it comes from)
        for kind, column, written in (
            (CustomerKind.PERSON, "pseudonym", "hetu"),
            (CustomerKind.COMPANY, "business_id", "business_id"),
        ):
            mine = [row for row in rows if row.kind == kind]
            if not mine:
                continue
            known = dict(
                Customer.objects.filter(
                    alliance=self.alliance,
                    organizer=self.organizer,
                    kind=kind,
                    erased_at__isnull=True,
                    **{f"{column}__in": sorted({row.key for row in mine})},
                ).values_list(column, "number")
            )
            seen: dict[str, int] = {}
            for row in mine:
                number = known.get(row.key)
                if number is not None and number >= self.first_number:
                    message = _("The same customer is on line %(line)s.") % {
                        "line": self.lines[number - self.first_number]
                    }
                elif number is not None:
                    message = _("The organizer already has this customer: number %(number)s.") % {
                        "number": number
                    }
                elif row.key in seen:
                    message = _("The same customer is on line %(line)s.") % {"line": seen[row.key]}
                else:
                    seen[row.key] = row.line
                    continue
                refused.add(row.line)
                self.counts.reject(row.line, [(written, str(message))])
        return refused

    def write(self, rows: list[CustomerRow]) -> None:
        refused = self._clashes(rows)
        rows = [row for row in rows if row.line not in refused]
        if not rows:
            return
        w = self.writer
        null, text, day, stamp = w.null, w.text, w.day, w.stamp
        alliance_id, organizer_id, actor_id = self.alliance.pk, self.organizer.pk, self.actor.pk
        created = w.moment(self.now)
        today = self.now.date()
        customer_ids = w.ids(Customer, len(rows))
        referral_ids = iter(w.ids(Referral, sum(len(row.referrals) for row in rows)))
        customers, consents, referrals, moves, episodes = [], [], [], [], []
        counts = self.counts
        for row, customer_id in zip(rows, customer_ids, strict=True):
            f = row.fields
            self.lines.append(row.line)
            last = row.last_activity_on or today
            counts.past_retention += last < self.cutoff
            customers.append(
                (
                    customer_id,
                    alliance_id,
                    organizer_id,
                    self.next_number,
                    row.kind,
                    f["pseudonym"],
                    f["hetu_token"],
                    f["business_id"],
                    null if f["employees"] is None else f["employees"],
                    day(f["registered_on"]),
                    text(f["name"]),
                    text(f["email"]),
                    text(f["phone"]),
                    null if f["municipality"] is None else f["municipality"],
                    f["language"],
                    w.flag(f["jobseeker"]),
                    row.legal_basis,
                    f["statutory_task"],
                    actor_id,
                    created,
                    day(last),
                )
            )
            self.next_number += 1
            if row.consent_purpose:
                consents.append(
                    (
                        alliance_id,
                        customer_id,
                        text(row.consent_purpose),
                        created,
                        "staff",
                        actor_id,
                        "",
                    )
                )
            for referral in row.referrals:
                referral_id = next(referral_ids)
                referrals.append(
                    (
                        referral_id,
                        alliance_id,
                        self.next_referral,
                        customer_id,
                        referral.service_id,
                        referral.version_id,
                        referral.producer_id,
                        organizer_id,
                        actor_id,
                        stamp(referral.sent_on),
                        referral.state,
                        "",
                        stamp(referral.sent_on),
                        day(referral.answer_by),
                        stamp(referral.answered_on),
                        day(referral.month),
                        referral.reason_code,
                        text(referral.reason),
                        stamp(referral.changed_on),
                    )
                )
                self.next_referral += 1
                for move in referral.moves:
                    moves.append(
                        (
                            alliance_id,
                            referral_id,
                            move.from_state,
                            move.to_state,
                            move.side,
                            null,
                            VIA,
                            stamp(move.on),
                            move.reason_code,
                            text(move.note),
                            "",
                        )
                    )
                episode = referral.episode
                if episode is not None:
                    episodes.append(
                        (
                            alliance_id,
                            referral_id,
                            customer_id,
                            referral.service_id,
                            referral.producer_id,
                            day(episode.started_on),
                            day(episode.ended_on),
                            episode.outcome,
                            episode.ended_by,
                            text(episode.reason),
                        )
                    )
        w.write(Customer, _CUSTOMER, customers)
        w.write(Consent, _CONSENT, consents)
        w.write(Referral, _REFERRAL, referrals)
        w.write(Transition, _TRANSITION, moves)
        w.write(Episode, _EPISODE, episodes)
        counts.customers += len(customers)
        counts.persons += sum(1 for row in rows if row.kind == CustomerKind.PERSON)
        counts.companies += sum(1 for row in rows if row.kind == CustomerKind.COMPANY)
        counts.consents += len(consents)
        counts.referrals += len(referrals)
        counts.transitions += len(moves)
        counts.episodes += len(episodes)


# The import -----------------------------------------------------------------------------------


def _lines(path: Path, digest: Any) -> Iterator[tuple[int, bytes]]:
    """The file's non-blank lines with their numbers (from 1), its bytes added to ``digest``."""
    with path.open("rb") as f:
        for number, raw in enumerate(f, start=1):
            digest.update(raw)
            if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            if raw.strip():
                yield number, raw


def _organizer_check(actor: User, alliance: Alliance, organizer: Organisation) -> None:
    member = Membership.objects.filter(
        alliance=alliance,
        organisation=organizer,
        role=MemberRole.ORGANIZER,
        ended_on__isnull=True,
    ).exists()
    if not member or not permissions.can_serve_customers(
        actor, alliance, organizer_id=organizer.pk
    ):
        raise forbidden()


class _DryRun(Exception):
    pass


def customers_import(
    *,
    actor: User,
    alliance: Alliance,
    organizer: Organisation,
    path: Path,
    dry_run: bool = False,
    progress: Callable[[int, int, int], None] | None = None,
) -> ImportResult:
    """Import the organizer's customers and their referral history from a JSON Lines file:
    all of it, or with any line rejected nothing (:class:`ImportRejected`). The actor must be
    a customer advisor of the organizer. ``progress(lines, bytes read, bytes in all)`` is called
    after each batch."""
    digest = hashlib.sha256()
    total = path.stat().st_size
    result: ImportResult | None = None
    try:
        with transaction.atomic():
            alliance = alliance_lock(alliance, actor, live=True)
            _organizer_check(actor, alliance, organizer)
            writer = Writer()
            writer.hold(alliance)
            lookups = Lookups.read(alliance)
            counts = _Counts()
            batches = _Batches(
                alliance=alliance,
                organizer=organizer,
                actor=actor,
                writer=writer,
                counts=counts,
                retention_days=services.retention_days(alliance.pk, organizer.pk),
                now=clock.now(),
            )
            refers = alliance.phase in DELIVERY_PHASES
            checker = Checker(lookups)
            batch: list[CustomerRow] = []
            done = 0
            for number, raw in _lines(path, digest):
                counts.lines += 1
                done += len(raw)
                try:
                    row = checker.line(number, raw)
                    if row.referrals and not refers:
                        raise _Rejected(
                            [("referrals", str(_("The alliance is not delivering services now.")))]
                        )
                except _Rejected as rejected:
                    counts.reject(number, rejected.errors)
                    continue
                batch.append(row)
                if len(batch) >= BATCH:
                    batches.write(batch)
                    batch = []
                    if progress is not None:
                        progress(counts.lines, done, total)
            batches.write(batch)
            if progress is not None:
                progress(counts.lines, total, total)
            if counts.rejected:
                raise ImportRejected(counts.errors, counts.rejected, counts.lines)
            result = ImportResult(
                dry_run=dry_run,
                lines=counts.lines,
                customers=counts.customers,
                persons=counts.persons,
                companies=counts.companies,
                consents=counts.consents,
                referrals=counts.referrals,
                transitions=counts.transitions,
                episodes=counts.episodes,
                numbers=(batches.first_number, batches.next_number - 1)
                if counts.customers
                else (0, 0),
                referral_numbers=(batches.first_referral, batches.next_referral - 1)
                if counts.referrals
                else (0, 0),
                sha256=digest.hexdigest(),
                past_retention=counts.past_retention,
            )
            if dry_run:
                raise _DryRun
            if counts.customers:
                hooks.customers_imported(alliance.pk, *result.numbers)
            audit_append(
                actor=actor,
                alliance=alliance,
                action=actions.CUSTOMER_IMPORT,
                obj=organizer,
                after={**result.counts(), "organizer": organizer.pk, "sha256": result.sha256},
            )
    except _DryRun:
        pass
    assert result is not None
    if not dry_run:
        _refresh_statistics(result)
    return result


def _refresh_statistics(result: ImportResult) -> None:
    """After an import that grew a table by a tenth or more, let PostgreSQL's planner see its
    new size at once rather than at autovacuum's next round."""
    if connection.vendor != "postgresql":
        return
    written = {
        Customer: result.customers,
        Referral: result.referrals,
        Transition: result.transitions,
        Episode: result.episodes,
    }
    with connection.cursor() as cursor:
        for model, rows in written.items():
            table = model._meta.db_table
            cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [table])
            before = max(cursor.fetchone()[0], 0)
            if rows and rows >= before / 10:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


# The format guide and the template -------------------------------------------------------------

#: Every field the import reads, as a path into a line's object, with what it holds: the import
#: page's format guide (``core.sheets.format_guide``). Built on the field sets above, which
#: ``tests/customers/test_import_page.py`` checks it covers exactly.
FIELD_HELP: dict[str, Promise] = {
    "kind": _("“person” or “company”."),
    "hetu": _("A person's henkilötunnus, checked with its check character."),
    "business_id": _("A company's business ID (Y-tunnus), checked with its check digit."),
    "name": _("The name, at most 200 characters."),
    "email": _("E-mail address, at most 254 characters."),
    "phone": _("Telephone number, at most 40 characters."),
    "municipality": _("Statistics Finland's three-digit municipality code as text: “837”."),
    "language": _("“fi” (when left out), “sv” or “en”."),
    "jobseeker": _("true or false (when left out): registered as a job-seeker."),
    "employees": _("A company's number of employees, a whole number."),
    "registered_on": _("A company's registration date: 2019-05-14."),
    "legal_basis": _("“statutory” or “consent”."),
    "statutory_task": _("With “statutory”: “employment”, “integration” or “business”."),
    "consent_purpose": _("With “consent”: what the customer consented to."),
    "referrals": _("The customer's referrals, a list of objects; left out: none."),
    "referrals[].service": _("The service's number in the alliance; it must be published."),
    "referrals[].producer": _("The producer's business ID, or its organisation id in Allianssi."),
    "referrals[].sent_on": _("The day the referral was sent: 2026-02-02."),
    "referrals[].transitions": _("The moves after sending, in order; left out: none."),
    "referrals[].transitions[].to": _(
        "The state it moved to: accepted, rejected, expired, revoked, declined, started, "
        "completed or interrupted."
    ),
    "referrals[].transitions[].on": _("The day of the move, not before the move before it."),
    "referrals[].transitions[].reason_code": _(
        "Why a referral was rejected: not_eligible, no_capacity or other."
    ),
    "referrals[].transitions[].note": _("The reason in words, where the services require one."),
    "referrals[].episode": _("The episode of service, exactly when the moves reach started."),
    "referrals[].episode.started_on": _("The day of the move to started."),
    "referrals[].episode.ended_on": _("The day of the move to completed or interrupted."),
    "referrals[].episode.outcome": _("When completed: achieved, partial or not_achieved."),
    "referrals[].episode.ended_by": _("When interrupted: customer or producer."),
}
#: The fields every line (or every referral, move and episode given) must have.
FIELD_REQUIRED = (
    "kind",
    "name",
    "legal_basis",
    "referrals[].service",
    "referrals[].producer",
    "referrals[].sent_on",
    "referrals[].transitions[].to",
    "referrals[].transitions[].on",
    "referrals[].episode.started_on",
)


def field_paths() -> set[str]:
    """Every field the import reads, as :data:`FIELD_HELP` names them."""
    return (
        set(CUSTOMER_FIELDS)
        | {f"referrals[].{name}" for name in REFERRAL_FIELDS}
        | {f"referrals[].transitions[].{name}" for name in MOVE_FIELDS}
        | {f"referrals[].episode.{name}" for name in EPISODE_FIELDS}
    )


#: The template's person: a 900-series temporary henkilötunnus, accepted only where test codes
#: are (development, tests; ``ALLIANSSI_ALLOW_TEST_HETU``), so the example is replaced, never
#: imported by mistake in production.
TEMPLATE_HETU = "010280-952L"


def template_lines(*, alliance: Alliance) -> list[dict[str, Any]]:
    """The import's template: one customer a line, every field of :data:`FIELD_HELP` used once,
    made of the alliance's own data (a published service and one of its producers; a referral
    only if the alliance has one to send to), dated in the past weeks."""
    today = clock.today()

    def day(days_ago: int) -> str:
        return (today - dt.timedelta(days=days_ago)).isoformat()

    lookups = Lookups.read(alliance)
    person: dict[str, Any] = {
        "kind": CustomerKind.PERSON.value,
        "hetu": TEMPLATE_HETU,
        "name": "Maija Meikäläinen",
        "email": "maija.meikalainen@example.fi",
        "phone": "040 000 0000",
        "municipality": "837" if "837" in lookups.municipalities else None,
        "language": "fi",
        "jobseeker": True,
        "legal_basis": LegalBasis.STATUTORY.value,
        "statutory_task": StatutoryTask.EMPLOYMENT.value,
    }
    producers = {pk: key for key, pk in lookups.producers.items() if isinstance(key, str)}
    offered = [
        (number, service)
        for number, service in sorted(lookups.services.items())
        if service.producers
    ]
    if offered and alliance.phase in DELIVERY_PHASES:
        number, service = offered[0]
        producer_id = min(service.producers)
        person["referrals"] = [
            {
                "service": number,
                "producer": producers.get(producer_id, producer_id),
                "sent_on": day(60),
                "transitions": [
                    {"to": State.ACCEPTED.value, "on": day(58)},
                    {"to": State.STARTED.value, "on": day(50)},
                    {"to": State.COMPLETED.value, "on": day(20)},
                ],
                "episode": {
                    "started_on": day(50),
                    "ended_on": day(20),
                    "outcome": Outcome.ACHIEVED.value,
                    "ended_by": None,
                },
            },
            {
                "service": number,
                "producer": producers.get(producer_id, producer_id),
                "sent_on": day(14),
                "transitions": [
                    {
                        "to": State.REJECTED.value,
                        "on": day(12),
                        "reason_code": RejectReason.OTHER.value,
                        "note": "Asiakas muutti toiselle paikkakunnalle.",
                    }
                ],
            },
        ]
    company: dict[str, Any] = {
        "kind": CustomerKind.COMPANY.value,
        "business_id": "2617416-4",
        "name": "Esimerkki Oy",
        "employees": 4,
        "registered_on": "2019-05-14",
        "legal_basis": LegalBasis.CONSENT.value,
        "consent_purpose": "Yritysneuvonta",
    }
    return [person, company]
