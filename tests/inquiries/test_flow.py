"""An inquiry from the post page to a deal: the thread, quotes, acceptance, the deal
recorded on the post (quantity down, sold when none is left), messages and the
notifications each step writes, and the contact details both sides see."""

from decimal import Decimal

from sqlalchemy import select

from market.extensions import db
from market.listings.models import ListingStatus
from market.notifications.models import Notification
from tests.inquiries.conftest import (
    act,
    deals,
    inquiry_row,
    listing_row,
    message,
    notifications,
    outbox_rows,
    quote,
    send,
    thread_id,
)
from tests.listings.conftest import OFFER_TITLE


def test_full_flow_sells_the_post_out(app, client_for, seller, buyer, offer):
    buyer_client, seller_client = client_for(buyer), client_for(seller)

    # The post page offers the form; sending opens a thread and leads to it.
    page = buyer_client.text(f"/listings/{offer.id}")
    assert "data-inquiry-form" in page and "Send an inquiry" in page
    response = send(buyer_client, offer.id, quantity="2", price="25000")
    assert response.status_code == 302
    inquiry_id = thread_id(response)
    row = inquiry_row(app, inquiry_id)
    assert row["status"].value == "open"
    assert (row["sender_enterprise_id"], row["owner_enterprise_id"]) == (
        buyer["id"],
        seller["id"],
    )
    assert row["quantity"] == Decimal("2") and row["price_cny"] == Decimal("25000")
    assert row["messages"] == [
        (
            "message",
            buyer["id"],
            "请问这台变压器还在吗？",
            Decimal("25000"),
            Decimal("2"),
        )
    ]
    # The post page now links the buyer to its thread instead of a second form.
    page = buyer_client.text(f"/listings/{offer.id}")
    assert "data-own-inquiry" in page and "data-inquiry-form" not in page

    # The seller quotes; a second quote replaces the first.
    assert quote(seller_client, inquiry_id, "27000", "2").status_code == 302
    assert quote(seller_client, inquiry_id, "26500", "2", "含运费").status_code == 302
    row = inquiry_row(app, inquiry_id)
    assert row["status"].value == "quoted"
    assert row["quoted_price_cny"] == Decimal("26500")
    assert row["quoted_quantity"] == Decimal("2")
    assert "26,500" in buyer_client.text(f"/inquiries/{inquiry_id}")

    # The buyer accepts: the deal is recorded and the post is sold out.
    outbox_before = outbox_rows(app, offer.id)
    response = act(buyer_client, inquiry_id, "accept")
    assert response.status_code == 302
    row = inquiry_row(app, inquiry_id)
    assert row["status"].value == "agreed"
    assert row["messages"][-1] == (
        "agree",
        buyer["id"],
        None,
        Decimal("26500"),
        Decimal("2"),
    )
    [deal] = deals(app, offer.id)
    assert deal["inquiry_id"] == inquiry_id
    assert deal["seller_enterprise_id"] == seller["id"]
    assert deal["buyer_enterprise_id"] == buyer["id"]
    assert deal["unit_price_cny"] == Decimal("26500")
    assert deal["quantity"] == Decimal("2")
    assert deal["total_cny"] == Decimal("53000")
    assert deal["recorded_by_id"] == buyer["user_id"]
    post = listing_row(app, offer.id)
    assert post["status"] is ListingStatus.SOLD
    assert post["quantity"] == Decimal("0")
    assert outbox_rows(app, offer.id) > outbox_before
    page = seller_client.text(f"/inquiries/{inquiry_id}")
    assert 'data-inquiry-status="agreed"' in page

    # Still talking after the deal, then either side closes; closed is read-only.
    assert message(seller_client, inquiry_id, "发货时间请确认").status_code == 302
    assert act(seller_client, inquiry_id, "close").status_code == 302
    row = inquiry_row(app, inquiry_id)
    assert row["status"].value == "closed" and row["closed_at"] is not None
    page = buyer_client.text(f"/inquiries/{inquiry_id}")
    assert "data-inquiry-message" not in page and "data-inquiry-close" not in page


def test_partial_deal_keeps_the_post_published_with_what_is_left(
    app, client_for, seller, buyer, offer
):
    inquiry_id = thread_id(send(client_for(buyer), offer.id, quantity="1"))
    quote(client_for(seller), inquiry_id, "28000", "1")
    outbox_before = outbox_rows(app, offer.id)
    assert act(client_for(buyer), inquiry_id, "accept").status_code == 302
    post = listing_row(app, offer.id)
    assert post["status"] is ListingStatus.PUBLISHED
    assert post["quantity"] == Decimal("1")
    # Search shows the quantity: the outbox tells the indexer.
    assert outbox_rows(app, offer.id) == outbox_before + 1
    assert [d["quantity"] for d in deals(app, offer.id)] == [Decimal("1")]
    page = client_for(None).text(f"/listings/{offer.id}")
    assert "data-inquiry-form" not in page  # anonymous: a login hint instead
    assert "Log in as an approved enterprise to send an inquiry." in page


