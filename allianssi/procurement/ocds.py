"""The Open Contracting Data Standard (OCDS 1.1) export of a procurement, and its offline check.

Three parts, kept apart so each can be tested on its own:

* :func:`build_record_package` is pure (no ORM, no I/O): plain dataclasses in, an OCDS record
  package (a ``dict``) out. Amounts stay :class:`~decimal.Decimal` in the dict, exact to the cent;
  :func:`dumps` writes them as exact JSON numbers. Never serialise the package with Django's
  ``DjangoJSONEncoder``: it writes decimals as strings, which OCDS rejects.
* :func:`record_package` reads one procurement from the database (a fixed handful of queries)
  and calls the builder. The export endpoint calls only this.
* :func:`validate` checks a package against the official OCDS 1.1 schemas bundled in
  ``schemas/`` with ``jsonschema`` (draft 4) and ``referencing``, fully offline. It is for tests
  and management commands, so ``jsonschema`` is imported lazily and pinned as a development
  dependency only.

The mapping and its choices are documented in ``docs/ocds.md``.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jsonschema import FormatChecker
    from jsonschema.exceptions import ValidationError

    from allianssi.parties.models import Organisation
    from allianssi.procurement.models import Procurement

#: The OCDS version the package declares (major.minor, as the package schema requires).
OCDS_VERSION = "1.1"

#: Placeholder OCID prefix. A real prefix (``ocds-`` and six characters) is registered with the
#: Open Contracting Partnership; until Allianssi has one, this keeps the ocids unique and
#: recognisable, and is the one place to change.
OCID_PREFIX = "ocds-allianssi"

#: The identifier scheme of the Finnish business ID (Y-tunnus): the Finnish Patent and
#: Registration Office's register, as org-id.guide lists it.
Y_TUNNUS_SCHEME = "FI-PRO"

CURRENCY = "EUR"

LOTS_EXTENSION = (
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_lots_extension/"
    "v1.1.5/extension.json"
)
BUDGET_BREAKDOWN_EXTENSION = (
    "https://raw.githubusercontent.com/open-contracting-extensions/"
    "ocds_budget_breakdown_extension/master/extension.json"
)
EXTENSIONS = (LOTS_EXTENSION, BUDGET_BREAKDOWN_EXTENSION)

#: Allianssi's procedures as OCDS ``procurementMethod`` (closed codelist) and the details that
#: name the procedure as the Procurement Act does, in Finnish with the directive's English term.
PROCEDURES: dict[str, tuple[str, str]] = {
    "competitive_negotiated": (
        "selective",
        "Neuvottelumenettely (competitive procedure with negotiation)",
    ),
    "open": ("open", "Avoin menettely (open procedure)"),
    "restricted": ("selective", "Rajoitettu menettely (restricted procedure)"),
    "direct": ("direct", "Suorahankinta (direct award without competition)"),
}

#: Procurement status → (release tag, tender status).
STAGES: dict[str, tuple[str, str]] = {
    "preparation": ("tender", "active"),
    "awarded": ("award", "complete"),
    "cancelled": ("tenderCancellation", "cancelled"),
}

AWARD_STATUSES = frozenset({"pending", "active", "unsuccessful", "cancelled"})
#: Awards whose suppliers take the ``supplier`` role: an unsuccessful award names the suppliers
#: it was not made to (the awardStatus codelist allows that), and they stay mere tenderers.
_SUPPLYING = frozenset({"pending", "active"})
_ROLE_ORDER = ("buyer", "procuringEntity", "funder", "tenderer", "supplier")
_CENT = Decimal("0.01")

SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"


# The pure builder ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PartyData:
    """An organisation taking part. ``id`` is unique within the contracting process;
    ``business_id`` is the Y-tunnus, blank when the party has none on record."""

    id: str
    name: str
    business_id: str = ""


@dataclass(frozen=True)
class LotData:
    """One lot (a service area) with its estimated value without VAT."""

    id: str
    title: str
    value: Decimal


@dataclass(frozen=True)
class ShareData:
    """One organizer's share of the budget."""

    party: PartyData
    amount: Decimal


