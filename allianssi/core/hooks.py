"""The configuration guard: a change to an alliance's set-up is checked before it commits.

Services that change what an alliance is made of (members, roles, seats, terms, procurement,
the division of tasks) wrap their writes in :func:`configuration_change`. The compliance app
registers a guard that evaluates its rules before and after the writes and refuses a change that
would create a new blocking finding; the refusal rolls the whole transaction back. The apps that
change the configuration do not import the one that judges it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager

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
