"""Reading referrals. Every selector takes the viewing user and reads only what they may see: a
producer's staff their producer's sent referrals, a sending party's people what it sent, an
organizer's advisors the referrals of its customers. The lists read a fixed number of rows per
page whatever the number of referrals.

Which moves a user may make on a referral is read from the data of the moves
(:data:`~allianssi.referrals.models.TRANSITIONS`) and the sides the user may act for, so that a
page offers exactly the moves the services would accept.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core.paginator import Page, Paginator
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.functional import cached_property
from django.utils.translation import get_language

from allianssi import permissions
from allianssi.alliances.models import Alliance, Membership
from allianssi.audit.selectors import records_about
from allianssi.catalogue import pagecache
from allianssi.catalogue.models import (
    PartyRole,
    ServiceParty,
    ServiceVersion,
    VersionStatus,
    in_language,
)
from allianssi.core import clock, hooks, sharedcache
from allianssi.customers.models import Customer, CustomerKind
from allianssi.referrals.models import OPEN_STATES, TRANSITIONS, Referral, Side, State, Transition

if TYPE_CHECKING:
    from allianssi.permissions import AnyUser

PAGE_SIZE = 25
#: How many pages past the one asked for a list counts (:class:`LookaheadPaginator`).
LOOKAHEAD = 10
#: How long a process keeps an alliance's service names (a new edition replaces them at once).
SERVICE_NAMES_SECONDS = 60 * 60
#: A referral's own columns the queue and the outgoing list show or need.
LISTED = (
    "alliance_id",
    "number",
    "customer_id",
    "version_id",
    "producer_id",
    "sender_id",
    "state",
    "sent_at",
    "answer_by",
    "month",
    "changed_at",
)
#: The columns of a related row the lists show.
SHOWN: dict[str, tuple[str, ...]] = {
    "version": (),  # its names (name_fi, name_sv, name_en)
    "sender": ("name",),
    "producer": ("name",),
    "customer": ("number", "organizer_id"),
}

#: The state filter "every state that is still going".
OPEN = "open"
#: The state filter "every state".
ALL = "all"

#: Each move's view (action) → the states it moves a referral to.
ACTIONS: dict[str, tuple[str, ...]] = {
    "send": (State.SENT,),
    "accept": (State.ACCEPTED,),
    "reject": (State.REJECTED,),
    "start": (State.STARTED,),
    "complete": (State.COMPLETED,),
    "interrupt": (State.INTERRUPTED,),
    "revoke": (State.REVOKED,),
    # On the customer's word: declined before the service starts, interrupted by the customer
    # once it has started.
    "decline": (State.DECLINED, State.INTERRUPTED),
}
#: The side each action is made for. An interruption is the producer's; the customer's own
#: interruption is a decline.
ACTION_SIDES: dict[str, str] = {
    "send": Side.SENDER,
    "revoke": Side.SENDER,
    "accept": Side.RECEIVER,
    "reject": Side.RECEIVER,
    "start": Side.RECEIVER,
    "complete": Side.RECEIVER,
    "interrupt": Side.RECEIVER,
    "decline": Side.CUSTOMER,
}


def _organisation_id(user: AnyUser) -> int:
    return getattr(user, "organisation_id", None) or 0


def _state_filter(referrals: QuerySet[Referral], state: str) -> QuerySet[Referral]:
    if state == OPEN:
        return referrals.filter(state__in=list(OPEN_STATES))
    if state in State.values:
        return referrals.filter(state=state)
    return referrals


def _listed(
    referrals: QuerySet[Referral],
    *,
    state: str,
    service: int | None,
    overdue: bool,
    shows: tuple[str, ...],
) -> QuerySet[Referral]:
    """The referrals filtered as asked, each read with only the columns a list shows: its own
    (:data:`LISTED`), the version's names, and those of the related rows in ``shows``."""
    referrals = _state_filter(referrals, state)
    if service is not None:
        referrals = referrals.filter(service__number=service)
    if overdue:
        referrals = referrals.filter(state=State.SENT, answer_by__lt=clock.today())
    related = ("version", *shows)
    return referrals.select_related(*related).only(
        *LISTED,
        *(f"version__{name}" for name in ("name_fi", "name_sv", "name_en")),
        *(f"{relation}__{column}" for relation in related for column in SHOWN[relation]),
    )


class LookaheadPaginator(Paginator):  # type: ignore[type-arg]
    """Pages of a list counted no further than :data:`LOOKAHEAD` pages past the one asked for,
    so that a page of a long history costs the same whatever the history's length (a
    producer's whole queue can hold a hundred thousand referrals). When there are more,
    ``more`` is true and ``num_pages`` is the last page counted: the pager says "more than"."""

    def __init__(self, object_list: Any, per_page: int, *, asked: int) -> None:
        super().__init__(object_list, per_page)
        self.limit = (max(asked, 1) + LOOKAHEAD) * per_page
        self.more = False

    @cached_property
    def count(self) -> int:
        rows: QuerySet[Referral] = self.object_list  # type: ignore[assignment]
        counted = rows[: self.limit + 1].count()
        if counted > self.limit:
            self.more = True
            return self.limit
        return counted


