"""The listing lifecycle through its routes: who may make which transition, what a
refused one leaves behind (409, nothing changed), the append-only history, expiry,
and revisions of published posts."""

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import update

from market.extensions import db
from market.listings.models import Listing, ListingEvent, ListingStatus
from tests.listings.conftest import (
    OFFER_TITLE,
    count,
    database_state,
    error_fields,
    load,
    newest_listing,
    offer_form,
    png_bytes,
    status_of,
    today,
    upload,
)

STATES = ("draft", "pending", "published", "rejected", "withdrawn", "sold", "expired")


def act(client, listing_id, verb, **data):
    return client.post(f"/listings/{listing_id}/{verb}", data)


def decide(client, listing_id, verb, reason=None):
    data = {} if reason is None else {"reason": reason}
    return client.post(f"/moderation/listings/{listing_id}/{verb}", data)


@pytest.fixture
def moderator(factory):
    return factory.moderator()


def last_event(app, listing_id):
    return load(app, listing_id)["events"][-1]


# --- the owner's transitions ---------------------------------------------------------


@pytest.mark.parametrize(
    "start, verb, end",
    [
        ("draft", "submit", "pending"),
        ("rejected", "submit", "pending"),
        ("pending", "withdraw", "withdrawn"),
        ("published", "withdraw", "withdrawn"),
        ("published", "renew", "published"),
        ("expired", "renew", "published"),
    ],
)
def test_owner_transition_writes_an_event(
    app, client_for, approved, make_listing, start, verb, end
):
    made = make_listing(approved, status=start)
    before = load(app, made.id)
    response = act(client_for(approved), made.id, verb)
    assert response.status_code == 302
    after = load(app, made.id)
    assert after["status"].value == end
    assert len(after["events"]) == len(before["events"]) + 1
    action = {"submit": "submitted", "withdraw": "withdrawn", "renew": "renewed"}[verb]
    assert after["events"][-1] == (action, start, end, approved["user_id"], None)
    if verb == "submit":
        assert after["status_reason"] is None and after["submitted_at"] is not None
    if verb == "renew":
        assert after["valid_until"] >= today() + timedelta(days=90)


def test_renewing_an_expired_wanted_post_extends_its_date(
    app, client_for, approved, make_listing
):
    made = make_listing(approved, kind="wanted", status="expired")
    assert act(client_for(approved), made.id, "renew").status_code == 302
    row = load(app, made.id)
    assert row["status"] is ListingStatus.PUBLISHED
    assert row["wanted_by"] == today() + timedelta(days=90)
    assert client_for(None).get(f"/listings/{made.id}").status_code == 200


def test_mark_sold_with_deal_price_and_quantity(app, client_for, approved, make_listing):
    made = make_listing(approved, status="published")
    client = client_for(approved)
    assert client.get(f"/listings/{made.id}/sold").status_code == 200
    response = client.post(
        f"/listings/{made.id}/sold", {"deal_price": "¥26,500", "deal_quantity": "2"}
    )
    assert response.status_code == 302
    row = load(app, made.id)
    assert row["status"] is ListingStatus.SOLD
    assert row["deal_price_cny"] == Decimal("26500")
    assert row["deal_quantity"] == Decimal("2")
    assert row["events"][-1] == ("sold", "published", "sold", approved["user_id"], None)
    assert client_for(None).get(f"/listings/{made.id}").status_code == 404


def test_mark_sold_refuses_bad_deal_figures(app, client_for, approved, make_listing):
    made = make_listing(approved, status="published")  # 2 units listed
    client = client_for(approved)
    before = load(app, made.id)
    for data, field in (
        ({"deal_quantity": "3"}, "deal_quantity"),
        ({"deal_quantity": "0"}, "deal_quantity"),
        ({"deal_quantity": "two"}, "deal_quantity"),
        ({"deal_price": "-1"}, "deal_price"),
        ({"deal_price": "lots"}, "deal_price"),
    ):
        response = client.post(f"/listings/{made.id}/sold", data)
        assert response.status_code == 200, data
        assert field in error_fields(response.get_data(as_text=True)), data
    page = client.post(f"/listings/{made.id}/sold", {"deal_quantity": "3"}).get_data(
        as_text=True
    )
    assert "The quantity sold must be above 0 and at most the quantity listed." in page
    assert load(app, made.id) == before


