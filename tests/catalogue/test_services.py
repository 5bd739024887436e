"""The catalogue's writes: drafting, review, publishing, versions, withdrawal, requests."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import DatabaseError, transaction

from allianssi.alliances.models import Phase, ServiceArea
from allianssi.alliances.services import membership_exit
from allianssi.audit.models import AuditRecord
from allianssi.catalogue import search
from allianssi.catalogue.models import (
    ChannelKind,
    CustomerType,
    Jobseeker,
    PartyRole,
    Provision,
    RequestStatus,
    Service,
    ServiceRequest,
    ServiceVersion,
    VersionStatus,
)
from allianssi.catalogue.services import (
    REQUESTS_PER_HOUR,
    RequestInput,
    service_channel_add,
    service_create,
    service_draft_update,
    service_publish,
    service_request_create,
    service_request_handle,
    service_requests_purge,
    service_return,
    service_revise,
    service_submit,
    service_withdraw,
)
from allianssi.compliance.services import ComplianceRefusal
from allianssi.core.errors import DomainError
from allianssi.notifications.models import Notification
from tests.catalogue.conftest import channel_input, deliver, published, service_input
from tests.conftest import World

pytestmark = pytest.mark.django_db


def _refused(code: str, call, *args, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as raised:
        call(*args, **kwargs)
    assert raised.value.code == code, raised.value.message
    return raised.value


def test_service_create__producer_drafts_its_own_service_with_roles_kept_apart(delivering: World):
    version = service_create(
        actor=delivering.users["producer_staff"],
        alliance=delivering.alliance,
        data=service_input(
            delivering, producer_ids=[delivering.org["producer"].pk, delivering.org["own_unit"].pk]
        ),
    )
    assert version.status == VersionStatus.DRAFT
    assert version.service.number == 1
    parties = {(p.organisation.name, p.role, p.provision) for p in version.parties.all()}
    assert parties == {
        ("Tampere", PartyRole.RESPONSIBLE, ""),
        ("Työpolku Oy", PartyRole.PRODUCER, Provision.PROCURED),
        ("Tampereen työllisyyspalvelut", PartyRole.PRODUCER, Provision.SELF_PRODUCED),
    }
    assert AuditRecord.objects.filter(action="service.create", object_id=str(version.pk)).exists()


def test_service_create__organizer_is_never_a_producer_nor_producer_responsible(delivering: World):
    staff = delivering.users["producer_staff"]
    _refused(
        "producer_not_producer",
        service_create,
        actor=staff,
        alliance=delivering.alliance,
        data=service_input(delivering, producer_ids=[delivering.org["tampere"].pk]),
    )
    _refused(
        "responsible_not_organizer",
        service_create,
        actor=staff,
        alliance=delivering.alliance,
        data=service_input(delivering, responsible_ids=[delivering.org["producer"].pk]),
    )
    assert not Service.objects.exists()


def test_service_create__producer_cannot_draft_for_another_party(delivering: World):
    _refused(
        "own_party_missing",
        service_create,
        actor=delivering.users["producer_staff"],
        alliance=delivering.alliance,
        data=service_input(delivering, producer_ids=[delivering.org["own_unit"].pk]),
    )


def test_service_create__observer_and_strangers_are_refused(delivering: World):
    for who in ["observer", "other_manager"]:
        _refused(
            "forbidden",
            service_create,
            actor=delivering.users[who],
            alliance=delivering.alliance,
            data=service_input(delivering),
        )


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        ({"min_age": 30, "max_age": 18}, "ages_reversed", "max_age"),
        ({"min_age": 200}, "age_range", "min_age"),
        (
            {"for_persons": False, "for_companies": True, "min_age": 18},
            "eligibility_persons_only",
            "min_age",
        ),
        (
            {"for_persons": False, "for_companies": True, "jobseeker": Jobseeker.REGISTERED},
            "eligibility_persons_only",
            "jobseeker",
        ),
        ({"company_max_employees": 10}, "eligibility_companies_only", "company_max_employees"),
        ({"for_persons": False}, "customer_type_required", "for_persons"),
        ({"name_fi": ""}, "text_required", "name_fi"),
        ({"summary_fi": "x" * 501}, "text_too_long", "summary_fi"),
        ({"service_area": ServiceArea.WELLBEING}, "service_area_outside", "service_area"),
        ({"target_groups": ["KR9"]}, "code_unknown", "target_groups"),
        ({"service_classes": []}, "service_class_required", "service_classes"),
        ({"municipalities": ["091"]}, "municipality_outside", "municipalities"),
        ({"municipalities": []}, "municipality_required", "municipalities"),
        ({"chargeable": True}, "charge_required", "charge_fi"),
        ({"capacity_per_month": 0}, "capacity_invalid", "capacity_per_month"),
        (
            {"valid_from": dt.date(2027, 1, 1), "valid_to": dt.date(2026, 1, 1)},
            "validity_reversed",
            "valid_to",
        ),
        # what the domain allows, each range named
        ({"capacity_per_month": 10**12}, "capacity_invalid", "capacity_per_month"),
        (
            {"for_companies": True, "company_max_employees": 3_000_000_000},
            "company_limit_range",
            "company_max_employees",
        ),
        (
            {"for_companies": True, "company_max_age_years": -1},
            "company_limit_range",
            "company_max_age_years",
        ),
        ({"valid_from": dt.date(1, 1, 1)}, "validity_out_of_range", "valid_from"),
        ({"valid_to": dt.date(9999, 12, 31)}, "validity_out_of_range", "valid_to"),
        ({"description_fi": "Kuvaus\x00"}, "text_character", "description_fi"),
        ({"name_sv": "\ud800"}, "text_character", "name_sv"),
    ],
)
def test_service_create__contradictory_or_bad_input_is_refused_at_its_field(
    delivering: World, changes, code, field
):
    error = _refused(
        code,
        service_create,
        actor=delivering.users["manager"],
        alliance=delivering.alliance,
        data=service_input(delivering, **changes),
    )
    assert error.field == field
    assert error.message
    assert not Service.objects.exists()


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"street": ""}, "address_required"),
        ({"postal_code": "331"}, "postal_code_invalid"),
        ({"municipality_code": ""}, "municipality_required"),
        ({"kind": ChannelKind.PHONE, "phone": ""}, "phone_required"),
        ({"kind": ChannelKind.PHONE, "phone": "call us"}, "phone_invalid"),
        ({"kind": ChannelKind.E_SERVICE, "url": ""}, "url_required"),
        ({"kind": ChannelKind.WEB_PAGE, "url": "javascript:alert(1)"}, "url_invalid"),
        ({"languages": []}, "languages_required"),
        ({"hours": [{"day": 1, "opens": "16:00", "closes": "08:00"}]}, "hours_invalid"),
        ({"hours": [{"day": 8, "opens": "08:00", "closes": "16:00"}]}, "hours_invalid"),
        ({"street": "k" * 201}, "text_too_long"),
        ({"kind": ChannelKind.WEB_PAGE, "url": "https://e.fi/" + "a" * 500}, "text_too_long"),
        ({"email": "not an address"}, "email_invalid"),
        ({"name_fi": "Toimipiste\x00"}, "text_character"),
    ],
)
def test_service_channel_add__a_channel_without_a_way_to_reach_it_is_refused(
    delivering: World, changes, code
):
    version = service_create(
        actor=delivering.users["manager"],
        alliance=delivering.alliance,
        data=service_input(delivering),
    )
    _refused(
        code,
        service_channel_add,
        actor=delivering.users["manager"],
        version=version,
        data=channel_input(**changes),
    )
    assert not version.channels.exists()


def test_service_submit__needs_a_channel(delivering: World):
    version = service_create(
        actor=delivering.users["manager"],
        alliance=delivering.alliance,
        data=service_input(delivering),
    )
    _refused("channel_required", service_submit, actor=delivering.users["manager"], version=version)


def test_service_publish__the_whole_flow_and_who_may_review(delivering: World):
    staff = delivering.users["producer_staff"]
    version = service_create(
        actor=staff, alliance=delivering.alliance, data=service_input(delivering)
    )
    service_channel_add(actor=staff, version=version, data=channel_input())
    service_submit(actor=staff, version=version)
    # Tampere's leadership member reviews: Tampere is responsible. Nokia's controller is not.
    assert Notification.objects.filter(
        user=delivering.users["leader"], kind="service_submitted"
    ).exists()
    _refused("forbidden", service_publish, actor=staff, version=version)
    _refused("forbidden", service_publish, actor=delivering.users["controller"], version=version)
    service_return(actor=delivering.users["leader"], version=version, reason="Lisää aukioloajat.")
    version.refresh_from_db()
    assert version.status == VersionStatus.DRAFT
    assert version.return_reason == "Lisää aukioloajat."
    service_submit(actor=staff, version=version)
    service_publish(actor=delivering.users["leader"], version=version)
    version.refresh_from_db()
    assert version.status == VersionStatus.PUBLISHED
    assert version.service.current_id == version.pk
    actions = list(
        AuditRecord.objects.filter(action__startswith="service.").values_list("action", flat=True)
    )
    assert actions == [
        "service.create",
        "service.channel_add",
        "service.submit",
        "service.return",
        "service.submit",
        "service.publish",
    ]


def test_service_create__not_before_the_alliance_has_producers(world: World):
    _refused(
        "producer_not_producer",
        service_create,
        actor=world.users["manager"],
        alliance=world.alliance,
        data=service_input(world),
    )


def test_service_publish__only_in_a_delivering_phase(world: World):
    world.to_phase(Phase.FORMATION)
    manager = world.users["manager"]
    version = service_create(actor=manager, alliance=world.alliance, data=service_input(world))
    service_channel_add(actor=manager, version=version, data=channel_input())
    service_submit(actor=manager, version=version)
    _refused("phase_not_delivering", service_publish, actor=manager, version=version)


def test_service_draft_update__published_versions_change_only_by_a_new_version(delivering: World):
    first = published(delivering)
    manager = delivering.users["manager"]
    _refused(
        "not_a_draft",
        service_draft_update,
        actor=manager,
        version=first,
        data=service_input(delivering, name_fi="Uusi nimi"),
    )
    second = service_revise(actor=manager, service=first.service)
    assert second.version == 2
    assert second.channels.count() == 1
    _refused("version_open", service_revise, actor=manager, service=first.service)
    service_draft_update(
        actor=manager, version=second, data=service_input(delivering, name_fi="Työnhaun valmennus")
    )
    service_submit(actor=manager, version=second)
    service_publish(actor=manager, version=second)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (VersionStatus.SUPERSEDED, VersionStatus.PUBLISHED)
    assert first.name_fi == "Työnhakuvalmennus"
    assert Service.objects.get().current_id == second.pk


def test_service_version__a_replaced_version_is_frozen_by_the_database(delivering: World):
    first = published(delivering)
    manager = delivering.users["manager"]
    second = service_revise(actor=manager, service=first.service)
    service_submit(actor=manager, version=second)
    service_publish(actor=manager, version=second)
    with pytest.raises(DatabaseError), transaction.atomic():
        ServiceVersion.objects.filter(pk=first.pk).update(name_fi="Muutettu")
    with pytest.raises(DatabaseError), transaction.atomic():
        ServiceVersion.objects.filter(pk=second.pk).delete()


def test_service_withdraw__keeps_the_history_and_leaves_the_search(delivering: World):
    version = published(delivering)
    service = version.service
    _refused(
        "reason_required",
        service_withdraw,
        actor=delivering.users["manager"],
        service=service,
        reason="",
    )
    service_withdraw(actor=delivering.users["manager"], service=service, reason="Palvelu päättyi.")
    version.refresh_from_db()
    service.refresh_from_db()
    assert version.status == VersionStatus.WITHDRAWN
    assert version.withdraw_reason == "Palvelu päättyi."
    assert service.current_id is None
    assert not service.facets.exists()
    assert not search.matching(Service.objects.all(), "valmennus", "fi").exists()


def test_membership_exit__a_leaving_producer_takes_its_services_off_and_tells_the_organizer(
    world: World,
):
    delivering = deliver(world, Phase.DEVELOPMENT)
    version = published(delivering)
    draft = service_revise(actor=delivering.users["manager"], service=version.service)
    membership_exit(
        actor=delivering.users["manager"],
        membership=delivering.membership("producer"),
        effective_on=dt.date(2026, 6, 30),
        reason="Sopimus päättyi.",
    )
    statuses = set(ServiceVersion.objects.values_list("status", flat=True))
    assert statuses == {VersionStatus.WITHDRAWN}
    assert Service.objects.get().current_id is None
    assert Notification.objects.filter(
        user=delivering.users["leader"], kind="service_withdrawn_left"
    ).exists()
    draft.refresh_from_db()
    assert "Työpolku Oy" in draft.withdraw_reason


def test_service_publish__a_private_producer_gets_no_public_administrative_tasks(delivering: World):
    with pytest.raises(ComplianceRefusal) as raised:
        published(delivering, public_authority=True)
    assert "8a" in {f.rule.number for f in raised.value.findings}
    assert not ServiceVersion.objects.filter(status=VersionStatus.PUBLISHED).exists()
    # Produced by Tampere's own unit, the same service may carry them.
    own = published(
        delivering,
        author="manager",
        public_authority=True,
        producer_ids=[delivering.org["own_unit"].pk],
    )
    assert own.status == VersionStatus.PUBLISHED


def test_service_publish__the_responsible_organizer_must_carry_the_area(delivering: World):
    with pytest.raises(ComplianceRefusal) as raised:
        published(
            delivering, responsible_ids=[delivering.org["nokia"].pk, delivering.org["tampere"].pk]
        )
    assert [f.rule.number for f in raised.value.findings] == ["8b"]
    assert "Nokia" in raised.value.findings[0].explanation


def _request(**changes) -> RequestInput:
    data = {
        "customer_type": CustomerType.PERSON,
        "name": "Maija Meikäläinen",
        "contact": "maija@example.fi",
        "municipality_code": "536",
        "message": "Haluaisin apua työnhakuun.",
        **changes,
    }
    return RequestInput(**data)


def test_service_request_create__reaches_the_responsible_organizers_queue(delivering: World):
    version = published(delivering)
    request = service_request_create(
        service=version.service, data=_request(), language="fi", address="192.0.2.1"
    )
    assert request.organizer == delivering.org["tampere"]
    assert request.delete_after == request.created_at.date() + dt.timedelta(days=90)
    assert "192.0.2.1" not in request.source
    assert Notification.objects.filter(
        user=delivering.users["leader"], kind="service_requested"
    ).exists()
    record = AuditRecord.objects.get(action="service_request.create")
    assert "Maija" not in str(record.after)
    assert "maija@example.fi" not in str(record.after)


def test_service_request_create__a_company_needs_a_valid_business_id(delivering: World):
    version = published(delivering, for_companies=True)
    error = _refused(
        "business_id_invalid",
        service_request_create,
        service=version.service,
        data=_request(
            customer_type=CustomerType.COMPANY, company_name="Yritys Oy", business_id="1234567-8"
        ),
        language="fi",
        address="192.0.2.1",
    )
    assert error.field == "business_id"
    request = service_request_create(
        service=version.service,
        data=_request(
            customer_type=CustomerType.COMPANY, company_name="Yritys Oy", business_id="0112038-9"
        ),
        language="fi",
        address="192.0.2.1",
    )
    assert request.business_id == "0112038-9"


def test_service_request_create__one_address_is_rate_limited(delivering: World):
    version = published(delivering)
    for _ in range(REQUESTS_PER_HOUR):
        service_request_create(
            service=version.service, data=_request(), language="fi", address="192.0.2.7"
        )
    _refused(
        "rate_limited",
        service_request_create,
        service=version.service,
        data=_request(),
        language="fi",
        address="192.0.2.7",
    )
    service_request_create(
        service=version.service, data=_request(), language="sv", address="192.0.2.8"
    )
    assert ServiceRequest.objects.count() == REQUESTS_PER_HOUR + 1


def test_service_request_create__not_for_a_withdrawn_service(delivering: World):
    version = published(delivering)
    service_withdraw(actor=delivering.users["manager"], service=version.service, reason="Loppui.")
    _refused(
        "service_unavailable",
        service_request_create,
        service=version.service,
        data=_request(),
        language="fi",
        address="192.0.2.1",
    )


def test_service_request_handle__only_the_organizers_own_people(delivering: World):
    version = published(delivering)
    request = service_request_create(
        service=version.service, data=_request(), language="fi", address="192.0.2.1"
    )
    for who in ["manager", "controller", "producer_staff"]:
        _refused(
            "forbidden",
            service_request_handle,
            actor=delivering.users[who],
            request=request,
            note="",
        )
    service_request_handle(actor=delivering.users["leader"], request=request, note="Soitettu.")
    request.refresh_from_db()
    assert request.status == RequestStatus.HANDLED


def test_service_requests_purge__deletes_what_has_passed_its_time(delivering: World):
    version = published(delivering)
    old = service_request_create(
        service=version.service, data=_request(), language="fi", address="192.0.2.1"
    )
    kept = service_request_create(
        service=version.service, data=_request(), language="fi", address="192.0.2.2"
    )
    ServiceRequest.objects.filter(pk=old.pk).update(delete_after=dt.date(2026, 1, 1))
    assert service_requests_purge(today=kept.delete_after) == 1
    assert list(ServiceRequest.objects.values_list("pk", flat=True)) == [kept.pk]
    record = AuditRecord.objects.get(action="service_request.purge")
    assert record.after["deleted"] == 1


def test_search__stemming_finds_inflected_finnish_and_swedish_words(delivering: World):
    published(delivering)
    published(
        delivering,
        name_fi="Yritysneuvonta",
        name_sv="Företagsrådgivning",
        summary_fi="Neuvoja yrityksen perustamiseen.",
        summary_sv="Råd om att grunda ett företag.",
        description_fi="Neuvoja yrittäjille.",
        service_area=ServiceArea.BUSINESS,
        responsible_ids=[delivering.org["region"].pk],
        for_companies=True,
    )
    services = Service.objects.all()
    found = search.matching(services, "haastatteluun", "fi")
    assert [s.current.name_fi for s in found] == ["Työnhakuvalmennus"]
    found = search.matching(services, "yrittäjälle yritykset", "fi")
    assert [s.current.name_fi for s in found] == ["Yritysneuvonta"]
    found = search.matching(services, "företagens råd", "sv")
    assert [s.current.name_fi for s in found] == ["Yritysneuvonta"]
    assert search.matching(services, "kalastus", "fi").count() == 0


def test_catalogue_purge_requests__the_command_for_cron(delivering: World):
    from io import StringIO

    from django.core.management import call_command

    version = published(delivering)
    old = service_request_create(
        service=version.service, data=_request(), language="fi", address="192.0.2.1"
    )
    ServiceRequest.objects.filter(pk=old.pk).update(delete_after=dt.date(2026, 1, 1))
    out = StringIO()
    call_command("catalogue_purge_requests", stdout=out)
    assert "Deleted 1 request" in out.getvalue()
    assert not ServiceRequest.objects.exists()


def test_catalogue_reindex__rebuilds_what_the_search_finds(delivering: World):
    from io import StringIO

    from django.core.management import call_command

    published(delivering)
    search.unindex(Service.objects.get())
    Service.objects.update(current=None)
    out = StringIO()
    call_command("catalogue_reindex", stdout=out)
    assert "Indexed 1" in out.getvalue()
    assert search.matching(Service.objects.all(), "haastatteluun", "fi").count() == 1


def test_served_municipalities__the_members_and_their_joint_bodies_without_the_region(
    world: World,
):
    from allianssi.alliances.services import alliance_create, membership_add
    from allianssi.catalogue.services import served_municipalities
    from allianssi.parties.models import OrganisationKind
    from allianssi.parties.services import organisation_create, organisation_for_municipality

    alliance = alliance_create(
        actor=world.users["stranger"],  # works for Tampere, which becomes the first organizer
        name="Tampereen seudun allianssi",
        region=world.region,
        term_start=dt.date(2026, 1, 1),
        term_end=dt.date(2027, 12, 31),
        service_areas=[ServiceArea.EMPLOYMENT],
    )
    assert set(served_municipalities(alliance)) == {"837"}
    ylojarvi = organisation_for_municipality(actor=None, code="980")
    joint = organisation_create(
        actor=world.users["stranger"],
        kind=OrganisationKind.JOINT_BODY,
        name="Pirkan työllisyysalue",
        host=ylojarvi,
        members=[ylojarvi, organisation_for_municipality(actor=None, code="211")],
    )
    membership_add(
        actor=world.users["stranger"],
        alliance=alliance,
        organisation=joint,
        role="organizer",
        joined_on=dt.date(2026, 1, 1),
    )
    assert set(served_municipalities(alliance)) == {"837", "980", "211"}
    # Where the region organizes, the whole region is served.
    assert len(served_municipalities(world.alliance)) == world.region.municipalities.count()


def test_search_stems__threads_never_share_a_stemmer():
    """Snowball stemmers keep state while they work: shared by gthread workers' threads they
    gave wrong stems and exceptions. Each thread gets its own."""
    from concurrent.futures import ThreadPoolExecutor

    words = "työnhakuvalmennus yrittäjille haastatteluihin företagens rådgivningen " * 50
    expected = {lang: search.stems(words, lang) for lang in ("fi", "sv")}

    def run(language: str) -> bool:
        return all(search.stems(words, language) == expected[language] for _ in range(40))

    with ThreadPoolExecutor(max_workers=4) as pool:
        assert all(pool.map(run, ["fi", "sv"] * 8))
    import threading

    barrier = threading.Barrier(2)

    def own(_: int) -> object:
        barrier.wait()  # both threads alive at once: the pool cannot reuse one for both
        return search._stemmer("fi")

    with ThreadPoolExecutor(max_workers=2) as pool:
        first, second = pool.map(own, range(2))
    assert first is not second


def test_service_create__the_ranges_are_named_in_the_refusal(delivering: World):
    from django.utils.translation import override

    with override("en"):
        error = _refused(
            "capacity_invalid",
            service_create,
            actor=delivering.users["manager"],
            alliance=delivering.alliance,
            data=service_input(delivering, capacity_per_month=1_000_001),
        )
        assert error.message == (
            "The capacity is from one to 1 000 000 customers a month; leave it empty if unlimited."
        )
        error = _refused(
            "validity_out_of_range",
            service_create,
            actor=delivering.users["manager"],
            alliance=delivering.alliance,
            data=service_input(delivering, valid_to=dt.date(9999, 12, 31)),
        )
        assert error.message.startswith("A service's validity lies between 1 Jan 2000 and 31 Dec ")
    version = service_create(
        actor=delivering.users["manager"],
        alliance=delivering.alliance,
        data=service_input(delivering, capacity_per_month=1_000_000),
    )
    assert version.capacity_per_month == 1_000_000


def test_service_return__a_reason_within_its_limit(delivering: World):
    version = service_create(
        actor=delivering.users["producer_staff"],
        alliance=delivering.alliance,
        data=service_input(delivering),
    )
    service_channel_add(
        actor=delivering.users["producer_staff"], version=version, data=channel_input()
    )
    service_submit(actor=delivering.users["producer_staff"], version=version)
    _refused(
        "text_too_long",
        service_return,
        actor=delivering.users["manager"],
        version=version,
        reason="r" * 2_001,
    )
