"""Searching the index: words, filters, facets, sorts, highlights and corrections.

The user's text never reaches Whoosh's query language: it is analysed by the same
analyzer as the documents (query_terms) and turned into Term/Or/And (and a Phrase
for quoted words) over the public text, so `status:pending`, `*:*` or
`price:[0 TO 9]` are just words. Structured filters become a mask of allowed
documents, never an And with the words. The queries are evaluated over numpy
posting arrays by matching.py (Whoosh's BM25F, every match scored), so the total
and the facets are exact and come from the same set of matches.
"""

import html
import logging
import math
import threading
import weakref
from collections import Counter, OrderedDict
from dataclasses import dataclass, field, replace

import numpy as np
from whoosh.codec.base import Automata
from whoosh.query import And, NumericRange, Or, Phrase, Query, Sequence, Term
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
from market.search.matching import IndexArrays, top_k
from market.search.schema import (
    MISSING,
    QUERY_FIELD_BOOSTS,
    SUGGEST_AT_START,
    SUGGEST_INSIDE,
    SUGGEST_KEY_CHARS,
    SUGGEST_SEPARATOR,
    day_number,
    fold,
    text_analyzer,
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
SNIPPET_SCAN_CHARS = 400
ATTEMPTS = 3
# Words "did you mean" tries to correct: longer ones cost a big automaton.
MIN_CORRECTED = 2
MAX_CORRECTED = 16
MAX_CORRECTIONS = 3
# Corrections remembered per searcher.
CLOSEST_CACHE_SIZE = 1024
# The range-queried int fields are 32-bit signed.
INT32_MAX = 2**31 - 1


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


def params_from_args(args) -> SearchParams:
    """Search parameters from a query string; anything malformed is ignored."""

    def number(name, cast=float, low=0, high=10**9):
        try:
            value = cast(args.get(name, ""))
        except (TypeError, ValueError):
            return None
        return value if low <= value <= high else None

    category = args.get("category") or None
    kind = args.get("kind") if args.get("kind") in ("offer", "wanted") else None
    condition = args.get("condition") or None
    sort = args.get("sort") if args.get("sort") in SORTS else "relevance"
    return SearchParams(
        q=(args.get("q") or "")[:MAX_QUERY_LENGTH],
        kind=kind,
        category=category if category and get_category(category) else None,
        voltage_kv=number("voltage_kv", float, 0, 1200),
        capacity_min=number("capacity_min"),
        capacity_max=number("capacity_max"),
        price_min=number("price_min", int),
        price_max=number("price_max", int),
        condition=condition if condition and get_grade(condition) else None,
        province=_code(args.get("province")),
        city=_code(args.get("city")),
        district=_code(args.get("district")),
        has_report=args.get("has_report") in ("1", "true", "on"),
        within_days=number("within_days", int, 1, 3650),
        sort=sort,
        page=number("page", int, 1, MAX_PAGE) or 1,
        per_page=number("per_page", int, 1, MAX_PER_PAGE) or 20,
    )


def _code(value: str | None) -> str | None:
    return value if value and value.isdigit() and len(value) == 6 else None


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
    those starting with the prefix first, then those with a word starting with it;
    the most frequent (a manufacturer of many posts) and shortest first."""
    folded = fold(" ".join(prefix.split()))
    key = folded[:SUGGEST_KEY_CHARS]
    limit = max(0, min(limit, 50))
    if not key or not limit:
        return []
    root = index_root()
    for _attempt in range(ATTEMPTS):
        searcher = get_searcher(root)
        try:
            return _suggest(searcher, key, folded, limit)
        except RETRYABLE:
            drop_searcher(root)
        except Exception as error:
            drop_searcher(root)
            log.exception("suggest failed: %r", prefix)
            raise SearchUnavailable(f"suggest failed: {error!r}") from error
    raise SearchUnavailable("suggest kept failing")


# --- the search itself ----------------------------------------------------------------


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
    arrays = _arrays(searcher)
    public = arrays.live & ~_expired_mask(searcher, today)
    clauses = build_filter(params, today)
    if clauses:
        public &= _filter_mask(searcher, clauses)
    sort = params.sort
    if sort == "relevance" and text_query is None:
        sort = "newest"  # nothing to score
    # Every match is found and scored at once over arrays (matching.py), which
    # gives the exact total and the facets for free; the page is a partial sort.
    scores = None
    if text_query is None:
        matched_mask = public
    else:
        matched_mask, scores = arrays.score(text_query)
        matched_mask &= public
    matched = np.flatnonzero(matched_mask)
    total = len(matched)
    page = min(params.page, max(1, math.ceil(total / params.per_page)))
    start, end = (page - 1) * params.per_page, page * params.per_page
    if not total:
        top = []
    elif sort == "relevance":
        top = top_k(matched, -scores[matched], end)[start:end]
    else:
        top = top_k(matched, _sort_ranks(searcher, sort)[matched], end)[start:end]
    hits = [searcher.stored_fields(int(docnum)) for docnum in top]
    ids = [int(hit["listing_id"]) for hit in hits]
    terms = {term for group in groups for term in group}
    highlights = {}
    if terms:
        analyzer = text_analyzer()
        for hit in hits:
            snippet = _snippet(analyzer, hit, terms)
            if snippet:
                highlights[int(hit["listing_id"])] = snippet
    facets = {}
    if params.facets and total:
        facets = _facet_counts(searcher, matched_mask, matched)
    suggestion = None
    if total < FEW_HITS and groups:
        suggestion = _did_you_mean(searcher, params, groups, total, public)
    return SearchResult(
        ids=ids,
        total=total,
        facets=facets,
        highlights=highlights,
        suggestion=suggestion,
        page=page,
        per_page=params.per_page,
    )


def build_text_query(text: str) -> tuple[Query | None, list[list[str]]]:
    """The query for the user's words (None when there are none) and its term groups.

    Each group (a word and its expansions) must match in some text field; the text
    between double quotes must match as a phrase. At most 12 groups.
    """
    clauses: list[Query] = []
    all_groups: list[list[str]] = []
    for phrase, groups in query_parts(text):
        all_groups += groups
        if phrase and len(groups) > 1:
            clauses.append(_phrase_query(groups))
        else:
            clauses.extend(_group_query(group) for group in groups)
    if not clauses:
        return None, []
    return (clauses[0] if len(clauses) == 1 else And(clauses)), all_groups


def query_parts(text: str) -> list[tuple[bool, list[list[str]]]]:
    """(is a phrase, term groups) for each piece of the user's words that asks for
    something: double quotes make phrases, at most 12 groups in all."""
    text = (text or "")[:MAX_QUERY_LENGTH]
    pieces = text.split('"')
    if len(pieces) % 2 == 0:  # an unbalanced quote is just a character
        pieces = [" ".join(pieces)]
    parts: list[tuple[bool, list[list[str]]]] = []
    seen: list[list[str]] = []
    for number, piece in enumerate(pieces):
        budget = MAX_TERM_GROUPS - len(seen)
        if budget <= 0:
            break
        phrase = number % 2 == 1
        groups = _groups(piece)
        if not phrase:  # a word twice asks for nothing more
            groups = [g for n, g in enumerate(groups) if g not in groups[:n] + seen]
        groups = groups[:budget]
        if groups:
            seen += groups
            parts.append((phrase, groups))
    return parts


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
            for name, boost in QUERY_FIELD_BOOSTS
            for term in group
        ]
    )


def _phrase_query(groups: list[list[str]]) -> Query:
    if all(len(group) == 1 for group in groups):
        words = [group[0] for group in groups]
        return Or([Phrase(name, words, boost=b) for name, b in QUERY_FIELD_BOOSTS])
    return Or(
        [
            Sequence([Or([Term(name, t) for t in group]) for group in groups], boost=b)
            for name, b in QUERY_FIELD_BOOSTS
        ]
    )


def build_filter(params: SearchParams, today: int) -> list[Query]:
    """The structured filters: one Term or NumericRange each, all must match."""
    clauses: list[Query] = []
    if params.kind:
        clauses.append(Term("kind", params.kind))
    if params.category:
        category = get_category(params.category)
        top = category is not None and category.parent_slug is None
        clauses.append(Term("family" if top else "category", params.category))
    if params.voltage_kv is not None and finite_number(params.voltage_kv):
        clauses.append(Term("voltage", format_number(float(params.voltage_kv))))
    low, high = finite_number(params.capacity_min), finite_number(params.capacity_max)
    if high is not None:  # ranges overlap: the listing's low end is at most max
        clauses.append(NumericRange("capacity_lo", None, clamp_bound(math.floor(high))))
    if low is not None:
        clauses.append(NumericRange("capacity_hi", clamp_bound(math.ceil(low)), None))
    price_low = finite_number(params.price_min)
    price_high = finite_number(params.price_max)
    if price_low is not None or price_high is not None:
        clauses.append(
            NumericRange(
                "price_yuan",
                None if price_low is None else clamp_bound(math.ceil(price_low)),
                None if price_high is None else clamp_bound(math.floor(price_high)),
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
    days = finite_number(params.within_days)
    if days is not None:
        since = today - clamp_bound(int(days))
        clauses.append(NumericRange("published_days", since, None))
    return clauses


# Filter masks kept per searcher: facet links and category pages repeat the same
# few dozen clauses (a mask is one byte per document: 100 KB at 100,000).
FILTER_CACHE_SIZE = 256


def _filter_mask(searcher: Searcher, clauses: list[Query]) -> np.ndarray:
    """Documents matching every clause: per-clause masks (cached for this searcher,
    since facet links repeat the same few filters) and-ed together."""
    cache = _cache(searcher).setdefault("filters", OrderedDict())
    arrays = _arrays(searcher)
    mask = None
    for clause in clauses:
        key = repr(clause)
        docs = cache.get(key)
        if docs is None:
            docs = cache[key] = arrays.docs_mask(clause)
            while len(cache) > FILTER_CACHE_SIZE:
                cache.popitem(last=False)
        else:
            cache.move_to_end(key)
        mask = docs.copy() if mask is None else np.logical_and(mask, docs, out=mask)
    return mask


def _sort_ranks(searcher: Searcher, sort: str) -> np.ndarray:
    """Per document number, its place in the order of `sort`:
    newest: published day, then id, both descending; prices: listings with a
    price first, by price, then newest id."""
    cache = _cache(searcher)
    ranks = cache.get(("sort", sort))
    if ranks is None:
        arrays = _arrays(searcher)
        ids = arrays.column("id_num")
        if sort == "newest":
            order = np.lexsort((-ids, -arrays.column("published_days")))
        else:
            sign = -1 if sort == "price_desc" else 1
            prices = arrays.column("price_yuan")
            has = prices != MISSING
            order = np.lexsort((-ids, np.where(has, sign * prices, 0), ~has))
        ranks = np.empty(len(ids), dtype=np.int64)
        ranks[order] = np.arange(len(ids))
        cache[("sort", sort)] = ranks
    return ranks


FACET_COLUMNS = ("category", "city", "condition")  # one value per listing
FACET_LISTS = ("voltage",)  # several values per listing (a wanted post's levels)


def _facet_counts(
    searcher: Searcher, matched_mask: np.ndarray, matched: np.ndarray
) -> dict[str, list[tuple[str, int]]]:
    """Values and counts of each facet over the matched documents, most first."""
    facets = {}
    for name in FACET_COLUMNS:
        labels, codes = _column_codes(searcher, name)
        counts = np.bincount(codes[matched], minlength=len(labels))
        facets[name] = _most_first(
            Counter(dict(zip(labels, counts.tolist(), strict=True)))
        )
    for name in FACET_LISTS:
        facets[name] = _most_first(
            Counter(
                {
                    value: int(np.count_nonzero(matched_mask[docs]))
                    for value, docs in _term_docs(searcher, name).items()
                }
            )
        )
    return facets


def _column_codes(searcher: Searcher, name: str) -> tuple[list[str], np.ndarray]:
    """A one-value field's distinct values, and each document's value as an index."""
    cache = _cache(searcher)
    found = cache.get(("codes", name))
    if found is None:
        column = _column(searcher, name)
        values = ["" if value is None else str(value) for value in column]
        labels, codes = np.unique(np.array(values, dtype=object), return_inverse=True)
        found = cache[("codes", name)] = (labels.tolist(), codes.astype(np.int64))
    return found


def _column(searcher: Searcher, name: str) -> list:
    """A sortable field's value for every document number of the searcher."""
    cache = _cache(searcher)
    values = cache.get(("column", name))
    if values is None:
        values = []
        for segment, _offset in searcher.reader().leaf_readers():
            values += _segment_data(
                segment, ("column", name), lambda: list(segment.column_reader(name))
            )
        cache[("column", name)] = values
    return values


def _term_docs(searcher: Searcher, name: str) -> dict[str, np.ndarray]:
    """For each term of a (small) field, the document numbers that carry it."""
    cache = _cache(searcher)
    found = cache.get(("terms", name))
    if found is None:
        arrays = _arrays(searcher)
        terms = sorted(set(searcher.reader().lexicon(name)))
        found = cache[("terms", name)] = {
            term.decode(): arrays.postings(name, term)[0] for term in terms
        }
    return found


# Column values and postings per segment: a segment's documents never change (only
# which are deleted, and deleted ones never match), so what was read from it stays
# true after commits and a new searcher only reads its new segments.
SEGMENT_CACHE_SIZE = 256
_segment_cache: OrderedDict = OrderedDict()
_segment_cache_lock = threading.Lock()


def _segment_data(segment, key: tuple, load):
    full_key = (segment.segment().segment_id(), segment.doc_count_all(), *key)
    with _segment_cache_lock:
        if full_key in _segment_cache:
            _segment_cache.move_to_end(full_key)
            return _segment_cache[full_key]
    data = load()
    with _segment_cache_lock:
        _segment_cache[full_key] = data
        while len(_segment_cache) > SEGMENT_CACHE_SIZE:
            _segment_cache.popitem(last=False)
    return data


def _most_first(counts: Counter) -> list[tuple[str, int]]:
    items = [(str(value), count) for value, count in counts.items() if value and count]
    return sorted(items, key=lambda item: (-item[1], item[0]))


def _expired_mask(searcher: Searcher, today: int) -> np.ndarray:
    """Documents past their validity or wanted-by date (the expiry job not run yet)."""
    cache = _cache(searcher)
    key = ("expired", today)
    if key not in cache:
        cache[key] = _arrays(searcher).docs_mask(
            NumericRange("public_until", None, today - 1)
        )
    return cache[key]


def _arrays(searcher: Searcher) -> IndexArrays:
    cache = _cache(searcher)
    arrays = cache.get("arrays")
    if arrays is None:
        arrays = cache["arrays"] = IndexArrays(searcher)
    return arrays


_caches: "weakref.WeakKeyDictionary[Searcher, dict]" = weakref.WeakKeyDictionary()


def _cache(searcher: Searcher) -> dict:
    """Values derived from one searcher's snapshot; they die with the searcher."""
    cache = _caches.get(searcher)
    if cache is None:
        cache = _caches[searcher] = {}
    return cache


# --- highlights -----------------------------------------------------------------------


def _snippet(analyzer, hit, terms: set[str]) -> str | None:
    """The description around its first hit, else the title, with hits in <mark>."""
    description = hit.get("description") or ""
    snippet = _highlight(
        analyzer, description[:SNIPPET_SCAN_CHARS], terms, SNIPPET_CHARS
    )
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


# --- did you mean ---------------------------------------------------------------------


def _did_you_mean(
    searcher: Searcher,
    params: SearchParams,
    groups: list[list[str]],
    total: int,
    public: np.ndarray,
) -> str | None:
    """The query with unknown words replaced by close indexed ones, if it finds more."""
    reader = searcher.reader()
    unknown = [
        group[0]
        for group in groups
        if not any(
            reader.doc_frequency(name, term)
            for name, _boost in QUERY_FIELD_BOOSTS
            for term in group
        )
    ]
    corrections = {}
    closest = _cache(searcher).setdefault("closest", {})
    for word in unknown[:MAX_CORRECTIONS]:
        # The automaton walk costs tens of ms; the same misspellings come back.
        if word not in closest:
            if len(closest) >= CLOSEST_CACHE_SIZE:
                closest.pop(next(iter(closest)))
            closest[word] = _closest_term(reader, word)
        if closest[word] is not None:
            corrections[word] = closest[word]
    if not corrections:
        return None
    corrected = _rewrite(text_analyzer(), params.q, corrections)
    if corrected is None:  # no character offsets: the analysed words, corrected
        corrected = " ".join(corrections.get(group[0], group[0]) for group in groups)
    if corrected.strip() == params.q.strip():
        return None
    query, _groups_ = build_text_query(corrected)
    if query is None:
        return None
    matched, _scores = _arrays(searcher).score(query)
    hits = int(np.count_nonzero(matched & public))
    return corrected if hits > total else None


def _closest_term(reader, word: str) -> str | None:
    """The indexed term nearest to word (then the most frequent)."""
    if not MIN_CORRECTED <= len(word) <= MAX_CORRECTED:
        return None
    maxdist = 1 if len(word) <= 5 else 2
    dfa = Automata.levenshtein_dfa(word, maxdist)  # built once, walked per segment
    candidates: dict[str, tuple[int, int]] = {}
    for segment, _offset in reader.leaf_readers():
        for name, _boost in QUERY_FIELD_BOOSTS:
            if name not in segment.indexed_field_names():
                continue
            for term in Automata.find_matches(dfa, segment.cursor(name)):
                if term != word:
                    distance, frequency = candidates.get(
                        term, (levenshtein(word, term), 0)
                    )
                    frequency += segment.doc_frequency(name, term)
                    candidates[term] = (distance, frequency)
    if not candidates:
        return None
    return min(
        candidates, key=lambda term: (candidates[term][0], -candidates[term][1], term)
    )


def _rewrite(analyzer, text: str, corrections: dict[str, str]) -> str | None:
    """text with each corrected word's characters replaced by its correction."""
    text = text[:MAX_QUERY_LENGTH]
    replacements = []
    try:
        for token in analyzer(text, chars=True, mode="query", removestops=False):
            if token.text in corrections:
                replacements.append(
                    (token.startchar, token.endchar, corrections[token.text])
                )
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


# --- type-ahead -----------------------------------------------------------------------

SUGGEST_SCAN = 64  # terms read per kind (at the start, inside)


def _suggest(searcher: Searcher, key: str, folded: str, limit: int) -> list[str]:
    reader = searcher.reader()
    arrays = _arrays(searcher)
    public = arrays.live & ~_expired_mask(searcher, day_number(china_today()))
    chosen: list[str] = []
    for flag in (SUGGEST_AT_START, SUGGEST_INSIDE):
        candidates: dict[str, tuple[int, str]] = {}
        terms = reader.iter_prefix("suggest", flag + key)
        for number, (term, info) in enumerate(terms):
            if number >= SUGGEST_SCAN:
                break
            term = term.decode("utf-8") if isinstance(term, bytes) else term
            original = term.partition(SUGGEST_SEPARATOR)[2]
            if not original or original in chosen:
                continue
            if len(folded) > SUGGEST_KEY_CHARS and folded not in fold(original):
                continue  # the prefix goes on beyond the stored key
            frequency = info.doc_frequency()
            if original not in candidates or frequency > -candidates[original][0]:
                candidates[original] = (-frequency, term)
        for original in sorted(candidates, key=lambda o: (candidates[o][0], len(o), o)):
            if _is_live(arrays, candidates[original][1], public):
                chosen.append(original)
                if len(chosen) >= limit:
                    return chosen
    return chosen


def _is_live(arrays: IndexArrays, term: str, public: np.ndarray) -> bool:
    """Whether a live document (not deleted, not past its date) carries the term."""
    return bool(public[arrays.postings("suggest", term)[0]].any())


# --- small helpers --------------------------------------------------------------------


def _int(value, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def finite_number(value) -> float | None:
    """A finite float from a parameter, or None (bools, text, NaN, infinity)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def clamp_bound(value: int, high: int = INT32_MAX) -> int:
    """A range bound as the index's 32-bit numeric columns see it."""
    return max(0, min(int(value), high))
