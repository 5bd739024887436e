"""Every write to customers' data: one transaction each, permission-checked, audited.

The audit trail is permanent, so it names customers only by their number, never by anything
that identifies them; what identifies them is erased by :func:`customer_erase` and
:func:`customers_purge`, and the trail stays whole. Reads are logged in :class:`CustomerAccess`
by :func:`customer_read`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext_lazy as _
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fi import ytunnus

from allianssi import permissions
from allianssi.alliances.models import Alliance, MemberRole, Membership
from allianssi.alliances.services import alliance_lock
from allianssi.audit import actions
from allianssi.audit.services import audit_append
from allianssi.core import clock, hooks
from allianssi.core.errors import DomainError, forbidden
from allianssi.core.text import unstorable
from allianssi.customers.models import (
    DEFAULT_RETENTION_DAYS,
    AccessReason,
    Consent,
    ControllerSettings,
    Customer,
    CustomerAccess,
    CustomerKind,
    LegalBasis,
    StatutoryTask,
)
from allianssi.identification import identity
from allianssi.parties.models import Municipality, Organisation

if TYPE_CHECKING:
    from allianssi.accounts.models import User

#: A company's employees, as the form takes them.
MAX_EMPLOYEES = 1_000_000
#: The earliest date a company can have been registered on (none later than today).
REGISTERED_EARLIEST = dt.date(1800, 1, 1)


@dataclass(frozen=True)
class CustomerInput:
    kind: str
    name: str
    hetu: str = ""
    business_id: str = ""
    email: str = ""
    phone: str = ""
    municipality: str = ""  # Statistics Finland code
    language: str = "fi"
    jobseeker: bool = False
    employees: int | None = None
    registered_on: dt.date | None = None
    legal_basis: str = LegalBasis.STATUTORY
    statutory_task: str = ""
    consent_purpose: str = ""


@dataclass(frozen=True)
class ContactInput:
    name: str
    email: str = ""
    phone: str = ""
    municipality: str = ""
    language: str = "fi"
    jobseeker: bool = False
    employees: int | None = None


def _organizer_of(actor: User, alliance: Alliance) -> Organisation:
    """The organizer the actor serves customers for, or a refusal."""
    organisation_id = getattr(actor, "organisation_id", None)
    membership = (
        Membership.objects.filter(
            alliance=alliance,
            organisation_id=organisation_id or 0,
            ended_on__isnull=True,
            role=MemberRole.ORGANIZER,
        )
        .select_related("organisation")
        .first()
    )
    if membership is None or not permissions.can_serve_customers(
        actor, alliance, organizer_id=membership.organisation_id
    ):
        raise forbidden()
    return membership.organisation


def _municipality(code: str) -> Municipality | None:
    if not code:
        return None
    found = Municipality.objects.filter(code=code).first()
    if found is None:
        raise DomainError(
            "municipality_unknown", _("Choose a municipality from the list."), field="municipality"
        )
    return found


def _text(value: str, field_name: str, limit: int, *, required: bool = False) -> str:
    value = value.strip()
    bad = unstorable(value)
    if bad is not None:
        raise DomainError(
            "text_character",
            _("The text contains a character that cannot be stored (%(character)s): remove it."),
            field=field_name,
            character=f"U+{ord(bad):04X}",
        )
    if required and not value:
        raise DomainError("required", _("This field is required."), field=field_name)
    if len(value) > limit:
        raise DomainError(
            "too_long",
            _("At most %(limit)s characters.") % {"limit": limit},
            field=field_name,
        )
    return value


def _contact(data: CustomerInput | ContactInput) -> dict[str, Any]:
    if data.language not in {"fi", "sv", "en"}:
        raise DomainError("language", _("Choose Finnish, Swedish or English."), field="language")
    if data.employees is not None and not 0 <= data.employees <= MAX_EMPLOYEES:
        raise DomainError(
            "employees",
            _("The number of employees is from 0 to %(limit)s."),
            field="employees",
            limit=f"{MAX_EMPLOYEES:,}".replace(",", " "),
        )
    return {
        "name": _text(data.name, "name", 200, required=True),
        "email": _text(data.email, "email", 254),
        "phone": _text(data.phone, "phone", 40),
        "municipality": _municipality(data.municipality),
        "language": data.language,
        "jobseeker": data.jobseeker,
        "employees": data.employees,
    }


def _identity(data: CustomerInput) -> dict[str, Any]:
    if data.kind == CustomerKind.PERSON:
        number = identity.validate(data.hetu)
        return {
            "pseudonym": identity.pseudonym(number),
            "hetu_token": identity.encrypt(number),
            "business_id": "",
        }
    if data.kind == CustomerKind.COMPANY:
        try:
            business_id = ytunnus.format(ytunnus.validate(data.business_id))
        except StdnumError:
            raise DomainError(
                "business_id",
                _("Check the business ID (Y-tunnus): seven digits, a hyphen and a check digit."),
                field="business_id",
            ) from None
        return {"pseudonym": "", "hetu_token": "", "business_id": business_id}
    raise DomainError("kind", _("A customer is a person or a company."), field="kind")


def _registered_on(data: CustomerInput) -> None:
    day = data.registered_on
    if (
        data.kind == CustomerKind.COMPANY
        and day is not None
        and not REGISTERED_EARLIEST <= day <= clock.today()
    ):
        raise DomainError(
            "registered_on_range",
            _("A company is registered between %(earliest)s and today."),
            field="registered_on",
            earliest=REGISTERED_EARLIEST,
        )


def _legal_basis(data: CustomerInput) -> None:
    if data.legal_basis == LegalBasis.STATUTORY:
        if data.statutory_task not in StatutoryTask.values:
            raise DomainError(
                "statutory_task",
                _("Name the statutory task the customer is served under."),
                field="statutory_task",
            )
    elif data.legal_basis == LegalBasis.CONSENT:
        if not data.consent_purpose.strip():
            raise DomainError(
                "consent_purpose",
                _("Say what the customer consented to: the purpose of the processing."),
                field="consent_purpose",
            )
    else:
        raise DomainError("legal_basis", _("Choose the legal basis."), field="legal_basis")


def _snapshot(customer: Customer) -> dict[str, Any]:
    """What the audit trail keeps of a customer: nothing that identifies them."""
    return {
        "number": customer.number,
        "kind": customer.kind,
        "organizer": customer.organizer_id,
        "legal_basis": customer.legal_basis,
        "statutory_task": customer.statutory_task,
    }


@transaction.atomic
def customer_create(*, actor: User, alliance: Alliance, data: CustomerInput) -> Customer:
    """Record a new customer of the actor's organizer."""
    alliance = alliance_lock(alliance, actor, live=True)
    organizer = _organizer_of(actor, alliance)
    _legal_basis(data)
    _registered_on(data)
    fields = {**_identity(data), **_contact(data)}
    if data.kind == CustomerKind.PERSON:
        clash = Customer.objects.filter(
            alliance=alliance,
            organizer=organizer,
            pseudonym=fields["pseudonym"],
            erased_at__isnull=True,
        ).first()
    else:
        clash = Customer.objects.filter(
            alliance=alliance,
            organizer=organizer,
            business_id=fields["business_id"],
            kind=CustomerKind.COMPANY,
            erased_at__isnull=True,
        ).first()
    if clash is not None:
        raise DomainError(
            "customer_exists",
            _("%(organizer)s already has this customer: number %(number)s.")
            % {"organizer": organizer.name, "number": clash.number},
        )
    now = clock.now()
    number = (Customer.objects.filter(alliance=alliance).aggregate(n=Max("number"))["n"] or 0) + 1
    customer = Customer.objects.create(
        alliance=alliance,
        organizer=organizer,
        number=number,
        kind=data.kind,
        registered_on=data.registered_on if data.kind == CustomerKind.COMPANY else None,
        legal_basis=data.legal_basis,
        statutory_task=data.statutory_task if data.legal_basis == LegalBasis.STATUTORY else "",
        created_by=actor,
        created_at=now,
        last_activity_on=now.date(),
        **fields,
    )
    if data.legal_basis == LegalBasis.CONSENT:
        Consent.objects.create(
            alliance_id=customer.alliance_id,
            customer=customer,
            purpose=_text(data.consent_purpose, "consent_purpose", 300, required=True),
            given_at=now,
            given_via="staff",
            recorded_by=actor,
        )
    audit_append(
        actor=actor,
        alliance=alliance,
        action=actions.CUSTOMER_CREATE,
        obj=customer,
        after=_snapshot(customer),
    )
    return customer


