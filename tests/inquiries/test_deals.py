"""Deals on the listing side: record_deal's rules, mark_sold writing a Deal row (the
source of the value traded), the numbers helpers, and pending edits of a post that
sells in part."""

from decimal import Decimal

import pytest

from market.accounts.models import User
from market.exceptions import InvalidTransition, ValidationFailed
from market.extensions import db
from market.inquiries import queries
from market.inquiries.models import InquiryStatus
from market.listings import services
from market.listings.models import Listing, ListingStatus
from tests.inquiries.conftest import act, deals, listing_row, quote, send, thread_id
from tests.listings.conftest import offer_form


def test_mark_sold_with_figures_records_a_deal(app, client_for, seller, offer):
    response = client_for(seller).post(
        f"/listings/{offer.id}/sold", {"deal_price": "26500", "deal_quantity": "2"}
    )
    assert response.status_code == 302
    [deal] = deals(app, offer.id)
    assert deal["seller_enterprise_id"] == seller["id"]
    assert deal["buyer_enterprise_id"] is None and deal["inquiry_id"] is None
    assert (deal["unit_price_cny"], deal["quantity"], deal["total_cny"]) == (
        Decimal("26500"),
        Decimal("2"),
        Decimal("53000"),
    )


def test_mark_sold_with_price_only_counts_the_listed_quantity(
    app, client_for, seller, offer
):
    client_for(seller).post(f"/listings/{offer.id}/sold", {"deal_price": "20000"})
    [deal] = deals(app, offer.id)
    assert deal["quantity"] == Decimal("2") and deal["total_cny"] == Decimal("40000")


def test_mark_sold_without_figures_records_no_deal(app, client_for, seller, offer):
    client_for(seller).post(f"/listings/{offer.id}/sold", {})
    assert listing_row(app, offer.id)["status"] is ListingStatus.SOLD
    assert deals(app) == []


def test_mark_sold_on_a_wanted_post_records_the_owner_as_buyer(
    app, client_for, seller, make_listing
):
    wanted = make_listing(seller, kind="wanted", status="published")
    client_for(seller).post(f"/listings/{wanted.id}/sold", {"deal_price": "30000"})
    assert listing_row(app, wanted.id)["status"] is ListingStatus.SOLD
    [deal] = deals(app, wanted.id)
    assert deal["buyer_enterprise_id"] == seller["id"]
    assert deal["seller_enterprise_id"] is None
    assert deal["unit_price_cny"] == Decimal("30000")


def test_record_deal_rules(app, seller, buyer, offer, make_listing):
    draft = make_listing(seller, status="draft")
    with app.app_context():
        actor = db.session.get(User, seller["user_id"])
        listing = db.session.get(Listing, offer.id)
        for quantity in (Decimal("0"), Decimal("2.01"), Decimal("1e40")):
            with pytest.raises(ValidationFailed) as failure:
                services.record_deal(
                    actor, listing, Decimal("1"), quantity,
                    seller_enterprise_id=seller["id"], buyer_enterprise_id=buyer["id"],
                )  # fmt: skip
            assert "quantity" in failure.value.reasons
        with pytest.raises(ValidationFailed):
            services.record_deal(
                actor, listing, Decimal("-1"), Decimal("1"),
                seller_enterprise_id=seller["id"], buyer_enterprise_id=None,
            )  # fmt: skip
        with pytest.raises(InvalidTransition):
            services.record_deal(
                actor, db.session.get(Listing, draft.id), None, Decimal("1"),
                seller_enterprise_id=seller["id"], buyer_enterprise_id=None,
            )  # fmt: skip
        db.session.rollback()
    assert deals(app) == []


def test_numbers_helpers(app, client_for, seller, buyer, offer, make_listing):
    other = make_listing(seller, status="published")
    inquiry_id = thread_id(send(client_for(buyer), offer.id))
    quote(client_for(seller), inquiry_id, "26000", "1")
    act(client_for(buyer), inquiry_id, "accept")
    client_for(seller).post(f"/listings/{other.id}/sold", {"deal_quantity": "1"})
    with app.app_context():
        assert queries.count_inquiries() == 1
        assert queries.count_inquiries(status=InquiryStatus.AGREED) == 1
        totals = queries.deal_totals()
        # The second deal has no price: counted, worth nothing known.
        assert totals == queries.DealTotals(deals=2, value_cny=Decimal("26000"))


def test_partial_deal_keeps_a_pending_edit_from_restoring_the_quantity(
    app, client_for, seller, buyer, offer
):
    seller_client = client_for(seller)
    # The seller edits the published post (quantity 2 → 3): a pending revision.
    response = seller_client.post(
        f"/listings/{offer.id}/edit", offer_form(quantity="3")
    )
    assert response.status_code == 302
    inquiry_id = thread_id(send(client_for(buyer), offer.id))
    quote(seller_client, inquiry_id, "26000", "1")
    act(client_for(buyer), inquiry_id, "accept")
    with app.app_context():
        listing = db.session.get(Listing, offer.id)
        assert listing.quantity == Decimal("1")
        assert listing.pending_revision.data["quantity"] == "2.00"


def test_duplicating_a_sold_out_post_offers_the_original_quantity(
    app, client_for, seller, buyer, offer
):
    inquiry_id = thread_id(send(client_for(buyer), offer.id))
    quote(client_for(seller), inquiry_id, "26000", "2")
    act(client_for(buyer), inquiry_id, "accept")
    assert listing_row(app, offer.id)["quantity"] == Decimal("0")
    response = client_for(seller).post(f"/listings/{offer.id}/duplicate")
    assert response.status_code == 302
    with app.app_context():
        copy = db.session.scalars(
            db.select(Listing).order_by(Listing.id.desc())
        ).first()
        assert copy.id != offer.id and copy.quantity == Decimal("2")
