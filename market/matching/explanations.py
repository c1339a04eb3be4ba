"""Put a MatchResult into words: one short phrase per component, in zh or en.

Pure code like scoring.py. Labels come from market.domain, and the language is
picked the way the domain does it: Chinese for zh locales, English otherwise.
Quantities keep the domain's numbers and units, written the Chinese way
("400kVA", "315–500kVA") in Chinese and with a space ("400 kVA") in English.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from market.domain.categories import SPEC_FIELDS, get_category
from market.domain.conditions import get_grade, get_quantity_unit
from market.domain.regions import get_region
from market.domain.units import format_number, format_quantity
from market.matching.scoring import FRESH_DAYS, Component, MatchResult, Outcome

__all__ = ["SEPARATOR", "explain", "summary"]

SEPARATOR = " · "

_MET = Outcome.MET
_NEAR = Outcome.NEAR
_UNMET = Outcome.UNMET
_UNKNOWN = Outcome.UNKNOWN


def _is_zh(locale: str) -> bool:
    # "zh_CN" from Flask-Babel; "zh-CN" from an Accept-Language header.
    return str(locale).replace("-", "_").lower().startswith("zh")


def explain(result: MatchResult, locale: str) -> list[str]:
    """One short phrase per component of ``result``, in the result's order."""
    zh = _is_zh(locale)
    return [_PHRASES[part.key](part, zh) for part in result.components]


def summary(
    result: MatchResult, locale: str, keys: Iterable[str] | None = None
) -> str:
    """The phrases joined with " · ". ``keys`` keeps only those components, in the
    result's order (a notification might want just voltage, rating and region)."""
    zh = _is_zh(locale)
    wanted = None if keys is None else set(keys)
    return SEPARATOR.join(
        _PHRASES[part.key](part, zh)
        for part in result.components
        if wanted is None or part.key in wanted
    )


# --- numbers ---


def _amount(value: float, unit: str, zh: bool) -> str:
    text = format_quantity(value, unit)
    # Chinese writes the unit against the number: 10kV, 400kVA.
    return text.replace(" ", "") if zh else text


def _range(low: float | None, high: float | None, unit: str, zh: bool) -> str:
    if low is not None and high is not None:
        if low == high:
            return _amount(low, unit, zh)
        return f"{format_number(low)}–{_amount(high, unit, zh)}"
    if low is not None:
        return ("≥" if zh else "≥ ") + _amount(low, unit, zh)
    assert high is not None
    return ("≤" if zh else "≤ ") + _amount(high, unit, zh)


def _levels(levels: tuple[float, ...], zh: bool) -> str:
    return "/".join(_amount(level, "kV", zh) for level in levels)


def _count(number: float, unit: str, zh: bool) -> str:
    found = get_quantity_unit(unit)
    shown = format_number(number)
    if found is None:
        return f"{shown}{unit}" if zh else f"{shown} {unit}"
    if zh:
        return f"{shown}{found.zh}"
    return f"{shown} {found.en}" + ("" if number == 1 else "s")


def _money(amount: float) -> str:
    # As listings.presentation.money shows prices: ¥28,000 or ¥28,000.50.
    text = f"¥{amount:,.2f}"
    return text[:-3] if text.endswith(".00") else text


def _per_unit(amount: float, unit: str, zh: bool) -> str:
    found = get_quantity_unit(unit)
    name = (found.zh if zh else found.en) if found else unit
    return f"{_money(amount)}/{name}"


def _percent(share: float) -> str:
    return format_number(round(share * 100, 1)) + "%"


# --- names ---


def _category(slug: str, zh: bool) -> str:
    category = get_category(slug)
    if category is None:
        return slug
    return category.zh if zh else category.en


def _spec_label(key: str, zh: bool) -> str:
    field = SPEC_FIELDS.get(key)
    if field is None:
        return key
    return field.zh if zh else field.en


def _grade(slug: str, zh: bool) -> str:
    grade = get_grade(slug)
    if grade is None:
        return slug
    return grade.zh if zh else grade.en


