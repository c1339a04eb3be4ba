"""Read-only questions about listings: who sees what, lists, counts."""

from collections import Counter
from datetime import date

from flask_babel import get_locale
from sqlalchemy import func, or_, select

from market.database import china_today
from market.domain.categories import family_of, list_children, list_top_levels
from market.domain.conditions import TEST_REPORT_KINDS
from market.enterprises.models import Enterprise, EnterpriseStatus
from market.extensions import db
from market.listings.models import Listing, ListingKind, ListingStatus

PUBLIC_PAGE_SIZE = 24


def public_filter(today: date | None = None):
    """SQL conditions of a publicly visible listing (join Listing.enterprise)."""
    today = today or china_today()
    return (
        Listing.status == ListingStatus.PUBLISHED,
        Enterprise.status == EnterpriseStatus.APPROVED,
        or_(Listing.valid_until.is_(None), Listing.valid_until >= today),
        or_(Listing.wanted_by.is_(None), Listing.wanted_by >= today),
    )


def is_public(listing: Listing) -> bool:
    today = china_today()
    return listing.is_public(today) and (
        listing.wanted_by is None or listing.wanted_by >= today
    )


def can_view(user, listing: Listing) -> bool:
    """Public posts for everyone; any state for the owner and for moderators."""
    if is_public(listing):
        return True
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return user.is_moderator or listing.is_owned_by(user)


def can_view_file(user, listing: Listing, pending: bool) -> bool:
    """A file is public only while its post is; pending files only for owner/moderators."""
    if user is not None and getattr(user, "is_authenticated", False):
        if user.is_moderator or listing.is_owned_by(user):
            return True
    return is_public(listing) and not pending


def list_public(
    kind: ListingKind | None = None,
    category: str | None = None,
    enterprise_id: int | None = None,
    page: int = 1,
    per_page: int = PUBLIC_PAGE_SIZE,
):
    query = select(Listing).join(Listing.enterprise).where(*public_filter())
    if kind is not None:
        query = query.where(Listing.kind == kind)
    if category:
        children = [c.slug for c in list_children(category)]
        query = query.where(Listing.category_slug.in_(children or [category]))
    if enterprise_id is not None:
        query = query.where(Listing.enterprise_id == enterprise_id)
    query = query.order_by(Listing.published_at.desc(), Listing.id.desc())
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def newest_public(kind: ListingKind, limit: int = 6) -> list[Listing]:
    return list_public(kind=kind, per_page=limit).items


def other_public_listings(listing: Listing, limit: int = 6) -> list[Listing]:
    query = (
        select(Listing)
        .join(Listing.enterprise)
        .where(*public_filter(), Listing.enterprise_id == listing.enterprise_id)
        .where(Listing.id != listing.id)
        .order_by(Listing.published_at.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


def category_tree_with_counts() -> list[dict]:
    """Top levels with their children and how many public posts each holds."""
    rows = db.session.execute(
        select(Listing.category_slug, func.count(Listing.id))
        .join(Listing.enterprise)
        .where(*public_filter())
        .group_by(Listing.category_slug)
    ).all()
    counts = Counter({slug: count for slug, count in rows})
    locale = str(get_locale() or "zh_CN")
    tree = []
    for top in list_top_levels():
        children = [
            {"slug": c.slug, "label": c.label(locale), "count": counts[c.slug]}
            for c in list_children(top.slug)
        ]
        tree.append(
            {
                "slug": top.slug,
                "label": top.label(locale),
                "count": sum(child["count"] for child in children),
                "children": children,
            }
        )
    return tree


def list_own(enterprise: Enterprise, status: ListingStatus) -> list[Listing]:
    return list(
        db.session.scalars(
            select(Listing)
            .where(Listing.enterprise_id == enterprise.id, Listing.status == status)
            .order_by(Listing.updated_at.desc(), Listing.id.desc())
        )
    )


def count_own_by_status(enterprise: Enterprise) -> dict[str, int]:
    rows = db.session.execute(
        select(Listing.status, func.count(Listing.id))
        .where(Listing.enterprise_id == enterprise.id)
        .group_by(Listing.status)
    ).all()
    counts = {status.value: 0 for status in ListingStatus}
    counts.update({status.value: count for status, count in rows})
    return counts


def report_kind_choices() -> list:
    locale = str(get_locale() or "zh_CN")
    return [("", "—")] + [(kind.slug, kind.label(locale)) for kind in TEST_REPORT_KINDS]


class FormValues:
    """A listing's (or a pending revision's) values under the form's field names."""

    def __init__(self, listing: Listing, data: dict | None = None):
        source = data or {}

        def value(name):
            return source[name] if name in source else getattr(listing, name)

        self.is_offer = listing.is_offer
        self.kind = listing.kind.value
        self.category_slug = value("category_slug")
        self.title = value("title")
        self.model_raw = value("model_raw") or ""
        self.manufacturer = value("manufacturer") or ""
        self.year_made = str(value("year_made") or "")
        self.service_years = str(value("service_years") if value("service_years") is not None else "")
        self.asset_source = value("asset_source") or ""
        self.condition_grade = value("condition_grade") or ""
        quantity = value("quantity")
        self.quantity = _plain(quantity)
        self.unit = value("unit")
        price = value("price_cny")
        self.price_cny = _plain(price) if price is not None else ""
        self.negotiable = value("negotiable")
        self.province = value("province_code")
        self.city = value("city_code")
        self.district = value("district_code") or ""
        self.address = value("address") or ""
        self.description = value("description") or ""
        self.valid_until = _as_date(value("valid_until"))
        self.wanted_by = _as_date(value("wanted_by"))
        self.contact_name = value("contact_name")
        self.contact_mobile = value("contact_mobile")
        self.specs = value("specs") or {}


def _plain(number) -> str:
    text = str(number)
    return text.rstrip("0").rstrip(".") if "." in text else text


def _as_date(value):
    if isinstance(value, str) and value:
        return date.fromisoformat(value)
    return value


def family(listing: Listing) -> str:
    return family_of(listing.category_slug)
