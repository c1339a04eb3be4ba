"""Matching, scoring and counting over posting arrays, without Whoosh's matchers.

Whoosh walks every match through a tree of Python matcher objects, one call per
posting and per score: about 100 ms per query at 100,000 listings, since a total
that is exact means visiting every match. Here a posting list is read once into
numpy arrays (document numbers, weights, and for phrases positions), kept in a
process-wide cache bounded in bytes, and a query becomes a few vectorised
operations over arrays as long as the index: unions and intersections as boolean
masks, BM25F scores (Whoosh's formula and statistics, so the ranking is the one
Whoosh gives) as sums of arrays, the page by argpartition, the facets by bincount.

What it reads of Whoosh-Reloaded 2.7.5 (pinned) beyond the public API: the
segment's terms reader and its postings blocks (W3LeafMatcher._read_data: the
tuple of delta-coded ids, weights and values of one block) and the raw bytes of
the length columns. A posting list of any other form goes through the public
matcher API instead, only slower.

Queries handled: Term, Or, And, Phrase, Sequence (of Terms and Ors of Terms) and
Every; for anything else `docs_mask` falls back to `searcher.docs_for_query`.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from itertools import chain
from math import log
from pickle import loads

import numpy as np
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.fields import COLUMN
from whoosh.query import (
    And,
    Every,
    NullQuery,
    NumericRange,
    Or,
    Phrase,
    Query,
    Sequence,
    Term,
)
from whoosh.reading import TermNotFound
from whoosh.searching import Searcher
from whoosh.util.numeric import _length_byte_cache

from market.search.schema import MISSING

# Whoosh's BM25F defaults (scoring.BM25F), which the index is searched with.
B = 0.75
K1 = 1.2
# A phrase position key is doc * POSITION_STRIDE + position.
POSITION_STRIDE = 1 << 32
# Posting arrays kept across searchers and requests (a segment never changes).
CACHE_BYTES = 96 * 2**20
# Whoosh's length byte -> field length table.
_BYTE_TO_LENGTH = np.array(_length_byte_cache, dtype=np.float64)
_EMPTY_DOCS = np.zeros(0, dtype=np.int64)
_EMPTY_WEIGHTS = np.zeros(0, dtype=np.float32)


class ArrayCache:
    """A least-recently-used mapping bounded by the bytes of its numpy values."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.size = 0
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key, load: Callable[[], tuple]) -> tuple:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key][0]
        value = load()
        size = sum(getattr(part, "nbytes", 64) for part in value) + 200
        with self._lock:
            if key not in self._items:
                self._items[key] = (value, size)
                self.size += size
                while self.size > self.limit and len(self._items) > 1:
                    _key, (_value, dropped) = self._items.popitem(last=False)
                    self.size -= dropped
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.size = 0


postings_cache = ArrayCache(CACHE_BYTES)


# --- reading one segment --------------------------------------------------------------


def _segment_key(segment) -> tuple:
    return (segment.segment().segment_id(), segment.doc_count_all())


def _read_postings(segment, field: str, text: bytes, positions: bool) -> tuple:
    """(local doc numbers, weights[, position keys]) of one term in one segment."""
    try:
        matcher = segment._terms.matcher(field, text, segment.schema[field].format)
    except (TermNotFound, KeyError):
        empty = (_EMPTY_DOCS, _EMPTY_WEIGHTS)
        return (*empty, _EMPTY_DOCS) if positions else empty
    if isinstance(matcher, W3LeafMatcher):
        id_blocks, weight_blocks, value_blocks = [], [], []
        while matcher.is_active():
            matcher._read_data()
            ids, weights, values = matcher._data
            id_blocks.append(ids)
            weight_blocks.append((weights, matcher._blocklength))
            value_blocks.append(values)
            matcher._next_block()
        counts = np.fromiter((len(ids) for ids in id_blocks), np.int64)
        total = int(counts.sum())
        deltas = np.fromiter(chain.from_iterable(id_blocks), np.int64, total)
        # Each block's ids are delta-coded from 0: a running sum, less the sum
        # at the end of the previous block.
        running = np.cumsum(deltas)
        ends = np.cumsum(counts)
        base = np.concatenate(([0], running[ends[:-1] - 1]))
        docs = running - np.repeat(base, counts)
        weights = np.empty(total, dtype=np.float32)
        start = 0
        for block, count in weight_blocks:
            weights[start : start + count] = 1.0 if block is None else block
            start += count
        values = chain.from_iterable(value_blocks) if positions else ()
    else:  # postings inlined in the term info, or another codec: the public API
        docs_list, weight_list, value_list = [], [], []
        while matcher.is_active():
            docs_list.append(matcher.id())
            weight_list.append(matcher.weight())
            if positions:
                value_list.append(matcher.value())
            matcher.next()
        docs = np.array(docs_list, dtype=np.int64)
        weights = np.array(weight_list, dtype=np.float32)
        values = value_list
    if not positions:
        return docs, weights
    decode = segment.schema[field].format.decode_positions
    lists = [decode(value) for value in values]
    counts = np.fromiter((len(found) for found in lists), np.int64, len(lists))
    flat = np.fromiter(chain.from_iterable(lists), np.int64, int(counts.sum()))
    keys = np.repeat(docs, counts) * POSITION_STRIDE + flat
    return docs, weights, keys


