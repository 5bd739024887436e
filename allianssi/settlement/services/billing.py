"""Writes of the parties' invoicing details: a party's own people, or the project office,
set its business ID, address, bank account, e-invoicing address and VAT."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from stdnum import bic as bic_number
from stdnum import iban as iban_number
from stdnum.fi import ytunnus

from allianssi import permissions
from allianssi.alliances.models import Alliance, Membership
from allianssi.alliances.services import alliance_lock
from allianssi.audit import actions
from allianssi.audit.services import audit_append
from allianssi.core import text
from allianssi.core.errors import DomainError, forbidden
from allianssi.parties.models import Organisation
from allianssi.settlement.models import BillingDetails

if TYPE_CHECKING:
    from allianssi.accounts.models import User

#: The invoicing details' texts, as their columns hold them.
BILLING_TEXT_MAX = {
    "street": 200,
    "postal_code": 10,
    "city": 100,
    "ovt_suffix": 5,
    "vat_reason": 200,
}


@dataclass(frozen=True)
class Billing:
    business_id: str
    street: str
    postal_code: str
    city: str
    iban: str
    bic: str
    ovt_suffix: str
    vat: str
    vat_rate: Decimal | None
    vat_reason: str


@transaction.atomic
def billing_set(
    *, actor: User, alliance: Alliance, organisation: Organisation, details: Billing
) -> BillingDetails:
    """Set a party's invoicing details: its own people, or the project office."""
    alliance = alliance_lock(alliance, actor)
    if not permissions.can_manage_billing(actor, alliance, organisation_id=organisation.pk):
        raise forbidden()
    if not Membership.objects.filter(alliance=alliance, organisation=organisation).exists():
        raise forbidden()
    for name, limit in BILLING_TEXT_MAX.items():
        text.text_check(getattr(details, name), field=name, limit=limit)
    given = details.business_id.strip()
    if (
        organisation.business_id
        and given
        and ytunnus.compact(given) != ytunnus.compact(organisation.business_id)
    ):
        raise DomainError(
            "business_id_differs",
            _("The party is registered with the business ID %(value)s."),
            field="business_id",
            value=organisation.business_id,
        )
    business_id = organisation.business_id or given
    if not ytunnus.is_valid(business_id):
        raise DomainError(
            "business_id_invalid",
            _("Give the party's business ID (Y-tunnus); it is needed on every invoice."),
            field="business_id",
        )
    try:
        account = iban_number.validate(details.iban)
        bic = bic_number.validate(details.bic) if details.bic.strip() else ""
    except ValueError:
        raise DomainError(
            "account_invalid", _("Check the IBAN and the BIC."), field="iban"
        ) from None
    if not account.startswith("FI") and not bic:
        raise DomainError("bic_required", _("A foreign account needs its BIC."), field="bic")
    if details.ovt_suffix and not details.ovt_suffix.isalnum():
        raise DomainError(
            "ovt_suffix_invalid",
            _("The OVT suffix is up to five letters or digits."),
            field="ovt_suffix",
        )
    if details.vat == BillingDetails.Vat.STANDARD:
        if details.vat_rate is None or not Decimal(0) < details.vat_rate < Decimal(100):
            raise DomainError(
                "vat_rate_required", _("Give the VAT rate in per cent."), field="vat_rate"
            )
    elif not details.vat_reason.strip():
        raise DomainError(
            "vat_reason_required",
            _("Say why VAT does not apply (it is printed on the invoice)."),
            field="vat_reason",
        )
    values = {
        "business_id": "" if organisation.business_id else ytunnus.format(business_id),
        "street": details.street.strip(),
        "postal_code": details.postal_code.strip(),
        "city": details.city.strip(),
        "iban": account,
        "bic": bic,
        "ovt_suffix": details.ovt_suffix.strip().upper(),
        "vat": details.vat,
        "vat_rate": details.vat_rate if details.vat == BillingDetails.Vat.STANDARD else None,
        "vat_reason": ""
        if details.vat == BillingDetails.Vat.STANDARD
        else details.vat_reason.strip(),
        "updated_by": actor,
    }
    existing = BillingDetails.objects.filter(organisation=organisation).first()
    before = billing_snapshot(existing) if existing else None
    billing, _created = BillingDetails.objects.update_or_create(
        organisation=organisation, defaults=values
    )
    audit_append(
        actor=actor,
        alliance=alliance,
        action=actions.BILLING_SET,
        obj=billing,
        before=before,
        after=billing_snapshot(billing),
    )
    return billing


def billing_snapshot(billing: BillingDetails) -> dict[str, Any]:
    """A party's invoicing details as its audit record and its invoices keep them."""
    organisation = billing.organisation
    return {
        "name": organisation.name,
        "business_id": organisation.business_id or billing.business_id,
        "street": billing.street,
        "postal_code": billing.postal_code,
        "city": billing.city,
        "iban": billing.iban,
        "bic": billing.bic,
        "ovt_suffix": billing.ovt_suffix,
        "vat": billing.vat,
        "vat_rate": None if billing.vat_rate is None else str(billing.vat_rate),
        "vat_reason": billing.vat_reason,
    }
