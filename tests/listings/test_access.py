"""Who sees and touches which listing (SECURITY.md C2, C5): another enterprise gets
404 on every route of a post it does not own, unpublished posts and their files are
invisible to the public, contact details and documents need an approved login."""

import re

import pytest

from market.enterprises.models import DecisionAction, EnterpriseStatus
from market.extensions import db
from tests.listings.conftest import (
    database_state,
    files_on_disk,
    load,
    offer_form,
    pdf_bytes,
    png_bytes,
    upload,
)

HIDDEN_STATES = ("draft", "pending", "rejected", "withdrawn", "sold", "expired")
MOBILE = "13512345678"  # the listing's contact mobile (not the enterprise's)


def mutating_requests(listing_id, photo_id, document_id):
    """(method, url, data, multipart) for every route that changes a post."""
    base = f"/listings/{listing_id}"
    return [
        ("get", f"{base}/edit", None, False),
        ("post", f"{base}/edit", offer_form(title="被篡改"), False),
        ("get", f"{base}/files", None, False),
        ("post", f"{base}/files", {"photo-photo": upload(png_bytes(), "x.png")}, True),
        (
            "post",
            f"{base}/files",
            {
                "document-document": upload(pdf_bytes(), "x.pdf"),
                "document-kind": "manual",
            },
            True,
        ),
        ("post", f"{base}/photos/{photo_id}/delete", {}, False),
        ("post", f"{base}/photos/{photo_id}/earlier", {}, False),
        ("post", f"{base}/photos/{photo_id}/later", {}, False),
        ("post", f"{base}/documents/{document_id}/delete", {}, False),
        ("post", f"{base}/submit", {}, False),
        ("post", f"{base}/withdraw", {}, False),
        ("post", f"{base}/renew", {}, False),
        ("post", f"{base}/duplicate", {}, False),
        ("get", f"{base}/sold", None, False),
        ("post", f"{base}/sold", {"deal_price": "1", "deal_quantity": "1"}, False),
    ]


def send(client, method, url, data, multipart):
    if method == "get":
        return client.get(url)
    kwargs = {"content_type": "multipart/form-data"} if multipart else {}
    return client.post(url, data, **kwargs)


@pytest.mark.parametrize("state", ["draft", "published"])
def test_another_enterprise_gets_404_on_every_route_and_nothing_changes(
    app, client_for, approved, other, make_listing, state
):
    target = make_listing(approved, status=state, photos=2, documents=1)
    own = make_listing(other, status="draft", photos=1, documents=1)
    intruder = client_for(other)
    before, disk = database_state(app), files_on_disk(app)
    problems = []
    requests = mutating_requests(target.id, target.photos[0], target.documents[0])
    # A's photo and document ids under B's own post: found by id, still A's.
    requests += [
        ("post", f"/listings/{own.id}/photos/{target.photos[0]}/delete", {}, False),
        ("post", f"/listings/{own.id}/photos/{target.photos[1]}/earlier", {}, False),
        ("post", f"/listings/{own.id}/documents/{target.documents[0]}/delete", {}, False),
        ("get", f"/listings/{own.id}/photos/{target.photos[0]}/full", None, False),
        ("get", f"/listings/{own.id}/documents/{target.documents[0]}", None, False),
    ]
    for method, url, data, multipart in requests:
        status = send(intruder, method, url, data, multipart).status_code
        if status != 404:
            problems.append(f"{method.upper()} {url}: {status}")
    assert not problems, problems
    assert database_state(app) == before
    assert files_on_disk(app) == disk


def test_another_enterprise_cannot_view_an_unpublished_post_or_its_files(
    app, client_for, approved, other, make_listing
):
    intruder, owner = client_for(other), client_for(approved)
    for state in ("draft", "pending", "rejected"):
        made = make_listing(approved, status=state, photos=1, documents=1)
        assert intruder.get(f"/listings/{made.id}").status_code == 404, state
        for size in ("full", "thumbnail"):
            url = f"/listings/{made.id}/photos/{made.photos[0]}/{size}"
            assert intruder.get(url).status_code == 404, (state, size)
        url = f"/listings/{made.id}/documents/{made.documents[0]}"
        assert intruder.get(url).status_code == 404, state
        # The owner sees all of it.
        assert owner.get(f"/listings/{made.id}").status_code == 200
        photo = f"/listings/{made.id}/photos/{made.photos[0]}/full"
        assert owner.get(photo).status_code == 200
        assert owner.get(url).status_code == 200