def _page(referrals: QuerySet[Referral], page: int) -> Page[Referral]:
    return LookaheadPaginator(referrals, PAGE_SIZE, asked=page).get_page(page)


def may_work_queue(user: AnyUser, alliance: Alliance) -> bool:
    return permissions.can_receive_referrals(user, alliance, producer_id=_organisation_id(user))


def may_see_outgoing(user: AnyUser, alliance: Alliance) -> bool:
    return permissions.can_send_referral(user, alliance, sender_id=_organisation_id(user))


def queue(
    *,
    user: AnyUser,
    alliance: Alliance,
    state: str = State.SENT,
    service: int | None = None,
    overdue: bool = False,
    page: int = 1,
) -> Page[Referral]:
    """The referrals sent to the viewer's producer, the oldest sent first (never drafts)."""
    if not may_work_queue(user, alliance):
        referrals = Referral.objects.none()
    else:
        referrals = Referral.objects.filter(
            alliance=alliance, producer_id=_organisation_id(user)
        ).exclude(state=State.DRAFT)
    referrals = _listed(referrals, state=state, service=service, overdue=overdue, shows=("sender",))
    return _page(referrals.order_by("sent_at", "pk"), page)


def outgoing(
    *,
    user: AnyUser,
    alliance: Alliance,
    state: str = OPEN,
    service: int | None = None,
    overdue: bool = False,
    page: int = 1,
) -> Page[Referral]:
    """The referrals the viewer's party sent or drafted, the latest changed first."""
    if not may_see_outgoing(user, alliance):
        referrals = Referral.objects.none()
    else:
        referrals = Referral.objects.filter(alliance=alliance, sender_id=_organisation_id(user))
    referrals = _listed(
        referrals, state=state, service=service, overdue=overdue, shows=("producer", "customer")
    )
    return _page(referrals.order_by("-changed_at", "-pk"), page)


def service_choices(alliance: Alliance) -> list[tuple[str, str]]:
    """(number, name) of every service of the alliance that has a published version, by name in
    the current language (the newest published or superseded version's name)."""
    language = get_language() or "fi"
    return sorted(
        (
            (str(number), in_language(names, "name", language))
            for number, names in _service_names(alliance)
        ),
        key=lambda choice: choice[1],
    )


class _Names:
    __slots__ = ("name_en", "name_fi", "name_sv")

    def __init__(self, name_fi: str, name_sv: str, name_en: str) -> None:
        self.name_fi, self.name_sv, self.name_en = name_fi, name_sv, name_en


def _service_names(alliance: Alliance) -> list[tuple[int, _Names]]:
    """Each service's number and names, read as value lists and kept in the cache per alliance
    under the catalogue's edition (:func:`allianssi.catalogue.pagecache.edition`), which changes
    in the same transaction as a version is published or withdrawn: the queue and the outgoing
    list ask on every request, and the names change only then."""
    key = f"referrals:service-names:{alliance.pk}:{pagecache.edition()}"

    def read() -> list[tuple[int, tuple[str, str, str]]]:
        rows = (
            ServiceVersion.objects.filter(alliance=alliance)
            .filter(Q(status=VersionStatus.PUBLISHED) | Q(status=VersionStatus.SUPERSEDED))
            .order_by("service__number", "-version")
            .values_list("service__number", "name_fi", "name_sv", "name_en")
        )
        newest: dict[int, tuple[str, str, str]] = {}
        for number, *names in rows:
            newest.setdefault(number, (names[0], names[1], names[2]))
        return list(newest.items())

    kept = sharedcache.kept_or_read(key, SERVICE_NAMES_SECONDS, read)
    return [(number, _Names(*names)) for number, names in kept]


def can_view(user: AnyUser, referral: Referral) -> bool:
    return permissions.can_view_referral(
        user,
        referral.alliance,
        sender_id=referral.sender_id,
        producer_id=referral.producer_id,
        organizer_id=referral.customer.organizer_id,
        sent=referral.state != State.DRAFT,
    )


