"""Tests for the power analyzer: normalisation, tokens, positions, offsets, pickling,
and the search probes of SEARCH-NOTES run through real one-document Whoosh indexes."""

from __future__ import annotations

import pickle
import re
from collections.abc import Iterator
from importlib.resources import files

import pytest
from whoosh import index as whoosh_index
from whoosh.fields import ID, TEXT, Schema
from whoosh.highlight import ContextFragmenter, HtmlFormatter, highlight
from whoosh.query import And, Or, Phrase, Term

from market.domain.categories import all_leaf_categories, list_top_levels
from market.search.analysis import (
    PowerTokenizer,
    analyse,
    normalize,
    power_analyzer,
    query_terms,
)


def _data_lines(name: str) -> Iterator[str]:
    text = (files("market.search") / "data" / name).read_text("utf-8")
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            yield line


def _schema() -> Schema:
    return Schema(
        doc=ID(stored=True),
        body=TEXT(analyzer=power_analyzer(), phrase=True, stored=True),
    )


def _search(tmp_path, document: str, query) -> bool:
    """Whether ``query`` (a function of the field name) finds ``document``."""
    directory = tmp_path / f"index-{len(list(tmp_path.iterdir()))}"
    directory.mkdir()
    ix = whoosh_index.create_in(str(directory), _schema())
    with ix.writer() as writer:
        writer.add_document(doc="1", body=document)
    # Open it again, as a web worker would: the schema (and analyzer) is unpickled.
    ix = whoosh_index.open_dir(str(directory))
    with ix.searcher() as searcher:
        return len(searcher.search(query("body"), limit=1)) == 1


def _terms_query(text: str):
    groups = query_terms(text)
    assert groups, text
    return lambda field: And([Or([Term(field, t) for t in group]) for group in groups])


def _phrase_query(text: str):
    words = [group[0] for group in query_terms(text)]
    return lambda field: Phrase(field, words)


def finds(tmp_path, query: str, document: str) -> bool:
    return _search(tmp_path, document, _terms_query(query))


# --- the probes (SEARCH-NOTES) --------------------------------------------------------

S11_DOC = "出售二手S11-M-400/10油浸式变压器一台，九成新，2016年出厂"
SCB_DOC = "SCB10-1000/10干式变压器，环氧树脂浇注，带温控箱"
KYN_DOC = "KYN28A-12高压开关柜12面，配VS1真空断路器"
ZW_DOC = "ZW32-12/630-20户外柱上真空断路器"
CABLE_DOC = "YJV22-8.7/15 3×240电力电缆，500米，国标足米"

FINDS = [
    ("S11", S11_DOC),
    ("s11", S11_DOC),
    ("SCB10", SCB_DOC),
    ("KYN28A", KYN_DOC),
    ("ZW32", ZW_DOC),
    ("YJV22", CABLE_DOC),
    ("S11-M-400/10", S11_DOC),
    ("400/10", S11_DOC),
    ("SCB10-1000/10", SCB_DOC),
    ("KYN28A-12", KYN_DOC),
    ("8.7/15", CABLE_DOC),
    ("KYN28", KYN_DOC),
    ("3x240", CABLE_DOC),
    ("3*240", CABLE_DOC),
    ("ＫＹＮ２８Ａ－１２", KYN_DOC),
    ("KYN28A-12", "出售ＫＹＮ２８Ａ－１２开关柜"),
    ("箱式变电站", "箱式變電站一台"),
    ("箱式變電站", "箱式变电站一台"),
    ("开关柜", "開關櫃12面"),
    ("開關櫃", "开关柜12面"),
    ("干式", "乾式變壓器"),
    ("乾式", "干式变压器"),
    ("箱式变电站", "美式箱变ZGS11-Z-400/10"),
    ("箱变", "预装式变电站YB27-12/0.4-630"),
    ("油浸式", "出售10型油浸式变压器"),
    ("变压器", "二手变压器出售"),
    ("变压器", "SCB10干式变压器"),
    ("环网箱", "RMU环网柜一进两出"),
    ("ct", "LZZBJ9-10电流互感器"),
    ("电能表", "三相电表DTZY1296"),
    ("400kVA 变压器", S11_DOC),  # the model's rating
    ("10kV 开关柜", KYN_DOC),  # KYN28A-12 is 10 kV gear
    ("240平方 电缆", CABLE_DOC),
    ("10/0.4kV", "S11-M-400/10 10kV/0.4kV"),
    ("10kV/0.4kV", "S11-M-400/10 10/0.4kV"),
    ("8.7/15kV", CABLE_DOC),  # a pair with its unit finds the bare pair
    ("10/0.4kV", "SCB11-630/10/0.4干式变压器"),
    ("8.7/15", "8.7/15kV电缆"),  # and the other way round
    ("400kVA", "求购400-630kVA箱变"),  # each end of a range has the unit
    ("10kV", "10千伏安全距离"),
]

