"""Reading a person's home page: the work waiting for them and their party at a glance.

Pure reads, scoped to the alliances the viewer holds a role in (``permissions``), and within each
alliance to what the viewer may act on or read. Every list is read across all of the viewer's
alliances in one query, so the number of queries grows with the number of alliances the viewer
is in (each asks its roles once, and the glance reads each alliance's settlement projection),
never with the number of proposals, meetings, imports, invoices or referrals.

Money is never computed here: the amounts come from the settlement's projection (the pure
calculator, through ``settlement.selectors.overview``) and the open books' selectors, and are
only read out of their documents.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.urls import reverse

from allianssi import permissions
from allianssi.alliances.models import Alliance, MemberRole, Membership, Role
from allianssi.audit.models import AuditRecord
from allianssi.catalogue.models import PartyRole, ServiceVersion, VersionStatus
from allianssi.compliance.selectors import compliance_view
from allianssi.core import clock, hooks
from allianssi.governance.models import (
    Attendance,
    Idea,
    IdeaStatus,
    Meeting,
    MinutesStatus,
    MinutesVersion,
    Proposal,
    ProposalStatus,
    Seat,
    Vote,
)
from allianssi.notifications.models import Notification
from allianssi.notifications.selectors import notifications_of
from allianssi.openbook import selectors as openbook
from allianssi.openbook.models import ImportJob, ImportStatus
from allianssi.referrals.models import Referral, State
from allianssi.settlement import selectors as settlement
from allianssi.settlement.models import Invoice, Settlement, SettlementStatus

if TYPE_CHECKING:
    from allianssi.permissions import AnyUser

#: Failed imports older than this are no longer waiting for anyone.
IMPORT_AGE = dt.timedelta(days=30)
#: At most this many of the newest notifications are listed as new.
NEW_NOTIFICATIONS = 20


@dataclass(frozen=True)
class Scope:
    """The viewer's alliances (by id, name order) with the roles that count in each, and the
    viewer's organisation."""

    alliances: dict[int, Alliance]
    roles: dict[int, frozenset[str]]
    organisation_id: int | None

    def having(self, role: str) -> list[int]:
        return [pk for pk, roles in self.roles.items() if role in roles]


def scope_of(user: AnyUser) -> Scope:
    alliances = {a.pk: a for a in permissions.alliances_visible_to(user).order_by("name", "pk")}
    return Scope(
        alliances=alliances,
        roles={pk: permissions.roles_in(user, a) for pk, a in alliances.items()},
        organisation_id=getattr(user, "organisation_id", None),
    )


# My work ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkItem:
    """One thing waiting for the viewer, and the page where it is done. ``kind`` names the
    sentence the page shows; ``due`` is a deadline or an answer-by date, if there is one."""

    kind: str
    alliance: Alliance
    url: str
    title: str = ""
    number: int | str = ""
    due: dt.datetime | dt.date | None = None
    count: int = 1
    overdue: int = 0


@dataclass
class MyWork:
    votes: list[WorkItem] = field(default_factory=list)
    minutes: list[WorkItem] = field(default_factory=list)
    reviews: list[WorkItem] = field(default_factory=list)
    imports: list[WorkItem] = field(default_factory=list)
    approvals: list[WorkItem] = field(default_factory=list)
    referrals: list[WorkItem] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (
            self.votes
            or self.minutes
            or self.reviews
            or self.imports
            or self.approvals
            or self.referrals
        )


def my_work(*, user: AnyUser, scope: Scope | None = None) -> MyWork:
    """Everything waiting for the viewer across their alliances."""
    scope = scope or scope_of(user)
    memberships = _memberships(scope)
    return MyWork(
        votes=_votes(user, scope),
        minutes=_minutes(user, scope),
        reviews=[
            *_proposal_drafts(user, scope),
            *_service_reviews(user, scope),
            *_settlement_drafts(user, scope),
            *_ideas(user, scope),
        ],
        imports=_failed_imports(user, scope),
        approvals=_settlement_approvals(user, scope, memberships),
        referrals=_referrals(user, scope),
    )


