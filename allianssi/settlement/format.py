"""The settlement calculator's stable JSON format, ``allianssi-settlement/1``: pure, no Django.

An input document holds the commercial model (``terms``) and the period's ``actuals``;
``run`` validates it, collecting every error with its path, and computes the result document.
The web app calls the parts (``parse_terms``, ``parse_actuals``, ``calculate``, ``dump_terms``,
``diff``); the command line (``python -m allianssi.settlement``) calls ``loads`` and ``run``.
Every field, default, constraint and error is in docs/settlement-format.md.

Numbers are read as ``Decimal`` (JSON numbers too: nothing goes through float). Error messages
are English templates in ``MESSAGES``, marked with ``gettext_noop`` so that Django's
``makemessages`` extracts them for the web UI, which translates ``FormatError.template`` itself.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NoReturn

from allianssi.core.rounding import rounded
from allianssi.settlement import calculation as calc

FORMAT = "allianssi-settlement/1"
KINDS = ("final", "interim")
CENT = Decimal("0.01")
LIMIT = Decimal(10) ** 15  # every number's absolute value stays below this
DEFAULT_BANDS = (calc.Band(Decimal("0.5")),)
_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")

#: The natural range of a KPI's values by its unit, matched without case or surrounding
#: spaces: a share in per cent is from 0 to 100; durations, counts and euros are 0 or more. A
#: KPI in any other unit (or none: an index, a change in percentage points) takes any number.
SHARE_UNITS = frozenset({"%", "percent", "per cent", "prosenttia", "procent"})
NON_NEGATIVE_UNITS = frozenset(
    {
        # durations
        *("min", "minutes", "minuuttia", "minuter", "h", "hours", "tuntia", "timmar"),
        *("d", "days", "vrk", "pv", "päivää", "dygn", "dagar"),
        *("weeks", "vk", "viikkoa", "veckor", "months", "kk", "kuukautta", "månader"),
        # counts
        *("count", "kpl", "st", "pcs", "persons", "people", "hlö", "henkilöä", "personer"),
        *("customers", "asiakasta", "kunder", "companies", "yritystä", "företag"),
        # money
        *("€", "eur", "euros", "euroa", "euro"),
    }
)
HUNDRED = Decimal(100)


def unit_range(unit: str) -> tuple[Decimal, Decimal | None] | None:
    """The range ``(lowest, highest)`` of a KPI's values in ``unit`` (``None``: no upper
    end), or ``None`` when the unit has no natural range."""
    name = " ".join(unit.split()).casefold()
    if name in SHARE_UNITS:
        return Decimal(0), HUNDRED
    if name in NON_NEGATIVE_UNITS:
        return Decimal(0), None
    return None


def gettext_noop(message: str) -> str:
    """Marks ``message`` for translation (``makemessages`` finds it) and returns it as is."""
    return message


MESSAGES: dict[str, str] = {
    "invalid_json": gettext_noop("The document is not valid JSON: %(reason)s."),
    "duplicate_member": gettext_noop("The name %(name)s appears more than once in this object."),
    "not_object": gettext_noop("Expected an object."),
    "not_list": gettext_noop("Expected a list."),
    "not_string": gettext_noop("Expected a string."),
    "not_boolean": gettext_noop("Expected true or false."),
    "not_number": gettext_noop('Expected a number: a JSON number or a string such as "12.50".'),
    "float_number": gettext_noop(
        "A float cannot hold cents exactly: give a Decimal, an int or a string."
    ),
    "not_integer": gettext_noop("Expected a whole number."),
    "required": gettext_noop("This field is required."),
    "unknown_field": gettext_noop("Unknown field %(name)s."),
    "wrong_format": gettext_noop("The format must be %(expected)s."),
    "wrong_kind": gettext_noop("The kind must be final or interim."),
    "empty": gettext_noop("This cannot be empty."),
    "duplicate_key": gettext_noop("The key %(key)s is already used at %(other)s."),
    "negative": gettext_noop("This cannot be negative."),
    "not_positive": gettext_noop("This must be more than 0."),
    "not_ratio": gettext_noop("This must be between 0 and 1."),
    "too_many_decimals": gettext_noop("An amount in euros has at most 2 decimals."),
    "too_large": gettext_noop("This is too large: it must be less than %(limit)s."),
    "bad_character": gettext_noop(
        "The text contains a character that cannot be stored (%(character)s): remove it."
    ),
    "unit_range": gettext_noop("A value in %(unit)s must be from %(min)s to %(max)s."),
    "unit_negative": gettext_noop("A value in %(unit)s cannot be negative: it is 0 or more."),
    "fee_too_large": gettext_noop(
        "The fee, this mark-up on the costs of %(costs)s, would be %(fee)s: it must be less "
        "than %(limit)s."
    ),
    "payment_too_large": gettext_noop(
        "The outcome payment, %(count)s × %(amount)s, would be %(payment)s: it must be less "
        "than %(limit)s."
    ),
    "fee_rule": gettext_noop("Give either markup or fixed_fee (one of them, not both)."),
    "pool_rule": gettext_noop("Give either share_of_target or fixed (one of them, not both)."),
    "unknown_organizer": gettext_noop("%(key)s is not an organizer."),
    "unknown_producer": gettext_noop("%(key)s is not a producer."),
    "duplicate_price": gettext_noop(
        "The outcome %(outcome)s already has a price for the same producers at %(other)s."
    ),
    "band_limit_missing": gettext_noop("Every band but the last needs an up_to."),
    "band_limit_last": gettext_noop("The last band takes the rest: it has no up_to."),
    "band_order": gettext_noop("Each band's up_to must be above the previous band's (and 0)."),
    "kpi_direction": gettext_noop(
        "The target must be better than the minimum: above it when higher is better, "
        "below it when lower is better."
    ),
    "weights_sum": gettext_noop("The KPIs' weights add up to %(total)s; at most 1 is allowed."),
    "areas_sum": gettext_noop("The areas add up to %(total)s, not to the target %(target)s."),
    "nothing_to_settle": gettext_noop("Give at least one producer or own unit."),
    "missing_actuals": gettext_noop("The terms have %(key)s but the actuals do not."),
    "not_in_terms": gettext_noop("%(key)s is not in the terms."),
    "calculation": gettext_noop("The calculation refused the document: %(reason)s."),
    "range_order": gettext_noop("low cannot be above high."),
    "out_of_range": gettext_noop("This must be from %(min)s to %(max)s."),
    "wrong_distribution": gettext_noop("The distribution must be uniform or triangular."),
    "nothing_to_scale": gettext_noop("There are no costs to scale to another outturn."),
    "below_fixed_fees": gettext_noop(
        "The outturn cannot be below the fixed fees, %(fixed)s, which do not scale."
    ),
    # The application's checks of a document against the alliance's members (the format
    # itself knows no members; the web checks that the keys are the right parties).
    "party_not_member": gettext_noop(
        "%(key)s is not a current member of the alliance in this role."
    ),
    "unit_not_of_organizer": gettext_noop("Own unit %(key)s belongs to another organizer."),
    "organizer_missing": gettext_noop(
        "Organizer %(key)s is a member of the alliance but missing from the terms."
    ),
    "producer_missing": gettext_noop(
        "Producer %(key)s is a member of the alliance but missing from the terms."
    ),
}


@dataclass(frozen=True)
class FormatError:
    """One error: a stable ``code``, where it is (``terms.producers[1].markup``) and the
    parameters of its message."""

    code: str
    path: str
    params: Mapping[str, object] = field(default_factory=dict)

    @property
    def template(self) -> str:
        """The English message before its parameters are put in (to translate)."""
        return MESSAGES[self.code]

    @property
    def message(self) -> str:
        return self.template % self.params if self.params else self.template

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class InvalidDocument(Exception):
    """A document refused, with every error found."""

    def __init__(self, errors: list[FormatError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


@dataclass(frozen=True)
class Change:
    """One leaf that differs between two documents (``None`` on the side that lacks it)."""

    path: str
    old: object
    new: object


# ---------------------------------------------------------------------------- the model


@dataclass(frozen=True)
class OrganizerTerms:
    key: str
    name: str
    funding_share: Decimal  # a weight > 0


@dataclass(frozen=True)
class ProducerTerms:
    key: str
    name: str
    markup: Decimal | None = None  # exactly one of markup …
    fixed_fee: Decimal | None = None  # … and fixed_fee
    share_key: Decimal | None = None
    cap: Decimal | None = None


@dataclass(frozen=True)
class OwnUnitTerms:
    key: str
    name: str
    organizer: str


@dataclass(frozen=True)
class KpiTerms:
    key: str
    name: str
    minimum: Decimal
    target: Decimal
    weight: Decimal
    unit: str = ""
    higher_is_better: bool = True
    baseline: Decimal | None = None  # kept as data
    malus: Decimal = Decimal(0)
    source: str = "entered"  # or the data source that computes it; kept as data


@dataclass(frozen=True)
class OutcomePriceTerms:
    outcome: str  # the outcome type's code
    name: str
    amount: Decimal  # per verified outcome
    producer: str | None = None  # one producer's key, or None: every producer
    cap: Decimal | None = None  # at most this to one producer in the period


@dataclass(frozen=True)
class Pool:
    share_of_target: Decimal | None = None  # exactly one of share_of_target …
    fixed: Decimal | None = None  # … and fixed


@dataclass(frozen=True)
class Model:
    """The commercial model: the ``terms`` of a document."""

    target: Decimal
    organizers: tuple[OrganizerTerms, ...]
    producers: tuple[ProducerTerms, ...]
    own_units: tuple[OwnUnitTerms, ...] = ()
    target_by_area: tuple[tuple[str, Decimal], ...] | None = None
    gain_bands: tuple[calc.Band, ...] = DEFAULT_BANDS
    pain_bands: tuple[calc.Band, ...] = DEFAULT_BANDS
    pain_capped: bool = True
    pool: Pool | None = None
    kpis: tuple[KpiTerms, ...] = ()
    outcome_prices: tuple[OutcomePriceTerms, ...] = ()


@dataclass(frozen=True)
class Actuals:
    """The period's actuals: costs by producer and own unit key, KPI results (None: none), and
    verified outcomes by (producer key, outcome type)."""

    producers: Mapping[str, Decimal]
    own_units: Mapping[str, Decimal] = field(default_factory=dict)
    kpis: Mapping[str, Decimal | None] = field(default_factory=dict)
    outcomes: Mapping[tuple[str, str], int] = field(default_factory=dict)


@dataclass
class Keys:
    """The keys a document's terms name, even where other fields are wrong."""

    organizers: list[str] = field(default_factory=list)
    producers: list[str] = field(default_factory=list)
    own_units: list[str] = field(default_factory=list)
    kpis: list[str] = field(default_factory=list)
    outcomes: list[str] = field(default_factory=list)  # the outcome types priced
    kpi_units: dict[str, str] = field(default_factory=dict)  # each KPI's unit