def _place(code: str | None, zh: bool) -> str:
    region = get_region(code or "")
    if region is None:
        return code or ""
    # Districts carry no English name in regions.json.
    return region.name if zh or not region.name_en else region.name_en


def _missing(side_is_offer: bool, what: str, zh: bool) -> str:
    if zh:
        return ("出售信息未注明" if side_is_offer else "求购信息未注明") + what
    return f"{what} not stated in the " + ("offer" if side_is_offer else "wanted post")


# --- one function per component key ---


def _voltage(part: Component, zh: bool) -> str:
    levels, level = part.required, part.offered
    if part.outcome is _UNKNOWN:
        # The wanted post's silence comes first: without it nothing is compared.
        return _missing(bool(levels), "电压等级" if zh else "Voltage level", zh)
    shown = _amount(level, "kV", zh)
    if part.outcome is _MET:
        return f"电压等级一致 {shown}" if zh else f"Voltage level matches: {shown}"
    wanted = _levels(levels, zh)
    if zh:
        return f"电压等级不符：求购 {wanted}，出售 {shown}"
    return f"Voltage level differs: {wanted} wanted, {shown} offered"


def _category_phrase(part: Component, zh: bool) -> str:
    wanted = _category(part.required, zh)
    offered = _category(part.offered, zh)
    if part.outcome is _MET:
        return f"同为{offered}" if zh else f"Same category: {offered}"
    if part.outcome is _NEAR:
        parent = get_category(part.required)
        family = _category(parent.parent_slug or "", zh) if parent else ""
        if zh:
            return f"同属{family}：求购{wanted}，出售{offered}"
        return f"Related category ({family}): {wanted} wanted, {offered} offered"
    if zh:
        return f"类别不同：求购{wanted}，出售{offered}"
    return f"Different category: {wanted} wanted, {offered} offered"


def _rating(part: Component, zh: bool) -> str:
    key = part.spec or ""
    label = _spec_label(key, zh)
    (low, high), value = part.required, part.offered
    if part.outcome is _UNKNOWN:
        return _missing(low is not None or high is not None, label, zh)
    unit = SPEC_FIELDS[key].unit or ""
    shown = _amount(value, unit, zh)
    wanted = _range(low, high, unit, zh)
    if part.outcome is _MET:
        if zh:
            return f"{label} {shown} 在需求范围 {wanted} 内"
        return f"{label} {shown}, within the wanted {wanted}"
    if part.outcome is _NEAR:
        below = low is not None and value < low
        if zh:
            return f"{label} {shown} {'略低于' if below else '略高于'}需求范围 {wanted}"
        side = "below" if below else "above"
        return f"{label} {shown}, just {side} the wanted {wanted}"
    if zh:
        return f"{label} {shown} 不在需求范围 {wanted} 内"
    return f"{label} {shown}, outside the wanted {wanted}"


def _quantity(part: Component, zh: bool) -> str:
    wanted = _count(*part.required, zh)
    offered = _count(*part.offered, zh)
    if zh:
        lead = {
            _MET: "数量满足",
            _NEAR: "数量部分满足",
            _UNMET: "数量不足",
            _UNKNOWN: "数量单位不同",
        }[part.outcome]
        return f"{lead}：可供{offered}，求购{wanted}"
    lead = {
        _MET: "Enough quantity",
        _NEAR: "Part of the quantity",
        _UNMET: "Not enough quantity",
        _UNKNOWN: "Quantities in different units",
    }[part.outcome]
    return f"{lead}: {offered} offered, {wanted} wanted"


