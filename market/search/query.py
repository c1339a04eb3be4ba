"""Searching the index: words, filters, facets, sorts, highlights and corrections.

The user's text never reaches Whoosh's query language: it is analysed by the same
analyzer as the documents (query_terms) and turned into Term/Or/And queries over the
public text fields, so `status:pending`, `*:*` or `price:[0 TO 9]` are just words.
Structured filters go in `filter=` (Whoosh miscounts And-filters) and an empty filter
set short-cuts to "no results" (Whoosh ignores an empty filter).
"""

import html
import logging
import math
from dataclasses import dataclass, field, replace

from whoosh import sorting
from whoosh.codec.base import Automata
from whoosh.query import And, Every, NumericRange, Or, Query, Sequence, Term
from whoosh.searching import Searcher
from whoosh.support.levenshtein import distance as levenshtein

from market.database import china_today
from market.domain.categories import get_category
from market.domain.conditions import get_grade
from market.domain.units import format_number
from market.search.analysis import query_terms
from market.search.index import (
    RETRYABLE,
    SearchUnavailable,
    drop_searcher,
    get_searcher,
    index_root,
)
from market.search.schema import (
    SUGGEST_KEY_CHARS,
    SUGGEST_SEPARATOR,
    TEXT_FIELD_BOOSTS,
    day_number,
    fold,
)

log = logging.getLogger(__name__)

MAX_QUERY_LENGTH = 100
MAX_TERM_GROUPS = 12
MAX_TERMS_PER_GROUP = 8
MAX_PER_PAGE = 50
MAX_PAGE = 500
SORTS = ("relevance", "newest", "price_asc", "price_desc")
# Below this many hits a "did you mean" is looked for.
FEW_HITS = 3
SNIPPET_CHARS = 160
SNIPPET_LEAD = 40
# Only the start of a description is searched for snippet hits (speed).
SNIPPET_SCAN_CHARS = 1000
ATTEMPTS = 3
# Words "did you mean" tries to correct: longer ones cost a big automaton.
MIN_CORRECTED = 2
MAX_CORRECTED = 16
MAX_CORRECTIONS = 3
# Whoosh ints are 32-bit signed unless declared wider.
INT32_MAX = 2**31 - 1
PRICE_MAX = 10**15


@dataclass
class SearchParams:
    q: str = ""
    kind: str | None = None
    category: str | None = None
    voltage_kv: float | None = None
    capacity_min: float | None = None
    capacity_max: float | None = None
    price_min: int | None = None
    price_max: int | None = None
    condition: str | None = None
    province: str | None = None
    city: str | None = None
    district: str | None = None
    has_report: bool = False
    within_days: int | None = None
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20
    facets: bool = True


@dataclass
class SearchResult:
    ids: list[int]
    total: int
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    highlights: dict[int, str] = field(default_factory=dict)
    suggestion: str | None = None
    page: int = 1
    per_page: int = 20


def search(params: SearchParams) -> SearchResult:
    """Public listings matching params: one page of ids, exact total, facets.

    Raises SearchUnavailable when the index is missing or unreadable.
    """
    params = _clean(params)
    root = index_root()
    last_error: Exception | None = None
    for _attempt in range(ATTEMPTS):
        searcher = get_searcher(root)
        try:
            return _search(searcher, params)
        except RETRYABLE as error:
            last_error = error
            drop_searcher(root)
        except Exception as error:
            drop_searcher(root)
            log.exception("search failed: %r", params)
            raise SearchUnavailable(f"search failed: {error!r}") from error
    raise SearchUnavailable(f"search kept failing: {last_error!r}") from last_error


def suggest(prefix: str, limit: int = 8) -> list[str]:
    """Distinct titles, models and manufacturers of public listings for type-ahead:
    those starting with the prefix first, then those with a word starting with it."""
    key = fold(" ".join(prefix.split()))[:SUGGEST_KEY_CHARS]
    limit = max(0, min(limit, 50))
    if not key or not limit:
        return []
    root = index_root()
    for _attempt in range(ATTEMPTS):
        searcher = get_searcher(root)
        try:
            return _suggest(searcher, key, fold(prefix.strip()), limit)
        except RETRYABLE:
            drop_searcher(root)
        except Exception as error:
            drop_searcher(root)
            log.exception("suggest failed: %r", prefix)
            raise SearchUnavailable(f"suggest failed: {error!r}") from error
    raise SearchUnavailable("suggest kept failing")


# --- the search itself -----------------------------------------------------------------


