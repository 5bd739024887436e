"""The settlement format: documents in, result documents out, every error with its path. The
golden numbers are docs/settlement.md's, worked by hand."""

from __future__ import annotations

import ast
import copy
import json
import string
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from allianssi.settlement import calculation as calc
from allianssi.settlement import format as fmt
from allianssi.settlement.format import (
    Actuals,
    Change,
    InvalidDocument,
    KpiTerms,
    Model,
    OrganizerTerms,
    OwnUnitTerms,
    Pool,
    ProducerTerms,
)

D = Decimal


def issue_document(outturn: str = "12000000.00") -> dict[str, Any]:
    """The issue's example: target 10 000 000, one producer with a fixed fee of 800 000, 50/50,
    pain capped at the fee, a pool of 2 % and one KPI."""
    return {
        "format": "allianssi-settlement/1",
        "terms": {
            "target": "10000000.00",
            "target_by_area": {"employment": "6000000.00", "business": "4000000.00"},
            "organizers": [{"key": "region", "name": "Region", "funding_share": "1"}],
            "producers": [{"key": "acme", "name": "Acme Oy", "fixed_fee": "800000.00"}],
            "pool": {"share_of_target": "0.02"},
            "kpis": [
                {
                    "key": "employment",
                    "name": "Employment rate",
                    "unit": "%",
                    "minimum": "22",
                    "target": "30",
                    "weight": "0.4",
                }
            ],
        },
        "actuals": {
            "producers": {"acme": {"costs": str(D(outturn) - D(800_000))}},
            "kpis": {"employment": "26"},
        },
    }


def two_organizers_document(kind: str = "final") -> dict[str, Any]:
    """docs/settlement.md, example 2."""
    return {
        "format": "allianssi-settlement/1",
        "kind": kind,
        "terms": {
            "target": "6000000.00",
            "organizers": [
                {"key": "maakunta", "funding_share": "3"},
                {"key": "kunta", "funding_share": "1"},
            ],
            "producers": [
                {"key": "a", "markup": "0.08"},
                {"key": "b", "fixed_fee": "100000.00"},
            ],
            "own_units": [{"key": "oma", "organizer": "kunta"}],
        },
        "actuals": {
            "producers": {"a": {"costs": "2500000.00"}, "b": {"costs": "1900000.00"}},
            "own_units": {"oma": {"costs": "900000.00"}},
        },
    }


@pytest.mark.parametrize(
    ("outturn", "share", "capped", "organizers_side", "organizers_pay"),
    [
        ("9000000", "500000.00", False, "500000.00", "9500000.00"),
        ("11000000", "-500000.00", False, "-500000.00", "10500000.00"),
        # the producer's half of the pain, 1 000 000, stops at its fee: the organizers carry
        # the rest, 1 200 000, and pay the target + 1 200 000
        ("12000000", "-800000.00", True, "-1200000.00", "11200000.00"),
    ],
)
def test_run__the_issues_example(outturn, share, capped, organizers_side, organizers_pay):
    document = issue_document(outturn)
    del document["terms"]["pool"], document["terms"]["kpis"], document["actuals"]["kpis"]
    result = fmt.run(document)
    [producer] = result["producers"]
    assert (producer["share"], producer["capped"]) == (share, capped)
    assert result["organizers_side"] == organizers_side
    assert result["organizers"][0]["total"] == organizers_pay


def test_run__the_kpi_earns_a_fifth_of_the_pool():
    result = fmt.run(issue_document())
    assert (result["pool"], result["score"], result["pool_earned"]) == (
        "200000.00",
        "0.2000",
        "40000.00",
    )
    assert result["kpis"] == [
        {
            "key": "employment",
            "name": "Employment rate",
            "unit": "%",
            "actual": "26",
            "minimum": "22",
            "target": "30",
            "weight": "0.4",
            "score": "0.5000",
        }
    ]
    assert result["producers"][0]["payment"] == "11240000.00"
    assert result["by_area"] == [
        {"area": "employment", "target": "6000000.00"},
        {"area": "business", "target": "4000000.00"},
    ]