# ---------------------------------------------------------------------------- reading


def _join(path: str, name: object) -> str:
    if isinstance(name, int):
        return f"{path}[{name}]"
    return str(name) if path == "$" else f"{path}.{name}"


Read = Callable[[Any, str], Any]


class Reader:
    """Reads a document's parts, collecting every error with its path. A part with errors
    reads as ``None``."""

    def __init__(self) -> None:
        self.errors: list[FormatError] = []
        self.keys = Keys()
        self.claimed: dict[str, str] = {}  # each party's key: where it is first

    def error(self, code: str, path: str, **params: object) -> None:
        self.errors.append(FormatError(code, path, params))

    def raise_errors(self) -> None:
        if self.errors:
            raise InvalidDocument(self.errors)

    # -- shapes

    def object(
        self, value: Any, path: str, fields: Collection[str], required: Iterable[str] = ()
    ) -> Mapping[str, Any] | None:
        """``value`` as an object with only ``fields`` and the ``required`` ones not null."""
        if not isinstance(value, Mapping):
            self.error("not_object", path)
            return None
        for name in value:
            if name not in fields:
                self.error("unknown_field", _join(path, str(name)), name=str(name))
        for name in required:
            if value.get(name) is None:
                self.error("required", _join(path, name))
        return value

    def field(
        self, obj: Mapping[str, Any], name: str, path: str, read: Read, default: Any = None
    ) -> Any:
        """``obj[name]`` read by ``read``; ``default`` when missing or null."""
        value = obj.get(name)
        return default if value is None else read(value, _join(path, name))

    def items(self, value: Any, path: str, read: Read) -> list[Any] | None:
        """A list read item by item; an item with errors reads as ``None``, in its place."""
        if not isinstance(value, list | tuple):
            self.error("not_list", path)
            return None
        return [read(item, f"{path}[{i}]") for i, item in enumerate(value)]

    # -- leaves

    def text(self, value: Any, path: str) -> str | None:
        """A string that a database can keep: no NUL and no lone surrogate (``"\\ud800"``)."""
        if not isinstance(value, str):
            self.error("not_string", path)
            return None
        bad = next((c for c in value if c == "\x00" or "\ud800" <= c <= "\udfff"), None)
        if bad is not None:
            self.error("bad_character", path, character=f"U+{ord(bad):04X}")
            return None
        return value

    def key(self, value: Any, path: str) -> str | None:
        text = self.text(value, path)
        if text is not None and not text.strip():
            self.error("empty", path)
            return None
        return text

    def flag(self, value: Any, path: str) -> bool | None:
        if not isinstance(value, bool):
            self.error("not_boolean", path)
            return None
        return value

    def number(self, value: Any, path: str) -> Decimal | None:
        """A JSON number, a string like ``-12.50``, a Decimal or an int; never a float."""
        if isinstance(value, float):
            self.error("float_number", path)
            return None
        integer = isinstance(value, int) and not isinstance(value, bool)
        if integer or (isinstance(value, str) and _NUMBER.fullmatch(value)):
            value = Decimal(value)
        if not isinstance(value, Decimal) or not value.is_finite():
            self.error("not_number", path)
            return None
        if abs(value) >= LIMIT:
            self.error("too_large", path, limit=f"{LIMIT:f}")
            return None
        return value

    def nonnegative(self, value: Any, path: str) -> Decimal | None:
        number = self.number(value, path)
        if number is not None and number < 0:
            self.error("negative", path)
            return None
        return number

    def positive(self, value: Any, path: str) -> Decimal | None:
        number = self.number(value, path)
        if number is not None and number <= 0:
            self.error("not_positive", path)
            return None
        return number

    def check_unit(self, number: Decimal, path: str, unit: str) -> bool:
        """Whether ``number`` lies in ``unit``'s natural range (else an error at ``path``)."""
        bounds = unit_range(unit)
        if bounds is None:
            return True
        low, high = bounds
        if high is None and number < low:
            self.error("unit_negative", path, unit=unit.strip())
            return False
        if high is not None and not low <= number <= high:
            self.error("unit_range", path, unit=unit.strip(), min=_plain(low), max=_plain(high))
            return False
        return True

    def ratio(self, value: Any, path: str) -> Decimal | None:
        number = self.number(value, path)
        if number is not None and not 0 <= number <= 1:
            self.error("not_ratio", path)
            return None
        return number

    def amount(self, value: Any, path: str) -> Decimal | None:
        """Euros: not negative, at most 2 decimals."""
        number = self.nonnegative(value, path)
        if number is not None and number != number.quantize(CENT):
            self.error("too_many_decimals", path)
            return None
        return number

    def integer(self, value: Any, path: str) -> int | None:
        number = self.number(value, path)
        if number is not None and number != number.to_integral_value():
            self.error("not_integer", path)
            return None
        return None if number is None else int(number)

    # -- the document

    def document(self, value: Any) -> tuple[Model | None, Actuals | None, str]:
        """The whole input document: its terms, actuals and kind."""
        fields = ("format", "kind", "terms", "actuals", "what_if")
        obj = self.object(value, "$", fields, required=("format", "terms", "actuals"))
        if obj is None:
            return None, None, "final"
        form = self.field(obj, "format", "$", self.text)
        if form is not None and form != FORMAT:
            self.error("wrong_format", "format", expected=FORMAT)
        kind = self.field(obj, "kind", "$", self.text, "final")
        if kind is not None and kind not in KINDS:
            self.error("wrong_kind", "kind")
        model = self.terms(obj["terms"], "terms") if obj.get("terms") is not None else None
        actuals = None
        if obj.get("actuals") is not None and isinstance(obj.get("terms"), Mapping):
            actuals = self.actuals(obj["actuals"], self.keys, "actuals")
        return model, actuals, kind or "final"

    def terms(self, value: Any, path: str) -> Model | None:
        start = len(self.errors)
        required = ("target", "organizers", "producers")
        obj = self.object(value, path, Model.__dataclass_fields__, required)
        if obj is None:
            return None
        values: dict[str, Any] = {
            "target": self.field(obj, "target", path, self.amount),
            "target_by_area": self.field(obj, "target_by_area", path, self.areas),
            "organizers": self.field(obj, "organizers", path, self._list(self.organizer), ()),
            "producers": self.field(obj, "producers", path, self._list(self.producer), ()),
            "own_units": self.field(obj, "own_units", path, self._list(self.own_unit), ()),
            "gain_bands": self.field(obj, "gain_bands", path, self._list(self.band), DEFAULT_BANDS),
            "pain_bands": self.field(obj, "pain_bands", path, self._list(self.band), DEFAULT_BANDS),
            "pain_capped": self.field(obj, "pain_capped", path, self.flag, True),
            "pool": self.field(obj, "pool", path, self.pool),
            "kpis": self.field(obj, "kpis", path, self._list(self.kpi), ()),
            "outcome_prices": self.field(
                obj, "outcome_prices", path, self._list(self.outcome_price), ()
            ),
        }
        self.check_terms(values, path, self.keys.organizers, self.keys.producers)
        if len(self.errors) > start:
            return None
        frozen: dict[str, Any] = {
            k: tuple(v) if isinstance(v, list) else v for k, v in values.items()
        }
        return Model(**frozen)

    def _list(self, read: Read) -> Read:
        return lambda value, path: self.items(value, path, read)

    def areas(self, value: Any, path: str) -> tuple[tuple[str, Decimal], ...] | None:
        if not isinstance(value, Mapping):
            self.error("not_object", path)
            return None
        start = len(self.errors)
        areas: list[Any] = [
            (self.key(k, _join(path, k)), self.amount(v, _join(path, k))) for k, v in value.items()
        ]
        return tuple(areas) if len(self.errors) == start else None

    def _party_key(self, obj: Mapping[str, Any], path: str, keys: list[str]) -> Any:
        key = self.field(obj, "key", path, self.key)
        if key is not None and self.claim(key, _join(path, "key")):
            keys.append(key)
        return key

    def claim(self, key: str, path: str) -> bool:
        """Whether ``key`` is new among the parties' keys (else an error at ``path``)."""
        if key in self.claimed:
            self.error("duplicate_key", path, key=key, other=self.claimed[key])
            return False
        self.claimed[key] = path
        return True

    def organizer(self, value: Any, path: str) -> OrganizerTerms | None:
        start = len(self.errors)
        obj = self.object(value, path, ("key", "name", "funding_share"), ("key", "funding_share"))
        if obj is None:
            return None
        key = self._party_key(obj, path, self.keys.organizers)
        name = self.field(obj, "name", path, self.text, key)
        share = self.field(obj, "funding_share", path, self.positive)
        return OrganizerTerms(key, name, share) if len(self.errors) == start else None

    def producer(self, value: Any, path: str) -> ProducerTerms | None:
        start = len(self.errors)
        fields = ("key", "name", "markup", "fixed_fee", "share_key", "cap")
        obj = self.object(value, path, fields, ("key",))
        if obj is None:
            return None
        key = self._party_key(obj, path, self.keys.producers)
        producer = ProducerTerms(
            key=key,
            name=self.field(obj, "name", path, self.text, key),
            markup=self.field(obj, "markup", path, self.nonnegative),
            fixed_fee=self.field(obj, "fixed_fee", path, self.amount),
            share_key=self.field(obj, "share_key", path, self.nonnegative),
            cap=self.field(obj, "cap", path, self.amount),
        )
        if (obj.get("markup") is None) == (obj.get("fixed_fee") is None):
            self.error("fee_rule", path)
        return producer if len(self.errors) == start else None

    def own_unit(self, value: Any, path: str) -> OwnUnitTerms | None:
        start = len(self.errors)
        obj = self.object(value, path, ("key", "name", "organizer"), ("key", "organizer"))
        if obj is None:
            return None
        key = self._party_key(obj, path, self.keys.own_units)
        name = self.field(obj, "name", path, self.text, key)
        organizer = self.field(obj, "organizer", path, self.key)
        return OwnUnitTerms(key, name, organizer) if len(self.errors) == start else None

    def band(self, value: Any, path: str) -> calc.Band | None:
        start = len(self.errors)
        obj = self.object(value, path, ("producers_share", "up_to"), ("producers_share",))
        if obj is None:
            return None
        share = self.field(obj, "producers_share", path, self.ratio)
        up_to = self.field(obj, "up_to", path, self.amount)
        return calc.Band(share, up_to) if len(self.errors) == start else None

    def pool(self, value: Any, path: str) -> Pool | None:
        start = len(self.errors)
        obj = self.object(value, path, ("share_of_target", "fixed"))
        if obj is None:
            return None
        share = self.field(obj, "share_of_target", path, self.ratio)
        fixed = self.field(obj, "fixed", path, self.amount)
        if (obj.get("share_of_target") is None) == (obj.get("fixed") is None):
            self.error("pool_rule", path)
        return Pool(share, fixed) if len(self.errors) == start else None

    def kpi(self, value: Any, path: str) -> KpiTerms | None:
        start = len(self.errors)
        fields = [*KpiTerms.__dataclass_fields__]
        obj = self.object(value, path, fields, ("key", "minimum", "target", "weight"))
        if obj is None:
            return None
        key = self.field(obj, "key", path, self.key)
        unit = self.field(obj, "unit", path, self.text, "")
        if key is not None:
            self.keys.kpis.append(key)
            self.keys.kpi_units[key] = unit or ""
        kpi = KpiTerms(
            key=key,
            name=self.field(obj, "name", path, self.text, key),
            minimum=self.field(obj, "minimum", path, self.number),
            target=self.field(obj, "target", path, self.number),
            weight=self.field(obj, "weight", path, self.ratio),
            unit=unit,
            higher_is_better=self.field(obj, "higher_is_better", path, self.flag, True),
            baseline=self.field(obj, "baseline", path, self.number),
            malus=self.field(obj, "malus", path, self.nonnegative, Decimal(0)),
            source=self.field(obj, "source", path, self.key, "entered"),
        )
        return kpi if len(self.errors) == start else None

    def outcome_price(self, value: Any, path: str) -> OutcomePriceTerms | None:
        start = len(self.errors)
        fields = [*OutcomePriceTerms.__dataclass_fields__]
        obj = self.object(value, path, fields, ("outcome", "amount"))
        if obj is None:
            return None
        outcome = self.field(obj, "outcome", path, self.key)
        if outcome is not None and outcome not in self.keys.outcomes:
            self.keys.outcomes.append(outcome)
        price = OutcomePriceTerms(
            outcome=outcome,
            name=self.field(obj, "name", path, self.text, outcome),
            amount=self.field(obj, "amount", path, self.amount),
            producer=self.field(obj, "producer", path, self.key),
            cap=self.field(obj, "cap", path, self.amount),
        )
        return price if len(self.errors) == start else None

    def count(self, value: Any, path: str) -> int | None:
        """A number of outcomes: a whole number, 0 or more."""
        number = self.integer(value, path)
        if number is not None and number < 0:
            self.error("negative", path)
            return None
        return number

    def check_terms(
        self,
        parts: Mapping[str, Any],
        path: str,
        organizer_keys: Collection[str],
        producer_keys: Collection[str] = (),
    ) -> None:
        """The rules across fields, on the ``parts`` of the terms (``Model``'s fields) that
        read without errors: a part that did not read is ``None``, and so is a list item."""
        if parts["organizers"] in ([], ()):
            self.error("empty", _join(path, "organizers"))
        if parts["producers"] in ([], ()) and parts["own_units"] in ([], ()):
            self.error("nothing_to_settle", _join(path, "producers"))
        for i, unit in enumerate(parts["own_units"] or ()):
            if unit is not None and unit.organizer not in organizer_keys:
                where = f"{_join(path, 'own_units')}[{i}].organizer"
                self.error("unknown_organizer", where, key=unit.organizer)
        for name in ("gain_bands", "pain_bands"):
            if parts[name] is not None:
                self._check_bands(parts[name], _join(path, name))
        if parts["kpis"] is not None:
            self._check_kpis(parts["kpis"], _join(path, "kpis"))
        if parts["outcome_prices"] is not None:
            where = _join(path, "outcome_prices")
            self._check_prices(parts["outcome_prices"], where, producer_keys)
        target, areas = parts["target"], parts["target_by_area"]
        if target is not None and areas is not None:
            total = sum((amount for _, amount in areas), Decimal(0))
            if total != target:
                where = _join(path, "target_by_area")
                self.error("areas_sum", where, total=money(total), target=money(target))

    def _check_bands(self, bands: Sequence[calc.Band | None], path: str) -> None:
        if not bands:
            self.error("empty", path)
        reached = Decimal(0)
        for i, band in enumerate(bands):
            if band is None:
                continue
            if i == len(bands) - 1 and band.up_to is not None:
                self.error("band_limit_last", f"{path}[{i}].up_to")
            elif i < len(bands) - 1 and band.up_to is None:
                self.error("band_limit_missing", f"{path}[{i}]")
            if band.up_to is not None:
                if band.up_to <= reached:
                    self.error("band_order", f"{path}[{i}].up_to")
                reached = max(reached, band.up_to)

    def _check_kpis(self, kpis: Sequence[KpiTerms | None], path: str) -> None:
        seen: set[str] = set()
        total = Decimal(0)
        for i, kpi in enumerate(kpis):
            if kpi is None:
                continue
            if kpi.key in seen:
                self.error("duplicate_key", f"{path}[{i}].key", key=kpi.key, other=path)
            seen.add(kpi.key)
            for name in ("minimum", "target", "baseline"):
                number = getattr(kpi, name)
                if number is not None:
                    self.check_unit(number, f"{path}[{i}].{name}", kpi.unit)
            better = kpi.target > kpi.minimum if kpi.higher_is_better else kpi.target < kpi.minimum
            if not better:
                self.error("kpi_direction", f"{path}[{i}].target")
            total += kpi.weight
        if total > 1:
            self.error("weights_sum", path, total=_plain(total))

    def _check_prices(
        self,
        prices: Sequence[OutcomePriceTerms | None],
        path: str,
        producer_keys: Collection[str],
    ) -> None:
        """Each price's producer is a producer, and an outcome type has at most one price for
        each producer and one for every producer."""
        seen: dict[tuple[str, str | None], str] = {}
        for i, price in enumerate(prices):
            if price is None:
                continue
            where = f"{path}[{i}]"
            if price.producer is not None and price.producer not in producer_keys:
                self.error("unknown_producer", f"{where}.producer", key=price.producer)
            pair = (price.outcome, price.producer)
            if pair in seen:
                self.error("duplicate_price", where, outcome=price.outcome, other=seen[pair])
            else:
                seen[pair] = where

    def actuals(self, value: Any, keys: Keys, path: str) -> Actuals | None:
        start = len(self.errors)
        obj = self.object(value, path, ("producers", "own_units", "kpis", "outcomes"))
        if obj is None:
            return None
        producers = self._costs(obj.get("producers"), keys.producers, _join(path, "producers"))
        own = self._costs(obj.get("own_units"), keys.own_units, _join(path, "own_units"))
        kpis = self._by_key(obj.get("kpis"), keys.kpis, _join(path, "kpis"), self.number)
        self.check_kpi_values(kpis, keys.kpi_units, _join(path, "kpis"))
        outcomes = self._outcomes(obj.get("outcomes"), keys, _join(path, "outcomes"))
        if len(self.errors) > start:
            return None
        return Actuals(producers=producers, own_units=own, kpis=kpis, outcomes=outcomes)

    def check_kpi_values(
        self, values: Mapping[str, Decimal | None], units: Mapping[str, str], path: str
    ) -> None:
        """Each KPI's value within its unit's natural range."""
        for key, number in values.items():
            if number is not None:
                self.check_unit(number, _join(path, key), units.get(key, ""))

    def _outcomes(self, value: Any, keys: Keys, path: str) -> dict[tuple[str, str], int]:
        """Verified outcomes: producer key → outcome type → count, for the types priced."""
        found: dict[tuple[str, str], int] = {}
        if value is None:
            return found
        if not isinstance(value, Mapping):
            self.error("not_object", path)
            return found
        parties = {*keys.organizers, *keys.own_units}
        for key, counts in value.items():
            where = _join(path, key)
            if key not in keys.producers:
                code = "unknown_producer" if key in parties else "not_in_terms"
                self.error(code, where, key=str(key))
                continue
            if counts is None:
                continue
            if not isinstance(counts, Mapping):
                self.error("not_object", where)
                continue
            for outcome, count in counts.items():
                at = _join(where, outcome)
                if outcome not in keys.outcomes:
                    self.error("not_in_terms", at, key=str(outcome))
                elif count is not None and (number := self.count(count, at)) is not None:
                    found[(key, outcome)] = number
        return found

    def _costs(self, value: Any, keys: Sequence[str], path: str) -> dict[str, Any]:
        def costs(item: Any, where: str) -> Decimal | None:
            obj = self.object(item, where, ("costs",), ("costs",))
            return None if obj is None else self.field(obj, "costs", where, self.amount)

        found = self._by_key(value, keys, path, costs)
        for key in keys:
            if key not in found:
                self.error("missing_actuals", _join(path, key), key=key)
        return found

    def _by_key(self, value: Any, keys: Sequence[str], path: str, read: Read) -> dict[str, Any]:
        """An object keyed by the terms' ``keys``, each value read by ``read`` (null: None)."""
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            self.error("not_object", path)
            return {}
        found = {}
        for key, item in value.items():
            if key not in keys:
                self.error("not_in_terms", _join(path, key), key=str(key))
            else:
                found[key] = None if item is None else read(item, _join(path, key))
        return found