def _read_lengths(segment, field: str) -> np.ndarray:
    """Each document's (byte-coded) length of a field, decoded."""
    count = segment.doc_count_all()
    codes = np.zeros(count, dtype=np.uint8)
    perdoc = segment._perdoc
    reader = None
    if hasattr(perdoc, "_cached_reader"):
        from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield

        reader = perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN)
    if reader is not None and hasattr(reader, "_basepos"):
        stored = min(reader._count, count)
        raw = reader._dbfile.get(reader._basepos, stored)
        codes[:stored] = np.frombuffer(raw, dtype=np.uint8)
    else:
        for docnum in range(count):
            codes[docnum] = _length_byte(segment.doc_field_length(docnum, field, 0))
    return _BYTE_TO_LENGTH[codes]


def _read_int_column(segment, field: str) -> np.ndarray:
    """A NumericColumn's values in one segment (its default past the last one)."""
    count = segment.doc_count_all()
    column = segment.schema[field].column_type
    default = getattr(column, "_default", 0)
    values = np.full(count, default, dtype=np.int64)
    if not segment.has_column(field):
        return values
    reader = segment.column_reader(field, translate=False)
    typecode = getattr(reader, "_typecode", None)
    if typecode in ("b", "B", "h", "H", "i", "I", "l", "L", "q", "Q"):
        stored = min(reader._count, count)
        raw = reader._dbfile.get(reader._basepos, stored * reader._fixedlen)
        values[:stored] = np.frombuffer(raw, dtype=np.dtype(typecode).newbyteorder(">"))
    else:
        values[:] = np.fromiter(reader, np.int64, count)
    return values


def _length_byte(length: int | None) -> int:
    from whoosh.util.numeric import length_to_byte

    return length_to_byte(length or 0)


# --- one searcher's view --------------------------------------------------------------


