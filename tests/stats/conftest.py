"""Statistics fixtures: posts made through the real services, and inquiries and
deals written straight into their tables (their services live elsewhere)."""

from datetime import datetime
from decimal import Decimal

import pytest

from market.extensions import db
from market.inquiries.models import Inquiry
from market.listings.models import Deal, Listing
from tests.listings.conftest import ListingMaker


@pytest.fixture
def make_listing(app, factory):
    return ListingMaker(app, factory)


class Recorder:
    """Inquiries, deals and publication dates, committed."""

    def __init__(self, app):
        self.app = app

    def inquiry(
        self, listing_id: int, sender: dict, when: datetime | None = None
    ) -> int:
        with self.app.app_context():
            listing = db.session.get(Listing, listing_id)
            inquiry = Inquiry(
                listing_id=listing_id,
                sender_enterprise_id=sender["id"],
                owner_enterprise_id=listing.enterprise_id,
                created_by_id=sender["user_id"],
            )
            if when is not None:
                inquiry.created_at = when
            db.session.add(inquiry)
            db.session.commit()
            return inquiry.id

    def deal(
        self,
        listing_id: int,
        quantity: str,
        unit_price: str | None,
        buyer: dict | None = None,
        when: datetime | None = None,
    ) -> int:
        """A deal whose total is price × quantity (None without a price)."""
        with self.app.app_context():
            listing = db.session.get(Listing, listing_id)
            price = Decimal(unit_price) if unit_price is not None else None
            deal = Deal(
                listing_id=listing_id,
                seller_enterprise_id=listing.enterprise_id,
                buyer_enterprise_id=buyer["id"] if buyer else None,
                unit_price_cny=price,
                quantity=Decimal(quantity),
                total_cny=price * Decimal(quantity) if price is not None else None,
            )
            if when is not None:
                deal.created_at = when
            db.session.add(deal)
            db.session.commit()
            return deal.id

    def published(self, listing_id: int, when: datetime) -> None:
        with self.app.app_context():
            db.session.get(Listing, listing_id).published_at = when
            db.session.commit()


@pytest.fixture
def record(app):
    return Recorder(app)
