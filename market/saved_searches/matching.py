"""Does one post match a saved search? Answered in Python, without the index.

The index is brought up to date after the commit that publishes a post, but saved
searches are told inside that very transaction, so the question cannot go to the
index. It is asked of the document the index *would* hold (listing_document), with
the search's own analyzer and the filters of market.search.query.build_filter:

- words: each word of the query (a term group: the word and its exact
  equivalents) must be among the post's tokens in the title or the rest of the
  text (model, manufacturer, description, category and region names); words in
  double quotes must follow each other within one of those parts;
- filters: kind, category (a leaf or a top level), voltage level, capacity range
  (overlap), price range, condition at or above, province/city/district, with a
  test report, published within N days.

tests/saved_searches/test_matching.py checks the answers against the index.
"""

import json
import math
from collections.abc import Mapping
from datetime import date
from functools import lru_cache

from werkzeug.datastructures import MultiDict

from market.database import china_today
from market.domain.categories import get_category
from market.domain.conditions import get_grade
from market.domain.units import format_number
from market.listings.models import Listing
from market.search import SearchParams, params_from_args
from market.search.analysis import analyse
from market.search.query import MAX_QUERY_LENGTH, clamp_bound, finite_number
from market.search.query import query_parts as search_query_parts
from market.search.schema import (
    PART_SEPARATOR,
    day_number,
    listing_document,
)

Positions = dict[str, set[int]]


def saved_search_matches(
    params: SearchParams | Mapping, listing: Listing, today: date | None = None
) -> bool:
    """Whether the search (SearchParams, or stored query-string params) finds the
    post, judged on its fields alone (call it for public posts)."""
    return ListingMatcher(listing, today).matches(params)


def search_params(stored: Mapping) -> SearchParams:
    """A saved search's stored params, parsed as the search page parses them."""
    return params_from_args(MultiDict(dict(stored)))


@lru_cache(maxsize=8192)
def stored_search_params(text: str) -> SearchParams:
    """search_params() of params stored as JSON text, cached by the text: every
    publication asks the same saved searches. Shared: callers must not change it."""
    return search_params(json.loads(text) or {})


class ListingMatcher:
    """One post, analysed once, asked against many searches."""

    def __init__(self, listing: Listing, today: date | None = None):
        self.document = listing_document(listing)
        self.today = day_number(today or china_today())
        self._fields: list[Positions] | None = None

    def matches(self, params: SearchParams | Mapping) -> bool:
        if not isinstance(params, SearchParams):
            params = search_params(params)
        return self._filters_match(params) and self._words_match(params.q)

    # --- words --------------------------------------------------------------------

    @property
    def fields(self) -> list[Positions]:
        """Term -> positions, per part that a phrase may not cross."""
        if self._fields is None:
            texts = [self.document.get("title") or ""]
            texts += (self.document.get("text") or "").split(PART_SEPARATOR)
            self._fields = [_positions(text) for text in texts if text.strip()]
        return self._fields

    def _words_match(self, q: str) -> bool:
        q = (q or "")[:MAX_QUERY_LENGTH]
        if not q.strip():
            return True
        parts = query_parts(q)
        if not parts:
            return False  # only punctuation: the search finds nothing either
        for phrase, groups in parts:
            if phrase and len(groups) > 1:
                if not any(_has_phrase(field, groups) for field in self.fields):
                    return False
                continue
            for group in groups:
                if not any(term in field for field in self.fields for term in group):
                    return False
        return True

    # --- filters ------------------------------------------------------------------

    def _filters_match(self, params: SearchParams) -> bool:
        doc = self.document
        if params.kind and doc.get("kind") != params.kind:
            return False
        if params.category:
            category = get_category(params.category)
            top = category is not None and category.parent_slug is None
            if doc.get("family" if top else "category") != params.category:
                return False
        voltage = finite_number(params.voltage_kv)
        if voltage is not None:
            levels = (doc.get("voltage") or "").split()
            if format_number(voltage) not in levels:
                return False
        high = finite_number(params.capacity_max)
        if high is not None and not _at_most(doc.get("capacity_lo"), math.floor(high)):
            return False
        low = finite_number(params.capacity_min)
        if low is not None and not _at_least(doc.get("capacity_hi"), math.ceil(low)):
            return False
        price_low = finite_number(params.price_min)
        price_high = finite_number(params.price_max)
        price = doc.get("price_yuan")
        if price_low is not None and not _at_least(price, math.ceil(price_low)):
            return False
        if price_high is not None and not _at_most(price, math.floor(price_high)):
            return False
        if params.condition:
            grade = get_grade(params.condition)
            if grade is not None:
                rank = doc.get("condition_rank")
                if rank is None or not 0 <= rank <= grade.rank:
                    return False
            elif doc.get("condition") != params.condition:
                return False
        for name in ("province", "city", "district"):
            wanted = getattr(params, name)
            if wanted and doc.get(name) != wanted:
                return False
        if params.has_report and doc.get("has_report") != "1":
            return False
        days = finite_number(params.within_days)
        if days is not None and not _at_least(
            doc.get("published_days"), self.today - clamp_bound(int(days))
        ):
            return False
        return True


@lru_cache(maxsize=4096)
def query_parts(q: str) -> list[tuple[bool, list[list[str]]]]:
    """The search's own reading of the words (market.search.query.query_parts),
    cached: every publication asks it of the same saved searches, so callers must
    not change the lists."""
    return search_query_parts(q)


def _positions(text: str) -> Positions:
    positions: Positions = {}
    for term, position, _start, _end in analyse(text):
        positions.setdefault(term, set()).add(position)
    return positions


def _has_phrase(field: Positions, groups: list[list[str]]) -> bool:
    """Some term of each group at consecutive positions, in order."""
    if all(len(group) == 1 for group in groups):
        groups = [[group[0]] for group in groups]
    starts: set[int] = set()
    for term in groups[0]:
        starts |= field.get(term, set())
    for offset, group in enumerate(groups[1:], 1):
        here: set[int] = set()
        for term in group:
            here |= field.get(term, set())
        starts = {start for start in starts if start + offset in here}
        if not starts:
            return False
    return bool(starts)


def _at_most(value, bound: int) -> bool:
    return value is not None and value <= clamp_bound(bound)


def _at_least(value, bound: int) -> bool:
    return value is not None and value >= clamp_bound(bound)
