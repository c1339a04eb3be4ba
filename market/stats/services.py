"""The platform's numbers, read from the database: totals, monthly series, breakdowns.

Read-only. Months are calendar months in China time, like every date the platform
shows. Definitions, so that the figures mean the same everywhere:

- enterprises applied: every registered enterprise; approved: those approved now;
  approvals by month: the moderators' approval decisions of that month;
- posts published: posts a moderator has published (published_at set), whatever
  became of them since, by the month of that first publication;
- inquiries: threads opened; deals: rows of the deals table;
- value traded: the sum of the deals' totals (deals without a price add nothing);
- estimated saving: per deal on an offer, reference.estimated_saving() at the
  deal's unit price and quantity; deals it cannot estimate add nothing, and the
  number it could estimate is reported next to the sum.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal

from sqlalchemy import func, select

from market.database import CHINA, utcnow
from market.domain.categories import get_category, list_top_levels
from market.enterprises.models import (
    DecisionAction,
    Enterprise,
    EnterpriseDecision,
    EnterpriseStatus,
)
from market.enterprises.services import count_enterprises
from market.extensions import db
from market.inquiries.models import Inquiry
from market.listings.models import Deal, Listing, ListingKind
from market.listings.services import count_published
from market.stats.reference import estimated_saving

__all__ = [
    "MONTH_CHOICES",
    "Dashboard",
    "PublicSummary",
    "Totals",
    "get_dashboard",
    "get_public_summary",
    "get_totals",
    "list_months",
]

MONTH_CHOICES = (6, 12, 24)
TOP_CITIES = 15
OTHER_FAMILY = "other"


@dataclass(frozen=True)
class Totals:
    """All-time figures."""

    enterprises_applied: int
    enterprises_approved: int
    posts_published: int
    inquiries: int
    deals: int
    value_traded: Decimal
    estimated_saving: Decimal
    deals_estimated: int  # deals whose saving could be estimated


@dataclass(frozen=True)
class PublicSummary:
    """What the landing page shows anyone."""

    enterprises_joined: int
    enterprises_applied: int
    posts_listed: int  # public right now
    deals: int
    value_traded: Decimal
    estimated_saving: Decimal


@dataclass(frozen=True)
class Dashboard:
    """The moderators' figures: totals, and a window of ``len(months)`` months."""

    totals: Totals
    months: list[str]  # "2025-07", oldest first
    enterprises_applied: list[int]
    enterprise_approvals: list[int]
    offers_published: list[int]
    wanted_published: list[int]
    inquiries: list[int]
    deals: list[int]
    value_traded: list[Decimal]
    estimated_saving: list[Decimal]
    # Posts published in the window: (top-level category slug, count), every
    # family, most first; (region code, count), most first, cities the top 15.
    posts_by_family: list[tuple[str, int]]
    posts_by_province: list[tuple[str, int]]
    posts_by_city: list[tuple[str, int]]


@dataclass(frozen=True)
class _DealRow:
    created_at: datetime
    quantity: Decimal
    unit_price_cny: Decimal | None
    total_cny: Decimal | None
    kind: ListingKind
    category_slug: str
    specs: dict
    unit: str
    condition_grade: str | None

    def saving(self) -> Decimal | None:
        if self.kind is not ListingKind.OFFER or self.quantity <= 0:
            return None  # a wanted post's specs are ranges, not the goods sold
        if self.unit_price_cny is not None and self.unit_price_cny < 0:
            return None
        return estimated_saving(
            self.category_slug,
            self.specs or {},
            self.unit_price_cny,
            self.quantity,
            unit=self.unit,
            condition_grade=self.condition_grade,
        )


def list_months(count: int, now: datetime | None = None) -> list[tuple[int, int]]:
    """The last ``count`` calendar months in China, (year, month), oldest first."""
    here = (now or utcnow()).astimezone(CHINA)
    index = here.year * 12 + here.month - 1
    return [divmod(i, 12) for i in range(index - count + 1, index + 1)]


def _month_label(year: int, month0: int) -> str:
    return f"{year:04d}-{month0 + 1:02d}"


def _window_start(first: tuple[int, int]) -> datetime:
    year, month0 = first
    return datetime(year, month0 + 1, 1, tzinfo=CHINA).astimezone(timezone.utc)


def _month_of(moment: datetime) -> tuple[int, int]:
    local = moment.astimezone(CHINA)
    return local.year, local.month - 1


def _count_by_month(
    moments: Iterable[datetime], months: list[tuple[int, int]]
) -> list[int]:
    counts = Counter(_month_of(moment) for moment in moments)
    return [counts.get(month, 0) for month in months]


