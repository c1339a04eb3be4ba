"""Queries: words never reach Whoosh's parser, filters, facets, sorts, pages,
highlights, "did you mean" and type-ahead."""

import html
import random
from collections import Counter
import re
import time
from dataclasses import dataclass
from datetime import timedelta

import pytest

from market.accounts.models import User
from market.database import china_today
from market.extensions import db
from market.listings import services
from market.listings.models import Listing
from market.search import SearchParams, enqueue_listing, search, suggest
from market.search import query as search_query
from market.search.index import create_index_dir, index_root, swap_current
from market.search.query import build_text_query
from market.search.schema import PART_SEPARATOR
from tests.listings.conftest import JINAN, LIXIA

INJECTIONS = [
    "status:pending",
    "enterprise_id:5",
    "*:*",
    "*a*",
    "price:[0 TO 999999999]",
    "title:SECRET OR kind:offer",
    "SECRET*",
    "listing_id:[0 TO 99999]",
    '"unbalanced',
    "((((((((((",
    "x" * 10_000,
    "变压器 " * 2_000,
    "SECRET " * 500,
]


@dataclass
class Corpus:
    a: int  # S11 oil-immersed offer, Zaozhuang, grade_90, 28000
    b: int  # SCB10 dry-type offer, Jinan, like_new, 90000, test report
    c: int  # box substation offer without "变压器" in its text, no price
    d: int  # wanted oil-immersed 315–630 kVA, budget 30000
    e: int  # 35 kV Siemens breaker with <script> in its title, new, 5000
    hidden: list[int]

    @property
    def public(self) -> set[int]:
        return {self.a, self.b, self.c, self.d, self.e}


@pytest.fixture
def corpus(make_listing, enterprise, searching) -> Corpus:
    a = make_listing(enterprise, description="退役变压器，油色谱正常。\n可现场看货。")
    b = make_listing(
        enterprise,
        category_slug="dry_type_transformer",
        title="SCB10-1000/10 干式变压器",
        model_raw="SCB10-1000/10",
        manufacturer="顺特电气",
        condition_grade="like_new",
        price_cny="90000",
        province="370000",
        city=JINAN,
        district=LIXIA,
        specs={"voltage_kv": "10", "capacity_kva": "1000", "lv_kv": "0.4"},
        documents=1,
    )
    c = make_listing(
        enterprise,
        category_slug="box_substation",
        title="二手美式箱变 出售",
        model_raw="ZGS11-500/10",
        manufacturer="正泰",
        condition_grade="serviceable",
        price_cny="",
        negotiable=True,
        specs={"voltage_kv": "10", "capacity_kva": "500"},
    )
    d = make_listing(enterprise, kind="wanted")
    e = make_listing(
        enterprise,
        category_slug="indoor_vacuum_breaker",
        title="西门子 Siemens 真空断路器 <script>alert(1)</script>",
        model_raw="3AH5",
        manufacturer="西门子",
        condition_grade="new",
        price_cny="5000",
        specs={
            "voltage_kv": "35",
            "rated_current_a": "1250",
            "breaking_current_ka": "25",
        },
    )
    hidden = [
        make_listing(enterprise, status="pending", title="待审核 SECRET 变压器").id,
        make_listing(enterprise, status="withdrawn", title="已撤回 SECRET 变压器").id,
        make_listing(enterprise, status="draft", title="草稿 SECRET 西门子").id,
    ]
    searching.sync(a.id, b.id, c.id, d.id, e.id, *hidden)
    return Corpus(a.id, b.id, c.id, d.id, e.id, hidden)


def test_words_find_titles_models_manufacturers_categories_and_regions(
    corpus, searching
):
    c = corpus
    assert set(searching.ids("变压器")) == {c.a, c.b, c.c, c.d}  # c via its category
    assert searching.ids("箱式变电站") == [c.c]
    assert searching.ids("S11-M-400/10") == [c.a]
    assert searching.ids("s11") == [c.a]
    assert searching.ids("正泰") == [c.c]
    assert searching.ids("西门子") == [c.e]
    assert set(searching.ids("枣庄")) == {c.a, c.c, c.d, c.e}
    assert set(searching.ids("济南 变压器")) == {c.b}  # AND across words
    assert searching.ids("SECRET") == []