def test_duplicate_makes_a_new_draft_without_files(app, client_for, approved, make_listing):
    made = make_listing(approved, status="sold", photos=1, documents=1)
    response = act(client_for(approved), made.id, "duplicate")
    assert response.status_code == 302
    copy = newest_listing(app)
    assert copy["id"] != made.id
    assert response.headers["Location"].endswith(f"/listings/{copy['id']}/edit")
    assert copy["status"] is ListingStatus.DRAFT
    assert copy["title"] == OFFER_TITLE and copy["enterprise_id"] == approved["id"]
    assert copy["photos"] == [] and copy["documents"] == []
    assert copy["valid_until"] == today() + timedelta(days=90)
    assert copy["events"] == [("created", None, "draft", approved["user_id"], None)]
    assert load(app, made.id)["status"] is ListingStatus.SOLD


# --- refused transitions ----------------------------------------------------------------

OWNER_ALLOWED = {
    "submit": {"draft", "rejected"},
    "withdraw": {"pending", "published"},
    "renew": {"published", "expired"},
}


def test_invalid_owner_transitions_are_409_and_change_nothing(
    app, client_for, approved, make_listing
):
    listings = {state: make_listing(approved, status=state).id for state in STATES}
    client = client_for(approved)
    before = database_state(app)
    problems = []
    for verb, allowed in OWNER_ALLOWED.items():
        for state in set(STATES) - allowed:
            status = act(client, listings[state], verb).status_code
            if status != 409:
                problems.append(f"{verb} on {state}: {status}")
    for state in set(STATES) - {"published"}:
        status = client.post(f"/listings/{listings[state]}/sold", {}).status_code
        if status != 409:
            problems.append(f"sold on {state}: {status}")
    assert not problems, problems
    assert database_state(app) == before


MODERATOR_ALLOWED = {"approve": {"pending"}, "reject": {"pending"}}


def test_invalid_moderator_transitions_are_409_and_change_nothing(
    app, client_for, approved, make_listing, moderator
):
    listings = {state: make_listing(approved, status=state).id for state in STATES}
    client = client_for(moderator)
    before = database_state(app)
    problems = []
    for verb, allowed in MODERATOR_ALLOWED.items():
        for state in set(STATES) - allowed:
            reason = "不合格" if verb == "reject" else None
            status = decide(client, listings[state], verb, reason).status_code
            if status != 409:
                problems.append(f"{verb} on {state}: {status}")
    for state in STATES:  # no revision waits anywhere
        for verb, reason in (("approve-revision", None), ("reject-revision", "不行")):
            status = decide(client, listings[state], verb, reason).status_code
            if status != 409:
                problems.append(f"{verb} on {state}: {status}")
    assert not problems, problems
    assert database_state(app) == before


def test_closed_posts_take_no_edits_or_files(app, client_for, approved, make_listing):
    client = client_for(approved)
    for state in ("sold", "withdrawn", "expired"):
        made = make_listing(approved, status=state)
        before = database_state(app)
        edit = client.post(f"/listings/{made.id}/edit", offer_form(title="新标题"))
        assert edit.status_code == 302 and "/listings/mine" in edit.headers["Location"]
        photo = client.post(
            f"/listings/{made.id}/files",
            {"photo-photo": upload(png_bytes(), "a.png")},
            content_type="multipart/form-data",
        )
        assert photo.status_code == 409, state
        assert database_state(app) == before, state


# --- the moderator's decisions ------------------------------------------------------------


def test_moderator_approves_a_pending_post(app, client_for, approved, make_listing, moderator):
    made = make_listing(approved, status="pending")
    client = client_for(moderator)
    assert client.get(f"/moderation/listings/{made.id}").status_code == 200
    assert decide(client, made.id, "approve").status_code == 302
    row = load(app, made.id)
    assert row["status"] is ListingStatus.PUBLISHED
    assert row["published_at"] is not None
    assert row["events"][-1] == (
        "approved", "pending", "published", moderator["user_id"], None
    )  # fmt: skip
    assert client_for(None).get(f"/listings/{made.id}").status_code == 200


