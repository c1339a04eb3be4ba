"""seed-demo adds the pilot's 185 posts once: every state, real photos, sane data."""

from collections import Counter
from datetime import timedelta

from sqlalchemy import func, select

from market.database import utcnow
from market.enterprises.models import Enterprise, EnterpriseStatus
from market.extensions import db
from market.files.storage import path_for
from market.inquiries.models import Inquiry, InquiryStatus
from market.listings.models import (
    Deal,
    Listing,
    ListingAction,
    ListingDocument,
    ListingKind,
    ListingPhoto,
    ListingStatus,
)


def _counts() -> tuple[int, ...]:
    return (
        db.session.scalar(select(func.count(Listing.id))),
        db.session.scalar(select(func.count(Inquiry.id))),
        db.session.scalar(select(func.count(Deal.id))),
        db.session.scalar(select(func.count(ListingPhoto.id))),
        db.session.scalar(select(func.count(ListingDocument.id))),
    )


def test_seed_demo_adds_the_pilot_posts_once(app, runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output

    with app.app_context():
        listings = db.session.scalars(select(Listing).order_by(Listing.id)).all()
        assert len(listings) == 185
        states = Counter(listing.status for listing in listings)
        assert set(states) == set(ListingStatus), states
        assert states[ListingStatus.PUBLISHED] >= 120
        kinds = Counter(listing.kind for listing in listings)
        assert kinds == {ListingKind.OFFER: 150, ListingKind.WANTED: 35}

        # Only approved enterprises post at all; everything published is public.
        assert {listing.enterprise.status for listing in listings} == {
            EnterpriseStatus.APPROVED
        }
        today = utcnow().date()
        published = [
            post for post in listings if post.status is ListingStatus.PUBLISHED
        ]
        assert all(listing.is_public(today) for listing in published)
        ages = [utcnow() - listing.published_at for listing in published]
        assert min(ages) < timedelta(days=14) and max(ages) > timedelta(days=60)
        assert max(ages) < timedelta(days=125)

        # Every published offer shows photos, and their files are on disk.
        offers = [post for post in published if post.kind is ListingKind.OFFER]
        photos = [photo for listing in offers for photo in listing.photos]
        assert len(photos) >= len(offers)
        for photo in photos:
            assert path_for(photo.file).is_file()
            assert path_for(photo.thumbnail).is_file()
        nameplated = [
            post for post in offers if any(p.is_nameplate for p in post.photos)
        ]
        assert 0.5 < len(nameplated) / len(offers) < 0.9
        for document in (d for listing in offers for d in listing.documents):
            assert path_for(document.file).read_bytes().startswith(b"%PDF-")

        # Eliminated S9 transformers are only offered as scrap.
        scrap = [
            post
            for post in listings
            if post.model_raw and post.model_raw.startswith("S9-")
        ]
        assert scrap
        assert all(
            post.scrap_only and post.condition_grade == "scrap" for post in scrap
        )

        # Wanted posts carry ranges and a wanted-by date.
        wanted = [post for post in published if post.kind is ListingKind.WANTED]
        assert all(listing.wanted_by >= today for listing in wanted)
        ranged = [
            post for post in wanted if isinstance(post.specs.get("capacity_kva"), list)
        ]
        assert ranged and all(post.specs["voltage_kv"] == [10.0] for post in ranged)

        # Edits waiting for review, and the lifecycle recorded in the history.
        assert sum(post.pending_revision is not None for post in published) >= 2
        for listing in listings:
            assert listing.events[0].action is ListingAction.CREATED
            assert listing.events[-1].to_status is listing.status
        sold = [post for post in listings if post.status is ListingStatus.SOLD]
        # Marked sold with its figures, or sold out through demo inquiries.
        assert all(
            (post.deal_quantity and post.deal_quantity <= post.quantity)
            or post.quantity == 0
            for post in sold
        )

        # The demo login sees something in every tab of "My posts".
        member = db.session.scalar(
            select(Enterprise).filter_by(contact_email="demo@demo.market")
        )
        own = {post.status for post in listings if post.enterprise_id == member.id}
        assert own == set(ListingStatus)

        # Inquiries in every stage, and deals for the platform's numbers.
        threads = db.session.scalars(select(Inquiry)).all()
        assert {thread.status for thread in threads} == {
            InquiryStatus.OPEN,
            InquiryStatus.QUOTED,
            InquiryStatus.AGREED,
        }
        assert any(thread.sender_enterprise_id == member.id for thread in threads)
        assert any(thread.owner_enterprise_id == member.id for thread in threads)
        assert db.session.scalar(select(func.count(Deal.id))) >= 10

        before = _counts()

    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 0, again.output
    with app.app_context():
        assert _counts() == before
