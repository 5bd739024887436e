"""Reading customers. Every selector takes the viewing user and returns only what they may see;
a customer the user may not see is not found (404), the same as one that does not exist.

The customer's **path** is every referral and episode of the person: in full for the records of
the viewer's organizer, and, for the same person's records at the alliance's other organizers
(matched by the keyed pseudonym of the henkilötunnus, or a company's business ID), only what the
alliance shares to give the customer one plan: the service, the producer, the state and the
dates. Each page reads a fixed number of rows whatever the length of the path.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from django.core.paginator import Page, Paginator
from django.db.models import Prefetch, Q
from django.http import Http404
from django.utils import timezone

from allianssi import permissions
from allianssi.alliances.models import Alliance
from allianssi.catalogue.models import Channel, in_language
from allianssi.core import hooks
from allianssi.customers.models import (
    AccessReason,
    Consent,
    Customer,
    CustomerAccess,
    CustomerKind,
    LegalBasis,
    StatutoryTask,
)
from allianssi.customers.services import retention_days
from allianssi.identification import identity
from allianssi.referrals.models import (
    EndedBy,
    Episode,
    Outcome,
    Referral,
    RejectReason,
    State,
    Transition,
)

if TYPE_CHECKING:
    from allianssi.permissions import AnyUser

PAGE_SIZE = 25
ACCESS_PAGE_SIZE = 50

#: States in which a producer's staff hold a customer and may refer them onward.
HELD_STATES = (State.ACCEPTED, State.STARTED, State.COMPLETED, State.INTERRUPTED)


def _organisation_id(user: AnyUser) -> int:
    return getattr(user, "organisation_id", None) or 0


# The customers of the viewer's organizer ------------------------------------------------------


def customer_list(
    *, user: AnyUser, alliance: Alliance, query: str = "", page: int = 1
) -> Page[Customer]:
    """A page of the viewer's organizer's customers, by name. ``query`` is a name or a part of
    it, or a customer number (which also finds a customer whose data has been erased)."""
    if not permissions.can_list_customers(user, alliance):
        return Paginator(Customer.objects.none(), PAGE_SIZE).get_page(1)
    customers = Customer.objects.filter(alliance=alliance, organizer_id=_organisation_id(user))
    query = query.strip()
    if query.isdigit():
        customers = customers.filter(number=int(query))
    else:
        customers = customers.filter(erased_at__isnull=True)
        if query:
            customers = customers.filter(name__icontains=query)
    customers = customers.select_related("municipality").order_by("name", "number")
    return Paginator(customers, PAGE_SIZE).get_page(page)


def customer_get(*, user: AnyUser, alliance: Alliance, number: int) -> Customer:
    """A customer the viewer serves: an advisor of the customer's organizer."""
    found = _customer(alliance, number)
    if found is None or not permissions.can_serve_customers(
        user, alliance, organizer_id=found.organizer_id
    ):
        raise Http404
    return found


def customer_for_access_log(*, user: AnyUser, alliance: Alliance, number: int) -> Customer:
    """A customer whose access log the viewer may review (the organizer's advisors, controller
    and leadership member)."""
    found = _customer(alliance, number)
    if found is None or not permissions.can_review_customer_access(
        user, alliance, organizer_id=found.organizer_id
    ):
        raise Http404
    return found


def customer_for_referral(*, user: AnyUser, alliance: Alliance, number: int) -> Customer:
    """A customer the viewer may refer: the organizer's advisor, or the staff of a producer
    that holds a referral of the customer (referring onward)."""
    found = _customer(alliance, number)
    if found is None:
        raise Http404
    if permissions.can_serve_customers(user, alliance, organizer_id=found.organizer_id):
        return found
    producer_id = _organisation_id(user)
    if (
        permissions.can_refer_onward(user, alliance, producer_id=producer_id)
        and Referral.objects.filter(
            customer=found, producer_id=producer_id, state__in=HELD_STATES
        ).exists()
    ):
        return found
    raise Http404


