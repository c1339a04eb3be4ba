"""Tests for the equipment taxonomy and its spec fields."""

from __future__ import annotations

import json
import re
from importlib.resources import files

import pytest

from market.domain.categories import (
    SPEC_FIELDS,
    Category,
    all_leaf_categories,
    family_of,
    find_by_name,
    format_spec,
    get_category,
    get_spec_field,
    list_children,
    list_top_levels,
    parse_spec,
    spec_input_value,
)
from market.domain.units import CANONICAL_UNITS, VOLTAGE_LEVELS, UnitError

TOP_LEVELS = [
    "transformer", "switchgear", "switching_device", "instrument_transformer",
    "wire_cable", "metering", "reactive_compensation", "arrester_insulator_fitting",
    "protection_automation", "generator_set", "dc_ups_battery",
    "construction_equipment", "pv_storage", "test_instrument", "other",
]  # fmt: skip

# Child slugs exactly as the domain notes (§1) give them.
CHILDREN = {
    "transformer": ["oil_immersed_transformer", "dry_type_transformer",
                    "amorphous_transformer", "box_substation", "power_transformer_hv",
                    "special_transformer"],
    "switchgear": ["mv_withdrawable_switchgear", "mv_fixed_switchgear",
                   "ring_main_unit", "lv_switchgear", "lv_distribution_box",
                   "cable_branch_box", "gis"],
    "switching_device": ["indoor_vacuum_breaker", "outdoor_vacuum_breaker",
                         "sf6_breaker", "load_switch", "disconnector", "dropout_fuse",
                         "lv_breaker", "recloser"],
    "instrument_transformer": ["current_transformer", "voltage_transformer",
                               "combined_instrument_transformer",
                               "lv_current_transformer"],
    "wire_cable": ["mv_power_cable", "lv_power_cable", "overhead_conductor",
                   "control_cable", "cable_termination", "cable_joint"],
    "metering": ["single_phase_meter", "three_phase_meter", "meter_box",
                 "metering_cabinet", "collection_terminal"],
    "reactive_compensation": ["shunt_capacitor", "capacitor_bank", "reactor", "svg",
                              "active_filter", "arc_suppression_coil"],
    "arrester_insulator_fitting": ["surge_arrester", "overvoltage_protector",
                                   "insulator", "line_fitting", "pole_tower"],
    "protection_automation": ["protection_relay", "relay_panel",
                              "distribution_terminal", "substation_automation",
                              "fault_indicator"],
    "generator_set": ["diesel_genset", "gas_genset", "mobile_power_vehicle"],
    "dc_ups_battery": ["ups", "dc_panel", "lead_acid_battery", "lithium_battery",
                       "eps"],
    "construction_equipment": ["bucket_truck", "stringing_equipment",
                               "cable_laying_equipment", "utility_vehicle",
                               "safety_tools", "crimping_tools"],
    "pv_storage": ["pv_module", "pv_inverter", "pv_combiner", "energy_storage",
                   "pv_mounting"],
    "test_instrument": ["insulation_tester", "relay_tester", "transformer_tester",
                        "hipot_tester", "oil_tester"],
    "other": ["other_misc", "scrap_lot"],
}  # fmt: skip

REQUIRED_SPEC_KEYS = {
    "voltage_kv", "capacity_kva", "rated_current_a", "breaking_current_ka",
    "cross_section_mm2", "cores", "length_m", "capacity_kvar", "power_kw",
    "energy_kwh", "capacity_ah", "lv_kv", "winding_material", "phase",
}  # fmt: skip


def _everything() -> list[Category]:
    return list_top_levels() + all_leaf_categories()


def test_fifteen_top_levels_in_order() -> None:
    tops = list_top_levels()
    assert [c.slug for c in tops] == TOP_LEVELS
    assert all(c.parent_slug is None and c.is_top_level for c in tops)
    assert all(c.spec_keys == () and c.key_spec is None for c in tops)


@pytest.mark.parametrize("top", TOP_LEVELS)
def test_children_match_the_domain_notes(top: str) -> None:
    kids = list_children(top)
    assert [c.slug for c in kids] == CHILDREN[top]
    assert all(c.parent_slug == top and not c.is_top_level for c in kids)


