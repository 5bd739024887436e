"""Outcome events by hand and from files; samples; disputes; KPI definitions."""

from __future__ import annotations

from pathlib import Path

import pytest

from allianssi.audit.models import AuditRecord
from allianssi.core.errors import DomainError
from allianssi.customers.services import customer_create
from allianssi.identification import identity
from allianssi.openbook.importing import ImportRejected
from allianssi.outcomes import kpis
from allianssi.outcomes.importing import events_import
from allianssi.outcomes.models import Dispute, FirstOutcome, OutcomeEvent, Source, Status
from allianssi.outcomes.services import (
    Definition,
    Report,
    definition_save,
    dispute_decide,
    dispute_raise,
    draw,
    event_record,
    sample_check,
    sample_draw,
)
from tests.conftest import World
from tests.customers.world import company_input
from tests.outcomes.conftest import D, episode, kind, person

pytestmark = pytest.mark.django_db


@pytest.fixture
def served(serving: World):
    who = person(serving, identity.temporary_code(D(1980, 1, 1), 901))
    ep = episode(serving, who, D(2026, 1, 10), D(2026, 3, 31))
    return who, ep


def record(world, who, by="producer_staff", **changes):
    arguments = {
        "report": Report(actor=world.users[by]),
        "customer": who,
        "outcome": kind("employed_open"),
        "occurred_on": D(2026, 4, 15),
        "evidence": "Työsopimus 4/2026",
    }
    arguments.update(changes)
    return event_record(**arguments)


def test_a_producer_reports_an_outcome_of_its_own_episode(serving: World, served):
    who, ep = served
    event = record(serving, who)
    assert (event.source, event.status, event.reporter, event.producer) == (
        Source.PRODUCER,
        Status.CLAIMED,
        serving.org["producer"],
        serving.org["producer"],
    )
    assert list(event.episodes.all()) == [ep]
    assert FirstOutcome.objects.get(episode=ep).claimed_on == D(2026, 4, 15)
    assert AuditRecord.objects.filter(action="outcome.record").count() == 1


def test_the_organizer_records_what_the_customer_confirms(serving: World, served):
    who, _ep = served
    event = record(serving, who, by="advisor")
    assert (event.source, event.reporter) == (Source.CUSTOMER, serving.org["tampere"])


def test_who_may_not_report(serving: World, served):
    who, _ = served
    for user in ("producer2_staff", "advisor_nokia", "manager"):
        with pytest.raises(DomainError) as refused:
            record(serving, who, by=user)
        assert refused.value.code == "forbidden"


def test_bad_input_is_refused(serving: World, served):
    who, _ = served
    cases = [
        ({"occurred_on": D(2030, 1, 1)}, "outcome_future"),
        ({"occurred_on": D(2025, 12, 31)}, "outcome_no_episode"),  # before the service began
        ({"occurred_on": D(2027, 4, 1)}, "outcome_future"),
        ({"outcome": kind("hired")}, "outcome_kind"),
        ({"evidence": "x" * 301}, "evidence_long"),
    ]
    for changes, code in cases:
        with pytest.raises(DomainError) as refused:
            record(serving, who, **changes)
        assert refused.value.code == code
    assert not OutcomeEvent.objects.exists()


def test_an_identifier_is_recorded_once(serving: World, served):
    who, _ = served
    first = record(serving, who, external_id="CRM-1")
    again = record(serving, who, external_id="CRM-1")
    assert first == again
    assert OutcomeEvent.objects.count() == 1


def test_a_contradicted_claim_disputed_and_decided(serving: World, served):
    who, ep = served
    event = record(serving, who)
    event.status = Status.CONTRADICTED
    event.save()
    kpis.refresh([who.pk])
    with pytest.raises(DomainError) as refused:
        dispute_raise(actor=serving.users["producer2_staff"], event=event, reason="x", evidence="y")
    assert refused.value.code == "forbidden"
    dispute = dispute_raise(
        actor=serving.users["producer_staff"],
        event=event,
        reason="Palkka maksettiin ulkomaille; rekisterissä ei näy.",
        evidence="Työsopimus ja palkkalaskelma",
    )
    event.refresh_from_db()
    assert event.status == Status.DISPUTED
    with pytest.raises(DomainError) as refused:
        dispute_decide(
            actor=serving.users["producer_staff"], dispute=dispute, upheld=True, reason="x"
        )
    assert refused.value.code == "forbidden"
    dispute_decide(
        actor=serving.users["advisor"], dispute=dispute, upheld=True, reason="Sopimus nähty."
    )
    event.refresh_from_db()
    assert event.status == Status.VERIFIED
    assert FirstOutcome.objects.get(episode=ep).verified_on == D(2026, 4, 15)
    with pytest.raises(DomainError) as refused:
        dispute_decide(
            actor=serving.users["advisor"], dispute=Dispute.objects.get(), upheld=False, reason="x"
        )
    assert refused.value.code == "dispute_decided"
    with pytest.raises(DomainError) as refused:
        dispute_raise(actor=serving.users["producer_staff"], event=event, reason="x", evidence="y")
    assert refused.value.code == "dispute_not_contradicted"


