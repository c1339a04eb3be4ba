"""What the platform tells an enterprise: inbox entries and the mail waiting to go."""

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from market.database import UTCDateTime, enum_column, utcnow
from market.extensions import db


class NotificationKind(enum.StrEnum):
    MATCH = "match"
    SAVED_SEARCH = "saved_search"
    INQUIRY_RECEIVED = "inquiry_received"
    INQUIRY_MESSAGE = "inquiry_message"
    INQUIRY_QUOTED = "inquiry_quoted"
    INQUIRY_AGREED = "inquiry_agreed"
    INQUIRY_CLOSED = "inquiry_closed"


class MailStatus(enum.StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"


class Notification(db.Model):
    """One inbox entry for an enterprise; every user of the enterprise sees it."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    kind: Mapped[NotificationKind] = mapped_column(
        enum_column(NotificationKind, "kind", length=30)
    )
    # Unique per event worth telling (e.g. one match of a pair, per side): a retry,
    # an edit or a second publication never tells the same thing twice.
    dedupe_key: Mapped[str] = mapped_column(String(120), unique=True)
    listing_id: Mapped[int | None] = mapped_column(ForeignKey("listings.id"))
    counterpart_listing_id: Mapped[int | None] = mapped_column(ForeignKey("listings.id"))
    match_id: Mapped[int | None] = mapped_column(ForeignKey("matches.id"))
    inquiry_id: Mapped[int | None] = mapped_column(ForeignKey("inquiries.id"))
    saved_search_id: Mapped[int | None] = mapped_column(
        ForeignKey("saved_searches.id", ondelete="SET NULL")
    )
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    enterprise = relationship("Enterprise")
    listing = relationship("Listing", foreign_keys=[listing_id])
    counterpart_listing = relationship("Listing", foreign_keys=[counterpart_listing_id])

    def __repr__(self) -> str:
        return f"<Notification {self.id} {self.kind.value} to {self.enterprise_id}>"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class MailMessage(db.Model):
    """An e-mail written in the request's transaction and sent later by the mailer."""

    __tablename__ = "mail_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[MailStatus] = mapped_column(
        enum_column(MailStatus, "status"), default=MailStatus.QUEUED, index=True
    )
    attempts: Mapped[int] = mapped_column(default=0)
    # Carries a secret (a password-reset link): the body is blanked once the
    # message is sent or given up, so the database keeps it only while queued.
    sensitive: Mapped[bool] = mapped_column(default=False)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    notification_id: Mapped[int | None] = mapped_column(
        ForeignKey("notifications.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<MailMessage {self.id} {self.status.value} to {self.recipient!r}>"
