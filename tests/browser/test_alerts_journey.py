"""Saved search to inbox, through a real browser: enterprise B searches and saves the
search; A's matching post is approved; B sees the unread badge, opens the entry and
lands on the post; A mutes the post's alerts from its page. No CSP violations.

Selectors are language-neutral (ids, names, data attributes, URLs).
"""

import os

import pytest

from market.extensions import db
from market.search import apply_outbox
from tests.browser.test_listing_journey import expect, log_in, log_out
from tests.listings.conftest import ListingMaker

pytestmark = pytest.mark.browser

SCREENSHOTS = os.environ.get("MARKET_SCREENSHOTS")  # a folder, to look at the pages


def shot(browser_page, name):
    if SCREENSHOTS:
        browser_page.page.screenshot(path=f"{SCREENSHOTS}/{name}.png", full_page=True)


def test_a_saved_search_brings_a_new_post_to_the_inbox(app, browser_page, factory):
    seller, buyer = factory.enterprise(), factory.enterprise()
    make = ListingMaker(app, factory)
    with app.app_context():
        apply_outbox()  # build the (empty) index, so the search page answers
    page = browser_page.page

    log_in(browser_page, buyer["email"])
    browser_page.goto("/search?q=%E5%8F%98%E5%8E%8B%E5%99%A8&kind=offer")
    expect(page.locator("#save-search-name")).to_have_value("变压器")
    shot(browser_page, "1-search")
    with page.expect_navigation():
        page.locator("form.save-search button[type=submit]").click()
    expect(page.locator(".flash-success")).to_be_visible()
    browser_page.goto("/saved-searches/")
    expect(page.locator("tr[data-saved-search-id]")).to_have_count(1)
    shot(browser_page, "2-saved-searches")

    made = make(seller, status="pending")
    with app.app_context():
        db.session.remove()
    moderator = factory.moderator()
    log_out(browser_page)
    log_in(browser_page, moderator["email"])
    browser_page.goto(f"/moderation/listings/{made.id}")
    approve = f"form[action$='/moderation/listings/{made.id}/approve'] button"
    with page.expect_navigation():
        page.locator(approve).click()
    log_out(browser_page)

    log_in(browser_page, buyer["email"])
    badge = page.locator(".nav-inbox .nav-badge")
    expect(badge).to_have_attribute("data-unread", "1")
    with page.expect_navigation():
        page.locator(".nav-inbox").click()
    expect(page.locator("li.notification-unread")).to_have_count(1)
    shot(browser_page, "3-inbox")
    with page.expect_navigation():
        page.locator("li.notification-unread button.notification-open").click()
    assert page.url.endswith(f"/listings/{made.id}")
    expect(page.locator(".nav-inbox .nav-badge")).to_have_count(0)
    log_out(browser_page)

    log_in(browser_page, seller["email"])
    browser_page.goto(f"/listings/{made.id}")
    with page.expect_navigation():
        page.locator(f"form[action$='/listings/{made.id}/mute'] button").click()
    expect(page.locator(f"form[action$='/listings/{made.id}/unmute']")).to_be_visible()
    shot(browser_page, "4-muted")
    browser_page.assert_clean()