@dataclass(frozen=True)
class AwardData:
    """One OCDS award. ``status`` is from the awardStatus codelist; ``date`` is when it was
    decided (``None`` while pending)."""

    id: str
    status: str
    suppliers: tuple[PartyData, ...]
    value: Decimal
    date: dt.datetime | None = None
    title: str = ""
    description: str = ""
    related_lots: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProcessData:
    """Everything the builder needs about one contracting process.

    ``status`` is the procurement's (``preparation``, ``awarded``, ``cancelled``), ``procedure``
    a key of :data:`PROCEDURES`, ``date`` the release date (timezone-aware).
    """

    ocid: str
    date: dt.datetime
    language: str
    title: str
    description: str
    procedure: str
    status: str
    buyer: PartyData
    lots: tuple[LotData, ...]
    shares: tuple[ShareData, ...]
    tenderers: tuple[PartyData, ...] = ()
    awards: tuple[AwardData, ...] = ()
    award_criteria: tuple[tuple[str, Decimal], ...] = ()
    notice_on: dt.date | None = None
    notice_reference: str = ""


@dataclass(frozen=True)
class PublisherData:
    """Who publishes the package: the alliance, whose project office runs the procurement."""

    name: str
    uri: str = ""


def _cents(amount: Decimal) -> Decimal:
    """The amount exactly in cents; anything else is refused rather than silently rounded."""
    if not isinstance(amount, Decimal) or not amount.is_finite():
        raise TypeError(f"an amount is a finite Decimal, not {amount!r}")
    cents = amount.quantize(_CENT)
    if cents != amount:
        raise ValueError(f"{amount} is not a whole number of cents")
    return cents


def _value(amount: Decimal) -> dict[str, Any]:
    return {"amount": _cents(amount), "currency": CURRENCY}