def test_run__two_organizers_two_producers_and_an_own_unit():
    result = fmt.run(two_organizers_document())
    assert [(p["fee"], p["share"], p["payment"]) for p in result["producers"]] == [
        ("200000.00", "133333.33", "2833333.33"),
        ("100000.00", "66666.67", "2066666.67"),
    ]
    assert [(o["share"], o["funds"], o["total"]) for o in result["organizers"]] == [
        ("150000.00", "3675000.00", "3675000.00"),
        ("50000.00", "1225000.00", "2125000.00"),
    ]
    assert result["own_units"] == [
        {"key": "oma", "name": "oma", "organizer": "kunta", "costs": "900000.00"}
    ]
    assert "by_area" not in result


def test_run__interim_pays_costs_and_fees_only():
    """2 700 000 + 2 000 000 paid, funded 3 : 1; no gain, no pool."""
    result = fmt.run(two_organizers_document("interim"))
    assert result["kind"] == "interim"
    assert (result["deviation"], result["producers_side"], result["organizers_side"]) == (
        "0.00",
        "0.00",
        "0.00",
    )
    assert [p["payment"] for p in result["producers"]] == ["2700000.00", "2000000.00"]
    assert [o["total"] for o in result["organizers"]] == ["3525000.00", "2075000.00"]
    assert result["target"] == "6000000.00"  # the year's, for reference


def test_run__interim_earns_no_pool():
    document = issue_document()
    document["kind"] = "interim"
    result = fmt.run(document)
    assert (result["pool"], result["pool_earned"], result["score"], result["kpis"]) == (
        "0.00",
        "0.00",
        "0.0000",
        [],
    )
    assert result["producers"][0]["payment"] == "12000000.00"


def test_interim__is_settle_at_the_outturn():
    terms = calc.Terms(target=D(1), organizers={"o": D(1)}, pool=D(500))
    actuals = calc.Actuals([calc.Producer("p", costs=D("100.005"), markup=D("0.1"))])
    result = calc.interim(terms, actuals)
    assert (result.deviation, result.pool, result.producers[0].payment) == (
        D("0.00"),
        D("0.00"),
        D("110.01"),  # 100.01 + 10.00 (the fee rounds from the exact costs)
    )


def test_loads__json_numbers_are_exact_decimals():
    text = json.dumps(two_organizers_document()).replace('"0.08"', "0.15")
    text = text.replace('"2500000.00"', "20.50").replace('"1900000.00"', "0.1")
    text = text.replace('"100000.00"', "0.2").replace('"900000.00"', "0")
    result = fmt.run(fmt.loads(text))
    a, b = result["producers"]
    assert a["fee"] == "3.08"  # 20.50 × 0.15 = 3.075; a float makes it 3.0749999…
    assert result["outturn"] == "23.88"  # 20.50 + 3.08 + 0.1 + 0.2, not 23.880000000000003
    assert b["costs"] == "0.10"


def test_run__a_parsed_dict_may_hold_decimals_and_ints():
    document = two_organizers_document()
    document["terms"]["target"] = 6_000_000
    document["actuals"]["producers"]["a"]["costs"] = D("2500000")
    assert fmt.run(document)["deviation"] == "400000.00"


def test_loads__refuses_duplicate_names_with_their_paths():
    with pytest.raises(InvalidDocument) as caught:
        fmt.loads('{"a": 1, "b": [{"key": "x", "key": "y"}], "a": 2}')
    assert [(e.code, e.path, e.params) for e in caught.value.errors] == [
        ("duplicate_member", "a", {"name": "a"}),
        ("duplicate_member", "b[0].key", {"name": "key"}),
    ]


@pytest.mark.parametrize(
    ("text", "code"),
    [("{", "invalid_json"), ('{"a": NaN}', "invalid_json"), ("[1]", "not_object")],
)
def test_loads__refuses_what_is_not_a_json_object(text, code):
    with pytest.raises(InvalidDocument) as caught:
        fmt.loads(text)
    assert [(e.code, e.path) for e in caught.value.errors] == [(code, "$")]


