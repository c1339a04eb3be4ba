"""Tests for scoring: every component, the hard constraints, both directions, rank."""

import random
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest

from market.matching.scoring import (
    NOTIFY_THRESHOLD,
    WEIGHTS,
    Outcome,
    PostFacts,
    Prefilter,
    family_categories,
    is_compatible,
    prefilter,
    rank,
    score,
)

MET, NEAR, UNMET, UNKNOWN = Outcome.MET, Outcome.NEAR, Outcome.UNMET, Outcome.UNKNOWN
TRANSFORMERS = (
    "oil_immersed_transformer",
    "dry_type_transformer",
    "amorphous_transformer",
    "box_substation",
    "power_transformer_hv",
    "special_transformer",
)


def part(wanted, offer, today, key):
    component = score(wanted, offer, today).component(key)
    assert component is not None
    return component


def test_weights_add_up_to_100() -> None:
    assert sum(WEIGHTS.values()) == 100


def test_a_well_fitting_pair_scores_high_with_every_component(
    make_wanted, make_offer, today
) -> None:
    result = score(make_wanted(), make_offer(), today)
    assert (result.wanted_id, result.offer_id) == (1, 2)
    assert [c.key for c in result.components] == [
        "voltage", "category", "rating", "quantity", "price", "condition", "region",
        "freshness", "evidence",
    ]  # fmt: skip
    # Everything full but the region: same city, not the same district (8 of 10).
    assert [c.points for c in result.components] == [10, 10, 25, 10, 15, 10, 8, 5, 5]
    assert result.score == 98.0
    assert result.compatible
    assert result.worth_notifying


# --- voltage ---


def test_voltage_met_when_the_offer_level_is_listed(
    make_wanted, make_offer, today
) -> None:
    c = part(make_wanted(), make_offer(), today, "voltage")
    assert (c.outcome, c.points, c.weight) == (MET, 10.0, 10)
    assert (c.required, c.offered) == ((10.0,), 10.0)


def test_voltage_unmet_scores_nothing_and_breaks_the_hard_constraint(
    make_wanted, make_offer, today
) -> None:
    offer = make_offer(specs={"voltage_kv": 35.0, "capacity_kva": 400.0})
    result = score(make_wanted(), offer, today)
    c = result.component("voltage")
    assert c is not None
    assert (c.outcome, c.points, c.weight) == (UNMET, 0.0, 10)
    assert result.score == 88.0
    assert not result.compatible
    assert not result.worth_notifying


def test_voltage_missing_from_the_offer_earns_half(
    make_wanted, make_offer, today
) -> None:
    offer = make_offer(specs={"capacity_kva": 400.0})
    result = score(make_wanted(), offer, today)
    c = result.component("voltage")
    assert c is not None
    assert (c.outcome, c.points, c.weight) == (UNKNOWN, 5.0, 10)
    assert result.score == 93.0


def test_voltage_missing_from_the_wanted_post_does_not_count(
    make_wanted, make_offer, today
) -> None:
    wanted = make_wanted(specs={"capacity_kva": [300.0, 500.0]})
    result = score(wanted, make_offer(), today)
    c = result.component("voltage")
    assert c is not None
    assert (c.outcome, c.points, c.weight) == (UNKNOWN, 0.0, 0)
    assert result.score == 97.8  # 88 of 90


def test_no_voltage_component_for_a_category_without_levels(
    make_wanted, make_offer, today
) -> None:
    wanted = make_wanted(category_slug="diesel_genset", specs={"power_kw": [150, 300]})
    offer = make_offer(category_slug="diesel_genset", specs={"power_kw": 225.0})
    result = score(wanted, offer, today)
    assert result.component("voltage") is None
    assert result.component("rating").points == 25.0  # type: ignore[union-attr]
    assert result.score == 97.8  # 88 of 90


# --- category ---


