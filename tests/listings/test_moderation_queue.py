"""The moderators' listing queue: its filters, and the flags that help a decision."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import update

from market.database import utcnow
from market.extensions import db
from market.listings.models import Listing
from tests.listings.conftest import JINAN, LIXIA, SHANDONG


@pytest.fixture
def moderator_client(client_for, factory):
    return client_for(factory.moderator())


def queue_ids(client, query="") -> set[int]:
    page = client.text("/moderation/listings" + query)
    return {int(i) for i in re.findall(r'<tr data-listing-id="(\d+)"', page)}


def test_queue_filters(app, moderator_client, approved, other, make_listing):
    offer = make_listing(approved, status="pending", title="老变压器")
    wanted = make_listing(
        other, kind="wanted", status="pending", city=JINAN, district=LIXIA
    )
    switchgear = make_listing(
        other,
        status="pending",
        photos=1,
        nameplate=True,
        category_slug="mv_withdrawable_switchgear",
        title="KYN28A-12 开关柜",
        model_raw="KYN28A-12",
        specs={"voltage_kv": "10", "rated_current_a": "1250"},
    )
    scrap = make_listing(
        approved,
        status="pending",
        title="S9 报废变压器",
        model_raw="S9-M-315/10",
        condition_grade="scrap",
        specs={"voltage_kv": "10", "capacity_kva": "315"},
    )
    make_listing(approved, status="published", title="已发布")
    make_listing(approved, status="draft", title="草稿")
    with app.app_context():
        db.session.execute(
            update(Listing)
            .where(Listing.id == offer.id)
            .values(submitted_at=utcnow() - timedelta(hours=30))
        )
        db.session.commit()

    client = moderator_client
    everything = {offer.id, wanted.id, switchgear.id, scrap.id}
    assert queue_ids(client) == everything
    assert queue_ids(client, "?kind=offer") == {offer.id, switchgear.id, scrap.id}
    assert queue_ids(client, "?kind=wanted") == {wanted.id}
    assert queue_ids(client, "?category=transformer") == {offer.id, wanted.id, scrap.id}
    assert queue_ids(client, "?category=mv_withdrawable_switchgear") == {switchgear.id}
    assert queue_ids(client, f"?city={JINAN}") == {wanted.id}
    assert queue_ids(client, "?waiting_hours=24") == {offer.id}
    assert queue_ids(client, "?waiting_hours=72") == set()
    assert queue_ids(client, "?flag=no_nameplate") == {offer.id, scrap.id}
    assert queue_ids(client, "?flag=eliminated_model") == {scrap.id}
    assert queue_ids(client, "?kind=offer&category=transformer&flag=no_nameplate") == {
        offer.id, scrap.id
    }  # fmt: skip
    assert queue_ids(client, "?waiting_hours=abc") == everything
    page = client.text("/moderation/listings")
    assert f'<option value="{JINAN}"' in page and f'<option value="{SHANDONG}"' not in page
    # Oldest first.
    assert page.index(f'data-listing-id="{offer.id}"') < page.index(
        f'data-listing-id="{wanted.id}"'
    )
    detail = client.text(f"/moderation/listings/{scrap.id}")
    assert "Eliminated high-loss model" in detail and "No nameplate photo" in detail


def test_nameplate_document_also_counts(app, moderator_client, approved, make_listing):
    made = make_listing(approved, status="draft")
    with app.app_context():
        from market.accounts.models import User
        from market.listings import attachments, services
        from tests.conftest import pdf_bytes

        owner = db.session.get(User, approved["user_id"])
        listing = db.session.get(Listing, made.id)
        attachments.add_document(owner, listing, "铭牌.pdf", pdf_bytes(), "nameplate")
        services.submit_listing(owner, listing)
        db.session.commit()
    assert made.id in queue_ids(moderator_client, "?kind=offer")
    assert made.id not in queue_ids(moderator_client, "?flag=no_nameplate")


def test_duplicate_flag(moderator_client, approved, other, make_listing):
    first = make_listing(approved, status="pending")
    twin = make_listing(approved, status="draft")  # same title, model and category
    renamed = make_listing(approved, status="pending", title="另一台 S11 变压器")
    foreign = make_listing(other, status="pending")  # same title, other enterprise
    flagged = queue_ids(moderator_client, "?flag=duplicate")
    assert first.id in flagged
    assert twin.id not in flagged  # drafts are not in the queue at all
    assert renamed.id not in flagged
    assert foreign.id not in flagged


def test_price_outlier_needs_three_similar_published_offers(
    app, moderator_client, approved, other, make_listing
):
    cheap = make_listing(other, status="pending", price_cny="2000", title="低价变压器")
    fair = make_listing(other, status="pending", price_cny="30000", title="正常价变压器")
    dear = make_listing(other, status="pending", price_cny="300000", title="高价变压器")
    make_listing(approved, status="published", price_cny="28000", title="参考一")
    make_listing(approved, status="published", price_cny="26000", title="参考二",
                 specs={"voltage_kv": "10", "capacity_kva": "500"})  # fmt: skip
    # Not similar: another capacity band, and a wanted post's budget.
    make_listing(approved, status="published", price_cny="900", title="大容量",
                 specs={"voltage_kv": "10", "capacity_kva": "2000"})  # fmt: skip
    make_listing(approved, kind="wanted", status="published", price_cny="900")
    # Two comparables are not enough to call anything an outlier.
    assert queue_ids(moderator_client, "?flag=price_outlier") == set()

    make_listing(approved, status="sold", price_cny="27000", title="参考三（已售）")
    flagged = queue_ids(moderator_client, "?flag=price_outlier")
    assert flagged == {cheap.id, dear.id}
    assert fair.id not in flagged
    assert "Price far from similar posts" in moderator_client.text(
        f"/moderation/listings/{dear.id}"
    )


def test_revisions_wait_in_the_queue_without_a_bulk_checkbox(
    app, moderator_client, client_for, approved, make_listing
):
    from tests.listings.conftest import offer_form

    made = make_listing(approved, status="published")
    client_for(approved).post(f"/listings/{made.id}/edit", offer_form(title="修改后的标题"))
    page = moderator_client.text("/moderation/listings")
    row = page[page.index(f'<tr data-listing-id="{made.id}"') :]
    row = row[: row.index("</tr>")]
    assert "Revision" in row
    assert 'name="listing_id"' not in row


def test_new_photo_of_a_published_post_waits_in_the_queue(
    app, moderator_client, client_for, approved, make_listing
):
    from tests.listings.conftest import load, png_bytes, upload

    made = make_listing(approved, status="published", photos=1)
    response = client_for(approved).post(
        f"/listings/{made.id}/files",
        {"photo-photo": upload(png_bytes((90, 60), "#00aa00"), "铭牌特写.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert load(app, made.id)["photos"][-1][2] is True  # pending
    assert made.id in queue_ids(moderator_client)
    response = moderator_client.post(f"/moderation/listings/{made.id}/approve-revision")
    assert response.status_code == 302
    assert all(not photo[2] for photo in load(app, made.id)["photos"])
