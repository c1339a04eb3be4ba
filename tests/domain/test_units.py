"""Tests for quantity parsing, formatting and voltage levels."""

from __future__ import annotations

import math

import pytest

from market.domain.units import (
    CANONICAL_UNITS,
    VOLTAGE_LEVELS,
    CableSize,
    UnitError,
    format_cable_size,
    format_number,
    format_quantity,
    nearest_voltage_level,
    parse_cable_size,
    parse_cores_section,
    parse_quantity,
    parse_voltage_pair,
)

SPELLINGS = [
    # kVA, including the MVA and VA scales
    ("kVA", ["400", "400kVA", "400 KVA", "400kva", "400千伏安", "400 KV·A", "400kV.A",
             "400千伏·安", "0.4MVA", "0.4 mva", "0.4兆伏安", "400000VA", "４００ｋＶＡ",
             "４００　ＫＶＡ"], 400.0),
    ("kV", ["10", "10kV", "10KV", "10kv", "10Kv", "10千伏", "10000V", "10000伏",
            "10000伏特", "１０ｋＶ"], 10.0),
    ("kV", ["0.4kV", "0.4", "400V", "400伏"], 0.4),
    ("V", ["220", "220V", "220伏", "0.22kV"], 220.0),
    ("A", ["630", "630A", "630a", "630安", "630安培", "0.63kA"], 630.0),
    ("A", ["1.25kA", "1.25KA", "1.25千安", "1250"], 1250.0),
    ("kA", ["31.5", "31.5kA", "31.5KA", "31.5千安", "31500A"], 31.5),
    ("mm2", ["240", "240mm²", "240mm2", "240MM2", "240mm^2", "240平方", "240平方毫米",
             "240 sq mm", "240㎟", "240平"], 240.0),
    ("m", ["500", "500m", "500米", "0.5km", "0.5公里", "0.5千米"], 500.0),
    ("m", ["1.2km", "1.2公里", "1,200m", "1200米"], 1200.0),
    ("kW", ["200", "200kW", "200KW", "200千瓦", "0.2MW", "0.2兆瓦", "200000W"], 200.0),
    ("kvar", ["300", "300kvar", "300kVar", "300Kvar", "300KVAR", "300千乏",
              "0.3Mvar", "0.3兆乏"], 300.0),
    ("kWh", ["1000", "1000kWh", "1000度", "1000千瓦时", "1MWh", "1000 kW·h"], 1000.0),
    ("Ah", ["100", "100Ah", "100AH", "100安时"], 100.0),
    ("Wp", ["550", "550Wp", "550W", "550瓦", "0.55kWp"], 550.0),
    ("kg", ["1500", "1500kg", "1500公斤", "1500千克", "1.5t", "1.5吨", "3000斤"], 1500.0),
    ("t", ["1.5", "1.5t", "1.5吨", "1500kg", "1500公斤"], 1.5),
]  # fmt: skip


@pytest.mark.parametrize(
    ("unit", "text", "expected"),
    [(unit, text, value) for unit, texts, value in SPELLINGS for text in texts],
)
def test_parse_quantity_spellings(unit: str, text: str, expected: float) -> None:
    assert parse_quantity(text, unit) == expected


def test_parse_quantity_takes_plain_numbers_from_spreadsheets() -> None:
    assert parse_quantity(400, "kVA") == 400.0
    assert parse_quantity(31.5, "kA") == 31.5


@pytest.mark.parametrize(
    ("text", "unit", "reason"),
    [
        ("", "kVA", "empty"),
        ("   ", "kVA", "empty"),
        ("abc", "kVA", "not_a_number"),
        ("kVA", "kVA", "not_a_number"),
        ("nan", "kV", "not_a_number"),
        ("inf", "kV", "not_a_number"),
        ("1e5", "kVA", "unknown_unit"),
        ("400 horses", "kVA", "unknown_unit"),
        ("400kW", "kVA", "wrong_unit"),
        ("10A", "kV", "wrong_unit"),
        ("240m", "mm2", "wrong_unit"),
        ("-400", "kVA", "negative"),
        ("-10kV", "kV", "negative"),
        ("0", "kVA", "zero"),
        ("0.0m", "m", "zero"),
        ("20000000", "kVA", "too_large"),
        ("20000MVA", "kVA", "too_large"),
        ("1.2.3", "m", "unknown_unit"),
    ],
)
def test_parse_quantity_errors(text: str, unit: str, reason: str) -> None:
    with pytest.raises(UnitError) as info:
        parse_quantity(text, unit)
    assert info.value.reason == reason
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize(
    ("value", "reason"),
    [(math.nan, "not_finite"), (math.inf, "not_finite"), (-1.0, "negative"),
     (0, "zero"), (1e8, "too_large"), (True, "not_a_number")],
)  # fmt: skip
def test_parse_quantity_rejects_bad_numbers(value: float, reason: str) -> None:
    with pytest.raises(UnitError) as info:
        parse_quantity(value, "kVA")
    assert info.value.reason == reason


def test_zero_is_allowed_when_asked() -> None:
    assert parse_quantity("0", "m", allow_zero=True) == 0.0


