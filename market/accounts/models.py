"""Users (people who log in, members of an enterprise or moderators) and the
password-reset links sent to them."""

import enum
import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from market.database import UTCDateTime, enum_column, utcnow
from market.extensions import db


class Role(enum.StrEnum):
    MEMBER = "member"
    MODERATOR = "moderator"


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int | None] = mapped_column(
        ForeignKey("enterprises.id"), index=True
    )
    name: Mapped[str] = mapped_column(String(50))
    mobile: Mapped[str | None] = mapped_column(String(11), unique=True)
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"), default=Role.MEMBER)
    active: Mapped[bool] = mapped_column(default=True)
    # What the login cookie carries instead of the id: rotating it on logout,
    # password change or suspension makes every copy of an old cookie worthless.
    session_token: Mapped[str] = mapped_column(
        String(64), unique=True, default=new_session_token
    )
    locale: Mapped[str | None] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    enterprise = relationship("Enterprise", back_populates="users")

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email or self.mobile} {self.role.value}>"

    def get_id(self) -> str:
        return self.session_token

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_moderator(self) -> bool:
        return self.role is Role.MODERATOR

    @property
    def can_publish(self) -> bool:
        """Only users of an approved enterprise publish."""
        return self.enterprise is not None and self.enterprise.is_approved

    def rotate_session_token(self) -> None:
        """End every session of this user (the current one must log in again)."""
        self.session_token = new_session_token()


class PasswordReset(db.Model):
    """A password-reset link sent by e-mail. Only the SHA-256 of its token is kept,
    so a copy of the table opens no account; a link works once, until expires_at."""

    __tablename__ = "password_resets"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    requested_ip: Mapped[str | None] = mapped_column(String(45))

    user = relationship("User")

    def __repr__(self) -> str:
        state = "used" if self.used_at else f"until {self.expires_at:%Y-%m-%d %H:%M}"
        return f"<PasswordReset {self.id} user {self.user_id} {state}>"