UNIT_SPELLINGS = [
    ["400kVA", "400千伏安", "0.4MVA", "400 KVA", "400KV·A", "４００ｋＶＡ"],
    ["10kV", "10千伏", "10KV", "１０ｋＶ"],
    ["630A", "630安", "630 安培"],
    ["31.5kA", "31.5千安"],
    ["240mm²", "240平方", "240mm2", "240平方毫米"],
    ["200kW", "200千瓦", "0.2MW"],
    ["300kvar", "300千乏", "0.3Mvar"],
    ["1200m", "1.2公里", "1.2km", "1200米"],
]

MISSES = [
    ("KYN28A-12", "KYN28A-24高压开关柜，共12面"),
    ("YJV22-8.7/15 3×240", "YJV22-8.7/10 3×150电缆，15米，240元/米"),
    ("S11-M-400/10", "S11-M-630/10油浸式变压器，400台起订"),
    ("KYN28A", "KYN28B-12开关柜"),
    ("400kVA", "SCB10-630/10，400米电缆"),
    ("箱式变电站", "变电站值班室"),
    ("10kVA", "10千伏安全距离"),  # 10千伏安 is not a unit before 全 (安全)
]


@pytest.mark.parametrize(("query", "document"), FINDS)
def test_probe_finds(tmp_path, query, document):
    assert finds(tmp_path, query, document)


@pytest.mark.parametrize(("query", "document"), MISSES)
def test_probe_does_not_find(tmp_path, query, document):
    assert not finds(tmp_path, query, document)


@pytest.mark.parametrize("spellings", UNIT_SPELLINGS, ids=lambda s: s[0])
def test_unit_spellings_find_each_other(tmp_path, spellings):
    for query in spellings:
        for document in spellings:
            assert finds(tmp_path, query, f"出售{document}设备"), (query, document)


def test_phrase_finds_words_inside_a_compound(tmp_path):
    # 油浸式变压器 is one dictionary word; its parts sit on consecutive positions.
    assert _search(tmp_path, "S11油浸式变压器", _phrase_query("油浸式 变压器"))
    assert _search(tmp_path, "二手干式变压器出售", _phrase_query("干式 变压器"))
    assert _search(tmp_path, "二手干式变压器出售", _phrase_query("干式变压器 出售"))
    assert _search(tmp_path, "二手干式变压器出售", _phrase_query("二手 干式变压器"))
    assert _search(tmp_path, "KYN28A-12高压开关柜", _phrase_query("KYN28A 高压开关柜"))
    assert not _search(tmp_path, "变压器二手出售", _phrase_query("二手 变压器"))


