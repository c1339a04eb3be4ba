"""Reference prices of new equipment, and what a buyer saves by buying second-hand.

The prices are data (data/new_prices.json, whose "about" header gives the sources
and assumptions): per leaf category either a curve over the category's key rating,
interpolated linearly between its points, or a flat price. Every figure is an
estimate, so anything the table cannot price honestly comes back as None rather
than as a guess.
"""

from __future__ import annotations

import json
import math
from bisect import bisect_left
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from importlib.resources import files
from typing import Any

from market.domain.categories import SPEC_FIELDS, get_category
from market.domain.units import format_number

__all__ = [
    "PriceEntry",
    "Scale",
    "estimate_new_unit_price",
    "estimated_saving",
    "get_price_entry",
    "list_price_entries",
]

CENT = Decimal("0.01")

# What one reference price buys, and the listing units (conditions.QUANTITY_UNITS)
# that count the same thing.
UNITS_BY_BASIS: dict[str, frozenset[str]] = {
    # A 组 of batteries is a string of blocks, not one block, so it has no price.
    "item": frozenset({"unit", "panel", "set", "piece", "block"}),
    "metre": frozenset({"metre"}),
    "tonne": frozenset({"tonne"}),
}

# A deal in this grade buys metal and oil, not the service of new equipment.
SCRAP_GRADE = "scrap"


@dataclass(frozen=True)
class Scale:
    """Price × (spec value / base), e.g. a 4-core cable priced from 3-core points."""

    spec: str
    base: Decimal
    assume: Decimal | None  # used when the offer leaves the spec out


@dataclass(frozen=True)
class PriceEntry:
    slug: str
    per: str | None  # a UNITS_BY_BASIS key; None when unpriced
    rating: str | None
    assume: Decimal | None  # the rating taken when an offer leaves it out
    points: tuple[tuple[Decimal, Decimal], ...]
    price: Decimal | None
    factors: dict[str, dict[str, Decimal]]
    scale: Scale | None
    note: str
    unpriced: str | None  # why there is no new equivalent

    @property
    def is_priced(self) -> bool:
        return self.unpriced is None


def _decimal(value: Any) -> Decimal:
    # Through str() so that 0.4 stays 0.4 and does not become 0.40000000000000002.
    number = Decimal(str(value))
    if not number.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    return number


def _entry(slug: str, node: dict[str, Any]) -> PriceEntry:
    if get_category(slug) is None:
        raise ValueError(f"new_prices.json: unknown category {slug}")
    if "unpriced" in node:
        return PriceEntry(
            slug, None, None, None, (), None, {}, None, "", node["unpriced"]
        )
    per = node["per"]
    if per not in UNITS_BY_BASIS:
        raise ValueError(f"new_prices.json: {slug} has an unknown basis {per!r}")
    rating = node.get("rating")
    assume = _decimal(node["assume"]) if "assume" in node else None
    points = tuple((_decimal(x), _decimal(y)) for x, y in node.get("points", ()))
    price = _decimal(node["price"]) if "price" in node else None
    if (rating is None) == (price is None) or (rating is not None) != bool(points):
        raise ValueError(f"new_prices.json: {slug} needs a rating curve or a price")
    ratings = [x for x, _ in points]
    if any(low >= high for low, high in zip(ratings, ratings[1:])):
        raise ValueError(f"new_prices.json: {slug} ratings must increase")
    if assume is not None and not (ratings and ratings[0] <= assume <= ratings[-1]):
        raise ValueError(f"new_prices.json: {slug} assumes a rating off its curve")
    if any(y <= 0 for _, y in points) or (price is not None and price <= 0):
        raise ValueError(f"new_prices.json: {slug} has a price of zero or less")
    factors = {
        key: {value: _decimal(factor) for value, factor in table.items()}
        for key, table in node.get("factors", {}).items()
    }
    scale = None
    if "scale" in node:
        raw = node["scale"]
        assume = raw.get("assume")
        scale = Scale(
            raw["spec"],
            _decimal(raw["base"]),
            None if assume is None else _decimal(assume),
        )
    for key in (rating, *factors, *([scale.spec] if scale else [])):
        if key is not None and key not in SPEC_FIELDS:
            raise ValueError(f"new_prices.json: {slug} uses unknown spec {key}")
    return PriceEntry(
        slug,
        per,
        rating,
        assume,
        points,
        price,
        factors,
        scale,
        node.get("note", ""),
        None,
    )


