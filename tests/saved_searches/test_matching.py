"""saved_search_matches: a post judged against a search without the index, giving
the same answers as the index does."""

import pytest

from market.extensions import db
from market.listings.models import Listing
from market.saved_searches.matching import saved_search_matches
from market.search import SearchParams
from tests.listings.conftest import JINAN, LIXIA

# (query words, filters): every case is asked of the index and of the predicate.
CASES = [
    ("变压器", {}),
    ("箱式变电站", {}),
    ("S11-M-400/10", {}),
    ("s11", {}),
    ("400/10", {}),
    ("KYN28A-24", {}),
    ("正泰", {}),
    ("西门子", {}),
    ("枣庄", {}),
    ("济南 变压器", {}),
    ("干变", {}),  # a synonym of 干式变压器
    ("400kVA", {}),
    ("0.4MVA", {}),
    ('"油浸式 变压器"', {}),
    ('"变压器 油浸式"', {}),
    ("变压器 油浸式", {}),
    ('"油浸式', {}),  # an unbalanced quote is a character
    ("*:* ()", {}),
    ("status:pending", {}),
    ("SECRET", {}),
    ("", {"kind": "wanted"}),
    ("", {"kind": "offer"}),
    ("", {"category": "oil_immersed_transformer"}),
    ("", {"category": "transformer"}),
    ("", {"voltage_kv": 35.0}),
    ("", {"voltage_kv": 10}),
    ("", {"capacity_min": 500, "capacity_max": 800}),
    ("", {"capacity_min": 900}),
    ("", {"capacity_max": 350}),
    ("", {"price_max": 29000}),
    ("", {"price_min": 29000}),
    ("", {"price_min": 20000, "price_max": 40000}),
    ("", {"condition": "grade_90"}),
    ("", {"condition": "new"}),
    ("", {"city": JINAN}),
    ("", {"province": "370000", "district": "370402"}),
    ("", {"has_report": True}),
    ("", {"within_days": 7}),
    ("", {"kind": "offer", "category": "transformer", "price_max": 50000}),
    ("", {"city": "999999"}),
    ("变压器", {"kind": "offer", "voltage_kv": 10, "condition": "serviceable"}),
    ("箱变", {"capacity_min": 400, "city": "370400"}),
]


@pytest.fixture
def corpus(app, make_listing, approved, searching) -> dict[str, int]:
    made = {
        "a": make_listing(approved, description="退役变压器，油色谱正常。\n可现场看货。"),
        "b": make_listing(
            approved,
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
        ),
        "c": make_listing(
            approved,
            category_slug="box_substation",
            title="二手美式箱变 出售",
            model_raw="ZGS11-500/10",
            manufacturer="正泰",
            condition_grade="serviceable",
            price_cny="",
            negotiable=True,
            specs={"voltage_kv": "10", "capacity_kva": "500"},
        ),
        "d": make_listing(approved, kind="wanted"),
        "e": make_listing(
            approved,
            category_slug="indoor_vacuum_breaker",
            title="西门子 Siemens 真空断路器 KYN28A-12",
            model_raw="3AH5",
            manufacturer="西门子",
            condition_grade="new",
            price_cny="5000",
            specs={"voltage_kv": "35", "rated_current_a": "1250",
                   "breaking_current_ka": "25"},
        ),  # fmt: skip
    }
    ids = {name: listing.id for name, listing in made.items()}
    searching.sync(*ids.values())
    return ids


def test_the_predicate_agrees_with_the_index(app, corpus, searching):
    disagreements = []
    with app.app_context():
        listings = {name: db.session.get(Listing, i) for name, i in corpus.items()}
        for q, filters in CASES:
            by_index = set(searching.ids(q, **filters))
            by_predicate = {
                listing.id
                for listing in listings.values()
                if saved_search_matches(SearchParams(q=q, **filters), listing)
            }
            if by_index != by_predicate:
                disagreements.append((q, filters, by_index, by_predicate))
    assert disagreements == []
    # The cases are not vacuous: each post is found by some and missed by others.
    for listing_id in corpus.values():
        hits = sum(listing_id in set(searching.ids(q, **f)) for q, f in CASES)
        assert 0 < hits < len(CASES)


def test_stored_params_are_read_like_a_query_string(app, corpus):
    with app.app_context():
        listing = db.session.get(Listing, corpus["a"])
        assert saved_search_matches({"q": "变压器", "voltage_kv": "10"}, listing)
        assert saved_search_matches({"price_max": "29000", "kind": "offer"}, listing)
        assert not saved_search_matches({"price_max": "1000"}, listing)
        assert not saved_search_matches({"kind": "wanted"}, listing)
        # Unknown or malformed values are ignored, as the search page ignores them.
        malformed = {"q": "S11", "voltage_kv": "abc", "x": "1"}
        assert saved_search_matches(malformed, listing)


def test_no_index_is_needed(app, make_listing, approved):
    """A post not (yet) indexed is judged all the same."""
    made = make_listing(approved)
    with app.app_context():
        listing = db.session.get(Listing, made.id)
        assert saved_search_matches({"q": "油浸式变压器 九成新"}, listing)
        assert not saved_search_matches({"q": "干式变压器"}, listing)