def _check_serves(actor: User, customer: Customer) -> Alliance:
    alliance = alliance_lock(customer.alliance, actor, live=True)
    if not permissions.can_serve_customers(actor, alliance, organizer_id=customer.organizer_id):
        raise forbidden()
    if customer.erased_at is not None:
        raise DomainError("customer_erased", _("The customer's personal data has been erased."))
    return alliance


@transaction.atomic
def customer_update(*, actor: User, customer: Customer, data: ContactInput) -> Customer:
    """Change what the organizer keeps of how to reach and serve the customer."""
    alliance = _check_serves(actor, customer)
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    for key, value in _contact(data).items():
        setattr(customer, key, value)
    customer.save()
    audit_append(
        actor=actor,
        alliance=alliance,
        action=actions.CUSTOMER_UPDATE,
        obj=customer,
        after={"number": customer.number},
    )
    return customer


@transaction.atomic
def customer_read(
    *,
    actor: User | None,
    customer: Customer,
    reason: str,
    detail: str = "",
    organisation: Organisation | None = None,
) -> CustomerAccess:
    """Log one read of the customer's record (the selectors and views call this)."""
    if reason not in AccessReason.values:
        raise ValueError(f"unknown reason {reason!r}")
    return CustomerAccess.objects.create(
        alliance_id=customer.alliance_id,
        customer=customer,
        user=actor,
        organisation_id=organisation.pk
        if organisation is not None
        else getattr(actor, "organisation_id", None),
        at=clock.now(),
        reason=reason,
        detail=detail[:200],
    )