def test_rejection_needs_a_reason_which_the_owner_sees(
    app, client_for, approved, make_listing, moderator
):
    made = make_listing(approved, status="pending")
    client = client_for(moderator)
    before = load(app, made.id)
    for empty in ("", "   "):
        response = decide(client, made.id, "reject", empty)
        assert response.status_code == 302
        assert load(app, made.id) == before
    response = decide(client, made.id, "reject", "铭牌照片缺失，请补充")
    assert response.status_code == 302
    row = load(app, made.id)
    assert row["status"] is ListingStatus.REJECTED
    assert row["status_reason"] == "铭牌照片缺失，请补充"
    assert row["events"][-1] == (
        "rejected", "pending", "rejected", moderator["user_id"], "铭牌照片缺失，请补充"
    )  # fmt: skip
    owner = client_for(approved)
    assert "铭牌照片缺失，请补充" in owner.text("/listings/mine?status=rejected")
    assert "铭牌照片缺失，请补充" in owner.text(f"/listings/{made.id}/edit")


def test_a_moderator_cannot_decide_on_their_own_enterprises_posts(
    app, client_for, approved, make_listing, factory
):
    insider = factory.moderator(enterprise_id=approved["id"])
    pending = make_listing(approved, status="pending")
    published = make_listing(approved, status="published")
    owner = client_for(approved)
    owner.post(f"/listings/{published.id}/edit", offer_form(title="改标题"))
    client = client_for(insider)
    before = database_state(app)
    assert "You cannot decide on your own enterprise's posts." in client.text(
        f"/moderation/listings/{pending.id}"
    )
    assert decide(client, pending.id, "approve").status_code == 403
    assert decide(client, pending.id, "reject", "自己的").status_code == 403
    assert decide(client, published.id, "approve-revision").status_code == 403
    assert decide(client, published.id, "reject-revision", "自己的").status_code == 403
    many = client.post("/moderation/listings/approve-many", {"listing_id": [pending.id]})
    assert many.status_code == 403
    assert database_state(app) == before


def test_only_moderators_reach_listing_moderation(
    app, client_for, approved, make_listing
):
    made = make_listing(approved, status="pending")
    owner = client_for(approved)
    before = database_state(app)
    assert owner.get("/moderation/listings").status_code == 403
    assert owner.get(f"/moderation/listings/{made.id}").status_code == 403
    assert decide(owner, made.id, "approve").status_code == 403
    assert owner.post(
        "/moderation/listings/approve-many", {"listing_id": [made.id]}
    ).status_code == 403
    anonymous = client_for(None)
    response = decide(anonymous, made.id, "approve")
    assert response.status_code in (302, 400)
    assert database_state(app) == before


def test_moderators_cannot_make_owner_transitions(
    app, client_for, approved, make_listing, moderator
):
    made = make_listing(approved, status="published")
    client = client_for(moderator)
    before = database_state(app)
    for verb in ("withdraw", "renew", "duplicate", "submit"):
        assert act(client, made.id, verb).status_code == 404, verb
    assert client.post(f"/listings/{made.id}/sold", {}).status_code == 404
    assert client.post(f"/listings/{made.id}/edit", offer_form()).status_code == 404
    assert database_state(app) == before


def test_approve_several_at_once(app, client_for, approved, other, make_listing, moderator):
    first = make_listing(approved, status="pending")
    second = make_listing(other, kind="wanted", status="pending")
    client = client_for(moderator)
    response = client.post(
        "/moderation/listings/approve-many", {"listing_id": [first.id, second.id]}
    )
    assert response.status_code == 302
    for made in (first, second):
        row = load(app, made.id)
        assert row["status"] is ListingStatus.PUBLISHED
        assert row["events"][-1][0] == "approved"


def test_approve_several_is_all_or_nothing(
    app, client_for, approved, make_listing, moderator
):
    waiting = make_listing(approved, status="pending")
    decided = make_listing(approved, status="rejected")
    client = client_for(moderator)
    before = database_state(app)
    response = client.post(
        "/moderation/listings/approve-many", {"listing_id": [waiting.id, decided.id]}
    )
    assert response.status_code == 409
    assert database_state(app) == before
    assert status_of(app, waiting.id) == "pending"


# --- history ---------------------------------------------------------------------------