def test_category_met_for_the_same_sub_category(
    make_wanted, make_offer, today
) -> None:
    c = part(make_wanted(), make_offer(), today, "category")
    assert (c.outcome, c.points) == (MET, 10.0)
    assert (c.required, c.offered) == (
        "oil_immersed_transformer",
        "oil_immersed_transformer",
    )


def test_category_near_for_a_sibling_in_the_family(
    make_wanted, make_offer, today
) -> None:
    offer = make_offer(category_slug="dry_type_transformer")
    result = score(make_wanted(), offer, today)
    c = result.component("category")
    assert c is not None
    assert (c.outcome, c.points) == (NEAR, 3.0)
    assert result.score == 91.0
    assert result.compatible


def test_category_unmet_for_another_family(make_wanted, make_offer, today) -> None:
    offer = make_offer(category_slug="diesel_genset", specs={"power_kw": 200.0})
    result = score(make_wanted(), offer, today)
    c = result.component("category")
    assert c is not None
    assert (c.outcome, c.points) == (UNMET, 0.0)
    assert not result.compatible
    # The genset states neither voltage nor capacity: half of 10 and of 25.
    assert result.score == 70.5


# --- rating ---


@pytest.mark.parametrize(
    ("bounds", "value", "outcome", "points"),
    [
        ([300.0, 500.0], 400.0, MET, 25.0),  # the middle
        ([300.0, 500.0], 450.0, MET, 22.5),  # halfway to the end
        ([300.0, 500.0], 500.0, MET, 20.0),  # the end
        ([630.0, 630.0], 630.0, MET, 25.0),  # a single value
        ([400.0, None], 1000.0, MET, 25.0),  # open above
        ([400.0, 630.0], 315.0, NEAR, 6.5),  # 21.25 % below: the example
        ([400.0, 500.0], 600.0, NEAR, 7.0),  # 20 % above
        ([300.0, 500.0], 225.0, NEAR, 5.0),  # exactly 25 % below
        ([400.0, 500.0], 630.0, UNMET, 0.0),  # 26 % above
        ([None, 500.0], 630.0, UNMET, 0.0),  # open below, 26 % above
    ],
)
def test_rating_inside_near_or_outside_the_wanted_range(
    make_wanted, make_offer, today, bounds, value, outcome, points
) -> None:
    wanted = make_wanted(specs={"voltage_kv": [10.0], "capacity_kva": bounds})
    offer = make_offer(specs={"voltage_kv": 10.0, "capacity_kva": value})
    c = part(wanted, offer, today, "rating")
    assert (c.outcome, c.weight, c.spec) == (outcome, 25, "capacity_kva")
    assert c.points == pytest.approx(points, abs=1e-9)
    assert (c.required, c.offered) == (tuple(bounds), value)


def test_rating_missing_from_the_offer_earns_half(
    make_wanted, make_offer, today
) -> None:
    offer = make_offer(specs={"voltage_kv": 10.0})
    c = part(make_wanted(), offer, today, "rating")
    assert (c.outcome, c.points, c.weight) == (UNKNOWN, 12.5, 25)


def test_rating_missing_from_the_wanted_post_does_not_count(
    make_wanted, make_offer, today
) -> None:
    wanted = make_wanted(specs={"voltage_kv": [10.0]})
    result = score(wanted, make_offer(), today)
    c = result.component("rating")
    assert c is not None
    assert (c.outcome, c.points, c.weight) == (UNKNOWN, 0.0, 0)
    assert result.score == 97.3  # 73 of 75


@pytest.mark.parametrize("slug", ["surge_arrester", "protection_relay"])
def test_no_rating_component_without_a_numeric_key_spec(
    make_wanted, make_offer, today, slug
) -> None:
    # The arrester's key spec is its voltage level; the relay has none.
    wanted = make_wanted(category_slug=slug, specs={"voltage_kv": [10.0]})
    offer = make_offer(category_slug=slug, specs={"voltage_kv": 10.0})
    result = score(wanted, offer, today)
    assert result.component("rating") is None
    assert 0 <= result.score <= 100


