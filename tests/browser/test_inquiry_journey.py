"""An inquiry to a deal, through a real browser and in Chinese: a buyer sends an
inquiry from an offer's page, the seller finds it under its inquiries and quotes,
the buyer accepts (confirming the dialog), the thread shows the deal agreed and
the post's quantity has gone down by it.

Selectors are language-neutral (ids, names, data attributes, URLs).
"""

import re

import pytest

from tests.browser.test_listing_journey import expect, log_in, log_out
from tests.listings.conftest import ListingMaker

pytestmark = pytest.mark.browser


def test_inquiry_quote_accept(browser_page, app, factory):
    seller = factory.enterprise(name="枣庄供电设备回收有限公司")
    buyer = factory.enterprise(name="济南华能电力工程有限公司")
    offer = ListingMaker(app, factory)(seller, status="published")  # 2 units
    page = browser_page.page
    page.on("dialog", lambda dialog: dialog.accept())

    # 1. The buyer asks from the post page and lands in the thread.
    log_in(browser_page, buyer["email"])
    browser_page.goto(f"/listings/{offer.id}")
    expect(page.locator("[data-listing-quantity]")).to_have_text(re.compile(r"^2 "))
    form = page.locator("form[data-inquiry-form]")
    form.locator("#inquiry-body").fill("请问这台变压器还在吗？可否现场看货？")
    form.locator("#inquiry-quantity").fill("1")
    form.locator("#inquiry-price").fill("25000")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    match = re.search(r"/inquiries/(\d+)", page.url)
    assert match, page.url
    inquiry_id = int(match.group(1))
    expect(page.locator("[data-inquiry-status]")).to_have_attribute(
        "data-inquiry-status", "open"
    )
    expect(page.locator("[data-party=owner]")).to_contain_text(seller["mobile"])
    log_out(browser_page)

    # 2. The seller finds it among its received inquiries and quotes.
    log_in(browser_page, seller["email"])
    browser_page.goto("/inquiries/")
    row = page.locator(f"[data-box=received] tr[data-inquiry-id='{inquiry_id}']")
    with page.expect_navigation():
        row.locator("a").click()
    expect(page.locator("[data-party=sender]")).to_contain_text(buyer["mobile"])
    quote = page.locator("form[data-inquiry-quote]")
    expect(quote.locator("#quote-quantity")).to_have_value("1")
    quote.locator("#quote-price").fill("26000")
    with page.expect_navigation():
        quote.locator("button[type=submit]").click()
    expect(page.locator("[data-inquiry-status]")).to_have_attribute(
        "data-inquiry-status", "quoted"
    )
    log_out(browser_page)

    # 3. The buyer accepts: the deal is agreed, the post has one left.
    log_in(browser_page, buyer["email"])
    browser_page.goto(f"/inquiries/{inquiry_id}")
    expect(page.locator("[data-quoted-total]")).to_contain_text("26,000")
    with page.expect_navigation():
        page.locator("form[data-inquiry-accept] button").click()
    expect(page.locator("[data-inquiry-status]")).to_have_attribute(
        "data-inquiry-status", "agreed"
    )
    expect(page.locator("[data-message-kind=agree]")).to_have_count(1)
    expect(page.locator("[data-post-quantity]")).to_have_text(re.compile(r"^1 "))
    browser_page.goto(f"/listings/{offer.id}")
    expect(page.locator("[data-listing-quantity]")).to_have_text(re.compile(r"^1 "))
    expect(page.locator("[data-own-inquiry]")).to_be_visible()

    browser_page.assert_clean()
