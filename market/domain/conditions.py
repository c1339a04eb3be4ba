"""Condition grades, asset sources, quantity units and test-report kinds of listings."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "ASSET_SOURCES",
    "CONDITION_GRADES",
    "QUANTITY_UNITS",
    "TEST_REPORT_KINDS",
    "AssetSource",
    "ConditionGrade",
    "QuantityUnit",
    "TestReportKind",
    "at_least",
    "get_asset_source",
    "get_grade",
    "get_quantity_unit",
    "get_test_report_kind",
]


def _pick(zh: str, en: str, locale: str) -> str:
    # "zh_CN" from Flask-Babel; "zh-CN" from an Accept-Language header.
    return zh if str(locale).replace("-", "_").lower().startswith("zh") else en


@dataclass(frozen=True)
class _Labelled:
    slug: str
    zh: str
    en: str

    def label(self, locale: str) -> str:
        return _pick(self.zh, self.en, locale)


@dataclass(frozen=True)
class ConditionGrade(_Labelled):
    rank: int  # 0 is best
    # Indicative 成新率 (percent of new value) from the domain notes; None for scrap,
    # which is worth its metal and oil rather than a share of the new price.
    value_band: tuple[int, int] | None


@dataclass(frozen=True)
class AssetSource(_Labelled):
    pass


@dataclass(frozen=True)
class QuantityUnit(_Labelled):
    pass


@dataclass(frozen=True)
class TestReportKind(_Labelled):
    __test__ = False  # not a pytest class, despite the name


CONDITION_GRADES: tuple[ConditionGrade, ...] = (
    ConditionGrade("new", "全新/未使用", "New, unused", 0, (95, 100)),
    ConditionGrade("like_new", "准新(九五成新)", "Like new", 1, (90, 95)),
    ConditionGrade("grade_90", "九成新", "Good (about 90% of new)", 2, (85, 90)),
    ConditionGrade("grade_80", "八成新", "Fair (about 80% of new)", 3, (70, 85)),
    ConditionGrade("serviceable", "可正常使用", "Serviceable", 4, (40, 70)),
    ConditionGrade("needs_repair", "需维修/带缺陷", "Needs repair", 5, (15, 40)),
    ConditionGrade("scrap", "报废/拆解(按废料)", "Scrap (material value)", 6, None),
)

ASSET_SOURCES: tuple[AssetSource, ...] = (
    AssetSource("grid_retired", "电网退役", "Retired from the grid"),
    AssetSource("idle", "企业闲置", "Idle company asset"),
    AssetSource("surplus_stock", "库存积压", "Surplus stock"),
    AssetSource("project_leftover", "工程余料", "Project leftovers"),
    AssetSource("dismantled", "拆除旧料", "Dismantled material"),
)

QUANTITY_UNITS: tuple[QuantityUnit, ...] = (
    QuantityUnit("unit", "台", "unit"),
    QuantityUnit("panel", "面", "panel"),
    QuantityUnit("set", "套", "set"),
    QuantityUnit("piece", "只", "piece"),
    QuantityUnit("block", "块", "block"),
    QuantityUnit("metre", "米", "metre"),
    QuantityUnit("drum", "盘", "drum"),
    QuantityUnit("group", "组", "group"),
    QuantityUnit("tonne", "吨", "tonne"),
    QuantityUnit("lot", "批", "lot"),
)

TEST_REPORT_KINDS: tuple[TestReportKind, ...] = (
    TestReportKind("factory", "出厂试验报告", "Factory routine test report"),
    TestReportKind(
        "commissioning", "交接试验报告", "Commissioning (hand-over) test report"
    ),
    TestReportKind("periodic", "预防性试验报告", "Periodic (preventive) test report"),
)

_GRADES = {grade.slug: grade for grade in CONDITION_GRADES}
_SOURCES = {source.slug: source for source in ASSET_SOURCES}
_UNITS = {unit.slug: unit for unit in QUANTITY_UNITS}
_REPORTS = {kind.slug: kind for kind in TEST_REPORT_KINDS}


def get_grade(slug: str) -> ConditionGrade | None:
    return _GRADES.get(slug)


def get_asset_source(slug: str) -> AssetSource | None:
    return _SOURCES.get(slug)


def get_quantity_unit(slug: str) -> QuantityUnit | None:
    return _UNITS.get(slug)


def get_test_report_kind(slug: str) -> TestReportKind | None:
    return _REPORTS.get(slug)


def at_least(grade: str, minimum: str) -> bool:
    """True when ``grade`` is as good as ``minimum`` or better; KeyError if unknown."""
    return _GRADES[grade].rank <= _GRADES[minimum].rank