class IndexArrays:
    """A searcher's documents as arrays: postings, lengths, masks and scores."""

    def __init__(self, searcher: Searcher) -> None:
        self.searcher = searcher
        reader = searcher.reader()
        # An empty index has one reader without a segment: nothing to read.
        self.leaves = [
            (segment, offset)
            for segment, offset in reader.leaf_readers()
            if segment.doc_count_all() and segment.segment() is not None
        ]
        self.size = reader.doc_count_all()
        live = np.ones(self.size, dtype=bool)
        for segment, offset in self.leaves:
            if segment.has_deletions():
                deleted = np.fromiter(segment.deleted_docs_set, np.int64)
                live[deleted[deleted < segment.doc_count_all()] + offset] = False
        self.live = live
        self._lengths: dict[str, np.ndarray] = {}
        self._columns: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()

    # postings

    def postings(self, field: str, text: str | bytes) -> tuple[np.ndarray, np.ndarray]:
        """Document numbers (ascending, deleted ones included) and weights."""
        parts = self._parts(field, text, positions=False)
        if len(parts) == 1:
            return parts[0][0], parts[0][1]
        return (
            np.concatenate([part[0] for part in parts]),
            np.concatenate([part[1] for part in parts]),
        )

    def position_keys(self, field: str, text: str | bytes) -> np.ndarray:
        """doc * POSITION_STRIDE + position for every position of the term."""
        parts = self._parts(field, text, positions=True)
        return parts[0][2] if len(parts) == 1 else np.concatenate([p[2] for p in parts])

    def _parts(self, field: str, text: str | bytes, positions: bool) -> list[tuple]:
        schema = self.searcher.schema
        if field not in schema or schema[field].format is None:
            empty = (_EMPTY_DOCS, _EMPTY_WEIGHTS, _EMPTY_DOCS)
            return [empty]
        tbytes = schema[field].to_bytes(text) if isinstance(text, str) else text
        parts = [(_EMPTY_DOCS, _EMPTY_WEIGHTS, _EMPTY_DOCS)] if not self.leaves else []
        for segment, offset in self.leaves:
            key = (*_segment_key(segment), field, tbytes, positions)
            local = postings_cache.get(
                key, lambda s=segment: _read_postings(s, field, tbytes, positions)
            )
            if offset:
                docs = local[0] + offset
                keys = (
                    (local[2] + offset * POSITION_STRIDE,) if positions else ()
                )
                local = (docs, local[1], *keys)
            parts.append(local)
        return parts

    def docs_mask(self, query: Query) -> np.ndarray:
        """The live documents matching a query, unscored (filters)."""
        mask = self._mask(query)
        return mask & self.live

    def _mask(self, query: Query) -> np.ndarray:
        if isinstance(query, Term):
            mask = np.zeros(self.size, dtype=bool)
            mask[self.postings(query.fieldname, query.text)[0]] = True
            return mask
        if isinstance(query, Or):
            mask = np.zeros(self.size, dtype=bool)
            for sub in query.subqueries:
                mask |= self._mask(sub)
            return mask
        if isinstance(query, And):
            mask = np.ones(self.size, dtype=bool)
            for sub in query.subqueries:
                mask &= self._mask(sub)
            return mask
        if isinstance(query, Every):
            return np.ones(self.size, dtype=bool)
        if query is NullQuery:
            return np.zeros(self.size, dtype=bool)
        if isinstance(query, NumericRange) and self._is_column(query.fieldname):
            values = self.column(query.fieldname)
            mask = values != MISSING
            if query.start is not None:
                if query.startexcl:
                    mask &= values > query.start
                else:
                    mask &= values >= query.start
            if query.end is not None:
                if query.endexcl:
                    mask &= values < query.end
                else:
                    mask &= values <= query.end
            return mask
        if isinstance(query, NumericRange):
            simpler = query.simplify(self.searcher.reader())
            if not isinstance(simpler, NumericRange):
                return self._mask(simpler)
        if isinstance(query, (Phrase, Sequence)):
            return self.score(query)[0]
        mask = np.zeros(self.size, dtype=bool)
        docs = np.fromiter(self.searcher.docs_for_query(query), np.int64)
        mask[docs] = True
        return mask

    # columns

    def _is_column(self, field: str) -> bool:
        schema = self.searcher.schema
        return field in schema and isinstance(schema[field], COLUMN)

    def column(self, field: str) -> np.ndarray:
        """An int column field's value for every document (MISSING where none)."""
        found = self._columns.get(field)
        if found is None:
            parts = []
            for segment, _offset in self.leaves:
                key = (*_segment_key(segment), "column", field)
                parts.append(
                    postings_cache.get(
                        key, lambda s=segment: (_read_int_column(s, field),)
                    )[0]
                )
            found = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
            self._columns[field] = found
        return found

    # scoring

    def lengths(self, field: str) -> np.ndarray:
        found = self._lengths.get(field)
        if found is None:
            parts = []
            for segment, _offset in self.leaves:
                key = (*_segment_key(segment), "lengths", field)
                parts.append(
                    postings_cache.get(
                        key, lambda s=segment: (_read_lengths(s, field),)
                    )[0]
                )
            found = np.concatenate(parts) if parts else np.zeros(self.size)
            self._lengths[field] = found
        return found

    def term_scores(
        self, field: str, text: str, boost: float = 1.0
    ) -> tuple[np.ndarray, np.ndarray]:
        """Documents of a term and their BM25F scores, as Whoosh's scorer gives."""
        docs, weights = self.postings(field, text)
        if not len(docs):
            return docs, np.zeros(0)
        searcher = self.searcher
        idf = searcher.idf(field, text)
        avgfl = searcher.avg_field_length(field) or 1
        length = self.lengths(field)[docs]
        tf = weights.astype(np.float64)
        scores = idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * length / avgfl)))
        if boost != 1.0:
            scores *= boost
        return docs, scores

    def score(self, query: Query) -> tuple[np.ndarray, np.ndarray]:
        """(matching mask, scores) of a text query, the scores 0 outside the mask;
        deleted documents included."""
        if isinstance(query, Term):
            docs, scores = self.term_scores(query.fieldname, query.text, query.boost)
            mask = np.zeros(self.size, dtype=bool)
            total = np.zeros(self.size)
            mask[docs] = True
            total[docs] = scores
            return mask, total
        if isinstance(query, Or):
            mask = np.zeros(self.size, dtype=bool)
            total = np.zeros(self.size)
            for sub in query.subqueries:
                if isinstance(sub, Term):  # the common case, without temporaries
                    docs, scores = self.term_scores(sub.fieldname, sub.text, sub.boost)
                    mask[docs] = True
                    total[docs] += scores
                else:
                    sub_mask, sub_scores = self.score(sub)
                    mask |= sub_mask
                    total += sub_scores
            if query.boost != 1.0:
                total *= query.boost
            return mask, total
        if isinstance(query, And):
            mask = np.ones(self.size, dtype=bool)
            total = np.zeros(self.size)
            for sub in query.subqueries:
                sub_mask, sub_scores = self.score(sub)
                mask &= sub_mask
                total += sub_scores
            total[~mask] = 0.0
            if query.boost != 1.0:
                total *= query.boost
            return mask, total
        if isinstance(query, Phrase):
            groups = [[Term(query.fieldname, word)] for word in query.words]
            return self._phrase(query.fieldname, groups, query.boost)
        if isinstance(query, Sequence):
            return self._sequence(query)
        if isinstance(query, Every):
            return np.ones(self.size, dtype=bool), np.zeros(self.size)
        raise NotImplementedError(type(query).__name__)

    def _sequence(self, query: Sequence) -> tuple[np.ndarray, np.ndarray]:
        groups = []
        fields = set()
        for sub in query.subqueries:
            terms = [sub] if isinstance(sub, Term) else list(sub.subqueries)
            if not all(isinstance(t, Term) for t in terms):
                raise NotImplementedError("a Sequence of other than Terms")
            fields.update(t.fieldname for t in terms)
            groups.append(terms)
        if len(fields) != 1:
            raise NotImplementedError("a Sequence over several fields")
        return self._phrase(fields.pop(), groups, query.boost)

    def _phrase(
        self, field: str, groups: list[list[Term]], boost: float
    ) -> tuple[np.ndarray, np.ndarray]:
        """Documents where a term of each group follows one of the group before,
        position after position (Whoosh's Phrase and Sequence with slop 1)."""
        mask = np.ones(self.size, dtype=bool)
        total = np.zeros(self.size)
        for group in groups:
            group_mask = np.zeros(self.size, dtype=bool)
            for term in group:
                docs, scores = self.term_scores(field, term.text, term.boost)
                group_mask[docs] = True
                total[docs] += scores
            mask &= group_mask
        if not mask.any():
            return mask, np.zeros(self.size)
        keys = None
        for group in groups:
            found = [self.position_keys(field, term.text) for term in group]
            here = found[0] if len(found) == 1 else np.unique(np.concatenate(found))
            # Only the positions in documents that have every group.
            here = here[mask[here // POSITION_STRIDE]]
            keys = here if keys is None else np.intersect1d(keys + 1, here)
            if not len(keys):
                break
        phrase_mask = np.zeros(self.size, dtype=bool)
        if keys is not None and len(keys):
            phrase_mask[keys // POSITION_STRIDE] = True
        total[~phrase_mask] = 0.0
        if boost != 1.0:
            total *= boost
        return phrase_mask, total


def top_k(docs: np.ndarray, keys: np.ndarray, end: int) -> np.ndarray:
    """The first `end` of docs by ascending key, then ascending doc number."""
    if len(docs) > end:
        chosen = np.argpartition(keys, end - 1)[:end]
        # Ties at the cut: argpartition picks any; take the lowest doc numbers.
        cut = keys[chosen].max()
        below = np.flatnonzero(keys < cut)
        tied = np.flatnonzero(keys == cut)
        chosen = np.concatenate((below, tied[: end - len(below)]))
        docs, keys = docs[chosen], keys[chosen]
    order = np.lexsort((docs, keys))
    return docs[order]