def _clean(params: SearchParams) -> SearchParams:
    return replace(
        params,
        q=(params.q or "")[:MAX_QUERY_LENGTH],
        sort=params.sort if params.sort in SORTS else "relevance",
        page=min(max(_int(params.page, 1), 1), MAX_PAGE),
        per_page=min(max(_int(params.per_page, 20), 1), MAX_PER_PAGE),
    )


def _search(searcher: Searcher, params: SearchParams) -> SearchResult:
    today = day_number(china_today())
    text_query, groups = build_text_query(params.q)
    empty = SearchResult(ids=[], total=0, page=1, per_page=params.per_page)
    if params.q.strip() and text_query is None:
        return empty  # only punctuation or operators: nothing to look for
    allowed = None
    user_filter = build_filter(params, today)
    if user_filter is not None:
        allowed = set(searcher.docs_for_query(user_filter))
        if not allowed:
            return empty  # Whoosh would ignore an empty filter set
    # Past their validity or wanted-by date but not yet expired in the database.
    expired = set(searcher.docs_for_query(NumericRange("public_until", None, today - 1)))
    page = searcher.search_page(
        text_query or Every(),
        params.page,
        pagelen=params.per_page,
        filter=allowed,
        mask=expired or None,
        sortedby=_sort_facet(params.sort, text_query is not None),
        groupedby=_facets() if params.facets else None,
        maptype=sorting.Count if params.facets else None,
        terms=False,
    )
    total = page.total
    ids = [int(hit["listing_id"]) for hit in page]
    terms = {term for group in groups for term in group}
    highlights = {}
    if terms:
        analyzer = searcher.schema["title"].analyzer
        for hit in page:
            snippet = _snippet(analyzer, hit, terms)
            if snippet:
                highlights[int(hit["listing_id"])] = snippet
    facets = {}
    if params.facets and total:
        facets = {name: _facet_counts(page.results, name) for name in _FACET_NAMES}
    suggestion = None
    if total < FEW_HITS and groups:
        suggestion = _did_you_mean(searcher, params, groups, total, allowed, expired)
    return SearchResult(
        ids=ids,
        total=total,
        facets=facets,
        highlights=highlights,
        suggestion=suggestion,
        page=page.pagenum if total else 1,
        per_page=params.per_page,
    )


def build_text_query(text: str) -> tuple[Query | None, list[list[str]]]:
    """The query for the user's words (None when there are none) and its term groups.

    Each group (a word and its expansions) must match in some text field; the text
    between double quotes must match as a phrase. At most 12 groups.
    """
    text = (text or "")[:MAX_QUERY_LENGTH]
    pieces = text.split('"')
    if len(pieces) % 2 == 0:  # an unbalanced quote is just a character
        pieces = [" ".join(pieces)]
    clauses: list[Query] = []
    all_groups: list[list[str]] = []
    for number, piece in enumerate(pieces):
        budget = MAX_TERM_GROUPS - len(all_groups)
        if budget <= 0:
            break
        groups = _groups(piece)[:budget]
        if not groups:
            continue
        all_groups += groups
        if number % 2 == 1 and len(groups) > 1:
            clauses.append(_phrase_query(groups))
        else:
            clauses.extend(_group_query(group) for group in groups)
    if not clauses:
        return None, []
    return (clauses[0] if len(clauses) == 1 else And(clauses)), all_groups


def _groups(text: str) -> list[list[str]]:
    groups = []
    for group in query_terms(text) if text.strip() else []:
        terms = list(dict.fromkeys(term for term in group if term))
        if terms:
            groups.append(terms[:MAX_TERMS_PER_GROUP])
    return groups


def _group_query(group: list[str]) -> Query:
    return Or(
        [
            Term(name, term, boost=boost)
            for name, boost in TEXT_FIELD_BOOSTS.items()
            for term in group
        ]
    )


def _phrase_query(groups: list[list[str]]) -> Query:
    return Or(
        [
            Sequence([Or([Term(name, term) for term in group]) for group in groups],
                     boost=boost)
            for name, boost in TEXT_FIELD_BOOSTS.items()
        ]
    )  # fmt: skip


