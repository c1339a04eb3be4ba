"""Saved searches over HTTP: saving from the search page, the limit, renaming,
muting, deleting, other users (404), and alerts when matching posts are published."""

from urllib.parse import urlsplit

from market.extensions import db
from market.notifications.models import NotificationKind
from market.saved_searches.models import SavedSearch
from tests.listings.conftest import Client, status_of
from tests.notifications.conftest import mail_queue, notifications_of
from tests.saved_searches.conftest import saved_searches_of

SEARCH = "/search?q=%E5%8F%98%E5%8E%8B%E5%99%A8&kind=offer&voltage_kv=10&page=2&bogus=1"


def save(client: Client, query: str, name: str = ""):
    return client.post("/saved-searches/", data={"query": query, "name": name})


def query_of(url: str) -> str:
    return urlsplit(url).query


def test_the_search_page_offers_to_save_the_search(
    app, client_for, approved, searching
):
    page = client_for(approved).text(SEARCH)
    assert 'action="/saved-searches/"' in page
    assert f'name="query" value="{query_of(SEARCH)}"' in page
    assert "Save search" not in client_for(None).text(SEARCH)


def test_saving_keeps_only_known_search_params_cleaned(
    app, client_for, approved, searching
):
    client = client_for(approved)

    response = save(client, query_of(SEARCH) + "&capacity_min=315.0&price_max=x")

    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/search"
    [saved] = saved_searches_of(app, approved["user_id"])
    assert saved["params"] == {
        "q": "变压器",
        "kind": "offer",
        "voltage_kv": "10",
        "capacity_min": "315",
    }
    assert saved["name"] == "变压器"  # defaults to the words
    assert (saved["enterprise_id"], saved["muted"]) == (approved["id"], False)
    page = client.text("/saved-searches/")
    assert "变压器" in page
    rerun = "/search?q=%E5%8F%98%E5%8E%8B%E5%99%A8&kind=offer&voltage_kv=10"
    assert f'href="{rerun}' in page


def test_a_search_without_words_or_filters_is_not_saved(app, client_for, approved):
    client = client_for(approved)
    response = save(client, "sort=newest&page=3")
    assert response.status_code == 302
    page = client.text("/")
    assert "Search for words or choose a filter before saving the search." in page
    assert saved_searches_of(app, approved["user_id"]) == []


def test_the_same_search_twice_is_refused(app, client_for, approved):
    client = client_for(approved)
    save(client, "q=箱变")
    save(client, "q=%E7%AE%B1%E5%8F%98&page=2")
    assert "You have already saved this search." in client.text("/")
    assert len(saved_searches_of(app, approved["user_id"])) == 1


def test_the_number_of_saved_searches_is_limited(app, client_for, approved):
    app.config["MARKET_SAVED_SEARCH_LIMIT"] = 2
    client = client_for(approved)
    save(client, "q=箱变")
    save(client, "q=干变", name="干式")
    save(client, "q=开关柜")
    refusal = "You can keep at most 2 saved searches; delete one first."
    assert refusal in client.text("/")
    assert [s["name"] for s in saved_searches_of(app, approved["user_id"])] == [
        "箱变",
        "干式",
    ]


def test_rename_mute_unmute_and_delete(app, client_for, approved):
    client = client_for(approved)
    save(client, "q=箱变")
    [saved] = saved_searches_of(app, approved["user_id"])
    base = f"/saved-searches/{saved['id']}"

    assert client.post(f"{base}/rename", data={"name": "  美式 箱变\n "}).status_code == 302
    assert saved_searches_of(app, approved["user_id"])[0]["name"] == "美式 箱变"
    client.post(f"{base}/rename", data={"name": "   "})
    assert "Give the search a name." in client.text("/")
    assert saved_searches_of(app, approved["user_id"])[0]["name"] == "美式 箱变"

    assert client.post(f"{base}/mute").status_code == 302
    assert saved_searches_of(app, approved["user_id"])[0]["muted"] is True
    assert "Muted" in client.text("/saved-searches/")
    client.post(f"{base}/unmute")
    assert saved_searches_of(app, approved["user_id"])[0]["muted"] is False

    response = client.post(f"{base}/delete")
    assert response.headers["Location"] == "/saved-searches/"
    assert saved_searches_of(app, approved["user_id"]) == []


def test_another_users_saved_search_is_404(app, client_for, approved, other, add_user):
    owner = client_for(approved)
    save(owner, "q=箱变")
    [saved] = saved_searches_of(app, approved["user_id"])
    colleague_id = add_user(approved)
    with app.app_context():
        from market.accounts.models import User

        colleague = {"email": db.session.get(User, colleague_id).email}
    for intruder in (client_for(other), client_for(colleague)):
        for action in ("rename", "mute", "delete"):
            response = intruder.post(
                f"/saved-searches/{saved['id']}/{action}", data={"name": "偷"}
            )
            assert response.status_code == 404, action
        assert "箱变" not in intruder.text("/saved-searches/")
    assert saved_searches_of(app, approved["user_id"])[0]["name"] == "箱变"


def test_a_moderator_without_enterprise_has_no_saved_searches(app, client_for, factory):
    moderator = client_for(factory.moderator())
    assert moderator.get("/saved-searches/").status_code == 404
    assert save(moderator, "q=箱变").status_code == 404


