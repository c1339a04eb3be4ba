"""Matching against the database: candidates, both directions, hard constraints, the
stored pairs and the notifications of a publication, told once per pair."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select, update

from market.accounts.models import User
from market.database import utcnow
from market.enterprises.models import Enterprise, EnterpriseStatus
from market.extensions import db
from market.listings import services as listing_services
from market.listings.models import Listing
from market.matching import services
from market.matching.explanations import explain, summary
from market.matching.models import Match
from market.matching.scoring import NOTIFY_THRESHOLD, rank
from market.notifications.models import MailMessage, Notification, NotificationKind
from tests.listings.conftest import offer_input, today, wanted_input
from tests.notifications.conftest import add_user  # noqa: F401  (fixture)

# Offers of the same 10 kV oil-immersed transformers, from the best fit for the
# standard wanted post (315–630 kVA, ≤ ¥30,000, grade "serviceable" or better, in
# Shizhong district) to a near miss.
BEST = dict(specs={"voltage_kv": "10", "capacity_kva": "500", "lv_kv": "0.4"})
SECOND = dict(
    specs={"voltage_kv": "10", "capacity_kva": "630", "lv_kv": "0.4"},
    price_cny="29500",
    city="370100",
    district="370102",
)
NEAR_MISS = dict(
    specs={"voltage_kv": "10", "capacity_kva": "250", "lv_kv": "0.4"},
    model_raw="S11-M-250/10",
    price_cny="33000",
    condition_grade="grade_80",
)


def ids(results, side):
    return [getattr(result, side) for result in results]


def get(listing_id: int) -> Listing:
    return db.session.get(Listing, listing_id)


def notifications(app):
    with app.app_context():
        rows = db.session.scalars(select(Notification).order_by(Notification.id))
        return [
            (n.enterprise_id, n.kind, n.listing_id, n.counterpart_listing_id,
             n.match_id, n.dedupe_key, n.payload)
            for n in rows
        ]  # fmt: skip


def matches(app):
    with app.app_context():
        rows = db.session.scalars(select(Match).order_by(Match.id))
        return [
            (m.offer_id, m.wanted_id, m.score, m.notified_at is not None, m.components)
            for m in rows
        ]


@pytest.fixture
def third(factory):
    return factory.enterprise()


@pytest.fixture
def moderator(app, make_listing):
    def get_moderator() -> User:
        return db.session.get(User, make_listing.moderator_id)

    return get_moderator


# --- facts ------------------------------------------------------------------------


def test_facts_of_a_listing_and_of_its_candidate_row_agree(
    app, make_listing, approved, other
):
    offer = make_listing(approved, documents=1)
    wanted = make_listing(other, "wanted")
    with app.app_context():
        facts = services.facts_for(get(offer.id))
        assert facts.has_test_report and facts.seller_verified
        assert (facts.kind, facts.quantity, facts.price_cny) == ("offer", 2.0, 28000.0)
        (row,) = services.list_candidates(
            services.facts_for(get(wanted.id)), other["id"]
        )
        # The Core row holds the same facts; booleans may come back as 0/1.
        assert tuple(row) == tuple(facts)


def test_a_pending_test_report_or_an_unverified_code_count_for_nothing(
    app, make_listing, approved
):
    offer = make_listing(approved, status="draft", documents=1)
    with app.app_context():
        listing = get(offer.id)
        listing.documents[0].pending = True
        listing.enterprise.credit_code_unverified = True
        facts = services.facts_for(listing)
        assert not facts.has_test_report
        assert not facts.seller_verified


# --- both directions --------------------------------------------------------------


def test_a_wanted_post_ranks_published_offers_best_first(
    app, make_listing, factory, other
):
    offers = [
        make_listing(factory.enterprise(), **fields)
        for fields in (NEAR_MISS, BEST, SECOND)
    ]
    wanted = make_listing(other, "wanted")
    with app.app_context():
        results = services.find_matches(get(wanted.id))
    assert ids(results, "offer_id") == [offers[1].id, offers[2].id, offers[0].id]
    assert {r.wanted_id for r in results} == {wanted.id}
    assert results[0].score > results[1].score > results[2].score


def test_an_offer_ranks_open_wanted_posts_best_first(
    app, make_listing, factory, approved
):
    posts = [
        # A range that only just holds 400 kVA, a budget below the price: last.
        make_listing(
            factory.enterprise(), "wanted", price_cny="25000",
            specs={"voltage_kv": ["10"], "capacity_kva": ("400", "1000")},
        ),
        # 400 kVA in the middle of the range, in the same district: first.
        make_listing(
            factory.enterprise(), "wanted",
            specs={"voltage_kv": ["10"], "capacity_kva": ("300", "500")},
        ),
        # The same range, another city: second.
        make_listing(
            factory.enterprise(), "wanted", city="370100", district="370102",
            specs={"voltage_kv": ["10"], "capacity_kva": ("300", "500")},
        ),
    ]  # fmt: skip
    offer = make_listing(approved)
    with app.app_context():
        results = services.find_matches(get(offer.id))
    assert ids(results, "wanted_id") == [posts[1].id, posts[2].id, posts[0].id]
    assert {r.offer_id for r in results} == {offer.id}


def test_hard_constraints_and_visibility_exclude_candidates(
    app, make_listing, factory, approved, other
):
    good = make_listing(factory.enterprise())
    excluded = {
        "other family": make_listing(
            factory.enterprise(),
            category_slug="indoor_vacuum_breaker",
            model_raw="VS1-12/1250-31.5",
            specs={"voltage_kv": "10", "rated_current_a": "1250"},
        ),
        "other voltage": make_listing(
            factory.enterprise(),
            model_raw="S11-M-400/35",
            specs={"voltage_kv": "35", "capacity_kva": "400", "lv_kv": "0.4"},
        ),
        "own enterprise": make_listing(other),
        "expired": make_listing(factory.enterprise(), status="expired"),
        "past its validity": make_listing(factory.enterprise()),
        "unapproved enterprise": make_listing(factory.enterprise()),
        "pending": make_listing(factory.enterprise(), status="pending"),
        "draft": make_listing(factory.enterprise(), status="draft"),
        "withdrawn": make_listing(factory.enterprise(), status="withdrawn"),
        "sold": make_listing(factory.enterprise(), status="sold"),
    }
    wanted = make_listing(other, "wanted")
    with app.app_context():
        # Not yet marked expired by the daily job, but past its date (in China).
        get(excluded["past its validity"].id).valid_until = today() - timedelta(days=2)
        db.session.execute(
            update(Enterprise)
            .where(Enterprise.id == excluded["unapproved enterprise"].enterprise_id)
            .values(status=EnterpriseStatus.SUSPENDED)
        )
        db.session.commit()
        subject = services.facts_for(get(wanted.id))
        candidates = services.list_candidates(subject, other["id"])
        results = services.find_matches(get(wanted.id), min_score=0)
    assert [c.id for c in candidates] == [good.id]
    assert ids(results, "offer_id") == [good.id]


def test_an_offer_never_meets_expired_or_foreign_family_wanted_posts(
    app, make_listing, factory, approved
):
    good = make_listing(factory.enterprise(), "wanted")
    make_listing(factory.enterprise(), "wanted", status="expired")
    make_listing(
        factory.enterprise(),
        "wanted",
        category_slug="indoor_vacuum_breaker",
        specs={"voltage_kv": ["10"], "rated_current_a": ("630", "1250")},
    )
    # Lists only 35 kV: scoring drops it, though SQL cannot.
    make_listing(
        factory.enterprise(),
        "wanted",
        specs={"voltage_kv": ["35"], "capacity_kva": ("315", "630")},
    )
    offer = make_listing(approved)
    with app.app_context():
        results = services.find_matches(get(offer.id), min_score=0)
    assert ids(results, "wanted_id") == [good.id]


def test_scrap_only_offers_go_to_scrap_buyers_only(
    app, make_listing, factory, approved
):
    scrap = dict(
        model_raw="S9-M-315/10",
        condition_grade="scrap",
        specs={"voltage_kv": "10", "capacity_kva": "315", "lv_kv": "0.4"},
    )
    offer = make_listing(approved, **scrap)
    buyer = make_listing(factory.enterprise(), "wanted", condition_grade="scrap")
    user = make_listing(factory.enterprise(), "wanted")
    with app.app_context():
        assert get(offer.id).scrap_only
        found = ids(services.find_matches(get(offer.id), min_score=0), "wanted_id")
        assert found == [buyer.id]
        assert services.find_matches(get(user.id), min_score=0) == []
        assert ids(services.find_matches(get(buyer.id), min_score=0), "offer_id") == [
            offer.id
        ]


@pytest.mark.parametrize("direction", ["wanted subject", "offer subject"])
def test_the_sql_rating_band_drops_nothing_that_could_be_notified(
    app, make_listing, factory, approved, direction
):
    """Above the threshold, candidates are narrowed by the key rating in SQL. The
    result must equal ranking every candidate of the family, at the band's edges
    (315 kVA × 0.75 = 236.25, 630 × 1.25 = 787.5) too."""
    seller, buyer = factory.enterprise(), factory.enterprise()
    if direction == "wanted subject":
        for capacity in ("200", "236.25", "236", "300", "400", "630", "787.5", "790"):
            make_listing(
                seller,
                price_cny="26000",
                specs={"voltage_kv": "10", "capacity_kva": capacity, "lv_kv": "0.4"},
            )
        make_listing(seller, specs={"voltage_kv": "10"})  # no capacity stated
        subject_id = make_listing(buyer, "wanted").id
    else:
        for low, high in (("100", "300"), ("100", "320"), ("100", "319.9"),
                          ("533.4", "800"), ("533", "800"), ("", "300"), ("600", ""),
                          ("300", "500"), ("", "")):  # fmt: skip
            specs = {"voltage_kv": ["10"], "capacity_kva": (low, high)}
            make_listing(buyer, "wanted", specs=specs)
        subject_id = make_listing(seller).id
    with app.app_context():
        listing = get(subject_id)
        subject = services.facts_for(listing)
        banded = services.list_candidates(subject, listing.enterprise_id, None, 80)
        everything = services.list_candidates(subject, listing.enterprise_id, None, 0)
        assert len(banded) < len(everything)
        day = today()
        expected = rank(subject, everything, day, 50, NOTIFY_THRESHOLD)
        assert rank(subject, banded, day, 50, NOTIFY_THRESHOLD) == expected
        # Nothing below the threshold was dropped only because of the band either:
        # the excluded posts all miss the rating by more than a near miss.
        kept = {c.id for c in banded}
        for result in rank(subject, everything, day, 50, 0):
            if direction == "wanted subject":
                candidate = result.offer_id
            else:
                candidate = result.wanted_id
            if candidate not in kept:
                assert result.component("rating").outcome.value == "unmet"


# --- publication: stored pairs, told once -----------------------------------------


def test_approving_a_wanted_post_notifies_both_enterprises_once(
    app, make_listing, approved, other
):
    offer = make_listing(approved)
    assert notifications(app) == [] and matches(app) == []
    wanted = make_listing(other, "wanted")
    with app.app_context():
        result = services.score_pair(get(offer.id), get(wanted.id))
        match_id = db.session.scalar(select(Match.id))
    assert result.score >= NOTIFY_THRESHOLD
    payload = {
        "score": result.score,
        "summary": {
            "zh_CN": summary(result, "zh_CN", services.SUMMARY_KEYS),
            "en": summary(result, "en", services.SUMMARY_KEYS),
        },
    }
    assert notifications(app) == [
        (approved["id"], NotificationKind.MATCH, offer.id, wanted.id, match_id,
         f"match:{offer.id}:{wanted.id}:{approved['id']}", payload),
        (other["id"], NotificationKind.MATCH, wanted.id, offer.id, match_id,
         f"match:{offer.id}:{wanted.id}:{other['id']}", payload),
    ]  # fmt: skip
    assert payload["summary"]["zh_CN"].startswith("电压等级一致 10kV · 额定容量 400kVA")
    ((offer_id, wanted_id, stored, told, components),) = matches(app)
    assert (offer_id, wanted_id, stored, told) == (
        offer.id,
        wanted.id,
        int(result.score + 0.5),
        True,
    )
    assert json.loads(json.dumps(components)) == components
    assert [c["key"] for c in components] == [c.key for c in result.components]


def test_approved_edits_of_either_post_do_not_notify_again(
    app, make_listing, approved, other, moderator
):
    offer = make_listing(approved)
    wanted = make_listing(other, "wanted")
    told = notifications(app)
    assert len(told) == 2
    score_before = matches(app)[0][2]
    for made, who, data in (
        (offer, approved, offer_input(price_cny="31000")),
        (wanted, other, wanted_input(price_cny="31500", title="求购 10kV 变压器（急）")),
    ):
        with app.app_context():
            listing = get(made.id)
            owner = db.session.get(User, who["user_id"])
            listing_services.update_listing(owner, listing, data)
            db.session.commit()
            listing_services.approve_revision(moderator(), listing)
            db.session.commit()
    assert notifications(app) == told
    ((_offer, _wanted, score_after, still_told, _parts),) = matches(app)
    # The stored pair followed the edits: ¥31,000 is a near miss on ¥30,000, then
    # within ¥31,500.
    assert still_told and score_after == score_before


def test_an_edit_is_stored_even_when_the_pair_drops_below_the_threshold(
    app, make_listing, approved, other, moderator
):
    offer = make_listing(approved)
    wanted = make_listing(other, "wanted")
    before = matches(app)[0][2]
    with app.app_context():
        listing = get(offer.id)
        owner = db.session.get(User, approved["user_id"])
        data = offer_input(price_cny="60000", city="370100", district="370102")
        listing_services.update_listing(owner, listing, data)
        db.session.commit()
        listing_services.approve_revision(moderator(), listing)
        db.session.commit()
        after = services.score_pair(get(offer.id), get(wanted.id))
    ((_o, _w, stored, told, _parts),) = matches(app)
    assert after.score < NOTIFY_THRESHOLD and stored == int(after.score + 0.5) < before
    assert told and len(notifications(app)) == 2


def test_renewing_an_expired_post_does_not_tell_a_pair_twice(
    app, client_for, make_listing, approved, other
):
    offer = make_listing(approved)
    make_listing(other, "wanted")
    with app.app_context():
        listing = get(offer.id)
        listing.valid_until = today() - timedelta(days=1)
        listing_services.expire_listings()
        db.session.commit()
    response = client_for(approved).post(f"/listings/{offer.id}/renew")
    assert response.status_code == 302
    with app.app_context():
        assert get(offer.id).status.value == "published"
    assert len(notifications(app)) == 2 and len(matches(app)) == 1


def test_a_pair_below_the_threshold_is_neither_stored_nor_told(
    app, make_listing, approved, other
):
    make_listing(approved, price_cny="60000", city="370100", district="370102")
    wanted = make_listing(other, "wanted")
    with app.app_context():
        (result,) = services.find_matches(get(wanted.id))
    assert result.score < NOTIFY_THRESHOLD
    assert matches(app) == [] and notifications(app) == []


def test_each_counterpart_is_told_with_its_own_post(app, make_listing, factory, other):
    sellers = [factory.enterprise() for _ in range(3)]
    offers = [make_listing(seller) for seller in sellers]
    wanted = make_listing(other, "wanted")
    told = notifications(app)
    assert len(told) == 6
    for seller, offer in zip(sellers, offers):
        assert (seller["id"], offer.id, wanted.id) in {(n[0], n[2], n[3]) for n in told}
        assert (other["id"], wanted.id, offer.id) in {(n[0], n[2], n[3]) for n in told}


def test_a_stored_match_explains_itself_without_scoring_again(
    app, make_listing, approved, other
):
    offer = make_listing(approved)
    wanted = make_listing(other, "wanted")
    with app.app_context():
        match = db.session.scalars(select(Match)).one()
        live = services.score_pair(get(offer.id), get(wanted.id))
        stored = services.result_of(match)
        for locale in ("zh_CN", "en"):
            assert explain(stored, locale) == explain(live, locale)


def test_a_failure_in_matching_does_not_block_the_publication(
    app, make_listing, approved, other, monkeypatch
):
    def broken(listing, today=None):
        raise RuntimeError("matching is down")

    monkeypatch.setattr(services, "match_published", broken)
    make_listing(approved)
    wanted = make_listing(other, "wanted")
    with app.app_context():
        assert get(wanted.id).status.value == "published"
    assert matches(app) == [] and notifications(app) == []


def test_quantities_and_prices_come_back_as_floats(app, make_listing, approved, other):
    make_listing(approved, quantity="2.5", unit="unit", price_cny="27999.99")
    wanted = make_listing(other, "wanted")
    with app.app_context():
        (row,) = services.list_candidates(
            services.facts_for(get(wanted.id)), other["id"]
        )
    assert (row.quantity, row.price_cny) == (2.5, 27999.99)
    assert not isinstance(row.price_cny, Decimal)


def test_a_pair_stored_meanwhile_by_a_concurrent_publication_is_kept(
    app, make_listing, approved, other
):
    """Two publications racing to store the same pair: the second one's insert
    fails on the unique pair, and it takes the row the first one stored (told
    already), instead of failing or telling the pair again."""
    offer = make_listing(approved)
    wanted = make_listing(other, "wanted")
    with app.app_context():
        stored = db.session.scalars(select(Match)).one()
        result = services.score_pair(get(offer.id), get(wanted.id))
        # As if the row had not been there when this transaction looked for it.
        ((match, to_tell),) = services._store_all({}, [result], utcnow())
        assert match.id == stored.id and not to_tell
        db.session.commit()
    assert len(matches(app)) == 1 and len(notifications(app)) == 2


# --- the statements of a publication ----------------------------------------------


def _statements_publishing(app, listing_id: int) -> int:
    """SQL statements sent while a post is published: both listing_published
    receivers (matching, saved-search alerts) and the commit."""
    from sqlalchemy import event

    from market.listings.models import ListingStatus
    from market.listings.signals import listing_published

    with app.app_context():
        listing = get(listing_id)
        listing.status = ListingStatus.PUBLISHED
        listing.published_at = utcnow()
        db.session.flush()
        engine = db.engine
        statements = []

        def count(conn, cursor, statement, parameters, context, executemany):
            statements.append(statement)

        event.listen(engine, "before_cursor_execute", count)
        try:
            listing_published.send(listing, listing=listing)
            db.session.commit()
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len(statements)


def test_a_publication_issues_as_many_statements_for_many_pairs_as_for_few(
    app, make_listing, factory, other, add_user
):
    """The batching guard: each new pair tells two enterprises (entries and
    mails), each hit a saved search; none of it may cost a statement per pair."""
    from market.saved_searches.models import SavedSearch

    def sellers(count: int) -> None:
        for _ in range(count):
            seller = factory.enterprise()
            add_user(seller, locale="en")  # two users, two languages
            make_listing(seller)
            with app.app_context():
                db.session.add(SavedSearch(user_id=seller["user_id"],
                                           enterprise_id=seller["id"], name="求购",
                                           params={"kind": "wanted"}))  # fmt: skip
                db.session.commit()

    add_user(other)
    few, many = (make_listing(other, "wanted", status="pending") for _ in range(2))
    sellers(2)
    with_few = _statements_publishing(app, few.id)
    sellers(6)
    with_many = _statements_publishing(app, many.id)

    with app.app_context():
        told = db.session.scalars(
            select(Notification.kind).where(Notification.listing_id == many.id)
        ).all()
        mails = db.session.scalar(
            select(func.count(MailMessage.id))
            .join(Notification, Notification.id == MailMessage.notification_id)
            .where(Notification.counterpart_listing_id == many.id)
        )
    # 8 pairs: the wanted side told of each, each seller of its own offer and
    # its saved search (two users each); the wanted post's owner by two users.
    assert sorted(told).count(NotificationKind.MATCH) == 8
    assert sorted(told).count(NotificationKind.SAVED_SEARCH) == 8
    assert mails == 8 * 2
    assert with_many == with_few