def build_filter(params: SearchParams, today: int) -> Query | None:
    """The structured filters as one And (None when there are none)."""
    clauses: list[Query] = []
    if params.kind:
        clauses.append(Term("kind", params.kind))
    if params.category:
        category = get_category(params.category)
        top = category is not None and category.parent_slug is None
        clauses.append(Term("family" if top else "category", params.category))
    if params.voltage_kv is not None and _finite(params.voltage_kv):
        clauses.append(Term("voltage", format_number(float(params.voltage_kv))))
    low, high = _finite(params.capacity_min), _finite(params.capacity_max)
    if high is not None:  # ranges overlap: the listing's low end is at most max
        clauses.append(NumericRange("capacity_lo", None, _clamp(math.floor(high))))
    if low is not None:
        clauses.append(NumericRange("capacity_hi", _clamp(math.ceil(low)), None))
    price_low, price_high = _finite(params.price_min), _finite(params.price_max)
    if price_low is not None or price_high is not None:
        clauses.append(
            NumericRange(
                "price_yuan",
                None if price_low is None else _clamp(math.ceil(price_low), PRICE_MAX),
                None if price_high is None else _clamp(math.floor(price_high), PRICE_MAX),
            )
        )
    if params.condition:
        grade = get_grade(params.condition)
        clauses.append(
            NumericRange("condition_rank", 0, grade.rank)
            if grade
            else Term("condition", params.condition)
        )
    for name in ("province", "city", "district"):
        if getattr(params, name):
            clauses.append(Term(name, getattr(params, name)))
    if params.has_report:
        clauses.append(Term("has_report", "1"))
    days = _finite(params.within_days)
    if days is not None:
        clauses.append(NumericRange("published_days", today - _clamp(int(days)), None))
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else And(clauses)


def _sort_facet(sort: str, has_text: bool):
    newest = sorting.MultiFacet(
        [
            sorting.FieldFacet("published_days", reverse=True),
            sorting.FieldFacet("id_num", reverse=True),
        ]
    )
    if sort == "relevance":
        return None if has_text else newest
    if sort == "newest":
        return newest
    return sorting.MultiFacet(
        [
            sorting.FieldFacet("has_price", reverse=True),  # no price: last
            sorting.FieldFacet("price_yuan", reverse=sort == "price_desc"),
            sorting.FieldFacet("id_num", reverse=True),
        ]
    )


_FACET_NAMES = ("category", "city", "voltage", "condition")


def _facets() -> dict[str, sorting.FieldFacet]:
    return {
        "category": sorting.FieldFacet("category"),
        "city": sorting.FieldFacet("city"),
        "voltage": sorting.FieldFacet("voltage", allow_overlap=True),
        "condition": sorting.FieldFacet("condition"),
    }


def _facet_counts(results, name: str) -> list[tuple[str, int]]:
    counts = results.groups(name)
    items = [
        (key.decode() if isinstance(key, bytes) else str(key), count)
        for key, count in counts.items()
        if key not in (None, b"", "")
    ]
    return sorted(items, key=lambda item: (-item[1], item[0]))


# --- highlights --------------------------------------------------------------------------


def _snippet(analyzer, hit, terms: set[str]) -> str | None:
    """The description around its first hit, else the title, with hits in <mark>."""
    description = hit.get("description") or ""
    snippet = _highlight(analyzer, description[:SNIPPET_SCAN_CHARS], terms, SNIPPET_CHARS)
    if snippet is None:
        snippet = _highlight(analyzer, hit.get("title") or "", terms, None)
    return snippet


def _highlight(analyzer, text: str, terms: set[str], width: int | None) -> str | None:
    if not text:
        return None
    spans = _hit_spans(analyzer, text, terms)
    if not spans:
        return None
    start, end = 0, len(text)
    if width is not None and len(text) > width:
        start = max(0, spans[0][0] - SNIPPET_LEAD)
        end = min(len(text), start + width)
    pieces = ["…"] if start > 0 else []
    position = start
    for hit_start, hit_end in spans:
        if hit_start >= end:
            break
        hit_end = min(hit_end, end)
        pieces.append(html.escape(text[position:hit_start]))
        pieces.append(f"<mark>{html.escape(text[hit_start:hit_end])}</mark>")
        position = hit_end
    pieces.append(html.escape(text[position:end]))
    if end < len(text):
        pieces.append("…")
    return "".join(pieces)


def _hit_spans(analyzer, text: str, terms: set[str]) -> list[tuple[int, int]]:
    """Merged character ranges of the tokens that are query terms."""
    spans = sorted(
        (token.startchar, token.endchar)
        for token in analyzer(text, chars=True, mode="index", removestops=False)
        if token.text in terms and 0 <= token.startchar < token.endchar <= len(text)
    )
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


# --- did you mean ------------------------------------------------------------------------