@lru_cache(maxsize=1)
def _table() -> dict[str, PriceEntry]:
    raw = (files("market.stats") / "data" / "new_prices.json").read_text("utf-8")
    return {
        slug: _entry(slug, node) for slug, node in json.loads(raw)["categories"].items()
    }


def get_price_entry(category_slug: str) -> PriceEntry | None:
    return _table().get(category_slug)


def list_price_entries() -> list[PriceEntry]:
    return list(_table().values())


def _number(value: Any) -> Decimal | None:
    # Offer specs hold floats for numbers; a wanted post's [low, high] range, a
    # string or a bool is not one rating, so it prices nothing.
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return _decimal(value)


def _interpolate(
    points: tuple[tuple[Decimal, Decimal], ...], x: Decimal
) -> Decimal | None:
    ratings = [rating for rating, _ in points]
    if not ratings[0] <= x <= ratings[-1]:
        return None  # the table knows nothing outside its range
    i = bisect_left(ratings, x)
    x1, y1 = points[i]
    if x == x1:
        return y1
    x0, y0 = points[i - 1]
    return y0 + (y1 - y0) * (x - x0) / (x1 - x0)


def _spec_key(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    number = _number(value)
    return format_number(float(number)) if number is not None else None


def estimate_new_unit_price(
    category_slug: str, specs: dict[str, Any], unit: str | None = None
) -> Decimal | None:
    """The reference price of one new unit like this offer, to the cent, or None.

    ``specs`` are an offer's canonical specs ({key: number or choice}). ``unit`` is
    the listing's quantity unit; when given it must count what the price buys (a
    cable price is per metre, so a drum or a lot has no price). None also when the
    category is unpriced, the key rating is missing (and the table assumes none)
    or outside the table, or a spec that moves the price has a value the table
    does not list.
    """
    entry = get_price_entry(category_slug)
    if entry is None or not entry.is_priced:
        return None
    assert entry.per is not None
    if unit is not None and unit not in UNITS_BY_BASIS[entry.per]:
        return None
    specs = specs or {}
    if entry.rating is not None:
        rating = _number(specs.get(entry.rating))
        if rating is None:
            rating = entry.assume
        if rating is None:
            return None
        price = _interpolate(entry.points, rating)
        if price is None:
            return None
    else:
        assert entry.price is not None
        price = entry.price
    for key, table in entry.factors.items():
        if key not in specs:
            continue  # the base assumption (copper, 10 kV, ...) stands
        factor = table.get(_spec_key(specs[key]) or "")
        if factor is None:
            return None
        price *= factor
    if entry.scale is not None:
        value = _number(specs.get(entry.scale.spec))
        if value is None:
            value = entry.scale.assume
        if value is None or value <= 0:
            return None
        price = price * value / entry.scale.base
    return price.quantize(CENT)


def estimated_saving(
    category_slug: str,
    specs: dict[str, Any],
    unit_price_paid: Decimal | None,
    quantity: Decimal,
    *,
    unit: str | None = None,
    condition_grade: str | None = None,
) -> Decimal | None:
    """What the buyer saved against new: new price × quantity − paid, never below 0.

    None when the new price is unknown (see estimate_new_unit_price), when the price
    paid is unknown, or when the goods were bought as scrap, which replaces no new
    equipment. Raises ValueError for a negative price or a quantity that is not
    positive.
    """
    if unit_price_paid is None or condition_grade == SCRAP_GRADE:
        return None
    paid = _decimal(unit_price_paid)
    count = _decimal(quantity)
    if paid < 0 or count <= 0:
        raise ValueError("the price paid must be >= 0 and the quantity > 0")
    new = estimate_new_unit_price(category_slug, specs, unit)
    if new is None:
        return None
    return max(Decimal(0), (new - paid) * count).quantize(CENT)