# --- normalisation --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ＫＹＮ２８Ａ－１２", "kyn28a-12"),
        ("箱式變電站 開關櫃 乾式變壓器", "箱式变电站 开关柜 干式变压器"),
        ("3×240 3X240 3*240 3x240", "3x240 3x240 3x240 3x240"),
        ("KV·A S11-M·R", "kv.a s11-m.r"),
        ("XGN15-12 ×", "xgn15-12 ×"),  # x only between digits
        ("240mm²，0.4MVA", "240mm2,0.4mva"),
        ("3×240㎟", "3x240mm2"),
        ("运行正常……", "运行正常……"),  # kept one for one
    ],
)
def test_normalize(text, expected):
    assert normalize(text) == expected


# --- tokens, positions, offsets -------------------------------------------------------


def _tokens(text: str) -> list[tuple[str, int, int, int]]:
    return [
        (t.text, t.pos, t.startchar, t.endchar)
        for t in power_analyzer()(text, positions=True, chars=True)
    ]


def test_model_number_expands_to_its_parts_on_one_position():
    tokens = _tokens("S11-M-400/10")
    assert {term for term, *_ in tokens} >= {
        "s11-m-400/10", "s11", "m", "400", "10", "s11-m", "m-400", "400/10",
        "s11-m-400", "m-400/10", "400kva", "10kv",
    }  # fmt: skip
    assert {pos for _, pos, *_ in tokens} == {0}
    assert ("s11", 0, 0, 3) in tokens
    assert ("400/10", 0, 6, 12) in tokens


def test_trailing_letter_variant_and_cable_size():
    assert "kyn28" in {term for term, *_ in _tokens("KYN28A-12")}
    assert "s1" not in {term for term, *_ in _tokens("S11")}
    terms = {term for term, *_ in _tokens("3×240+1×120")}
    assert {"3x240", "1x120", "240mm2", "120mm2"} <= terms


def test_quantity_gives_canonical_and_bare_number():
    assert _tokens("0.4MVA") == [("400kva", 0, 0, 6), ("0.4", 0, 0, 3)]
    assert _tokens("400 千伏安") == [("400kva", 0, 0, 7), ("400", 0, 0, 3)]


def test_chinese_sub_words_and_synonyms_share_positions():
    tokens = _tokens("二手干式变压器出售")
    assert ("二手", 0, 0, 2) in tokens
    assert ("干式", 1, 2, 4) in tokens
    assert ("变压器", 2, 4, 7) in tokens
    for pos in (1, 2):
        assert ("干式变压器", pos, 2, 7) in tokens
        assert ("干变", pos, 2, 7) in tokens  # the synonym group's first word
    assert ("出售", 3, 7, 9) in tokens


def test_positions_never_decrease():
    text = "出售二手S11-M-400/10油浸式变压器，柴油发电机组200kW，跌落式熔断器和避雷器"
    positions = [pos for _, pos, *_ in _tokens(text)]
    assert positions == sorted(positions)


def test_function_characters_and_punctuation_are_dropped():
    terms = [term for term, *_ in _tokens("电流互感器和电压互感器、避雷器等。")]
    assert not {"和", "等", "、", "。"} & set(terms)
    assert query_terms("电流互感器和电压互感器") == [
        ["电流互感器", "ct"],
        ["电压互感器", "pt"],
    ]


@pytest.mark.parametrize(
    ("text", "term", "original"),
    [
        ("出售ＫＹＮ２８Ａ－１２開關櫃", "kyn28a-12", "ＫＹＮ２８Ａ－１２"),
        ("出售ＫＹＮ２８Ａ－１２開關櫃", "开关柜", "開關櫃"),
        ("YJV22 3×240㎟ 電纜", "3x240", "3×240㎟"),
        ("YJV22 3×240㎟ 電纜", "电缆", "電纜"),
        ("İ型 400千伏安 乾式變壓器", "干式", "乾式"),
        ("İ型 400千伏安 乾式變壓器", "400kva", "400千伏安"),
        ("运行正常……0.4MVA箱變", "箱变", "箱變"),
        ("🔥特价ＳＣＢ１０乾式變壓器", "scb10", "ＳＣＢ１０"),  # beyond the BMP
        ("🔥特价ＳＣＢ１０乾式變壓器", "变压器", "變壓器"),
    ],
)
def test_offsets_point_into_the_original_text(text, term, original):
    spans = [(start, end) for t, _, start, end in _tokens(text) if t == term]
    assert spans, term
    assert [text[start:end] for start, end in spans][0] == original


