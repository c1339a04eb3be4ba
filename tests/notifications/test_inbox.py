"""The inbox over HTTP: the unread count in the navigation, reading, marking all
read, pages, other enterprises' entries (404), and muting a post's alerts."""

import re
from datetime import timedelta

from market.database import utcnow
from market.extensions import db
from market.listings.models import Listing
from market.notifications.models import NotificationKind
from market.notifications.services import notify
from tests.notifications.conftest import notifications_of


def unread_badge(page: str) -> str | None:
    found = re.search(r'class="nav-badge" data-unread="(\d+)"', page)
    return found.group(1) if found else None


def tell(app, enterprise, kind=NotificationKind.INQUIRY_RECEIVED, key=None, **ids):
    with app.app_context():
        notification = notify(
            enterprise["id"],
            kind,
            key or f"test:{utcnow().timestamp()}:{ids}",
            payload={"sender": "济南某电力公司"},
            **ids,
        )
        db.session.commit()
        return notification.id


def test_the_navigation_shows_the_unread_count_and_reading_lowers_it(
    app, client_for, approved, other, make_listing
):
    own = make_listing(approved)
    theirs = make_listing(other)
    first = tell(app, approved, key="a", listing_id=own.id)
    tell(app, approved, kind=NotificationKind.MATCH, key="b",
         listing_id=own.id, counterpart_listing_id=theirs.id)  # fmt: skip
    client = client_for(approved)

    home = client.text("/")
    assert unread_badge(home) == "2"
    inbox = client.text("/notifications/")
    assert inbox.count("notification-unread") == 2
    assert "济南某电力公司 sent an inquiry on your post" in inbox

    response = client.post(f"/notifications/{first}/read")

    assert response.status_code == 302
    assert response.headers["Location"] == f"/listings/{own.id}"
    assert unread_badge(client.text("/")) == "1"
    assert client.text("/notifications/").count("notification-unread") == 1
    # Reading again changes nothing and still leads there.
    assert client.post(f"/notifications/{first}/read").headers["Location"] == (
        f"/listings/{own.id}"
    )


def test_a_match_leads_to_the_other_sides_post(
    app, client_for, approved, other, make_listing
):
    own = make_listing(approved, kind="wanted")
    theirs = make_listing(other)
    match = tell(app, approved, kind=NotificationKind.MATCH,
                 listing_id=own.id, counterpart_listing_id=theirs.id)  # fmt: skip
    response = client_for(approved).post(f"/notifications/{match}/read")
    assert response.headers["Location"] == f"/listings/{theirs.id}"


def test_mark_all_read(app, client_for, approved, other, make_listing):
    own = make_listing(approved)
    for key in "abc":
        tell(app, approved, key=key, listing_id=own.id)
    tell(app, other, key="theirs", listing_id=own.id)
    client = client_for(approved)

    response = client.post("/notifications/read-all")

    assert response.status_code == 302
    assert response.headers["Location"] == "/notifications/"
    assert unread_badge(client.text("/")) is None
    assert all(n["read_at"] for n in notifications_of(app, approved["id"]))
    assert not notifications_of(app, other["id"])[0]["read_at"]


def test_another_enterprise_gets_404_and_sees_nothing(
    app, client_for, approved, other, make_listing
):
    own = make_listing(approved)
    entry = tell(app, approved, listing_id=own.id)
    intruder = client_for(other)

    assert intruder.post(f"/notifications/{entry}/read").status_code == 404
    assert "济南某电力公司" not in intruder.text("/notifications/")
    assert unread_badge(intruder.text("/")) is None
    assert notifications_of(app, approved["id"])[0]["read_at"] is None


def test_a_moderator_without_enterprise_has_no_inbox(app, client_for, factory):
    moderator = client_for(factory.moderator())
    assert moderator.get("/notifications/").status_code == 404
    assert 'href="/notifications/"' not in moderator.text("/")


def test_reading_needs_a_csrf_token(app, client_for, approved, make_listing):
    entry = tell(app, approved, listing_id=make_listing(approved).id)
    response = client_for(approved).post(f"/notifications/{entry}/read", csrf=False)
    assert response.status_code == 400
    assert notifications_of(app, approved["id"])[0]["read_at"] is None