def _json_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = _Members(pairs)
    obj.duplicates = []
    seen: set[str] = set()
    for name, _ in pairs:
        if name in seen:
            obj.duplicates.append(name)
        seen.add(name)
    return obj


class _Members(dict[str, Any]):
    """A JSON object that remembers the names it was given more than once."""

    duplicates: list[str]


def _no_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not a number in JSON")


def _duplicates(value: Any, path: str) -> Iterable[FormatError]:
    if isinstance(value, _Members):
        for name in value.duplicates:
            yield FormatError("duplicate_member", _join(path, name), {"name": name})
        for name, item in value.items():
            yield from _duplicates(item, _join(path, name))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _duplicates(item, f"{path}[{i}]")


def loads(text: str) -> dict[str, Any]:
    """A JSON object read from ``text``, numbers as Decimal; duplicate names refused."""
    try:
        value = json.loads(
            text,
            parse_float=Decimal,
            parse_int=Decimal,
            parse_constant=_no_constant,
            object_pairs_hook=_json_object,
        )
        errors = list(_duplicates(value, "$"))
    except ValueError as error:
        raise InvalidDocument([FormatError("invalid_json", "$", {"reason": str(error)})]) from None
    except RecursionError:
        reason = "it nests arrays or objects too deeply"
        raise InvalidDocument([FormatError("invalid_json", "$", {"reason": reason})]) from None
    if not isinstance(value, dict):
        errors.append(FormatError("not_object", "$"))
    if errors or not isinstance(value, dict):
        raise InvalidDocument(errors)
    return value


