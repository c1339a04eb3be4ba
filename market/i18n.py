"""Choosing the user's language: the account's choice, the session's, or Chinese."""

from flask import current_app, session
from flask_login import current_user

SUPPORTED_LOCALES = ("zh_CN", "en")
LOCALE_NAMES = {"zh_CN": "中文", "en": "English"}


def select_locale() -> str:
    chosen = None
    if current_user and current_user.is_authenticated:
        chosen = current_user.locale
    chosen = chosen or session.get("locale")
    if chosen in SUPPORTED_LOCALES:
        return chosen
    return current_app.config["MARKET_DEFAULT_LOCALE"]


def select_timezone() -> str:
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]
