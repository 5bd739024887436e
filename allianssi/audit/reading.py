"""The audit trail as a reader sees it: one sentence per record, in the reader's language.

Each record is read through its action's sentence (``allianssi/audit/actions.py``) with the
record's parameters, formatted by the active language (dates, numbers; the amounts in euros an
action names in its ``money`` through ``allianssi/core/formatting.py``'s ``money``, sign and
all), and with a link to the
object's page where the object has one. The stored record is not changed: the page still shows
its raw content to auditors, and the command-line checks use the stored action names.

The audit app sits below the apps whose objects it links to, so the links are URL names and model
labels (resolved by name), not imports.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.apps import apps
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from allianssi.audit import actions
from allianssi.audit.models import AuditRecord
from allianssi.core import formatting

#: Objects whose page is addressed by the object's id: URL name and its keyword.
LINK_BY_ID: dict[str, tuple[str, str]] = {
    "settlement.settlement": ("settlement:detail", "sid"),
    "settlement.invoice": ("settlement:invoice", "iid"),
    "outcomes.outcomeevent": ("outcomes:event", "event"),
    "openbook.importjob": ("openbook:job", "job"),
}
#: Objects whose page is addressed by their number within the alliance: URL name.
LINK_BY_NUMBER: dict[str, str] = {
    "governance.proposal": "governance:proposal",
    "governance.idea": "governance:idea",
    "governance.meeting": "governance:meeting",
    "procurement.procurement": "procurement:detail",
    "catalogue.service": "catalogue:service",
    "customers.customer": "customers:detail",
    "referrals.referral": "referrals:detail",
}
#: Objects shown on the page of another object whose number the record keeps: URL name and the
#: parameter holding the number.
LINK_BY_PARAMETER: dict[str, tuple[str, str]] = {
    "catalogue.serviceversion": ("catalogue:service", "service"),
    "catalogue.channel": ("catalogue:service", "service"),
    "catalogue.servicerequest": ("catalogue:service", "service"),
}
#: Objects with no page of their own, shown on a page of the alliance: URL name.
LINK_TO_PAGE: dict[str, str] = {
    "alliances.alliance": "alliances:detail",
    "alliances.membership": "alliances:detail",
    "alliances.alliancerole": "alliances:roles",
    "governance.seat": "governance:leadership",
    "openbook.costentry": "openbook:books",
    "openbook.importbatch": "openbook:books",
}

#: The audit page's filter: the areas of an alliance's records, by the app label of the object a
#: record is about (``AuditRecord.object_type`` is ``"<app label>.<model>"``).
AREAS: dict[str, Promise] = {
    "alliances": gettext_lazy("Alliances"),
    "governance": gettext_lazy("Governance"),
    "procurement": gettext_lazy("Procurement"),
    "openbook": gettext_lazy("Open books"),
    "settlement": gettext_lazy("Settlement"),
    "catalogue": gettext_lazy("Service catalogue"),
    "customers": gettext_lazy("Customers"),
    "referrals": gettext_lazy("Referrals"),
    "outcomes": gettext_lazy("Outcomes"),
    "api": gettext_lazy("API"),
}
#: Records on one page of the audit trail.
PAGE_SIZE = 100

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
_DECIMAL = re.compile(r"-?\d+\.\d+")


@dataclass(frozen=True)
class AuditEntry:
    record: AuditRecord
    actor: str
    sentence: str
    url: str | None


def display(value: Any) -> str:
    """A stored parameter as the reader's language writes it."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, float):
        return formats.number_format(value, use_l10n=True, force_grouping=True)
    if isinstance(value, list):
        return ", ".join(display(v) for v in value)
    if isinstance(value, str):
        if _DATE.fullmatch(value) and (day := parse_date(value)) is not None:
            return formats.date_format(day, "SHORT_DATE_FORMAT")
        if _DATETIME.match(value) and (moment := _datetime(value)) is not None:
            return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")
        if _DECIMAL.fullmatch(value):
            try:
                amount = Decimal(value)
            except InvalidOperation:
                return value
            places = len(value.split(".")[1])
            return formats.number_format(
                amount, decimal_pos=places, use_l10n=True, force_grouping=True
            )
    return str(value)