def test_unknown_canonical_unit_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="canonical unit"):
        parse_quantity("1", "furlong")
    with pytest.raises(ValueError, match="canonical unit"):
        format_quantity(1, "furlong")


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (400.0, "kVA", "400 kVA"),
        (10.0, "kV", "10 kV"),
        (0.4, "kV", "0.4 kV"),
        (31.5, "kA", "31.5 kA"),
        (240.0, "mm2", "240 mm²"),
        (1200.0, "m", "1200 m"),
        (180000.0, "kVA", "180000 kVA"),
        (0.1 + 0.2, "kW", "0.3 kW"),
        (3, "", "3"),
    ],
)
def test_format_quantity(value: float, unit: str, text: str) -> None:
    assert format_quantity(value, unit) == text


def test_format_number() -> None:
    assert format_number(400.0) == "400"
    assert format_number(0.40) == "0.4"
    assert format_number(1e-9) == "0"
    assert format_number(12.5) == "12.5"


@pytest.mark.parametrize("unit", CANONICAL_UNITS)
@pytest.mark.parametrize("value", [0.4, 1.0, 3.0, 12.5, 31.5, 240.0, 630.0, 180000.0])
def test_format_then_parse_round_trips(unit: str, value: float) -> None:
    assert parse_quantity(format_quantity(value, unit), unit) == value


@pytest.mark.parametrize(
    "text",
    ["3×240", "3x240", "3X240", "3*240", "3×240mm²", "3*240平方", "3 × 240 mm2",
     "３×２４０", "3＊240"],
)  # fmt: skip
def test_parse_cores_section(text: str) -> None:
    assert parse_cores_section(text) == (3, 240.0)


def test_parse_cable_size_with_neutral() -> None:
    assert parse_cores_section("3×240+1×120") == (3, 240.0)
    assert parse_cable_size("3×240+1×120") == CableSize(3, 240.0, 1, 120.0)
    assert parse_cable_size("4x95+1x50mm2") == CableSize(4, 95.0, 1, 50.0)
    assert parse_cable_size("1×400") == CableSize(1, 400.0, None, None)
    assert parse_cable_size("4×1.5") == CableSize(4, 1.5)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("240", "not_a_cable_size"),
        ("3×", "not_a_cable_size"),
        ("3×240+", "not_a_cable_size"),
        ("3×240m", "not_a_cable_size"),
        ("-3×240", "not_a_cable_size"),
        ("0×240", "zero"),
        ("3×0", "zero"),
        ("3×240+0×120", "zero"),
        ("99×2.5", "too_many_cores"),
        ("3×9000", "too_large"),
    ],
)
def test_parse_cable_size_errors(text: str, reason: str) -> None:
    with pytest.raises(UnitError) as info:
        parse_cable_size(text)
    assert info.value.reason == reason


def test_format_cable_size_round_trips() -> None:
    for size in (CableSize(3, 240.0), CableSize(3, 240.0, 1, 120.0), CableSize(4, 1.5)):
        assert parse_cable_size(format_cable_size(size)) == size
    assert format_cable_size(CableSize(3, 240.0)) == "3×240 mm²"
    assert format_cable_size(CableSize(3, 240.0, 1, 120.0)) == "3×240+1×120 mm²"


@pytest.mark.parametrize(
    ("kv", "level"),
    [
        (12, 10.0), (40.5, 35.0), (24, 20.0), (7.2, 6.0), (3.6, 3.0), (72.5, 66.0),
        (126, 110.0), (252, 220.0), (363, 330.0), (550, 500.0), (800, 750.0),
        (1100, 1000.0), (0.38, 0.4), (10.5, 10.0), (38.5, 35.0), (6.3, 6.0),
        (10.0000001, 10.0),
    ],
)  # fmt: skip
def test_nearest_voltage_level_maps_um_and_ratings(kv: float, level: float) -> None:
    assert nearest_voltage_level(kv) == level


@pytest.mark.parametrize("level", VOLTAGE_LEVELS)
def test_nearest_voltage_level_keeps_standard_levels(level: float) -> None:
    assert nearest_voltage_level(level) == level


@pytest.mark.parametrize("kv", [0, 1, 15, 17, 50, 100, 630, -10, math.nan, math.inf])
def test_nearest_voltage_level_refuses_to_guess(kv: float) -> None:
    assert nearest_voltage_level(kv) is None


@pytest.mark.parametrize(
    "text",
    ["10/0.4", "10/0.4kV", "10kV/0.4kV", "10±5%/0.4", "10±2×2.5%/0.4", "10 / 0.4"],
)
def test_parse_voltage_pair(text: str) -> None:
    assert parse_voltage_pair(text) == (10.0, 0.4)


@pytest.mark.parametrize(("text", "reason"), [("10", "not_a_voltage_pair"),
                                              ("0.4/10", "lv_not_below_hv"),
                                              ("0/0", "zero")])  # fmt: skip
def test_parse_voltage_pair_errors(text: str, reason: str) -> None:
    with pytest.raises(UnitError) as info:
        parse_voltage_pair(text)
    assert info.value.reason == reason
