"""Account rules: authentication, sessions, password changes, language choice."""

import logging
import re

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete

from market.accounts.models import PasswordReset, Role, User
from market.accounts.passwords import hash_password, needs_rehash, verify_password
from market.database import utcnow
from market.domain.passwords import PasswordProblem, check_password
from market.exceptions import ValidationFailed
from market.extensions import db
from market.i18n import SUPPORTED_LOCALES

log = logging.getLogger(__name__)

MOBILE_PATTERN = re.compile(r"^1[3-9]\d{9}$")
PASSWORD_MESSAGES = {
    PasswordProblem.TOO_SHORT: _l("The password must have at least 10 characters."),
    PasswordProblem.TOO_LONG: _l("The password must have at most 128 characters."),
    PasswordProblem.COMMON: _l(
        "This password is too common and easy to guess; choose another."
    ),
    PasswordProblem.CONTEXT: _l(
        "The password must not contain the enterprise's name, code, mobile or e-mail."
    ),
}


def normalize_mobile(raw: str) -> str:
    """Strip spaces, dashes and a +86 / 0086 / 86 prefix."""
    digits = re.sub(r"[\s\-()（）]", "", raw or "")
    for prefix in ("+86", "0086", "86"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11:
            digits = digits[len(prefix) :]
            break
    return digits


def normalize_identifier(raw: str) -> str:
    """A login name as typed, reduced to the stored form of a mobile or an e-mail."""
    raw = (raw or "").strip()
    if "@" in raw:
        return raw.lower()
    return normalize_mobile(raw)


def password_problem_message(password: str, context: list[str]):
    """The message for the first rule the password breaks, or None."""
    problem = check_password(password, context)
    return PASSWORD_MESSAGES[problem] if problem else None


def find_user(identifier: str) -> User | None:
    key = normalize_identifier(identifier)
    if not key:
        return None
    column = User.email if "@" in key else User.mobile
    return db.session.execute(db.select(User).where(column == key)).scalar_one_or_none()


def authenticate(identifier: str, password: str) -> User | None:
    """The user these credentials belong to, or None; rehashes outdated hashes."""
    user = find_user(identifier)
    if not verify_password(user.password_hash if user else None, password):
        log.info("login failed", extra={"identifier_known": user is not None})
        return None
    if not user.is_active:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    return user


def create_user(
    *,
    name: str,
    mobile: str | None,
    email: str | None,
    password: str,
    role: Role = Role.MEMBER,
    enterprise=None,
    context: list[str] | None = None,
) -> User:
    """A new user after checking the password rules and that mobile/e-mail are free."""
    reasons: dict[str | None, list[str]] = {}
    message = password_problem_message(password, [*(context or []), mobile or "", email or ""])
    if message:
        reasons["password"] = [message]
    if mobile and not MOBILE_PATTERN.match(mobile):
        reasons["mobile"] = [_l("Enter an 11-digit mainland mobile number.")]
    if mobile and find_user(mobile):
        reasons["mobile"] = [_l("This mobile number is already registered.")]
    if email and find_user(email):
        reasons["email"] = [_l("This e-mail address is already registered.")]
    if reasons:
        raise ValidationFailed(reasons)
    user = User(
        name=name,
        mobile=mobile or None,
        email=email.lower() if email else None,
        password_hash=hash_password(password),
        role=role,
        enterprise=enterprise,
    )
    db.session.add(user)
    return user


def change_password(user: User, current: str, new: str) -> None:
    """Replace the password; every other session of the user ends."""
    if not verify_password(user.password_hash, current):
        raise ValidationFailed({"current_password": [_l("The current password is wrong.")]})
    check_new_password(user, new)
    if verify_password(user.password_hash, new):
        raise ValidationFailed(
            {"new_password": [_l("The new password must differ from the current one.")]}
        )
    set_password(user, new)


def check_new_password(user: User, new: str) -> None:
    """Raise ValidationFailed (on new_password) when the password breaks a rule."""
    context = [user.mobile or "", user.email or ""]
    if user.enterprise is not None:
        context += [user.enterprise.name, user.enterprise.credit_code]
    message = password_problem_message(new, context)
    if message:
        raise ValidationFailed({"new_password": [message]})


def set_password(user: User, new: str) -> None:
    """Store the new password; every session and every unused reset link ends."""
    user.password_hash = hash_password(new)
    user.password_changed_at = utcnow()
    user.rotate_session_token()
    end_password_resets(user)


def end_password_resets(user: User) -> None:
    """Make every reset link of the user that has not been used worthless."""
    db.session.execute(
        delete(PasswordReset).where(
            PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None)
        )
    )


def end_sessions(user: User) -> None:
    """Invalidate every login cookie the user holds."""
    user.rotate_session_token()


def set_locale(user: User | None, locale: str) -> str:
    """Remember the language for the account (if any); returns the locale kept."""
    if locale not in SUPPORTED_LOCALES:
        raise ValidationFailed({"locale": [_l("This language is not available.")]})
    if user is not None:
        user.locale = locale
    return locale