def test_a_sample_is_reproducible_from_its_seed(serving: World):
    people = [
        person(serving, identity.temporary_code(D(1980, 1, 1 + i), 900 + i)) for i in range(8)
    ]
    for who in people:
        episode(serving, who, D(2026, 1, 10), D(2026, 3, 31))
        record(serving, who, outcome=kind("started_degree"))
    sample = sample_draw(
        actor=serving.users["advisor"],
        alliance=serving.alliance,
        organizer=serving.org["tampere"],
        size=3,
        until=D(2026, 12, 1),
        seed=42,
    )
    population = list(OutcomeEvent.objects.order_by("pk").values_list("pk", flat=True))
    drawn = sorted(sample.events.values_list("pk", flat=True))
    assert drawn == draw(population, 3, 42)
    assert len(drawn) == 3
    assert (sample.population, sample.size, sample.seed) == (8, 3, 42)
    event = OutcomeEvent.objects.get(pk=drawn[0])
    with pytest.raises(DomainError) as refused:
        sample_check(
            actor=serving.users["advisor"], sample=sample, event=event, confirmed=True, evidence=" "
        )
    assert refused.value.code == "evidence_required"
    sample_check(
        actor=serving.users["advisor"],
        sample=sample,
        event=event,
        confirmed=False,
        evidence="Oppilaitos: ei aloittanut",
    )
    event.refresh_from_db()
    assert event.status == Status.CONTRADICTED
    outside = OutcomeEvent.objects.exclude(pk__in=drawn).first()
    with pytest.raises(DomainError) as refused:
        sample_check(
            actor=serving.users["advisor"],
            sample=sample,
            event=outside,
            confirmed=True,
            evidence="x",
        )
    assert refused.value.code == "sample_not_drawn"
    with pytest.raises(DomainError) as refused:
        sample_draw(
            actor=serving.users["producer_staff"],
            alliance=serving.alliance,
            organizer=serving.org["tampere"],
            size=3,
            until=D(2026, 12, 1),
        )
    assert refused.value.code == "forbidden"


def test_kpi_definitions_are_checked(serving: World):
    manager = serving.users["manager"]
    bad = [
        (
            Definition(code="Bad Code", name_fi="x", measure="share", types=("employed_open",)),
            "kpi_code",
        ),
        (
            Definition(code="a", name_fi=" ", measure="share", types=("employed_open",)),
            "name_required",
        ),
        (Definition(code="a", name_fi="x", measure="share"), "kpi_types"),
        (Definition(code="a", name_fi="x", measure="share", types=("nope",)), "kpi_types"),
        (
            Definition(
                code="a", name_fi="x", measure="share", employed_months=5, threshold_cents=1
            ),
            "kpi_months",
        ),
        (Definition(code="a", name_fi="x", measure="share", employed_months=6), "kpi_threshold"),
        (
            Definition(
                code="a", name_fi="x", measure="median_days", employed_months=6, threshold_cents=1
            ),
            "kpi_median_employed",
        ),
        (
            Definition(
                code="a",
                name_fi="x",
                measure="share",
                types=("employed_open",),
                scope="producer",
                party_id=serving.org["tampere"].pk,
            ),
            "kpi_party",
        ),
    ]
    for definition, code in bad:
        with pytest.raises(DomainError) as refused:
            definition_save(actor=manager, alliance=serving.alliance, definition=definition)
        assert refused.value.code == code, definition
    with pytest.raises(DomainError) as refused:
        definition_save(
            actor=serving.users["advisor"],
            alliance=serving.alliance,
            definition=Definition(code="a", name_fi="x", measure="share", types=("employed_open",)),
        )
    assert refused.value.code == "forbidden"
    saved = definition_save(
        actor=manager,
        alliance=serving.alliance,
        definition=Definition(
            code="a",
            name_fi="x",
            measure="share",
            types=("employed_open",),
            scope="producer",
            party_id=serving.org["producer"].pk,
        ),
    )
    assert saved.producer == serving.org["producer"]
    changed = definition_save(
        actor=manager,
        alliance=serving.alliance,
        definition=Definition(code="a", name_fi="y", measure="count", types=("started_degree",)),
    )
    assert changed.pk == saved.pk
    assert changed.producer is None
    assert list(changed.types.values_list("code", flat=True)) == ["started_degree"]


