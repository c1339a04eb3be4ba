"""notify_many(): notify()'s rules for a batch, in a few statements."""

from sqlalchemy import select

from market.extensions import db
from market.listings.models import Listing
from market.notifications.models import Notification, NotificationKind
from market.notifications.services import NotificationDraft, notify, notify_many
from tests.notifications.conftest import mail_queue, notifications_of


def _match(enterprise, own_id, other_id, key) -> NotificationDraft:
    return NotificationDraft(
        enterprise["id"],
        NotificationKind.MATCH,
        key,
        listing_id=own_id,
        counterpart_listing_id=other_id,
        payload={"score": 90},
    )


def test_a_batch_skips_keys_told_before_and_keys_repeated_in_it(
    app, approved, other, make_listing
):
    own = make_listing(approved, kind="wanted")
    theirs = make_listing(other, status="draft")
    with app.app_context():
        notify(approved["id"], NotificationKind.MATCH, "m:old", listing_id=own.id,
               counterpart_listing_id=theirs.id)  # fmt: skip
        added = notify_many(
            [
                _match(approved, own.id, theirs.id, "m:old"),
                _match(approved, own.id, theirs.id, "m:new"),
                _match(other, theirs.id, own.id, "m:new"),  # the same key again
                _match(other, theirs.id, own.id, "m:other"),
            ]
        )
        assert [(n.dedupe_key, n.enterprise_id) for n in added] == [
            ("m:new", approved["id"]),
            ("m:other", other["id"]),
        ]
        assert all(n.id and n in db.session for n in added)
        db.session.commit()
    keys = db_keys(app)
    assert keys == ["m:old", "m:new", "m:other"]
    with app.app_context():
        assert notify_many([_match(approved, own.id, theirs.id, "m:new")]) == []


def db_keys(app) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(Notification.dedupe_key).order_by(Notification.id)
            )
        )


def test_a_batch_leaves_out_what_a_muted_post_would_tell_its_owner(
    app, approved, other, make_listing
):
    own = make_listing(approved, kind="wanted")
    theirs = make_listing(other, status="draft")
    with app.app_context():
        db.session.get(Listing, own.id).alerts_muted = True
        added = notify_many(
            [
                _match(approved, own.id, theirs.id, "m:1:wanted"),  # muted
                _match(other, theirs.id, own.id, "m:1:offer"),  # not theirs to mute
                NotificationDraft(approved["id"], NotificationKind.SAVED_SEARCH,
                                  "s:1", listing_id=own.id),  # muted  # fmt: skip
                NotificationDraft(approved["id"], NotificationKind.INQUIRY_RECEIVED,
                                  "i:1", listing_id=own.id,
                                  payload={"sender": "济南某电力公司"}),  # fmt: skip
            ]
        )
        assert [n.dedupe_key for n in added] == ["m:1:offer", "i:1"]
        db.session.commit()
    assert db_keys(app) == ["m:1:offer", "i:1"]


def test_a_batch_queues_one_mail_per_active_user_with_an_address(
    app, approved, other, make_listing, add_user
):
    add_user(approved, locale="en")  # colleague1
    add_user(approved, email=None)
    add_user(approved, email="")
    add_user(approved, active=False)
    add_user(other)
    own = make_listing(approved, kind="wanted")
    theirs = make_listing(other, status="draft")
    with app.app_context():
        added = notify_many(
            [
                _match(approved, own.id, theirs.id, "m:a"),
                _match(other, theirs.id, own.id, "m:b"),
                NotificationDraft(approved["id"], NotificationKind.INQUIRY_MESSAGE,
                                  "i:a", listing_id=own.id),  # fmt: skip
            ]
        )
        ids = {n.dedupe_key: n.id for n in added}
        db.session.commit()
    mails = mail_queue(app)
    by_notification = {}
    for mail in mails:
        by_notification.setdefault(mail["notification_id"], []).append(mail)
    colleague_email = f"colleague1.{approved['id']}@example.com"
    assert sorted(m["recipient"] for m in by_notification[ids["m:a"]]) == sorted(
        [approved["email"], colleague_email]
    )
    assert len(by_notification[ids["m:b"]]) == 2  # other's user and its colleague
    assert len(by_notification[ids["i:a"]]) == 2
    assert len(mails) == 6
    # Each in its reader's language, naming the post and its counterpart.
    [english] = [
        m for m in by_notification[ids["m:a"]] if m["recipient"] == colleague_email
    ]
    assert english["subject"].startswith("New match for your post")
    assert english["body"].startswith("Hello 同事1,\n")
    assert f"/listings/{theirs.id}\n" in english["body"]


def test_a_batch_rolls_back_with_the_transaction(app, approved, other, make_listing):
    own = make_listing(approved, kind="wanted")
    theirs = make_listing(other, status="draft")
    with app.app_context():
        notify_many(
            [
                _match(approved, own.id, theirs.id, "m:x:a"),
                _match(other, theirs.id, own.id, "m:x:b"),
            ]
        )
        db.session.rollback()
    assert notifications_of(app, approved["id"]) == []
    assert mail_queue(app) == []
    with app.app_context():
        assert len(notify_many([_match(approved, own.id, theirs.id, "m:x:a")])) == 1
        db.session.commit()
    assert len(mail_queue(app)) == 1