def _memberships(scope: Scope) -> dict[int, str]:
    """The membership role of the viewer's organisation in each of the viewer's alliances."""
    if scope.organisation_id is None or not scope.alliances:
        return {}
    return dict(
        Membership.objects.filter(
            organisation_id=scope.organisation_id,
            alliance_id__in=list(scope.alliances),
            ended_on__isnull=True,
        ).values_list("alliance_id", "role")
    )


def _votes(user: AnyUser, scope: Scope) -> list[WorkItem]:
    """Open proposals that a seat the viewer may vote for has not voted on yet (directly, or
    through a seat that delegated its vote to the viewer's)."""
    ids = scope.having(Role.LEADERSHIP)
    if not ids:
        return []
    seats = {
        (s.alliance_id, s.organisation_id): s
        for s in Seat.objects.filter(alliance_id__in=ids).filter(
            Q(representative_id=user.pk) | Q(deputy_id=user.pk)
        )
    }
    if not seats:
        return []
    now = clock.now()
    proposals = (
        Proposal.objects.filter(
            alliance_id__in={a for a, _ in seats}, status=ProposalStatus.OPEN, deadline__gt=now
        )
        .prefetch_related("electors", "votes")
        .order_by("deadline", "pk")
    )
    items = []
    for proposal in proposals:
        alliance = scope.alliances[proposal.alliance_id]
        votes: list[Vote] = list(proposal.votes.all())
        cast = {(v.organisation_id, v.cast_by_id) for v in votes}
        voted = {v.organisation_id for v in votes}
        for elector in proposal.electors.all():
            acting = elector.delegated_to_id or elector.organisation_id
            seat = seats.get((proposal.alliance_id, acting))
            if seat is None or elector.organisation_id in voted:
                continue
            capacity = permissions.vote_capacity(
                user,
                alliance,
                representative_id=seat.representative_id,
                deputy_id=seat.deputy_id,
                representative_has_voted=(acting, seat.representative_id) in cast,
            )
            if capacity is not None:
                items.append(
                    WorkItem(
                        kind="vote",
                        alliance=alliance,
                        url=reverse("governance:proposal", args=[alliance.pk, proposal.number]),
                        title=proposal.title,
                        number=proposal.number,
                        due=proposal.deadline,
                    )
                )
                break
    return items


def _minutes(user: AnyUser, scope: Scope) -> list[WorkItem]:
    """Meetings whose newest minutes are still a draft: to correct, for those who attended for
    a seat; to approve, for the project office."""
    managed = scope.having(Role.MANAGER)
    seated = scope.having(Role.LEADERSHIP)
    if not managed and not seated:
        return []
    latest = MinutesVersion.objects.filter(meeting=OuterRef("pk")).order_by("-version")
    meetings = (
        Meeting.objects.filter(alliance_id__in=[*managed, *seated])
        .annotate(
            latest_status=Subquery(latest.values("status")[:1]),
            attended=Exists(Attendance.objects.filter(meeting=OuterRef("pk"), person_id=user.pk)),
        )
        .filter(latest_status=MinutesStatus.DRAFT)
        .filter(Q(alliance_id__in=managed) | Q(attended=True))
        .order_by("starts_at", "pk")
    )
    items = []
    for meeting in meetings:
        alliance = scope.alliances[meeting.alliance_id]
        if permissions.can_manage_meetings(user, alliance):
            kind = "minutes_approve"
        elif permissions.can_write_minutes(user, alliance, attended=meeting.attended):
            kind = "minutes_correct"
        else:
            continue
        items.append(
            WorkItem(
                kind=kind,
                alliance=alliance,
                url=reverse("governance:meeting", args=[alliance.pk, meeting.number]),
                title=meeting.title,
                number=meeting.number,
                due=meeting.starts_at,
            )
        )
    return items


