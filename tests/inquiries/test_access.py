"""Who reaches a thread: the two enterprises; moderators only once it is reported;
anyone else 404 (anonymous: the login page). Every write needs the CSRF token."""

import pytest

from market.enterprises.models import EnterpriseStatus
from tests.inquiries.conftest import (
    act,
    counts,
    inquiry_row,
    message,
    quote,
    send,
    thread_id,
)


@pytest.fixture
def thread(client_for, buyer, offer):
    return thread_id(send(client_for(buyer), offer.id))


def test_third_enterprise_gets_404_everywhere(
    app, client_for, bystander, thread, offer
):
    client = client_for(bystander)
    before = (counts(app), inquiry_row(app, thread))
    assert client.get(f"/inquiries/{thread}").status_code == 404
    assert message(client, thread).status_code == 404
    assert quote(client, thread).status_code == 404
    for verb in ("accept", "close"):
        assert act(client, thread, verb).status_code == 404
    assert (
        client.post(f"/inquiries/{thread}/report", {"report-reason": "x"}).status_code
        == 404
    )
    assert (counts(app), inquiry_row(app, thread)) == before
    assert f"/inquiries/{thread}" not in client.text("/inquiries/")


def test_pending_enterprise_gets_404_and_cannot_send(
    app, client_for, factory, thread, offer
):
    pending = factory.enterprise(status=EnterpriseStatus.PENDING)
    client = client_for(pending)
    assert client.get(f"/inquiries/{thread}").status_code == 404
    before = counts(app)
    response = send(client, offer.id)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/listings/{offer.id}")
    assert counts(app) == before
    page = client.text(f"/listings/{offer.id}")
    assert "Only users of approved enterprises can send inquiries." in page


def test_anonymous_is_sent_to_login(client_for, thread, offer):
    client = client_for(None)
    for response in (
        client.get(f"/inquiries/{thread}"),
        client.get("/inquiries/"),
        client.get(f"/inquiries/new/{offer.id}"),
        message(client, thread),
    ):
        assert response.status_code == 302
        assert "/accounts/login" in response.headers["Location"]


def test_moderator_reads_a_thread_only_once_reported(
    app, client_for, factory, buyer, thread
):
    moderator = client_for(factory.moderator())
    assert moderator.get(f"/inquiries/{thread}").status_code == 404
    response = client_for(buyer).post(
        f"/inquiries/{thread}/report", {"report-reason": "对方索要定金后失联"}
    )
    assert response.status_code == 302
    page = moderator.text(f"/inquiries/{thread}")
    assert "对方索要定金后失联" in page
    assert "data-inquiry-message" not in page  # reading, not writing
    # Reading is all: a moderator takes no part in the thread.
    before = counts(app)
    assert message(moderator, thread).status_code == 404
    assert act(moderator, thread, "close").status_code == 404
    assert counts(app) == before


def test_missing_thread_is_404(client_for, buyer):
    assert client_for(buyer).get("/inquiries/987654").status_code == 404


def test_a_post_that_is_not_public_takes_no_inquiry(
    app, client_for, buyer, seller, make_listing
):
    draft = make_listing(seller, status="draft")
    sold = make_listing(seller, status="sold")
    before = counts(app)
    for listing_id in (draft.id, sold.id, 987654):
        assert client_for(buyer).get(f"/inquiries/new/{listing_id}").status_code == 404
        assert send(client_for(buyer), listing_id).status_code == 404
    assert counts(app) == before


def test_posts_without_csrf_token_are_refused(
    app, client_for, seller, buyer, thread, offer
):
    client = client_for(buyer)
    before = (counts(app), inquiry_row(app, thread))
    for url, data in (
        (f"/inquiries/new/{offer.id}", {"inquiry-body": "hello"}),
        (f"/inquiries/{thread}/messages", {"message-body": "hello"}),
        (f"/inquiries/{thread}/close", {}),
        (f"/inquiries/{thread}/report", {"report-reason": "spam"}),
    ):
        assert client.post(url, data, csrf=False).status_code == 400, url
    response = client_for(seller).post(
        f"/inquiries/{thread}/quote",
        {"quote-price": "1", "quote-quantity": "1"},
        csrf=False,
    )
    assert response.status_code == 400
    assert (counts(app), inquiry_row(app, thread)) == before
