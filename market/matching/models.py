"""A stored match between an offer and a wanted post."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from market.database import UTCDateTime, utcnow
from market.extensions import db


class Match(db.Model):
    """One pair, kept up to date as either post changes; both sides see it."""

    __tablename__ = "matches"
    __table_args__ = (UniqueConstraint("offer_id", "wanted_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(
        ForeignKey("listings.id", ondelete="CASCADE"), index=True
    )
    wanted_id: Mapped[int] = mapped_column(
        ForeignKey("listings.id", ondelete="CASCADE"), index=True
    )
    score: Mapped[int]
    # The scoring components as plain data, so the explanation can be re-rendered
    # in either language without scoring again.
    components: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, onupdate=utcnow
    )
    # Set once both enterprises were told; never reset, so a pair is told once.
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    offer = relationship("Listing", foreign_keys=[offer_id])
    wanted = relationship("Listing", foreign_keys=[wanted_id])

    def __repr__(self) -> str:
        return f"<Match {self.id} offer {self.offer_id} ↔ wanted {self.wanted_id} {self.score}>"