def _proposal_drafts(user: AnyUser, scope: Scope) -> list[WorkItem]:
    """Draft proposals the viewer may put to the vote (the project office)."""
    ids = [pk for pk, a in scope.alliances.items() if permissions.can_open_vote(user, a)]
    return [
        WorkItem(
            kind="proposal_draft",
            alliance=scope.alliances[p.alliance_id],
            url=reverse("governance:proposal", args=[p.alliance_id, p.number]),
            title=p.title,
            number=p.number,
            due=p.created_at,
        )
        for p in Proposal.objects.filter(alliance_id__in=ids, status=ProposalStatus.DRAFT).order_by(
            "created_at", "pk"
        )
    ]


def _service_reviews(user: AnyUser, scope: Scope) -> list[WorkItem]:
    """Service versions waiting for review that the viewer may publish or return: every one for
    the project office, those of the viewer's organizer for its controller or leadership
    member."""
    every = [pk for pk in scope.alliances if Role.MANAGER in scope.roles[pk]]
    own = scope.organisation_id
    ours = (
        [
            pk
            for pk, a in scope.alliances.items()
            if pk not in every and permissions.can_review_service(user, a, responsible_ids={own})
        ]
        if own is not None
        else []
    )
    if not every and not ours:
        return []
    versions = (
        ServiceVersion.objects.filter(status=VersionStatus.IN_REVIEW)
        .filter(
            Q(alliance_id__in=every)
            | Q(
                alliance_id__in=ours,
                parties__organisation_id=own,
                parties__role=PartyRole.RESPONSIBLE,
            )
        )
        .select_related("service")
        .distinct()
        .order_by("pk")
    )
    return [
        WorkItem(
            kind="service_review",
            alliance=scope.alliances[v.alliance_id],
            url=reverse("catalogue:service", args=[v.alliance_id, v.service.number]),
            title=v.name,
            number=v.service.number,
        )
        for v in versions
    ]


def _settlement_drafts(user: AnyUser, scope: Scope) -> list[WorkItem]:
    """Settlements computed as drafts, waiting for review and to be sent for approval."""
    ids = [pk for pk, a in scope.alliances.items() if permissions.can_compute_settlement(user, a)]
    return [
        WorkItem(
            kind="settlement_draft",
            alliance=scope.alliances[s.alliance_id],
            url=reverse("settlement:detail", args=[s.alliance_id, s.pk]),
            due=s.start,
            number=s.year,
        )
        for s in Settlement.objects.filter(
            alliance_id__in=ids, status=SettlementStatus.DRAFT
        ).order_by("start", "pk")
    ]


def _ideas(user: AnyUser, scope: Scope) -> list[WorkItem]:
    """Ideas of the improvement forum waiting for the project office's evaluation."""
    ids = [pk for pk, a in scope.alliances.items() if permissions.can_evaluate_ideas(user, a)]
    return [
        WorkItem(
            kind="idea",
            alliance=scope.alliances[i.alliance_id],
            url=reverse("governance:idea", args=[i.alliance_id, i.number]),
            title=i.title,
            number=i.number,
        )
        for i in Idea.objects.filter(alliance_id__in=ids, status=IdeaStatus.OPEN).order_by(
            "created_at", "pk"
        )
    ]


def _failed_imports(user: AnyUser, scope: Scope) -> list[WorkItem]:
    """Imports of costs of the last 30 days that failed or were refused: the viewer's own, and
    every one for the project office."""
    managed = scope.having(Role.MANAGER)
    if not scope.alliances:
        return []
    jobs = (
        ImportJob.objects.filter(
            alliance_id__in=list(scope.alliances),
            status__in=[ImportStatus.FAILED, ImportStatus.REJECTED],
            created_at__gte=clock.now() - IMPORT_AGE,
        )
        .filter(Q(created_by_id=user.pk) | Q(alliance_id__in=managed))
        .order_by("-created_at", "-pk")
    )
    items = []
    for job in jobs:
        job.alliance = scope.alliances[job.alliance_id]
        if permissions.can_view_import(user, job):
            items.append(
                WorkItem(
                    kind="import",
                    alliance=job.alliance,
                    url=reverse("openbook:job", args=[job.alliance_id, job.pk]),
                    title=job.source,
                    due=job.created_at,
                )
            )
    return items


