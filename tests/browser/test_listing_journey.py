"""An offer's way to the public, through a real browser: an approved enterprise writes
it (the model number pre-fills category and ratings), adds a photo and a test report
and sends it for review; a moderator approves it; an anonymous visitor finds it on the
home page with its cover loaded, opens it and sees the photo and the ratings.

Selectors are language-neutral (ids, names, data attributes, URLs).
"""

import re
from datetime import timedelta

import pytest

from market.database import utcnow
from tests.conftest import PASSWORD, pdf_bytes, png_bytes

pytestmark = pytest.mark.browser

MODEL = "S11-M-400/10"
TITLE = "S11-M-400/10 油浸式变压器 九成新"


def expect(locator):
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


def log_in(browser_page, identifier):
    page = browser_page.page
    browser_page.goto("/accounts/login")
    page.locator("#identifier").fill(identifier)
    page.locator("#password").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(page.locator(".site-header form[action$='/accounts/logout']")).to_be_visible()


def log_out(browser_page):
    page = browser_page.page
    with page.expect_navigation():
        page.locator(".site-header form[action$='/accounts/logout'] button").click()
    expect(page.locator(".site-header a[href$='/accounts/login']")).to_be_visible()


def image_loaded(locator):
    locator.scroll_into_view_if_needed()
    locator.page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=locator.element_handle()
    )
    return locator.evaluate("img => img.naturalWidth")


def test_offer_from_form_to_public_page(browser_page, factory, tmp_path):
    enterprise = factory.enterprise()
    moderator = factory.moderator()
    photo = tmp_path / "变压器正面.png"
    photo.write_bytes(png_bytes(size=(800, 600), color="#3366aa"))
    report = tmp_path / "预防性试验报告.pdf"
    report.write_bytes(pdf_bytes())
    page = browser_page.page

    # 1. The enterprise writes the offer; the model number fills in the rest.
    log_in(browser_page, enterprise["email"])
    browser_page.goto("/listings/new?kind=offer")
    page.locator("#model_raw").fill(MODEL)
    expect(page.locator("#category_slug")).to_have_value("oil_immersed_transformer")
    expect(page.locator("#spec-capacity_kva")).to_have_value("400")
    expect(page.locator("#spec-voltage_kv")).to_have_value("10")
    expect(page.locator("[data-model-hint]")).not_to_be_empty()
    expect(page.locator("[data-spec-key=capacity_kva]")).to_be_visible()
    expect(page.locator("[data-spec-key=rated_current_a]")).to_be_hidden()
    page.locator("#title").fill(TITLE)
    page.locator("#condition_grade").select_option("grade_90")
    page.locator("#spec-lv_kv").fill("0.4kV")
    page.locator("#quantity").fill("2")
    page.locator("#price_cny").fill("28000")
    # Contact and region come pre-filled from the enterprise.
    expect(page.locator("#contact_mobile")).to_have_value(enterprise["mobile"])
    with page.expect_navigation():
        page.locator("button[name=draft]").click()
    match = re.search(r"/listings/(\d+)/files$", page.url)
    assert match, page.url
    listing_id = int(match.group(1))

    # 2. A photo and a test report, then off for review.
    page.locator("#photo-photo").set_input_files(str(photo))
    with page.expect_navigation():
        page.locator("#photo-photo").evaluate("input => input.form.requestSubmit()")
    expect(page.locator(".photo-list li[data-photo-id]")).to_have_count(1)
    page.locator("#document-document").set_input_files(str(report))
    page.locator("#document-kind").select_option("test_report")
    page.locator("#document-report_kind").select_option("periodic")
    page.locator("#document-lab").fill("国网山东省电力公司电力科学研究院")
    test_date = (utcnow().date() - timedelta(days=20)).isoformat()
    page.locator("#document-test_date").fill(test_date)
    with page.expect_navigation():
        page.locator("#document-document").evaluate("input => input.form.requestSubmit()")
    expect(page.locator(".documents li[data-document-id]")).to_have_count(1)
    expect(page.locator(".documents li[data-document-id] a")).to_have_text(
        "预防性试验报告.pdf"
    )
    with page.expect_navigation():
        page.locator(f"form[action$='/listings/{listing_id}/submit'] button").click()
    expect(page.locator(f"tr[data-listing-id='{listing_id}']")).to_be_visible()
    log_out(browser_page)

    # 3. A moderator approves it from the listing queue.
    log_in(browser_page, moderator["email"])
    browser_page.goto("/moderation/listings")
    row = page.locator(f"tr[data-listing-id='{listing_id}']")
    expect(row).to_be_visible()
    with page.expect_navigation():
        row.locator(f"a[href$='/moderation/listings/{listing_id}']").click()
    thumbnail = page.locator(".photo-list img").first
    assert image_loaded(thumbnail) > 0
    with page.expect_navigation():
        page.locator(
            f"form[action$='/moderation/listings/{listing_id}/approve'] button"
        ).click()
    assert page.url == browser_page.url("/moderation/listings")
    expect(page.locator(f"tr[data-listing-id='{listing_id}']")).to_have_count(0)
    log_out(browser_page)

    # 4. Anyone finds it on the home page, cover loaded, and opens it.
    browser_page.goto("/")
    card = page.locator(f".listing-card[data-listing-id='{listing_id}']")
    expect(card).to_be_visible()
    expect(card.locator(".listing-card-title")).to_have_text(TITLE)
    cover = card.locator("img.listing-card-cover")
    assert image_loaded(cover) > 0
    with page.expect_navigation():
        card.locator("a.listing-card-link").click()
    assert page.url == browser_page.url(f"/listings/{listing_id}")
    main_photo = page.locator("[data-gallery-main]")
    assert image_loaded(main_photo) == 800
    ratings = page.locator(".specs-table")
    expect(ratings).to_contain_text("400 kVA")
    expect(ratings).to_contain_text("10 kV")
    expect(ratings).to_contain_text("0.4 kV")
    # Anonymous: no contact mobile, no document link.
    expect(page.locator("[data-contact-mobile]")).to_have_count(0)
    expect(page.locator("a[href*='/documents/']")).to_have_count(0)

    browser_page.assert_clean()