def customers_read(
    *, actor: User | None, details: dict[int, str], reason: str, organisation_id: int | None = None
) -> None:
    """Log the read of many customers' records at once (a queue page, an API response): one
    row per customer, ``details`` mapping each customer's id to what was read, in one insert."""
    if reason not in AccessReason.values:
        raise ValueError(f"unknown reason {reason!r}")
    now = clock.now()
    organisation_id = (
        organisation_id if organisation_id is not None else getattr(actor, "organisation_id", None)
    )
    alliances = dict(Customer.objects.filter(pk__in=details).values_list("pk", "alliance_id"))
    CustomerAccess.objects.bulk_create(
        CustomerAccess(
            alliance_id=alliances[customer_id],
            customer_id=customer_id,
            user=actor,
            organisation_id=organisation_id,
            at=now,
            reason=reason,
            detail=detail[:200],
        )
        for customer_id, detail in details.items()
    )


@transaction.atomic
def identity_reveal(*, actor: User, customer: Customer, why: str) -> str:
    """The person's henkilötunnus in full, for a stated reason that is logged."""
    alliance = customer.alliance
    if not permissions.can_reveal_identity(actor, alliance, organizer_id=customer.organizer_id):
        raise forbidden()
    if customer.kind != CustomerKind.PERSON or customer.erased_at is not None:
        raise DomainError("no_identity", _("The customer has no personal identity code to show."))
    why = _text(why, "why", 200, required=True)
    customer_read(actor=actor, customer=customer, reason=AccessReason.IDENTITY, detail=why)
    return identity.decrypt(customer.hetu_token)


def active_consent(customer: Customer) -> Consent | None:
    return customer.consents.filter(withdrawn_at__isnull=True).order_by("-given_at").first()


