"""The compliance rules, as data a lawyer can read, each with a small check function.

A check reads a :class:`Configuration` — a plain snapshot of the alliance, built by
:mod:`allianssi.compliance.snapshot` — and returns its findings. No database, no I/O: every rule
is tested on hand-made configurations. A finding is blocking when its severity is ``error``: a
change that would add one is refused. The statutes are cited as the rule rests on them; they are
data here so that counsel can correct a citation without touching a check.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Severity(StrEnum):
    ERROR = "error"  # blocking: the configuration breaks the law; a change adding it is refused
    WARNING = "warning"  # needs attention and a documented answer
    NOTICE = "notice"  # something missing that the law expects to be settled


class Side(StrEnum):
    ORGANIZING = "organizing"
    PRODUCING = "producing"


# The configuration, as the rules see it ---------------------------------------------------------

ORGANIZER = "organizer"
PRODUCER = "producer"
OWN_PRODUCTION = "own_production"
PRIVATE_KINDS = frozenset({"company", "association"})
MUNICIPAL_KINDS = frozenset({"municipality", "joint_body"})
ORGANIZING = "organizing"
ADMINISTRATIVE = frozenset({"benefit_statement", "obligations_decision", "service_decision"})
#: Service areas whose organizing responsibility the law gives the region (seed sections 2 and 5:
#: the region's business services and, where they join, its social and health services).
REGION_AREAS = frozenset({"business", "social_health"})
NEGOTIATED = "competitive_negotiated"


@dataclass(frozen=True)
class Party:
    id: int
    name: str
    kind: str  # OrganisationKind value
    role: str  # MemberRole value
    parent_id: int | None = None

    @property
    def side(self) -> Side:
        return Side.ORGANIZING if self.role == ORGANIZER else Side.PRODUCING


@dataclass(frozen=True)
class SeatPerson:
    """A representative or deputy of a seat, and the party the person works for."""

    seat_party_id: int
    person: str  # the name shown in the explanation
    person_party_id: int | None
    person_id: int | None = None  # who the person is; the name when not given


@dataclass(frozen=True)
class Holding:
    party_id: int
    service_area: str
    task: str


@dataclass(frozen=True)
class ProcurementFacts:
    number: int
    title: str
    estimated_value: Decimal
    regime: str  # procurement.regime.Regime value
    procedure: str
    negotiation_rounds: int
    award_stage: bool  # an award has been put forward or decided


@dataclass(frozen=True)
class DocumentFacts:
    title: str
    version: str
    kind: str
    states_no_legal_person: bool
    states_duties_unchanged: bool


@dataclass(frozen=True)
class ServiceFacts:
    """A published service of the catalogue: what it does and who stands behind it."""

    number: int
    name: str
    service_area: str
    public_authority: bool  # it includes public administrative tasks
    responsible_ids: tuple[int, ...] = ()
    producer_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class Configuration:
    phase: str
    service_areas: frozenset[str]
    parties: tuple[Party, ...] = ()
    seat_people: tuple[SeatPerson, ...] = ()
    own_units_have_seats: bool = False
    holdings: tuple[Holding, ...] = ()
    market_units: frozenset[int] = frozenset()
    procurements: tuple[ProcurementFacts, ...] = ()
    documents: tuple[DocumentFacts, ...] = ()
    services: tuple[ServiceFacts, ...] = ()
    #: Display names of service areas and tasks (lazily translated), by code.
    labels: Mapping[str, Any] = field(default_factory=dict)

    def label(self, code: str) -> Any:
        """The display name, still lazy: it is rendered in the language the finding is read in."""
        return self.labels.get(code, code)

    @functools.cached_property
    def _by_id(self) -> dict[int, Party]:
        return {p.id: p for p in self.parties}

    def party(self, party_id: int | None) -> Party | None:
        return self._by_id.get(party_id) if party_id is not None else None


# Findings ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hit:
    """What a check found: the thing it is about (stable across evaluations) and the values the
    explanation names."""

    subject: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Statute:
    act: Promise | str
    section: str = ""

    def __str__(self) -> str:
        return f"{self.act} {self.section}".strip()


@dataclass(frozen=True)
class Rule:
    code: str
    number: str
    title: Promise
    severity: Severity
    explanation: Promise  # %-format with the hit's params
    statutes: tuple[Statute, ...]
    check: Callable[[Configuration], Iterable[Hit]]
    #: The rule rests on the alliance agreement (the model of the policy brief), on no statute:
    #: its citation says so plainly rather than pass the brief off as law.
    agreement_rule: bool = False

    @property
    def citation(self) -> str:
        """The statutes the rule rests on; for an agreement rule, that it is one, and where."""
        cited = "; ".join(str(s) for s in self.statutes)
        if self.agreement_rule:
            return str(AGREEMENT_RULE) % {"source": cited}
        return cited


@dataclass(frozen=True)
class Finding:
    rule: Rule
    hit: Hit

    @property
    def key(self) -> tuple[str, str]:
        return (self.rule.code, self.hit.subject)

    @property
    def severity(self) -> Severity:
        return self.rule.severity

    @property
    def blocking(self) -> bool:
        return self.rule.severity is Severity.ERROR

    @property
    def explanation(self) -> str:
        return str(self.rule.explanation) % self.hit.params

    @property
    def statutes(self) -> str:
        return self.rule.citation


PL = _("Constitution of Finland 731/1999")
KUNTAL = _("Local Government Act 410/2015")
HANKL = _("Act on Public Procurement and Concession Contracts 1397/2016")
KILPL = _("Competition Act 948/2011")
HVAL = _("Act on Wellbeing Services Counties 611/2021")
SEED = _("Growth-services alliance policy brief")
AGREEMENT_RULE = _("Agreement rule, no statute: %(source)s")


# The checks -------------------------------------------------------------------------------------


def organizing_held_by_producer(config: Configuration) -> Iterable[Hit]:
    for h in config.holdings:
        party = config.party(h.party_id)
        if h.task == ORGANIZING and party is not None and party.role != ORGANIZER:
            yield Hit(
                f"{h.party_id}:{h.service_area}",
                {"party": party.name, "area": config.label(h.service_area)},
            )


def region_responsibility_to_municipality(config: Configuration) -> Iterable[Hit]:
    for h in config.holdings:
        party = config.party(h.party_id)
        if (
            h.task == ORGANIZING
            and h.service_area in REGION_AREAS
            and party is not None
            and party.kind in MUNICIPAL_KINDS
        ):
            yield Hit(
                f"{h.party_id}:{h.service_area}",
                {"party": party.name, "area": config.label(h.service_area)},
            )


def organizing_unassigned(config: Configuration) -> Iterable[Hit]:
    held = {h.service_area for h in config.holdings if h.task == ORGANIZING}
    for area in sorted(config.service_areas - held):
        yield Hit(area, {"area": config.label(area)})


def administrative_task_to_private(config: Configuration) -> Iterable[Hit]:
    for h in config.holdings:
        party = config.party(h.party_id)
        if h.task in ADMINISTRATIVE and party is not None and party.kind in PRIVATE_KINDS:
            yield Hit(
                f"{h.party_id}:{h.service_area}:{h.task}",
                {"party": party.name, "task": config.label(h.task)},
            )


def own_unit_outside_remit(config: Configuration) -> Iterable[Hit]:
    remit: dict[int, set[str]] = {}
    for h in config.holdings:
        if h.task == ORGANIZING:
            remit.setdefault(h.party_id, set()).add(h.service_area)
    seen: set[tuple[int, str]] = set()
    for h in config.holdings:
        party = config.party(h.party_id)
        if party is None or party.role != OWN_PRODUCTION or h.task == ORGANIZING:
            continue
        if (h.party_id, h.service_area) in seen:
            continue  # one finding per unit and area, whatever its tasks there
        seen.add((h.party_id, h.service_area))
        if h.service_area not in remit.get(party.parent_id or 0, set()):
            organizer = config.party(party.parent_id)
            yield Hit(
                f"{h.party_id}:{h.service_area}",
                {
                    "party": party.name,
                    "area": config.label(h.service_area),
                    "organizer": organizer.name if organizer else "—",
                },
            )


def own_unit_on_market(config: Configuration) -> Iterable[Hit]:
    for party in config.parties:
        if party.role == OWN_PRODUCTION and party.id in config.market_units:
            yield Hit(str(party.id), {"party": party.name})


def person_on_both_sides(config: Configuration) -> Iterable[Hit]:
    sides: dict[str, set[Side]] = {}
    names: dict[str, str] = {}
    for sp in config.seat_people:
        key = str(sp.person_id) if sp.person_id is not None else sp.person
        names[key] = sp.person
        seat = config.party(sp.seat_party_id)
        if seat is not None:
            sides.setdefault(key, set()).add(seat.side)
        employer = config.party(sp.person_party_id)
        if employer is not None:
            sides.setdefault(key, set()).add(employer.side)
    for key, held in sorted(sides.items()):
        if held == {Side.ORGANIZING, Side.PRODUCING}:
            yield Hit(key, {"person": names[key]})


def organizer_seat_speaks_for_own_unit(config: Configuration) -> Iterable[Hit]:
    if config.own_units_have_seats:
        return
    for party in config.parties:
        if party.role == OWN_PRODUCTION:
            organizer = config.party(party.parent_id)
            yield Hit(
                str(party.id),
                {"party": party.name, "organizer": organizer.name if organizer else "—"},
            )


def procurement_without_negotiation(config: Configuration) -> Iterable[Hit]:
    for p in config.procurements:
        if p.regime == "below_national":
            continue
        if p.procedure != NEGOTIATED or (p.award_stage and p.negotiation_rounds == 0):
            yield Hit(str(p.number), {"number": p.number, "title": p.title})


def document_without_statements(config: Configuration) -> Iterable[Hit]:
    for d in config.documents:
        if not (d.states_no_legal_person and d.states_duties_unchanged):
            yield Hit(f"{d.kind}:{d.title}:{d.version}", {"title": d.title, "version": d.version})


def agreement_missing(config: Configuration) -> Iterable[Hit]:
    if config.phase in {"development", "implementation"} and not any(
        d.kind == "alliance_agreement" for d in config.documents
    ):
        yield Hit("alliance_agreement")


def private_service_with_authority(config: Configuration) -> Iterable[Hit]:
    for service in config.services:
        if not service.public_authority:
            continue
        for party_id in service.producer_ids:
            party = config.party(party_id)
            if party is not None and party.kind in PRIVATE_KINDS:
                yield Hit(
                    f"{service.number}:{party_id}",
                    {"service": service.name, "number": service.number, "party": party.name},
                )


def service_outside_remit(config: Configuration) -> Iterable[Hit]:
    remit = {(h.party_id, h.service_area) for h in config.holdings if h.task == ORGANIZING}
    for service in config.services:
        for party_id in service.responsible_ids:
            if (party_id, service.service_area) in remit:
                continue
            party = config.party(party_id)
            yield Hit(
                f"{service.number}:{party_id}",
                {
                    "service": service.name,
                    "number": service.number,
                    "party": party.name if party else "—",
                    "area": config.label(service.service_area),
                },
            )


RULES: tuple[Rule, ...] = (
    Rule(
        code="organizing_held_by_producer",
        number="1a",
        title=_("Organizing responsibility stays with the organizers"),
        severity=Severity.ERROR,
        explanation=_(
            "%(party)s is a producer but is given the organizing responsibility for "
            "%(area)s. A producer can produce services; the organizing responsibility stays with "
            "the organizer the law gives it to."
        ),
        statutes=(Statute(PL, "121 §"), Statute(KUNTAL, "8 §"), Statute(SEED, "5")),
        check=organizing_held_by_producer,
    ),
    Rule(
        code="region_responsibility_to_municipality",
        number="1b",
        title=_("The region's organizing responsibility is not transferred to municipalities"),
        severity=Severity.ERROR,
        explanation=_(
            "The organizing responsibility for %(area)s belongs to the region; the alliance "
            "agreement cannot give it to %(party)s."
        ),
        statutes=(Statute(PL, "121 §"), Statute(HVAL, "7 §"), Statute(SEED, "5")),
        check=region_responsibility_to_municipality,
    ),
    Rule(
        code="organizing_unassigned",
        number="1c",
        title=_("Every service area has an organizer responsible for it"),
        severity=Severity.NOTICE,
        explanation=_(
            "Nobody is recorded as carrying the organizing responsibility for %(area)s. Record "
            "the organizer responsible, so that the division of tasks can be checked."
        ),
        statutes=(Statute(KUNTAL, "8 §"),),
        check=organizing_unassigned,
    ),
    Rule(
        code="administrative_task_to_private",
        number="2",
        title=_("Public administrative tasks are not given to private producers"),
        severity=Severity.ERROR,
        explanation=_(
            "%(party)s is a private producer and cannot be given the task “%(task)s”: it uses "
            "public authority, which stays with an authority (an organizer or its own unit)."
        ),
        statutes=(Statute(PL, "124 §"), Statute(SEED, "5")),
        check=administrative_task_to_private,
    ),
    Rule(
        code="own_unit_outside_remit",
        number="3",
        title=_("An own production unit works within its own organizer's remit"),
        severity=Severity.ERROR,
        explanation=_(
            "%(party)s is an own production unit of %(organizer)s, which is not responsible for "
            "%(area)s in this alliance. An own unit produces only services its organizer is "
            "responsible for."
        ),
        statutes=(Statute(KUNTAL, "7 §, 8 §"), Statute(SEED, "6")),
        check=own_unit_outside_remit,
    ),
    Rule(
        code="own_unit_on_market",
        number="4",
        title=_("Own production that sells on a competitive market: competitive neutrality"),
        severity=Severity.WARNING,
        explanation=_(
            "%(party)s also sells on a competitive market. Check that the activity is "
            "incorporated or falls under an exception, that its prices are market-based and its "
            "accounts separate, so that public money does not distort competition."
        ),
        statutes=(
            Statute(KUNTAL, "126–128 §"),
            Statute(KILPL, "30 a §"),
            Statute(SEED, "5"),
        ),
        check=own_unit_on_market,
    ),
    Rule(
        code="person_on_both_sides",
        number="5a",
        title=_("Organizing and producing stay separate in the leadership group"),
        severity=Severity.ERROR,
        explanation=_(
            "%(person)s would represent both an organizer and a producer in the leadership "
            "group. Organizers and producers keep separate representatives."
        ),
        statutes=(Statute(HANKL, "24 §"), Statute(SEED, "5, 6")),
        check=person_on_both_sides,
    ),
    Rule(
        code="organizer_seat_speaks_for_own_unit",
        number="5b",
        title=_("An organizer's seat also speaks for its own production"),
        severity=Severity.WARNING,
        explanation=_(
            "%(party)s has no seat of its own, so the seat of %(organizer)s speaks both as "
            "organizer and for its own production. Consider giving own production units seats "
            "of their own, or record how the organizer keeps the roles apart."
        ),
        statutes=(Statute(SEED, "6"),),
        check=organizer_seat_speaks_for_own_unit,
        agreement_rule=True,
    ),
    Rule(
        code="procurement_without_negotiation",
        number="6",
        title=_("A procurement above the threshold uses a recorded negotiated procedure"),
        severity=Severity.ERROR,
        explanation=_(
            "Procurement #%(number)s “%(title)s” is above the threshold in force but its "
            "negotiated procedure is not recorded: choose the competitive procedure with "
            "negotiation and record the negotiation rounds before the award."
        ),
        statutes=(
            Statute(HANKL, "25 §, 26 §, 34 §"),
            Statute(SEED, "8"),
        ),
        check=procurement_without_negotiation,
    ),
    Rule(
        code="document_without_statements",
        number="7a",
        title=_("Agreement documents state the alliance's legal nature"),
        severity=Severity.ERROR,
        explanation=_(
            "The document “%(title)s” (%(version)s) must state that the alliance creates no legal "
            "person and changes no statutory duty of the parties."
        ),
        statutes=(Statute(PL, "121 §"), Statute(SEED, "4")),
        check=document_without_statements,
    ),
    Rule(
        code="agreement_missing",
        number="7b",
        title=_("The alliance agreement is registered"),
        severity=Severity.NOTICE,
        explanation=_(
            "The alliance is past its formation, but no alliance agreement is registered. "
            "Register it, with its statements on the alliance's legal nature."
        ),
        statutes=(Statute(SEED, "4"),),
        check=agreement_missing,
        agreement_rule=True,
    ),
    Rule(
        code="private_service_with_authority",
        number="8a",
        title=_("A service produced by a private producer contains no public administrative tasks"),
        severity=Severity.ERROR,
        explanation=_(
            "Service #%(number)s “%(service)s” includes public administrative tasks, but "
            "%(party)s, a private producer, produces it. Take the administrative tasks out of the "
            "service, or have an organizer or its own unit produce it."
        ),
        statutes=(Statute(PL, "124 §"), Statute(SEED, "5")),
        check=private_service_with_authority,
    ),
    Rule(
        code="service_outside_remit",
        number="8b",
        title=_("A service's responsible organizer carries the organizing responsibility"),
        severity=Severity.ERROR,
        explanation=_(
            "Service #%(number)s “%(service)s” names %(party)s as responsible, but %(party)s does "
            "not carry the organizing responsibility for %(area)s in this alliance. Record its "
            "organizing responsibility, or name the organizer that carries it."
        ),
        statutes=(Statute(KUNTAL, "8 §"), Statute(SEED, "6")),
        check=service_outside_remit,
    ),
)


def evaluate(config: Configuration, rules: Iterable[Rule] = RULES) -> list[Finding]:
    """Every finding of every rule, the blocking ones first."""
    order = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.NOTICE: 2}
    findings = [Finding(rule, hit) for rule in rules for hit in rule.check(config)]
    return sorted(findings, key=lambda f: (order[f.severity], f.rule.number, f.hit.subject))


def new_blocking(before: Iterable[Finding], after: Iterable[Finding]) -> list[Finding]:
    """The blocking findings of ``after`` that ``before`` did not have."""
    known = {f.key for f in before}
    return [f for f in after if f.blocking and f.key not in known]