def _customer(alliance: Alliance, number: int) -> Customer | None:
    found = (
        Customer.objects.filter(alliance=alliance, number=number)
        .select_related("organizer", "municipality")
        .first()
    )
    if found is not None:
        found.alliance = alliance  # the row the caller read (and checked), not read again
    return found


def masked_identity(customer: Customer) -> str:
    """The henkilötunnus with its individual number hidden, or "" for a company or erased."""
    if customer.kind != CustomerKind.PERSON or not customer.hetu_token:
        return ""
    return identity.mask(identity.decrypt(customer.hetu_token))


def consents(customer: Customer) -> list[Consent]:
    return list(customer.consents.order_by("given_at", "pk"))


# The path ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One referral on a customer's path, with its episode of service.

    ``referral`` is set only for the viewer's own organizer's records; a step of another
    organizer's record carries only what is shared (service, producer, state, dates)."""

    service: str
    producer: str
    state: str
    state_label: str
    created_at: dt.datetime
    sent_on: dt.date | None
    answer_by: dt.date | None
    month: dt.date | None
    started_on: dt.date | None
    ended_on: dt.date | None
    referral: Referral | None = None
    outcome_label: str = ""

    @property
    def shared(self) -> bool:
        return self.referral is None


def _episode(referral: Referral) -> Episode | None:
    try:
        return referral.episode
    except Episode.DoesNotExist:
        return None


def _step(row: dict[str, Any], *, full: bool) -> Step:
    """A step from a row of :func:`_path_rows`; ``referral`` an unsaved stand-in that names the
    referral (its alliance and number, what the page links by) for the viewer's own record."""
    outcome = ""
    if full and row["episode__outcome"]:
        outcome = str(Outcome(row["episode__outcome"]).label)
    elif full and row["episode__ended_by"]:
        outcome = str(EndedBy(row["episode__ended_by"]).label)
    sent_at = row["sent_at"]
    return Step(
        service=in_language(_Names(*row["names"]), "name"),
        producer=row["producer__name"],
        state=row["state"],
        state_label=str(State(row["state"]).label),
        created_at=row["created_at"],
        # The day in Helsinki: the database gives the moment in UTC, a day earlier after midnight.
        sent_on=timezone.localdate(sent_at) if sent_at else None,
        answer_by=row["answer_by"],
        month=row["month"],
        started_on=row["episode__started_on"],
        ended_on=row["episode__ended_on"],
        referral=(
            Referral(pk=row["pk"], alliance_id=row["alliance_id"], number=row["number"])
            if full
            else None
        ),
        outcome_label=outcome,
    )


class _Names(NamedTuple):
    """A service version's names, as :func:`~allianssi.catalogue.models.in_language` reads them."""

    name_fi: str
    name_sv: str
    name_en: str


def _same_person(customer: Customer) -> Q | None:
    """The referrals of the customer's records at every organizer of the alliance (the record
    itself among them), or None if nothing identifies the person any more (erased)."""
    if customer.erased_at is not None:
        return None
    # The records are found first, by the indexes (alliance, pseudonym) and (alliance,
    # business_id), and their referrals by the referrals' index on the customer: a subquery,
    # which every engine reads in that order whatever its statistics say.
    records = Customer.objects.filter(alliance_id=customer.alliance_id, kind=customer.kind)
    if customer.kind == CustomerKind.PERSON and customer.pseudonym:
        records = records.filter(pseudonym=customer.pseudonym)
    elif customer.kind == CustomerKind.COMPANY and customer.business_id:
        records = records.filter(business_id=customer.business_id)
    else:
        return None
    return Q(customer_id__in=records.values("pk"))


