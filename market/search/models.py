"""The search outbox: listings whose search state changed, waiting for the indexer."""

from datetime import datetime

from sqlalchemy.orm import Mapped, mapped_column

from market.database import UTCDateTime, utcnow
from market.extensions import db


class SearchOutbox(db.Model):
    """One row per change that may affect whether or how a listing is found.

    Written in the same transaction as the change; the indexer loads the listing's
    current state, updates or deletes its document, then deletes the row. No foreign
    key: a deleted listing's row must survive to remove its document.
    """

    __tablename__ = "search_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<SearchOutbox {self.id} listing {self.listing_id}>"
