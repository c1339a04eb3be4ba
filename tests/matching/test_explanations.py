"""Tests for the words of a match: one phrase per component, in Chinese and English."""

from datetime import datetime, timezone

import pytest

from market.matching.explanations import explain, summary
from market.matching.scoring import score


def phrases(wanted, offer, today, key):
    """The zh and en phrase of one component."""
    result = score(wanted, offer, today)
    index = [c.key for c in result.components].index(key)
    return explain(result, "zh_CN")[index], explain(result, "en")[index]


def test_the_issue_example(make_wanted, make_offer, today) -> None:
    wanted = make_wanted(
        specs={"voltage_kv": [10.0], "capacity_kva": [315.0, 500.0]},
        district_code=None,
    )
    result = score(wanted, make_offer(), today)
    assert summary(result, "zh_CN", keys=("region", "voltage", "rating")) == (
        "电压等级一致 10kV · 额定容量 400kVA 在需求范围 315–500kVA 内 · 同在枣庄市"
    )
    assert summary(result, "en", keys=("voltage", "rating", "region")) == (
        "Voltage level matches: 10 kV · Rated capacity 400 kVA, within the wanted "
        "315–500 kVA · Both in Zaozhuang"
    )


def test_every_phrase_of_a_good_match(make_wanted, make_offer, today) -> None:
    result = score(make_wanted(), make_offer(), today)
    assert explain(result, "zh_CN") == [
        "电压等级一致 10kV",
        "同为油浸式配电变压器",
        "额定容量 400kVA 在需求范围 300–500kVA 内",
        "数量满足：可供3台，求购2台",
        "价格 ¥28,000/台 在预算 ¥30,000/台 内",
        "成色九成新，不低于要求的八成新",
        "同在枣庄市",
        "均为近14天内发布",
        "附试验报告，卖方已认证",
    ]
    assert explain(result, "en") == [
        "Voltage level matches: 10 kV",
        "Same category: Oil-immersed distribution transformer",
        "Rated capacity 400 kVA, within the wanted 300–500 kVA",
        "Enough quantity: 3 units offered, 2 units wanted",
        "Price ¥28,000/unit, within the budget of ¥30,000/unit",
        "Condition: Good (about 90% of new); minimum accepted: Fair (about 80% of new)",
        "Both in Zaozhuang",
        "Both posted within the last 14 days",
        "Test report attached; seller verified",
    ]
    assert summary(result, "zh_CN").count(" · ") == 8


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("zh_CN", "同在枣庄市"),
        ("zh-CN", "同在枣庄市"),
        ("zh_Hant_TW", "同在枣庄市"),
        ("ZH", "同在枣庄市"),
        ("en", "Both in Zaozhuang"),
        ("en_US", "Both in Zaozhuang"),
        ("fr", "Both in Zaozhuang"),
    ],
)
def test_chinese_for_zh_locales_english_otherwise(
    make_wanted, make_offer, today, locale, expected
) -> None:
    result = score(make_wanted(), make_offer(), today)
    assert summary(result, locale, keys=["region"]) == expected


def test_voltage_phrases(make_wanted, make_offer, today) -> None:
    wrong = make_offer(specs={"voltage_kv": 6.0, "capacity_kva": 400.0})
    two_levels = make_wanted(specs={"voltage_kv": [10.0, 35.0]})
    assert phrases(two_levels, wrong, today, "voltage") == (
        "电压等级不符：求购 10kV/35kV，出售 6kV",
        "Voltage level differs: 10 kV/35 kV wanted, 6 kV offered",
    )
    silent_offer = make_offer(specs={"capacity_kva": 400.0})
    assert phrases(make_wanted(), silent_offer, today, "voltage") == (
        "出售信息未注明电压等级",
        "Voltage level not stated in the offer",
    )
    silent_buyer = make_wanted(specs={})
    assert phrases(silent_buyer, silent_offer, today, "voltage") == (
        "求购信息未注明电压等级",
        "Voltage level not stated in the wanted post",
    )


def test_category_phrases(make_wanted, make_offer, today) -> None:
    sibling = make_offer(category_slug="box_substation")
    assert phrases(make_wanted(), sibling, today, "category") == (
        "同属变压器：求购油浸式配电变压器，出售箱式变电站",
        "Related category (Transformers): Oil-immersed distribution transformer "
        "wanted, Box-type substation offered",
    )
    stranger = make_offer(category_slug="diesel_genset")
    assert phrases(make_wanted(), stranger, today, "category") == (
        "类别不同：求购油浸式配电变压器，出售柴油发电机组",
        "Different category: Oil-immersed distribution transformer wanted, "
        "Diesel generator set offered",
    )