#: The columns a step of the path shows or needs (:func:`_step`; the page links a referral by its
#: alliance and number), read as values: a version's long texts in three languages and whole
#: party rows cost more to read into objects than the rest of the path, and the objects
#: themselves (three joined models a step) more than the query.
PATH_COLUMNS = (
    "pk",
    "alliance_id",
    "customer_id",
    "number",
    "state",
    "created_at",
    "sent_at",
    "answer_by",
    "month",
    "producer__name",
    "episode__started_on",
    "episode__ended_on",
    "episode__outcome",
    "episode__ended_by",
)
_NAMES = ("version__name_fi", "version__name_sv", "version__name_en")


def _path_rows(match: Q) -> Iterable[dict[str, Any]]:
    """The steps' rows of the referrals ``match`` finds (by their customer records, which belong
    to one alliance: a referral is always of its customer's alliance)."""
    rows = (
        Referral.objects.filter(match)
        .order_by("created_at", "pk")
        .values_list(*PATH_COLUMNS, *_NAMES)
    )
    width = len(PATH_COLUMNS)
    for values in rows:
        row = dict(zip(PATH_COLUMNS, values[:width], strict=True))
        row["names"] = values[width:]
        yield row


def customer_path(customer: Customer) -> list[Step]:
    """Every referral of the customer's record in full (drafts included), and the shared steps
    of the same person's records at the alliance's other organizers (one query), in the order
    they were made (the record's own first where two were made at the same moment)."""
    own = Q(customer=customer)
    same = _same_person(customer)  # the record itself among them: read through that index
    match = own if same is None else same & (own | ~Q(state=State.DRAFT))
    steps = [_step(r, full=r["customer_id"] == customer.pk) for r in _path_rows(match)]
    return sorted(steps, key=lambda s: (s.created_at, s.shared))


def shared_path(customer: Customer) -> list[Step]:
    """What every party that serves the customer sees of the customer's path: each sent
    referral of the person's records in the alliance, with only its service, producer, state and
    dates (one query)."""
    match = (_same_person(customer) or Q(customer=customer)) & ~Q(state=State.DRAFT)
    return [_step(r, full=False) for r in _path_rows(match)]


# The audit trail --------------------------------------------------------------------------------


def _advised_organizer(user: AnyUser, alliance: Alliance) -> int | None:
    """The user's organisation, if the user is one of its customer advisors in ``alliance``."""
    own = getattr(user, "organisation_id", None)
    if own is None or not permissions.can_serve_customers(user, alliance, organizer_id=own):
        return None
    return int(own)


def audit_readers(user: AnyUser, alliance: Alliance) -> list[Q]:
    """The audit records about customers and their consents that a reader of the alliance's
    trail may see (``hooks.register_audit_parties``): those of the customers whose page the
    reader may open (the advisors of the customer's organizer)."""
    own = _advised_organizer(user, alliance)
    return [] if own is None else [Q(organizer_party=own)]


def audit_parties_of_customer(customer: Customer) -> hooks.Parties:
    return hooks.Parties(organizer=customer.organizer_id)


def audit_parties_of_consent(consent: Consent) -> hooks.Parties:
    return hooks.Parties(organizer=consent.customer.organizer_id)


# The access log ---------------------------------------------------------------------------------


def accesses(*, customer: Customer, page: int = 1) -> Page[CustomerAccess]:
    """Who read the customer's record, when and why, the newest first."""
    rows = CustomerAccess.objects.filter(customer=customer).select_related("user", "organisation")
    return Paginator(rows.order_by("-at", "-pk"), ACCESS_PAGE_SIZE).get_page(page)


def organizer_accesses(
    *, user: AnyUser, alliance: Alliance, limit: int = 50
) -> list[CustomerAccess]:
    """The latest reads of the viewer's organizer's customers' records (by their numbers)."""
    organizer_id = _organisation_id(user)
    if not permissions.can_review_customer_access(user, alliance, organizer_id=organizer_id):
        return []
    return list(
        CustomerAccess.objects.filter(
            customer__alliance=alliance, customer__organizer_id=organizer_id
        )
        .select_related("user", "organisation", "customer")
        .order_by("-at", "-pk")[:limit]
    )