def _set(path: str, value: Any):
    """A change to a document: ``value`` at a dotted path (``terms.producers.0.markup``);
    ``...`` deletes it."""

    def change(document: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = document
        for name in parents:
            target = target[int(name)] if isinstance(target, list) else target[name]
        key: Any = int(last) if isinstance(target, list) else last
        if value is ...:
            del target[key]
        else:
            target[key] = value

    return change


BAD = [
    (_set("format", "allianssi-settlement/2"), "wrong_format", "format"),
    (_set("kind", "yearly"), "wrong_kind", "kind"),
    (_set("extra", 1), "unknown_field", "extra"),
    (_set("terms", []), "not_object", "terms"),
    (_set("terms.target", ...), "required", "terms.target"),
    (_set("terms.target", "1.005"), "too_many_decimals", "terms.target"),
    (_set("terms.target", "-1"), "negative", "terms.target"),
    (_set("terms.target", "1e5"), "not_number", "terms.target"),
    (_set("terms.target", "NaN"), "not_number", "terms.target"),
    (_set("terms.target", "1" * 16), "too_large", "terms.target"),
    (_set("terms.target", True), "not_number", "terms.target"),
    (_set("terms.target", 1.5), "float_number", "terms.target"),
    (_set("terms.target_by_area.business", "1.00"), "areas_sum", "terms.target_by_area"),
    (_set("terms.organizers", []), "empty", "terms.organizers"),
    (
        _set("terms.organizers.0.funding_share", "0"),
        "not_positive",
        "terms.organizers[0].funding_share",
    ),
    (_set("terms.organizers.0.name", 7), "not_string", "terms.organizers[0].name"),
    (_set("terms.producers", {}), "not_list", "terms.producers"),
    (_set("terms.producers.0.key", ""), "empty", "terms.producers[0].key"),
    (_set("terms.producers.0.key", "region"), "duplicate_key", "terms.producers[0].key"),
    (_set("terms.producers.0.key", ...), "required", "terms.producers[0].key"),
    (_set("terms.producers.0.markpu", "0.1"), "unknown_field", "terms.producers[0].markpu"),
    (_set("terms.producers.0.markup", "0.1"), "fee_rule", "terms.producers[0]"),
    (_set("terms.producers.0.fixed_fee", ...), "fee_rule", "terms.producers[0]"),
    (_set("terms.producers.0.cap", "-5"), "negative", "terms.producers[0].cap"),
    (
        _set("terms.own_units", [{"key": "u", "organizer": "acme"}]),
        "unknown_organizer",
        "terms.own_units[0].organizer",
    ),
    (_set("terms.gain_bands", []), "empty", "terms.gain_bands"),
    (
        _set("terms.gain_bands", [{"producers_share": "1.5"}]),
        "not_ratio",
        "terms.gain_bands[0].producers_share",
    ),
    (
        _set("terms.gain_bands", [{"producers_share": "0.5", "up_to": "5.00"}]),
        "band_limit_last",
        "terms.gain_bands[0].up_to",
    ),
    (
        _set("terms.pain_bands", [{"producers_share": "0.5"}, {"producers_share": "0.3"}]),
        "band_limit_missing",
        "terms.pain_bands[0]",
    ),
    (
        _set(
            "terms.pain_bands",
            [
                {"producers_share": "0.5", "up_to": "500000.00"},
                {"producers_share": "0.4", "up_to": "400000.00"},
                {"producers_share": "0.3"},
            ],
        ),
        "band_order",
        "terms.pain_bands[1].up_to",
    ),
    (_set("terms.pain_capped", "yes"), "not_boolean", "terms.pain_capped"),
    (_set("terms.pool.fixed", "100.00"), "pool_rule", "terms.pool"),
    (_set("terms.pool", {}), "pool_rule", "terms.pool"),
    (_set("terms.kpis.0.target", "20"), "kpi_direction", "terms.kpis[0].target"),
    (_set("terms.kpis.0.higher_is_better", False), "kpi_direction", "terms.kpis[0].target"),
    (_set("terms.kpis.0.weight", "1.1"), "not_ratio", "terms.kpis[0].weight"),
    (
        _set("terms.kpis.1", {"key": "x", "minimum": 0, "target": 1, "weight": "0.7"}),
        "weights_sum",
        "terms.kpis",
    ),
    (
        _set("terms.kpis.1", {"key": "employment", "minimum": 0, "target": 1, "weight": "0"}),
        "duplicate_key",
        "terms.kpis[1].key",
    ),
    (_set("terms.kpis.0.malus", "-1"), "negative", "terms.kpis[0].malus"),
    (_set("terms.kpis.0.minimum", ...), "required", "terms.kpis[0].minimum"),
    (
        _set("terms.organizers.0.funding_share", None),
        "required",
        "terms.organizers[0].funding_share",
    ),
    (
        _set("terms.gain_bands", [{"up_to": "1.00"}, {}]),
        "required",
        "terms.gain_bands[1].producers_share",
    ),
    (_set("terms.target_by_area", {"": "10000000.00"}), "empty", "terms.target_by_area."),
    (_set("terms.kpis.0.source", ""), "empty", "terms.kpis[0].source"),
    (_set("actuals", ...), "required", "actuals"),
    (_set("actuals.producers.acme", ...), "missing_actuals", "actuals.producers.acme"),
    (_set("actuals.producers.acmee", {"costs": "1.00"}), "not_in_terms", "actuals.producers.acmee"),
    (
        _set("actuals.producers.acme", {"cost": "1.00"}),
        "unknown_field",
        "actuals.producers.acme.cost",
    ),
    (_set("actuals.producers.acme", {}), "required", "actuals.producers.acme.costs"),
    (
        _set("actuals.producers.acme.costs", "1.001"),
        "too_many_decimals",
        "actuals.producers.acme.costs",
    ),
    (_set("actuals.kpis.employmnet", "26"), "not_in_terms", "actuals.kpis.employmnet"),
    (_set("actuals.kpis.employment", "many"), "not_number", "actuals.kpis.employment"),
    (_set("actuals.own_units", []), "not_object", "actuals.own_units"),
    # a KPI's values lie in its unit's natural range: a share in per cent 0…100 …
    (_set("actuals.kpis.employment", "500"), "unit_range", "actuals.kpis.employment"),
    (_set("actuals.kpis.employment", "-0.1"), "unit_range", "actuals.kpis.employment"),
    (_set("terms.kpis.0.target", "120"), "unit_range", "terms.kpis[0].target"),
    (_set("terms.kpis.0.baseline", "-3"), "unit_range", "terms.kpis[0].baseline"),
    # … a duration, a count or euros 0 or more
    (
        _set(
            "terms.kpis.1",
            {"key": "wait", "unit": "days", "minimum": "-3", "target": "7", "weight": "0"},
        ),
        "unit_negative",
        "terms.kpis[1].minimum",
    ),
    # a text a database cannot keep
    (_set("terms.producers.0.name", "Acme\x00"), "bad_character", "terms.producers[0].name"),
    (_set("terms.kpis.0.unit", "\ud800"), "bad_character", "terms.kpis[0].unit"),
]


@pytest.mark.parametrize(("change", "code", "path"), BAD)
def test_run__refuses_a_bad_document_with_a_coded_error_at_its_path(change, code, path):
    document = issue_document()
    document["terms"]["kpis"].append({"key": "spare", "minimum": "0", "target": "1", "weight": "0"})
    change(document)
    with pytest.raises(InvalidDocument) as caught:
        fmt.run(document)
    found = [(e.code, e.path) for e in caught.value.errors]
    assert (code, path) in found
    assert all(str(e).startswith(f"{e.path}: ") for e in caught.value.errors)


def test_run__nothing_to_settle():
    document = issue_document()
    document["terms"]["producers"] = []
    document["actuals"]["producers"] = {}
    with pytest.raises(InvalidDocument) as caught:
        fmt.run(document)
    assert [(e.code, e.path) for e in caught.value.errors] == [
        ("nothing_to_settle", "terms.producers")
    ]


def test_run__collects_every_error_not_the_first_only():
    document = issue_document()
    document["format"] = "x"
    document["terms"]["target"] = "-1"
    document["terms"]["producers"][0]["markup"] = "0.1"
    document["terms"]["kpis"][0]["target"] = "10"
    document["actuals"]["kpis"]["typo"] = "1"
    with pytest.raises(InvalidDocument) as caught:
        fmt.run(document)
    assert [(e.code, e.path) for e in caught.value.errors] == [
        ("wrong_format", "format"),
        ("negative", "terms.target"),
        ("fee_rule", "terms.producers[0]"),
        ("kpi_direction", "terms.kpis[0].target"),
        ("not_in_terms", "actuals.kpis.typo"),
    ]
    assert str(caught.value.errors[1]) == "terms.target: This cannot be negative."


def test_run__ignores_a_what_if_object():
    document = issue_document()
    document["what_if"] = {"anything": "goes"}
    assert fmt.run(document)["outturn"] == "12000000.00"


def test_run__a_kpi_without_a_result_scores_0():
    document = issue_document()
    document["actuals"]["kpis"]["employment"] = None
    result = fmt.run(document)
    assert (result["kpis"][0]["actual"], result["kpis"][0]["score"]) == (None, "0.0000")
    del document["actuals"]["kpis"]
    assert fmt.run(document)["pool_earned"] == "0.00"


def _model(**changes: Any) -> Model:
    base = Model(
        target=D(100),
        organizers=(OrganizerTerms("o", "O", D(1)),),
        producers=(ProducerTerms("p", "P", fixed_fee=D(10)),),
    )
    return Model(**{**base.__dict__, **changes})


def test_calculate__checks_a_model_built_by_hand():
    model = _model(
        pain_bands=(calc.Band(D("0.5"), up_to=D(5)),),
        own_units=(OwnUnitTerms("u", "U", "nobody"),),
    )
    with pytest.raises(InvalidDocument) as caught:
        fmt.calculate(model, Actuals(producers={}), kind="monthly")
    assert [(e.code, e.path) for e in caught.value.errors] == [
        ("unknown_organizer", "terms.own_units[0].organizer"),
        ("band_limit_last", "terms.pain_bands[0].up_to"),
        ("missing_actuals", "actuals.producers.p"),
        ("missing_actuals", "actuals.own_units.u"),
        ("wrong_kind", "kind"),
    ]


def test_calculate__a_refusal_of_the_calculation_is_a_format_error(monkeypatch):
    def refuse(terms, actuals):
        raise ValueError("no")

    monkeypatch.setattr(calc, "settle", refuse)
    with pytest.raises(InvalidDocument) as caught:
        fmt.calculate(_model(), Actuals(producers={"p": D(1)}))
    [error] = caught.value.errors
    assert (error.code, error.path, error.message) == (
        "calculation",
        "terms",
        "The calculation refused the document: no.",
    )


def test_messages__every_template_is_marked_for_translation():
    tree = ast.parse(Path(fmt.__file__).read_text())
    [messages] = [
        node.value
        for node in tree.body
        if isinstance(node, ast.AnnAssign) and getattr(node.target, "id", "") == "MESSAGES"
    ]
    assert isinstance(messages, ast.Dict)
    for value in messages.values:
        assert isinstance(value, ast.Call)
        assert getattr(value.func, "id", "") == "gettext_noop"


def test_dump_terms__writes_every_default_out():
    terms = fmt.dump_terms(fmt.parse_terms(two_organizers_document()["terms"]))
    assert terms == {
        "target": "6000000.00",
        "organizers": [
            {"key": "maakunta", "name": "maakunta", "funding_share": "3"},
            {"key": "kunta", "name": "kunta", "funding_share": "1"},
        ],
        "producers": [
            {"key": "a", "name": "a", "markup": "0.08"},
            {"key": "b", "name": "b", "fixed_fee": "100000.00"},
        ],
        "own_units": [{"key": "oma", "name": "oma", "organizer": "kunta"}],
        "gain_bands": [{"producers_share": "0.5"}],
        "pain_bands": [{"producers_share": "0.5"}],
        "pain_capped": True,
        "kpis": [],
    }


keys = st.text(alphabet=string.ascii_lowercase + "-", min_size=1, max_size=6)
# Text a database can keep: a NUL or a lone surrogate is refused (test_text__…).
names = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=8)
money = st.decimals(min_value=0, max_value=10**9, places=2)
ratios = st.decimals(min_value=0, max_value=1, places=3)


