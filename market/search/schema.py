"""The search index's schema and the document a public listing becomes in it.

Numbers are ints (Whoosh cannot sort floats): voltage in volts, capacity in kVA,
price in yuan, dates as days since 1970-01-01 in China time.
"""

from datetime import date, datetime, timezone
from decimal import Decimal
from functools import lru_cache

from whoosh import fields
from whoosh.analysis import RegexTokenizer

from market.database import CHINA
from market.domain.categories import get_category
from market.domain.conditions import get_grade
from market.domain.regions import region_path
from market.domain.units import format_number
from market.search.analysis import normalize, power_analyzer

# Text fields and their query-time boosts (applied in query.py, so a change needs
# no reindex). Every one of them is analysed with the power analyzer.
TEXT_FIELD_BOOSTS: dict[str, float] = {
    "title": 3.0,
    "model": 3.0,
    "manufacturer": 2.0,
    "description": 1.0,
    "category_names": 1.0,
    "region_names": 1.0,
}
# The description is indexed whole but only its start is stored, for snippets.
STORED_DESCRIPTION_CHARS = 2000
# public_until of a listing without an end date (year 4707: never).
NO_END_DAY = 1_000_000
# Type-ahead: each term of the "suggest" field is "<folded key>\x1f<flag><original>",
# flag "0" when the key is the start of the original, "1" when it starts inside it.
SUGGEST_SEPARATOR = "\x1f"
SUGGEST_KEY_CHARS = 24
SUGGEST_STARTS = 12
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
EPOCH_DAY = date(1970, 1, 1)


def build_schema() -> fields.Schema:
    """A fresh schema object (the analyzer instance is pickled into the index)."""
    analyzer = power_analyzer()

    def text(stored: bool = False) -> fields.TEXT:
        return fields.TEXT(analyzer=analyzer, phrase=True, stored=stored)

    def integer(bits: int = 32, **options) -> fields.NUMERIC:
        return fields.NUMERIC(numtype=int, bits=bits, **options)

    return fields.Schema(
        listing_id=fields.ID(stored=True, unique=True),
        id_num=integer(sortable=True),
        version=integer(bits=64, stored=True, sortable=True),
        kind=fields.ID,
        category=fields.ID(sortable=True),
        family=fields.ID,
        province=fields.ID,
        city=fields.ID(sortable=True),
        district=fields.ID,
        title=text(stored=True),
        model=text(),
        manufacturer=text(),
        description=text(stored=True),
        category_names=text(),
        region_names=text(),
        voltage=fields.KEYWORD,
        voltage_v=integer(),
        capacity_lo=integer(),
        capacity_hi=integer(),
        price_yuan=integer(bits=64, sortable=True),
        has_price=fields.ID(sortable=True),
        condition=fields.ID(sortable=True),
        condition_rank=integer(),
        published_days=integer(sortable=True),
        public_until=integer(),
        has_report=fields.ID,
        suggest=fields.KEYWORD(analyzer=RegexTokenizer(r"[^\n]+")),
    )


def day_number(day: date) -> int:
    return (day - EPOCH_DAY).days


def version_of(updated_at: datetime) -> int:
    """A listing's updated_at in microseconds: the version "stale" is measured by."""
    return (updated_at - EPOCH) // datetime.resolution