def test_quoted_words_must_be_a_phrase(corpus, searching):
    assert set(searching.ids('"油浸式 变压器"')) == {corpus.a, corpus.d}
    assert searching.ids('"变压器 油浸式"') == []
    assert set(searching.ids("变压器 油浸式")) == {corpus.a, corpus.d}


def test_an_empty_query_lists_every_public_listing_newest_first(corpus, searching):
    result = searching.find("")
    assert result.total == 5
    assert result.ids == sorted(corpus.public, reverse=True)


def test_query_syntax_is_just_words_and_only_public_listings_come_back(
    corpus, searching
):
    for text in INJECTIONS:
        started = time.perf_counter()
        result = searching.find(text)
        elapsed = time.perf_counter() - started
        assert set(result.ids) <= corpus.public, text[:20]
        assert result.total == len(result.ids), text[:20]
        assert elapsed < 0.2, f"{text[:20]!r} took {elapsed * 1000:.0f} ms"


def test_the_text_is_capped_at_100_characters_and_12_word_groups():
    query, groups = build_text_query(" ".join(f"w{n}" for n in range(100)))
    assert len(groups) == 12
    assert {term for group in groups for term in group} <= {f"w{n}" for n in range(40)}
    assert build_text_query("*:* ()") == (None, [])


def test_filters(corpus, searching, monkeypatch):
    c = corpus
    cases = [
        (dict(kind="wanted"), {c.d}),
        (dict(kind="offer"), {c.a, c.b, c.c, c.e}),
        (dict(category="oil_immersed_transformer"), {c.a, c.d}),
        (dict(category="transformer"), {c.a, c.b, c.c, c.d}),  # a top level
        (dict(voltage_kv=35.0), {c.e}),
        (dict(voltage_kv=10), {c.a, c.b, c.c, c.d}),
        (dict(capacity_min=500, capacity_max=800), {c.c, c.d}),  # d wants 315–630
        (dict(capacity_min=900), {c.b}),
        (dict(capacity_max=350), {c.d}),
        (dict(price_max=29000), {c.a, c.e}),
        (dict(price_min=29000), {c.b, c.d}),
        (dict(price_min=20000, price_max=40000), {c.a, c.d}),
        (dict(condition="grade_90"), {c.a, c.b, c.e}),  # this grade or better
        (dict(condition="new"), {c.e}),
        (dict(city=JINAN), {c.b}),
        (dict(province="370000", district="370402"), {c.a, c.c, c.d, c.e}),
        (dict(has_report=True), {c.b}),
        (dict(within_days=7), c.public),
        (dict(kind="offer", category="transformer", price_max=50000), {c.a}),
        (dict(city="999999"), set()),  # a filter matching nothing: 0, not everything
        (dict(category="no_such_category"), set()),
    ]
    for params, expected in cases:
        assert set(searching.ids("", **params)) == expected, params
        assert searching.find("", **params).total == len(expected), params
    assert searching.find("变压器", city="999999").total == 0
    assert set(searching.ids("变压器", kind="offer")) == {c.a, c.b, c.c}

    later = china_today() + timedelta(days=10)
    monkeypatch.setattr(search_query, "china_today", lambda: later)
    assert searching.ids("", within_days=7) == []
    assert set(searching.ids("", within_days=30)) == c.public


def test_facets_count_the_whole_result_and_only_when_asked(corpus, searching):
    result = searching.find("")
    assert result.facets == {
        "category": [
            ("oil_immersed_transformer", 2),
            ("box_substation", 1),
            ("dry_type_transformer", 1),
            ("indoor_vacuum_breaker", 1),
        ],
        "city": [("370400", 4), (JINAN, 1)],
        "voltage": [("10", 4), ("35", 1)],
        "condition": [("serviceable", 2), ("grade_90", 1), ("like_new", 1), ("new", 1)],
    }
    filtered = searching.find("变压器", per_page=1, city="370400")
    assert filtered.facets["city"] == [("370400", 3)]
    assert filtered.facets["voltage"] == [("10", 3)]
    assert searching.find("", facets=False).facets == {}