@transaction.atomic
def consent_give(
    *, customer: Customer, purpose: str, actor: User | None, via: str = "staff"
) -> Consent:
    """Record the customer's consent for a purpose: by staff on the customer's word, or by the
    customer signed in (``via="self"``, no actor)."""
    if via == "staff":
        assert actor is not None
        _check_serves(actor, customer)
    elif via != "self":
        raise ValueError(via)
    if customer.erased_at is not None:
        raise DomainError("customer_erased", _("The customer's personal data has been erased."))
    consent = Consent.objects.create(
        alliance_id=customer.alliance_id,
        customer=customer,
        purpose=_text(purpose, "purpose", 300, required=True),
        given_at=clock.now(),
        given_via=via,
        recorded_by=actor,
    )
    audit_append(
        actor=actor,
        alliance=customer.alliance,
        action=actions.CUSTOMER_CONSENT_GIVE,
        obj=consent,
        after={"customer": customer.number, "via": via},
    )
    return consent


@transaction.atomic
def consent_withdraw(*, consent: Consent, actor: User | None, via: str = "staff") -> Consent:
    """Withdraw a consent. Processing on that basis stops: no new referrals are sent for a
    customer served on consent alone, and the customer may ask for erasure."""
    customer = consent.customer
    if via == "staff":
        assert actor is not None
        _check_serves(actor, customer)
    elif via != "self":
        raise ValueError(via)
    consent = Consent.objects.select_for_update().get(pk=consent.pk)
    if consent.withdrawn_at is not None:
        raise DomainError("consent_withdrawn", _("That consent has already been withdrawn."))
    consent.withdrawn_at = clock.now()
    consent.withdrawn_via = via
    consent.save(update_fields=["withdrawn_at", "withdrawn_via"])
    audit_append(
        actor=actor,
        alliance=customer.alliance,
        action=actions.CUSTOMER_CONSENT_WITHDRAW,
        obj=consent,
        after={"customer": customer.number, "via": via},
    )
    return consent


def erasable(customer: Customer) -> tuple[bool, str]:
    """Whether the customer's data may be erased on request now, and if not, why not.

    GDPR Art. 17(3)(b): data processed for a statutory task is kept for its retention period;
    data processed on consent is erased once the consent is withdrawn and nothing is open.
    """
    from allianssi.referrals.models import OPEN_STATES

    if customer.erased_at is not None:
        return False, str(_("The data has already been erased."))
    if customer.legal_basis == LegalBasis.STATUTORY:
        return False, str(
            _(
                "The organizer serves the customer under a statutory task: the data is kept for "
                "its retention period and then erased."
            )
        )
    if active_consent(customer) is not None:
        return False, str(_("Withdraw the consent first."))
    if customer.referrals.filter(state__in=OPEN_STATES).exists():
        return False, str(_("The customer still has referrals or a service going on."))
    return True, ""


def _anonymise(customer: Customer) -> None:
    """Erase what identifies the customer; what was done and with what outcome stays, as
    numbers the alliance's results are computed from."""
    from allianssi.referrals.models import Episode, Referral, Transition

    Customer.objects.filter(pk=customer.pk).update(
        pseudonym="",
        hetu_token="",
        business_id="",
        name="",
        email="",
        phone="",
        erased_at=clock.now(),
    )
    customer.consents.update(purpose="")
    customer.accesses.update(detail="")  # a reason given for a read may name the person
    referrals = Referral.objects.filter(customer=customer)
    referrals.update(message="", reason="")
    Transition.objects.filter(referral__in=referrals).update(note="")
    Episode.objects.filter(customer=customer).update(reason="")
    hooks.customer_erased(customer.pk)


