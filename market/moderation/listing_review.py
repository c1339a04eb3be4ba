"""What a moderator needs to review posts: the queue, its filters, and warning flags."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from statistics import median

from sqlalchemy import select

from market.database import utcnow
from market.domain.categories import get_category, list_children
from market.enterprises.models import Enterprise
from market.extensions import db
from market.listings.models import (
    DocumentKind,
    Listing,
    ListingKind,
    ListingRevision,
    ListingStatus,
    RevisionStatus,
)

# A price outside this band around the median of comparable posts is flagged.
PRICE_BAND = (1 / 3, 3.0)
MIN_COMPARABLES = 3
FLAGS = ("price_outlier", "no_nameplate", "eliminated_model", "duplicate")


@dataclass
class ReviewFilters:
    kind: str | None = None
    category: str | None = None
    city: str | None = None
    waiting_hours: int | None = None
    flag: str | None = None


@dataclass
class ReviewEntry:
    listing: Listing
    waiting_since: datetime
    is_revision: bool
    flags: list[str] = field(default_factory=list)


def list_review_queue(filters: ReviewFilters) -> list[ReviewEntry]:
    """Pending posts and pending revisions of published posts, oldest first."""
    pending = select(Listing).where(Listing.status == ListingStatus.PENDING)
    revised = (
        select(Listing)
        .join(ListingRevision, ListingRevision.listing_id == Listing.id)
        .where(
            Listing.status == ListingStatus.PUBLISHED,
            ListingRevision.status == RevisionStatus.PENDING,
        )
    )
    listings = [*db.session.scalars(pending), *db.session.scalars(revised)]
    entries = []
    cutoff = (
        utcnow() - timedelta(hours=filters.waiting_hours)
        if filters.waiting_hours
        else None
    )
    for listing in listings:
        revision = listing.pending_revision if listing.status is ListingStatus.PUBLISHED else None
        since = revision.created_at if revision else (listing.submitted_at or listing.created_at)
        if filters.kind and listing.kind.value != filters.kind:
            continue
        if filters.category and not _in_category(listing.category_slug, filters.category):
            continue
        if filters.city and listing.city_code != filters.city:
            continue
        if cutoff and since > cutoff:
            continue
        entry = ReviewEntry(listing, since, revision is not None, flags_for(listing))
        if filters.flag and filters.flag not in entry.flags:
            continue
        entries.append(entry)
    entries.sort(key=lambda entry: (entry.waiting_since, entry.listing.id))
    return entries


def flags_for(listing: Listing) -> list[str]:
    """Warnings that help decide; none of them blocks a decision."""
    flags = []
    if listing.kind is ListingKind.OFFER and _price_outlier(listing):
        flags.append("price_outlier")
    if listing.kind is ListingKind.OFFER and not _has_nameplate(listing):
        flags.append("no_nameplate")
    if listing.scrap_only:
        flags.append("eliminated_model")
    if _duplicate_of(listing) is not None:
        flags.append("duplicate")
    return flags


def _in_category(slug: str, wanted: str) -> bool:
    return slug == wanted or slug in {c.slug for c in list_children(wanted)}


def _has_nameplate(listing: Listing) -> bool:
    return any(photo.is_nameplate for photo in listing.photos) or any(
        doc.kind is DocumentKind.NAMEPLATE for doc in listing.documents
    )


def _price_outlier(listing: Listing) -> bool:
    if listing.price_cny is None:
        return False
    prices = [float(p) for p in _comparable_prices(listing)]
    if len(prices) < MIN_COMPARABLES:
        return False
    middle = median(prices)
    if middle <= 0:
        return False
    ratio = float(listing.price_cny) / middle
    return not PRICE_BAND[0] <= ratio <= PRICE_BAND[1]


def _comparable_prices(listing: Listing):
    """Prices of published offers in the same category with a close key rating."""
    category = get_category(listing.category_slug)
    key = category.key_spec if category else None
    own = (listing.specs or {}).get(key) if key else None
    rows = db.session.execute(
        select(Listing.price_cny, Listing.specs).where(
            Listing.kind == ListingKind.OFFER,
            Listing.status.in_((ListingStatus.PUBLISHED, ListingStatus.SOLD)),
            Listing.category_slug == listing.category_slug,
            Listing.price_cny.is_not(None),
            Listing.id != listing.id,
        )
    ).all()
    for price, specs in rows:
        if isinstance(own, (int, float)):
            other = (specs or {}).get(key)
            if not isinstance(other, (int, float)) or not 0.7 * own <= other <= 1.3 * own:
                continue
        yield price


def _duplicate_of(listing: Listing) -> Listing | None:
    """Another open post of the same enterprise with the same title and model."""
    query = select(Listing).where(
        Listing.enterprise_id == listing.enterprise_id,
        Listing.id != listing.id,
        Listing.kind == listing.kind,
        Listing.category_slug == listing.category_slug,
        Listing.title == listing.title,
        Listing.status.in_(
            (ListingStatus.PENDING, ListingStatus.PUBLISHED, ListingStatus.DRAFT)
        ),
    )
    if listing.model_raw:
        query = query.where(Listing.model_raw == listing.model_raw)
    return db.session.scalars(query.limit(1)).first()


def cities_in_queue() -> list[str]:
    rows = db.session.execute(
        select(Listing.city_code)
        .where(Listing.status == ListingStatus.PENDING)
        .distinct()
    ).all()
    return sorted(code for (code,) in rows)


def enterprise_of(listing: Listing) -> Enterprise:
    return listing.enterprise
