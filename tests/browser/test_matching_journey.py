"""Supply meets demand, through a real browser and in Chinese: a buyer's wanted post
is public; a seller's fitting offer waits for review; a moderator approves it; the
buyer sees the unread count, opens the match from the inbox and reads why it fits,
then sends an inquiry from the offer's page; the seller is told, opens the thread
and answers with a quote; the buyer accepts, and the home page's numbers count the
deal.

Selectors are language-neutral (ids, names, data attributes, URLs); the few texts
checked are the Chinese the user reads.
"""

import re

import pytest

from tests.browser.test_listing_journey import expect, log_in, log_out
from tests.listings.conftest import ListingMaker

pytestmark = pytest.mark.browser


def open_first_notification(browser_page):
    page = browser_page.page
    badge = page.locator(".site-header .nav-badge")
    expect(badge).to_have_attribute("data-unread", re.compile(r"^[1-9]"))
    browser_page.goto("/notifications/")
    entry = page.locator("li.notification-unread").first
    with page.expect_navigation():
        entry.locator("button.notification-open").click()


def test_wanted_post_meets_an_approved_offer_and_they_settle(
    browser_page, app, factory
):
    buyer = factory.enterprise(name="滕州市鑫源机械有限公司")
    seller = factory.enterprise(name="枣庄供电设备回收有限公司")
    moderator = factory.moderator()
    make = ListingMaker(app, factory)
    wanted = make(buyer, "wanted", status="published")
    offer = make(seller, status="pending")
    page = browser_page.page
    page.on("dialog", lambda dialog: dialog.accept())

    # 1. The moderator approves the offer: matching runs in that request.
    log_in(browser_page, moderator["email"])
    browser_page.goto(f"/moderation/listings/{offer.id}")
    with page.expect_navigation():
        page.locator(
            f"form[action$='/moderation/listings/{offer.id}/approve'] button"
        ).click()
    log_out(browser_page)

    # 2. The buyer is told, opens the match and reads it point by point.
    log_in(browser_page, buyer["email"])
    open_first_notification(browser_page)
    assert page.url == browser_page.url(f"/matching/{offer.id}/{wanted.id}")
    score = float(page.locator("[data-score]").get_attribute("data-score"))
    assert score >= 80
    voltage = page.locator("tr[data-component=voltage]")
    expect(voltage).to_have_attribute("data-outcome", "met")
    expect(voltage).to_contain_text("电压等级一致 10kV")
    expect(page.locator("tr[data-component=rating]")).to_contain_text(
        "在需求范围 315–630kVA 内"
    )

    # 3. From the match to the offer's page, and an inquiry from there.
    with page.expect_navigation():
        page.locator(f"a[href$='/listings/{offer.id}#inquiry']").click()
    form = page.locator("form[data-inquiry-form]")
    form.locator("#inquiry-body").fill("看到匹配推荐，请问这台变压器可以本周看货吗？")
    form.locator("#inquiry-quantity").fill("1")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    inquiry_id = int(re.search(r"/inquiries/(\d+)", page.url).group(1))
    log_out(browser_page)

    # 4. The seller was told of the match and of the inquiry; it answers with a quote.
    log_in(browser_page, seller["email"])
    browser_page.goto("/notifications/")
    expect(page.locator("li.notification-unread")).to_have_count(2)
    with page.expect_navigation():
        page.locator("li.notification-unread button.notification-open").first.click()
    assert page.url == browser_page.url(f"/inquiries/{inquiry_id}")
    quote = page.locator("form[data-inquiry-quote]")
    quote.locator("#quote-price").fill("27000")
    quote.locator("#quote-body").fill("可以，本周三上午欢迎看货。")
    with page.expect_navigation():
        quote.locator("button[type=submit]").click()
    expect(page.locator("[data-inquiry-status]")).to_have_attribute(
        "data-inquiry-status", "quoted"
    )
    log_out(browser_page)

    # 5. The buyer accepts; the platform's numbers count the deal.
    log_in(browser_page, buyer["email"])
    browser_page.goto(f"/inquiries/{inquiry_id}")
    with page.expect_navigation():
        page.locator("form[data-inquiry-accept] button").click()
    expect(page.locator("[data-inquiry-status]")).to_have_attribute(
        "data-inquiry-status", "agreed"
    )
    browser_page.goto("/")
    expect(page.locator("[data-stat=deals]")).to_have_text("1")
    expect(page.locator("[data-stat=value-traded]")).to_contain_text("2.7")

    browser_page.assert_clean()