@transaction.atomic
def customer_erase(*, actor: User, customer: Customer) -> Customer:
    """Erase a customer's personal data on request, where the legal basis allows it."""
    alliance = _check_serves(actor, customer)
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    allowed, why = erasable(customer)
    if not allowed:
        raise DomainError("not_erasable", why)
    _anonymise(customer)
    audit_append(
        actor=actor,
        alliance=alliance,
        action=actions.CUSTOMER_ERASE,
        obj=customer,
        after={"number": customer.number},
    )
    customer.refresh_from_db()
    return customer


def retention_days(alliance_id: int, organizer_id: int) -> int:
    found = (
        ControllerSettings.objects.filter(alliance_id=alliance_id, organizer_id=organizer_id)
        .values_list("retention_days", flat=True)
        .first()
    )
    return found or DEFAULT_RETENTION_DAYS


@transaction.atomic
def controller_settings_update(
    *, actor: User, alliance: Alliance, organizer: Organisation, retention_days: int
) -> ControllerSettings:
    alliance = alliance_lock(alliance, actor, live=True)
    if not permissions.can_manage_customer_settings(actor, alliance, organizer_id=organizer.pk):
        raise forbidden()
    if not 30 <= retention_days <= 3653:
        raise DomainError(
            "retention_range",
            _("Keep the data from 30 days to ten years."),
            field="retention_days",
        )
    row, created = ControllerSettings.objects.get_or_create(
        alliance=alliance, organizer=organizer, defaults={"retention_days": retention_days}
    )
    before = None if created else {"retention_days": row.retention_days}
    row.retention_days = retention_days
    row.save()
    audit_append(
        actor=actor,
        alliance=alliance,
        action=actions.CUSTOMER_SETTINGS,
        obj=row,
        before=before,
        after={"organizer": organizer.pk, "retention_days": retention_days},
    )
    return row


def customers_purge(*, today: dt.date | None = None) -> int:
    """Erase the personal data of every customer whose organizer's retention period has run out
    since the last episode, and who has nothing open. Returns how many were erased. Daily,
    by the worker (``customers.tasks``) or ``manage.py customers_purge``. Each organizer's
    customers in a transaction of their own."""
    from allianssi.referrals.models import OPEN_STATES, Referral

    today = today or clock.today()
    erased = 0
    pairs = (
        Customer.objects.filter(erased_at__isnull=True)
        .values_list("alliance_id", "organizer_id")
        .distinct()
    )
    for alliance_id, organizer_id in sorted(set(pairs)):
        cutoff = today - dt.timedelta(days=retention_days(alliance_id, organizer_id))
        due = (
            Customer.objects.filter(
                alliance_id=alliance_id,
                organizer_id=organizer_id,
                erased_at__isnull=True,
                last_activity_on__lt=cutoff,
            )
            .exclude(pk__in=Referral.objects.filter(state__in=OPEN_STATES).values("customer_id"))
            .order_by("pk")
        )
        for customer in due.iterator(chunk_size=500):
            with transaction.atomic():
                _anonymise(customer)
                audit_append(
                    actor=None,
                    alliance=customer.alliance,
                    action=actions.CUSTOMER_RETENTION_ERASE,
                    obj=customer,
                    after={"number": customer.number, "cutoff": cutoff},
                )
            erased += 1
    return erased


def customers_rotate_keys() -> int:
    """Re-encrypt every henkilötunnus under the first key of ``ALLIANSSI_IDENTITY_KEYS`` and
    recompute its pseudonym under ``ALLIANSSI_PSEUDONYM_KEY``. Returns how many were rewritten."""
    count = 0
    rows = Customer.objects.exclude(hetu_token="").order_by("pk").values_list("pk", "hetu_token")
    for pk, token in rows.iterator(chunk_size=1000):
        number = identity.decrypt(token)
        Customer.objects.filter(pk=pk).update(
            hetu_token=identity.reencrypt(token), pseudonym=identity.pseudonym(number)
        )
        count += 1
    return count


def touch(customer_id: int, day: dt.date) -> None:
    """The customer was served on ``day``: the retention period counts from the latest such."""
    Customer.objects.filter(pk=customer_id, last_activity_on__lt=day).update(last_activity_on=day)
