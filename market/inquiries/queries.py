"""Read-only questions about inquiries and deals: lists, lookups, counts, totals."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from market.extensions import db
from market.inquiries.models import Inquiry, InquiryReport, InquiryStatus
from market.listings.models import Deal


def find_open_inquiry(listing_id: int, sender_enterprise_id: int) -> Inquiry | None:
    """The enterprise's thread on this post that is not closed, if any."""
    return db.session.scalars(
        select(Inquiry)
        .where(
            Inquiry.listing_id == listing_id,
            Inquiry.sender_enterprise_id == sender_enterprise_id,
            Inquiry.status != InquiryStatus.CLOSED,
        )
        .order_by(Inquiry.id.desc())
        .limit(1)
    ).first()


def list_for_enterprise(enterprise_id: int) -> list[Inquiry]:
    """Every thread the enterprise sent or received, latest activity first."""
    return list(
        db.session.scalars(
            select(Inquiry)
            .where(
                or_(
                    Inquiry.sender_enterprise_id == enterprise_id,
                    Inquiry.owner_enterprise_id == enterprise_id,
                )
            )
            .options(
                selectinload(Inquiry.listing),
                selectinload(Inquiry.sender_enterprise),
                selectinload(Inquiry.owner_enterprise),
            )
            .order_by(Inquiry.updated_at.desc(), Inquiry.id.desc())
        )
    )


def count_on_listing(listing_id: int) -> int:
    """How many threads other enterprises opened on a post."""
    return db.session.scalar(
        select(func.count(Inquiry.id)).where(Inquiry.listing_id == listing_id)
    )


def has_reports(inquiry_id: int) -> bool:
    """Whether a participant ever reported the thread (moderators may then read it)."""
    return (
        db.session.scalar(
            select(InquiryReport.id)
            .where(InquiryReport.inquiry_id == inquiry_id)
            .limit(1)
        )
        is not None
    )


def list_reports(inquiry_id: int) -> list[InquiryReport]:
    return list(
        db.session.scalars(
            select(InquiryReport)
            .where(InquiryReport.inquiry_id == inquiry_id)
            .order_by(InquiryReport.id)
        )
    )


def list_report_queue(resolved: bool = False) -> list[InquiryReport]:
    """Open reports oldest first (the moderators' queue), or resolved ones newest first."""
    query = select(InquiryReport).options(
        selectinload(InquiryReport.inquiry).selectinload(Inquiry.listing),
        selectinload(InquiryReport.reporter),
    )
    if resolved:
        query = query.where(InquiryReport.resolved_at.is_not(None)).order_by(
            InquiryReport.resolved_at.desc()
        )
    else:
        query = query.where(InquiryReport.resolved_at.is_(None)).order_by(
            InquiryReport.created_at, InquiryReport.id
        )
    return list(db.session.scalars(query))


def count_open_reports() -> int:
    return db.session.scalar(
        select(func.count(InquiryReport.id)).where(InquiryReport.resolved_at.is_(None))
    )


# --- for the platform's numbers -----------------------------------------------------


def count_inquiries(
    since: datetime | None = None, status: InquiryStatus | None = None
) -> int:
    """Threads opened (since a moment, in a state)."""
    query = select(func.count(Inquiry.id))
    if since is not None:
        query = query.where(Inquiry.created_at >= since)
    if status is not None:
        query = query.where(Inquiry.status == status)
    return db.session.scalar(query)


@dataclass(frozen=True)
class DealTotals:
    deals: int
    # Deals recorded without a price (a post marked sold with a quantity only)
    # count in `deals` but add nothing to `value_cny`.
    value_cny: Decimal


def deal_totals(since: datetime | None = None) -> DealTotals:
    """How many deals were recorded and the value traded (CNY), since a moment."""
    query = select(func.count(Deal.id), func.sum(Deal.total_cny))
    if since is not None:
        query = query.where(Deal.created_at >= since)
    count, total = db.session.execute(query).one()
    return DealTotals(count, Decimal(str(total)) if total is not None else Decimal("0"))
