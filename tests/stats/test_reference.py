"""The reference table of new prices and the savings estimate built on it."""

from decimal import Decimal

import pytest

from market.demo_listings import CATALOGUE
from market.domain.categories import (
    SPEC_FIELDS,
    all_leaf_categories,
    get_category,
    parse_spec,
    spec_input_value,
)
from market.domain.model_numbers import parse_model
from market.stats.reference import (
    UNITS_BY_BASIS,
    estimate_new_unit_price,
    estimated_saving,
    get_price_entry,
    list_price_entries,
)

OIL = "oil_immersed_transformer"


def test_every_leaf_category_has_an_entry_and_nothing_else_does():
    leaves = {category.slug for category in all_leaf_categories()}
    assert {entry.slug for entry in list_price_entries()} == leaves


@pytest.mark.parametrize("entry", list_price_entries(), ids=lambda e: e.slug)
def test_each_entry_prices_on_its_category_key_rating(entry):
    category = get_category(entry.slug)
    if not entry.is_priced:
        assert entry.unpriced.strip()
        return
    assert entry.per in UNITS_BY_BASIS
    if category.key_spec is None:
        assert entry.rating is None and entry.price > 0
    else:
        assert entry.rating == category.key_spec and len(entry.points) >= 2
    spec_keys = set(category.spec_keys)
    for key, table in entry.factors.items():
        assert key in spec_keys
        field = SPEC_FIELDS[key]
        for value in table:
            # Written as offers store the spec: a choice's value or a number.
            if field.kind == "choice":
                stored = {
                    spec_input_value(key, choice.value) for choice in field.choices
                }
                assert value in stored
            else:
                assert spec_input_value(key, parse_spec(key, value)) == value
    if entry.scale is not None:
        assert entry.scale.spec in spec_keys and entry.scale.base > 0


def test_only_scrap_and_miscellaneous_goods_are_unpriced():
    assert {e.slug for e in list_price_entries() if not e.is_priced} == {
        "scrap_lot",
        "other_misc",
    }


@pytest.mark.parametrize(
    ("kva", "price"),
    [
        (30, "11000.00"),  # first point
        (400, "50000.00"),  # a point
        (450, "54000.00"),  # halfway from 400 (50,000) to 500 (58,000)
        (415, "51200.00"),
        (6300, "460000.00"),  # last point
    ],
)
def test_prices_are_interpolated_linearly_on_the_key_rating(kva, price):
    specs = {"capacity_kva": float(kva), "voltage_kv": 10.0, "winding_material": "cu"}
    assert estimate_new_unit_price(OIL, specs) == Decimal(price)


@pytest.mark.parametrize("kva", [20.0, 6400.0])
def test_a_rating_outside_the_table_has_no_price(kva):
    assert estimate_new_unit_price(OIL, {"capacity_kva": kva}) is None


@pytest.mark.parametrize(
    "specs",
    [
        {},
        {"capacity_kva": [315.0, 630.0]},  # a wanted post's range
        {"capacity_kva": "400"},
        {"capacity_kva": True},
        {"capacity_kva": float("nan")},
    ],
)
def test_a_missing_or_non_numeric_rating_has_no_price(specs):
    assert estimate_new_unit_price(OIL, specs) is None


def test_switchgear_without_a_rated_current_is_priced_at_the_assumed_630_a():
    specs = {"voltage_kv": 10.0}
    assert estimate_new_unit_price("mv_withdrawable_switchgear", specs) == Decimal(
        "45000.00"
    )
    specs["rated_current_a"] = 1250.0
    assert estimate_new_unit_price("mv_withdrawable_switchgear", specs) == Decimal(
        "55000.00"
    )


def test_factors_multiply_and_an_unlisted_value_prices_nothing():
    assert estimate_new_unit_price(
        OIL, {"capacity_kva": 450.0, "winding_material": "al"}
    ) == Decimal("43200.00")
    assert estimate_new_unit_price(
        OIL, {"capacity_kva": 400.0, "voltage_kv": 35.0}
    ) == Decimal("80000.00")
    assert (
        estimate_new_unit_price(OIL, {"capacity_kva": 400.0, "voltage_kv": 110.0})
        is None
    )
    assert (
        estimate_new_unit_price(OIL, {"capacity_kva": 400.0, "winding_material": "x"})
        is None
    )


def test_cables_scale_with_their_cores_and_conductor():
    base = {"cross_section_mm2": 240.0, "conductor": "cu", "voltage_kv": 10.0}
    assert estimate_new_unit_price("mv_power_cable", base) == Decimal("680.00")
    assert estimate_new_unit_price("mv_power_cable", {**base, "cores": 3}) == Decimal(
        "680.00"
    )
    assert estimate_new_unit_price("mv_power_cable", {**base, "cores": 1}) == Decimal(
        "226.67"
    )
    assert estimate_new_unit_price(
        "mv_power_cable", {**base, "conductor": "al"}
    ) == Decimal("272.00")
    assert estimate_new_unit_price(
        "lv_power_cable", {"cross_section_mm2": 185.0}
    ) == Decimal("600.00")


def test_control_cable_needs_its_number_of_cores():
    assert estimate_new_unit_price("control_cable", {"cross_section_mm2": 1.5}) is None
    assert estimate_new_unit_price(
        "control_cable", {"cross_section_mm2": 1.5, "cores": 10}
    ) == Decimal("23.00")