def dumps(document: Mapping[str, Any]) -> str:
    """The stable text of a document: indented by 2, UTF-8 as is, ending in a newline."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def parse_terms(obj: Any) -> Model:
    """The commercial model from a document's ``terms`` (raises ``InvalidDocument``)."""
    reader = Reader()
    model = reader.terms(obj, "terms")
    reader.raise_errors()
    assert model is not None
    return model


def parse_actuals(obj: Any, model: Model) -> Actuals:
    """The period's actuals from a document's ``actuals``, against ``model``'s keys."""
    reader = Reader()
    keys = Keys(
        organizers=[o.key for o in model.organizers],
        producers=[p.key for p in model.producers],
        own_units=[u.key for u in model.own_units],
        kpis=[k.key for k in model.kpis],
        outcomes=list(dict.fromkeys(p.outcome for p in model.outcome_prices)),
        kpi_units={k.key: k.unit for k in model.kpis},
    )
    actuals = reader.actuals(obj, keys, "actuals")
    reader.raise_errors()
    assert actuals is not None
    return actuals


def check(model: Model, actuals: Actuals) -> list[FormatError]:
    """The errors of a model and actuals built without ``parse_terms`` (none if parsed)."""
    reader = Reader()
    for name in ("organizers", "producers", "own_units"):
        for i, party in enumerate(getattr(model, name)):
            reader.claim(party.key, f"terms.{name}[{i}].key")
    parts = {name: getattr(model, name) for name in Model.__dataclass_fields__}
    producers = [p.key for p in model.producers]
    reader.check_terms(parts, "terms", [o.key for o in model.organizers], producers)
    for name, parties, found in (
        ("producers", model.producers, actuals.producers),
        ("own_units", model.own_units, actuals.own_units),
    ):
        for party in parties:
            if party.key not in found:
                reader.error("missing_actuals", f"actuals.{name}.{party.key}", key=party.key)
    priced = {p.outcome for p in model.outcome_prices}
    for (producer, outcome), count in actuals.outcomes.items():
        where = f"actuals.outcomes.{producer}"
        if producer not in producers:
            reader.error("unknown_producer", where, key=producer)
        elif outcome not in priced:
            reader.error("not_in_terms", f"{where}.{outcome}", key=outcome)
        else:
            reader.count(count, f"{where}.{outcome}")
    reader.check_kpi_values(actuals.kpis, {k.key: k.unit for k in model.kpis}, "actuals.kpis")
    if not reader.errors:
        _check_derived(reader, model, actuals)
    return reader.errors