def _settlement_approvals(
    user: AnyUser, scope: Scope, memberships: dict[int, str]
) -> list[WorkItem]:
    """Settlements sent to the parties that the viewer's party has not answered yet (where
    there is no leadership group; otherwise they are votes)."""
    own = scope.organisation_id
    if own is None:
        return []
    ids = [
        pk
        for pk, role in memberships.items()
        if role in {MemberRole.ORGANIZER, MemberRole.PRODUCER}
        and permissions.can_approve_settlement(user, scope.alliances[pk], organisation_id=own)
    ]
    if not ids:
        return []
    settlements = (
        Settlement.objects.filter(
            alliance_id__in=ids, status=SettlementStatus.PROPOSED, proposal__isnull=True
        )
        .exclude(approvals__organisation_id=own)
        .order_by("start", "pk")
    )
    return [
        WorkItem(
            kind="settlement_approval",
            alliance=scope.alliances[s.alliance_id],
            url=reverse("settlement:detail", args=[s.alliance_id, s.pk]),
            due=s.start,
            number=s.year,
        )
        for s in settlements
    ]


def _referrals(user: AnyUser, scope: Scope) -> list[WorkItem]:
    """How many customer referrals wait for the viewer's producer's answer in each alliance, and
    how many of them are past their answer-by date. Counts only: who the customers are is on
    the queue's page."""
    own = scope.organisation_id
    if own is None:
        return []
    ids = [
        pk
        for pk, a in scope.alliances.items()
        if permissions.can_receive_referrals(user, a, producer_id=own)
    ]
    if not ids:
        return []
    rows = (
        Referral.objects.filter(alliance_id__in=ids, producer_id=own, state=State.SENT)
        .values("alliance_id")
        .annotate(waiting=Count("pk"), late=Count("pk", filter=Q(answer_by__lt=clock.today())))
        .order_by("alliance_id")
    )
    return [
        WorkItem(
            kind="referrals",
            alliance=scope.alliances[r["alliance_id"]],
            url=reverse("referrals:queue", args=[r["alliance_id"]]),
            count=r["waiting"],
            overdue=r["late"],
        )
        for r in rows
    ]


# What is new ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditNews:
    alliance: Alliance
    url: str
    count: int
    counted: int  # more than ``count`` when the count stopped at AUDIT_NEWS_CAP

    @property
    def more(self) -> bool:
        return self.counted > self.count


@dataclass
class News:
    """Since the viewer's previous visit (``since``; ``None`` on a first visit, when the unread
    notifications are what is new): their notifications, and how many changes others made in
    the audit trail of each alliance."""

    since: dt.datetime | None
    notifications: list[Notification]
    notification_count: int
    audit: list[AuditNews]


#: The changes in a trail counted at most, "more than" beyond (ADR 0041).
AUDIT_NEWS_CAP = 999


def _changes_since(user: AnyUser, alliance: Alliance, since: dt.datetime) -> int:
    """The records of ``alliance``'s trail since ``since`` that ``user`` may see and did not
    make, counted up to one past :data:`AUDIT_NEWS_CAP`, in one query: from the first record
    after ``since`` (by its time, from the index ``audit_alliance_time``) onwards, so the count
    reads the records of the time away, not the whole trail."""
    first = (
        AuditRecord.objects.filter(alliance_id=alliance.pk, created_at__gt=since)
        .order_by("created_at")
        .values("seq")[:1]
    )
    changes = (
        AuditRecord.objects.filter(
            alliance_id=alliance.pk, seq__gte=Subquery(first), created_at__gt=since
        )
        .filter(hooks.audit_visible(user, alliance))
        .exclude(actor_id=user.pk)
    )
    return changes[: AUDIT_NEWS_CAP + 1].count()


