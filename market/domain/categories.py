"""The two-level equipment taxonomy and the spec fields its listings carry."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from typing import Any

from market.domain.units import (
    VOLTAGE_LEVELS,
    UnitError,
    format_number,
    format_quantity,
    nearest_voltage_level,
    normalize_text,
    parse_quantity,
)

__all__ = [
    "SPEC_FIELDS",
    "Category",
    "Choice",
    "SpecField",
    "all_leaf_categories",
    "family_of",
    "find_by_name",
    "format_spec",
    "get_category",
    "get_spec_field",
    "list_children",
    "list_top_levels",
    "parse_spec",
    "spec_input_value",
]

SpecValue = float | str


def _pick(zh: str, en: str, locale: str) -> str:
    # "zh_CN" from Flask-Babel; "zh-CN" from an Accept-Language header.
    return zh if str(locale).replace("-", "_").lower().startswith("zh") else en


@dataclass(frozen=True)
class Choice:
    value: SpecValue
    zh: str
    en: str

    def label(self, locale: str) -> str:
        return _pick(self.zh, self.en, locale)


@dataclass(frozen=True)
class SpecField:
    key: str
    zh: str
    en: str
    unit: str | None  # a units.CANONICAL_UNITS entry for numbers, else None
    kind: str  # "number", "choice" or "text"
    choices: tuple[Choice, ...] = ()
    integer: bool = False

    def label(self, locale: str) -> str:
        return _pick(self.zh, self.en, locale)

    def choice(self, value: SpecValue) -> Choice | None:
        return next((c for c in self.choices if c.value == value), None)


def _number(key: str, zh: str, en: str, unit: str, integer: bool = False) -> SpecField:
    return SpecField(key, zh, en, unit, "number", integer=integer)


_VOLTAGE_CHOICES = tuple(
    Choice(level, format_quantity(level, "kV"), format_quantity(level, "kV"))
    for level in VOLTAGE_LEVELS
)
_METAL = (Choice("cu", "铜", "Copper"), Choice("al", "铝", "Aluminium"))

SPEC_FIELDS: dict[str, SpecField] = {
    field.key: field
    for field in (
        # The system's nominal level, so that Um-rated gear (KYN28A-12) and a 10 kV
        # transformer land in the same search bucket; the Um stays in the model.
        SpecField("voltage_kv", "电压等级", "Voltage level", "kV", "choice",
                  _VOLTAGE_CHOICES),
        _number("capacity_kva", "额定容量", "Rated capacity", "kVA"),
        _number("lv_kv", "低压侧额定电压", "LV rated voltage", "kV"),
        SpecField("winding_material", "绕组材质", "Winding material", None, "choice",
                  _METAL),
        _number("rated_current_a", "额定电流", "Rated current", "A"),
        _number("breaking_current_ka", "额定短路开断电流",
                "Rated short-circuit breaking current", "kA"),
        # What load switches, disconnectors and load-switch RMUs print where a
        # breaker prints its breaking current: they cannot break a fault.
        _number("short_time_current_ka", "额定短时耐受电流",
                "Rated short-time withstand current", "kA"),
        SpecField("ratio", "变比", "Ratio", None, "text"),
        _number("cores", "芯数", "Cores", "", integer=True),
        _number("cross_section_mm2", "截面", "Cross-section", "mm2"),
        SpecField("conductor", "导体材质", "Conductor", None, "choice",
                  _METAL + (Choice("al_alloy", "铝合金", "Aluminium alloy"),)),
        _number("length_m", "长度", "Length", "m"),
        SpecField("phase", "相数", "Phases", None, "choice",
                  (Choice("1", "单相", "Single-phase"),
                   Choice("3", "三相", "Three-phase"))),
        _number("capacity_kvar", "补偿容量", "Reactive capacity", "kvar"),
        _number("power_kw", "额定功率", "Rated power", "kW"),
        _number("energy_kwh", "储能容量", "Energy capacity", "kWh"),
        _number("capacity_ah", "额定容量(安时)", "Capacity (Ah)", "Ah"),
        _number("nominal_voltage_v", "标称电压", "Nominal voltage", "V"),
        _number("power_wp", "组件功率", "Module power", "Wp"),
        _number("weight_kg", "重量", "Weight", "kg"),
        _number("working_height_m", "作业高度", "Working height", "m"),
    )
}  # fmt: skip


@dataclass(frozen=True)
class Category:
    slug: str
    zh: str
    en: str
    parent_slug: str | None
    aliases: tuple[str, ...]
    spec_keys: tuple[str, ...]  # empty on top levels
    key_spec: str | None  # the one rating matching compares, if any

    def label(self, locale: str) -> str:
        return _pick(self.zh, self.en, locale)

    @property
    def is_top_level(self) -> bool:
        return self.parent_slug is None

    @property
    def spec_fields(self) -> tuple[SpecField, ...]:
        return tuple(SPEC_FIELDS[key] for key in self.spec_keys)


@dataclass(frozen=True)
class _Index:
    by_slug: dict[str, Category]
    children: dict[str, tuple[str, ...]]
    top_levels: tuple[str, ...]
    by_name: dict[str, str]


def _name_key(text: str) -> str:
    # Spreadsheet cells differ in case, width, spacing and bracket style only.
    return "".join(normalize_text(text).split()).casefold()


def _category(node: dict[str, Any], parent: str | None) -> Category:
    spec_keys = tuple(node.get("spec_keys", ()))
    unknown = [key for key in spec_keys if key not in SPEC_FIELDS]
    key_spec = node.get("key_spec")
    if unknown or (key_spec is not None and key_spec not in spec_keys):
        raise ValueError(f"bad spec keys for category {node['slug']}")
    return Category(
        slug=node["slug"],
        zh=node["zh"],
        en=node["en"],
        parent_slug=parent,
        aliases=tuple(node.get("aliases", ())),
        spec_keys=spec_keys,
        key_spec=key_spec,
    )


# categories.json holds the taxonomy of the domain notes (§1). Slugs are unique
# across both levels so a child slug is a complete key on its own, and names and
# aliases are unique too so that find_by_name never has to pick between two.
@lru_cache(maxsize=1)
def _index() -> _Index:
    raw = (files("market.domain") / "data" / "categories.json").read_text("utf-8")
    by_slug: dict[str, Category] = {}
    children: dict[str, tuple[str, ...]] = {}
    by_name: dict[str, str] = {}

    def add(category: Category) -> None:
        if category.slug in by_slug:
            raise ValueError(f"duplicate category slug {category.slug}")
        by_slug[category.slug] = category
        for name in (category.slug, category.zh, category.en, *category.aliases):
            key = _name_key(name)
            if by_name.setdefault(key, category.slug) != category.slug:
                raise ValueError(f"category name {name!r} is used twice")

    tops: list[str] = []
    for node in json.loads(raw):
        top = _category(node, None)
        add(top)
        tops.append(top.slug)
        kids = [_category(kid, top.slug) for kid in node["children"]]
        for kid in kids:
            add(kid)
        children[top.slug] = tuple(kid.slug for kid in kids)
    return _Index(by_slug, children, tuple(tops), by_name)


def get_category(slug: str) -> Category | None:
    return _index().by_slug.get(slug)


def list_top_levels() -> list[Category]:
    index = _index()
    return [index.by_slug[slug] for slug in index.top_levels]


def list_children(slug: str) -> list[Category]:
    index = _index()
    return [index.by_slug[kid] for kid in index.children.get(slug, ())]


def all_leaf_categories() -> list[Category]:
    """Every child category, in tree order."""
    return [kid for top in list_top_levels() for kid in list_children(top.slug)]


def family_of(slug: str) -> str:
    """The top-level slug above ``slug`` (itself for a top level); KeyError if none."""
    category = _index().by_slug[slug]
    return category.parent_slug or category.slug


def find_by_name(text: str) -> Category | None:
    """The category whose slug, zh or en name or alias is ``text``, ignoring case,
    width and spaces; used to read the category column of spreadsheet imports."""
    slug = _index().by_name.get(_name_key(text))
    return get_category(slug) if slug else None


def get_spec_field(key: str) -> SpecField | None:
    return SPEC_FIELDS.get(key)


def _field(key: str) -> SpecField:
    field = SPEC_FIELDS.get(key)
    if field is None:
        raise KeyError(f"unknown spec key {key!r}")
    return field


def parse_spec(key: str, text: str) -> SpecValue:
    """The stored value for what a seller typed into spec field ``key``.

    Numbers go through units.parse_quantity; the voltage level also accepts an Um
    or rated voltage (12 -> 10.0); other choices accept the value or either label.
    Raises UnitError (reasons as parse_quantity, plus invalid_choice, not_integer).
    """
    field = _field(key)
    if field.kind == "text":
        value = " ".join(normalize_text(text).split())
        if not value:
            raise UnitError("empty", text)
        return value
    if field.kind == "number":
        assert field.unit is not None
        number = parse_quantity(text, field.unit)
        if field.integer and not number.is_integer():
            raise UnitError("not_integer", text)
        return number
    if key == "voltage_kv":
        level = nearest_voltage_level(parse_quantity(text, "kV"))
        if level is None:
            raise UnitError("invalid_choice", text)
        return level
    wanted = _name_key(text)
    for choice in field.choices:
        names = (str(choice.value), choice.zh, choice.en)
        if wanted in {_name_key(name) for name in names}:
            return choice.value
    raise UnitError("invalid_choice" if wanted else "empty", text)


def spec_input_value(key: str, value: SpecValue) -> str:
    """``value`` as a form control's value: "400", "0.4", "cu" (no unit)."""
    if isinstance(value, str):
        return value
    return format_number(value)


def format_spec(key: str, value: SpecValue, locale: str) -> str:
    """``value`` for display: "400 kVA", "10 kV", "铜"/"Copper", "3"."""
    field = _field(key)
    if field.kind == "choice":
        choice = field.choice(value)
        return choice.label(locale) if choice else str(value)
    if field.kind == "number" and not isinstance(value, str):
        assert field.unit is not None
        return format_quantity(value, field.unit)
    return str(value)