def _sum_by_month(
    pairs: Iterable[tuple[datetime, Decimal | None]], months: list[tuple[int, int]]
) -> list[Decimal]:
    sums: dict[tuple[int, int], Decimal] = {}
    for moment, amount in pairs:
        if amount is not None:
            month = _month_of(moment)
            sums[month] = sums.get(month, Decimal(0)) + amount
    return [sums.get(month, Decimal("0.00")) for month in months]


def _deal_rows(since: datetime | None = None) -> list[_DealRow]:
    query = select(
        Deal.created_at,
        Deal.quantity,
        Deal.unit_price_cny,
        Deal.total_cny,
        Listing.kind,
        Listing.category_slug,
        Listing.specs,
        Listing.unit,
        Listing.condition_grade,
    ).join(Listing, Deal.listing_id == Listing.id)
    if since is not None:
        query = query.where(Deal.created_at >= since)
    return [_DealRow(*row) for row in db.session.execute(query.order_by(Deal.id))]


def _count(query) -> int:
    return db.session.execute(query).scalar_one()


def get_totals() -> Totals:
    """All-time figures of the platform (see the module docstring)."""
    deals = _deal_rows()
    savings = [saving for saving in (d.saving() for d in deals) if saving is not None]
    # Summed here, as Decimals: SQLite would add the Numeric column as floats.
    value = sum((d.total_cny for d in deals if d.total_cny is not None), Decimal(0))
    return Totals(
        enterprises_applied=count_enterprises(),
        enterprises_approved=count_enterprises(EnterpriseStatus.APPROVED),
        posts_published=_count(
            select(func.count(Listing.id)).where(Listing.published_at.is_not(None))
        ),
        inquiries=_count(select(func.count(Inquiry.id))),
        deals=len(deals),
        value_traded=value.quantize(Decimal("0.01")),
        estimated_saving=sum(savings, Decimal("0.00")),
        deals_estimated=len(savings),
    )


def get_public_summary() -> PublicSummary:
    """The landing page's figures: members, posts listed now, deals and savings."""
    totals = get_totals()
    return PublicSummary(
        enterprises_joined=totals.enterprises_approved,
        enterprises_applied=totals.enterprises_applied,
        posts_listed=count_published(),
        deals=totals.deals,
        value_traded=totals.value_traded,
        estimated_saving=totals.estimated_saving,
    )


def _family(slug: str) -> str:
    category = get_category(slug)
    if category is None:
        return OTHER_FAMILY  # a slug the taxonomy no longer has
    return category.parent_slug or category.slug


def _ranked(counts: Counter, limit: int | None = None) -> list[tuple[str, int]]:
    # Most first; ties in code order, so the page is the same on every load.
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return ranked[:limit] if limit else ranked


def get_dashboard(months: int, now: datetime | None = None) -> Dashboard:
    """Totals plus the last ``months`` calendar months (one of MONTH_CHOICES)."""
    if months not in MONTH_CHOICES:
        raise ValueError(f"months must be one of {MONTH_CHOICES}")
    window = list_months(months, now)
    since = _window_start(window[0])

    applied = db.session.scalars(
        select(Enterprise.created_at).where(Enterprise.created_at >= since)
    )
    approvals = db.session.scalars(
        select(EnterpriseDecision.created_at).where(
            EnterpriseDecision.action == DecisionAction.APPROVED,
            EnterpriseDecision.created_at >= since,
        )
    )
    posts = db.session.execute(
        select(
            Listing.kind,
            Listing.category_slug,
            Listing.province_code,
            Listing.city_code,
            Listing.published_at,
        ).where(Listing.published_at >= since)
    ).all()
    inquiries = db.session.scalars(
        select(Inquiry.created_at).where(Inquiry.created_at >= since)
    )
    deals = _deal_rows(since)

    families = Counter({top.slug: 0 for top in list_top_levels()})
    families.update(_family(post.category_slug) for post in posts)
    offers = [post.published_at for post in posts if post.kind is ListingKind.OFFER]
    wanted = [post.published_at for post in posts if post.kind is ListingKind.WANTED]
    return Dashboard(
        totals=get_totals(),
        months=[_month_label(*month) for month in window],
        enterprises_applied=_count_by_month(applied, window),
        enterprise_approvals=_count_by_month(approvals, window),
        offers_published=_count_by_month(offers, window),
        wanted_published=_count_by_month(wanted, window),
        inquiries=_count_by_month(inquiries, window),
        deals=_count_by_month((deal.created_at for deal in deals), window),
        value_traded=_sum_by_month(
            ((d.created_at, d.total_cny) for d in deals), window
        ),
        estimated_saving=_sum_by_month(
            ((d.created_at, d.saving()) for d in deals), window
        ),
        posts_by_family=_ranked(families),
        posts_by_province=_ranked(Counter(post.province_code for post in posts)),
        posts_by_city=_ranked(Counter(post.city_code for post in posts), TOP_CITIES),
    )