def test_pending_files_of_a_published_post_are_the_owners_only(
    app, client_for, approved, other, make_listing
):
    made = make_listing(approved, status="published", photos=1, documents=1)
    owner = client_for(approved)
    owner.post(
        f"/listings/{made.id}/files",
        {"photo-photo": upload(png_bytes((80, 60), "#00aa00"), "补拍.png")},
        content_type="multipart/form-data",
    )
    owner.post(
        f"/listings/{made.id}/files",
        {
            "document-document": upload(pdf_bytes(b"% new"), "说明书.pdf"),
            "document-kind": "manual",
        },
        content_type="multipart/form-data",
    )
    row = load(app, made.id)
    new_photo, new_document = row["photos"][-1], row["documents"][-1]
    assert new_photo[2] is True and new_document[1] is True
    photo_url = f"/listings/{made.id}/photos/{new_photo[0]}/full"
    document_url = f"/listings/{made.id}/documents/{new_document[0]}"
    for client in (client_for(other), client_for(None)):
        assert client.get(photo_url).status_code == 404
        assert client.get(document_url).status_code == 404
    assert owner.get(photo_url).status_code == 200
    assert owner.get(document_url).status_code == 200
    # The approved photo and document stay visible to an approved enterprise.
    intruder = client_for(other)
    assert intruder.get(f"/listings/{made.id}/photos/{made.photos[0]}/full").status_code == 200
    assert intruder.get(f"/listings/{made.id}/documents/{made.documents[0]}").status_code == 200
    public = intruder.text(f"/listings/{made.id}")
    assert f"/photos/{new_photo[0]}/" not in public
    assert f"/documents/{new_document[0]}" not in public


def test_unpublished_posts_are_invisible_to_the_public(
    app, client_for, approved, make_listing
):
    visible = {
        kind: make_listing(approved, kind=kind, status="published", title=f"公开的{kind}")
        for kind in ("offer", "wanted")
    }
    hidden = {
        (kind, state): make_listing(
            approved, kind=kind, status=state, photos=1, title=f"不应公开-{kind}-{state}"
        )
        for kind in ("offer", "wanted")
        for state in HIDDEN_STATES
    }
    anonymous = client_for(None)
    problems = []
    for (kind, state), made in hidden.items():
        if anonymous.get(f"/listings/{made.id}").status_code != 404:
            problems.append(f"detail of {kind}/{state}")
        for size in ("full", "thumbnail"):
            url = f"/listings/{made.id}/photos/{made.photos[0]}/{size}"
            if anonymous.get(url).status_code != 404:
                problems.append(f"{size} photo of {kind}/{state}")
    pages = ["/", "/listings/", "/listings/?kind=offer", "/listings/?kind=wanted",
             "/listings/?category=transformer", f"/enterprises/{approved['id']}",
             f"/listings/{visible['offer'].id}"]  # fmt: skip
    for url in pages:
        page = anonymous.text(url)
        for (kind, state), made in hidden.items():
            if f'data-listing-id="{made.id}"' in page or f"不应公开-{kind}-{state}" in page:
                problems.append(f"{kind}/{state} listed on {url}")
    assert not problems, problems
    home = anonymous.text("/")
    assert all(f'data-listing-id="{made.id}"' in home for made in visible.values())
    assert 'data-stat="listings-published">2<' in home


def test_posts_of_a_suspended_enterprise_disappear(
    app, client_for, approved, make_listing, factory
):
    made = make_listing(approved, status="published", photos=1, title="停用企业的帖子")
    anonymous = client_for(None)
    assert anonymous.get(f"/listings/{made.id}").status_code == 200
    moderator_id = factory.moderator()["user_id"]
    with app.app_context():
        from market.accounts.models import User
        from market.enterprises.models import Enterprise
        from market.moderation.services import decide

        decide(
            db.session.get(User, moderator_id),
            db.session.get(Enterprise, approved["id"]),
            DecisionAction.SUSPENDED,
            "资质过期",
        )
        db.session.commit()
    assert anonymous.get(f"/listings/{made.id}").status_code == 404
    assert anonymous.get(f"/listings/{made.id}/photos/{made.photos[0]}/full").status_code == 404
    assert anonymous.get(f"/enterprises/{approved['id']}").status_code == 404
    for url in ("/", "/listings/", "/listings/?kind=offer"):
        assert "停用企业的帖子" not in anonymous.text(url), url
    assert 'data-stat="listings-published">0<' in anonymous.text("/")


