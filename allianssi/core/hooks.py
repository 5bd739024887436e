"""The configuration guard: a change to an alliance's set-up is checked before it commits.

Services that change what an alliance is made of (members, roles, seats, terms, procurement,
the division of tasks) wrap their writes in :func:`configuration_change`. The compliance app
registers a guard that evaluates its rules before and after the writes and refuses a change that
would create a new blocking finding; the refusal rolls the whole transaction back. The apps that
change the configuration do not import the one that judges it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from typing import Any, NamedTuple

from django.db.models import Q

Guard = Callable[[int], AbstractContextManager[None]]

_GUARDS: list[Guard] = []


def register_configuration_guard(guard: Guard) -> None:
    if guard not in _GUARDS:
        _GUARDS.append(guard)


@contextmanager
def configuration_change(alliance_id: int) -> Iterator[None]:
    """Run the writes inside every registered guard of the alliance ``alliance_id``."""
    with ExitStack() as stack:
        for guard in _GUARDS:
            stack.enter_context(guard(alliance_id))
        yield


#: Called inside the transaction that ends a membership, after the membership row is saved:
#: ``(actor, alliance_id, organisation_id)``. Apps whose rows point at members (the service
#: catalogue) let go of a party that has left; the apps that end memberships do not import them.
MembershipEnded = Callable[[object, int, int], None]

_MEMBERSHIP_ENDED: list[MembershipEnded] = []


def register_membership_ended(callback: MembershipEnded) -> None:
    if callback not in _MEMBERSHIP_ENDED:
        _MEMBERSHIP_ENDED.append(callback)


def membership_ended(actor: object, alliance_id: int, organisation_id: int) -> None:
    for callback in _MEMBERSHIP_ENDED:
        callback(actor, alliance_id, organisation_id)


#: Called inside the transaction that ends an episode of service, after it is saved, with the
#: episode. The outcomes app keeps its follow-up of the episode; referrals do not import it.
EpisodeEnded = Callable[[object], None]

_EPISODE_ENDED: list[EpisodeEnded] = []


def register_episode_ended(callback: EpisodeEnded) -> None:
    if callback not in _EPISODE_ENDED:
        _EPISODE_ENDED.append(callback)


def episode_ended(episode: object) -> None:
    for callback in _EPISODE_ENDED:
        callback(episode)


#: Called inside the transaction of an import of an organizer's customers, after they and their
#: referral history are written, with the alliance and the first and last customer number the
#: import gave. The outcomes app adds the ended episodes to the KPIs' cohort.
CustomersImported = Callable[[int, int, int], None]

_CUSTOMERS_IMPORTED: list[CustomersImported] = []


def register_customers_imported(callback: CustomersImported) -> None:
    if callback not in _CUSTOMERS_IMPORTED:
        _CUSTOMERS_IMPORTED.append(callback)


def customers_imported(alliance_id: int, first_number: int, last_number: int) -> None:
    for callback in _CUSTOMERS_IMPORTED:
        callback(alliance_id, first_number, last_number)


#: Called inside the transaction that erases a customer's personal data (on request or when the
#: retention period has run out), with the customer's id. Apps that keep personal data of
#: customers (the outcomes' evidence and earnings) erase theirs; customers do not import them.
CustomerErased = Callable[[int], None]

_CUSTOMER_ERASED: list[CustomerErased] = []


def register_customer_erased(callback: CustomerErased) -> None:
    if callback not in _CUSTOMER_ERASED:
        _CUSTOMER_ERASED.append(callback)


def customer_erased(customer_id: int) -> None:
    for callback in _CUSTOMER_ERASED:
        callback(customer_id)


#: Who may register a party is decided by their roles in alliances, a layer above the parties
#: app: the alliances app registers the rule of ``allianssi.permissions`` from its ``ready()``.
#: With no rule registered nobody may (the check fails closed).
PartyRegistrar = Callable[[Any], bool]

_PARTY_REGISTRARS: list[PartyRegistrar] = []


def register_party_registrar(rule: PartyRegistrar) -> None:
    if rule not in _PARTY_REGISTRARS:
        _PARTY_REGISTRARS.append(rule)


def may_register_parties(user: object) -> bool:
    return bool(_PARTY_REGISTRARS) and all(rule(user) for rule in _PARTY_REGISTRARS)


#: The label of a coded value, in the active language, or ``None`` for a value the code's owner
#: does not know. Apps register their codes by name (governance: ``"proposal_status"``) so that
#: the notifications app, below them, shows a code sent in a notification without importing them.
Label = Callable[[str], str | None]

_LABELS: dict[str, Label] = {}


def register_label(name: str, label: Label) -> None:
    _LABELS[name] = label


def label(name: str, value: str) -> str | None:
    found = _LABELS.get(name)
    return None if found is None else found(value)


#: The outcome events of a customer that a user may see, for the customer's page: ``(user,
#: customer)`` → events. The outcomes app, above customers, registers its selector; without one
#: the page lists none.
CustomerOutcomes = Callable[[Any, Any], Iterable[object]]

_CUSTOMER_OUTCOMES: list[CustomerOutcomes] = []


def register_customer_outcomes(events: CustomerOutcomes) -> None:
    _CUSTOMER_OUTCOMES[:] = [events]


def customer_outcomes(user: object, customer: object) -> Iterable[object]:
    return _CUSTOMER_OUTCOMES[0](user, customer) if _CUSTOMER_OUTCOMES else ()


#: Which of an alliance's audit records a reader may see (ADR 0040, ADR 0041). Two kinds of
#: object have records that not every reader of the trail may see:
#:
#: - **Records about a customer's data** (a customer, a consent, a referral, an outcome event):
#:   the app that owns the object type registers, with :func:`register_audit_parties`, the
#:   parties an object concerns (``obj`` → :class:`Parties`, kept on each record as it is
#:   appended) and its readers' rule: ``(user, alliance)`` → the filters of the records the user
#:   may see, each by one party column (``Q(organizer_party=…)``), so that each is read from
#:   that column's index, newest first.
#: - **A whole app's records** (``"procurement."``): :func:`register_audit_scope` with
#:   ``(user, alliance)`` → :data:`EVERYTHING` or :data:`NOTHING`.
#:
#: Every other record is seen by everyone who may read the alliance's trail. The audit page
#: and the home page's count of changes ask :func:`audit_branches`; the audit app, below the
#: apps, imports none of them.


class Parties(NamedTuple):
    """The parties a record about a customer's data concerns (their organisations' ids): the
    customer's organizer, and where there is one the producer and the sender."""

    organizer: int
    producer: int | None = None
    sender: int | None = None