def news(*, user: AnyUser, since: dt.datetime | None, scope: Scope | None = None) -> News:
    scope = scope or scope_of(user)
    mine = notifications_of(user=user)
    mine = mine.filter(created_at__gt=since) if since else mine.filter(read_at__isnull=True)
    listed = list(mine[:NEW_NOTIFICATIONS])
    count = mine.count()  # always asked: the page's queries stay the same as they grow
    audit: list[AuditNews] = []
    readable = [a for a in scope.alliances.values() if permissions.can_view_audit(user, a)]
    if since is not None:
        for alliance in readable:
            changes = _changes_since(user, alliance, since)
            if changes:
                url = reverse("alliances:audit", args=[alliance.pk])
                audit.append(AuditNews(alliance, url, min(changes, AUDIT_NEWS_CAP), changes))
    return News(since=since, notifications=listed, notification_count=count, audit=audit)


# My party at a glance ---------------------------------------------------------------------------


def _amount(document: dict[str, Any] | None, key: str) -> Decimal | None:
    if document is None or document.get(key) in (None, ""):
        return None
    return Decimal(str(document[key]))


@dataclass(frozen=True)
class ProducerGlance:
    """The producer's line of the year's projected settlement, and its invoices."""

    invoices: list[Invoice]
    #: The producer's line of the projection (``None`` without one): each an amount.
    costs: Decimal | None = None
    fee: Decimal | None = None
    share: Decimal | None = None  # gain (+) or pain (−)
    capped: bool = False
    pool: Decimal | None = None  # its share of the performance pool earned
    pool_earned: Decimal | None = None  # the pool earned by all producers
    payment: Decimal | None = None


@dataclass(frozen=True)
class OrganizerGlance:
    """The organizer's budget for the year beside its actual costs and forecast, and what the
    projected settlement has it fund."""

    has_budget: bool
    budget: Decimal
    actual: Decimal
    forecast: Decimal
    share: Decimal | None  # its side of the gain (+) or pain (−)
    funds: Decimal | None  # its part of the producers' payments
    own_units: list[tuple[str, Decimal]]  # its own units and their costs
    total: Decimal | None


@dataclass(frozen=True)
class KpiLine:
    name: str
    unit: str
    latest: Decimal | None  # the latest result entered
    target: Decimal | None
    score: Decimal | None  # 0…1 of the KPI's target reached


@dataclass(frozen=True)
class Health:
    """The alliance as the project office sees it."""

    target: Decimal
    outturn: Decimal
    forecast: Decimal
    deviation: Decimal | None
    score: Decimal | None
    kpis: list[KpiLine]
    findings: int
    blocking: int
    overdue: list[Proposal]


@dataclass
class Glance:
    alliance: Alliance
    year: int
    role: str | None  # the viewer's party's membership role
    as_of: dt.date | None = None
    has_terms: bool = False
    error: str = ""
    producer: ProducerGlance | None = None
    organizer: OrganizerGlance | None = None
    health: Health | None = None

    @property
    def shown(self) -> bool:
        return bool(self.producer or self.organizer or self.health or self.error)


def glance(*, user: AnyUser, scope: Scope | None = None) -> list[Glance]:
    """For each of the viewer's alliances: their producer's or organizer's position this year,
    and the alliance's health for the project office. Alliances where the viewer is neither
    (an observer, a producer's own unit) show nothing here."""
    scope = scope or scope_of(user)
    memberships = _memberships(scope)
    year = clock.today().year
    own = scope.organisation_id
    managed = set(scope.having(Role.MANAGER))
    wanted = [
        pk
        for pk in scope.alliances
        if pk in managed
        or (
            memberships.get(pk) in {MemberRole.PRODUCER, MemberRole.ORGANIZER}
            and scope.roles[pk] - {Role.OBSERVER}
        )
    ]
    invoices = _invoices(own, [pk for pk in wanted if memberships.get(pk) == MemberRole.PRODUCER])
    overdue = _overdue_decisions([pk for pk in wanted if pk in managed])
    found = []
    for pk in wanted:
        alliance = scope.alliances[pk]
        role = memberships.get(pk)
        view = settlement.overview(user=user, alliance=alliance, year=year)
        item = Glance(alliance=alliance, year=year, role=role, as_of=view.as_of)
        item.has_terms = view.terms is not None
        if view.error is not None:
            item.error = str(view.error.message)
        projected = view.projected if view.error is None else None
        key = str(own)
        if role == MemberRole.PRODUCER:
            row = next((p for p in (projected or {}).get("producers", []) if p["key"] == key), None)
            item.producer = ProducerGlance(
                invoices=invoices.get(pk, []),
                costs=_amount(row, "costs"),
                fee=_amount(row, "fee"),
                share=_amount(row, "share"),
                capped=bool(row and row.get("capped")),
                pool=_amount(row, "pool"),
                pool_earned=_amount(projected, "pool_earned") if row else None,
                payment=_amount(row, "payment"),
            )
        if role == MemberRole.ORGANIZER and own is not None:
            item.organizer = _organizer(user, alliance, year, own, projected)
        if pk in managed:
            item.health = _health(user, alliance, view, projected, overdue.get(pk, []))
        found.append(item)
    return found