def audit_readers(user: AnyUser, alliance: Alliance) -> list[Q]:
    """The audit records about referrals that a reader of the alliance's trail may see
    (``hooks.register_audit_parties``): those of the referrals whose page the reader may open
    (:func:`can_view`, as filters of the records' parties). A producer sees a referral's records
    once it is sent, its draft's among them."""
    own = getattr(user, "organisation_id", None)
    if own is None:
        return []
    mine = []
    if permissions.can_serve_customers(user, alliance, organizer_id=own):
        mine.append(Q(organizer_party=own))
    if permissions.can_send_referral(user, alliance, sender_id=own):
        mine.append(Q(sender_party=own))
    if permissions.can_receive_referrals(user, alliance, producer_id=own):
        # The producer's drafts in any alliance (a referral's id is the same everywhere), so
        # that they are read from the queue's index (producer, state), drafts alone.
        drafts = Referral.objects.filter(producer_id=own, state=State.DRAFT)
        mine.append(Q(producer_party=own) & ~records_about(drafts))
    return mine


def audit_parties(referral: Referral) -> hooks.Parties:
    return hooks.Parties(
        organizer=referral.customer.organizer_id,
        producer=referral.producer_id,
        sender=referral.sender_id,
    )


def referral_get(*, user: AnyUser, alliance: Alliance, number: int) -> Referral:
    """The referral if the viewer may see it; otherwise 404, as for one that does not exist."""
    found = (
        Referral.objects.filter(alliance=alliance, number=number)
        .select_related(
            "alliance",
            "customer",
            "customer__municipality",
            "customer__organizer",
            "service",
            "version",
            "producer",
            "sender",
            "created_by",
            "episode",
        )
        .first()
    )
    if found is None or not can_view(user, found):
        raise Http404
    return found


def history(referral: Referral) -> list[Transition]:
    return list(
        Transition.objects.filter(referral=referral).select_related("actor").order_by("at", "pk")
    )


def sides(user: AnyUser, referral: Referral) -> frozenset[str]:
    """The sides the user may act for on the referral: the sender's, the receiving producer's,
    and the customer's (whose word either records)."""
    held: set[str] = set()
    if permissions.can_send_referral(user, referral.alliance, sender_id=referral.sender_id):
        held.add(Side.SENDER)
    if referral.state != State.DRAFT and permissions.can_receive_referrals(
        user, referral.alliance, producer_id=referral.producer_id
    ):
        held.add(Side.RECEIVER)
    if held:
        held.add(Side.CUSTOMER)
    return frozenset(held)


def may_act(user: AnyUser, referral: Referral, action: str) -> bool:
    """Whether the user may ever make this kind of move on the referral (whatever its state)."""
    return ACTION_SIDES[action] in sides(user, referral)


def available(user: AnyUser, referral: Referral) -> list[str]:
    """The moves the user may make on the referral now, in the order of :data:`ACTIONS`."""
    held = sides(user, referral)
    found = []
    for action, targets in ACTIONS.items():
        side = ACTION_SIDES[action]
        if side not in held:
            continue
        if any(side in TRANSITIONS.get((referral.state, to), frozenset()) for to in targets):
            found.append(action)
    return found


def may_refer_onward(user: AnyUser, referral: Referral) -> bool:
    """The producer's staff hold the customer (accepted or served) and may refer onward."""
    return (
        referral.customer.erased_at is None
        and referral.state in (State.ACCEPTED, State.STARTED, State.COMPLETED, State.INTERRUPTED)
        and permissions.can_refer_onward(user, referral.alliance, producer_id=referral.producer_id)
    )


def target_value(service_id: int, producer_id: int) -> str:
    """The value of one (service, producer) choice of a new referral's form."""
    return f"{service_id}:{producer_id}"


def targets(alliance: Alliance, customer: Customer) -> list[tuple[str, list[tuple[str, str]]]]:
    """Where the customer can be referred: each published service offered today that is for the
    customer's kind, with its producers that are members of the alliance (by service name, three
    queries). The service checks the rest when the referral is sent."""
    today = clock.today()
    versions = ServiceVersion.objects.filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=today),
        Q(valid_to__isnull=True) | Q(valid_to__gte=today),
        alliance=alliance,
        status=VersionStatus.PUBLISHED,
    )
    if customer.kind == CustomerKind.COMPANY:
        versions = versions.filter(for_companies=True)
    else:
        versions = versions.filter(for_persons=True)
    versions = versions.prefetch_related(
        Prefetch(
            "parties",
            queryset=ServiceParty.objects.filter(role=PartyRole.PRODUCER)
            .select_related("organisation")
            .order_by("organisation__name"),
            to_attr="producers",
        )
    )
    members = set(
        Membership.objects.filter(alliance=alliance, ended_on__isnull=True).values_list(
            "organisation_id", flat=True
        )
    )
    grouped = []
    for version in sorted(versions, key=lambda v: v.name):
        options = [
            (target_value(version.service_id, p.organisation_id), p.organisation.name)
            for p in version.producers
            if p.organisation_id in members
        ]
        if options:
            grouped.append((version.name, options))
    return grouped


def overdue(referral: Referral, today: dt.date | None = None) -> bool:
    return (
        referral.state == State.SENT
        and referral.answer_by is not None
        and referral.answer_by < (today or clock.today())
    )
