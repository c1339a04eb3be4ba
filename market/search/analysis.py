"""The "power" analyzer: search tokens for Chinese listing text, models and units.

Text is normalised (NFKC per character, traditional to simplified, lower case,
3×240 -> 3x240), then cut into three kinds of word:

* quantities: 400kVA, 400 KVA, 400千伏安 and 0.4MVA all give ``400kva`` (plus the
  bare number ``400`` at the same position);
* ASCII runs such as model numbers: ``s11-m-400/10`` whole and every contiguous
  run of its parts (``s11``, ``400/10``, ``m-400`` …), ``kyn28a`` also as
  ``kyn28``, cable sizes as ``3x240``, and the ratings parse_model reads out of
  the model (``400kva``, ``10kv``);
* Chinese, cut by rjieba with the domain dictionary (data/userdict.txt, the
  category names and the synonym words).

Expansions share the position of the word they come from, so Whoosh phrase
queries keep working. A Chinese compound spreads over the positions of its
dictionary sub-words (干式变压器 -> 干式 at p, 变压器 at p+1, 干式变压器 at p and
p+1), so "干式 变压器", "干式变压器 出售" and "二手 干式变压器" are all phrases of
"二手干式变压器出售". Every word of a synonym group (data/synonyms.txt) also
emits the group's first word. Offsets index the original text.

The index expands generously; ``query_terms`` stays precise: a query word asks
for itself and its exact equivalents only (its unit-folded form, its synonym
group's first word), never for its parts, so KYN28A-12 does not find KYN28A-24.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable, Iterator
from decimal import Decimal
from functools import lru_cache
from importlib.resources import files
from typing import Any

import opencc
import rjieba
from whoosh.analysis import CompositeAnalyzer, Token, Tokenizer

from market.domain.categories import all_leaf_categories, list_top_levels
from market.domain.model_numbers import parse_model
from market.domain.units import format_number

__all__ = [
    "PowerTokenizer",
    "analyse",
    "load",
    "normalize",
    "power_analyzer",
    "query_terms",
]

# --- normalisation --------------------------------------------------------------------

# Besides NFKC and lower case: the middle dot of KV·A and S11-M·R is a decimal
# point or a separator, and the dashes Chinese input methods type are hyphens.
_EXTRA_FOLD = str.maketrans(
    {
        "\u00b7": ".",  # middle dot
        "\u30fb": ".",  # katakana middle dot (also NFKC of the half-width one)
        "\u2027": ".",  # hyphenation point
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",  # minus sign
    }
)
# The BMP blocks where characters with a compatibility form live (CJK unified
# ideographs and Hangul syllables have none, which keeps the start-up scan short).
# Text with characters beyond the BMP (emoji, rare ideographs) takes the slow path.
_FOLD_RANGES = ((0x00A0, 0x33FF), (0xA000, 0xABFF), (0xF900, 0xFFFF))
_TIMES_RE = re.compile(r"(?<=\d)[×*](?=\d)")  # x is lower case by then
_COMMON_FOLDS = tuple((char, chr(ord(char) - 0xFEE0)) for char in "，：；（）！？")


def _fold(char: str) -> str:
    return unicodedata.normalize("NFKC", char).lower().translate(_EXTRA_FOLD)


def _char_class(chars: Iterable[str]) -> str:
    """A regex character class matching exactly ``chars`` (all in the BMP)."""
    codes = sorted(ord(c) for c in chars)
    ranges: list[list[int]] = []
    for code in codes:
        if ranges and code == ranges[-1][1] + 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    body = "".join(
        f"\\u{a:04x}" if a == b else f"\\u{a:04x}-\\u{b:04x}" for a, b in ranges
    )
    return f"[{body}]" if body else "[^\\s\\S]"


class _Folding:
    """Tables for folding one character at a time, at the cost of a regex scan."""

    def __init__(self) -> None:
        single: dict[str, str] = {}
        several: list[str] = []
        for low, high in _FOLD_RANGES:
            for code in range(low, high + 1):
                char = chr(code)
                folded = _fold(char)
                if folded == char:
                    continue
                if len(folded) == 1:
                    single[char] = folded
                elif any(c.isalnum() for c in folded):
                    several.append(char)  # ㎟ -> mm2, ⑩ -> 10, ½ -> 1⁄2
                # else: … -> ... and the like; punctuation either way, left alone
                # so that offsets stay one-to-one.
        self.single = single
        self.single_re = re.compile(_char_class(single))
        self.several_re = re.compile(_char_class(several))

    def replace(self, match: re.Match[str]) -> str:
        return self.single[match[0]]


def _normalize(text: str) -> tuple[str, list[int] | None]:
    """The normalised text and, if its length differs, each character's source.

    None means character i of the result comes from character i of ``text``.
    """
    state = _state()
    folding = state.folding
    lowered = text.lower()
    index: list[int] | None = None
    if (
        len(lowered) != len(text)
        or folding.several_re.search(lowered)
        or (not lowered.isascii() and max(lowered) > "\uffff")
    ):
        pieces = []
        index = []
        for i, char in enumerate(text):
            piece = _fold(char) if char not in folding.single else folding.single[char]
            if len(piece) > 1 and not any(c.isalnum() for c in piece):
                piece = char
            pieces.append(piece)
            index.extend([i] * len(piece))
        lowered = "".join(pieces)
    elif not lowered.isascii():
        # str.replace for the full-width punctuation of nearly every listing is
        # several times faster than a regex substitution calling back into Python.
        for char, folded in _COMMON_FOLDS:
            if char in lowered:
                lowered = lowered.replace(char, folded)
        if folding.single_re.search(lowered):
            lowered = folding.single_re.sub(folding.replace, lowered)
    converted = state.t2s.convert(lowered)
    if len(converted) != len(lowered):  # pragma: no cover - t2s maps 1:1 in practice
        converted = lowered
    if "×" in converted or "*" in converted:
        converted = _TIMES_RE.sub("x", converted)
    return converted, index


def normalize(text: str) -> str:
    """NFKC per character, traditional to simplified, lower case, × * -> x, · -> .

    ``×``/``*`` become ``x`` between digits only. A character whose compatibility
    form is several punctuation marks (… -> ...) is kept as it is.
    """
    return _normalize(text)[0]


# --- units ----------------------------------------------------------------------------

# Suffix as normalize() leaves it -> (canonical unit, factor to it). MVA, MW, Mvar
# and km fold into kVA, kW, kvar and m; the other units keep their own.
_ASCII_UNITS: dict[str, tuple[str, str]] = {
    "kva": ("kva", "1"), "kv.a": ("kva", "1"), "mva": ("kva", "1000"),
    "va": ("kva", "0.001"),
    "kv": ("kv", "1"),
    "ka": ("ka", "1"),
    "mm2": ("mm2", "1"), "mm^2": ("mm2", "1"), "sqmm": ("mm2", "1"), "mm": ("mm", "1"),
    "km": ("m", "1000"),
    "kw": ("kw", "1"), "mw": ("kw", "1000"),
    "kvar": ("kvar", "1"), "mvar": ("kvar", "1000"),
    "kwh": ("kwh", "1"), "kw.h": ("kwh", "1"), "mwh": ("kwh", "1000"),
    "ah": ("ah", "1"), "kg": ("kg", "1"), "hz": ("hz", "1"),
}  # fmt: skip
# One-letter units count only straight after the digits (630A, 15m, 220V).
_LETTER_UNITS: dict[str, tuple[str, str]] = {
    "a": ("a", "1"), "v": ("v", "1"), "m": ("m", "1"), "w": ("w", "1"), "t": ("t", "1"),
}  # fmt: skip
_CJK_UNITS: dict[str, tuple[str, str]] = {
    "千伏安": ("kva", "1"), "千伏.安": ("kva", "1"), "兆伏安": ("kva", "1000"),
    "伏安": ("kva", "0.001"),
    "千伏": ("kv", "1"), "伏特": ("v", "1"), "伏": ("v", "1"),
    "千安": ("ka", "1"), "安培": ("a", "1"), "安": ("a", "1"),
    "平方毫米": ("mm2", "1"), "平方": ("mm2", "1"), "毫米": ("mm", "1"),
    "公里": ("m", "1000"), "千米": ("m", "1000"), "米": ("m", "1"),
    "千瓦时": ("kwh", "1"), "千瓦": ("kw", "1"), "兆瓦": ("kw", "1000"),
    "千乏": ("kvar", "1"), "兆乏": ("kvar", "1000"),
    "安时": ("ah", "1"), "公斤": ("kg", "1"), "千克": ("kg", "1"), "吨": ("t", "1"),
    "赫兹": ("hz", "1"),
}  # fmt: skip
_UNITS = {**_ASCII_UNITS, **_LETTER_UNITS, **_CJK_UNITS}
# Characters after which a Chinese unit is the start of another word: 安装
# (install), 安全 (safety), 平方米 (m², an area rather than a cable section).
_INSTALL = "装全置排徽庆阳康放心"
_CJK_UNIT_GUARDS = {"安": _INSTALL, "千伏安": _INSTALL, "平方": "米"}


def _alternation(units: Iterable[str]) -> str:
    parts = []
    for unit in sorted(units, key=len, reverse=True):
        guard = _CJK_UNIT_GUARDS.get(unit)
        parts.append(re.escape(unit) + (f"(?![{guard}])" if guard else ""))
    return "|".join(parts)


_NUMBER = r"\d+(?:\.\d+)?"
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# A quantity, an ASCII run (model number, word, number) or a run of Chinese;
# everything else (punctuation, spaces, other scripts) only separates words.
# A quantity followed by /digit is part of a pair (10kv/0.4kv), read as a run.
_WORD_RE = re.compile(
    rf"(?P<num>{_NUMBER})"
    rf"(?: ?(?P<unit>{_alternation(_ASCII_UNITS)})(?![a-z0-9]|/\d)"
    rf"|(?P<letter>[{''.join(_LETTER_UNITS)}])(?![a-z0-9]|/\d)"
    rf"| ?(?P<cjk_unit>{_alternation(_CJK_UNITS)}))"
    rf"|(?P<run>[a-z0-9]+(?:[-/.+][a-z0-9]+)*)"
    rf"|(?P<cjk>[{_CJK}]+)"
)
_PART_SPLIT_RE = re.compile(r"([-/+])")
_CABLE_PART_RE = re.compile(rf"^(\d+)x({_NUMBER})(?:mm2|mm\^2|sqmm)?$")
_QUANTITY_PART_RE = re.compile(
    rf"^({_NUMBER})({_alternation({**_ASCII_UNITS, **_LETTER_UNITS})})?$"
)
_VARIANT_RE = re.compile(r"^([a-z]+\d+)[a-z]$")  # kyn28a -> kyn28
_LETTER_RE = re.compile(r"[a-z]")

# Ratings parse_model reads out of a model number, as unit tokens: S11-M-400/10
# also says 400kva and 10kv, KYN28A-12 says 10kv (the system level, not Um).
_SPEC_UNITS = {
    "capacity_kva": "kva",
    "voltage_kv": "kv",
    "rated_current_a": "a",
    "breaking_current_ka": "ka",
    "short_time_current_ka": "ka",
    "cross_section_mm2": "mm2",
    "capacity_kvar": "kvar",
    "power_kw": "kw",
}

# A run of more parts than this gets only its single parts and pairs.
_MAX_PARTS_EXPANDED = 6
_MAX_RUN_EXPANDED = 64
# Single Chinese function characters that carry nothing for search.
_STOP_CHARS = frozenset("的和与及或等")


def _value(number: str, unit: str) -> tuple[str, str]:
    """("400", "kva") for ("0.4", "mva"): the number in the canonical unit."""
    canonical, factor = _UNITS[unit]
    # Decimal keeps 0.4 MVA at exactly 400 kVA.
    return format_number(float(Decimal(number) * Decimal(factor))), canonical


# --- the state loaded on first use: rjieba and its dictionary, OpenCC, synonyms -------


class _State:
    def __init__(self) -> None:
        self.folding = _Folding()
        self.t2s = opencc.OpenCC("t2s")
        self.synonyms = _read_synonyms()
        self.domain_words = _domain_words(self.synonyms)
        # A private instance: the module-level rjieba.cut stays stock for others.
        self.jieba = rjieba.Jieba()
        # Shorter words first, so that a compound's suggested frequency is
        # computed against its parts as they will be.
        for word in sorted(self.domain_words, key=len):
            if self.jieba.cut(word, False) != [word]:
                self.jieba.add_word(word, None, None)


_state_lock = threading.Lock()
_loaded: _State | None = None


def _state() -> _State:
    global _loaded
    if _loaded is None:
        with _state_lock:
            if _loaded is None:
                _loaded = _State()
    return _loaded


def load() -> None:
    """Load rjieba, the dictionary and OpenCC now rather than on the first text."""
    _state()


def _data_lines(name: str) -> Iterator[str]:
    text = (files(__package__) / "data" / name).read_text("utf-8")
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            yield line


def _read_synonyms() -> dict[str, str]:
    """Each word of synonyms.txt -> the first word of its group."""
    synonyms: dict[str, str] = {}
    for line in _data_lines("synonyms.txt"):
        words = [_fold_word(word) for word in line.split()]
        for word in words:
            synonyms.setdefault(word, words[0])
    return synonyms


def _fold_word(word: str) -> str:
    # The data files are written in simplified characters already.
    return "".join(_fold(char) for char in word)


_CJK_RUN_RE = re.compile(rf"[{_CJK}]+")
_STOP_SPLIT_RE = re.compile(f"[{''.join(sorted(_STOP_CHARS))}]")


def _domain_words(synonyms: dict[str, str]) -> frozenset[str]:
    """userdict.txt, the Chinese words of synonyms.txt and the category names."""
    words = {_fold_word(line.split()[0]) for line in _data_lines("userdict.txt")}
    names = list(synonyms)
    for category in (*list_top_levels(), *all_leaf_categories()):
        names.extend((category.zh, *category.aliases))
    for name in names:
        # 箱式变电站(箱变), 电力变压器(35kV及以上), 开关柜及成套设备: the runs of
        # Chinese, split at function characters.
        for run in _CJK_RUN_RE.findall(_fold_word(name)):
            words.update(part for part in _STOP_SPLIT_RE.split(run) if len(part) > 1)
    return frozenset(words)


# --- Chinese words: sub-words and positions -------------------------------------------

# (term, first unit, last unit, start char, end char), relative to the word.
_Item = tuple[str, int, int, int, int]
# An analysed word: (unit, term, start char, end char) to emit, in unit order;
# the number of positions it spans; its query group.
_Entry = tuple[list[tuple[int, str, int, int]], int, list[str]]


def _best_split(word: str) -> list[str] | None:
    """The cheapest cover of ``word`` by shorter dictionary words; None if none."""
    state = _state()
    n = len(word)
    best: list[tuple[float, list[str]] | None] = [None] * (n + 1)
    best[0] = (0.0, [])
    for i in range(n):
        here = best[i]
        if here is None:
            continue
        for j in range(i + 1, min(n, i + n - 1) + 1):
            piece = word[i:j]
            if j - i == 1:
                cost = 2.0
            elif piece in state.domain_words:
                cost = 1.0
            elif state.jieba.has_word(piece):
                cost = 1.1
            else:
                continue
            there = best[j]
            if there is None or here[0] + cost < there[0]:
                best[j] = (here[0] + cost, [*here[1], piece])
    result = best[n]
    if result is None or all(len(piece) == 1 for piece in result[1]):
        return None
    return result[1]


def _tree(word: str) -> tuple[int, list[_Item]]:
    """The positions a word spans, and its items: itself and its sub-words."""
    # A three-character word splits only into a pair and a lone character
    # (变压+器, 互+感器): noise, so only longer words are split.
    pieces = _best_split(word) if len(word) >= 4 else None
    if pieces is None:
        return 1, [(word, 0, 0, 0, len(word))]
    # Beside a lone character, rjieba's dictionary offers odd pairs (九/五成新,
    # 移/开式/开关柜): then only domain words count as sub-words.
    domain_only = any(len(piece) == 1 for piece in pieces)
    domain_words = _state().domain_words
    units = 0
    chars = 0
    items: list[_Item] = []
    for piece in pieces:
        span, sub_items = _tree(piece)
        for term, first, last, start, end in sub_items:
            if len(term) > 1 and (not domain_only or term in domain_words):
                items.append(
                    (term, first + units, last + units, start + chars, end + chars)
                )
        units += span
        chars += len(piece)
    return units, [(word, 0, units - 1, 0, len(word)), *items]


@lru_cache(maxsize=20000)
def _chinese_entry(word: str) -> _Entry:
    synonyms = _state().synonyms
    units, items = _tree(word)
    emissions: dict[tuple[int, str], tuple[int, int]] = {}
    for term, first, last, start, end in items:
        canonical = synonyms.get(term)
        # A compound sits on its first and its last position: enough for it to
        # be in a phrase with the words before and after it.
        for unit in (first, last):
            emissions.setdefault((unit, term), (start, end))
            if canonical is not None:
                emissions.setdefault((unit, canonical), (start, end))
    ordered = sorted(
        ((unit, term, start, end) for (unit, term), (start, end) in emissions.items()),
        key=lambda emission: emission[0],
    )
    group = [word]
    canonical = synonyms.get(word)
    if canonical is not None and canonical != word:
        group.append(canonical)
    return ordered, units, group


# --- ASCII runs: model numbers, cable sizes, pairs, words and numbers -----------------


@lru_cache(maxsize=20000)
def _run_entry(run: str) -> _Entry:
    synonyms = _state().synonyms
    spans: dict[str, tuple[int, int]] = {run: (0, len(run))}
    group = [run]

    def add(term: str, start: int, end: int) -> None:
        spans.setdefault(term, (start, end))

    pieces = _PART_SPLIT_RE.split(run)
    parts, separators = pieces[0::2], pieces[1::2]
    starts = []
    offset = 0
    for i, piece in enumerate(pieces):
        if i % 2 == 0:
            starts.append(offset)
        offset += len(piece)
    count = len(parts)
    if count > 1 and len(run) <= _MAX_RUN_EXPANDED:
        longest = count if count <= _MAX_PARTS_EXPANDED else 2
        for i in range(count):
            for j in range(i, min(count, i + longest)):
                if j - i + 1 < count:
                    start, end = starts[i], starts[j] + len(parts[j])
                    add(run[start:end], start, end)
    numbers: list[tuple[str, str | None]] | None = []
    for part, start in zip(parts, starts):
        end = start + len(part)
        if match := _QUANTITY_PART_RE.match(part):
            if numbers is not None:
                numbers.append((match[1], match[2]))
            if match[2]:
                add("".join(_value(match[1], match[2])), start, end)
                add(match[1], start, end)
            continue
        numbers = None
        if match := _CABLE_PART_RE.match(part):
            cable = f"{match[1]}x{match[2]}"
            add(cable, start, end)
            add(f"{match[2]}mm2", start, end)
            if count == 1 and cable != run:
                group.append(cable)
        elif match := _VARIANT_RE.match(part):
            add(match[1], start, end)
    # 10/0.4kv and 10kv/0.4kv: numbers with the unit of the last one (or all in
    # one unit) are a pair; each number has that unit, and the pair two forms:
    # with its unit (10/0.4kv) and bare (10/0.4), as model numbers write it
    # (SCB11-630/10/0.4, YJV22-8.7/15), so that either finds the other.
    # 400-630kva: a range; each number has the unit.
    if count > 1 and numbers and len(set(separators)) == 1:
        unit = numbers[-1][1]
        if unit and all(u in (None, unit) for _, u in numbers):
            values = [_value(number, unit) for number, _ in numbers]
            if separators[0] == "/":
                pair = "/".join(value for value, _ in values) + values[0][1]
                bare = "/".join(number for number, _ in numbers)
                for form in (pair, bare):
                    add(form, 0, len(run))
                    if form not in group:
                        group.append(form)
            for (value, canonical), part, start in zip(values, parts, starts):
                add(value + canonical, start, start + len(part))
    if count > 1 and _LETTER_RE.search(run):
        parsed = parse_model(run)
        if parsed is not None:
            for key, spec in parsed.specs.items():
                unit = _SPEC_UNITS.get(key)
                if unit is not None and isinstance(spec, float):
                    add(format_number(spec) + unit, 0, len(run))
    for term in list(spans):
        canonical = synonyms.get(term)
        if canonical is not None:
            add(canonical, *spans[term])
            if term == run and canonical != run:
                group.append(canonical)
    return [(0, term, start, end) for term, (start, end) in spans.items()], 1, group


@lru_cache(maxsize=4096)
def _quantity_entry(number: str, unit: str, length: int) -> _Entry:
    term = "".join(_value(number, unit))
    return [(0, term, 0, length), (0, number, 0, len(number))], 1, [term]


# --- words, tokens and query groups ---------------------------------------------------


def _entries(text: str) -> list[tuple[int, _Entry]]:
    """(start in the normalised text, entry) for each word of normalised ``text``."""
    matches = list(_WORD_RE.finditer(text))
    runs = [match[0] for match in matches if match.lastgroup == "cjk"]
    cut_runs = iter(_cut_runs(runs))
    entries = []
    append = entries.append
    for match in matches:
        kind = match.lastgroup
        start = match.start()
        if kind == "cjk":
            for word in next(cut_runs):
                if len(word) > 1 or word not in _STOP_CHARS:
                    append((start, _chinese_entry(word)))
                start += len(word)
        elif kind == "run":
            append((start, _run_entry(match[0])))
        else:
            unit = match["unit"] or match["letter"] or match["cjk_unit"]
            append((start, _quantity_entry(match["num"], unit, match.end() - start)))
    return entries


def _cut_runs(runs: list[str]) -> list[list[str]]:
    """The rjieba words of each run of Chinese."""
    if not runs:
        return []
    cut = _state().jieba.cut
    # One call for the whole text: a call costs more than its characters do.
    joined = "\n".join(runs)
    words = cut(joined)
    per_run: list[list[str]] = [[]]
    for word in words:
        if word == "\n":
            per_run.append([])
        else:
            per_run[-1].append(word)
    if len(per_run) != len(runs) or "".join(words) != joined:  # pragma: no cover
        per_run = [cut(run) for run in runs]  # rjieba merged across a line break
    return per_run


def analyse(text: str) -> list[tuple[str, int, int, int]]:
    """(term, position, start char, end char) for every token of ``text``.

    Positions start at 0 and never decrease; offsets index ``text`` itself.
    """
    normalized, index = _normalize(text)
    tokens = []
    append = tokens.append
    position = 0
    for offset, (emissions, units, _group) in _entries(normalized):
        if index is None:
            for unit, term, start, end in emissions:
                append((term, position + unit, offset + start, offset + end))
        else:
            for unit, term, start, end in emissions:
                append(
                    (
                        term,
                        position + unit,
                        index[offset + start],
                        index[offset + end - 1] + 1,
                    )
                )
        position += units
    return tokens


# Short texts come back again and again while indexing (a category's and a
# region's names, models, makers) and a title is analysed for its field and for
# type-ahead: their tokens are remembered.
_SHORT = 80


@lru_cache(maxsize=16384)
def _analyse_short(text: str) -> tuple[tuple[str, int, int, int], ...]:
    return tuple(analyse(text))


def query_terms(text: str) -> list[list[str]]:
    """The query as term groups, one per word: the word and its exact equivalents.

    OR the terms within a group and AND the groups; for a phrase, take the first
    term of each group, in order. Parts of model numbers and Chinese sub-words are
    left out on purpose: the index holds them, so "400/10" finds S11-M-400/10,
    while KYN28A-12 does not find KYN28A-24.
    """
    return [list(entry[2]) for _offset, entry in _entries(normalize(text))]


class PowerTokenizer(Tokenizer):
    """The Whoosh tokenizer for listing text; see the module docstring.

    It emits the same tokens in every mode (index, query, highlighting): the
    query builder uses query_terms(), and the highlighter needs the expansions.
    """

    def __call__(  # type: ignore[override]
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        token.boost = 1.0
        token.stopped = False
        if not tokenize:
            tokens = [(normalize(value), 0, 0, len(value))]
        else:
            tokens = _analyse_short(value) if len(value) <= _SHORT else analyse(value)
        if positions and chars and not keeporiginal:  # indexing and highlighting
            for term, position, start, end in tokens:
                token.text = term
                token.pos = start_pos + position
                token.startchar = start_char + start
                token.endchar = start_char + end
                yield token
            return
        for term, position, start, end in tokens:
            token.text = term
            if keeporiginal:
                token.original = term
            if positions:
                token.pos = start_pos + position
            if chars:
                token.startchar = start_char + start
                token.endchar = start_char + end
            yield token


def power_analyzer() -> CompositeAnalyzer:
    """The analyzer for the public text fields (indexing and highlighting)."""
    return CompositeAnalyzer(PowerTokenizer())