# The data a customer has the right to see (GDPR Art. 15) ----------------------------------------


@dataclass(frozen=True)
class ConsentData:
    purpose: str
    given_at: dt.datetime
    given_via: str
    withdrawn_at: dt.datetime | None
    withdrawn_via: str


@dataclass(frozen=True)
class MoveData:
    at: dt.datetime
    from_state: str
    to_state: str
    to_state_label: str
    note: str


@dataclass(frozen=True)
class ReferralData:
    number: int
    service: str
    producer: str
    sent_by: str
    state: str
    state_label: str
    created_at: dt.datetime
    sent_at: dt.datetime | None
    answer_by: dt.date | None
    month: dt.date | None
    message: str
    reason_code: str
    reason_label: str
    reason: str
    started_on: dt.date | None
    ended_on: dt.date | None
    outcome: str
    ended_by: str
    moves: list[MoveData] = field(default_factory=list)


@dataclass(frozen=True)
class AccessData:
    at: dt.datetime
    organisation: str
    reason: str
    reason_label: str


@dataclass(frozen=True)
class CustomerData:
    """Everything kept of one customer record, in the words of the reader's language."""

    alliance: str
    controller: str
    number: int
    kind: str
    kind_label: str
    name: str
    identity_code: str
    business_id: str
    email: str
    phone: str
    municipality: str
    language: str
    jobseeker: bool
    employees: int | None
    registered_on: dt.date | None
    legal_basis: str
    legal_basis_label: str
    statutory_task: str
    created_at: dt.datetime
    last_served_on: dt.date
    retention_days: int
    erased_at: dt.datetime | None
    recipients: list[str]
    consents: list[ConsentData]
    referrals: list[ReferralData]
    reads: list[AccessData]

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def _reason_label(referral: Referral) -> str:
    code = referral.reason_code
    for choices in (RejectReason, Outcome, EndedBy):
        if code in choices.values:
            return str(choices(code).label)
    return ""


def customer_data(customer: Customer, *, full_identity: bool = False) -> CustomerData:
    """The customer's record as the customer has the right to get it, in a fixed number of
    queries: the henkilötunnus masked (in full only for the person themselves, signed in)."""
    referrals = list(
        Referral.objects.filter(customer=customer)
        .select_related("version", "producer", "sender", "episode")
        .prefetch_related(Prefetch("transitions", queryset=Transition.objects.order_by("at", "pk")))
        .order_by("created_at", "pk")
    )
    reads = (
        CustomerAccess.objects.filter(customer=customer)
        .select_related("organisation")
        .order_by("-at", "-pk")
    )
    code = ""
    if customer.kind == CustomerKind.PERSON and customer.hetu_token:
        number = identity.decrypt(customer.hetu_token)
        code = number if full_identity else identity.mask(number)
    referral_rows = []
    for r in referrals:
        episode = _episode(r)
        referral_rows.append(
            ReferralData(
                number=r.number,
                service=r.version.name,
                producer=r.producer.name,
                sent_by=r.sender.name,
                state=r.state,
                state_label=str(State(r.state).label),
                created_at=r.created_at,
                sent_at=r.sent_at,
                answer_by=r.answer_by,
                month=r.month,
                message=r.message,
                reason_code=r.reason_code,
                reason_label=_reason_label(r),
                reason=r.reason,
                started_on=episode.started_on if episode else None,
                ended_on=episode.ended_on if episode else None,
                outcome=episode.outcome if episode else "",
                ended_by=episode.ended_by if episode else "",
                moves=[
                    MoveData(
                        at=t.at,
                        from_state=t.from_state,
                        to_state=t.to_state,
                        to_state_label=str(State(t.to_state).label),
                        note=t.note,
                    )
                    for t in r.transitions.all()
                ],
            )
        )
    return CustomerData(
        alliance=customer.alliance.name,
        controller=customer.organizer.name,
        number=customer.number,
        kind=customer.kind,
        kind_label=str(CustomerKind(customer.kind).label),
        name=customer.name,
        identity_code=code,
        business_id=customer.business_id,
        email=customer.email,
        phone=customer.phone,
        municipality=customer.municipality.name if customer.municipality else "",
        language=customer.language,
        jobseeker=customer.jobseeker,
        employees=customer.employees,
        registered_on=customer.registered_on,
        legal_basis=customer.legal_basis,
        legal_basis_label=str(LegalBasis(customer.legal_basis).label),
        statutory_task=str(StatutoryTask(customer.statutory_task).label)
        if customer.statutory_task
        else "",
        created_at=customer.created_at,
        last_served_on=customer.last_activity_on,
        retention_days=retention_days(customer.alliance_id, customer.organizer_id),
        erased_at=customer.erased_at,
        recipients=sorted({r.producer.name for r in referrals if r.state != State.DRAFT}),
        consents=[
            ConsentData(
                purpose=c.purpose,
                given_at=c.given_at,
                given_via=c.given_via,
                withdrawn_at=c.withdrawn_at,
                withdrawn_via=c.withdrawn_via,
            )
            for c in customer.consents.order_by("given_at", "pk")
        ],
        referrals=referral_rows,
        reads=[
            AccessData(
                at=a.at,
                organisation=a.organisation.name if a.organisation else "",
                reason=a.reason,
                reason_label=str(AccessReason(a.reason).label),
            )
            for a in reads
        ],
    )