def test_facet_counts_equal_whoosh_groupedby(app, corpus, searching):
    from whoosh import sorting
    from whoosh.query import Every

    from market.search.index import get_searcher

    result = searching.find("")
    with app.app_context():
        searcher = get_searcher(index_root())
        facets = {
            "category": sorting.FieldFacet("category"),
            "city": sorting.FieldFacet("city"),
            "voltage": sorting.FieldFacet("voltage", allow_overlap=True),
            "condition": sorting.FieldFacet("condition"),
        }
        groups = searcher.search(Every(), groupedby=facets, maptype=sorting.Count)
        for name in facets:
            expected = {k: v for k, v in groups.groups(name).items() if k}
            assert dict(result.facets[name]) == expected, name


def test_sorts(corpus, searching):
    c = corpus
    assert searching.ids("", sort="newest") == [c.e, c.d, c.c, c.b, c.a]
    assert searching.ids("", sort="price_asc") == [
        c.e,
        c.a,
        c.d,
        c.b,
        c.c,
    ]  # no price last
    assert searching.ids("", sort="price_desc") == [c.b, c.d, c.a, c.e, c.c]
    assert searching.ids("", sort="nonsense") == [c.e, c.d, c.c, c.b, c.a]
    # Relevance: a title hit (boost 3) beats a category-name-only hit.
    ranked = searching.ids("变压器", sort="relevance")
    assert ranked[-1] == c.c


def test_pages(corpus, searching):
    c = corpus
    pages = [searching.find("", sort="newest", per_page=2, page=n) for n in (1, 2, 3)]
    assert [p.ids for p in pages] == [[c.e, c.d], [c.c, c.b], [c.a]]
    assert {p.total for p in pages} == {5}
    past_the_end = searching.find("", sort="newest", per_page=2, page=9)
    assert (past_the_end.page, past_the_end.ids) == (3, [c.a])
    huge = searching.find("", per_page=10_000, page=-4)
    assert (huge.per_page, huge.page, len(huge.ids)) == (50, 1, 5)


def test_highlights_mark_hits_and_escape_everything_else(corpus, searching):
    result = searching.find("Siemens")
    snippet = result.highlights[corpus.e]
    assert "<mark>Siemens</mark>" in snippet
    assert "<script>" not in snippet and "&lt;script&gt;" in snippet
    assert re.sub(r"</?mark>", "", snippet) == html.escape(
        "西门子 Siemens 真空断路器 <script>alert(1)</script>"
    )

    description = searching.find("变压器").highlights[corpus.a]
    assert "<mark>变压器</mark>" in description  # the description's hit, not the title
    assert html.unescape(re.sub(r"</?mark>", "", description)).startswith("退役变压器")

    assert searching.find("").highlights == {}


def test_did_you_mean(corpus, searching):
    result = searching.find("Siemans")
    assert result.total == 0
    assert result.suggestion is not None
    assert searching.ids(result.suggestion) == [corpus.e]

    assert searching.find("变压器").suggestion is None  # enough hits
    assert searching.find("qqqqzzzzkkkk").suggestion is None  # nothing close
    assert searching.find("Siemans", city=JINAN).suggestion is None  # no more hits


def test_suggest_titles_models_and_manufacturers(app, corpus, searching, monkeypatch):
    with app.app_context():
        assert suggest("s11") == [
            "S11-M-400/10",
            "S11-M-400/10 油浸式变压器 400kVA 九成新",
        ]
        assert suggest("西门") == [
            "西门子",
            "西门子 Siemens 真空断路器 <script>alert(1)</script>",
        ]
        assert "S11-M-400/10 油浸式变压器 400kVA 九成新" in suggest("变压器")  # inside
        assert len(suggest("变压器", limit=2)) == 2
        assert suggest("SECRET") == [] and suggest("") == [] and suggest("   ") == []
        assert suggest("x" * 500) == []

    later = china_today() + timedelta(days=400)  # past every post's validity
    monkeypatch.setattr(search_query, "china_today", lambda: later)
    with app.app_context():
        assert suggest("西门") == []
    monkeypatch.undo()

    with app.app_context():
        listing = db.session.get(Listing, corpus.e)
        services.withdraw_listing(
            db.session.get(User, listing.enterprise.users[0].id), listing
        )
        enqueue_listing(corpus.e)
        db.session.commit()
    searching.apply()
    with app.app_context():
        assert suggest("西门") == []