def _check_derived(reader: Reader, model: Model, actuals: Actuals) -> None:
    """What the calculation derives from two numbers, a fee (mark-up × costs) and an outcome
    payment (count × amount), stays below ``LIMIT`` as every number given does."""
    limit = f"{LIMIT:f}"
    for i, producer in enumerate(model.producers):
        costs = actuals.producers.get(producer.key)
        if producer.markup is not None and costs is not None:
            fee = calc.rounded_product(costs, producer.markup)
            if fee >= LIMIT:
                where = f"terms.producers[{i}].markup"
                reader.error(
                    "fee_too_large", where, costs=money(costs), fee=f"{fee:f}", limit=limit
                )
        prices = [
            calc.OutcomePrice(p.outcome, p.amount, producer=p.producer, cap=p.cap)
            for p in model.outcome_prices
        ]
        for outcome, price in calc.prices_for(prices, producer.key).items():
            count = actuals.outcomes.get((producer.key, outcome), 0)
            payment = calc.times(rounded(price.amount), count)
            if price.cap is None and payment >= LIMIT:
                reader.error(
                    "payment_too_large",
                    f"actuals.outcomes.{producer.key}.{outcome}",
                    count=str(count),
                    amount=money(price.amount),
                    payment=f"{payment:f}",
                    limit=limit,
                )


