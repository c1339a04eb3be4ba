"""Tests for model-number (型号) parsing and the seller-form suggestions."""

from __future__ import annotations

import random
from typing import Any

import pytest

from market.domain.categories import family_of, get_category
from market.domain.model_numbers import (
    NOTE_KEYS,
    ParsedModel,
    normalize_model,
    parse_model,
    suggest,
)

TX = "oil_immersed_transformer"
CU = {"winding_material": "cu"}

# raw model -> (category, specs, series); every example of the domain notes §2.
EXAMPLES: list[tuple[str, str, dict[str, Any], str]] = [
    ("S11-M-400/10", TX, {"capacity_kva": 400, "voltage_kv": 10, **CU}, "S11"),
    ("S13-M-630/10", TX, {"capacity_kva": 630, "voltage_kv": 10, **CU}, "S13"),
    ("S20-M-1000/10", TX, {"capacity_kva": 1000, "voltage_kv": 10, **CU}, "S20"),
    ("S22-M-400/10", TX, {"capacity_kva": 400, "voltage_kv": 10, **CU}, "S22"),
    ("S11-MRL-400/10", TX, {"capacity_kva": 400, "voltage_kv": 10, **CU}, "S11"),
    ("S11-M·R-400/10", TX, {"capacity_kva": 400, "voltage_kv": 10, **CU}, "S11"),
    ("SCB10-1000/10", "dry_type_transformer",
     {"capacity_kva": 1000, "voltage_kv": 10, **CU}, "SCB10"),
    ("SCB11-1250/10/0.4", "dry_type_transformer",
     {"capacity_kva": 1250, "voltage_kv": 10, "lv_kv": 0.4, **CU}, "SCB11"),
    ("SBH15-M-400/10", "amorphous_transformer",
     {"capacity_kva": 400, "voltage_kv": 10, **CU}, "SBH15"),
    ("SH15-M-630/10", "amorphous_transformer",
     {"capacity_kva": 630, "voltage_kv": 10, **CU}, "SH15"),
    ("SZ11-10000/35", "power_transformer_hv",
     {"capacity_kva": 10000, "voltage_kv": 35, **CU}, "SZ11"),
    ("SFZ11-50000/110", "power_transformer_hv",
     {"capacity_kva": 50000, "voltage_kv": 110, **CU}, "SFZ11"),
    ("SFSZ11-180000/220", "power_transformer_hv",
     {"capacity_kva": 180000, "voltage_kv": 220, **CU}, "SFSZ11"),
    ("OSFPSZ-240000/220", "power_transformer_hv",
     {"capacity_kva": 240000, "voltage_kv": 220, **CU}, "OSFPSZ"),
    ("ZGS11-Z-400/10", "box_substation", {"capacity_kva": 400, "voltage_kv": 10},
     "ZGS11"),
    ("ZGS13-H-630/10", "box_substation", {"capacity_kva": 630, "voltage_kv": 10},
     "ZGS13"),
    ("ZGS11-400/10", "box_substation", {"capacity_kva": 400, "voltage_kv": 10},
     "ZGS11"),
    ("YB27-12/0.4-630", "box_substation",
     {"capacity_kva": 630, "voltage_kv": 10, "lv_kv": 0.4}, "YB27"),
    ("KYN28A-12", "mv_withdrawable_switchgear", {"voltage_kv": 10}, "KYN28A"),
    ("KYN28-24", "mv_withdrawable_switchgear", {"voltage_kv": 20}, "KYN28"),
    ("KYN61-40.5", "mv_withdrawable_switchgear", {"voltage_kv": 35}, "KYN61"),
    ("XGN2-12", "mv_fixed_switchgear", {"voltage_kv": 10}, "XGN2"),
    ("XGN15-12", "ring_main_unit", {"voltage_kv": 10}, "XGN15"),
    ("HXGN15-12/630-20", "ring_main_unit",
     {"voltage_kv": 10, "rated_current_a": 630, "short_time_current_ka": 20},
     "HXGN15"),
    ("ZW32-12/630-20", "outdoor_vacuum_breaker",
     {"voltage_kv": 10, "rated_current_a": 630, "breaking_current_ka": 20}, "ZW32"),
    ("ZW32M-12/630-20", "outdoor_vacuum_breaker",
     {"voltage_kv": 10, "rated_current_a": 630, "breaking_current_ka": 20}, "ZW32M"),
    ("ZW32-12F/630-20", "outdoor_vacuum_breaker",
     {"voltage_kv": 10, "rated_current_a": 630, "breaking_current_ka": 20}, "ZW32"),
    ("ZW32-12/1250-31.5", "outdoor_vacuum_breaker",
     {"voltage_kv": 10, "rated_current_a": 1250, "breaking_current_ka": 31.5},
     "ZW32"),
    ("VS1-12/1250-31.5", "indoor_vacuum_breaker",
     {"voltage_kv": 10, "rated_current_a": 1250, "breaking_current_ka": 31.5}, "VS1"),
    ("ZN63A-12/1250-31.5", "indoor_vacuum_breaker",
     {"voltage_kv": 10, "rated_current_a": 1250, "breaking_current_ka": 31.5},
     "ZN63A"),
    ("LW8-40.5/1600-31.5", "sf6_breaker",
     {"voltage_kv": 35, "rated_current_a": 1600, "breaking_current_ka": 31.5}, "LW8"),
    ("GW9-12/630", "disconnector", {"voltage_kv": 10, "rated_current_a": 630}, "GW9"),
    ("FZN25-12D/630-20", "load_switch",
     {"voltage_kv": 10, "rated_current_a": 630, "short_time_current_ka": 20},
     "FZN25"),
    ("RW12-12/200", "dropout_fuse", {"voltage_kv": 10, "rated_current_a": 200},
     "RW12"),
    ("LZZBJ9-10", "current_transformer", {"voltage_kv": 10}, "LZZBJ9"),
    ("LZZBJ9-10 200/5 0.5/10P10", "current_transformer",
     {"voltage_kv": 10, "ratio": "200/5"}, "LZZBJ9"),
    ("LMZJ1-0.66 300/5", "lv_current_transformer", {"ratio": "300/5"}, "LMZJ1"),
    ("JDZ10-10", "voltage_transformer", {"voltage_kv": 10}, "JDZ10"),
    ("JDZ10-10 10000/100", "voltage_transformer",
     {"voltage_kv": 10, "ratio": "10000/100"}, "JDZ10"),
    ("YJV22-8.7/15 3×240", "mv_power_cable",
     {"voltage_kv": 10, "cores": 3, "cross_section_mm2": 240, "conductor": "cu"},
     "YJV22"),
    ("ZC-YJV22-8.7/15-3×240", "mv_power_cable",
     {"voltage_kv": 10, "cores": 3, "cross_section_mm2": 240, "conductor": "cu"},
     "ZC-YJV22"),
    ("YJV22-3×240-8.7/15", "mv_power_cable",
     {"voltage_kv": 10, "cores": 3, "cross_section_mm2": 240, "conductor": "cu"},
     "YJV22"),
    ("YJLV22-0.6/1 3×240+1×120", "lv_power_cable",
     {"voltage_kv": 0.4, "cores": 3, "cross_section_mm2": 240, "conductor": "al"},
     "YJLV22"),
    ("WDZC-YJY23-8.7/15-3*150", "mv_power_cable",
     {"voltage_kv": 10, "cores": 3, "cross_section_mm2": 150, "conductor": "cu"},
     "WDZC-YJY23"),
    ("YJV-0.6/1-4×185", "lv_power_cable",
     {"voltage_kv": 0.4, "cores": 4, "cross_section_mm2": 185, "conductor": "cu"},
     "YJV"),
    ("YJV62-8.7/15-1×400", "mv_power_cable",
     {"voltage_kv": 10, "cores": 1, "cross_section_mm2": 400, "conductor": "cu"},
     "YJV62"),
    ("NH-YJV-0.6/1-4x95+1x50", "lv_power_cable",
     {"voltage_kv": 0.4, "cores": 4, "cross_section_mm2": 95, "conductor": "cu"},
     "NH-YJV"),
    ("YJV22-8.7/10-3×70", "mv_power_cable",
     {"voltage_kv": 10, "cores": 3, "cross_section_mm2": 70, "conductor": "cu"},
     "YJV22"),
    ("YJV22-12/20-3×95", "mv_power_cable",
     {"voltage_kv": 20, "cores": 3, "cross_section_mm2": 95, "conductor": "cu"},
     "YJV22"),
    ("YJV22-26/35-3×300", "mv_power_cable",
     {"voltage_kv": 35, "cores": 3, "cross_section_mm2": 300, "conductor": "cu"},
     "YJV22"),
    ("YJLHV22-6/6-3×120", "mv_power_cable",
     {"voltage_kv": 6, "cores": 3, "cross_section_mm2": 120, "conductor": "al_alloy"},
     "YJLHV22"),
    ("YJV22-8.7/15", "mv_power_cable", {"voltage_kv": 10, "conductor": "cu"},
     "YJV22"),
    ("KVVP-450/750V 4×1.5", "control_cable",
     {"cores": 4, "cross_section_mm2": 1.5, "conductor": "cu"}, "KVVP"),
    ("JL/G1A-240/30", "overhead_conductor",
     {"cross_section_mm2": 240, "conductor": "al"}, "JL/G1A"),
    ("LGJ-240/30", "overhead_conductor",
     {"cross_section_mm2": 240, "conductor": "al"}, "LGJ"),
    ("JKLYJ-10/240", "overhead_conductor",
     {"voltage_kv": 10, "cross_section_mm2": 240, "conductor": "al"}, "JKLYJ"),
    ("JKLYJ-1/120", "overhead_conductor",
     {"voltage_kv": 0.4, "cross_section_mm2": 120, "conductor": "al"}, "JKLYJ"),
    ("NSY-10/3.2", "cable_termination", {"voltage_kv": 10, "cores": 3}, "NSY"),
    ("JLS-10/3.3", "cable_joint", {"voltage_kv": 10, "cores": 3}, "JLS"),
    ("DDZY208-Z", "single_phase_meter", {"phase": "1"}, "DDZY208"),
    ("DDZY1296", "single_phase_meter", {"phase": "1"}, "DDZY1296"),
    ("DTZY1296", "three_phase_meter", {"phase": "3"}, "DTZY1296"),
    ("DTSD341", "three_phase_meter", {"phase": "3"}, "DTSD341"),
    ("DSZY1296", "three_phase_meter", {"phase": "3"}, "DSZY1296"),
    ("HY5WS-17/50", "surge_arrester", {"voltage_kv": 10}, "HY5WS"),
    ("HY5WZ-51/134", "surge_arrester", {"voltage_kv": 35}, "HY5WZ"),
    ("Y10W-100/260", "surge_arrester", {"voltage_kv": 110}, "Y10W"),
    ("BSMJ0.45-30-3", "shunt_capacitor",
     {"voltage_kv": 0.4, "capacity_kvar": 30, "phase": "3"}, "BSMJ"),
    ("BAM11/√3-100-1W", "shunt_capacitor",
     {"voltage_kv": 10, "capacity_kvar": 100, "phase": "1"}, "BAM"),
    ("6-GFM-100", "lead_acid_battery", {"capacity_ah": 100, "nominal_voltage_v": 12},
     "6-GFM"),
    ("GFM-500", "lead_acid_battery", {"capacity_ah": 500, "nominal_voltage_v": 2},
     "GFM"),
    ("200GF", "diesel_genset", {"power_kw": 200}, "GF"),
    ("GGD2", "lv_switchgear", {"voltage_kv": 0.4}, "GGD2"),
    ("DW15-1600/3", "lv_breaker", {}, "DW15"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("raw", "slug", "specs", "series"), EXAMPLES, ids=[e[0] for e in EXAMPLES]
)
def test_examples_parse(
    raw: str, slug: str, specs: dict[str, Any], series: str
) -> None:
    parsed = parse_model(raw)
    assert parsed is not None
    assert parsed.category_slug == slug
    assert parsed.family == family_of(slug)
    assert parsed.specs == specs
    assert parsed.series == series
    assert parsed.raw == raw
    assert parsed.normalized == normalize_model(raw)
    category = get_category(slug)
    assert category is not None and set(parsed.specs) <= set(category.spec_keys)


def test_spec_values_are_typed() -> None:
    parsed = parse_model("SCB11-1250/10/0.4")
    assert parsed is not None
    assert isinstance(parsed.specs["capacity_kva"], float)
    assert isinstance(parsed.specs["voltage_kv"], float)
    cable = parse_model("YJV22-8.7/15 3×240")
    assert cable is not None and isinstance(cable.specs["cores"], int)


@pytest.mark.parametrize(
    "raw",
    ["S7-315/10", "S8-500/10", "S9-400/10", "S9-M-400/10", "SL7-400/10",
     "SL7-315/10", "SJL1-320/10", "SZ9-10000/35", "ZGS9-Z-400/10"],
)  # fmt: skip
def test_high_loss_transformers_are_eliminated(raw: str) -> None:
    parsed = parse_model(raw)
    assert parsed is not None
    assert parsed.eliminated
    assert parsed.note_key == "eliminated_high_loss"


@pytest.mark.parametrize(
    "raw", ["S10-M-400/10", "S11-M-400/10", "S13-M-630/10", "SCB10-1000/10",
            "SH15-M-630/10", "ZGS11-Z-400/10"],
)  # fmt: skip
def test_current_transformers_are_not_eliminated(raw: str) -> None:
    parsed = parse_model(raw)
    assert parsed is not None and not parsed.eliminated and parsed.note_key is None


def test_sl7_is_aluminium_wound() -> None:
    parsed = parse_model("SL7-400/10")
    assert parsed is not None and parsed.specs["winding_material"] == "al"


def test_boundary_switch_note() -> None:
    parsed = parse_model("ZW32-12F/630-20")
    assert parsed is not None and parsed.note_key == "boundary_switch"
    plain = parse_model("ZW32-12/630-20")
    assert plain is not None and plain.note_key is None


def test_meters_carry_the_verification_note() -> None:
    parsed = parse_model("DTZY1296")
    assert parsed is not None and parsed.note_key == "meter_verification"


def test_note_keys_are_declared() -> None:
    for raw, *_ in EXAMPLES:
        parsed = parse_model(raw)
        assert parsed is not None
        assert parsed.note_key is None or parsed.note_key in NOTE_KEYS


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("s11-m-400/10", "S11-M-400/10"),
        ("ｓ１１－ｍ－４００／１０", "S11-M-400/10"),
        ("S11 - M - 400 / 10", "S11-M-400/10"),
        ("S11—M—400/10", "S11-M-400/10"),
        ("S11-M-400KVA/10KV", "S11-M-400/10"),
        ("S11-M-400kVA/10kV/0.4kV", "S11-M-400/10/0.4"),
        ("S11-M·R-400/10", "S11-M.R-400/10"),
        ("S11-M-400/10型", "S11-M-400/10"),
        ("型号：S11-M-400/10", "S11-M-400/10"),
        ("zw32-12kv/630a-20ka", "ZW32-12/630-20"),
        ("yjv22-8.7/15kv 3x240mm²", "YJV22-8.7/15 3×240"),
        ("YJV22-8.7/15-3X240平方", "YJV22-8.7/15-3×240"),
        ("XGN15-12", "XGN15-12"),
        ("HXGN15-12", "HXGN15-12"),
        ("KYN28A-12", "KYN28A-12"),
        ("  JDZX10-10  ", "JDZX10-10"),
    ],
)
def test_normalize_model(raw: str, normalized: str) -> None:
    assert normalize_model(raw) == normalized


