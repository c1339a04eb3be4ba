"""Tests for condition grades, asset sources, quantity units and report kinds."""

from __future__ import annotations

import pytest

from market.domain.conditions import (
    ASSET_SOURCES,
    CONDITION_GRADES,
    QUANTITY_UNITS,
    TEST_REPORT_KINDS,
    at_least,
    get_asset_source,
    get_grade,
    get_quantity_unit,
    get_test_report_kind,
)

ORDER = [
    "new", "like_new", "grade_90", "grade_80", "serviceable", "needs_repair", "scrap",
]  # fmt: skip


def test_grades_run_best_to_worst() -> None:
    assert [g.slug for g in CONDITION_GRADES] == ORDER
    assert [g.rank for g in CONDITION_GRADES] == list(range(len(ORDER)))


def test_value_bands_descend_and_scrap_has_none() -> None:
    bands = [g.value_band for g in CONDITION_GRADES]
    assert bands[-1] is None
    numeric = [b for b in bands if b is not None]
    assert all(low < high for low, high in numeric)
    assert all(a[0] >= b[1] for a, b in zip(numeric, numeric[1:]))
    assert numeric[0] == (95, 100)


def test_grade_labels() -> None:
    grade = get_grade("grade_90")
    assert grade is not None
    assert grade.label("zh_CN") == "九成新"
    assert "90%" in grade.label("en")
    assert get_grade("nope") is None


@pytest.mark.parametrize(
    ("grade", "minimum", "expected"),
    [
        ("new", "grade_80", True),
        ("grade_80", "grade_80", True),
        ("serviceable", "grade_80", False),
        ("scrap", "needs_repair", False),
        ("needs_repair", "scrap", True),
        ("like_new", "new", False),
    ],
)
def test_at_least(grade: str, minimum: str, expected: bool) -> None:
    assert at_least(grade, minimum) is expected


def test_at_least_unknown_grade() -> None:
    with pytest.raises(KeyError):
        at_least("mint", "new")


def test_asset_sources() -> None:
    assert [s.slug for s in ASSET_SOURCES] == [
        "grid_retired", "idle", "surplus_stock", "project_leftover", "dismantled",
    ]  # fmt: skip
    assert [s.zh for s in ASSET_SOURCES] == [
        "电网退役", "企业闲置", "库存积压", "工程余料", "拆除旧料",
    ]  # fmt: skip
    source = get_asset_source("grid_retired")
    assert source is not None and source.label("en") == "Retired from the grid"
    assert get_asset_source("stolen") is None


def test_quantity_units() -> None:
    assert [u.zh for u in QUANTITY_UNITS] == list("台面套只块米盘组吨批")
    assert len({u.slug for u in QUANTITY_UNITS}) == len(QUANTITY_UNITS)
    assert len({u.en for u in QUANTITY_UNITS}) == len(QUANTITY_UNITS)
    panel = get_quantity_unit("panel")
    assert panel is not None and panel.label("zh_CN") == "面"
    assert panel.label("en") == "panel"
    assert get_quantity_unit("furlong") is None


def test_test_report_kinds() -> None:
    slugs = [k.slug for k in TEST_REPORT_KINDS]
    assert slugs == ["factory", "commissioning", "periodic"]
    kind = get_test_report_kind("commissioning")
    assert kind is not None and kind.label("zh_CN") == "交接试验报告"
    assert get_test_report_kind("type") is None


def test_all_labels_are_filled_in() -> None:
    everything = (*CONDITION_GRADES, *ASSET_SOURCES, *QUANTITY_UNITS)
    for item in (*everything, *TEST_REPORT_KINDS):
        assert item.zh and item.en
        assert item.label("zh_CN") == item.zh and item.label("en") == item.en