@pytest.mark.parametrize(
    ("bounds", "value", "zh", "en"),
    [
        (
            [400.0, 630.0], 315.0,
            "额定容量 315kVA 略低于需求范围 400–630kVA",
            "Rated capacity 315 kVA, just below the wanted 400–630 kVA",
        ),
        (
            [400.0, 500.0], 600.0,
            "额定容量 600kVA 略高于需求范围 400–500kVA",
            "Rated capacity 600 kVA, just above the wanted 400–500 kVA",
        ),
        (
            [400.0, 500.0], 1000.0,
            "额定容量 1000kVA 不在需求范围 400–500kVA 内",
            "Rated capacity 1000 kVA, outside the wanted 400–500 kVA",
        ),
        (
            [400.0, None], 1000.0,
            "额定容量 1000kVA 在需求范围 ≥400kVA 内",
            "Rated capacity 1000 kVA, within the wanted ≥ 400 kVA",
        ),
        (
            [None, 500.0], 315.0,
            "额定容量 315kVA 在需求范围 ≤500kVA 内",
            "Rated capacity 315 kVA, within the wanted ≤ 500 kVA",
        ),
        (
            [630.0, 630.0], 630.0,
            "额定容量 630kVA 在需求范围 630kVA 内",
            "Rated capacity 630 kVA, within the wanted 630 kVA",
        ),
    ],
)  # fmt: skip
def test_rating_phrases(make_wanted, make_offer, today, bounds, value, zh, en) -> None:
    wanted = make_wanted(specs={"voltage_kv": [10.0], "capacity_kva": bounds})
    offer = make_offer(specs={"voltage_kv": 10.0, "capacity_kva": value})
    assert phrases(wanted, offer, today, "rating") == (zh, en)


def test_rating_phrases_use_the_spec_label_and_unit(
    make_wanted, make_offer, today
) -> None:
    wanted = make_wanted(
        category_slug="mv_power_cable",
        specs={"voltage_kv": [10.0], "cross_section_mm2": [185.0, 300.0]},
        unit="metre",
    )
    offer = make_offer(
        category_slug="mv_power_cable",
        specs={"voltage_kv": 10.0, "cross_section_mm2": 240.0},
        unit="metre",
    )
    assert phrases(wanted, offer, today, "rating") == (
        "截面 240mm² 在需求范围 185–300mm² 内",
        "Cross-section 240 mm², within the wanted 185–300 mm²",
    )


def test_rating_phrases_when_unstated(make_wanted, make_offer, today) -> None:
    silent_offer = make_offer(specs={"voltage_kv": 10.0})
    assert phrases(make_wanted(), silent_offer, today, "rating") == (
        "出售信息未注明额定容量",
        "Rated capacity not stated in the offer",
    )
    silent_buyer = make_wanted(specs={"voltage_kv": [10.0]})
    assert phrases(silent_buyer, make_offer(), today, "rating") == (
        "求购信息未注明额定容量",
        "Rated capacity not stated in the wanted post",
    )


def test_quantity_phrases(make_wanted, make_offer, today) -> None:
    part_of_it = make_wanted(quantity=4.0)
    assert phrases(part_of_it, make_offer(quantity=1.0), today, "quantity") == (
        "数量部分满足：可供1台，求购4台",
        "Part of the quantity: 1 unit offered, 4 units wanted",
    )
    cable = make_wanted(quantity=1000.0, unit="metre")
    drums = make_offer(quantity=2.5, unit="drum")
    assert phrases(cable, drums, today, "quantity") == (
        "数量单位不同：可供2.5盘，求购1000米",
        "Quantities in different units: 2.5 drums offered, 1000 metres wanted",
    )


@pytest.mark.parametrize(
    ("budget", "price", "unit", "zh", "en"),
    [
        (
            30000.0, 32400.0, "unit",
            "价格 ¥32,400/台 略超预算 ¥30,000/台（+8%）",
            "Price ¥32,400/unit, slightly over the budget of ¥30,000/unit (+8%)",
        ),
        (
            30000.0, 36000.0, "unit",
            "价格 ¥36,000/台 超出预算 ¥30,000/台（+20%）",
            "Price ¥36,000/unit, over the budget of ¥30,000/unit (+20%)",
        ),
        (
            30000.0, 28000.5, "unit",
            "价格 ¥28,000.50/台 在预算 ¥30,000/台 内",
            "Price ¥28,000.50/unit, within the budget of ¥30,000/unit",
        ),
        (
            30000.0, 28000.0, "set",
            "计价单位不同：价格 ¥28,000/套，预算 ¥30,000/台",
            "Priced in different units: ¥28,000/set against a budget of ¥30,000/unit",
        ),
        (
            30000.0, None, "unit",
            "出售方价格面议",
            "Price negotiable (not stated in the offer)",
        ),
        (
            None, 28000.0, "unit",
            "求购方预算面议",
            "Budget negotiable (not stated in the wanted post)",
        ),
        (None, None, "unit", "价格与预算均为面议", "Price and budget both negotiable"),
    ],
)  # fmt: skip
def test_price_phrases(
    make_wanted, make_offer, today, budget, price, unit, zh, en
) -> None:
    wanted = make_wanted(price_cny=budget)
    offer = make_offer(price_cny=price, unit=unit)
    assert phrases(wanted, offer, today, "price") == (zh, en)