AuditParties = Callable[[Any], Parties]
AuditReaders = Callable[[Any, Any], list[Q]]
AuditScope = Callable[[Any, Any], Q]

_AUDIT_PARTIES: dict[str, tuple[AuditParties, AuditReaders]] = {}
_AUDIT_SCOPES: dict[str, AuditScope] = {}


def register_audit_parties(kind: str, parties: AuditParties, readers: AuditReaders) -> None:
    _AUDIT_PARTIES[kind] = (parties, readers)


def register_audit_scope(kind: str, scope: AuditScope) -> None:
    _AUDIT_SCOPES[kind] = scope


def audit_parties(kind: str, obj: object) -> Parties | None:
    """The parties of a record about ``obj`` (of the object type ``kind``), or ``None`` when
    the records of its kind are open to every reader."""
    registered = _AUDIT_PARTIES.get(kind)
    return registered[0](obj) if registered else None


def audit_branches(user: object, alliance: object) -> list[Q]:
    """The audit records of ``alliance`` that ``user`` may see, as filters whose union is what
    the user sees, each read from one index: first the records about no customer's data (less
    any app whose scope hides it), then for each kind of customer data each of the reader's
    filters. Two filters may match the same record (a referral the reader's organizer both
    serves and sent): a reader of the branches merges them."""
    open_records = Q(organizer_party__isnull=True)
    for kind, scope in _AUDIT_SCOPES.items():
        seen = scope(user, alliance)
        if not seen:  # Q(): every record of the kind (``~kind | Q()`` would be ``~kind``)
            continue
        of_kind = Q(object_type__startswith=kind) if kind.endswith(".") else Q(object_type=kind)
        open_records &= ~of_kind | seen
    branches = [open_records]
    for kind, (_parties, readers) in _AUDIT_PARTIES.items():
        branches.extend(Q(object_type=kind) & branch for branch in readers(user, alliance))
    return branches


def audit_visible(user: object, alliance: object) -> Q:
    """The same as :func:`audit_branches`, as one filter."""
    visible = NOTHING
    for branch in audit_branches(user, alliance):
        visible |= branch
    return visible


#: Whether a reader may follow a listed record's link to its object's page, where the record is
#: open to every reader but the page is not (an import's progress page: its importer and the
#: project office): ``(user, alliance)`` → a test of the record. Registered by object type.
AuditLink = Callable[[Any, Any], Callable[[Any], bool]]

_AUDIT_LINKS: dict[str, AuditLink] = {}


def register_audit_link(kind: str, rule: AuditLink) -> None:
    _AUDIT_LINKS[kind] = rule


def audit_linkable(user: object, alliance: object) -> Callable[[Any], bool]:
    """A test of an audit record: may ``user`` follow its link (kinds without a rule: yes)."""
    rules = {kind: rule(user, alliance) for kind, rule in _AUDIT_LINKS.items()}

    def linkable(record: Any) -> bool:
        rule = rules.get(record.object_type)
        return rule is None or rule(record)

    return linkable


#: The scope that lets every record of its kind through, and the one that lets none.
EVERYTHING = Q()
NOTHING = Q(pk__in=[])