@st.composite
def bands(draw: Any) -> tuple[calc.Band, ...]:
    limits = draw(
        st.lists(st.decimals(min_value="0.01", max_value=10**7, places=2), unique=True, max_size=3)
    )
    shares = [draw(ratios) for _ in range(len(limits) + 1)]
    return (
        *(calc.Band(s, u) for s, u in zip(shares, sorted(limits), strict=False)),
        calc.Band(shares[-1]),
    )


@st.composite
def kpi_terms(draw: Any, key: str) -> KpiTerms:
    minimum = draw(st.decimals(min_value=-100, max_value=100, places=2))
    span = draw(st.decimals(min_value="0.01", max_value=100, places=2))
    higher = draw(st.booleans())
    return KpiTerms(
        key=key,
        name=draw(names),
        minimum=minimum,
        target=minimum + span if higher else minimum - span,
        weight=draw(st.decimals(min_value=0, max_value="0.33", places=2)),
        unit=draw(names.filter(lambda unit: fmt.unit_range(unit) is None)),  # any number
        higher_is_better=higher,
        baseline=draw(st.none() | st.decimals(min_value=-100, max_value=100, places=1)),
        malus=draw(st.decimals(min_value=0, max_value=2, places=2)),
        source=draw(st.just("entered") | keys),
    )