# --- quantity ---


@pytest.mark.parametrize(
    ("wanted", "offered", "outcome", "points"),
    [
        (2.0, 3.0, MET, 10.0),
        (2.0, 2.0, MET, 10.0),
        (4.0, 1.0, NEAR, 2.5),
        (Decimal("4.00"), Decimal("1.00"), NEAR, 2.5),
    ],
)
def test_quantity_enough_or_partly_available(
    make_wanted, make_offer, today, wanted, offered, outcome, points
) -> None:
    wanted_post = make_wanted(quantity=wanted)
    c = part(wanted_post, make_offer(quantity=offered), today, "quantity")
    assert (c.outcome, c.points) == (outcome, points)
    assert c.required == (float(wanted), "unit")
    assert c.offered == (float(offered), "unit")


def test_quantity_and_price_unknown_in_different_units(
    make_wanted, make_offer, today
) -> None:
    result = score(make_wanted(), make_offer(unit="set"), today)
    quantity, price = result.component("quantity"), result.component("price")
    assert quantity is not None and price is not None
    assert (quantity.outcome, quantity.points) == (UNKNOWN, 5.0)
    assert (price.outcome, price.points) == (UNKNOWN, 7.5)


# --- price ---


@pytest.mark.parametrize(
    ("budget", "price", "outcome", "points"),
    [
        (30000.0, 28000.0, MET, 15.0),
        (30000.0, 30000.0, MET, 15.0),
        (30000.0, 32400.0, NEAR, 5.8),  # 8 % over
        (Decimal("30000.00"), Decimal("32400.00"), NEAR, 5.8),
        (30000.0, 36000.0, UNMET, 0.0),  # 20 % over
        (0.0, 100.0, UNMET, 0.0),
        (0.0, 0.0, MET, 15.0),
        (None, 28000.0, UNKNOWN, 7.5),  # budget left open
        (30000.0, None, UNKNOWN, 7.5),  # price negotiable
    ],
)
def test_price_within_near_or_over_budget(
    make_wanted, make_offer, today, budget, price, outcome, points
) -> None:
    wanted = make_wanted(price_cny=budget)
    c = part(wanted, make_offer(price_cny=price), today, "price")
    assert c.outcome == outcome
    assert c.points == pytest.approx(points, abs=1e-9)


@pytest.mark.parametrize(
    ("wanted_negotiable", "offer_negotiable", "price", "outcome", "points"),
    [
        (False, True, 36000.0, NEAR, 5.0),  # 20 % over, inside the wider band
        (True, False, 36000.0, NEAR, 5.0),
        (False, True, 40000.0, UNMET, 0.0),  # 33 % over
        (False, False, 36000.0, UNMET, 0.0),
    ],
)
def test_a_negotiable_price_widens_the_near_miss_band(
    make_wanted, make_offer, today, wanted_negotiable, offer_negotiable, price,
    outcome, points,
) -> None:  # fmt: skip
    wanted = make_wanted(negotiable=wanted_negotiable)
    offer = make_offer(price_cny=price, negotiable=offer_negotiable)
    c = part(wanted, offer, today, "price")
    assert c.outcome == outcome
    assert c.points == pytest.approx(points, abs=1e-9)
    assert c.required == (30000.0, "unit", wanted_negotiable)
    assert c.offered == (price, "unit", offer_negotiable)


# --- condition ---


@pytest.mark.parametrize(
    ("minimum", "grade", "outcome", "points"),
    [
        ("grade_80", "grade_90", MET, 10.0),
        ("grade_80", "grade_80", MET, 10.0),
        ("grade_80", "serviceable", NEAR, 5.0),  # one grade below
        ("grade_80", "needs_repair", UNMET, 0.0),
        (None, "needs_repair", MET, 10.0),  # any grade accepted
        ("grade_80", None, UNKNOWN, 5.0),
    ],
)
def test_condition_at_or_above_the_minimum(
    make_wanted, make_offer, today, minimum, grade, outcome, points
) -> None:
    wanted = make_wanted(condition_grade=minimum)
    c = part(wanted, make_offer(condition_grade=grade), today, "condition")
    assert (c.outcome, c.points, c.required, c.offered) == (
        outcome,
        points,
        minimum,
        grade,
    )