def _datetime(value: str) -> dt.datetime | None:
    try:
        moment = parse_datetime(value)
    except ValueError:
        return None
    if moment is not None and timezone.is_naive(moment):
        moment = timezone.make_aware(moment, dt.UTC)
    return moment


def actor_name(record: AuditRecord) -> str:
    if record.actor is not None:
        return str(record.actor)
    if record.actor_label == "system":
        return _("The system")
    return record.actor_label


def sentence(record: AuditRecord, *, actor: str | None = None) -> str:
    """The record as one sentence in the active language. A record of an action no longer
    registered (never expected: names are not removed) reads as its raw name."""
    registered = actions.is_registered(record.action)
    money = actions.get(record.action).money if registered else ()
    params: dict[str, Any] = {}
    for part in (record.before, record.after):
        if isinstance(part, Mapping):
            params.update({str(k): _shown(str(k), v, money) for k, v in part.items()})
    params["actor"] = actor if actor is not None else actor_name(record)
    if not registered:
        return _("%(actor)s: %(action)s") % {"actor": params["actor"], "action": record.action}
    return actions.get(record.action).render(params)


def _shown(name: str, value: Any, money: tuple[str, ...]) -> str:
    """A parameter of a sentence: an amount in euros (one of the action's ``money``) as the one
    money formatter writes it, with its euro sign in the reader's language; another as
    ``display`` writes it."""
    amount = None if isinstance(value, bool | list | dict) else formatting.decimal_of(value)
    if name in money and amount is not None:
        return formatting.money(amount)
    return display(value)


def _numbers(records: list[AuditRecord]) -> dict[tuple[str, str], int]:
    """The numbers of the number-addressed objects among ``records``, one query per kind."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for record in records:
        if record.object_type in LINK_BY_NUMBER and record.object_id.isdigit():
            wanted[record.object_type].add(int(record.object_id))
    found: dict[tuple[str, str], int] = {}
    for label, ids in wanted.items():
        model = apps.get_model(label)
        for pk, number in model._default_manager.filter(pk__in=ids).values_list("pk", "number"):
            found[(label, str(pk))] = number
    return found


def _url(record: AuditRecord, numbers: Mapping[tuple[str, str], int]) -> str | None:
    if record.alliance_id is None:
        return None
    kind = record.object_type
    try:
        if kind in LINK_BY_ID and record.object_id.isdigit():
            name, keyword = LINK_BY_ID[kind]
            return reverse(name, kwargs={"pk": record.alliance_id, keyword: int(record.object_id)})
        if kind in LINK_BY_NUMBER and (kind, record.object_id) in numbers:
            number = numbers[(kind, record.object_id)]
            return reverse(
                LINK_BY_NUMBER[kind], kwargs={"pk": record.alliance_id, "number": number}
            )
        if kind in LINK_BY_PARAMETER:
            name, parameter = LINK_BY_PARAMETER[kind]
            kept = record.after.get(parameter) if isinstance(record.after, dict) else None
            if isinstance(kept, int) and not isinstance(kept, bool):
                return reverse(name, kwargs={"pk": record.alliance_id, "number": kept})
            return None
        if kind in LINK_TO_PAGE:
            return reverse(LINK_TO_PAGE[kind], kwargs={"pk": record.alliance_id})
    except NoReverseMatch:
        return None
    return None


def audit_entries(
    records: Iterable[AuditRecord], *, linkable: Callable[[AuditRecord], bool] | None = None
) -> list[AuditEntry]:
    """``records`` as the audit page shows them, in the active language, each linked to its
    object's page unless ``linkable`` says the reader may not open it. The caller has checked
    that the reader may see them."""
    listed = list(records)
    numbers = _numbers(listed)
    entries = []
    for record in listed:
        actor = actor_name(record)
        entries.append(
            AuditEntry(
                record=record,
                actor=actor,
                sentence=sentence(record, actor=actor),
                url=_url(record, numbers) if linkable is None or linkable(record) else None,
            )
        )
    return entries