def test_a_full_life_leaves_one_event_per_transition(
    app, client_for, approved, moderator
):
    owner = client_for(approved)
    mod = client_for(moderator)
    owner.post("/listings/new?kind=offer", offer_form())
    listing_id = newest_listing(app)["id"]
    act(owner, listing_id, "submit")
    decide(mod, listing_id, "reject", "价格不合理")
    act(owner, listing_id, "submit")
    decide(mod, listing_id, "approve")
    owner.post(f"/listings/{listing_id}/edit", offer_form(price_cny="26000"))
    decide(mod, listing_id, "approve-revision")
    act(owner, listing_id, "renew")
    owner.post(f"/listings/{listing_id}/sold", {})
    events = load(app, listing_id)["events"]
    owner_id, mod_id = approved["user_id"], moderator["user_id"]
    assert events == [
        ("created", None, "draft", owner_id, None),
        ("submitted", "draft", "pending", owner_id, None),
        ("rejected", "pending", "rejected", mod_id, "价格不合理"),
        ("submitted", "rejected", "pending", owner_id, None),
        ("approved", "pending", "published", mod_id, None),
        ("revision_submitted", "published", "published", owner_id, None),
        ("revision_approved", "published", "published", mod_id, None),
        ("renewed", "published", "published", owner_id, None),
        ("sold", "published", "sold", owner_id, None),
    ]
    page = mod.text(f"/moderation/listings/{listing_id}")
    assert "价格不合理" in page


def test_events_are_append_only(app, approved, make_listing):
    made = make_listing(approved, status="published")
    before = load(app, made.id)["events"]
    with app.app_context():
        event = db.session.scalars(
            db.select(ListingEvent).where(ListingEvent.listing_id == made.id)
        ).first()
        event.reason = "rewritten"
        with pytest.raises(RuntimeError, match="append-only"):
            db.session.commit()
        db.session.rollback()
        event = db.session.get(ListingEvent, event.id)
        db.session.delete(event)
        with pytest.raises(RuntimeError, match="append-only"):
            db.session.commit()
        db.session.rollback()
    assert load(app, made.id)["events"] == before


# --- expiry ----------------------------------------------------------------------------


def test_expire_listings_closes_posts_past_their_validity(
    app, client_for, approved, make_listing, runner
):
    lapsed_offer = make_listing(approved, status="published", photos=1)
    lapsed_wanted = make_listing(approved, kind="wanted", status="published")
    current = make_listing(approved, status="published", title="仍然有效的变压器")
    with app.app_context():
        yesterday = today() - timedelta(days=1)
        db.session.execute(
            update(Listing).where(Listing.id == lapsed_offer.id).values(valid_until=yesterday)
        )
        db.session.execute(
            update(Listing).where(Listing.id == lapsed_wanted.id).values(wanted_by=yesterday)
        )
        db.session.commit()
    anonymous = client_for(None)
    # Past its date the post is hidden at once, before the daily job runs.
    assert anonymous.get(f"/listings/{lapsed_offer.id}").status_code == 404
    assert anonymous.get(f"/listings/{lapsed_wanted.id}").status_code == 404

    result = runner.invoke(args=["expire-listings"])
    assert result.exit_code == 0, result.output
    assert "2 posts expired" in result.output
    for made in (lapsed_offer, lapsed_wanted):
        row = load(app, made.id)
        assert row["status"] is ListingStatus.EXPIRED
        assert row["events"][-1] == ("expired", "published", "expired", None, None)
    assert status_of(app, current.id) == "published"

    home, browse = anonymous.text("/"), anonymous.text("/listings/")
    for page in (home, browse):
        assert f'data-listing-id="{lapsed_offer.id}"' not in page
        assert f'data-listing-id="{lapsed_wanted.id}"' not in page
        assert f'data-listing-id="{current.id}"' in page
    photo = f"/listings/{lapsed_offer.id}/photos/{lapsed_offer.photos[0]}/full"
    assert anonymous.get(photo).status_code == 404
    # Running it again finds nothing more.
    assert "0 posts expired" in runner.invoke(args=["expire-listings"]).output


# --- revisions of published posts ----------------------------------------------------------


def published_with_revision(app, client_for, approved, make_listing, **changes):
    made = make_listing(approved, status="published", photos=1)
    owner = client_for(approved)
    form = offer_form(title="S11-M-400/10 变压器（已降价）", price_cny="25000", **changes)
    response = owner.post(f"/listings/{made.id}/edit", form)
    assert response.status_code == 302
    return made, owner