# --- region ---


@pytest.mark.parametrize(
    ("place", "outcome", "points"),
    [
        (("370000", "370400", "370481"), MET, 10.0),  # same district
        (("370000", "370400", "370402"), MET, 8.0),  # same city
        (("370000", "370100", None), NEAR, 5.0),  # same province
        (("320000", "320300", None), UNMET, 0.0),  # elsewhere
        (("", "", None), UNKNOWN, 5.0),
    ],
)
def test_region_district_city_province_elsewhere(
    make_wanted, make_offer, today, place, outcome, points
) -> None:
    province, city, district = place
    offer = make_offer(province_code=province, city_code=city, district_code=district)
    c = part(make_wanted(), offer, today, "region")
    assert (c.outcome, c.points) == (outcome, points)
    assert (c.required, c.offered) == (("370000", "370400", "370481"), place)


# --- freshness ---


@pytest.mark.parametrize(
    ("published", "outcome", "points", "age"),
    [
        (datetime(2025, 5, 25, 2, tzinfo=timezone.utc), MET, 5.0, 7),
        (date(2025, 5, 18), MET, 5.0, 14),
        (date(2025, 5, 17), NEAR, 5.0 * (1 - 1 / 76), 15),
        (datetime(2025, 4, 10, 2, tzinfo=timezone.utc), NEAR, 2.5, 52),
        (datetime(2025, 3, 1, 2, tzinfo=timezone.utc), UNMET, 0.0, 92),
        (None, UNKNOWN, 2.5, None),
    ],
)
def test_freshness_follows_the_older_post(
    make_wanted, make_offer, today, published, outcome, points, age
) -> None:
    c = part(make_wanted(published_at=published), make_offer(), today, "freshness")
    assert (c.outcome, c.offered) == (outcome, age)
    assert c.points == pytest.approx(points, abs=1e-9)


@pytest.mark.parametrize(
    ("published", "age"),
    [
        # 01:00 on 1 June in China, though still 31 May in UTC.
        (datetime(2025, 5, 31, 17, 0, tzinfo=timezone.utc), 0),
        (datetime(2025, 5, 31, 15, 59, tzinfo=timezone.utc), 1),
        (datetime(2025, 5, 31, 17, 0), 0),  # naive datetimes are UTC
    ],
)
def test_freshness_counts_days_in_china(
    make_wanted, make_offer, today, published, age
) -> None:
    wanted = make_wanted(published_at=published)
    offer = make_offer(published_at=published)
    assert part(wanted, offer, today, "freshness").offered == age


# --- evidence ---


@pytest.mark.parametrize(
    ("report", "verified", "outcome", "points"),
    [
        (True, True, MET, 5.0),
        (True, False, NEAR, 3.0),
        (False, True, NEAR, 2.0),
        (False, False, UNMET, 0.0),
    ],
)
def test_evidence_test_report_and_verified_seller(
    make_wanted, make_offer, today, report, verified, outcome, points
) -> None:
    offer = make_offer(has_test_report=report, seller_verified=verified)
    c = part(make_wanted(), offer, today, "evidence")
    assert (c.outcome, c.offered) == (outcome, (report, verified))
    assert c.points == pytest.approx(points, abs=1e-9)


# --- hard constraints ---


