"""SECURITY E1: user text never runs as script, on any page that shows it.

Every field a user controls gets the three payloads of the row: enterprise names,
a post's title, description, manufacturer and contact, an inquiry's messages and
quote note, a saved search's name, the search box echo, and the notifications that
quote them. A real browser opens every page that shows them (post, search,
matches, pair, inquiries, inbox, saved searches, moderation, statistics) and counts
dialogs: there must be none, and the payload must come back as text.
"""

import pytest
from sqlalchemy import update

from market.extensions import db
from market.search import rebuild
from market.listings.models import Listing
from tests.browser.test_listing_journey import expect, log_in, log_out
from tests.listings.conftest import ListingMaker

pytestmark = pytest.mark.browser

PAYLOADS = (
    '"><script>alert(1)</script>',
    "<img src=x onerror=alert(2)>",
    "</script><script>alert(3)</script>",
)
TEXT = " ".join(PAYLOADS)


def test_no_payload_runs_anywhere(browser_page, app, factory):
    buyer = factory.enterprise(name=f"买方{PAYLOADS[1]}")
    seller = factory.enterprise(name=f"卖方{PAYLOADS[0]}")
    moderator = factory.moderator()
    make = ListingMaker(app, factory)
    wanted = make(buyer, "wanted", status="published")
    offer = make(seller, status="published")
    with app.app_context():
        # Stored as a user could have typed them (the forms allow < > " in text).
        db.session.execute(
            update(Listing)
            .where(Listing.id.in_((wanted.id, offer.id)))
            .values(title=f"变压器{PAYLOADS[0]}", description=TEXT, manufacturer=PAYLOADS[2])
        )
        db.session.commit()
        rebuild()
    page = browser_page.page
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    log_in(browser_page, buyer["email"])
    # An inquiry with every payload, and a saved search named with one.
    browser_page.goto(f"/listings/{offer.id}")
    form = page.locator("form[data-inquiry-form]")
    form.locator("#inquiry-body").fill(TEXT)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    inquiry_path = page.url.removeprefix(browser_page.base_url)
    expect(page.locator("main")).to_contain_text(PAYLOADS[0])  # shown as text
    browser_page.goto("/search?q=" + PAYLOADS[0])
    save = page.locator("form.save-search")
    save.locator("input[name=name]").fill(PAYLOADS[1])
    with page.expect_navigation():
        save.locator("button[type=submit]").click()
    pages = [
        f"/listings/{offer.id}",
        f"/listings/{wanted.id}",
        f"/matching/listings/{wanted.id}",
        f"/matching/{offer.id}/{wanted.id}",
        "/inquiries/",
        inquiry_path,
        "/notifications/",
        "/saved-searches/",
        "/search?q=" + PAYLOADS[2],
        "/",
        f"/enterprises/{seller['id']}",
    ]
    for path in pages:
        browser_page.goto(path)
        html = page.content()
        assert "<script>alert(" not in html, path
        assert "onerror=alert" not in html.replace("&lt;img src=x onerror=alert", ""), path
    expect(page.locator("body")).to_be_visible()
    log_out(browser_page)

    # The seller's side: its inbox quotes the buyer's name and message.
    log_in(browser_page, seller["email"])
    for path in ("/notifications/", "/inquiries/", inquiry_path):
        browser_page.goto(path)
        assert "<script>alert(" not in page.content(), path
    log_out(browser_page)

    log_in(browser_page, moderator["email"])
    for path in ("/moderation/", "/moderation/listings", "/stats/"):
        browser_page.goto(path)
        assert "<script>alert(" not in page.content(), path

    assert dialogs == []
    browser_page.assert_clean()
