"""Refused steps: a translated reason, and nothing changes."""

from decimal import Decimal

import pytest

from tests.inquiries.conftest import (
    act,
    counts,
    deals,
    inquiry_row,
    listing_row,
    message,
    quote,
    send,
    thread_id,
)
from tests.listings.conftest import error_fields


@pytest.fixture
def thread(client_for, buyer, offer):
    return thread_id(send(client_for(buyer), offer.id))


def test_own_post_is_refused(app, client_for, seller, offer):
    client = client_for(seller)
    before = counts(app)
    response = send(client, offer.id)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/listings/{offer.id}")
    page = client.text(f"/listings/{offer.id}")
    assert (
        "This is your own post: inquiries come to you from other enterprises." in page
    )
    assert "data-inquiry-form" not in page
    assert counts(app) == before


@pytest.mark.parametrize(
    ("fields", "field", "text"),
    [
        ({"body": "  "}, "inquiry-body", "Write a message."),
        ({"quantity": "3"}, "inquiry-quantity", "at most 2"),
        ({"quantity": "0"}, "inquiry-quantity", "at most 2"),
        ({"quantity": "两台"}, "inquiry-quantity", "Enter a number"),
        ({"price": "-5"}, "inquiry-price", "from 0 to 1,000,000,000"),
        ({"price": "1e40"}, "inquiry-price", "from 0 to 1,000,000,000"),
    ],
)
def test_bad_inquiry_comes_back_with_its_error(
    app, client_for, buyer, offer, fields, field, text
):
    before = counts(app)
    body = fields.pop("body", "请报价")
    response = send(client_for(buyer), offer.id, body, **fields)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert field in error_fields(page)
    assert text in page
    assert counts(app) == before


def test_quote_over_the_quantity_left_is_refused(app, client_for, seller, thread):
    before = (counts(app), inquiry_row(app, thread))
    response = quote(client_for(seller), thread, "26000", "3")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "quote-quantity" in error_fields(page)
    assert (
        "Enter a quantity above 0 and at most 2 unit, what the post still has." in page
    )
    assert (counts(app), inquiry_row(app, thread)) == before


def test_quote_needs_price_and_quantity(app, client_for, seller, thread):
    before = counts(app)
    response = quote(client_for(seller), thread, "", "")
    assert response.status_code == 200
    assert {"quote-price", "quote-quantity"} <= error_fields(
        response.get_data(as_text=True)
    )
    assert counts(app) == before


def test_only_the_seller_quotes(app, client_for, buyer, thread):
    before = (counts(app), inquiry_row(app, thread))
    assert quote(client_for(buyer), thread, "1", "1").status_code == 403
    assert quote(client_for(buyer), thread, "", "").status_code == 403
    assert (counts(app), inquiry_row(app, thread)) == before


def test_accept_without_a_quote_is_refused(app, client_for, seller, buyer, thread):
    before = (counts(app), inquiry_row(app, thread))
    response = act(client_for(buyer), thread, "accept")
    assert response.status_code == 409
    assert (
        "This item is no longer in a state that allows this action."
        in response.get_data(as_text=True)
    )
    quote(client_for(seller), thread, "26000", "1")
    # The seller cannot accept its own quote.
    before = (counts(app), inquiry_row(app, thread))
    assert act(client_for(seller), thread, "accept").status_code == 403
    assert (counts(app), inquiry_row(app, thread)) == before


def test_accept_refused_when_the_post_has_less_left_than_quoted(
    app, client_for, factory, seller, buyer, thread, offer
):
    other_buyer = factory.enterprise()
    quote(client_for(seller), thread, "26000", "2")
    # Meanwhile another enterprise buys one of the two.
    other = thread_id(send(client_for(other_buyer), offer.id))
    quote(client_for(seller), other, "27000", "1")
    assert act(client_for(other_buyer), other, "accept").status_code == 302
    before = (counts(app), inquiry_row(app, thread), listing_row(app, offer.id))
    client = client_for(buyer)
    response = act(client, thread, "accept")
    assert response.status_code == 302
    page = client.text(f"/inquiries/{thread}")
    assert "The post now has only 1 unit left; ask the seller for a new quote." in page
    assert (counts(app), inquiry_row(app, thread), listing_row(app, offer.id)) == before


def test_closed_thread_is_read_only(app, client_for, seller, buyer, thread):
    act(client_for(seller), thread, "close")
    before = (counts(app), inquiry_row(app, thread))
    for client in (client_for(buyer), client_for(seller)):
        assert message(client, thread).status_code == 409
        assert act(client, thread, "close").status_code == 409
    assert quote(client_for(seller), thread).status_code == 409
    assert act(client_for(buyer), thread, "accept").status_code == 409
    assert (counts(app), inquiry_row(app, thread)) == before


def test_empty_message_comes_back_with_its_error(app, client_for, seller, thread):
    before = counts(app)
    response = message(client_for(seller), thread, "   ")
    assert response.status_code == 200
    assert "message-body" in error_fields(response.get_data(as_text=True))
    assert counts(app) == before


def test_no_quote_or_deal_once_the_post_is_withdrawn(
    app, client_for, seller, buyer, thread, offer
):
    quote(client_for(seller), thread, "26000", "1")
    assert client_for(seller).post(f"/listings/{offer.id}/withdraw").status_code == 302
    before = (counts(app), inquiry_row(app, thread))
    client = client_for(buyer)
    assert act(client, thread, "accept").status_code == 302
    assert "This post is no longer open for deals." in client.text(
        f"/inquiries/{thread}"
    )
    assert quote(client_for(seller), thread, "25000", "1").status_code == 200
    assert (counts(app), inquiry_row(app, thread)) == before
    assert deals(app) == []
    # Talking and closing still work.
    assert message(client, thread).status_code == 302
    assert act(client, thread, "close").status_code == 302
    assert inquiry_row(app, thread)["quantity"] is None
    assert listing_row(app, offer.id)["quantity"] == Decimal("2")