@pytest.mark.parametrize(
    "raw",
    ["ｓ１１－ｍ－４００／１０", "s11-m-400kva/10kv", "S11 - M - 400 / 10",
     "S11-M-400KVA/10KV"],
)  # fmt: skip
def test_messy_spellings_still_parse(raw: str) -> None:
    parsed = parse_model(raw)
    assert parsed is not None
    assert parsed.category_slug == TX
    assert parsed.specs["capacity_kva"] == 400


@pytest.mark.parametrize(
    "raw",
    ["", " ", "hello", "S11", "KYN28A", "400kVA", "变压器", "DTU", "SN10-10/630",
     "ZW32-13/630-20", "S11-M-400/15", "S11-M-0/10", "YJV22-8.7/16 3×240",
     "YJV22-8.7/15 0×240", "ZW32-12/630-999", "XYZ1-12", "BH-0.66", "S" * 200,
     "DD", "DT-1"],
)  # fmt: skip
def test_unknown_strings_give_none(raw: str) -> None:
    assert parse_model(raw) is None
    assert suggest(raw) == {}


def test_non_strings_give_none() -> None:
    assert parse_model(None) is None  # type: ignore[arg-type]
    assert parse_model(400) is None  # type: ignore[arg-type]


_ALPHABET = (
    "SDCBHLZMFKYNXGWVJTRAOPQE0123456789" * 3
    + "-/×xX*.·+ ()%√"
    + "０１２ｋＶＡ－／　变压器千伏安平方米型号"
)
_SEEDS = [raw for raw, *_ in EXAMPLES]


