"""Inquiry fixtures: a seller's published offer (2 units), a buyer, a bystander, and
small helpers that act through the routes and read the database back.

Clients are English (see tests/listings/conftest.py), so messages are asserted in
English whatever the default language.
"""

import re
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from market.extensions import db
from market.inquiries.models import Inquiry, InquiryMessage, InquiryReport
from market.listings.models import Deal, Listing
from market.notifications.models import Notification
from market.search.models import SearchOutbox
from tests.listings.conftest import Client, ListingMaker


@pytest.fixture
def make_listing(app, factory):
    return ListingMaker(app, factory)


@pytest.fixture
def client_for(app):
    """client_for(enterprise_or_moderator_dict) → logged-in Client; None → anonymous."""

    def make(who=None, locale="en") -> Client:
        return Client(app, who, locale)

    return make


@pytest.fixture
def seller(factory):
    """Enterprise S (approved): owns the offer."""
    return factory.enterprise(name="枣庄供电设备回收有限公司")


@pytest.fixture
def buyer(factory):
    """Enterprise B (approved): sends the inquiry."""
    return factory.enterprise(name="济南华能电力工程有限公司", contact_name="王经理")


@pytest.fixture
def bystander(factory):
    """Enterprise C (approved): has nothing to do with the thread."""
    return factory.enterprise()


@pytest.fixture
def offer(make_listing, seller):
    return make_listing(seller, status="published")  # 2 units at ¥28,000


def send(client, listing_id, body="请问这台变压器还在吗？", **fields) -> "object":
    data = {"inquiry-body": body}
    data.update({f"inquiry-{key}": value for key, value in fields.items()})
    return client.post(f"/inquiries/new/{listing_id}", data)


def thread_id(response) -> int:
    match = re.search(r"/inquiries/(\d+)", response.headers.get("Location", ""))
    assert match, response.headers.get("Location")
    return int(match.group(1))


def message(client, inquiry_id, body="好的，谢谢。"):
    return client.post(f"/inquiries/{inquiry_id}/messages", {"message-body": body})


def quote(client, inquiry_id, price="26000", quantity="1", body=""):
    return client.post(
        f"/inquiries/{inquiry_id}/quote",
        {"quote-price": price, "quote-quantity": quantity, "quote-body": body},
    )


def act(client, inquiry_id, verb):
    return client.post(f"/inquiries/{inquiry_id}/{verb}")


def inquiry_row(app, inquiry_id) -> dict:
    with app.app_context():
        inquiry = db.session.get(Inquiry, inquiry_id)
        row = {c.name: getattr(inquiry, c.name) for c in Inquiry.__table__.columns}
        row["messages"] = [
            (m.kind.value, m.enterprise_id, m.body, m.price_cny, m.quantity)
            for m in inquiry.messages
        ]
        return row


def listing_row(app, listing_id) -> dict:
    with app.app_context():
        listing = db.session.get(Listing, listing_id)
        return {c.name: getattr(listing, c.name) for c in Listing.__table__.columns}


def deals(app, listing_id=None) -> list[dict]:
    with app.app_context():
        query = select(Deal).order_by(Deal.id)
        if listing_id is not None:
            query = query.where(Deal.listing_id == listing_id)
        return [
            {c.name: getattr(d, c.name) for c in Deal.__table__.columns}
            for d in db.session.scalars(query)
        ]


def notifications(app) -> list[tuple[str, int]]:
    """(kind, enterprise_id) of every notification, oldest first."""
    with app.app_context():
        return [
            (n.kind.value, n.enterprise_id)
            for n in db.session.scalars(select(Notification).order_by(Notification.id))
        ]


def outbox_rows(app, listing_id) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count(SearchOutbox.id)).where(
                SearchOutbox.listing_id == listing_id
            )
        )


def counts(app) -> dict:
    """Row counts of everything an inquiry route may write."""
    with app.app_context():
        return {
            model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in (Inquiry, InquiryMessage, InquiryReport, Deal, Notification)
        }


def money(value: str) -> Decimal:
    return Decimal(value)