@pytest.mark.parametrize(
    ("wanted_changes", "offer_changes", "expected"),
    [
        ({}, {}, True),
        ({}, {"category_slug": "amorphous_transformer"}, True),
        ({}, {"category_slug": "diesel_genset"}, False),
        ({}, {"specs": {"voltage_kv": 35.0}}, False),
        ({"specs": {"voltage_kv": [10, 35]}}, {"specs": {"voltage_kv": 35.0}}, True),
        ({}, {"specs": {"capacity_kva": 400.0}}, True),  # offer states no level
        ({"specs": {}}, {"specs": {"voltage_kv": 35.0}}, True),  # nor the buyer
        ({}, {"scrap_only": True, "condition_grade": "scrap"}, False),
        ({"condition_grade": "scrap"}, {"scrap_only": True}, True),
        ({"scrap_only": True}, {"scrap_only": True}, True),
        ({"category_slug": "no_such_category"}, {}, False),
    ],
)
def test_hard_constraints(
    make_wanted, make_offer, wanted_changes, offer_changes, expected
) -> None:
    wanted = make_wanted(**wanted_changes)
    assert is_compatible(wanted, make_offer(**offer_changes)) is expected


def test_scoring_takes_the_wanted_post_first(make_wanted, make_offer, today) -> None:
    with pytest.raises(ValueError):
        score(make_offer(), make_wanted(), today)
    with pytest.raises(ValueError):
        is_compatible(make_offer(), make_wanted())


def test_missing_the_key_rating_is_never_worth_a_notification(
    make_wanted, make_offer, today
) -> None:
    # Everything else perfect, the capacity far off: 75 points.
    offer = make_offer(
        district_code="370481", specs={"voltage_kv": 10.0, "capacity_kva": 1000.0}
    )
    result = score(make_wanted(), offer, today)
    assert result.score == 75.0
    assert NOTIFY_THRESHOLD == 80.0
    assert not result.worth_notifying


# --- both directions and ranking ---


def test_both_directions_give_the_same_result(make_wanted, make_offer, today) -> None:
    wanted, offer = make_wanted(), make_offer()
    expected = score(wanted, offer, today)
    assert rank(wanted, [offer], today) == [expected]
    assert rank(offer, [wanted], today) == [expected]


def random_posts(seed: int) -> tuple[list[PostFacts], list[PostFacts]]:
    rng = random.Random(seed)
    places = [
        ("370000", "370400", "370481"),
        ("370000", "370400", "370402"),
        ("370000", "370100", None),
        ("320000", "320300", None),
    ]
    grades = [None, "new", "grade_90", "grade_80", "serviceable", "needs_repair"]
    sizes = [200.0, 315.0, 400.0, 500.0, 630.0, 800.0, 1000.0]

    def when() -> datetime:
        day = rng.randint(1, 28)
        return datetime(2025, rng.randint(2, 5), day, tzinfo=timezone.utc)

    wanted, offers = [], []
    for number in range(30):
        low = rng.choice(sizes)
        high = rng.choice([size for size in sizes if size >= low] + [None])
        wanted.append(
            PostFacts(
                100 + number, "wanted", rng.choice(TRANSFORMERS[:3]),
                {"voltage_kv": rng.choice([[10.0], [10.0, 35.0], []]),
                 "capacity_kva": [low, high]},
                float(rng.randint(1, 4)), rng.choice(["unit", "unit", "set"]),
                rng.choice([None, 20000.0, 40000.0]), False, rng.choice(grades),
                *rng.choice(places), when(),
            )
        )  # fmt: skip
    for number in range(50):
        specs = {"capacity_kva": rng.choice(sizes)}
        if rng.random() < 0.8:
            specs["voltage_kv"] = rng.choice([10.0, 35.0])
        offers.append(
            PostFacts(
                500 + number, "offer", rng.choice(TRANSFORMERS[:3] + ("ups",)), specs,
                Decimal(rng.randint(1, 4)), "unit",
                rng.choice([None, Decimal("18000.00"), Decimal("43000.00")]),
                False, rng.choice(grades[1:]), *rng.choice(places),
                rng.choice([when(), None]), rng.random() < 0.5, rng.random() < 0.5,
                rng.random() < 0.1,
            )
        )  # fmt: skip
    return wanted, offers