def _did_you_mean(
    searcher: Searcher,
    params: SearchParams,
    groups: list[list[str]],
    total: int,
    allowed: set | None,
    expired: set,
) -> str | None:
    """The query with unknown words replaced by close indexed ones, if that finds more."""
    reader = searcher.reader()
    unknown = [
        group[0]
        for group in groups
        if not any(
            reader.doc_frequency(name, term)
            for name in TEXT_FIELD_BOOSTS
            for term in group
        )
    ]
    corrections = {}
    for word in unknown[:MAX_CORRECTIONS]:
        best = _closest_term(reader, word)
        if best is not None:
            corrections[word] = best
    if not corrections:
        return None
    corrected = _rewrite(searcher.schema["title"].analyzer, params.q, corrections)
    if corrected is None:  # no character offsets: the analysed words, corrected
        corrected = " ".join(corrections.get(group[0], group[0]) for group in groups)
    if corrected.strip() == params.q.strip():
        return None
    query, _groups_ = build_text_query(corrected)
    if query is None:
        return None
    hits = sum(
        1
        for docnum in searcher.docs_for_query(query)
        if (allowed is None or docnum in allowed) and docnum not in expired
    )
    return corrected if hits > total else None


def _closest_term(reader, word: str) -> str | None:
    """The indexed text-field term nearest to word (then the most frequent)."""
    if not MIN_CORRECTED <= len(word) <= MAX_CORRECTED:
        return None
    maxdist = 1 if len(word) <= 5 else 2
    dfa = Automata.levenshtein_dfa(word, maxdist)  # built once, walked per field
    candidates: dict[str, tuple[int, int]] = {}
    for segment, _offset in reader.leaf_readers():
        for name in TEXT_FIELD_BOOSTS:
            if name not in segment.indexed_field_names():
                continue
            for term in Automata.find_matches(dfa, segment.cursor(name)):
                if term == word:
                    continue
                distance, frequency = candidates.get(term, (levenshtein(word, term), 0))
                candidates[term] = (distance, frequency + segment.doc_frequency(name, term))
    if not candidates:
        return None
    return min(candidates, key=lambda term: (candidates[term][0], -candidates[term][1], term))


def _rewrite(analyzer, text: str, corrections: dict[str, str]) -> str | None:
    """text with each corrected word's characters replaced by its correction."""
    text = text[:MAX_QUERY_LENGTH]
    replacements = []
    try:
        for token in analyzer(text, chars=True, mode="query", removestops=False):
            if token.text in corrections:
                replacements.append((token.startchar, token.endchar, corrections[token.text]))
    except (TypeError, ValueError):
        replacements = []
    if not replacements:
        return None
    pieces, position = [], 0
    for start, end, word in sorted(replacements):
        if start < position:
            continue
        pieces += [text[position:start], word]
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


# --- type-ahead ----------------------------------------------------------------------------

SUGGEST_SCAN = 400


def _suggest(searcher: Searcher, key: str, folded: str, limit: int) -> list[str]:
    reader = searcher.reader()
    today = day_number(china_today())
    candidates: dict[str, tuple[int, int]] = {}
    for number, term in enumerate(reader.expand_prefix("suggest", key)):
        if number >= SUGGEST_SCAN:
            break
        term = term.decode("utf-8") if isinstance(term, bytes) else term
        _key, _separator, rest = term.partition(SUGGEST_SEPARATOR)
        if not rest:
            continue
        flag, original = rest[0], rest[1:]
        if folded and folded not in fold(original):
            continue  # the prefix was longer than the stored key
        rank = (0 if flag == "0" else 1, -reader.doc_frequency("suggest", term))
        if original not in candidates or rank < candidates[original][0:2]:
            candidates[original] = (*rank, term)
    chosen = []
    for original in sorted(candidates, key=lambda o: (candidates[o][0:2], len(o), o)):
        if _is_live(searcher, candidates[original][2], today):
            chosen.append(original)
            if len(chosen) >= limit:
                break
    return chosen


def _is_live(searcher: Searcher, term: str, today: int) -> bool:
    """Whether a live (not deleted, not past its date) document carries the term."""
    query = And([Term("suggest", term), NumericRange("public_until", today, None)])
    return next(iter(searcher.docs_for_query(query)), None) is not None


# --- small helpers -------------------------------------------------------------------------


def _int(value, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _finite(value) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _clamp(value: int, high: int = INT32_MAX) -> int:
    return max(0, min(int(value), high))