def test_price_phrases_mention_a_negotiable_price(
    make_wanted, make_offer, today
) -> None:
    offer = make_offer(price_cny=36000.0, negotiable=True)
    assert phrases(make_wanted(), offer, today, "price") == (
        "价格 ¥36,000/台 略超预算 ¥30,000/台（+20%），可议价",
        "Price ¥36,000/unit, slightly over the budget of ¥30,000/unit (+20%); "
        "negotiable",
    )
    over = make_offer(price_cny=40000.0, negotiable=True)
    assert phrases(make_wanted(), over, today, "price") == (
        "价格 ¥40,000/台 超出预算 ¥30,000/台（+33.3%），可议价",
        "Price ¥40,000/unit, over the budget of ¥30,000/unit (+33.3%); negotiable",
    )


@pytest.mark.parametrize(
    ("minimum", "grade", "zh", "en"),
    [
        (
            "grade_80", "serviceable",
            "成色可正常使用，比要求的八成新低一档",
            "Condition: Serviceable, one grade below the minimum accepted: "
            "Fair (about 80% of new)",
        ),
        (
            "grade_90", "needs_repair",
            "成色需维修/带缺陷，低于要求的九成新",
            "Condition: Needs repair, below the minimum accepted: "
            "Good (about 90% of new)",
        ),
        (
            None, "scrap",
            "成色报废/拆解(按废料)，求购方不限成色",
            "Condition: Scrap (material value); any condition accepted",
        ),
        ("grade_80", None, "出售信息未注明成色", "Condition not stated in the offer"),
    ],
)  # fmt: skip
def test_condition_phrases(
    make_wanted, make_offer, today, minimum, grade, zh, en
) -> None:
    wanted = make_wanted(condition_grade=minimum)
    offer = make_offer(condition_grade=grade)
    assert phrases(wanted, offer, today, "condition") == (zh, en)


@pytest.mark.parametrize(
    ("wanted_place", "offer_place", "zh", "en"),
    [
        (
            ("370000", "370400", "370481"), ("370000", "370400", "370481"),
            "同在枣庄市滕州市",
            # Districts have no English names in the region data.
            "Same district: 滕州市, Zaozhuang",
        ),
        (
            ("370000", "370400", "370481"), ("370000", "370100", None),
            "同在山东省",
            "Both in Shandong",
        ),
        (
            ("370000", "370400", "370481"), ("320000", "320300", None),
            "分处山东省和江苏省",
            "In different provinces: Shandong and Jiangsu",
        ),
        (
            # Beijing's districts sit where a province's cities do.
            ("110000", "110101", None), ("110000", "110101", None),
            "同在东城区",
            "Both in Dongcheng",
        ),
        (("370000", "370400", None), ("", "", None), "所在地区不详", "Location unknown"),
    ],
)  # fmt: skip
def test_region_phrases(
    make_wanted, make_offer, today, wanted_place, offer_place, zh, en
) -> None:
    province, city, district = wanted_place
    wanted = make_wanted(province_code=province, city_code=city, district_code=district)
    province, city, district = offer_place
    offer = make_offer(province_code=province, city_code=city, district_code=district)
    assert phrases(wanted, offer, today, "region") == (zh, en)


def test_freshness_phrases(make_wanted, make_offer, today) -> None:
    old = make_wanted(published_at=datetime(2025, 4, 10, 2, tzinfo=timezone.utc))
    assert phrases(old, make_offer(), today, "freshness") == (
        "较早的一条已发布52天",
        "The older post is 52 days old",
    )
    unpublished = make_offer(published_at=None)
    assert phrases(make_wanted(), unpublished, today, "freshness") == (
        "发布时间不详",
        "Publication date unknown",
    )


@pytest.mark.parametrize(
    ("report", "verified", "zh", "en"),
    [
        (True, False, "附试验报告，卖方未认证", "Test report attached; seller not verified"),
        (False, True, "无试验报告，卖方已认证", "No test report; seller verified"),
        (False, False, "无试验报告，卖方未认证", "No test report; seller not verified"),
    ],
)
def test_evidence_phrases(
    make_wanted, make_offer, today, report, verified, zh, en
) -> None:
    offer = make_offer(has_test_report=report, seller_verified=verified)
    assert phrases(make_wanted(), offer, today, "evidence") == (zh, en)
