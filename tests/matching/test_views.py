"""The pages of matching: a post's matches for its owner, one pair explained, in
Chinese and in English, and who may see them."""

import pytest
from sqlalchemy import select, update

from market.extensions import db
from market.listings.models import Listing, ListingStatus
from market.notifications.models import Notification, NotificationKind
from tests.listings.conftest import OFFER_TITLE, WANTED_TITLE


@pytest.fixture
def pair(make_listing, approved, other):
    """A's offer and B's wanted post, a good match (both published)."""
    return make_listing(approved), make_listing(other, "wanted")


def url(offer, wanted) -> str:
    return f"/matching/{offer.id}/{wanted.id}"


def test_the_owner_sees_the_ranked_counterparts(
    client_for, approved, other, pair, make_listing
):
    offer, wanted = pair
    near = make_listing(
        other,
        "wanted",
        title="求购 10kV 630-1000kVA 变压器",
        specs={"voltage_kv": ["10"], "capacity_kva": ("500", "1000")},
    )
    page = client_for(approved).text(f"/matching/listings/{offer.id}")
    assert WANTED_TITLE in page and "求购 10kV 630-1000kVA 变压器" in page
    assert page.index(WANTED_TITLE) < page.index("求购 10kV 630-1000kVA 变压器")
    # The summary line, and the near miss marked as one (400 kVA for 500–1,000).
    assert "Voltage level matches: 10 kV · Rated capacity 400 kVA" in page
    assert (
        "Near miss</span> Rated capacity 400 kVA, just below the wanted 500–1000 kVA"
        in page
    )
    assert f'href="/matching/{offer.id}/{wanted.id}"' in page
    assert f'href="/matching/{offer.id}/{near.id}"' in page


def test_a_wanted_posts_owner_sees_offers_in_chinese(client_for, other, pair):
    offer, wanted = pair
    page = client_for(other, locale=None).text(f"/matching/listings/{wanted.id}")
    assert OFFER_TITLE in page
    assert "电压等级一致 10kV · 额定容量 400kVA 在需求范围 315–630kVA 内" in page


def test_no_matches_says_so(client_for, approved, make_listing):
    offer = make_listing(approved)
    page = client_for(approved).text(f"/matching/listings/{offer.id}")
    assert "No matching posts at the moment." in page


@pytest.mark.parametrize("who", ["other", "third", "moderator"])
def test_only_the_owner_sees_a_posts_matches(client_for, factory, other, pair, who):
    offer, _wanted = pair
    visitor = {"other": other, "third": factory.enterprise(), "moderator": None}[who]
    if who == "moderator":
        visitor = factory.moderator()
    assert client_for(visitor).get(f"/matching/listings/{offer.id}").status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client_for, pair):
    offer, wanted = pair
    for path in (f"/matching/listings/{offer.id}", url(offer, wanted)):
        response = client_for(None).get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/accounts/login")


def test_the_explanation_shows_every_component_in_chinese(client_for, other, pair):
    offer, wanted = pair
    page = client_for(other, locale=None).text(url(offer, wanted))
    for phrase in (
        "电压等级一致 10kV",
        "同为油浸式配电变压器",
        "额定容量 400kVA 在需求范围 315–630kVA 内",
        "数量满足：可供2台，求购1台",
        "价格 ¥28,000/台 在预算 ¥30,000/台 内",
        "成色九成新，不低于要求的可正常使用",
        "同在枣庄市市中区",
        "均为近14天内发布",
        "无试验报告，卖方已认证",
    ):
        assert phrase in page, phrase
    assert OFFER_TITLE in page and WANTED_TITLE in page
    assert 'data-score="94.7"' in page
    assert f'href="/listings/{offer.id}#inquiry"' in page


def test_the_explanation_switches_to_english(client_for, approved, pair):
    offer, wanted = pair
    client = client_for(approved, locale=None)
    assert "电压等级一致 10kV" in client.text(url(offer, wanted))
    switch = {"locale": "en", "next": url(offer, wanted)}
    response = client.post("/accounts/locale", switch)
    assert response.status_code == 302
    page = client.text(url(offer, wanted))
    assert "Voltage level matches: 10 kV" in page
    assert "Rated capacity 400 kVA, within the wanted 315–630 kVA" in page
    assert "Near miss" in page  # the evidence: no test report, seller verified
    assert "电压等级一致" not in page
    # The inquiry goes to the other side's post.
    assert f'href="/listings/{wanted.id}#inquiry"' in page


def test_an_incompatible_pair_still_explains_why(
    client_for, approved, other, make_listing
):
    offer = make_listing(
        approved,
        model_raw="S11-M-400/35",
        specs={"voltage_kv": "35", "capacity_kva": "400", "lv_kv": "0.4"},
    )
    wanted = make_listing(other, "wanted")
    page = client_for(approved).text(url(offer, wanted))
    assert "Voltage level differs: 10 kV wanted, 35 kV offered" in page
    assert "data-incompatible" in page


def test_a_third_enterprise_cannot_see_the_pair(client_for, factory, pair):
    offer, wanted = pair
    assert client_for(factory.enterprise()).get(url(offer, wanted)).status_code == 404


def test_the_other_post_must_be_public(app, client_for, approved, other, pair):
    offer, wanted = pair
    with app.app_context():
        db.session.execute(
            update(Listing)
            .where(Listing.id == wanted.id)
            .values(status=ListingStatus.WITHDRAWN)
        )
        db.session.commit()
    # A's offer is public, B's wanted post is not: A no longer sees the pair, B does.
    assert client_for(approved).get(url(offer, wanted)).status_code == 404
    assert client_for(other).get(url(offer, wanted)).status_code == 200


def test_ids_in_the_wrong_order_or_missing_are_404(client_for, approved, pair):
    offer, wanted = pair
    client = client_for(approved)
    assert client.get(url(wanted, offer)).status_code == 404
    assert client.get(f"/matching/{offer.id}/987654").status_code == 404
    assert client.get("/matching/listings/987654").status_code == 404


def test_the_post_page_links_its_owner_to_the_matches(
    client_for, approved, other, pair
):
    offer, _wanted = pair
    link = f'href="/matching/listings/{offer.id}"'
    assert link in client_for(approved).text(f"/listings/{offer.id}")
    assert link not in client_for(other).text(f"/listings/{offer.id}")


def test_a_draft_has_no_matches_link(client_for, approved, make_listing):
    draft = make_listing(approved, status="draft")
    page = client_for(approved).text(f"/listings/{draft.id}")
    assert "/matching/listings/" not in page


def test_a_muted_post_says_its_alerts_are_muted(app, client_for, approved, pair):
    offer, _wanted = pair
    with app.app_context():
        db.session.get(Listing, offer.id).alerts_muted = True
        db.session.commit()
    page = client_for(approved).text(f"/matching/listings/{offer.id}")
    assert "Alerts for this post are muted" in page


def test_a_match_notification_opens_the_explained_pair(app, client_for, approved, pair):
    offer, wanted = pair
    with app.app_context():
        notification_id = db.session.scalar(
            select(Notification.id).where(
                Notification.kind == NotificationKind.MATCH,
                Notification.enterprise_id == approved["id"],
            )
        )
    assert notification_id is not None
    response = client_for(approved).post(f"/notifications/{notification_id}/read")
    assert response.status_code == 302
    assert response.headers["Location"] == url(offer, wanted)
