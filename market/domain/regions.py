"""Administrative divisions of mainland China (GB/T 2260 codes) for address forms."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from typing import Any

__all__ = [
    "Region",
    "full_name",
    "get_region",
    "list_children",
    "list_provinces",
    "region_path",
    "validate_region",
]


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    name_en: str
    level: int  # 1 province, 2 city (or municipal district), 3 district/county
    parent_code: str | None


@dataclass(frozen=True)
class _Index:
    by_code: dict[str, Region]
    children: dict[str, tuple[str, ...]]
    provinces: tuple[str, ...]


# regions.json was generated from the statistics bureau's 2023 division codes (as of
# 2023-06-30) after dropping units that exist only for statistics (development
# zones coded xx7x, the Da Hinggan Ling forestry districts, Sansha's island groups,
# Da Qaidam); "市辖区"/"县" placeholders are flattened so that municipalities and
# province-administered county-level units sit directly on the second level.
# Third-level entries carry no name_en.
@lru_cache(maxsize=1)
def _index() -> _Index:
    raw = (files("market.domain") / "data" / "regions.json").read_text(encoding="utf-8")
    by_code: dict[str, Region] = {}
    children: dict[str, tuple[str, ...]] = {}

    def add(node: dict[str, Any], level: int, parent: str | None) -> str:
        code: str = node["code"]
        if code in by_code:
            raise ValueError(f"duplicate region code {code} in regions.json")
        by_code[code] = Region(
            code=code,
            name=node["name"],
            name_en=node.get("name_en", ""),
            level=level,
            parent_code=parent,
        )
        kids = node.get("children") or []
        if kids:
            children[code] = tuple(add(kid, level + 1, code) for kid in kids)
        return code

    provinces = tuple(add(node, 1, None) for node in json.loads(raw))
    return _Index(by_code=by_code, children=children, provinces=provinces)


def get_region(code: str) -> Region | None:
    return _index().by_code.get(code)


def list_provinces() -> list[Region]:
    index = _index()
    return [index.by_code[code] for code in index.provinces]


def list_children(code: str) -> list[Region]:
    index = _index()
    return [index.by_code[kid] for kid in index.children.get(code, ())]


def region_path(code: str) -> list[Region]:
    """Regions from the province down to ``code`` itself; [] when unknown."""
    index = _index()
    path: list[Region] = []
    current = index.by_code.get(code)
    while current is not None:
        path.append(current)
        current = index.by_code[current.parent_code] if current.parent_code else None
    path.reverse()
    return path


def full_name(code: str) -> str:
    """Chinese postal-style name, e.g. "山东省枣庄市滕州市"; "" when unknown.

    Municipalities come out as "北京市东城区" because their districts are stored
    directly under them rather than under a "市辖区" placeholder.
    """
    return "".join(region.name for region in region_path(code))


def validate_region(province: str, city: str, district: str | None) -> str | None:
    """Check a province/city/district chain from a form.

    Returns None when consistent, else a short reason key. The district is required
    exactly when the city has children; an empty string counts as "not given" because
    that is what an unselected <select> submits.
    """
    index = _index()
    prov = index.by_code.get(province or "")
    if prov is None or prov.level != 1:
        return "unknown_province"
    town = index.by_code.get(city or "")
    if town is None or town.level != 2:
        return "unknown_city"
    if town.parent_code != prov.code:
        return "city_not_in_province"
    if not district:
        return "district_required" if index.children.get(town.code) else None
    area = index.by_code.get(district)
    if area is None or area.level != 3:
        return "unknown_district"
    if area.parent_code != town.code:
        return "district_not_in_city"
    return None