def test_slugs_are_unique_snake_case() -> None:
    slugs = [c.slug for c in _everything()]
    assert len(slugs) == len(set(slugs)) == 15 + 78
    assert all(re.fullmatch(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*", s) for s in slugs)


def test_all_leaf_categories_are_the_children_in_tree_order() -> None:
    expected = [slug for top in TOP_LEVELS for slug in CHILDREN[top]]
    assert [c.slug for c in all_leaf_categories()] == expected


def test_names_and_aliases_are_unique_across_the_tree() -> None:
    seen: dict[str, str] = {}
    for category in _everything():
        assert category.zh and category.en
        for name in {category.slug, category.zh, category.en, *category.aliases}:
            key = name.casefold().replace(" ", "")
            assert seen.setdefault(key, category.slug) == category.slug, name


def test_spec_keys_exist_and_key_spec_is_one_of_them() -> None:
    for category in all_leaf_categories():
        assert set(category.spec_keys) <= set(SPEC_FIELDS), category.slug
        assert len(set(category.spec_keys)) == len(category.spec_keys)
        if category.key_spec is not None:
            assert category.key_spec in category.spec_keys, category.slug
        assert category.spec_fields == tuple(SPEC_FIELDS[k] for k in category.spec_keys)


def test_spec_field_catalogue() -> None:
    assert REQUIRED_SPEC_KEYS <= set(SPEC_FIELDS)
    for key, field in SPEC_FIELDS.items():
        assert field.key == key and field.zh and field.en
        assert field.kind in {"number", "choice", "text"}
        if field.kind == "number":
            assert field.unit in CANONICAL_UNITS and not field.choices
        if field.kind == "choice":
            assert field.choices
        if field.kind == "text":
            assert field.unit is None and not field.choices
    voltage = SPEC_FIELDS["voltage_kv"]
    assert voltage.kind == "choice" and voltage.unit == "kV"
    assert [c.value for c in voltage.choices] == list(VOLTAGE_LEVELS)
    assert VOLTAGE_LEVELS == (0.4, 3, 6, 10, 20, 35, 66, 110, 220, 330, 500, 750, 1000)
    assert all(isinstance(c.value, float) for c in voltage.choices)
    assert [c.value for c in SPEC_FIELDS["winding_material"].choices] == ["cu", "al"]
    assert [c.value for c in SPEC_FIELDS["phase"].choices] == ["1", "3"]
    assert SPEC_FIELDS["capacity_kva"].unit == "kVA"
    assert SPEC_FIELDS["cross_section_mm2"].unit == "mm2"
    assert SPEC_FIELDS["cores"].integer
    assert get_spec_field("capacity_kva") is SPEC_FIELDS["capacity_kva"]
    assert get_spec_field("horsepower") is None


@pytest.mark.parametrize(
    ("slug", "keys", "key_spec"),
    [
        ("oil_immersed_transformer",
         {"voltage_kv", "capacity_kva", "lv_kv", "winding_material"}, "capacity_kva"),
        ("box_substation", {"voltage_kv", "capacity_kva", "lv_kv"}, "capacity_kva"),
        ("mv_withdrawable_switchgear",
         {"voltage_kv", "rated_current_a", "breaking_current_ka"}, "rated_current_a"),
        ("outdoor_vacuum_breaker",
         {"voltage_kv", "rated_current_a", "breaking_current_ka"}, "rated_current_a"),
        ("current_transformer", {"voltage_kv"}, "voltage_kv"),
        ("mv_power_cable",
         {"voltage_kv", "cores", "cross_section_mm2", "length_m", "conductor"},
         "cross_section_mm2"),
        ("single_phase_meter", {"phase"}, None),
        ("shunt_capacitor", {"voltage_kv", "capacity_kvar"}, "capacity_kvar"),
        ("diesel_genset", {"power_kw"}, "power_kw"),
        ("lead_acid_battery", {"capacity_ah"}, "capacity_ah"),
        ("ups", {"capacity_kva"}, "capacity_kva"),
        ("energy_storage", {"power_kw", "energy_kwh"}, "energy_kwh"),
        ("pv_inverter", {"power_kw"}, "power_kw"),
        ("scrap_lot", {"weight_kg"}, "weight_kg"),
        ("protection_relay", set(), None),
    ],
)  # fmt: skip
def test_category_spec_mapping(slug: str, keys: set[str], key_spec: str | None) -> None:
    category = get_category(slug)
    assert category is not None
    assert keys <= set(category.spec_keys)
    assert category.key_spec == key_spec


def test_get_category_and_family_of() -> None:
    box = get_category("box_substation")
    assert box is not None and box.zh == "箱式变电站" and box.aliases[0] == "箱变"
    assert get_category("nope") is None
    assert family_of("box_substation") == "transformer"
    assert family_of("transformer") == "transformer"
    assert family_of("scrap_lot") == "other"
    with pytest.raises(KeyError):
        family_of("nope")
    assert list_children("box_substation") == []
    assert list_children("nope") == []


def test_label_picks_the_locale() -> None:
    ring = get_category("ring_main_unit")
    assert ring is not None
    assert ring.label("zh_CN") == "环网柜/环网箱"
    assert ring.label("zh") == ring.zh
    assert ring.label("en") == "Ring main unit (RMU)"
    assert ring.label("fr") == ring.en
    assert SPEC_FIELDS["capacity_kva"].label("zh_CN") == "额定容量"
    assert SPEC_FIELDS["winding_material"].choices[0].label("zh_CN") == "铜"


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("箱变", "box_substation"),
        ("箱式变电站", "box_substation"),
        ("环网箱", "ring_main_unit"),
        ("环网柜", "ring_main_unit"),
        ("环网柜/环网箱", "ring_main_unit"),
        ("rmu", "ring_main_unit"),
        ("ＲＭＵ", "ring_main_unit"),
        (" Ring Main Unit (RMU) ", "ring_main_unit"),
        ("oil-immersed distribution transformer", "oil_immersed_transformer"),
        ("油浸式配电变压器", "oil_immersed_transformer"),
        ("box_substation", "box_substation"),
        ("变压器", "transformer"),
        ("电力变压器（35kV及以上）", "power_transformer_hv"),
        ("接地变", "special_transformer"),
        ("JP柜", "lv_distribution_box"),
        ("jp柜", "lv_distribution_box"),
        ("分界开关", "outdoor_vacuum_breaker"),
        ("高压计量箱", "combined_instrument_transformer"),
        ("表箱", "meter_box"),
        ("SVG", "svg"),
        ("DTU", "distribution_terminal"),
        ("废旧物资(按重量)", "scrap_lot"),
        ("废旧物资", "scrap_lot"),
    ],
)
def test_find_by_name(text: str, slug: str) -> None:
    found = find_by_name(text)
    assert found is not None and found.slug == slug


