"""Shared pieces of the account tests: fast world building and message helpers."""

import html

import pytest
from flask_babel import gettext
from werkzeug.local import LocalProxy

import market.accounts.views as account_views
from tests.access_matrix import quick_world_building, share_compiled_templates

NEW_PASSWORD = "Brand-new-passphrase-77"


@pytest.fixture(autouse=True)
def _quick_setup(app):
    """Every test's fresh app reuses compiled templates, and the factory's users share
    one real argon2id hash of PASSWORD instead of computing one each."""
    share_compiled_templates(app)
    with quick_world_building():
        yield


@pytest.fixture(autouse=True)
def _no_proxy_login(monkeypatch):
    """A crash guard: login_user(current_user) stores the proxy as the user, and the
    next current_user lookup recurses until the interpreter segfaults, taking the
    whole test run with it. Turn that into an error (a 500) the tests can report."""
    real_login_user = account_views.login_user

    def guarded(user, *args, **kwargs):
        if isinstance(user, LocalProxy):
            raise RuntimeError("login_user() was given the current_user proxy")
        return real_login_user(user, *args, **kwargs)

    monkeypatch.setattr(account_views, "login_user", guarded)


def shown(app, message: str, **params) -> str:
    """The message a user sees: its zh_CN text if the catalogue has one, else the id."""
    with app.test_request_context():
        return str(gettext(message, **params))


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))