def _mutate(rng: random.Random, text: str) -> str:
    chars = list(text)
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(3)
        pos = rng.randrange(len(chars) + 1)
        if op == 0:
            chars.insert(pos, rng.choice(_ALPHABET))
        elif chars and op == 1:
            del chars[min(pos, len(chars) - 1)]
        elif chars:
            chars[min(pos, len(chars) - 1)] = rng.choice(_ALPHABET)
    return "".join(chars)


def test_random_strings_never_raise() -> None:
    rng = random.Random(20240611)
    parsed = 0
    for i in range(2000):
        if i % 2:
            raw = "".join(rng.choice(_ALPHABET) for _ in range(rng.randint(0, 30)))
        else:
            raw = _mutate(rng, rng.choice(_SEEDS))
        result = parse_model(raw)
        assert result is None or isinstance(result, ParsedModel)
        if result is not None:
            parsed += 1
            category = get_category(result.category_slug)
            assert category is not None and category.parent_slug == result.family
            assert set(result.specs) <= set(category.spec_keys)
        suggestion = suggest(raw)
        assert (suggestion == {}) == (result is None)
    # Mutated real models should still be recognised fairly often.
    assert parsed > 50


def test_suggest_transformer() -> None:
    assert suggest("S11-M-400/10") == {
        "category_slug": TX,
        "specs": {"capacity_kva": "400", "voltage_kv": "10", "winding_material": "cu"},
        "eliminated": False,
        "note_key": None,
    }


def test_suggest_formats_for_form_prefill() -> None:
    assert suggest("SCB11-1250/10/0.4")["specs"]["lv_kv"] == "0.4"
    cable = suggest("YJLV22-0.6/1 3×240+1×120")
    assert cable["category_slug"] == "lv_power_cable"
    assert cable["specs"] == {
        "voltage_kv": "0.4",
        "conductor": "al",
        "cores": "3",
        "cross_section_mm2": "240",
    }
    breaker = suggest("VS1-12/1250-31.5")
    assert breaker["specs"]["breaking_current_ka"] == "31.5"


def test_suggest_flags_eliminated() -> None:
    result = suggest("S9-M-400/10")
    assert result["eliminated"] is True
    assert result["note_key"] == "eliminated_high_loss"
    assert result["category_slug"] == TX
