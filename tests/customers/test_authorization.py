"""Who may open the customers' and referrals' pages and make their writes: role × page and role ×
write, each denied write changing nothing. A customer or referral the user may not see is not
found (404), so that its existence is not revealed; a page or move the user may see but not use
is forbidden (403); another alliance's people get only 404s."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from allianssi.audit.models import AuditRecord
from allianssi.customers import jobs
from allianssi.customers.models import (
    Consent,
    ControllerSettings,
    Customer,
    CustomerAccess,
    CustomerImportJob,
)
from allianssi.customers.services import consent_give, consent_withdraw, customer_create
from allianssi.referrals.models import Referral, Transition
from allianssi.referrals.services import referral_create
from tests.conftest import World
from tests.customers.world import OTHER_HETU, company_input, customer, offered
from tests.test_authorization_matrix import IN_ALLIANCE, PEOPLE, _client

pytestmark = pytest.mark.django_db

#: The matrix's people and the serving world's: advisors of Tampere and Nokia, the staff of
#: Tampere's own unit and of a producer that does not produce the service.
SERVING = ["advisor", "advisor_nokia", "unit_staff", "producer2_staff"]
EVERYONE = [*PEOPLE, *SERVING]
IN = IN_ALLIANCE | set(SERVING)
ADVISORS = {"advisor", "advisor_nokia"}
PRODUCER_STAFF = {"producer_staff", "unit_staff", "producer2_staff"}


def _expected(who: str, allowed: set[str], visible: set[str] | None = None) -> int:
    """200 for the allowed; for the others in the alliance 403 if they may see the thing (or
    it is a page of the alliance, ``visible`` None), 404 if not."""
    if who == "anonymous":
        return 302
    if who not in IN:
        return 404
    if who in allowed:
        return 200
    if visible is None or who in visible:
        return 403
    return 404


@pytest.fixture
def authz(serving: World) -> World:
    """Customer 1 (Maija, Tampere) with a consent and referral 1 sent to Työpolku Oy; customer
    2 (Toivo, Tampere) with referral 2 drafted; customer 3 of Nokia; customer 4, a company of
    Tampere served on a consent it has withdrawn (so erasable)."""
    version = offered(serving)
    advisor = serving.users["advisor"]
    maija = customer(serving)
    consent_give(customer=maija, purpose="Tietojen luovutus", actor=advisor)
    toivo = customer(serving, hetu=OTHER_HETU, name="Toivo")
    for person, send in [(maija, True), (toivo, False)]:
        referral_create(
            actor=advisor,
            customer=person,
            service=version.service,
            producer=serving.org["producer"],
            message="Viesti",
            send=send,
        )
    customer(serving, who="advisor_nokia")
    company = customer_create(
        actor=advisor,
        alliance=serving.alliance,
        data=company_input(legal_basis="consent", statutory_task="", consent_purpose="Neuvonta"),
    )
    consent_withdraw(consent=company.consents.get(), actor=advisor)
    return serving


def _pages(world: World) -> list[tuple[str, set[str], set[str] | None]]:
    pk = world.alliance.pk

    def url(name: str, *args: Any) -> str:
        return reverse(name, args=[pk, *args])

    return [
        (url("customers:list"), ADVISORS, None),
        (url("customers:create"), ADVISORS, None),
        (url("customers:import"), ADVISORS, None),
        (url("customers:import_template"), ADVISORS, None),
        (url("customers:settings"), {"leader", "controller"}, None),
        (url("customers:detail", 1), {"advisor"}, set()),
        (url("customers:edit", 1), {"advisor"}, set()),
        (url("customers:export", 1), {"advisor"}, set()),
        (url("customers:export_json", 1), {"advisor"}, set()),
        (url("customers:erase", 4), {"advisor"}, set()),
        (url("customers:access", 1), {"advisor", "leader"}, set()),
        (url("customers:detail", 3), {"advisor_nokia"}, set()),
        (url("referrals:queue"), PRODUCER_STAFF, None),
        (url("referrals:outgoing"), ADVISORS | PRODUCER_STAFF, None),
        (url("referrals:detail", 1), {"advisor", "producer_staff"}, set()),
        (url("referrals:detail", 2), {"advisor"}, set()),
        (url("referrals:create", 1), {"advisor"}, set()),
    ]


@pytest.mark.parametrize("who", EVERYONE)
def test_pages__by_role(authz: World, who: str):
    client = _client(authz, who)
    for url, allowed, visible in _pages(authz):
        response = client.get(url)
        assert response.status_code == _expected(who, allowed, visible), url
        if response.status_code == 404:
            assert "Maija" not in response.content.decode()


def _writes(world: World) -> dict[str, tuple[str, dict[str, str], set[str], set[str] | None]]:
    """Each write: its address, its data, who may make it, who sees its object (None: a write
    on the alliance's own page, refused with 403)."""
    pk = world.alliance.pk
    consent = Consent.objects.get(customer__number=1)
    sent_viewers = {"advisor", "producer_staff"}

    def url(name: str, *args: Any) -> str:
        return reverse(name, args=[pk, *args])

    return {
        "create": (
            url("customers:create"),
            {
                "kind": "person",
                "name": "Uusi",
                "hetu": "150590-957T",
                "language": "fi",
                "legal_basis": "statutory",
                "statutory_task": "employment",
            },
            ADVISORS,
            None,
        ),
        "settings": (url("customers:settings"), {"retention_days": "100"}, {"leader"}, None),
        "edit": (
            url("customers:edit", 1),
            {"name": "Kaapattu", "language": "fi"},
            {"advisor"},
            set(),
        ),
        "reveal": (url("customers:reveal", 1), {"reveal-why": "Uteliaisuus"}, {"advisor"}, set()),
        "consent_give": (
            url("customers:consent_give", 1),
            {"consent-purpose": "Jotain"},
            {"advisor"},
            set(),
        ),
        "consent_withdraw": (
            url("customers:consent_withdraw", 1, consent.pk),
            {},
            {"advisor"},
            set(),
        ),
        "erase": (url("customers:erase", 4), {"confirm": "on"}, {"advisor"}, set()),
        "refer": (
            url("referrals:create", 1),
            {"target": f"{Referral.objects.get(number=1).service_id}:{world.org['producer'].pk}"},
            {"advisor"},
            set(),
        ),
        "send": (url("referrals:send", 2), {}, {"advisor"}, {"advisor"}),
        "revoke": (url("referrals:revoke", 1), {"revoke-reason": "x"}, {"advisor"}, sent_viewers),
        "accept": (
            url("referrals:accept", 1),
            {"accept-month": "2026-12-01"},
            {"producer_staff"},
            sent_viewers,
        ),
        "reject": (
            url("referrals:reject", 1),
            {"reject-code": "no_capacity"},
            {"producer_staff"},
            sent_viewers,
        ),
        "decline": (url("referrals:decline", 1), {}, sent_viewers, sent_viewers),
        "start": (url("referrals:start", 1), {}, {"producer_staff"}, sent_viewers),
        "complete": (
            url("referrals:complete", 1),
            {"complete-outcome": "achieved"},
            {"producer_staff"},
            sent_viewers,
        ),
        "interrupt": (
            url("referrals:interrupt", 1),
            {"interrupt-ended_by": "producer", "interrupt-reason": "x"},
            {"producer_staff"},
            sent_viewers,
        ),
    }


def _state() -> tuple[Any, ...]:
    return (
        list(Customer.objects.order_by("pk").values_list("name", "erased_at")),
        list(Consent.objects.order_by("pk").values_list("purpose", "withdrawn_at")),
        list(Referral.objects.order_by("pk").values_list("state", flat=True)),
        Referral.objects.count(),
        Transition.objects.count(),
        ControllerSettings.objects.count(),
        CustomerAccess.objects.count(),
        AuditRecord.objects.count(),
    )


WRITES = [
    "create",
    "settings",
    "edit",
    "reveal",
    "consent_give",
    "consent_withdraw",
    "erase",
    "refer",
    "send",
    "revoke",
    "accept",
    "reject",
    "decline",
    "start",
    "complete",
    "interrupt",
]
#: The writes' allowed people (as in _writes), to parametrize the denied ones.
_ALLOWED = {
    "create": ADVISORS,
    "settings": {"leader"},
    "send": {"advisor"},
    "revoke": {"advisor"},
    "accept": {"producer_staff"},
    "reject": {"producer_staff"},
    "decline": {"advisor", "producer_staff"},
    "start": {"producer_staff"},
    "complete": {"producer_staff"},
    "interrupt": {"producer_staff"},
}


def _denied(who: str) -> list[str]:
    return [
        write
        for write in WRITES
        if who not in _ALLOWED.get(write, {"advisor"})
        # Nokia's controller manages its own organizer's setting (another row): allowed.
        and not (write == "settings" and who == "controller")
    ]


@pytest.mark.parametrize("who", EVERYONE)
def test_writes__denied_ones_change_nothing(authz: World, who: str):
    """Every write the person may not make, one after another: refused, and nothing changed
    (not even a read logged)."""
    client = _client(authz, who)
    writes = _writes(authz)
    before = _state()
    for write in _denied(who):
        url, data, allowed, visible = writes[write]
        assert who not in allowed
        response = client.post(url, data)
        assert response.status_code == _expected(who, allowed, visible), (who, write)
        assert _state() == before, (who, write)


@pytest.mark.parametrize("write", WRITES)
def test_writes__the_allowed_may(authz: World, write: str):
    url, data, allowed, _visible = _writes(authz)[write]
    who = sorted(allowed)[0]
    if write in {"start", "complete", "interrupt"}:
        # The sent referral must first be accepted (and started) for these.
        from allianssi.referrals.services import Move, referral_accept, referral_start

        referral = Referral.objects.get(number=1)
        move = Move(actor=authz.users["producer_staff"], via="web")
        referral_accept(referral=referral, move=move)
        if write != "start":
            referral_start(referral=referral, move=move)
    before = _state()
    response = _client(authz, who).post(url, data)
    assert response.status_code in {200, 302}, response.content.decode()[:2000]
    assert _state() != before


def test_url_guessing__another_alliance_in_the_address_finds_nothing(authz: World):
    other = authz.other.pk
    client = _client(authz, "advisor")
    for name, args in [
        ("customers:detail", [other, 1]),
        ("customers:list", [other]),
        ("referrals:detail", [other, 1]),
        ("referrals:queue", [other]),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 404
    outsider = _client(authz, "other_manager")
    assert outsider.get(reverse("customers:detail", args=[other, 1])).status_code == 404
    assert outsider.get(reverse("referrals:detail", args=[other, 1])).status_code == 404


def test_url_guessing__a_missing_and_a_hidden_customer_look_the_same(authz: World):
    client = _client(authz, "advisor_nokia")
    hidden = client.get(reverse("customers:detail", args=[authz.alliance.pk, 1]))
    missing = client.get(reverse("customers:detail", args=[authz.alliance.pk, 999]))
    assert hidden.status_code == missing.status_code == 404


@pytest.mark.parametrize("who", ["anonymous", "advisor", "manager"])
def test_person_pages__only_for_a_person_signed_in_by_identification(authz: World, who: str):
    """A staff login is not a person's identification: the person's pages send it to sign in."""
    client = _client(authz, who) if who != "anonymous" else Client()
    for name in ["mine_fi", "mine_data_sv", "mine_data_json_en"]:
        response = client.get(reverse(f"customers:{name}"))
        assert response.status_code == 302
        assert "next=" in response["Location"]
    referral = Referral.objects.get(number=1)
    response = client.post(reverse("customers:mine_decline_en", args=[referral.pk]))
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.state == "sent"


@pytest.mark.parametrize("who", EVERYONE)
def test_customer_import__by_role(authz: World, who: str):
    """An organizer's advisors upload their own organizer's customers; an import's pages are
    that organizer's advisors' only (another organizer's advisor does not find it)."""
    pk = authz.alliance.pk
    job = jobs.job_create(
        actor=authz.users["advisor"],
        alliance=authz.alliance,
        upload=io.BytesIO(b"{}\n"),
        name="tampere.jsonl",
        dry_run=True,
    )
    client = _client(authz, who)
    for name in ("customers:import_job", "customers:import_job_status"):
        response = client.get(reverse(name, args=[pk, job.pk]))
        assert response.status_code == _expected(who, {"advisor"}, set()), name
    upload = SimpleUploadedFile("a.jsonl", b"{}\n")
    response = client.post(
        reverse("customers:import", args=[pk]), {"file": upload, "mode": "check"}
    )
    mine = CustomerImportJob.objects.exclude(pk=job.pk)
    if who in ADVISORS:
        assert response.status_code == 302
        assert mine.get().organizer_id == authz.users[who].organisation_id
    else:
        assert response.status_code == _expected(who, set())
        assert not mine.exists()