def test_batteries_scale_with_their_voltage():
    assert estimate_new_unit_price(
        "lead_acid_battery", {"capacity_ah": 100.0}
    ) == Decimal("850.00")
    assert estimate_new_unit_price(
        "lead_acid_battery", {"capacity_ah": 300.0, "nominal_voltage_v": 2.0}
    ) == Decimal("400.00")
    assert estimate_new_unit_price("lithium_battery", {"capacity_ah": 100.0}) is None


def test_voltage_rated_categories_interpolate_between_levels():
    ct = "current_transformer"
    assert estimate_new_unit_price(ct, {"voltage_kv": 10.0}) == Decimal("1100.00")
    assert estimate_new_unit_price(ct, {"voltage_kv": 66.0}) == Decimal("14000.00")
    assert estimate_new_unit_price(ct, {"voltage_kv": 0.4}) is None


def test_flat_prices_ignore_ratings_but_apply_factors():
    assert estimate_new_unit_price("three_phase_meter", {}) == Decimal("600.00")
    assert estimate_new_unit_price("meter_box", {"phase": "3"}) == Decimal("690.00")


def test_the_unit_must_count_what_the_price_buys():
    cable = {"cross_section_mm2": 240.0}
    assert estimate_new_unit_price("mv_power_cable", cable, "metre") == Decimal(
        "680.00"
    )
    assert estimate_new_unit_price("mv_power_cable", cable, "drum") is None
    transformer = {"capacity_kva": 400.0}
    for unit in ("unit", "set", "piece"):
        assert estimate_new_unit_price(OIL, transformer, unit) == Decimal("50000.00")
    assert estimate_new_unit_price(OIL, transformer, "tonne") is None
    assert (
        estimate_new_unit_price("lead_acid_battery", {"capacity_ah": 100.0}, "group")
        is None
    )
    assert estimate_new_unit_price("pv_mounting", {}, "tonne") == Decimal("7500.00")


def test_unknown_and_unpriced_categories_have_no_price():
    assert estimate_new_unit_price("flux_capacitor", {}) is None
    assert estimate_new_unit_price("scrap_lot", {"weight_kg": 5000.0}, "tonne") is None
    assert get_price_entry("scrap_lot").unpriced


# Demo offers whose new price the table is not meant to reproduce, and why.
DEMO_EXCEPTIONS = {
    "YJV-0.6/1 4×185": "the demo range is at 2023 copper; 6.58 kg Cu/m is CNY 526 now",
    "ZW32-12F/630-20": "the boundary controller is not in the key rating",
    "6-GFM-100": "sold per group of 18 blocks, which has no price",
}
DEMO_COMPARED = [
    item
    for item in CATALOGUE
    if item.model not in DEMO_EXCEPTIONS and "scrap" not in item.grades
]


def test_the_demo_exceptions_are_demo_offers():
    assert set(DEMO_EXCEPTIONS) <= {item.model for item in CATALOGUE}


@pytest.mark.parametrize("item", DEMO_COMPARED, ids=lambda item: item.model)
def test_the_table_agrees_with_the_demo_catalogue_new_prices(item):
    parsed = parse_model(item.model)
    specs = dict(parsed.specs)
    specs.update({k: parse_spec(k, v) for k, v in item.extra_specs.items()})
    price = estimate_new_unit_price(parsed.category_slug, specs, item.unit)
    low, high = item.new_price
    assert price is not None and low <= price <= high


def test_the_saving_is_new_price_times_quantity_minus_paid():
    specs = {"capacity_kva": 400.0}
    saving = estimated_saving(OIL, specs, Decimal("30000"), Decimal("2"))
    assert saving == Decimal("40000.00")
    assert isinstance(saving, Decimal)
    cable = estimated_saving(
        "mv_power_cable",
        {"cross_section_mm2": 240.0},
        Decimal("400.50"),
        Decimal("120.5"),
        unit="metre",
    )
    assert cable == Decimal("33679.75")  # (680 - 400.50) × 120.5


def test_the_saving_is_never_below_zero():
    assert estimated_saving(OIL, {"capacity_kva": 400.0}, Decimal("60000"), 1) == 0


def test_the_saving_is_unknown_without_a_price_or_a_new_equivalent():
    specs = {"capacity_kva": 400.0}
    assert estimated_saving(OIL, specs, None, Decimal(1)) is None
    assert estimated_saving(OIL, {}, Decimal(1000), Decimal(1)) is None
    assert estimated_saving(OIL, specs, Decimal(1000), Decimal(1), unit="lot") is None
    assert estimated_saving("scrap_lot", {}, Decimal(9000), Decimal(5)) is None


def test_goods_bought_as_scrap_save_nothing_against_new():
    specs = {"capacity_kva": 315.0}
    paid = Decimal("12000")
    assert estimated_saving(OIL, specs, paid, 1, condition_grade="scrap") is None
    assert estimated_saving(OIL, specs, paid, 1, condition_grade="grade_80") == Decimal(
        "29000.00"
    )


@pytest.mark.parametrize(("paid", "quantity"), [(Decimal(-1), 1), (Decimal(1), 0)])
def test_a_negative_price_or_no_quantity_is_an_error(paid, quantity):
    with pytest.raises(ValueError):
        estimated_saving(OIL, {"capacity_kva": 400.0}, paid, quantity)