def _price(part: Component, zh: bool) -> str:
    budget, wanted_unit, wanted_negotiable = part.required
    price, unit, negotiable = part.offered
    if budget is None and price is None:
        return "价格与预算均为面议" if zh else "Price and budget both negotiable"
    if price is None:
        return "出售方价格面议" if zh else "Price negotiable (not stated in the offer)"
    if budget is None:
        if zh:
            return "求购方预算面议"
        return "Budget negotiable (not stated in the wanted post)"
    shown = _per_unit(price, unit, zh)
    limit = _per_unit(budget, wanted_unit, zh)
    if part.outcome is _UNKNOWN:
        if zh:
            return f"计价单位不同：价格 {shown}，预算 {limit}"
        return f"Priced in different units: {shown} against a budget of {limit}"
    if part.outcome is _MET:
        if zh:
            return f"价格 {shown} 在预算 {limit} 内"
        return f"Price {shown}, within the budget of {limit}"
    over = _percent((price - budget) / budget) if budget else ""
    extra = f"（+{over}）" if zh and over else f" (+{over})" if over else ""
    if negotiable or wanted_negotiable:
        extra += "，可议价" if zh else "; negotiable"
    if part.outcome is _NEAR:
        if zh:
            return f"价格 {shown} 略超预算 {limit}{extra}"
        return f"Price {shown}, slightly over the budget of {limit}{extra}"
    if zh:
        return f"价格 {shown} 超出预算 {limit}{extra}"
    return f"Price {shown}, over the budget of {limit}{extra}"


def _condition(part: Component, zh: bool) -> str:
    minimum, grade = part.required, part.offered
    if part.outcome is _UNKNOWN:
        return _missing(True, "成色" if zh else "Condition", zh)
    shown = _grade(grade, zh)
    if minimum is None:
        if zh:
            return f"成色{shown}，求购方不限成色"
        return f"Condition: {shown}; any condition accepted"
    wanted = _grade(minimum, zh)
    if part.outcome is _MET:
        if zh:
            return f"成色{shown}，不低于要求的{wanted}"
        return f"Condition: {shown}; minimum accepted: {wanted}"
    if part.outcome is _NEAR:
        if zh:
            return f"成色{shown}，比要求的{wanted}低一档"
        return f"Condition: {shown}, one grade below the minimum accepted: {wanted}"
    if zh:
        return f"成色{shown}，低于要求的{wanted}"
    return f"Condition: {shown}, below the minimum accepted: {wanted}"


def _region(part: Component, zh: bool) -> str:
    province, city, district = part.required
    offer_province, offer_city, offer_district = part.offered
    if part.outcome is _UNKNOWN:
        return "所在地区不详" if zh else "Location unknown"
    if district and district == offer_district:
        if zh:
            return f"同在{_place(city, zh)}{_place(district, zh)}"
        return f"Same district: {_place(district, zh)}, {_place(city, zh)}"
    if city and city == offer_city:
        return f"同在{_place(city, zh)}" if zh else f"Both in {_place(city, zh)}"
    if province == offer_province:
        shown = _place(province, zh)
        return f"同在{shown}" if zh else f"Both in {shown}"
    wanted, offered = _place(province, zh), _place(offer_province, zh)
    if zh:
        return f"分处{wanted}和{offered}"
    return f"In different provinces: {wanted} and {offered}"


def _freshness(part: Component, zh: bool) -> str:
    age = part.offered
    if part.outcome is _UNKNOWN:
        return "发布时间不详" if zh else "Publication date unknown"
    if part.outcome is _MET:
        if zh:
            return f"均为近{FRESH_DAYS}天内发布"
        return f"Both posted within the last {FRESH_DAYS} days"
    return f"较早的一条已发布{age}天" if zh else f"The older post is {age} days old"


def _evidence(part: Component, zh: bool) -> str:
    report, verified = part.offered
    if zh:
        return ("附试验报告" if report else "无试验报告") + (
            "，卖方已认证" if verified else "，卖方未认证"
        )
    return ("Test report attached" if report else "No test report") + (
        "; seller verified" if verified else "; seller not verified"
    )


_PHRASES: dict[str, Callable[[Component, bool], str]] = {
    "voltage": _voltage,
    "category": _category_phrase,
    "rating": _rating,
    "quantity": _quantity,
    "price": _price,
    "condition": _condition,
    "region": _region,
    "freshness": _freshness,
    "evidence": _evidence,
}