def test_wanted_post_the_sender_sells(app, client_for, factory, make_listing, buyer):
    owner = factory.enterprise()  # wants 1 transformer
    wanted = make_listing(owner, kind="wanted", status="published")
    inquiry_id = thread_id(send(client_for(buyer), wanted.id, "我们有一台符合要求"))
    # The owner of a wanted post buys: it may not quote, the sender may.
    assert quote(client_for(owner), inquiry_id, "29000", "1").status_code == 403
    assert quote(client_for(buyer), inquiry_id, "29000", "1").status_code == 302
    assert act(client_for(buyer), inquiry_id, "accept").status_code == 403
    assert act(client_for(owner), inquiry_id, "accept").status_code == 302
    [deal] = deals(app, wanted.id)
    assert (deal["seller_enterprise_id"], deal["buyer_enterprise_id"]) == (
        buyer["id"],
        owner["id"],
    )
    assert listing_row(app, wanted.id)["status"] is ListingStatus.SOLD


def test_sending_again_adds_to_the_open_thread(app, client_for, seller, buyer, offer):
    client = client_for(buyer)
    first = thread_id(send(client, offer.id))
    second = thread_id(send(client, offer.id, "补充：需要试验报告", quantity="1"))
    assert first == second
    row = inquiry_row(app, first)
    assert [m[0] for m in row["messages"]] == ["message", "message"]
    assert row["quantity"] == Decimal("1")
    # Opening the form again leads to the thread.
    response = client.get(f"/inquiries/new/{offer.id}")
    assert response.status_code == 302 and thread_id(response) == first
    # Once closed, a new inquiry opens a new thread.
    act(client, first, "close")
    third = thread_id(send(client, offer.id))
    assert third != first


def test_every_step_notifies_the_other_side(app, client_for, seller, buyer, offer):
    buyer_client, seller_client = client_for(buyer), client_for(seller)
    inquiry_id = thread_id(send(buyer_client, offer.id))
    message(seller_client, inquiry_id, "在的")
    message(buyer_client, inquiry_id, "能否便宜一点")
    quote(seller_client, inquiry_id, "27000", "1")
    act(buyer_client, inquiry_id, "accept")
    act(buyer_client, inquiry_id, "close")
    assert notifications(app) == [
        ("inquiry_received", seller["id"]),
        ("inquiry_message", buyer["id"]),
        ("inquiry_message", seller["id"]),
        ("inquiry_quoted", buyer["id"]),
        ("inquiry_agreed", seller["id"]),
        ("inquiry_agreed", buyer["id"]),
        ("inquiry_closed", seller["id"]),
    ]
    with app.app_context():
        rows = db.session.scalars(select(Notification).order_by(Notification.id)).all()
        assert {(n.inquiry_id, n.listing_id) for n in rows} == {(inquiry_id, offer.id)}
        assert {n.payload["listing_title"] for n in rows} == {OFFER_TITLE}
        # Each payload names the recipient's counterpart.
        for n in rows:
            expected = buyer if n.enterprise_id == seller["id"] else seller
            assert n.payload["enterprise_name"] == expected["name"], n
        quoted = next(n for n in rows if n.kind.value == "inquiry_quoted")
        assert (quoted.payload["price"], quoted.payload["quantity"]) == (
            "27000.00",
            "1.00",
        )


def test_both_sides_see_each_others_contact_details(
    app, client_for, seller, buyer, bystander, offer
):
    inquiry_id = thread_id(send(client_for(buyer), offer.id))
    for who in (seller, buyer):
        page = client_for(who).text(f"/inquiries/{inquiry_id}")
        assert seller["name"] in page and buyer["name"] in page
        assert seller["mobile"] in page and buyer["mobile"] in page
        assert "王经理" in page
    # A third enterprise sees neither the thread nor the buyer's number on the post.
    assert client_for(bystander).get(f"/inquiries/{inquiry_id}").status_code == 404
    assert buyer["mobile"] not in client_for(bystander).text(f"/listings/{offer.id}")


def test_my_inquiries_lists_sent_and_received(app, client_for, seller, buyer, offer):
    inquiry_id = thread_id(send(client_for(buyer), offer.id))
    sent = client_for(buyer).text("/inquiries/")
    received = client_for(seller).text("/inquiries/")
    link = f'href="/inquiries/{inquiry_id}"'
    assert link in sent.split('data-box="sent"')[1]
    assert link in received.split('data-box="received"')[1].split('data-box="sent"')[0]
    assert buyer["name"] in received and seller["name"] in sent
    # The owner's post page counts the inquiries.
    assert "Inquiries on this post: 1" in client_for(seller).text(
        f"/listings/{offer.id}"
    )
