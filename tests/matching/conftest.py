"""Matching fixtures: a wanted post and an offer that fit each other well, built as
PostFacts, and the day the tests score them on (no app, no database); and, for the
service and page tests, the listing fixtures of tests/listings (real posts made
through the listing services, logged-in clients)."""

from datetime import date, datetime, timezone

import pytest

from market.matching.scoring import PostFacts
from tests.listings.conftest import (  # noqa: F401  (fixtures for the DB tests)
    approved,
    client_for,
    make_listing,
    other,
)

TODAY = date(2025, 6, 1)

# 10 kV oil-immersed transformers in Zaozhuang: the buyer is in Tengzhou and the
# seller in Shizhong district. 400 kVA sits in the middle of 300–500 kVA.
WANTED = PostFacts(
    id=1,
    kind="wanted",
    category_slug="oil_immersed_transformer",
    specs={"voltage_kv": [10.0], "capacity_kva": [300.0, 500.0]},
    quantity=2.0,
    unit="unit",
    price_cny=30000.0,
    negotiable=False,
    condition_grade="grade_80",
    province_code="370000",
    city_code="370400",
    district_code="370481",
    published_at=datetime(2025, 5, 25, 2, 0, tzinfo=timezone.utc),
)
OFFER = PostFacts(
    id=2,
    kind="offer",
    category_slug="oil_immersed_transformer",
    specs={"voltage_kv": 10.0, "capacity_kva": 400.0, "lv_kv": 0.4},
    quantity=3.0,
    unit="unit",
    price_cny=28000.0,
    negotiable=False,
    condition_grade="grade_90",
    province_code="370000",
    city_code="370400",
    district_code="370402",
    published_at=datetime(2025, 5, 30, 2, 0, tzinfo=timezone.utc),
    has_test_report=True,
    seller_verified=True,
)


@pytest.fixture
def today():
    return TODAY


@pytest.fixture
def make_wanted():
    """Build the standard wanted post with some fields changed."""

    def make(**changes) -> PostFacts:
        return WANTED._replace(**changes)

    return make


@pytest.fixture
def make_offer():
    """Build the standard offer with some fields changed."""

    def make(**changes) -> PostFacts:
        return OFFER._replace(**changes)

    return make