def test_offsets_are_inside_the_text():
    text = "ＫＹＮ２８Ａ－１２，㎟…İ 3×240㎟ ⑩kV 乾式變壓器"
    for _term, _pos, start, end in _tokens(text):
        assert 0 <= start < end <= len(text)


def test_start_pos_and_start_char_are_honoured():
    tokens = power_analyzer()(
        "二手 变压器", positions=True, chars=True, start_pos=10, start_char=100
    )
    assert [(t.text, t.pos, t.startchar) for t in tokens] == [
        ("二手", 10, 100),
        ("变压器", 11, 103),
    ]


def test_highlighting_marks_the_original_text():
    text = "出售二手乾式變壓器SCB10-1000/10"
    marked = highlight(
        text, {"变压器", "scb10"}, power_analyzer(), ContextFragmenter(), HtmlFormatter()
    )
    assert "變壓器" in marked and "SCB10" in marked
    assert re.search(r"<strong[^>]*>[^<]*變壓器", marked)


# --- query groups ---------------------------------------------------------------------


def test_query_terms_stay_precise():
    assert query_terms("箱式變電站 KYN28A-12 400千伏安 3×240mm²") == [
        ["箱式变电站", "箱变"],
        ["kyn28a-12"],
        ["400kva"],
        ["3x240mm2", "3x240"],
    ]
    assert query_terms("10kV/0.4kV") == [["10kv/0.4kv", "10/0.4kv", "10/0.4"]]
    assert query_terms("RMU") == [["rmu", "环网柜"]]
    assert query_terms("，。 、") == []


# --- the analyzer in a schema ---------------------------------------------------------


def test_analyzer_survives_pickling():
    analyzer = power_analyzer()
    copy = pickle.loads(pickle.dumps(analyzer))
    text = "出售ＫＹＮ２８Ａ－１２開關櫃，400千伏安"
    assert [t.text for t in copy(text)] == [t.text for t in analyzer(text)]
    assert copy == analyzer
    schema = pickle.loads(pickle.dumps(_schema()))
    assert isinstance(schema["body"].analyzer[0], PowerTokenizer)


def test_analyse_and_tokenizer_agree():
    text = "二手S11-M-400/10油浸式变压器，0.4MVA"
    assert analyse(text) == _tokens(text)


def test_tokenize_false_yields_the_normalised_value():
    tokens = [t.text for t in power_analyzer()("ＫＹＮ２８Ａ 開關櫃", tokenize=False)]
    assert tokens == ["kyn28a 开关柜"]


# --- data files -----------------------------------------------------------------------


def test_synonym_words_are_normalised_and_in_one_group_only():
    seen: dict[str, int] = {}
    for number, line in enumerate(_data_lines("synonyms.txt")):
        words = line.split()
        assert len(words) > 1, line
        for word in words:
            assert normalize(word) == word, word
            assert seen.setdefault(word, number) == number, f"{word} in two groups"


def _chinese_names() -> set[str]:
    names = set()
    for category in (*list_top_levels(), *all_leaf_categories()):
        for name in (category.zh, *category.aliases):
            for run in re.findall(r"[\u4e00-\u9fff]+", name):
                names.update(p for p in re.split("[的和与及或等]", run) if len(p) > 1)
    return names


def test_category_names_and_domain_words_segment_whole():
    words = _chinese_names() | {
        line.split()[0] for line in _data_lines("userdict.txt")
    }
    for word in sorted(words):
        assert query_terms(word)[0][0] == word, word