# ---------------------------------------------------------------------------- calculating


def _kpi(kpi: KpiTerms, actuals: Actuals) -> calc.Kpi:
    return calc.Kpi(
        key=kpi.key,
        minimum=kpi.minimum,
        target=kpi.target,
        weight=kpi.weight,
        actual=actuals.kpis.get(kpi.key),
        higher_is_better=kpi.higher_is_better,
        malus=kpi.malus,
    )


def kpi_score(kpi: KpiTerms, actual: Decimal | None) -> Decimal:
    """A KPI's score (0…1, or its malus) at ``actual``, as the settlement counts it."""
    return _kpi(kpi, Actuals(producers={}, kpis={kpi.key: actual})).score()


def calculation_input(model: Model, actuals: Actuals) -> tuple[calc.Terms, calc.Actuals]:
    """The calculation's terms and actuals for ``model`` and ``actuals``."""
    pool = model.pool or Pool()
    terms = calc.Terms(
        target=model.target,
        organizers={o.key: o.funding_share for o in model.organizers},
        gain_bands=model.gain_bands,
        pain_bands=model.pain_bands,
        pain_capped=model.pain_capped,
        pool=pool.fixed if pool.fixed is not None else calc.ZERO,
        pool_share_of_target=pool.share_of_target,
        kpis=[_kpi(k, actuals) for k in model.kpis],
        outcome_prices=[
            calc.OutcomePrice(p.outcome, p.amount, producer=p.producer, cap=p.cap)
            for p in model.outcome_prices
        ],
    )
    producers = [
        calc.Producer(
            key=p.key,
            costs=actuals.producers[p.key],
            markup=p.markup,
            fixed_fee=p.fixed_fee,
            share_key=p.share_key,
            cap=p.cap,
        )
        for p in model.producers
    ]
    own = [calc.OwnUnit(u.key, actuals.own_units[u.key], u.organizer) for u in model.own_units]
    return terms, calc.Actuals(producers=producers, own_units=own, outcomes=actuals.outcomes)