def test_totals_and_facets_are_exact_with_words_and_filters(app):
    """Compared with brute force over 400 documents. Whoosh miscounts And-filters
    and empty filters, and while ranking it stops visiting documents that can no
    longer reach the top N: words only in descriptions after many title hits."""
    rng = random.Random(7)
    words = [
        "变压器",
        "断路器",
        "开关柜",
        "电缆",
        "互感器",
        "箱变",
        "二手",
        "出售",
        "求购",
    ]
    documents = []
    with app.app_context():
        root = index_root()
        path, index = create_index_dir(root)
        writer = index.writer()
        for number in range(1, 401):
            title = " ".join(rng.sample(words, 2)) if number <= 60 else "设备"
            description = " ".join(rng.sample(words, 3))
            document = {
                "listing_id": str(number),
                "id_num": number,
                "version": 1,
                "kind": rng.choice(["offer", "wanted"]),
                "category": rng.choice(["a", "b"]),
                "family": "y",
                "province": "370000",
                "city": rng.choice(["370400", "370100"]),
                "title": title,
                "text": PART_SEPARATOR.join(["", "", description]),
                "price_yuan": rng.randrange(1000, 100_000),
                "has_price": "1",
                "published_days": 20000,
                "public_until": 1_000_000,
                "has_report": "0",
            }
            writer.add_document(**document)
            documents.append(document)
        writer.commit()
        swap_current(root, path)

        for _ in range(30):
            text = " ".join(rng.sample(words, rng.randint(1, 2)))
            params = dict(
                kind=rng.choice([None, "offer"]), city=rng.choice([None, "370400"])
            )
            params["price_max"] = rng.choice([None, 50_000])
            expected = [
                d
                for d in documents
                if all(word in d["title"] + d["text"] for word in text.split())
                and (params["kind"] is None or d["kind"] == params["kind"])
                and (params["city"] is None or d["city"] == params["city"])
                and (
                    params["price_max"] is None
                    or d["price_yuan"] <= params["price_max"]
                )
            ]
            result = search(SearchParams(q=text, per_page=10, **params))
            assert result.total == len(expected), (text, params)
            assert len(result.ids) == min(10, len(expected))
            categories = Counter(d["category"] for d in expected)
            assert dict(result.facets.get("category", [])) == categories, text


def test_ranking_still_counts_every_match(app, monkeypatch):
    """While ranking, Whoosh skips documents that can no longer reach the top N
    (it turns a weak Or branch into an optional one); totals must not shrink."""
    with app.app_context():
        root = index_root()
        path, index = create_index_dir(root)
        writer = index.writer()
        for number in range(1, 301):
            strong = number <= 30  # the word in the title, more and more: rising
            title = " ".join(["alpha"] * (1 + number // 3)) if strong else "设备"
            description = "" if strong else "beta"
            writer.add_document(
                listing_id=str(number),
                id_num=number,
                version=1,
                kind="offer",
                category="x",
                city="370400",
                condition="new",
                title=title,
                text=PART_SEPARATOR.join(["", "", description]),
                has_price="0",
                published_days=20000,
                public_until=1_000_000,
            )
        writer.commit()
        swap_current(root, path)
        monkeypatch.setattr(
            search_query, "query_terms", lambda text: [["alpha", "beta"]]
        )

        result = search(SearchParams(q="alpha", per_page=5))

    assert result.total == 300
    assert result.facets["category"] == [("x", 300)]
    assert set(result.ids) <= set(range(1, 31))  # title hits rank first