@st.composite
def models(draw: Any) -> Model:
    parties = draw(st.lists(keys, min_size=2, max_size=6, unique=True))
    n_organizers = draw(st.integers(1, len(parties) - 1))
    n_producers = draw(st.integers(0, len(parties) - n_organizers))
    organizer_keys = parties[:n_organizers]
    areas = draw(st.none() | st.lists(st.tuples(keys, money), unique_by=lambda a: a[0], max_size=3))
    return Model(
        target=draw(money) if areas is None else sum((a for _, a in areas), D(0)),
        target_by_area=None if areas is None else tuple(areas),
        organizers=tuple(
            OrganizerTerms(
                k, draw(names), draw(st.decimals(min_value="0.01", max_value=100, places=2))
            )
            for k in organizer_keys
        ),
        producers=tuple(
            ProducerTerms(
                k,
                draw(names),
                **draw(
                    st.fixed_dictionaries(
                        {"markup": st.decimals(min_value=0, max_value=2, places=3)}
                    )
                    | st.fixed_dictionaries({"fixed_fee": money})
                ),
                share_key=draw(st.none() | ratios),
                cap=draw(st.none() | money),
            )
            for k in parties[n_organizers : n_organizers + n_producers]
        ),
        own_units=tuple(
            OwnUnitTerms(k, draw(names), draw(st.sampled_from(organizer_keys)))
            for k in parties[n_organizers + n_producers :]
        ),
        gain_bands=draw(bands()),
        pain_bands=draw(bands()),
        pain_capped=draw(st.booleans()),
        pool=draw(
            st.none() | st.builds(Pool, share_of_target=ratios) | st.builds(Pool, fixed=money)
        ),
        kpis=tuple(draw(kpi_terms(k)) for k in draw(st.lists(keys, unique=True, max_size=3))),
    )