def settlement(model: Model, actuals: Actuals, kind: str = "final") -> calc.Settlement:
    """The period's settlement (``calculation.settle``, or ``interim``); errors as
    ``InvalidDocument``."""
    errors = check(model, actuals)
    if kind not in KINDS:
        errors.append(FormatError("wrong_kind", "kind"))
    if errors:
        raise InvalidDocument(errors)
    terms, calc_actuals = calculation_input(model, actuals)
    try:
        return (calc.settle if kind == "final" else calc.interim)(terms, calc_actuals)
    except ValueError as error:
        raise InvalidDocument(
            [FormatError("calculation", "terms", {"reason": str(error)})]
        ) from None
    except ArithmeticError:  # a safety net: the checks above keep every number in range
        reason = "a number grew beyond what the calculation can hold exactly"
        raise InvalidDocument([FormatError("calculation", "$", {"reason": reason})]) from None


def money(value: Decimal) -> str:
    """An amount as the format writes it: a string with exactly 2 decimals."""
    return _fixed(value, 2)


def _score(value: Decimal) -> str:
    """A score to 4 decimals, half away from zero (to read; the calculation keeps it exact)."""
    return _fixed(value, 4)


def _fixed(value: Decimal, places: int) -> str:
    value = rounded(value, places)
    return f"{value.copy_abs() if value == 0 else value:f}"  # never "-0.00"


def _plain(value: Decimal) -> str:
    """A decimal without an exponent or trailing zeros."""
    return "0" if value == 0 else f"{value.normalize():f}"


def calculate(model: Model, actuals: Actuals, kind: str = "final") -> dict[str, Any]:
    """The result document. Outcome payments are written only where the terms price outcomes,
    so that a document without outcome prices gives the same result as before they existed."""
    result = settlement(model, actuals, kind)
    priced = bool(model.outcome_prices)
    document: dict[str, Any] = {
        "format": FORMAT,
        "kind": kind,
        "target": money(model.target),
        "outturn": money(result.outturn),
        "deviation": money(result.deviation),
        "producers_side": money(result.producers_side),
        "organizers_side": money(result.organizers_side),
        "score": _score(result.score),
        "pool": money(result.pool),
        "pool_earned": money(result.pool_earned),
    }
    if priced:
        document["outcome_payments"] = money(result.outcome_paid)
    document["producers"] = [
        _producer_result(model, p, r, priced)
        for p, r in zip(model.producers, result.producers, strict=True)
    ]
    document["own_units"] = [
        {
            "key": u.key,
            "name": u.name,
            "organizer": u.organizer,
            "costs": money(actuals.own_units[u.key]),
        }
        for u in model.own_units
    ]
    document["organizers"] = [
        {
            "key": r.key,
            "name": o.name,
            "share": money(r.share),
            "funds": money(r.funds),
            "own_units": money(r.own_units),
            "total": money(r.total),
        }
        for o, r in zip(model.organizers, result.organizers, strict=True)
    ]
    document["kpis"] = [] if kind == "interim" else [_kpi_result(k, actuals) for k in model.kpis]
    if model.target_by_area is not None:
        document["by_area"] = [
            {"area": area, "target": money(amount)} for area, amount in model.target_by_area
        ]
    return document