@pytest.mark.parametrize("text", ["", "   ", "变", "transformers and more", "xyz"])
def test_find_by_name_unknown(text: str) -> None:
    assert find_by_name(text) is None


def test_json_children_declare_every_field() -> None:
    path = files("market.domain") / "data" / "categories.json"
    raw = json.loads(path.read_text("utf-8"))
    assert len(raw) == 15
    for top in raw:
        assert set(top) == {"slug", "zh", "en", "aliases", "children"}
        for kid in top["children"]:
            assert set(kid) == {"slug", "zh", "en", "aliases", "spec_keys", "key_spec"}


@pytest.mark.parametrize(
    ("key", "text", "value"),
    [
        ("capacity_kva", "400千伏安", 400.0),
        ("voltage_kv", "10kV", 10.0),
        ("voltage_kv", "12", 10.0),
        ("voltage_kv", "0.4", 0.4),
        ("voltage_kv", "380V", 0.4),
        ("winding_material", "铜", "cu"),
        ("winding_material", "AL", "al"),
        ("winding_material", "Aluminium", "al"),
        ("phase", "三相", "3"),
        ("phase", "1", "1"),
        ("cores", "3", 3.0),
        ("cross_section_mm2", "240平方", 240.0),
        ("ratio", "  200/5  ", "200/5"),
    ],
)
def test_parse_spec(key: str, text: str, value: float | str) -> None:
    assert parse_spec(key, text) == value


@pytest.mark.parametrize(
    ("key", "text", "reason"),
    [
        ("voltage_kv", "15", "invalid_choice"),
        ("voltage_kv", "10A", "wrong_unit"),
        ("winding_material", "gold", "invalid_choice"),
        ("winding_material", " ", "empty"),
        ("cores", "2.5", "not_integer"),
        ("capacity_kva", "-5", "negative"),
        ("ratio", " ", "empty"),
    ],
)
def test_parse_spec_errors(key: str, text: str, reason: str) -> None:
    with pytest.raises(UnitError) as info:
        parse_spec(key, text)
    assert info.value.reason == reason


def test_parse_spec_unknown_key() -> None:
    with pytest.raises(KeyError):
        parse_spec("horsepower", "1")


def test_format_spec_and_input_value() -> None:
    assert format_spec("capacity_kva", 400.0, "zh_CN") == "400 kVA"
    assert format_spec("voltage_kv", 0.4, "en") == "0.4 kV"
    assert format_spec("winding_material", "cu", "zh_CN") == "铜"
    assert format_spec("winding_material", "cu", "en") == "Copper"
    assert format_spec("phase", "3", "en") == "Three-phase"
    assert format_spec("cores", 3, "en") == "3"
    assert format_spec("cross_section_mm2", 240.0, "en") == "240 mm²"
    assert format_spec("ratio", "200/5", "en") == "200/5"
    assert spec_input_value("capacity_kva", 400.0) == "400"
    assert spec_input_value("voltage_kv", 0.4) == "0.4"
    assert spec_input_value("winding_material", "al") == "al"