def listing_document(listing) -> dict:
    """The fields of a public listing's document (call only for public listings)."""
    specs = listing.specs or {}
    category = get_category(listing.category_slug)
    family = category.parent_slug or category.slug if category else listing.category_slug
    levels = _voltage_levels(specs.get("voltage_kv"))
    low, high = _capacity_range(specs.get("capacity_kva"))
    grade = get_grade(listing.condition_grade) if listing.condition_grade else None
    published = listing.published_at or listing.updated_at
    ends = [d for d in (listing.valid_until, listing.wanted_by) if d is not None]
    description = listing.description or ""
    document = {
        "listing_id": str(listing.id),
        "id_num": listing.id,
        "version": version_of(listing.updated_at),
        "kind": listing.kind.value,
        "category": listing.category_slug,
        "family": family,
        "province": listing.province_code,
        "city": listing.city_code,
        "district": listing.district_code or None,
        "title": listing.title,
        "model": listing.model_raw or None,
        "manufacturer": listing.manufacturer or None,
        "description": description or None,
        "_stored_description": description[:STORED_DESCRIPTION_CHARS],
        "category_names": _category_names(category),
        "region_names": _region_names(listing.district_code or listing.city_code),
        "voltage": " ".join(format_number(level) for level in levels) or None,
        "voltage_v": [round(level * 1000) for level in levels] or None,
        "capacity_lo": low,
        "capacity_hi": high,
        "price_yuan": _yuan(listing.price_cny),
        "has_price": "0" if listing.price_cny is None else "1",
        "condition": grade.slug if grade else None,
        "condition_rank": grade.rank if grade else None,
        "published_days": day_number(published.astimezone(CHINA).date()),
        "public_until": day_number(min(ends)) if ends else NO_END_DAY,
        "has_report": "1" if _has_public_report(listing) else "0",
        "suggest": "\n".join(
            suggest_terms(listing.title, listing.model_raw, listing.manufacturer)
        ),
    }
    return {name: value for name, value in document.items() if value is not None}


def fold(text: str) -> str:
    """Width, case and traditional characters folded: how type-ahead compares text."""
    return normalize(text)


def suggest_terms(*texts: str | None) -> list[str]:
    """Type-ahead terms: each text keyed from its start and from its word starts."""
    terms = []
    for original in texts:
        original = " ".join((original or "").split())
        if not original:
            continue
        for start in _word_starts(original):
            key = fold(original[start:])[:SUGGEST_KEY_CHARS].rstrip()
            if key:
                flag = "0" if start == 0 else "1"
                terms.append(f"{key}{SUGGEST_SEPARATOR}{flag}{original}")
    return terms


def _word_starts(text: str) -> list[int]:
    starts = {0}
    try:
        tokens = _analyzer()(text, chars=True, mode="index")
        for token in tokens:
            if 0 < token.startchar < len(text):
                starts.add(token.startchar)
    except (TypeError, ValueError):  # an analyzer without char offsets: start only
        pass
    return sorted(starts)[:SUGGEST_STARTS]


@lru_cache(maxsize=1)
def _analyzer():
    return power_analyzer()


def _voltage_levels(value) -> list[float]:
    values = value if isinstance(value, list) else [value]
    return sorted({float(v) for v in values if isinstance(v, int | float)})


def _capacity_range(value) -> tuple[int | None, int | None]:
    """(low, high) in kVA: an offer's value twice, a wanted post's range (open ends
    become 0 and a large number), so that a range filter means overlap."""
    if isinstance(value, int | float):
        return round(value), round(value)
    if isinstance(value, list) and len(value) == 2 and value != [None, None]:
        low, high = value
        return (
            round(low) if low is not None else 0,
            round(high) if high is not None else 2**31 - 1,
        )
    return None, None


def _yuan(amount: Decimal | None) -> int | None:
    return None if amount is None else int(amount.to_integral_value())


def _category_names(category) -> str | None:
    if category is None:
        return None
    names = [category.zh, category.en, *category.aliases]
    parent = get_category(category.parent_slug) if category.parent_slug else None
    if parent is not None:
        names += [parent.zh, parent.en, *parent.aliases]
    return " ".join(names)


def _region_names(code: str | None) -> str | None:
    names = []
    for region in region_path(code or ""):
        names.append(region.name)
        short = region.name.rstrip("省市区县")
        if len(short) >= 2 and short != region.name:
            names.append(short)
    return " ".join(names) or None


def _has_public_report(listing) -> bool:
    return any(
        doc.kind.value == "test_report" and not doc.pending
        for doc in listing.documents
    )