def _timestamp(moment: dt.datetime) -> str:
    """ISO 8601 / RFC 3339 with its offset; OCDS dates must carry a timezone."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{moment!r} has no timezone")
    return moment.isoformat(timespec="seconds")


def _day_start(day: dt.date, like: dt.datetime) -> str:
    """A calendar day (a notice's publication) as the start of that day in ``like``'s zone."""
    return _timestamp(dt.datetime.combine(day, dt.time(), tzinfo=like.tzinfo))


def _reference(party: PartyData) -> dict[str, Any]:
    return {"id": party.id, "name": party.name}


def _organization(party: PartyData, roles: Iterable[str]) -> dict[str, Any]:
    org: dict[str, Any] = {"id": party.id, "name": party.name}
    if party.business_id:
        org["identifier"] = {
            "scheme": Y_TUNNUS_SCHEME,
            "id": party.business_id,
            "legalName": party.name,
        }
    org["roles"] = sorted(set(roles), key=_ROLE_ORDER.index)
    return org


def _parties(process: ProcessData) -> list[dict[str, Any]]:
    """Each party once, with every role it plays, in the order it first appears."""
    seen: dict[str, PartyData] = {}
    roles: dict[str, set[str]] = {}

    def add(party: PartyData, *given: str) -> None:
        known = seen.setdefault(party.id, party)
        if known != party:
            raise ValueError(f"two different parties share the id {party.id!r}")
        roles.setdefault(party.id, set()).update(given)

    add(process.buyer, "buyer", "procuringEntity")
    for share in process.shares:
        add(share.party, "funder")
    for tenderer in process.tenderers:
        add(tenderer, "tenderer")
    for award in process.awards:
        for supplier in award.suppliers:
            add(supplier, *(["supplier"] if award.status in _SUPPLYING else []))
    return [_organization(party, roles[pid]) for pid, party in seen.items()]


def _award(award: AwardData, lot_ids: set[str]) -> dict[str, Any]:
    if award.status not in AWARD_STATUSES:
        raise ValueError(f"unknown award status {award.status!r}")
    if set(award.related_lots) - lot_ids:
        raise ValueError(f"award {award.id} refers to a lot the tender does not have")
    out: dict[str, Any] = {"id": award.id}
    if award.title:
        out["title"] = award.title
    if award.description:
        out["description"] = award.description
    out["status"] = award.status
    if award.date is not None:
        out["date"] = _timestamp(award.date)
    out["value"] = _value(award.value)
    out["suppliers"] = [_reference(s) for s in award.suppliers]
    if award.related_lots:
        out["relatedLots"] = list(award.related_lots)
    return out


def _criteria_details(criteria: Iterable[tuple[str, Decimal]]) -> str:
    return "; ".join(f"{name} {weight.normalize():f} %" for name, weight in criteria)


def build_release(process: ProcessData) -> dict[str, Any]:
    """The OCDS release of the process as it stands now.

    The release ``id`` is derived from its content (a hash), because Allianssi keeps no history
    of releases: exporting unchanged data gives the same id, any change a new one.
    """
    if process.status not in STAGES:
        raise ValueError(f"unknown procurement status {process.status!r}")
    if process.procedure not in PROCEDURES:
        raise ValueError(f"unknown procedure {process.procedure!r}")
    if not process.lots:
        raise ValueError("a tender has at least one lot")
    lot_ids = [lot.id for lot in process.lots]
    if len(set(lot_ids)) != len(lot_ids):
        raise ValueError("lot ids must be unique")
    total = sum((_cents(lot.value) for lot in process.lots), Decimal("0.00"))
    shared = sum((_cents(s.amount) for s in process.shares), Decimal("0.00"))
    if process.shares and shared != total:
        # The services keep the shares equal to the lots' sum; publishing figures that do not
        # add up would be worse than failing the export.
        raise ValueError(f"the budget shares ({shared}) do not add up to the lots ({total})")
    tag, tender_status = STAGES[process.status]
    method, method_details = PROCEDURES[process.procedure]

    tender: dict[str, Any] = {"id": process.ocid, "title": process.title}
    if process.description:
        tender["description"] = process.description
    tender["status"] = tender_status
    tender["procuringEntity"] = _reference(process.buyer)
    tender["value"] = _value(total)
    tender["procurementMethod"] = method
    tender["procurementMethodDetails"] = method_details
    tender["mainProcurementCategory"] = "services"
    if process.award_criteria:
        tender["awardCriteria"] = "ratedCriteria"
        tender["awardCriteriaDetails"] = _criteria_details(process.award_criteria)
    tender["numberOfTenderers"] = len(process.tenderers)
    if process.tenderers:
        tender["tenderers"] = [_reference(t) for t in process.tenderers]
    if process.notice_on is not None or process.notice_reference:
        notice: dict[str, Any] = {
            "id": process.notice_reference or "notice",
            "documentType": "tenderNotice",
            "title": "HILMA",
        }
        if process.notice_on is not None:
            notice["datePublished"] = _day_start(process.notice_on, process.date)
        tender["documents"] = [notice]
    tender["lots"] = [
        {"id": lot.id, "title": lot.title, "status": tender_status, "value": _value(lot.value)}
        for lot in process.lots
    ]

    release: dict[str, Any] = {
        "ocid": process.ocid,
        "id": "",
        "date": _timestamp(process.date),
        "tag": [tag],
        "initiationType": "tender",
        "language": process.language,
        "parties": _parties(process),
        "buyer": _reference(process.buyer),
    }
    if process.shares:
        release["planning"] = {
            "budget": {
                "description": "Organizers' budget shares",
                "amount": _value(shared),
                "budgetBreakdown": [
                    {
                        "id": share.party.id,
                        "amount": _value(share.amount),
                        "sourceParty": _reference(share.party),
                    }
                    for share in process.shares
                ],
            }
        }
    release["tender"] = tender
    if process.awards:
        release["awards"] = [_award(a, set(lot_ids)) for a in process.awards]
    content = {k: v for k, v in release.items() if k not in {"id", "date"}}
    digest = hashlib.sha256(dumps(content, sort_keys=True).encode()).hexdigest()[:16]
    release["id"] = f"{process.ocid}-{tag}-{digest}"
    return release


def build_record_package(
    process: ProcessData, *, uri: str, publisher: PublisherData
) -> dict[str, Any]:
    """An OCDS record package with one record: the current release embedded in ``releases`` and
    the same data as the ``compiledRelease``.

    With a single release, compiling is the identity apart from the compiled release's own id,
    date and ``compiled`` tag (named as OCDS merge tools name them).
    """
    release = build_release(process)
    compiled = dict(release, id=f"{process.ocid}-{release['date']}", tag=["compiled"])
    publisher_out: dict[str, Any] = {"name": publisher.name}
    if publisher.uri:
        publisher_out["uri"] = publisher.uri
    return {
        "uri": uri,
        "version": OCDS_VERSION,
        "extensions": list(EXTENSIONS),
        "publisher": publisher_out,
        "publishedDate": release["date"],
        "records": [{"ocid": process.ocid, "releases": [release], "compiledRelease": compiled}],
    }


def dumps(package: Any, *, indent: int | None = None, sort_keys: bool = False) -> str:
    """JSON text of a package, each Decimal written as its exact decimal number (``1200.50``,
    never a binary float's approximation nor a string)."""
    token = uuid.uuid4().hex
    texts: dict[str, str] = {}

    def mark(obj: Any) -> Any:
        if isinstance(obj, Decimal):
            if not obj.is_finite():
                raise ValueError(f"{obj} is not a JSON number")
            key = f"{token}:{len(texts)}"
            texts[key] = format(obj, "f")
            return key
        if isinstance(obj, Mapping):
            return {k: mark(v) for k, v in obj.items()}
        if isinstance(obj, list | tuple):
            return [mark(v) for v in obj]
        return obj

    text = json.dumps(mark(package), ensure_ascii=False, indent=indent, sort_keys=sort_keys)
    return re.sub(f'"({token}:[0-9]+)"', lambda m: texts[m.group(1)], text)


# The ORM adapter -------------------------------------------------------------------------------


def ocid_for(alliance_id: int, number: int) -> str:
    """The ocid of an alliance's procurement: one contracting process per procurement."""
    return f"{OCID_PREFIX}-{alliance_id}-{number}"


def _party_of(organisation: Organisation) -> PartyData:
    """Parties with a Y-tunnus are named by it, so the same company has the same id in every
    process; the others (municipalities, regions without one on record) by Allianssi's id."""
    business_id = organisation.business_id or ""
    pid = (
        f"{Y_TUNNUS_SCHEME}-{business_id}"
        if business_id
        else f"allianssi-organisation-{organisation.pk}"
    )
    return PartyData(id=pid, name=organisation.name, business_id=business_id)


def _award_status(proposal_status: str) -> str:
    """An award proposal's status as the award's: draft or open → pending, decided → active,
    blocked or not decided → unsuccessful (kept, as the record keeps it, rather than omitted)."""
    return {
        "draft": "pending",
        "open": "pending",
        "decided": "active",
        "blocked": "unsuccessful",
        "not_decided": "unsuccessful",
    }[proposal_status]


def record_package(
    procurement: Procurement, *, base_uri: str, published_at: dt.datetime | None = None
) -> dict[str, Any]:
    """The OCDS record package of ``procurement``, read in a fixed number of queries.

    ``base_uri`` is the site's address (scheme and host, e.g. ``https://allianssi.example/``);
    the package's ``uri`` is the address the package is downloaded from, the export's own page
    (``procurement:ocds``) on that site. The release date is ``published_at`` (default: now),
    because not every change to the record carries a timestamp: an on-demand export is dated
    when made.
    """
    from django.db.models import Prefetch
    from django.urls import reverse
    from django.utils import translation

    from allianssi.alliances.models import ServiceArea
    from allianssi.core import clock
    from allianssi.procurement.models import (
        Award,
        AwardedCandidate,
        BudgetShare,
        Candidate,
        Route,
    )
    from allianssi.procurement.models import Procurement as ProcurementModel

    p = (
        ProcurementModel.objects.select_related("alliance", "go_decision__authorised")
        .prefetch_related(
            "lots",
            "award_criteria",
            Prefetch("budget_shares", queryset=BudgetShare.objects.select_related("organisation")),
            Prefetch("candidates", queryset=Candidate.objects.select_related("organisation")),
            Prefetch(
                "awards",
                queryset=Award.objects.select_related("proposal__decision").order_by(
                    "created_at", "pk"
                ),
            ),
            Prefetch(
                "awards__chosen",
                queryset=AwardedCandidate.objects.select_related("candidate__organisation"),
            ),
        )
        .get(pk=procurement.pk)
    )
    alliance = p.alliance
    go = p.go_decision
    if go.route == Route.AUTHORISED and go.authorised is not None:
        buyer = _party_of(go.authorised)
    else:
        buyer = PartyData(id=f"allianssi-joint-unit-{go.pk}", name=go.joint_unit_name)

    with translation.override(alliance.language):
        lots = tuple(
            LotData(
                id=lot.service_area,
                title=str(ServiceArea(lot.service_area).label),
                value=lot.estimated_value,
            )
            for lot in p.lots.all()
        )
    lot_ids = tuple(lot.id for lot in lots)

    awards: list[AwardData] = []
    for award in p.awards.all():
        proposal = award.proposal
        status = _award_status(proposal.status)
        decision = getattr(proposal, "decision", None)
        if status == "active" and decision is not None:
            decided: dt.datetime | None = decision.decided_at
        elif status == "unsuccessful":
            decided = proposal.closed_at
        else:
            decided = None
        awards.extend(
            AwardData(
                id=f"{award.pk}-{chosen.pk}",
                status=status,
                suppliers=(_party_of(chosen.candidate.organisation),),
                value=chosen.value,
                date=decided.astimezone(clock.HELSINKI) if decided is not None else None,
                title=proposal.title,
                description=award.rationale,
                related_lots=lot_ids,
            )
            for chosen in award.chosen.all()
        )

    process = ProcessData(
        ocid=ocid_for(alliance.pk, p.number),
        date=(published_at or clock.now()).astimezone(clock.HELSINKI),
        language=alliance.language,
        title=p.title,
        description=p.description,
        procedure=p.procedure,
        status=p.status,
        buyer=buyer,
        lots=lots,
        shares=tuple(
            ShareData(party=_party_of(s.organisation), amount=s.amount)
            for s in p.budget_shares.all()
        ),
        tenderers=tuple(_party_of(c.organisation) for c in p.candidates.all()),
        awards=tuple(awards),
        award_criteria=tuple((c.name, c.weight) for c in p.award_criteria.all()),
        notice_on=p.notice_on,
        notice_reference=p.notice_reference,
    )
    return build_record_package(
        process,
        uri=base_uri.rstrip("/") + reverse("procurement:ocds", args=[alliance.pk, p.number]),
        publisher=PublisherData(name=alliance.name),
    )


# Offline validation ----------------------------------------------------------------------------

_SCHEMA_FILES = ("release-schema.json", "release-package-schema.json", "record-package-schema.json")

_DATE_TIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$"
)
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[!-~]*$")
_URI_FORBIDDEN = frozenset('<>"{}|\\^`')


@functools.cache
def schemas() -> dict[str, dict[str, Any]]:
    """The bundled OCDS schemas by file name, read once."""
    return {
        name: json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8")) for name in _SCHEMA_FILES
    }


def _is_date_time(value: object) -> bool:
    """RFC 3339 date-time, checked here because jsonschema checks the format only with an
    optional package (rfc3339-validator) that Allianssi does not install."""
    if not isinstance(value, str):
        return True
    if not _DATE_TIME.match(value):
        return False
    try:
        dt.datetime.fromisoformat(f"{value[:10]}T{value[11:]}".replace("z", "Z"))
    except ValueError:
        return False
    return True


def _is_uri(value: object) -> bool:
    """An absolute URI (RFC 3986: a scheme, then printable ASCII without the excluded
    characters); the full check would need another optional package."""
    if not isinstance(value, str):
        return True
    return bool(_URI.match(value)) and not _URI_FORBIDDEN & set(value)


def _format_checker() -> FormatChecker:
    from jsonschema import Draft4Validator, FormatChecker

    checker = FormatChecker(list(Draft4Validator.FORMAT_CHECKER.checkers))
    checker.checks("date-time")(_is_date_time)
    checker.checks("uri")(_is_uri)
    return checker


def _refuse_retrieval(uri: str) -> Any:
    """The registry's retriever: OCDS validation never fetches a schema over the network."""
    from referencing.exceptions import NoSuchResource

    # referencing's attrs classes take keyword fields mypy does not see.
    raise NoSuchResource(ref=uri)  # type: ignore[call-arg]


def validate(package: Mapping[str, Any]) -> list[str]:
    """Every way ``package`` breaks the official OCDS 1.1 schemas, as messages; an empty list
    means valid. A record package (it has ``records``) is checked against the record package
    schema, anything else against the release package schema.

    The schemas refer to each other by URL (their draft 4 ``id``); those URLs resolve to the
    bundled copies through a ``referencing`` registry whose retriever refuses everything else,
    so nothing is ever downloaded. Fields added by extensions (lots, budget breakdown) are not
    checked: the core schema allows them, and the extension schemas are not bundled.
    """
    from jsonschema import Draft4Validator
    from referencing import Registry, Resource
    from referencing.exceptions import Unresolvable
    from referencing.jsonschema import DRAFT4

    bundled = schemas()
    offline: Registry[Any] = Registry(retrieve=_refuse_retrieval)  # type: ignore[call-arg]
    registry = offline.with_resources(
        (schema["id"], Resource.from_contents(schema, default_specification=DRAFT4))
        for schema in bundled.values()
    )
    name = (
        "record-package-schema.json"
        if isinstance(package, Mapping) and "records" in package
        else "release-package-schema.json"
    )
    validator = Draft4Validator(bundled[name], registry=registry, format_checker=_format_checker())
    messages: list[str] = []
    try:
        for error in sorted(validator.iter_errors(package), key=_error_order):
            messages.extend(_explain(error))
    except Unresolvable as exc:
        messages.append(f"cannot check offline: {exc}")
    return list(dict.fromkeys(messages))


def _error_order(error: ValidationError) -> list[str]:
    return [str(part) for part in error.absolute_path]


def _where(error: ValidationError) -> str:
    return "/".join(str(part) for part in error.absolute_path) or "(package)"


def _explain(error: ValidationError) -> list[str]:
    """The messages for one error. A ``oneOf`` (a record's releases are linked or embedded)
    fails as a whole with the entire instance in its message; the cause is the error of the
    alternative that matched furthest, so report the deepest errors beneath it instead."""
    if not error.context:
        return [f"{_where(error)}: {error.message}"]
    leaves = list(_leaves(error))
    depth = max(len(leaf.absolute_path) for leaf in leaves)
    return [
        f"{_where(leaf)}: {leaf.message}" for leaf in leaves if len(leaf.absolute_path) == depth
    ]


def _leaves(error: ValidationError) -> Iterable[ValidationError]:
    if not error.context:
        yield error
        return
    for sub in error.context:
        yield from _leaves(sub)
