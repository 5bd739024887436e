"""The demo the README promises: realistic, written through the services, loaded once."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command

from allianssi.accounts.models import User
from allianssi.alliances.management.commands.demo_load import MAIN_ALLIANCE
from allianssi.alliances.models import Alliance, MemberRole, Phase
from allianssi.alliances.selectors import alliance_overview
from allianssi.audit.models import AuditRecord
from allianssi.audit.selectors import audit_chain_keys, audit_chain_verify
from allianssi.compliance.services import evaluate
from allianssi.openbook.verify import rollup_mismatches
from allianssi.procurement.ocds import record_package, validate

pytestmark = pytest.mark.django_db


def test_demo_load__builds_the_promised_alliance_once():
    call_command("demo_load", stdout=io.StringIO())
    out = io.StringIO()
    call_command("demo_load", stdout=out)
    assert "already loaded" in out.getvalue()
    main = Alliance.objects.get(name=MAIN_ALLIANCE)
    assert main.phase == Phase.IMPLEMENTATION
    assert Alliance.objects.filter(region=main.region).count() == 2
    overview = alliance_overview(user=User.objects.get(username="projektitoimisto"), alliance=main)
    assert 6 <= len(overview.municipalities_in) <= 8
    assert overview.municipalities_out
    assert [body.name for body, members in overview.joint_bodies] == [
        "Ylä-Pirkanmaan elinvoimalautakunta"
    ]
    assert len(overview.joint_bodies[0][1]) == 3
    producers = overview.producers + overview.own_production
    assert 4 <= len(producers) <= 6
    assert [m.role for m in overview.own_production] == [MemberRole.OWN_PRODUCTION]
    assert [m.end_kind for m in overview.former] == ["exited"]
    assert sorted(main.proposals.values_list("status", flat=True)) == [
        "blocked",
        "decided",
        "decided",
        "decided",
        "decided",
        "decided",
        "draft",
        "open",
    ]
    # The organizers' go (2025/1) and award (2025/2), then the leadership group's own: a
    # proposal, the 2026 commercial terms and the first quarter's interim settlement.
    assert sorted(main.decisions.values_list("number", flat=True)) == [
        "2025/1",
        "2025/2",
        "2026/1",
        "2026/2",
        "2026/3",
    ]
    assert main.terms.get().status == "in_force"
    interim, final = main.settlements.order_by("start", "end")
    assert (interim.kind, interim.status) == ("interim", "approved")
    assert interim.invoices.count() >= 5  # each producer's, and to each other organizer
    assert (final.kind, final.status) == ("final", "draft")
    assert main.kpi_results.filter(source="market_share").exists()
    tender = main.procurements.get()
    assert tender.status == "awarded"
    assert AuditRecord.objects.filter(alliance=main, action="membership.admit").count() == 5
    assert tender.awards.get().proposal.decision.decided_at.date() == dt.date(2025, 8, 15)
    findings = evaluate(main)
    assert not [f for f in findings if f.blocking]
    assert {"own_unit_on_market", "organizer_seat_speaks_for_own_unit"} <= {
        f.rule.code for f in findings
    }
    assert main.cost_entries.count() == 61  # ten months of six costs, and one correction
    assert rollup_mismatches(main.pk) == []
    record = record_package(tender, base_uri="http://localhost/")
    assert validate(record) == []
    assert main.meetings.count() == 2
    assert sorted(main.ideas.values_list("status", flat=True)) == ["declined", "open", "proposed"]
    assert list(main.meetings.get(number=1).minutes.values_list("version", "status")) == [
        (1, "draft"),
        (2, "approved"),
    ]
    assert all(audit_chain_verify(key) is None for key in audit_chain_keys())
