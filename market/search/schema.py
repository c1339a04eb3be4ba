"""The search index's schema and the document a public listing becomes in it.

A listing's words go into two fields: `title`, and `text` holding the other parts
(model, manufacturer, description, category names, region names) whose tokens
carry their part's weight (a word in the model counts 3 times, in the manufacturer
2, elsewhere once). A query word is then an Or of two posting lists instead of
six fields: 2.5 times faster at 10,000 listings, with the same hits; the title
keeps its own length normalisation, and the relevance table of
tests/search/test_relevance.py passes as it did with six fields (all in one
field, 2 times faster again, failed 12 of its rows). The title and the start of
the description are stored for snippets.

Numbers are ints (Whoosh cannot sort floats): voltage in kV strings, capacity in
kVA, price in yuan, dates as days since 1970-01-01 in China time. Apart from the
voltage (a facet with several values), they are columns without terms: range
filters and sorts read them as arrays, and the 4 range terms a NUMERIC field
writes per value were a sixth of all postings.
"""

from datetime import date, datetime, timezone
from decimal import Decimal
from functools import lru_cache

from whoosh import columns, fields
from whoosh.analysis import RegexTokenizer, Tokenizer

from market.database import CHINA
from market.domain.categories import get_category
from market.domain.conditions import get_grade
from market.domain.regions import region_path
from market.domain.units import format_number
from market.search.analysis import normalize, power_analyzer

# Bump when the schema or what goes into a document changes: the writer then
# rebuilds the index by itself (index directories are named after the version).
SCHEMA_VERSION = 3
# The fields a query word is looked for in, and their query-time boosts.
QUERY_FIELD_BOOSTS: tuple[tuple[str, float], ...] = (("title", 3.0), ("text", 1.0))
# The parts of the `text` field, in order, and the weight of their words.
TEXT_PARTS: tuple[tuple[str, float], ...] = (
    ("model", 3.0),
    ("manufacturer", 2.0),
    ("description", 1.0),
    ("category_names", 1.0),
    ("region_names", 1.0),
)
PART_SEPARATOR = "\x1e"
# Positions left between two parts, so that a phrase never spans them.
PART_GAP = 100
# An int column's value for a listing without one (a price, a capacity).
MISSING = -(2**31)
# Only the start of the description is stored, for snippets.
STORED_DESCRIPTION_CHARS = 2000
# public_until of a listing without an end date (year 4707: never).
NO_END_DAY = 1_000_000
# Type-ahead: each term of the "suggest" field is "<flag><folded key>\x1f<original>",
# flag "0" when the key is the original's start, "1" when a word inside it starts it.
SUGGEST_AT_START = "0"
SUGGEST_INSIDE = "1"
SUGGEST_SEPARATOR = "\x1f"
SUGGEST_KEY_CHARS = 24
SUGGEST_STARTS = 12
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
EPOCH_DAY = date(1970, 1, 1)


class ListingTextTokenizer(Tokenizer):
    """The power analyzer over the parts of a listing's text, each token weighted
    by its part (pickled into the index: keep this class at this path)."""

    def __init__(self, boosts: tuple[float, ...]):
        self.boosts = tuple(boosts)
        self.inner = power_analyzer()

    def __call__(self, value, positions=False, start_pos=0, **kwargs):
        position = start_pos
        for number, part in enumerate(value.split(PART_SEPARATOR)):
            boost = self.boosts[min(number, len(self.boosts) - 1)]
            last = position - 1
            for token in self.inner(
                part, positions=positions, start_pos=position, **kwargs
            ):
                token.boost = boost
                if positions:
                    last = max(last, token.pos)
                yield token
            position = last + 1 + PART_GAP


def build_schema() -> fields.Schema:
    """A fresh schema object (its analyzers are pickled into the index)."""

    def integer(typecode: str = "i") -> fields.COLUMN:
        """An int kept as a column only (no terms): ranges and sorts are read
        from the column as an array (matching.py), which costs no postings."""
        return fields.COLUMN(columns.NumericColumn(typecode, default=MISSING))

    boosts = tuple(boost for _name, boost in TEXT_PARTS)
    return fields.Schema(
        listing_id=fields.ID(stored=True, unique=True),
        id_num=integer("q"),
        version=integer("q"),
        kind=fields.ID,
        category=fields.ID(sortable=True),
        family=fields.ID,
        province=fields.ID,
        city=fields.ID(sortable=True),
        district=fields.ID,
        text=fields.TEXT(analyzer=ListingTextTokenizer(boosts), phrase=True),
        title=fields.TEXT(analyzer=power_analyzer(), phrase=True, stored=True),
        description=fields.STORED,
        voltage=fields.KEYWORD,
        capacity_lo=integer(),
        capacity_hi=integer(),
        price_yuan=integer(),
        has_price=fields.ID(sortable=True),
        condition=fields.ID(sortable=True),
        condition_rank=integer(),
        published_days=integer(),
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
    family = (
        category.parent_slug or category.slug if category else listing.category_slug
    )
    levels = _voltage_levels(specs.get("voltage_kv"))
    low, high = _capacity_range(specs.get("capacity_kva"))
    grade = get_grade(listing.condition_grade) if listing.condition_grade else None
    published = listing.published_at or listing.updated_at
    ends = [d for d in (listing.valid_until, listing.wanted_by) if d is not None]
    description = listing.description or ""
    parts = {
        "model": listing.model_raw,
        "manufacturer": listing.manufacturer,
        "description": description,
        "category_names": _category_names(category),
        "region_names": _region_names(listing.district_code or listing.city_code),
    }
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
        "text": PART_SEPARATOR.join(
            (parts[name] or "").replace(PART_SEPARATOR, " ") for name, _ in TEXT_PARTS
        ),
        "title": listing.title,
        "description": description[:STORED_DESCRIPTION_CHARS],
        "voltage": " ".join(format_number(level) for level in levels) or None,
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
                flag = SUGGEST_AT_START if start == 0 else SUGGEST_INSIDE
                terms.append(f"{flag}{key}{SUGGEST_SEPARATOR}{original}")
    return terms


def _word_starts(text: str) -> list[int]:
    """0 and where the analyzer's words start, except inside ASCII runs (the "M"
    and "400/10" of S11-M-400/10 are no place to start typing)."""
    starts = {0}
    for token in text_analyzer()(text, chars=True, mode="index"):
        start = token.startchar
        if 0 < start < len(text) and not _inside_ascii_run(text, start):
            starts.add(start)
    return sorted(starts)[:SUGGEST_STARTS]


def _inside_ascii_run(text: str, start: int) -> bool:
    before = text[start - 1]
    return before.isascii() and (before.isalnum() or before in "-/._+*")


@lru_cache(maxsize=1)
def text_analyzer():
    """The power analyzer, for re-analysing stored text (highlights, type-ahead)."""
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
    # Prices are validated to at most 1e9 yuan; the field holds up to 2**31 - 1.
    return None if amount is None else min(int(amount.to_integral_value()), 2**31 - 1)


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
        doc.kind.value == "test_report" and not doc.pending for doc in listing.documents
    )