# The person's own view --------------------------------------------------------------------------


def person_customers(*, pseudonym: str) -> list[Customer]:
    """Every record of the signed-in person, at every organizer of every alliance (not those
    erased: nothing identifies them any more)."""
    if not pseudonym:
        return []
    return list(
        Customer.objects.filter(
            kind=CustomerKind.PERSON, pseudonym=pseudonym, erased_at__isnull=True
        )
        .select_related("alliance", "organizer", "municipality")
        .prefetch_related(Prefetch("consents", queryset=Consent.objects.order_by("given_at", "pk")))
        .order_by("alliance__name", "organizer__name", "pk")
    )


def person_referrals(customers: Iterable[Customer]) -> list[Referral]:
    """The sent referrals of the person's records, each with its service's ways to reach it
    (two queries whatever their number). Drafts are the advisor's work in progress."""
    ids = [c.pk for c in customers]
    if not ids:
        return []
    return list(
        Referral.objects.filter(customer_id__in=ids)
        .exclude(state=State.DRAFT)
        .select_related("version", "producer", "sender", "episode", "customer")
        .prefetch_related(
            Prefetch(
                "version__channels",
                queryset=Channel.objects.select_related("municipality").order_by("position"),
            )
        )
        .order_by("-created_at", "-pk")
    )


def person_referral(*, pseudonym: str, pk: int) -> Referral:
    """One of the signed-in person's referrals, or 404 (another person's is not found)."""
    found = (
        Referral.objects.filter(
            pk=pk,
            customer__kind=CustomerKind.PERSON,
            customer__pseudonym=pseudonym,
            customer__erased_at__isnull=True,
        )
        .exclude(state=State.DRAFT)
        .first()
        if pseudonym
        else None
    )
    if found is None:
        raise Http404
    return found


def person_consent(*, pseudonym: str, pk: int) -> Consent:
    found = (
        Consent.objects.filter(
            pk=pk,
            customer__kind=CustomerKind.PERSON,
            customer__pseudonym=pseudonym,
            customer__erased_at__isnull=True,
        )
        .select_related("customer__alliance")
        .first()
        if pseudonym
        else None
    )
    if found is None:
        raise Http404
    return found
