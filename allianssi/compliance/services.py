"""Compliance writes and the configuration guard.

The guard (registered in ``apps.py``) evaluates the rules before and after every configuration
change and refuses a change that would add a blocking finding, naming the rule, the explanation and
the statute. The configuration records here — assignments of tasks, own units' market activity,
agreement documents — are written only through these services, each audited and guarded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from allianssi import permissions
from allianssi.alliances.models import Alliance, MemberRole, Membership
from allianssi.alliances.services import alliance_lock
from allianssi.audit import actions
from allianssi.audit.services import audit_append
from allianssi.compliance import rules
from allianssi.compliance.models import (
    AgreementDocument,
    Assignment,
    DocumentKind,
    MarketActivity,
    Task,
)
from allianssi.compliance.snapshot import configuration
from allianssi.core import clock
from allianssi.core.errors import DomainError, forbidden
from allianssi.core.hooks import configuration_change
from allianssi.core.text import NOTE, TITLE, text_check
from allianssi.parties.models import Organisation

if TYPE_CHECKING:
    from allianssi.accounts.models import User


class ComplianceRefusal(DomainError):
    """A change refused because it would create blocking findings."""

    def __init__(self, findings: list[rules.Finding]) -> None:
        self.findings = findings
        text = " ".join(f"{f.explanation} ({f.statutes})" for f in findings)
        super().__init__(
            "compliance",
            _("The change was not made, because it would break the law: %(findings)s"),
            findings=text,
        )


def evaluate(alliance: Alliance) -> list[rules.Finding]:
    return rules.evaluate(configuration(alliance))


@contextmanager
def guard(alliance_id: int) -> Iterator[None]:
    """Refuse the writes inside if they add a blocking finding (the transaction rolls back)."""
    alliance = Alliance.objects.get(pk=alliance_id)
    before = rules.evaluate(configuration(alliance))
    yield
    alliance.refresh_from_db()
    added = rules.new_blocking(before, rules.evaluate(configuration(alliance)))
    if added:
        raise ComplianceRefusal(added)


VERSION_MAX = 30
REFERENCE_MAX = 300
#: The earliest date a registered document can have been signed on (none is signed later than
#: today).
SIGNED_EARLIEST = dt.date(2000, 1, 1)


def _lock(alliance: Alliance, actor: User) -> Alliance:
    alliance = alliance_lock(alliance, actor, live=True)
    if not permissions.can_manage_compliance(actor, alliance):
        raise forbidden()
    return alliance


def _member(alliance: Alliance, organisation: Organisation) -> Membership:
    membership = Membership.objects.filter(
        alliance=alliance, organisation=organisation, ended_on__isnull=True
    ).first()
    if membership is None:
        raise DomainError(
            "not_member",
            _("%(party)s is not a member of the alliance."),
            field="organisation",
            party=organisation.name,
        )
    return membership


@transaction.atomic
def assignment_add(
    *, actor: User, alliance: Alliance, organisation: Organisation, service_area: str, task: str
) -> Assignment:
    """Give a member a task in a service area. Refused with the law's explanation when the task
    cannot be given to that party."""
    alliance = _lock(alliance, actor)
    _member(alliance, organisation)
    if task not in Task.values:
        raise DomainError("task_invalid", _("Choose the task."), field="task")
    if not alliance.service_areas.filter(area=service_area).exists():
        raise DomainError(
            "area_not_in_alliance",
            _("The alliance does not cover that service area."),
            field="service_area",
        )
    if Assignment.objects.filter(
        alliance=alliance,
        organisation=organisation,
        service_area=service_area,
        task=task,
        ended_at__isnull=True,
    ).exists():
        raise DomainError(
            "assignment_duplicate",
            _("That party already has that task in that area."),
            field="task",
        )
    with configuration_change(alliance.pk):
        assignment = Assignment.objects.create(
            alliance=alliance,
            organisation=organisation,
            service_area=service_area,
            task=task,
            assigned_by=actor,
        )
        audit_append(
            actor=actor,
            alliance=alliance,
            action=actions.ASSIGNMENT_ADD,
            obj=assignment,
            after={"organisation": organisation.pk, "service_area": service_area, "task": task},
        )
    return assignment


@transaction.atomic
def assignment_end(*, actor: User, assignment: Assignment) -> Assignment:
    alliance = _lock(assignment.alliance, actor)
    assignment = Assignment.objects.select_for_update().get(pk=assignment.pk, alliance=alliance)
    if assignment.ended_at is not None:
        raise DomainError("assignment_ended", _("That task has already ended."))
    with configuration_change(alliance.pk):
        assignment.ended_at = clock.now()
        assignment.save(update_fields=["ended_at"])
        audit_append(
            actor=actor,
            alliance=alliance,
            action=actions.ASSIGNMENT_END,
            obj=assignment,
            before={"ended_at": None},
            after={"ended_at": assignment.ended_at},
        )
    return assignment


@transaction.atomic
def market_activity_declare(
    *, actor: User, alliance: Alliance, organisation: Organisation, description: str
) -> MarketActivity:
    """Record that an own production unit also sells on a competitive market."""
    alliance = _lock(alliance, actor)
    membership = _member(alliance, organisation)
    if membership.role != MemberRole.OWN_PRODUCTION:
        raise DomainError(
            "not_own_unit",
            _("Only an own production unit's market activity is declared here."),
            field="organisation",
        )
    description = text_check(description, field="description", limit=NOTE)
    if not description:
        raise DomainError(
            "description_required",
            _("Describe what the unit sells and to whom."),
            field="description",
        )
    if MarketActivity.objects.filter(
        alliance=alliance, organisation=organisation, ended_at__isnull=True
    ).exists():
        raise DomainError(
            "market_duplicate",
            _("The unit's market activity is already declared."),
            field="organisation",
        )
    with configuration_change(alliance.pk):
        activity = MarketActivity.objects.create(
            alliance=alliance,
            organisation=organisation,
            description=description,
            declared_by=actor,
        )
        audit_append(
            actor=actor,
            alliance=alliance,
            action=actions.MARKET_ACTIVITY_DECLARE,
            obj=activity,
            after={"organisation": organisation.pk, "description": activity.description},
        )
    return activity


@transaction.atomic
def market_activity_end(*, actor: User, activity: MarketActivity) -> MarketActivity:
    alliance = _lock(activity.alliance, actor)
    activity = MarketActivity.objects.select_for_update().get(pk=activity.pk, alliance=alliance)
    if activity.ended_at is not None:
        raise DomainError("market_ended", _("That declaration has already ended."))
    with configuration_change(alliance.pk):
        activity.ended_at = clock.now()
        activity.save(update_fields=["ended_at"])
        audit_append(
            actor=actor,
            alliance=alliance,
            action=actions.MARKET_ACTIVITY_END,
            obj=activity,
            before={"ended_at": None},
            after={"ended_at": activity.ended_at},
        )
    return activity


@transaction.atomic
def document_register(
    *,
    actor: User,
    alliance: Alliance,
    kind: str,
    title: str,
    version: str,
    signed_on: dt.date | None,
    states_no_legal_person: bool,
    states_duties_unchanged: bool,
    reference: str = "",
) -> AgreementDocument:
    """Register an agreement document. One that does not state the alliance's legal nature is
    refused by rule 7."""
    alliance = _lock(alliance, actor)
    if kind not in DocumentKind.values:
        raise DomainError("kind_invalid", _("Choose the kind of document."), field="kind")
    title = text_check(title, field="title", limit=TITLE)
    version = text_check(version, field="version", limit=VERSION_MAX)
    reference = text_check(reference, field="reference", limit=REFERENCE_MAX)
    if not title:
        raise DomainError("title_required", _("Enter a title."), field="title")
    if not version:
        raise DomainError("version_required", _("Enter the version."), field="version")
    if signed_on is not None and not SIGNED_EARLIEST <= signed_on <= clock.today():
        raise DomainError(
            "signed_on_out_of_range",
            _("A document is signed between %(earliest)s and today (%(today)s)."),
            field="signed_on",
            earliest=SIGNED_EARLIEST,
            today=clock.today(),
        )
    if AgreementDocument.objects.filter(
        alliance=alliance, kind=kind, title=title, version=version
    ).exists():
        raise DomainError(
            "document_duplicate",
            _("That version of the document is already registered."),
            field="version",
        )
    with configuration_change(alliance.pk):
        document = AgreementDocument.objects.create(
            alliance=alliance,
            kind=kind,
            title=title,
            version=version,
            signed_on=signed_on,
            states_no_legal_person=states_no_legal_person,
            states_duties_unchanged=states_duties_unchanged,
            reference=reference,
            registered_by=actor,
        )
        audit_append(
            actor=actor,
            alliance=alliance,
            action=actions.AGREEMENT_DOCUMENT_REGISTER,
            obj=document,
            after={
                "kind": kind,
                "title": document.title,
                "version": document.version,
                "signed_on": signed_on,
                "states_no_legal_person": states_no_legal_person,
                "states_duties_unchanged": states_duties_unchanged,
                "reference": document.reference,
            },
        )
    return document
