"""Reading the compliance page: findings, the rule list, and the configuration they judge."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.http import Http404

from allianssi import permissions
from allianssi.alliances.models import Alliance, Membership
from allianssi.compliance import rules
from allianssi.compliance.models import AgreementDocument, Assignment, MarketActivity
from allianssi.compliance.services import evaluate

if TYPE_CHECKING:
    from allianssi.permissions import AnyUser


@dataclass(frozen=True)
class ComplianceView:
    findings: list[rules.Finding]
    rule_set: tuple[rules.Rule, ...]
    assignments: list[Assignment]
    market: list[MarketActivity]
    documents: list[AgreementDocument]

    @property
    def blocking(self) -> list[rules.Finding]:
        return [f for f in self.findings if f.blocking]


def compliance_view(*, user: AnyUser, alliance: Alliance) -> ComplianceView:
    """Every party of the alliance sees the findings and what they rest on."""
    if not permissions.can_view_compliance(user, alliance):
        raise Http404
    return ComplianceView(
        findings=evaluate(alliance),
        rule_set=rules.RULES,
        assignments=list(
            Assignment.objects.filter(alliance=alliance, ended_at__isnull=True).select_related(
                "organisation"
            )
        ),
        market=list(
            MarketActivity.objects.filter(alliance=alliance, ended_at__isnull=True).select_related(
                "organisation"
            )
        ),
        documents=list(AgreementDocument.objects.filter(alliance=alliance)),
    )


def active_members(alliance: Alliance) -> QuerySet[Membership]:
    return Membership.objects.filter(alliance=alliance, ended_on__isnull=True).select_related(
        "organisation"
    )