# Files --------------------------------------------------------------------------------------------


def write(tmp_path: Path, text: str, name: str = "tulokset.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_producer_imports_events_by_referral(serving: World, served, tmp_path):
    _who, ep = served
    number = ep.referral.number
    path = write(
        tmp_path,
        "lähete;tulos;päivä;näyttö;tunniste\n"
        f"{number};employed_open;15.4.2026;Työsopimus;E-1\n"
        f"{number};Aloitti tutkintoon johtavan koulutuksen;2026-05-02;;E-2\n",
    )
    result = events_import(
        actor=serving.users["producer_staff"],
        alliance=serving.alliance,
        path=path,
        source="tulokset.csv",
    )
    assert (result.recorded, result.skipped, result.duplicate) == (2, 0, False)
    events = list(OutcomeEvent.objects.order_by("occurred_on"))
    assert [(e.type.code, e.source, e.producer_id, e.external_id) for e in events] == [
        ("employed_open", Source.PRODUCER, serving.org["producer"].pk, "E-1"),
        ("started_degree", Source.PRODUCER, serving.org["producer"].pk, "E-2"),
    ]
    assert [list(e.episodes.all()) for e in events] == [[ep], [ep]]
    assert FirstOutcome.objects.filter(episode=ep).count() == 2
    again = events_import(
        actor=serving.users["producer_staff"], alliance=serving.alliance, path=path, source="x"
    )
    assert again.duplicate
    assert OutcomeEvent.objects.count() == 2
    # Another file with one identifier already recorded: that row is skipped, the new one lands.
    more = write(
        tmp_path,
        f"referral;outcome;date;id\n{number};employed_open;2026-04-15;E-1\n{number};employed_open;2026-06-01;E-3\n",
        "more.csv",
    )
    result = events_import(
        actor=serving.users["producer_staff"],
        alliance=serving.alliance,
        path=more,
        source="more.csv",
    )
    assert (result.recorded, result.skipped) == (1, 1)


def test_every_rejected_row_is_reported_and_nothing_lands(serving: World, served, tmp_path):
    _who, ep = served
    number = ep.referral.number
    company = customer_create(
        actor=serving.users["advisor"], alliance=serving.alliance, data=company_input()
    )
    company_episode = episode(serving, company, D(2026, 1, 1), None)
    path = write(
        tmp_path,
        "referral;outcome;date;id\n"
        f"{number};employed_open;2026-04-15;A\n"
        f"{number};flying;2026-04-15;B\n"
        f"{number};employed_open;2026-13-01;C\n"
        f"{number};employed_open;2025-12-01;D\n"
        f"99999;employed_open;2026-04-15;E\n"
        f"{number};employed_open;2026-04-16;A\n"
        f"{company_episode.referral.number};employed_open;2026-04-15;F\n",
    )
    with pytest.raises(ImportRejected) as refused:
        events_import(
            actor=serving.users["producer_staff"], alliance=serving.alliance, path=path, source="x"
        )
    assert [(e.line, e.column) for e in refused.value.errors] == [
        (3, "outcome"), (4, "date"), (5, "date"), (6, "referral"), (7, "id"), (8, "outcome"),
    ]  # fmt: skip
    assert "line 2" in refused.value.errors[4].text
    assert not OutcomeEvent.objects.exists()


def test_another_producer_cannot_import_for_an_episode_not_its_own(
    serving: World, served, tmp_path
):
    _who, ep = served
    path = write(
        tmp_path, f"referral;outcome;date\n{ep.referral.number};employed_open;2026-04-15\n"
    )
    with pytest.raises(ImportRejected) as refused:
        events_import(
            actor=serving.users["producer2_staff"], alliance=serving.alliance, path=path, source="x"
        )
    assert refused.value.errors[0].column == "referral"
    with pytest.raises(DomainError) as refused:
        events_import(
            actor=serving.users["manager"], alliance=serving.alliance, path=path, source="x"
        )
    assert refused.value.code == "forbidden"


def test_an_organizer_imports_by_customer_number(serving: World, served, tmp_path):
    who, _ep = served
    path = write(tmp_path, f"asiakas;tulos;päivä\n{who.number};employed_open;2026-04-15\n")
    result = events_import(
        actor=serving.users["advisor"], alliance=serving.alliance, path=path, source="x"
    )
    assert result.recorded == 1
    event = OutcomeEvent.objects.get()
    assert (event.source, event.reporter) == (Source.CUSTOMER, serving.org["tampere"])