@settings(max_examples=200, deadline=None)
@given(model=models())
def test_dump_terms__parses_back_to_the_same_model(model):
    terms = fmt.dump_terms(model)
    assert fmt.parse_terms(terms) == model
    assert fmt.parse_terms(fmt.loads(fmt.dumps(terms))) == model
    assert fmt.dump_terms(fmt.parse_terms(terms)) == terms


def test_diff__matches_keyed_items_by_key_and_reports_every_leaf():
    old = fmt.run(two_organizers_document())
    document = two_organizers_document()
    document["terms"]["producers"].reverse()  # order alone is no change for keyed items
    document["terms"]["producers"].append({"key": "c", "fixed_fee": "0.00"})
    document["actuals"]["producers"]["c"] = {"costs": "0.00"}
    document["terms"]["own_units"] = []
    del document["actuals"]["own_units"]
    new = fmt.run(document)
    changes = fmt.diff(old, new)
    assert changes[:3] == [
        Change("outturn", "5600000.00", "4700000.00"),
        Change("deviation", "400000.00", "1300000.00"),
        Change("producers_side", "200000.00", "650000.00"),
    ]
    assert Change("producers[key=b].share", "66666.67", "216666.67") in changes
    assert Change("producers[key=c]", None, new["producers"][2]) in changes
    assert Change("own_units[key=oma]", old["own_units"][0], None) in changes
    assert fmt.diff(old, copy.deepcopy(old)) == []