def _invoices(own: int | None, ids: list[int]) -> dict[int, list[Invoice]]:
    """The producer's own invoices (as seller or, for a credit, buyer) of this year and last."""
    if own is None or not ids:
        return {}
    found: dict[int, list[Invoice]] = {}
    for invoice in (
        Invoice.objects.filter(alliance_id__in=ids, issued_on__year__gte=clock.today().year - 1)
        .filter(Q(seller_id=own) | Q(buyer_id=own))
        .select_related("settlement", "seller", "buyer")
        .order_by("-issued_on", "-number")
    ):
        found.setdefault(invoice.alliance_id, []).append(invoice)
    return found


def _overdue_decisions(ids: list[int]) -> dict[int, list[Proposal]]:
    """Proposals still open for votes after their deadline (not yet closed)."""
    if not ids:
        return {}
    found: dict[int, list[Proposal]] = {}
    for proposal in Proposal.objects.filter(
        alliance_id__in=ids, status=ProposalStatus.OPEN, deadline__lte=clock.now()
    ).order_by("deadline", "pk"):
        found.setdefault(proposal.alliance_id, []).append(proposal)
    return found


def _organizer(
    user: AnyUser, alliance: Alliance, year: int, own: int, projected: dict[str, Any] | None
) -> OrganizerGlance:
    lines = [
        b
        for b in openbook.budget_vs_actual(user=user, alliance=alliance, year=year)
        if b.organisation_id == own
    ]
    summed = openbook.by_organizer(lines)
    zero = Decimal("0.00")
    year_line = summed[0] if summed else None
    row = next((o for o in (projected or {}).get("organizers", []) if o["key"] == str(own)), None)
    units = [
        (u["name"], Decimal(u["costs"]))
        for u in (projected or {}).get("own_units", [])
        if u.get("organizer") == str(own)
    ]
    return OrganizerGlance(
        has_budget=any(b.budget for b in lines),
        budget=(year_line.budget or zero) if year_line else zero,
        actual=year_line.actual if year_line else zero,
        forecast=year_line.forecast if year_line else zero,
        share=_amount(row, "share"),
        funds=_amount(row, "funds"),
        own_units=units,
        total=_amount(row, "total"),
    )


def _health(
    user: AnyUser,
    alliance: Alliance,
    view: settlement.Overview,
    projected: dict[str, Any] | None,
    overdue: list[Proposal],
) -> Health:
    findings = compliance_view(user=user, alliance=alliance).findings
    return Health(
        target=view.target,
        outturn=view.outturn,
        forecast=view.forecast,
        deviation=_amount(projected, "deviation"),
        score=_amount(projected, "score"),
        kpis=[
            KpiLine(
                name=str(k.get("name", k.get("key", ""))),
                unit=str(k.get("unit", "")),
                latest=k["result"].value if k.get("result") is not None else None,
                target=_amount(k, "target"),
                score=_amount(k, "score"),
            )
            for k in view.kpis
        ],
        findings=len(findings),
        blocking=sum(1 for f in findings if f.blocking),
        overdue=overdue,
    )