def test_every_pair_scores_the_same_from_either_side(today) -> None:
    wanted, offers = random_posts(seed=20250601)
    from_wanted = {
        (r.wanted_id, r.offer_id): r
        for post in wanted
        for r in rank(post, offers, today, limit=len(offers))
    }
    from_offers = {
        (r.wanted_id, r.offer_id): r
        for offer in offers
        for r in rank(offer, wanted, today, limit=len(wanted))
    }
    assert len(from_wanted) > 200  # most pairs pass the hard constraints
    assert from_wanted == from_offers
    by_id = {post.id: post for post in wanted + offers}
    for (wanted_id, offer_id), result in from_wanted.items():
        assert score(by_id[wanted_id], by_id[offer_id], today) == result


def test_rank_orders_by_score_then_lower_id(make_wanted, make_offer, today) -> None:
    wanted = make_wanted()
    offers = [
        make_offer(id=11, price_cny=32400.0),  # 88.8: 8 % over budget
        make_offer(id=13),  # 98.0
        make_offer(id=12, specs={"voltage_kv": 35.0}),  # wrong level: left out
        make_offer(id=10),  # 98.0, the lower id
    ]
    ranked = rank(wanted, offers, today)
    assert [(r.offer_id, r.score) for r in ranked] == [
        (10, 98.0),
        (13, 98.0),
        (11, 88.8),
    ]
    assert [r.offer_id for r in rank(wanted, offers, today, limit=2)] == [10, 13]
    assert [r.offer_id for r in rank(wanted, offers, today, min_score=90)] == [10, 13]
    assert rank(wanted, offers, today, min_score=99) == []
    assert rank(wanted, [], today) == []


def test_rank_survives_the_same_candidate_twice(make_wanted, make_offer, today) -> None:
    offer = make_offer()
    ranked = rank(make_wanted(), [offer, offer], today)
    assert [r.offer_id for r in ranked] == [2, 2]


def test_rank_for_an_offer_orders_wanted_posts(make_wanted, make_offer, today) -> None:
    posts = [
        make_wanted(id=21, condition_grade="like_new"),  # grade_90 is one below
        make_wanted(id=22, category_slug="diesel_genset"),  # another family
        make_wanted(id=20),
    ]
    ranked = rank(make_offer(), posts, today)
    assert [(r.wanted_id, r.score) for r in ranked] == [(20, 98.0), (21, 93.0)]


def test_rank_refuses_an_unknown_kind(make_offer, today) -> None:
    with pytest.raises(ValueError):
        rank(make_offer(kind="auction"), [], today)


# --- prefilter ---


def test_prefilter_for_a_wanted_post(make_wanted) -> None:
    assert prefilter(make_wanted()) == Prefilter(
        kind="offer",
        category_slugs=TRANSFORMERS,
        voltage_kv=(10.0,),
        scrap_only_offers=False,
        scrap_buyers_only=False,
    )
    scrap_buyer = prefilter(make_wanted(condition_grade="scrap", specs={}))
    assert scrap_buyer.scrap_only_offers
    assert scrap_buyer.voltage_kv == ()


def test_prefilter_for_an_offer(make_offer) -> None:
    assert prefilter(make_offer()) == Prefilter(
        kind="wanted",
        category_slugs=TRANSFORMERS,
        voltage_kv=(10.0,),
        scrap_only_offers=True,
        scrap_buyers_only=False,
    )
    assert prefilter(make_offer(scrap_only=True)).scrap_buyers_only
    assert prefilter(make_offer(specs={})).voltage_kv == ()


def test_family_categories() -> None:
    assert family_categories("box_substation") == TRANSFORMERS
    assert family_categories("transformer") == TRANSFORMERS
    assert family_categories("no_such_category") == ()