def test_contact_and_documents_need_an_approved_enterprise_login(
    app, client_for, approved, other, make_listing, factory
):
    made = make_listing(approved, status="published", photos=1, documents=1)
    document_url = f"/listings/{made.id}/documents/{made.documents[0]}"
    applicant = factory.enterprise(status=EnterpriseStatus.PENDING)
    for who in (None, applicant):
        client = client_for(who)
        page = client.text(f"/listings/{made.id}")
        assert MOBILE not in page and "data-contact-mobile" not in page
        assert document_url not in page and "检测报告1.pdf" not in page
        assert "Log in as an approved enterprise to see the contact details." in page
        assert client.get(document_url).status_code == 404
    page = client_for(other).text(f"/listings/{made.id}")
    assert f"data-contact-mobile>{MOBILE}<" in page
    assert document_url in page and "检测报告1.pdf" in page
    assert "国网山东电科院" in page


def test_file_responses_carry_safe_headers(app, client_for, other, approved, make_listing):
    made = make_listing(approved, status="published", photos=1, documents=1)
    client = client_for(other)
    photo = client.get(f"/listings/{made.id}/photos/{made.photos[0]}/full")
    document = client.get(f"/listings/{made.id}/documents/{made.documents[0]}")
    for response in (photo, document):
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
        assert "no-store" in response.headers["Cache-Control"]
    assert photo.mimetype == "image/jpeg"
    assert photo.headers["Content-Disposition"].startswith("inline")
    assert document.mimetype == "application/pdf"
    disposition = document.headers["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert "filename*=UTF-8''%E6%A3%80%E6%B5%8B%E6%8A%A5%E5%91%8A1.pdf" in disposition


def test_unknown_ids_are_404(client_for, approved, make_listing):
    made = make_listing(approved, status="published", photos=1)
    client = client_for(approved)
    for url in (
        "/listings/999999",
        f"/listings/{made.id}/photos/999999/full",
        f"/listings/{made.id}/documents/999999",
        "/listings/999999/edit",
        "/listings/?kind=bogus",
        "/listings/mine?status=bogus",
        "/enterprises/999999",
    ):
        assert client.get(url).status_code == 404, url


# --- public pages ------------------------------------------------------------------------


def test_home_page_shows_newest_offers_wanted_posts_and_the_tree(
    app, client_for, approved, other, make_listing
):
    offer = make_listing(approved, status="published", photos=1)
    make_listing(other, status="published", title="另一台变压器")
    wanted = make_listing(other, kind="wanted", status="published")
    switchgear = make_listing(
        approved,
        status="published",
        category_slug="mv_withdrawable_switchgear",
        title="KYN28A-12 中置柜",
        model_raw="KYN28A-12",
        specs={"voltage_kv": "10", "rated_current_a": "1250A"},
    )
    make_listing(approved, status="pending", title="待审核的帖子")
    page = client_for(None).text("/")
    offers = page[page.index("Newest offers") : page.index("Newest wanted posts")]
    wanted_section = page[page.index("Newest wanted posts") :]
    assert f'data-listing-id="{offer.id}"' in offers
    assert f'data-listing-id="{switchgear.id}"' in offers
    assert f'data-listing-id="{wanted.id}"' not in offers
    assert f'data-listing-id="{wanted.id}"' in wanted_section
    # Newest first.
    assert offers.index(f'data-listing-id="{switchgear.id}"') < offers.index(
        f'data-listing-id="{offer.id}"'
    )
    cover = f"/listings/{offer.id}/photos/{offer.photos[0]}/thumbnail"
    assert cover in offers
    assert 'data-stat="listings-published">4<' in page
    tree = page[page.index('class="tree"') :]
    counts = dict(re.findall(r'\?category=(\w+)"[^>]*>[^<]*</a> <span class="count">(\d+)<', tree))
    assert counts["transformer"] == "3" and counts["oil_immersed_transformer"] == "3"
    assert counts["switchgear"] == "1" and counts["mv_withdrawable_switchgear"] == "1"
    assert counts["metering"] == "0"
    assert "?category=oil_immersed_transformer" in tree
    assert "?category=mv_withdrawable_switchgear" in tree
    assert "?category=gis" not in tree  # empty children are left out


def test_browse_filters_by_kind_and_category(app, client_for, approved, make_listing):
    offer = make_listing(approved, status="published")
    wanted = make_listing(approved, kind="wanted", status="published")
    breaker = make_listing(
        approved,
        status="published",
        category_slug="indoor_vacuum_breaker",
        title="VS1-12 真空断路器",
        model_raw="VS1-12/1250-31.5",
        specs={"voltage_kv": "10", "rated_current_a": "1250", "breaking_current_ka": "31.5kA"},
    )
    client = client_for(None)

    def ids(url):
        page = client.text(url)
        return {i for i in (offer.id, wanted.id, breaker.id) if f'data-listing-id="{i}"' in page}

    assert ids("/listings/") == {offer.id, wanted.id, breaker.id}
    assert ids("/listings/?kind=offer") == {offer.id, breaker.id}
    assert ids("/listings/?kind=wanted") == {wanted.id}
    assert ids("/listings/?category=transformer") == {offer.id, wanted.id}
    assert ids("/listings/?category=indoor_vacuum_breaker") == {breaker.id}
    assert ids("/listings/?kind=offer&category=switching_device") == {breaker.id}


def test_public_detail_shows_photos_and_ratings(client_for, approved, make_listing):
    made = make_listing(approved, status="published", photos=2)
    page = client_for(None).text(f"/listings/{made.id}")
    assert f"/listings/{made.id}/photos/{made.photos[0]}/full" in page
    assert f"/listings/{made.id}/photos/{made.photos[1]}/thumbnail" in page
    table = page[page.index("specs-table") :]
    table = table[: table.index("</table>")]
    for text in ("400 kVA", "10 kV", "0.4 kV", "Copper"):
        assert text in table


def test_detail_page_title_is_plain_text(client_for, approved, make_listing):
    made = make_listing(approved, status="published")
    page = client_for(None).get(f"/listings/{made.id}").get_data(as_text=True)
    title = page[page.index("<title>") : page.index("</title>")]
    assert "<script" not in title


def test_scrap_only_post_carries_a_warning(client_for, approved, make_listing):
    made = make_listing(
        approved,
        status="published",
        model_raw="S9-M-315/10",
        condition_grade="scrap",
        specs={"voltage_kv": "10", "capacity_kva": "315"},
    )
    page = client_for(None).text(f"/listings/{made.id}")
    assert "it is sold as scrap only, not for use" in page


def test_enterprise_profile_lists_its_published_posts(
    app, client_for, approved, other, make_listing
):
    published = make_listing(approved, status="published", title="我们的变压器")
    draft = make_listing(approved, status="draft", title="我们的草稿")
    foreign = make_listing(other, status="published", title="别人的变压器")
    page = client_for(None).text(f"/enterprises/{approved['id']}")
    assert approved["name"] in page
    assert f'data-listing-id="{published.id}"' in page
    assert f'data-listing-id="{draft.id}"' not in page
    assert f'data-listing-id="{foreign.id}"' not in page
    assert MOBILE not in page and approved["mobile"] not in page


def test_profile_of_an_unapproved_enterprise_is_404_to_the_public(
    client_for, factory
):
    applicant = factory.enterprise(status=EnterpriseStatus.PENDING)
    assert client_for(None).get(f"/enterprises/{applicant['id']}").status_code == 404
    assert client_for(factory.enterprise()).get(
        f"/enterprises/{applicant['id']}"
    ).status_code == 404
    assert client_for(applicant).get(f"/enterprises/{applicant['id']}").status_code == 200


def test_home_page_count_matches_the_posts_shown(app, client_for, approved, make_listing):
    from datetime import timedelta

    from sqlalchemy import update

    from market.listings.models import Listing
    from tests.listings.conftest import today

    make_listing(approved, status="published", title="有效的")
    lapsed = make_listing(approved, status="published", title="已过期未处理")
    with app.app_context():
        db.session.execute(
            update(Listing)
            .where(Listing.id == lapsed.id)
            .values(valid_until=today() - timedelta(days=1))
        )
        db.session.commit()
    home = client_for(None).text("/")
    assert f'data-listing-id="{lapsed.id}"' not in home
    assert 'data-stat="listings-published">1<' in home
