"""Tests for the GB/T 2260 region data and lookups."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterator
from importlib.resources import files

import pytest

from market.domain.regions import (
    Region,
    full_name,
    get_region,
    list_children,
    list_provinces,
    region_path,
    validate_region,
)

MUNICIPALITIES = {"110000", "120000", "310000", "500000"}


def _raw() -> list[dict]:
    text = (files("market.domain") / "data" / "regions.json").read_text("utf-8")
    return json.loads(text)


def _walk(nodes: list[dict], depth: int = 1) -> Iterator[tuple[dict, int]]:
    for node in nodes:
        yield node, depth
        yield from _walk(node.get("children", []), depth + 1)


def _all_regions() -> list[Region]:
    out: list[Region] = []
    for province in list_provinces():
        out.append(province)
        for city in list_children(province.code):
            out.append(city)
            out.extend(list_children(city.code))
    return out


def _codes(parent: str) -> list[str]:
    return [r.code for r in list_children(parent)]


def test_31_provinces_each_with_children() -> None:
    provinces = list_provinces()
    assert len(provinces) == 31
    assert all(p.level == 1 and p.parent_code is None for p in provinces)
    for province in provinces:
        assert list_children(province.code), province.name


def test_codes_are_six_digits_and_unique() -> None:
    codes = [node["code"] for node, _ in _walk(_raw())]
    assert all(re.fullmatch(r"\d{6}", code) for code in codes)
    assert len(codes) == len(set(codes))
    assert len(codes) == len(_all_regions())


def test_depth_is_at_most_three() -> None:
    assert max(depth for _, depth in _walk(_raw())) == 3


def test_child_codes_share_the_parent_prefix() -> None:
    for province in list_provinces():
        for city in list_children(province.code):
            assert city.code[:2] == province.code[:2]
            assert city.parent_code == province.code and city.level == 2
            for district in list_children(city.code):
                assert district.level == 3 and district.parent_code == city.code
                if city.code.endswith("00"):
                    assert district.code[:4] == city.code[:4]


def test_no_aggregate_or_statistical_only_entries() -> None:
    names = {r.name for r in _all_regions()}
    assert not names & {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}
    for code in ("110100", "120100", "310100", "500100", "500200", "419000"):
        assert get_region(code) is None
    # Development zones such as 370471 only exist in the statistics bureau's codes.
    for region in _all_regions():
        if region.level == 3:
            assert region.code[4] != "7", region
    assert get_region("370471") is None


def test_names_en_for_provinces_and_cities() -> None:
    for region in _all_regions():
        if region.level < 3:
            assert re.fullmatch(r"[A-Z][a-zü']+", region.name_en), region
    assert get_region("370000").name_en == "Shandong"
    assert get_region("370400").name_en == "Zaozhuang"
    assert get_region("610000").name_en == "Shaanxi"
    assert get_region("140000").name_en == "Shanxi"
    assert get_region("610100").name_en == "Xi'an"
    assert get_region("110105").name_en == "Chaoyang"


def test_prefecture_level_total() -> None:
    prefectures = [r for r in _all_regions() if r.level == 2 and r.code.endswith("00")]
    # 333 prefecture-level divisions since Laiwu was merged into Jinan in 2019.
    assert len(prefectures) == 333


def test_shandong_cities() -> None:
    expected = [f"37{n:02d}00" for n in range(1, 18) if n != 12]
    assert _codes("370000") == expected
    assert get_region("371200") is None
    assert get_region("371202") is None


def test_zaozhuang_districts() -> None:
    assert [(r.code, r.name) for r in list_children("370400")] == [
        ("370402", "市中区"),
        ("370403", "薛城区"),
        ("370404", "峄城区"),
        ("370405", "台儿庄区"),
        ("370406", "山亭区"),
        ("370481", "滕州市"),
    ]


def test_every_shandong_city_has_districts() -> None:
    counts = {
        city.name: len(list_children(city.code)) for city in list_children("370000")
    }
    assert counts == {
        "济南市": 12,
        "青岛市": 10,
        "淄博市": 8,
        "枣庄市": 6,
        "东营市": 5,
        "烟台市": 11,
        "潍坊市": 12,
        "济宁市": 11,
        "泰安市": 6,
        "威海市": 4,
        "日照市": 4,
        "临沂市": 12,
        "德州市": 11,
        "聊城市": 8,
        "滨州市": 7,
        "菏泽市": 9,
    }
    assert sum(counts.values()) == 136


@pytest.mark.parametrize(
    ("code", "name", "parent"),
    [
        ("370113", "长清区", "370100"),
        ("370114", "章丘区", "370100"),
        ("370115", "济阳区", "370100"),
        ("370116", "莱芜区", "370100"),
        ("370117", "钢城区", "370100"),
        ("370215", "即墨区", "370200"),
        ("370505", "垦利区", "370500"),
        ("370614", "蓬莱区", "370600"),
        ("370812", "兖州区", "370800"),
        ("370923", "东平县", "370900"),
        ("371003", "文登区", "371000"),
        ("371403", "陵城区", "371400"),
        ("371503", "茌平区", "371500"),
        ("371603", "沾化区", "371600"),
        ("371681", "邹平市", "371600"),
        ("371703", "定陶区", "371700"),
    ],
)
def test_shandong_current_districts(code: str, name: str, parent: str) -> None:
    region = get_region(code)
    assert region is not None
    assert (region.name, region.parent_code, region.level) == (name, parent, 3)


@pytest.mark.parametrize(
    "gone",
    ["370634", "370684", "371523", "370181", "370125", "370521", "371421"],
)
def test_abolished_shandong_codes_absent(gone: str) -> None:
    # 长岛县 and 蓬莱市 (merged into 蓬莱区 in 2020), 茌平县, 章丘市, 济阳县, 垦利县
    # and 陵县 all became districts under new codes.
    assert get_region(gone) is None


@pytest.mark.parametrize(
    ("province", "count"),
    [
        ("440000", 21),
        ("510000", 21),
        ("130000", 11),
        ("320000", 13),
        ("370000", 16),
        ("540000", 7),
        ("460000", 19),
        ("420000", 17),
    ],
)
def test_second_level_counts(province: str, count: int) -> None:
    assert len(list_children(province)) == count


def test_xinjiang_mixes_prefecture_kinds() -> None:
    names = [r.name for r in list_children("650000")]
    assert "乌鲁木齐市" in names
    assert any(n.endswith("地区") for n in names)
    assert any(n.endswith("自治州") for n in names)
    assert "石河子市" in names and "白杨市" in names
    assert get_region("659001").level == 2


def test_inner_mongolia_has_leagues() -> None:
    names = [r.name for r in list_children("150000")]
    assert {"兴安盟", "锡林郭勒盟", "阿拉善盟"} <= set(names)


def test_municipalities_list_districts_directly() -> None:
    assert [r.code for r in list_children("110000")][:2] == ["110101", "110102"]
    assert len(list_children("110000")) == 16
    assert len(list_children("310000")) == 16
    assert len(list_children("120000")) == 16
    chongqing = _codes("500000")
    assert len(chongqing) == 38
    assert "500101" in chongqing and "500229" in chongqing
    for code in MUNICIPALITIES:
        for district in list_children(code):
            assert not list_children(district.code)


def test_province_administered_county_units() -> None:
    for code, name, parent in [
        ("429004", "仙桃市", "420000"),
        ("429021", "神农架林区", "420000"),
        ("419001", "济源市", "410000"),
        ("469001", "五指山市", "460000"),
        ("659001", "石河子市", "650000"),
    ]:
        region = get_region(code)
        assert region == Region(code, name, region.name_en, 2, parent)
        assert list_children(code) == []


def test_region_is_frozen() -> None:
    region = get_region("370400")
    with pytest.raises(dataclasses.FrozenInstanceError):
        region.name = "x"  # type: ignore[misc]


def test_lookup_misses() -> None:
    assert get_region("999999") is None
    assert get_region("") is None
    assert list_children("999999") == []
    assert list_children("370481") == []
    assert region_path("999999") == []
    assert full_name("999999") == ""


def test_list_results_are_fresh_copies() -> None:
    list_provinces().clear()
    list_children("370000").clear()
    assert len(list_provinces()) == 31
    assert len(list_children("370000")) == 16


def test_region_path() -> None:
    assert [r.code for r in region_path("370481")] == ["370000", "370400", "370481"]
    assert [r.code for r in region_path("370400")] == ["370000", "370400"]
    assert [r.code for r in region_path("370000")] == ["370000"]
    assert [r.code for r in region_path("110101")] == ["110000", "110101"]


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("370481", "山东省枣庄市滕州市"),
        ("370116", "山东省济南市莱芜区"),
        ("370400", "山东省枣庄市"),
        ("370000", "山东省"),
        ("110101", "北京市东城区"),
        ("500229", "重庆市城口县"),
        ("429004", "湖北省仙桃市"),
        ("441900", "广东省东莞市"),
    ],
)
def test_full_name(code: str, expected: str) -> None:
    assert full_name(code) == expected


@pytest.mark.parametrize(
    ("province", "city", "district", "expected"),
    [
        ("370000", "370400", "370481", None),
        ("370000", "370100", "370116", None),
        ("110000", "110101", None, None),
        ("110000", "110101", "", None),
        ("500000", "500229", None, None),
        ("440000", "441900", None, None),
        ("420000", "429004", None, None),
        ("999999", "370400", "370481", "unknown_province"),
        ("370400", "370481", None, "unknown_province"),
        ("", "370400", "370481", "unknown_province"),
        ("370000", "999900", None, "unknown_city"),
        ("370000", "370000", None, "unknown_city"),
        ("370000", "370481", None, "unknown_city"),
        ("320000", "370400", "370481", "city_not_in_province"),
        ("370000", "370400", None, "district_required"),
        ("370000", "370400", "", "district_required"),
        ("370000", "370400", "370499", "unknown_district"),
        ("370000", "370400", "370400", "unknown_district"),
        ("370000", "370400", "370116", "district_not_in_city"),
        ("110000", "110101", "370481", "district_not_in_city"),
        ("110000", "110101", "110102", "unknown_district"),
    ],
)
def test_validate_region(
    province: str, city: str, district: str | None, expected: str | None
) -> None:
    assert validate_region(province, city, district) == expected