# --- alerts -------------------------------------------------------------------------


def approve(app, factory, listing_id):
    moderator = Client(app, factory.moderator())
    response = moderator.post(f"/moderation/listings/{listing_id}/approve")
    assert response.status_code == 302
    assert status_of(app, listing_id) == "published"


def test_a_newly_approved_matching_post_is_told_once(
    app, client_for, approved, other, make_listing, factory, add_user
):
    add_user(other)  # two users at B: both get the e-mail
    searcher = client_for(other)
    save(searcher, "q=油浸式变压器&kind=offer&capacity_min=315", name="油变")
    save(searcher, "q=变压器")  # a second matching search of B: still one entry
    save(client_for(approved), "q=变压器")  # A's own post never tells A
    pending = make_listing(approved, status="pending")

    approve(app, factory, pending.id)

    [entry] = notifications_of(app, other["id"])
    assert entry["kind"] is NotificationKind.SAVED_SEARCH
    assert entry["listing_id"] == pending.id
    assert entry["payload"]["search_name"] == "油变"
    assert notifications_of(app, approved["id"]) == []
    mails = mail_queue(app)
    assert len(mails) == 2
    assert {m["notification_id"] for m in mails} == {entry["id"]}
    assert all("油变" in m["subject"] for m in mails)
    assert all(f"/listings/{pending.id}" in m["body"] for m in mails)
    # Inbox and badge.
    page = client_for(other).text("/notifications/")
    assert "matches your saved search “油变”" in page

    # Published again after an approved edit: not told again.
    owner = client_for(approved)
    from tests.listings.conftest import offer_form

    owner.post(f"/listings/{pending.id}/edit", data=offer_form(title="S11 油浸式变压器 改"))
    moderator = Client(app, factory.moderator())
    response = moderator.post(f"/moderation/listings/{pending.id}/approve-revision")
    assert response.status_code == 302
    assert len(notifications_of(app, other["id"])) == 1
    assert len(mail_queue(app)) == 2


def test_a_post_that_does_not_match_tells_nobody(
    app, client_for, approved, other, make_listing, factory
):
    searcher = client_for(other)
    save(searcher, "q=干式变压器")
    save(searcher, "kind=wanted")
    save(searcher, "q=变压器&price_max=1000")
    pending = make_listing(approved, status="pending")
    approve(app, factory, pending.id)
    assert notifications_of(app, other["id"]) == []
    assert mail_queue(app) == []


def test_a_muted_saved_search_tells_nobody(
    app, client_for, approved, other, make_listing, factory
):
    searcher = client_for(other)
    save(searcher, "q=变压器")
    [saved] = saved_searches_of(app, other["user_id"])
    searcher.post(f"/saved-searches/{saved['id']}/mute")
    pending = make_listing(approved, status="pending")
    approve(app, factory, pending.id)
    assert notifications_of(app, other["id"]) == []


def test_deleting_a_search_keeps_its_past_entries(
    app, client_for, approved, other, make_listing
):
    searcher = client_for(other)
    save(searcher, "q=变压器")
    [saved] = saved_searches_of(app, other["user_id"])
    make_listing(approved)
    [entry] = notifications_of(app, other["id"])
    assert entry["saved_search_id"] == saved["id"]
    searcher.post(f"/saved-searches/{saved['id']}/delete")
    [entry] = notifications_of(app, other["id"])
    assert entry["saved_search_id"] is None
    page = searcher.text("/notifications/")
    assert "matches your saved search “变压器”" in page
    assert "All results of this search" not in page
    with app.app_context():
        assert db.session.get(SavedSearch, saved["id"]) is None


def test_sql_leaves_out_only_searches_the_post_cannot_match(
    app, approved, make_listing, factory
):
    """The kind and category conditions in SQL agree with ListingMatcher, also on
    values the search page ignores (an unknown category or kind)."""
    from market.listings.models import Listing
    from market.saved_searches.alerts import alert_saved_searches
    from market.saved_searches.matching import ListingMatcher

    params = [
        {"kind": "offer"},
        {"kind": "wanted"},
        {"kind": "bogus"},
        {"kind": ""},
        {"category": "oil_immersed_transformer"},
        {"category": "transformer"},  # the family
        {"category": "dry_type_transformer"},
        {"category": "switchgear"},
        {"category": "no_such_category"},
        {"category": "", "kind": "offer"},
        {"category": "transformer", "kind": "wanted"},
        {"q": "变压器", "category": "transformer", "kind": "offer"},
        {},
    ]
    owners = {}
    listing = make_listing(approved)
    with app.app_context():
        for number, values in enumerate(params):
            searcher = factory.enterprise()
            owners[searcher["id"]] = number
            db.session.add(SavedSearch(user_id=searcher["user_id"],
                                       enterprise_id=searcher["id"],
                                       name=f"s{number}", params=values))  # fmt: skip
        db.session.flush()
        post = db.session.get(Listing, listing.id)
        told = {owners[n.enterprise_id] for n in alert_saved_searches(post)}
        matcher = ListingMatcher(post)
        expected = {n for n, values in enumerate(params) if matcher.matches(values)}
        db.session.rollback()
    assert told == expected
    assert told == {0, 2, 3, 4, 5, 8, 9, 11, 12}