def test_editing_a_published_post_waits_for_a_moderator(
    app, client_for, approved, make_listing, moderator
):
    made, owner = published_with_revision(app, client_for, approved, make_listing)
    row = load(app, made.id)
    assert row["title"] == OFFER_TITLE and row["price_cny"] == Decimal("28000")
    assert [r[1] for r in row["revisions"]] == ["pending"]
    assert row["events"][-1][0] == "revision_submitted"
    public = client_for(None).text(f"/listings/{made.id}")
    assert OFFER_TITLE in public and "已降价" not in public
    # A second edit replaces the waiting revision rather than adding one.
    owner.post(f"/listings/{made.id}/edit", offer_form(title="第二次修改", price_cny="25000"))
    row = load(app, made.id)
    assert len(row["revisions"]) == 1 and row["revisions"][0][2]["title"] == "第二次修改"
    assert [e[0] for e in row["events"]].count("revision_submitted") == 1

    moderation = client_for(moderator)
    queue = moderation.text("/moderation/listings")
    assert f'data-listing-id="{made.id}"' in queue
    detail = moderation.get(f"/moderation/listings/{made.id}").get_data(as_text=True)
    assert "data-revision-diff" in detail
    diff = detail[detail.index("data-revision-diff") :]
    diff = diff[: diff.index("</table>")]
    assert OFFER_TITLE in diff and "第二次修改" in diff
    assert "28000" in diff and "25000" in diff
    assert "Manufacturer" not in diff  # unchanged fields are not listed

    assert decide(moderation, made.id, "approve-revision").status_code == 302
    row = load(app, made.id)
    assert row["title"] == "第二次修改" and row["price_cny"] == Decimal("25000")
    assert row["revisions"][0][1] == "approved"
    assert row["events"][-1] == (
        "revision_approved", "published", "published", moderator["user_id"], None
    )  # fmt: skip
    assert "第二次修改" in client_for(None).text(f"/listings/{made.id}")


def test_edit_form_shows_the_waiting_revision(app, client_for, approved, make_listing):
    made, owner = published_with_revision(app, client_for, approved, make_listing)
    page = owner.text(f"/listings/{made.id}/edit")
    assert 'value="S11-M-400/10 变压器（已降价）"' in page
    assert 'value="25000"' in page


def test_rejecting_a_revision_keeps_the_published_version(
    app, client_for, approved, make_listing, moderator
):
    made, owner = published_with_revision(app, client_for, approved, make_listing)
    extra = owner.post(
        f"/listings/{made.id}/files",
        {"photo-photo": upload(png_bytes((90, 60), "#aa0000"), "新照片.png")},
        content_type="multipart/form-data",
    )
    assert extra.status_code == 302
    new_photo = load(app, made.id)["photos"][-1]
    assert new_photo[2] is True  # pending
    anonymous = client_for(None)
    assert anonymous.get(f"/listings/{made.id}/photos/{new_photo[0]}/full").status_code == 404

    moderation = client_for(moderator)
    before = load(app, made.id)
    assert decide(moderation, made.id, "reject-revision", "").status_code == 302
    assert load(app, made.id) == before
    assert decide(moderation, made.id, "reject-revision", "价格有误").status_code == 302
    row = load(app, made.id)
    assert row["title"] == OFFER_TITLE and row["price_cny"] == Decimal("28000")
    assert row["revisions"][0][1] == "rejected"
    assert [p[0] for p in row["photos"]] == [p[0] for p in before["photos"][:1]]
    assert row["events"][-1] == (
        "revision_rejected", "published", "published", moderator["user_id"], "价格有误"
    )  # fmt: skip
    assert OFFER_TITLE in anonymous.text(f"/listings/{made.id}")


def test_withdrawing_drops_a_waiting_revision(
    app, client_for, approved, make_listing, moderator
):
    made, owner = published_with_revision(app, client_for, approved, make_listing)
    assert act(owner, made.id, "withdraw").status_code == 302
    row = load(app, made.id)
    assert row["status"] is ListingStatus.WITHDRAWN
    assert row["revisions"][0][1] == "rejected"
    assert f'data-listing-id="{made.id}"' not in client_for(moderator).text(
        "/moderation/listings"
    )


def test_revision_of_an_offer_cannot_change_its_kind(app, client_for, approved, make_listing):
    made = make_listing(approved, status="published")
    before = database_state(app)
    response = client_for(approved).post(
        f"/listings/{made.id}/edit?kind=wanted", offer_form(kind="wanted")
    )
    assert response.status_code in (200, 302)
    after = database_state(app)
    assert after[made.id]["kind"] == before[made.id]["kind"]
    assert count(app, Listing) == 1
