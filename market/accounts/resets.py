"""Password reset by e-mail (SECURITY.md A6, K3): a link with a random token, valid
once and for 30 minutes, sent to the account's address.

Only the SHA-256 of a token is stored, and tokens are looked up by that hash, so
neither a copy of the table nor the timing of the lookup helps to forge one. A new
link, a password change or a reset with the link ends every other unused link of
the user; a reset also ends every session (User.session_token is rotated).

The link starts with the configured MARKET_BASE_URL, never the request's Host.
Tokens are never logged.
"""

import hashlib
import logging
import secrets
from datetime import timedelta

from flask_babel import force_locale
from sqlalchemy import select, update

from market.accounts.models import PasswordReset, User
from market.accounts.services import (
    check_new_password,
    end_password_resets,
    find_user,
    set_password,
)
from market.database import utcnow
from market.exceptions import NotAllowed
from market.extensions import db
from market.notifications.links import external_url
from market.notifications.presentation import recipient_locale, render_text_mail
from market.notifications.services import queue_mail

log = logging.getLogger(__name__)

LIFETIME_MINUTES = 30
LIFETIME = timedelta(minutes=LIFETIME_MINUTES)


def hash_token(token: str) -> str:
    """The SHA-256 hex digest the table keeps instead of the token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def can_reset_password(user: User | None) -> bool:
    """Only active users with an e-mail address whose enterprise (if any) is not
    suspended get (and may use) a link."""
    if user is None or not user.is_active or not user.email:
        return False
    enterprise = user.enterprise
    return enterprise is None or enterprise.status.value != "suspended"


def request_password_reset(
    identifier: str, requested_ip: str | None = None
) -> PasswordReset | None:
    """Queue a reset link for the account with this mobile or e-mail, if it may have
    one; None otherwise. The caller answers the same either way. No commit."""
    user = find_user(identifier)
    # Every request looks the account up and draws a token; one that sends mail
    # adds a few writes (nothing as slow as login's argon2), so the paths stay close.
    token = secrets.token_urlsafe(32)
    if not can_reset_password(user):
        known = user is not None
        log.info("password reset not sent", extra={"identifier_known": known})
        return None
    reset = create_password_reset(user, token, requested_ip)
    subject, body = render_reset_mail(user, token)
    queue_mail(user.email, subject, body, sensitive=True)
    log.info("password reset %s queued for user %s", reset.id, user.id)
    return reset


def create_password_reset(
    user: User, token: str, requested_ip: str | None = None
) -> PasswordReset:
    """Store the hash of a new token for the user; their earlier unused ones end.
    No commit."""
    end_password_resets(user)
    now = utcnow()
    reset = PasswordReset(
        user_id=user.id,
        token_hash=hash_token(token),
        created_at=now,
        expires_at=now + LIFETIME,
        requested_ip=requested_ip,
    )
    db.session.add(reset)
    db.session.flush()
    return reset


def render_reset_mail(user: User, token: str) -> tuple[str, str]:
    """(subject, body) of the reset e-mail, in the user's language."""
    with force_locale(recipient_locale(user)):
        return render_text_mail(
            "password_reset",
            {
                "recipient": user,
                "link": external_url("accounts.reset_password", token=token),
                "minutes": LIFETIME_MINUTES,
            },
        )


def find_password_reset(token: str) -> PasswordReset | None:
    """The unused, unexpired reset this token opens, for a user who may still use
    it; None for anything else (unknown, used, expired, replaced)."""
    reset = db.session.scalars(
        select(PasswordReset).where(PasswordReset.token_hash == hash_token(token))
    ).one_or_none()
    if reset is None or reset.used_at is not None or reset.expires_at <= utcnow():
        return None
    if not can_reset_password(reset.user):
        return None
    return reset


def reset_password(reset: PasswordReset, new_password: str) -> User:
    """Set the user's new password with a reset found by find_password_reset: the
    link is used up, every other link and every session of the user end. Raises
    ValidationFailed for a weak password (the link stays usable), NotAllowed when
    the link was used or expired meanwhile. No commit."""
    user = reset.user
    check_new_password(user, new_password)
    now = utcnow()
    # Claimed in one statement: of two requests with the same link, one wins.
    claimed = db.session.execute(
        update(PasswordReset)
        .where(
            PasswordReset.id == reset.id,
            PasswordReset.used_at.is_(None),
            PasswordReset.expires_at > now,
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        raise NotAllowed("the reset link is no longer valid")
    db.session.refresh(reset, ["used_at"])
    set_password(user, new_password)
    log.info("password reset %s used by user %s", reset.id, user.id)
    return user