def test_diff__other_lists_by_position_and_types_count():
    assert fmt.diff({"a": [1, 2], "b": True}, {"a": [1, 3, 4], "b": 1, "c": None}) == [
        Change("a[1]", 2, 3),
        Change("a[2]", None, 4),
        Change("b", True, 1),
    ]


# ---------------------------------------------------------------------------- ranges


@pytest.mark.parametrize(
    ("unit", "expected"),
    [
        ("%", (D(0), D(100))),
        (" Prosenttia ", (D(0), D(100))),
        ("vrk", (D(0), None)),
        ("days", (D(0), None)),
        ("kpl", (D(0), None)),
        ("€", (D(0), None)),
        ("", None),
        ("%-yks.", None),  # a change in percentage points takes any sign
        ("index", None),
    ],
)
def test_unit_range__by_the_unit(unit, expected):
    assert fmt.unit_range(unit) == expected


def test_run__a_kpi_result_out_of_its_range_names_the_range():
    document = issue_document()
    document["actuals"]["kpis"]["employment"] = "500"
    document["terms"]["kpis"].append(
        {
            "key": "wait",
            "unit": "vrk",
            "minimum": "14",
            "target": "7",
            "weight": "0",
            "higher_is_better": False,
        }
    )
    document["actuals"]["kpis"]["wait"] = "-3"
    with pytest.raises(InvalidDocument) as caught:
        fmt.run(document)
    assert [str(e) for e in caught.value.errors] == [
        "actuals.kpis.employment: A value in % must be from 0 to 100.",
        "actuals.kpis.wait: A value in vrk cannot be negative: it is 0 or more.",
    ]


def test_run__the_ends_of_a_unit_range_are_allowed():
    document = issue_document()
    document["terms"]["kpis"][0].update(minimum="0", target="100")
    for value in ("0", "100"):
        document["actuals"]["kpis"]["employment"] = value
        assert fmt.run(document)["kpis"][0]["actual"] == value


def test_calculate__checks_a_kpi_value_built_by_hand():
    kpi = KpiTerms(key="k", name="K", minimum=D(0), target=D(10), weight=D(0), unit="h")
    with pytest.raises(InvalidDocument) as caught:
        fmt.calculate(_model(kpis=(kpi,)), Actuals(producers={"p": D(1)}, kpis={"k": D(-1)}))
    assert [(e.code, e.path) for e in caught.value.errors] == [("unit_negative", "actuals.kpis.k")]