def _producer_result(
    model: Model, producer: ProducerTerms, r: calc.ProducerResult, priced: bool
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "key": r.key,
        "name": producer.name,
        "costs": money(r.costs),
        "fee": money(r.fee),
        "share": money(r.share),
        "capped": r.capped,
        "pool": money(r.pool),
    }
    if priced:
        row["outcome_payment"] = money(r.outcome_payment)
    row["payment"] = money(r.payment)
    if priced:
        names = {(p.producer, p.outcome): p.name for p in model.outcome_prices}
        row["outcomes"] = [
            {
                "outcome": line.outcome,
                "name": names.get((r.key, line.outcome), names.get((None, line.outcome))),
                "count": line.count,
                "unit_amount": money(line.unit_amount),
                "capped": line.capped,
                "amount": money(line.amount),
            }
            for line in r.outcome_lines
        ]
    return row


def _kpi_result(kpi: KpiTerms, actuals: Actuals) -> dict[str, Any]:
    actual = actuals.kpis.get(kpi.key)
    return {
        "key": kpi.key,
        "name": kpi.name,
        "unit": kpi.unit,
        "actual": None if actual is None else _plain(actual),
        "minimum": _plain(kpi.minimum),
        "target": _plain(kpi.target),
        "weight": _plain(kpi.weight),
        "score": _score(_kpi(kpi, actuals).score()),
    }


def read(document: Any) -> tuple[Model, Actuals, str]:
    """A whole input document's model, actuals and kind (raises ``InvalidDocument``)."""
    reader = Reader()
    model, actuals, kind = reader.document(document)
    reader.raise_errors()
    assert model is not None
    assert actuals is not None
    return model, actuals, kind


def run(document: Any) -> dict[str, Any]:
    """Validate an input document and calculate its result document (the CLI's ``calculate``)."""
    return calculate(*read(document))


# ---------------------------------------------------------------------------- writing


def dump_terms(model: Model) -> dict[str, Any]:
    """The canonical ``terms`` object of ``model``: every default written out, absent optional
    values left out, money with 2 decimals, other numbers without trailing zeros."""
    terms: dict[str, Any] = {"target": money(model.target)}
    if model.target_by_area is not None:
        terms["target_by_area"] = {area: money(v) for area, v in model.target_by_area}
    terms["organizers"] = [
        {"key": o.key, "name": o.name, "funding_share": _plain(o.funding_share)}
        for o in model.organizers
    ]
    terms["producers"] = [
        _without_none(
            key=p.key,
            name=p.name,
            markup=_opt(_plain, p.markup),
            fixed_fee=_opt(money, p.fixed_fee),
            share_key=_opt(_plain, p.share_key),
            cap=_opt(money, p.cap),
        )
        for p in model.producers
    ]
    terms["own_units"] = [
        {"key": u.key, "name": u.name, "organizer": u.organizer} for u in model.own_units
    ]
    for name, bands in (("gain_bands", model.gain_bands), ("pain_bands", model.pain_bands)):
        terms[name] = [
            _without_none(producers_share=_plain(b.producers_share), up_to=_opt(money, b.up_to))
            for b in bands
        ]
    terms["pain_capped"] = model.pain_capped
    if model.pool is not None:
        terms["pool"] = _without_none(
            share_of_target=_opt(_plain, model.pool.share_of_target),
            fixed=_opt(money, model.pool.fixed),
        )
    terms["kpis"] = [
        _without_none(
            key=k.key,
            name=k.name,
            unit=k.unit,
            higher_is_better=k.higher_is_better,
            baseline=_opt(_plain, k.baseline),
            minimum=_plain(k.minimum),
            target=_plain(k.target),
            weight=_plain(k.weight),
            malus=_plain(k.malus),
            source=k.source,
        )
        for k in model.kpis
    ]
    if model.outcome_prices:  # left out when there are none: such terms read as before
        terms["outcome_prices"] = [
            _without_none(
                outcome=p.outcome,
                name=p.name,
                amount=money(p.amount),
                producer=p.producer,
                cap=_opt(money, p.cap),
            )
            for p in model.outcome_prices
        ]
    return terms


def _opt(write: Callable[[Decimal], str], value: Decimal | None) -> str | None:
    return None if value is None else write(value)


def _without_none(**values: object) -> dict[str, object]:
    return {name: value for name, value in values.items() if value is not None}


def diff(old: object, new: object) -> list[Change]:
    """Every leaf that differs between two JSON-like documents, in a stable order: the old
    document's order, then what only the new one has. Lists of objects with a ``key`` are
    matched by key (``producers[key=acme]``), other lists by position; an added or removed
    member or item is one change with ``None`` on the missing side."""
    return list(_diff(old, new, "$"))


def _keyed(value: object) -> dict[object, object] | None:
    if not isinstance(value, list | tuple):
        return None
    if not all(isinstance(item, Mapping) and "key" in item for item in value):
        return None
    keyed = {item["key"]: item for item in value}
    return keyed if len(keyed) == len(value) else None


def _diff(old: object, new: object, path: str) -> Iterable[Change]:
    keyed_old, keyed_new = _keyed(old), _keyed(new)
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        yield from _members(old, new, lambda name: _join(path, str(name)))
    elif keyed_old is not None and keyed_new is not None:
        yield from _members(keyed_old, keyed_new, lambda name: f"{path}[key={name}]")
    elif isinstance(old, list | tuple) and isinstance(new, list | tuple):
        yield from _members(dict(enumerate(old)), dict(enumerate(new)), lambda i: f"{path}[{i}]")
    elif old != new or isinstance(old, bool) != isinstance(new, bool):
        yield Change(path, old, new)


def _members(
    old: Mapping[Any, object], new: Mapping[Any, object], where: Callable[[Any], str]
) -> Iterable[Change]:
    for name in [*old, *(name for name in new if name not in old)]:
        if name in old and name in new:
            yield from _diff(old[name], new[name], where(name))
        elif old.get(name) is not None or new.get(name) is not None:  # null is as missing
            yield Change(where(name), old.get(name), new.get(name))
