"""Sending is rate-limited per user: new inquiries and messages count together,
only what was really sent counts, and the 429 page says why in the user's language."""

import pytest

from tests.inquiries.conftest import counts, message, send, thread_id

LIMIT_TEXT = (
    "You have sent many inquiries and messages in a short time. "
    "Please wait a few minutes and try again."
)


@pytest.fixture
def thread(client_for, buyer, offer):
    return thread_id(send(client_for(buyer), offer.id))  # the first of five


def test_sixth_send_in_a_minute_is_429(app, client_for, buyer, seller, thread, offer):
    assert app.config["MARKET_INQUIRY_LIMIT_PER_USER"] == "5 per minute;20 per hour"
    client = client_for(buyer)
    for number in range(3):
        assert message(client, thread, f"第{number}条").status_code == 302
    assert send(client, offer.id, "再补充一句").status_code == 302  # the fifth
    before = counts(app)
    response = message(client, thread, "第六条")
    assert response.status_code == 429
    assert LIMIT_TEXT in response.get_data(as_text=True)
    assert send(client, offer.id).status_code == 429
    assert counts(app) == before
    # The limit is the user's: the other side still answers.
    assert message(client_for(seller), thread).status_code == 302


def test_429_page_in_chinese_by_default(app, client_for, buyer, thread):
    client = client_for(buyer, locale=None)
    for _number in range(4):
        assert message(client, thread).status_code == 302
    response = message(client, thread)
    assert response.status_code == 429
    assert 'lang="zh-CN"' in response.get_data(as_text=True)


def test_forms_sent_back_with_errors_do_not_count(app, client_for, buyer, thread):
    client = client_for(buyer)
    for _number in range(10):
        assert message(client, thread, "  ").status_code == 200
    assert message(client, thread).status_code == 302


def test_reading_is_not_limited(app, client_for, buyer, thread, offer):
    client = client_for(buyer)
    for _number in range(5):
        message(client, thread)
    assert client.get(f"/inquiries/{thread}").status_code == 200
    assert client.get(f"/inquiries/new/{offer.id}").status_code == 302
