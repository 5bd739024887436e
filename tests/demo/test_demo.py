"""The demo the README promises: realistic, written through the services, loaded once."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command

from allianssi.accounts.models import User
from allianssi.alliances.models import Alliance, MemberRole, Phase
from allianssi.alliances.selectors import alliance_overview
from allianssi.audit.models import AuditRecord
from allianssi.audit.selectors import audit_chain_keys, audit_chain_verify
from allianssi.catalogue.models import (
    CatalogueSettings,
    PartyRole,
    RequestStatus,
    ServiceParty,
    ServiceRequest,
    ServiceVersion,
    VersionStatus,
)
from allianssi.compliance.services import evaluate
from allianssi.demo.common import MAIN_ALLIANCE
from allianssi.openbook.verify import rollup_mismatches
from allianssi.procurement.ocds import record_package, validate

pytestmark = pytest.mark.django_db


def test_demo_load__builds_the_promised_alliance_once() -> None:
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
    _assert_catalogue(main)
    _assert_customers(main)
    _assert_outcomes(main)


def _assert_catalogue(main: Alliance) -> None:
    """The public catalogue: every producing party's published services in three languages,
    drafts at each step of the review, a withdrawn service, and requests in organizers' queues;
    publishing broke no compliance rule."""
    assert CatalogueSettings.objects.get(alliance=main).public
    versions = ServiceVersion.objects.filter(alliance=main)
    published = versions.filter(status=VersionStatus.PUBLISHED)
    assert published.count() >= 25
    assert all(v.name_fi and v.name_sv and v.name_en for v in published)
    assert all(v.summary_fi and v.summary_sv and v.summary_en for v in published)
    assert all(v.channels.exists() for v in published)
    producing = main.memberships.filter(
        ended_on__isnull=True, role__in=[MemberRole.PRODUCER, MemberRole.OWN_PRODUCTION]
    ).values_list("organisation_id", flat=True)
    producers = ServiceParty.objects.filter(version__in=published, role=PartyRole.PRODUCER)
    for organisation_id in producing:
        assert producers.filter(organisation_id=organisation_id).exists(), organisation_id
    assert {v.service_area for v in published} >= {"employment", "business"}
    assert versions.filter(status=VersionStatus.IN_REVIEW).exists()
    assert versions.filter(status=VersionStatus.DRAFT).exclude(return_reason="").count() == 1
    revised = versions.filter(status=VersionStatus.DRAFT, version=2).get()
    assert revised.service.current is not None
    assert revised.service.current.status == VersionStatus.PUBLISHED
    assert revised.created_by.username == "tuottaja.tyopolku"
    withdrawn = versions.filter(status=VersionStatus.WITHDRAWN).get()
    assert withdrawn.withdraw_reason
    assert withdrawn.service.current is None
    tyopolku = ServiceParty.objects.filter(
        version__alliance=main, role=PartyRole.PRODUCER, organisation__name="Työpolku Oy"
    )
    assert {p.version.created_by.username for p in tyopolku} == {"tuottaja.tyopolku"}
    requests = ServiceRequest.objects.filter(alliance=main)
    assert 6 <= requests.count() <= 10
    assert requests.filter(status=RequestStatus.HANDLED).count() == 1
    assert requests.filter(customer_type="company").exclude(business_id="").exists()
    for request in requests.select_related("service__current"):
        current = request.service.current
        assert current is not None
        responsible = current.parties.filter(role=PartyRole.RESPONSIBLE)
        assert responsible.filter(organisation_id=request.organizer_id).exists()
    findings = evaluate(main)
    assert not [f for f in findings if f.blocking]
    assert not {"private_service_with_authority", "service_outside_remit"} & {
        f.rule.code for f in findings
    }


def _assert_customers(main: Alliance) -> None:
    """At least 60 customers, persons with valid test codes and companies; referrals in every
    state at every producer and the own unit; Maija's path across three producers."""
    from allianssi.customers.models import Customer
    from allianssi.demo.customers import STAR_HETU
    from allianssi.identification import identity
    from allianssi.referrals.models import Referral, State

    customers = Customer.objects.filter(alliance=main)
    assert customers.count() >= 60
    assert {"person", "company"} == set(customers.values_list("kind", flat=True))
    for token in customers.exclude(hetu_token="").values_list("hetu_token", flat=True):
        identity.validate(identity.decrypt(token))
    producing = main.memberships.filter(
        role__in=[MemberRole.PRODUCER, MemberRole.OWN_PRODUCTION], ended_on__isnull=True
    ).values_list("organisation_id", flat=True)
    shown = set(Referral.objects.filter(alliance=main).values_list("producer_id", "state"))
    for producer_id in producing:
        assert {s for p, s in shown if p == producer_id} == set(State.values), producer_id
    maija = customers.get(pseudonym=identity.pseudonym(STAR_HETU))
    assert maija.referrals.values("producer").distinct().count() == 3


def _assert_outcomes(main: Alliance) -> None:
    """A year of outcomes: claims verified from Tampere's register extract, one contradicted and
    disputed, one without data, Nokia's sample, and the final settlement's employment KPI
    computed from them rather than entered."""
    from allianssi.outcomes.models import Dispute, OutcomeEvent, RegisterExtract, SampleDraw

    events = OutcomeEvent.objects.filter(alliance=main)
    statuses = set(events.values_list("status", flat=True))
    assert {"verified", "disputed", "no_data", "claimed"} <= statuses
    assert RegisterExtract.objects.filter(alliance=main).count() == 1
    assert Dispute.objects.filter(event__alliance=main, decision="").count() == 1
    assert SampleDraw.objects.filter(alliance=main).get().seed == 20261123
    computed = main.kpi_results.filter(kpi="employed")
    assert computed.exists()
    assert set(computed.values_list("source", flat=True)) == {"outcomes:employed"}
    final = main.settlements.get(kind="final")
    assert final.result["outcome_payments"] not in {None, "0.00"}
    from allianssi.outcomes.indigo import project

    indigo = project(main, 2026)
    assert {m["id"] for m in indigo["outcome_metrics"]} >= {"employed", "outcome:employed_open"}
    assert indigo["outcome_payments"]
    assert all(p["type"] == {"value": "Planned"} for p in indigo["outcome_payments"])