def test_run__a_fee_of_10_to_the_15_or_more_is_refused_with_the_fee_named():
    document = two_organizers_document()
    document["terms"]["producers"][0]["markup"] = "999999999999999"
    document["actuals"]["producers"]["a"]["costs"] = "999999999999999.99"
    with pytest.raises(InvalidDocument) as caught:
        fmt.run(document)
    assert [str(e) for e in caught.value.errors] == [
        "terms.producers[0].markup: The fee, this mark-up on the costs of 999999999999999.99, "
        "would be 999999999999998990000000000000.01: it must be less than 1000000000000000."
    ]


def test_run__a_fee_just_below_the_limit_is_computed_exactly():
    document = two_organizers_document()
    document["terms"]["producers"][0]["markup"] = "0.5"
    document["actuals"]["producers"]["a"]["costs"] = "999999999999999.99"
    producer = fmt.run(document)["producers"][0]
    assert producer["fee"] == "500000000000000.00"  # 499 999 999 999 999.995, half up


def test_run__an_outcome_payment_of_10_to_the_15_is_refused_unless_capped():
    document = two_organizers_document()
    document["terms"]["outcome_prices"] = [{"outcome": "job", "amount": "999999999999999.99"}]
    document["actuals"]["outcomes"] = {"a": {"job": "999999999999999"}}
    with pytest.raises(InvalidDocument) as caught:
        fmt.run(document)
    assert [(e.code, e.path) for e in caught.value.errors] == [
        ("payment_too_large", "actuals.outcomes.a.job")
    ]
    document["terms"]["outcome_prices"][0]["cap"] = "1000.00"
    assert fmt.run(document)["producers"][0]["outcome_payment"] == "1000.00"


def test_fee__is_rounded_from_the_exact_product_however_many_digits():
    # 0.004999… (30 digits) rounds to 0.00; rounded first to Decimal's 28 digits it is 0.005
    # and would round to 0.01.
    producer = calc.Producer("p", D("1"), markup=D("0.00" + "4" + "9" * 29))
    assert producer.fee() == D("0.00")


def test_split_by_bands__is_exact_however_many_digits():
    share = D("0." + "4" + "9" * 32)
    assert calc.rounded(calc.split_by_bands(D("-0.01"), [calc.Band(share)])) == D("0.00")
    assert calc.split_by_bands(D("-0.01"), [calc.Band(share)]) == D("-0.004" + "9" * 32)


def test_loads__deep_nesting_is_invalid_json_not_a_crash():
    with pytest.raises(InvalidDocument) as caught:
        fmt.loads("[" * 100_000)
    [error] = caught.value.errors
    assert (error.code, error.path) == ("invalid_json", "$")
    assert "too deeply" in error.message


def test_calculate__an_arithmetic_failure_is_a_format_error(monkeypatch):
    def overflow(terms, actuals):
        raise ArithmeticError

    monkeypatch.setattr(calc, "settle", overflow)
    with pytest.raises(InvalidDocument) as caught:
        fmt.calculate(_model(), Actuals(producers={"p": D(1)}))
    assert [(e.code, e.path) for e in caught.value.errors] == [("calculation", "$")]


def test_the_pages_calculation__a_repeated_document_gives_an_equal_result_of_its_own():
    """``selectors.calculate`` keeps the latest results by their input document (the overview
    calculates the same two documents on every view): a repeated document gives the format's
    own result again, as a new object that its caller may change without changing the next."""
    from allianssi.settlement import selectors

    examples = Path(__file__).resolve().parents[2] / "docs" / "examples" / "settlement"
    document = json.loads((examples / "issue.json").read_text(encoding="utf-8"))
    expected = json.loads((examples / "issue.result.json").read_text(encoding="utf-8"))
    first = selectors.calculate(document)
    assert first == expected == fmt.run(document)
    first["outturn"] = "0.00"
    first["producers"].clear()
    again = selectors.calculate(json.loads(json.dumps(document)))
    assert again == expected
    changed = json.loads(json.dumps(document))
    changed["actuals"]["producers"]["acme"]["costs"] = "1.00"
    assert selectors.calculate(changed) == fmt.run(changed) != expected
