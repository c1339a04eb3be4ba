"""Choosing the user's language: the account's choice, the session's, or Chinese."""

from flask import current_app, has_request_context, session
from flask_login import current_user

SUPPORTED_LOCALES = ("zh_CN", "en")
LOCALE_NAMES = {"zh_CN": "中文", "en": "English"}


def locale_code(locale) -> str:
    """Our name for a Babel locale: Babel parses "zh_CN" as zh_Hans_CN."""
    if locale is not None and getattr(locale, "language", None) == "zh":
        return "zh_CN"
    return "en"


def select_locale() -> str:
    chosen = None
    # Commands run outside a request: no user, no session, the default language.
    if has_request_context():
        if current_user and current_user.is_authenticated:
            chosen = current_user.locale
        chosen = chosen or session.get("locale")
    if chosen in SUPPORTED_LOCALES:
        return chosen
    return current_app.config["MARKET_DEFAULT_LOCALE"]


def select_timezone() -> str:
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]
