"""Writes of the settlements: computing a period's settlement as a draft, sending it for
approval, the parties' answers, and what the leadership group's decision does to it. The
approval freezes a settlement and makes its invoices (``services.invoices``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from allianssi import permissions
from allianssi.alliances.models import Alliance
from allianssi.alliances.services import alliance_lock
from allianssi.audit import actions
from allianssi.audit.services import audit_append
from allianssi.core import clock, text
from allianssi.core.errors import DomainError, forbidden
from allianssi.governance import effects
from allianssi.governance.models import Decision, Proposal
from allianssi.governance.services import AlternativeInput, proposal_create
from allianssi.parties.models import Organisation
from allianssi.settlement.models import (
    Settlement,
    SettlementApproval,
    SettlementKind,
    SettlementStatus,
)
from allianssi.settlement.selectors import (
    approving_parties,
    calculate,
    costs_by_party,
    inputs_document,
    latest_results,
    leadership_exists,
    period_outcomes,
    terms_in_force,
)
from allianssi.settlement.services.invoices import billing_missing, invoices_make
from allianssi.settlement.services.kpis import compute_sources

if TYPE_CHECKING:
    from allianssi.accounts.models import User

SETTLEMENT_KIND = "settlement"


def period(year: int, kind: str, quarter: int | None) -> tuple[dt.date, dt.date]:
    """The settlement period: the year for a final settlement, a quarter for an interim one
    (``end`` is the first day after it)."""
    if kind == SettlementKind.FINAL:
        return dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
    if quarter not in {1, 2, 3, 4}:
        raise DomainError("quarter_required", _("Choose the quarter."), field="quarter")
    start = dt.date(year, 3 * quarter - 2, 1)
    end = dt.date(year + 1, 1, 1) if quarter == 4 else dt.date(year, 3 * quarter + 1, 1)
    return start, end


@transaction.atomic
def settlement_compute(
    *, actor: User, alliance: Alliance, year: int, kind: str, quarter: int | None = None
) -> Settlement:
    """Compute the period's settlement from the terms in force, the ledger's totals and the
    KPI results, as a draft for review. Computing again replaces the draft; an approved
    settlement is never touched: computing its period again makes the next version."""
    alliance = alliance_lock(alliance, actor, live=True)
    if not permissions.can_compute_settlement(actor, alliance):
        raise forbidden()
    if kind not in SettlementKind.values:
        raise DomainError("kind_invalid", _("Choose interim or final."), field="kind")
    start, end = period(year, kind, quarter if kind == SettlementKind.INTERIM else None)
    terms = terms_in_force(alliance, year)
    if terms is None:
        raise DomainError(
            "terms_missing", _("The year has no commercial terms in force."), field="year"
        )
    if (
        kind == SettlementKind.INTERIM
        and Settlement.objects.filter(
            alliance=alliance,
            kind=SettlementKind.FINAL,
            year=year,
            status=SettlementStatus.APPROVED,
        ).exists()
    ):
        # Its invoices would not know of the final's, which already settled the whole year.
        raise DomainError(
            "final_approved",
            _(
                "The year's final settlement is approved; correct it with a new version of the "
                "final settlement instead of an interim one."
            ),
            field="kind",
        )
    open_version = Settlement.objects.filter(
        alliance=alliance, start=start, end=end, status__in=["draft", "proposed"]
    ).first()
    if open_version is not None and open_version.status == SettlementStatus.PROPOSED:
        raise DomainError(
            "settlement_pending",
            _("This period's settlement awaits approval; it cannot be recomputed meanwhile."),
        )
    costs = costs_by_party(alliance, start, end)
    if kind == SettlementKind.FINAL:
        compute_sources(alliance, terms, start, end, costs)
        kpis: dict[str, Decimal | None] = {
            key: r.value for key, r in latest_results(alliance, year, end).items()
        }
        known = {k.key for k in terms.model.kpis}
        kpis = {k: v for k, v in kpis.items() if k in known}
        outcomes = period_outcomes(alliance, terms, start, end)
    else:
        kpis, outcomes = {}, None  # an interim settlement pays no outcomes
    document = inputs_document(alliance, terms, kind, start, end, costs, kpis, outcomes)
    result = calculate(document)
    now = clock.now()
    if open_version is not None:
        before = {"terms": open_version.terms_id, "result": open_version.result}
        open_version.terms = terms
        open_version.inputs = document
        open_version.result = result
        open_version.computed_by = actor
        open_version.computed_at = now
        open_version.save()
        settlement = open_version
        action = actions.SETTLEMENT_RECOMPUTE
    else:
        before = None
        version = (
            Settlement.objects.filter(alliance=alliance, start=start, end=end).aggregate(
                v=Max("version")
            )["v"]
            or 0
        ) + 1
        settlement = Settlement.objects.create(
            alliance=alliance,
            year=year,
            kind=kind,
            start=start,
            end=end,
            version=version,
            status=SettlementStatus.DRAFT,
            terms=terms,
            inputs=document,
            result=result,
            computed_by=actor,
            computed_at=now,
        )
        action = actions.SETTLEMENT_COMPUTE
    audit_append(
        actor=actor,
        alliance=alliance,
        action=action,
        obj=settlement,
        before=before,
        after={
            "period": [start, end],
            "version": settlement.version,
            "terms": terms.pk,
            "result": result,
        },
    )
    return settlement


@transaction.atomic
def settlement_submit(*, actor: User, settlement: Settlement, note: str = "") -> Settlement:
    """Send a reviewed draft for approval: to the leadership group's vote where there is one,
    otherwise to every member party. The invoices' details are checked first, so an approved
    settlement can always be invoiced."""
    alliance = alliance_lock(settlement.alliance, actor, live=True)
    settlement = Settlement.objects.select_for_update().get(pk=settlement.pk)
    leadership = leadership_exists(alliance)
    if not permissions.can_submit_settlement(actor, alliance, leadership=leadership):
        raise forbidden()
    if settlement.status != SettlementStatus.DRAFT:
        raise DomainError("not_draft", _("Only a draft can be sent for approval."))
    note = text.text_check(note, field="note", limit=text.NOTE)
    missing = billing_missing(settlement)
    if missing:
        raise DomainError(
            "billing_missing",
            _(
                "Invoicing details are missing for %(names)s: a business ID, and for a seller "
                "its bank account. Fill them in on the invoicing details page first."
            ),
            names=", ".join(missing),
        )
    settlement.status = SettlementStatus.PROPOSED
    settlement.note = note
    if leadership:
        label = _describe(settlement)
        settlement.proposal = proposal_create(
            actor=actor,
            alliance=alliance,
            title=str(_("Approve the settlement %(period)s, version %(version)s"))
            % {"period": label, "version": settlement.version},
            description=settlement.note,
            alternatives=[
                AlternativeInput(
                    title=str(_("Approve the settlement and make its invoices")),
                    estimated_cost=Decimal(settlement.result["outturn"]),
                ),
                AlternativeInput(title=str(_("Do not approve; correct it first"))),
            ],
            put_to_vote=0,
            kind=SETTLEMENT_KIND,
        )
    settlement.save(update_fields=["status", "note", "proposal"])
    audit_append(
        actor=actor,
        alliance=alliance,
        action=actions.SETTLEMENT_SUBMIT,
        obj=settlement,
        after={"version": settlement.version, "note": settlement.note},
    )
    return settlement


def _describe(settlement: Settlement) -> str:
    last = settlement.end - dt.timedelta(days=1)
    return f"{settlement.start:%-d.%-m.%Y}–{last:%-d.%-m.%Y}"


@transaction.atomic
def settlement_approve(
    *,
    actor: User,
    settlement: Settlement,
    organisation: Organisation,
    approved: bool,
    note: str = "",
) -> Settlement:
    """A party's approval or refusal, where the alliance has no leadership group. One refusal
    sends the settlement back (it is rejected and can be recomputed); the last approval approves
    it, freezes it and makes its invoices."""
    alliance = alliance_lock(settlement.alliance, actor, live=True)
    settlement = Settlement.objects.select_for_update().get(pk=settlement.pk)
    if not permissions.can_approve_settlement(actor, alliance, organisation_id=organisation.pk):
        raise forbidden()
    if settlement.status != SettlementStatus.PROPOSED or settlement.proposal_id is not None:
        raise DomainError(
            "not_awaiting_parties",
            _("This settlement does not await the parties' approval."),
        )
    parties = {o.pk for o in approving_parties(alliance)}
    if organisation.pk not in parties:
        raise forbidden()
    if SettlementApproval.objects.filter(settlement=settlement, organisation=organisation).exists():
        raise DomainError("already_answered", _("Your party has already answered."))
    note = text.text_check(note, field="note", limit=text.NOTE)
    if not approved and not note:
        raise DomainError("reason_required", _("Say what must be corrected."), field="note")
    answer = SettlementApproval.objects.create(
        alliance_id=settlement.alliance_id,
        settlement=settlement,
        organisation=organisation,
        approved=approved,
        note=note.strip(),
        by=actor,
    )
    audit_append(
        actor=actor,
        alliance=alliance,
        action=actions.SETTLEMENT_APPROVE if approved else actions.SETTLEMENT_REFUSE,
        obj=answer,
        after={"settlement": settlement.pk, "organisation": organisation.pk, "note": note},
    )
    if not approved:
        _close_settlement(settlement, approved=False, actor=actor)
    elif parties <= set(
        SettlementApproval.objects.filter(settlement=settlement, approved=True).values_list(
            "organisation_id", flat=True
        )
    ):
        _close_settlement(settlement, approved=True, actor=actor)
    return settlement


def _close_settlement(settlement: Settlement, *, approved: bool, actor: User | None) -> None:
    settlement.status = SettlementStatus.APPROVED if approved else SettlementStatus.REJECTED
    settlement.decided_at = clock.now()
    settlement.save(update_fields=["status", "decided_at"])
    audit_append(
        actor=actor,
        alliance=settlement.alliance,
        action=actions.SETTLEMENT_APPROVED if approved else actions.SETTLEMENT_REJECTED,
        obj=settlement,
        after={"version": settlement.version, "result": settlement.result},
    )
    if approved:
        invoices_make(settlement)


def _settlement_decided(decision: Decision) -> None:
    settlement = Settlement.objects.select_for_update().get(proposal=decision.proposal)
    if settlement.status == SettlementStatus.PROPOSED:
        _close_settlement(settlement, approved=True, actor=None)


def _settlement_undecided(proposal: Proposal) -> None:
    """The leadership group did not approve the settlement: it goes back for correction."""
    settlement = Settlement.objects.select_for_update().get(proposal=proposal)
    if settlement.status == SettlementStatus.PROPOSED:
        _close_settlement(settlement, approved=False, actor=None)


def _settlement_subject(proposal: Proposal) -> effects.Subject | None:
    settlement = Settlement.objects.filter(proposal=proposal).first()
    if settlement is None:
        return None
    return effects.Subject(
        label=str(_("Settlement %(period)s, version %(version)s"))
        % {"period": _describe(settlement), "version": settlement.version},
        url=reverse("settlement:detail", args=[proposal.alliance_id, settlement.pk]),
    )


def register() -> None:
    """What the leadership group's decision on a settlement puts into effect."""
    effects.register(
        SETTLEMENT_KIND,
        on_decided=_settlement_decided,
        subject=_settlement_subject,
        on_undecided=_settlement_undecided,
    )
