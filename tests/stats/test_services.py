"""The platform's figures from the database: totals, months, breakdowns."""

from datetime import datetime, timezone
from decimal import Decimal

import pytest

from market.enterprises.models import EnterpriseStatus
from market.stats.services import (
    get_dashboard,
    get_public_summary,
    get_totals,
    list_months,
)
from tests.listings.conftest import JINAN, LIXIA, SHANDONG

NOW = datetime(2026, 3, 15, 4, 0, tzinfo=timezone.utc)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


@pytest.fixture
def market(app, factory, make_listing, record):
    """Two approved enterprises, one pending; an offer and a wanted post of A's,
    two inquiries from B, four deals (two on the offer, one on the wanted post,
    one without a price)."""
    a = factory.enterprise()
    b = factory.enterprise()
    factory.enterprise(status=EnterpriseStatus.PENDING)
    # 2 × S11-M-400/10 at 28,000: new is 50,000 (the reference table).
    offer = make_listing(a)
    wanted = make_listing(a, kind="wanted")
    record.inquiry(offer.id, b)
    record.inquiry(wanted.id, b)
    record.deal(offer.id, "1", "28000", buyer=b)
    record.deal(offer.id, "1", "30000", buyer=b)
    record.deal(wanted.id, "1", "10000", buyer=b)
    record.deal(offer.id, "1", None)
    return {"a": a, "b": b, "offer": offer, "wanted": wanted}


def test_totals_add_up_after_deals(app, market):
    with app.app_context():
        totals = get_totals()
    assert totals.enterprises_applied == 3
    assert totals.enterprises_approved == 2
    assert totals.posts_published == 2
    assert totals.inquiries == 2
    assert totals.deals == 4
    assert totals.value_traded == Decimal("68000.00")  # 28,000 + 30,000 + 10,000
    # Only the priced deals on the offer: (50,000 − 28,000) + (50,000 − 30,000).
    assert totals.estimated_saving == Decimal("42000.00")
    assert totals.deals_estimated == 2


def test_an_empty_platform_has_zero_everywhere(app):
    with app.app_context():
        totals = get_totals()
        summary = get_public_summary()
    assert totals.deals == totals.inquiries == totals.posts_published == 0
    assert totals.value_traded == totals.estimated_saving == 0
    assert summary.value_traded == summary.estimated_saving == 0


def test_the_public_summary_counts_posts_listed_now(app, market, make_listing):
    make_listing(market["a"], status="withdrawn", title="撤回的变压器")
    with app.app_context():
        summary = get_public_summary()
        totals = get_totals()
    assert summary.posts_listed == 2  # the withdrawn post is no longer listed
    assert totals.posts_published == 3  # but it was published
    assert summary.enterprises_joined == 2 and summary.enterprises_applied == 3
    assert summary.deals == 4
    assert summary.value_traded == Decimal("68000.00")
    assert summary.estimated_saving == Decimal("42000.00")


def test_scrap_deals_save_nothing(app, factory, make_listing, record):
    seller = factory.enterprise()
    scrap = make_listing(seller, condition_grade="scrap", price_cny="9000")
    record.deal(scrap.id, "1", "9000")
    with app.app_context():
        totals = get_totals()
    assert totals.value_traded == Decimal("9000.00")
    assert totals.estimated_saving == 0 and totals.deals_estimated == 0


def test_months_are_calendar_months_in_china_across_a_year_end():
    assert list_months(3, utc(2026, 1, 15)) == [(2025, 10), (2025, 11), (2026, 0)]
    # 16:30 UTC on 31 December is already 1 January in China.
    assert list_months(1, utc(2025, 12, 31, 16, 30)) == [(2026, 0)]


def test_the_dashboard_buckets_by_china_month(app, factory, make_listing, record):
    seller, buyer = factory.enterprise(), factory.enterprise()
    offer = make_listing(seller)
    wanted = make_listing(seller, kind="wanted")
    record.published(offer.id, utc(2026, 1, 31, 16, 30))  # 1 February in China
    record.published(wanted.id, utc(2026, 3, 1, 2, 0))
    record.inquiry(offer.id, buyer, when=utc(2025, 12, 31, 15, 59))  # 23:59 in China
    record.deal(offer.id, "2", "25000", buyer=buyer, when=utc(2026, 2, 28, 16, 0))
    record.deal(offer.id, "1", "20000", when=utc(2026, 1, 10))
    record.deal(offer.id, "1", "1000", when=utc(2025, 9, 1))  # before the window
    record.deal(offer.id, "1", "1000")  # made today, after NOW
    with app.app_context():
        data = get_dashboard(6, now=NOW)
    assert data.months == [
        "2025-10",
        "2025-11",
        "2025-12",
        "2026-01",
        "2026-02",
        "2026-03",
    ]
    assert data.offers_published == [0, 0, 0, 0, 1, 0]
    assert data.wanted_published == [0, 0, 0, 0, 0, 1]
    assert data.inquiries == [0, 0, 1, 0, 0, 0]
    assert data.deals == [0, 0, 0, 1, 0, 1]
    zero = Decimal(0)
    assert data.value_traded == [zero] * 3 + [Decimal(20000), zero, Decimal(50000)]
    # New is 50,000: (50,000 − 20,000) × 1 and (50,000 − 25,000) × 2.
    assert data.estimated_saving == [zero] * 3 + [Decimal(30000), zero, Decimal(50000)]
    assert data.totals.deals == 4  # totals are all-time


def test_the_monthly_series_add_up_to_the_totals_within_the_window(app, market):
    with app.app_context():
        data = get_dashboard(12)
    totals = data.totals
    assert sum(data.offers_published) + sum(data.wanted_published) == 2
    assert sum(data.inquiries) == totals.inquiries
    assert sum(data.deals) == totals.deals
    assert sum(data.value_traded) == totals.value_traded
    assert sum(data.estimated_saving) == totals.estimated_saving
    assert sum(data.enterprises_applied) == totals.enterprises_applied


def test_approvals_by_month_count_approval_decisions(app, factory):
    from tests.moderation.test_decisions import decide, moderator_client

    pending = factory.enterprise(status=EnterpriseStatus.PENDING)
    client, _moderator = moderator_client(app, factory)
    assert decide(client, pending["id"], "approve").status_code == 302
    with app.app_context():
        data = get_dashboard(6)
    assert data.enterprise_approvals[-1] == 1
    assert data.enterprises_applied[-1] == 1


def test_posts_by_family_and_region(app, factory, make_listing):
    seller = factory.enterprise()
    make_listing(seller)
    make_listing(seller, title="S13-M-630/10 变压器")
    make_listing(seller, province=SHANDONG, city=JINAN, district=LIXIA,
                 category_slug="ring_main_unit", model_raw="HXGN15-12",
                 specs={"voltage_kv": "10"}, unit="panel")  # fmt: skip
    make_listing(seller, status="draft", category_slug="gis", specs={})
    with app.app_context():
        data = get_dashboard(6)
    families = dict(data.posts_by_family)
    assert data.posts_by_family[0] == ("transformer", 2)
    assert families["switchgear"] == 1 and families["other"] == 0
    assert len(families) == 15  # every family, zero or not
    assert data.posts_by_province == [(SHANDONG, 3)]
    assert data.posts_by_city == [("370400", 2), (JINAN, 1)]


def test_the_window_must_be_a_known_length(app):
    with app.app_context(), pytest.raises(ValueError):
        get_dashboard(7)