def test_the_inbox_is_newest_first_in_pages_of_twenty(
    app, client_for, approved, make_listing
):
    own = make_listing(approved)
    with app.app_context():
        now = utcnow()
        for number in range(25):
            notification = notify(approved["id"], NotificationKind.INQUIRY_MESSAGE,
                                  f"message:{number}", listing_id=own.id,
                                  payload={"sender": f"公司{number:02d}"})  # fmt: skip
            notification.created_at = now - timedelta(minutes=25 - number)
        db.session.commit()
    client = client_for(approved)

    first = client.text("/notifications/")
    second = client.text("/notifications/?page=2")

    senders = re.findall(r"(公司\d\d) sent a message", first)
    assert senders == [f"公司{n:02d}" for n in range(24, 4, -1)]
    assert re.findall(r"(公司\d\d) sent a message", second) == [
        f"公司{n:02d}" for n in range(4, -1, -1)
    ]
    assert unread_badge(first) == "25"


def test_a_saved_search_hit_links_to_the_post_and_to_the_search(
    app, client_for, approved, other, make_listing
):
    from market.saved_searches.models import SavedSearch

    with app.app_context():
        saved = SavedSearch(
            user_id=approved["user_id"],
            enterprise_id=approved["id"],
            name="干式变压器",
            params={"q": "变压器", "kind": "offer"},
        )
        db.session.add(saved)
        db.session.commit()
        saved_id = saved.id
    theirs = make_listing(other)  # published: the saved search tells A
    inbox = client_for(approved).text("/notifications/")
    assert "matches your saved search “干式变压器”" in inbox
    assert 'href="/search?q=%E5%8F%98%E5%8E%8B%E5%99%A8&kind=offer"' in inbox
    [entry] = notifications_of(app, approved["id"])
    assert (entry["listing_id"], entry["saved_search_id"]) == (theirs.id, saved_id)


# --- muting a post ------------------------------------------------------------------


def test_the_owner_mutes_and_unmutes_a_posts_alerts(
    app, client_for, approved, other, make_listing
):
    own = make_listing(approved, kind="wanted")
    theirs = make_listing(other)
    with app.app_context():
        updated = db.session.get(Listing, own.id).updated_at
    client = client_for(approved)
    assert "Mute alerts" in client.text(f"/listings/{own.id}")

    response = client.post(f"/notifications/listings/{own.id}/mute")

    assert response.status_code == 302
    assert response.headers["Location"] == f"/listings/{own.id}"
    page = client.text(f"/listings/{own.id}")
    assert "Alerts muted" in page and "Turn alerts on" in page
    with app.app_context():
        listing = db.session.get(Listing, own.id)
        assert listing.alerts_muted is True
        assert listing.updated_at == updated  # not an edit: the index is not stale
        assert notify(approved["id"], NotificationKind.MATCH, "m1", listing_id=own.id,
                      counterpart_listing_id=theirs.id) is None  # fmt: skip
        db.session.rollback()

    client.post(f"/notifications/listings/{own.id}/unmute")
    with app.app_context():
        assert db.session.get(Listing, own.id).alerts_muted is False


def test_only_the_owner_can_mute(app, client_for, approved, other, make_listing):
    own = make_listing(approved)
    intruder = client_for(other)
    assert intruder.post(f"/notifications/listings/{own.id}/mute").status_code == 404
    assert "Mute alerts" not in client_for(other).text(f"/listings/{own.id}")
    with app.app_context():
        assert db.session.get(Listing, own.id).alerts_muted is False


def test_no_query_per_entry_beyond_one_page(app, client_for, approved, make_listing):
    """The badge is one COUNT; an inbox page takes the same number of queries
    whatever the number of entries on it."""
    from sqlalchemy import event

    own = make_listing(approved)
    client = client_for(approved)

    def statements(url):
        seen = []
        with app.app_context():
            engine = db.engine

        def record(conn, cursor, statement, *args):
            seen.append(statement)

        event.listen(engine, "before_cursor_execute", record)
        try:
            client.text(url)
        finally:
            event.remove(engine, "before_cursor_execute", record)
        return seen

    for key in range(3):
        tell(app, approved, key=f"few{key}", listing_id=own.id)
    few = statements("/notifications/")
    for key in range(15):
        tell(app, approved, key=f"many{key}", listing_id=own.id)
    many = statements("/notifications/")
    assert len(many) == len(few)
    home = statements("/")
    assert sum("FROM notifications" in s and "count" in s.lower() for s in home) == 1
