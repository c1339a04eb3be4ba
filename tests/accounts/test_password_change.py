"""Changing one's password: the rules, and what changes (or does not)."""

import pytest

from market.accounts.models import User
from market.accounts.passwords import verify_password
from market.extensions import db
from tests.accounts.conftest import NEW_PASSWORD, shown, text_of
from tests.conftest import PASSWORD, csrf_token, login

OWASP_ARGON2 = "$argon2id$v=19$m=19456,t=2,p=1$"
CONTEXT = "The password must not contain the enterprise's name, code, mobile or e-mail."


def account(app, user_id: int) -> dict:
    with app.app_context():
        user = db.session.get(User, user_id)
        return {
            "password_hash": user.password_hash,
            "session_token": user.session_token,
            "password_changed_at": user.password_changed_at,
        }


@pytest.fixture
def member(app, client, factory):
    member = factory.enterprise()
    assert login(client, member["email"]).status_code == 302
    return member


def change(client, current, new, confirm=None):
    page = client.get("/accounts/password")
    assert page.status_code == 200
    return client.post(
        "/accounts/password",
        data={
            "current_password": current,
            "new_password": new,
            "confirm_password": new if confirm is None else confirm,
            "csrf_token": csrf_token(page.get_data(as_text=True)),
        },
    )


def assert_refused(app, client, member, response, message, **params):
    """The form comes back with the message; the account and session are untouched."""
    assert response.status_code == 200
    assert shown(app, message, **params) in text_of(response)
    assert 'class="field-error"' in response.get_data(as_text=True)
    assert client.get("/enterprises/mine").status_code == 200


def test_wrong_current_password_changes_nothing(app, client, member):
    before = account(app, member["user_id"])
    response = change(client, "Not-my-password-42", NEW_PASSWORD)
    assert_refused(app, client, member, response, "The current password is wrong.")
    assert account(app, member["user_id"]) == before


@pytest.mark.parametrize(
    ("new_password", "message"),
    [
        ("Short-1a", "The password must have at least 10 characters."),
        (
            "password123",
            "This password is too common and easy to guess; choose another.",
        ),
        (
            "Password2024!",
            "This password is too common and easy to guess; choose another.",
        ),
        ("{name}-Xy9!", CONTEXT),
        ("My-{mobile}-pass", CONTEXT),
        (
            PASSWORD,
            "The new password must differ from the current one.",
        ),
    ],
    ids=[
        "too-short",
        "common",
        "common-with-suffix",
        "enterprise-name",
        "mobile",
        "same",
    ],
)
def test_weak_new_password_is_refused(app, client, member, new_password, message):
    before = account(app, member["user_id"])
    typed = new_password.format(name=member["name"], mobile=member["mobile"])
    response = change(client, PASSWORD, typed)
    assert_refused(app, client, member, response, message)
    assert account(app, member["user_id"]) == before


def test_mismatched_confirmation_is_refused(app, client, member):
    before = account(app, member["user_id"])
    response = change(client, PASSWORD, NEW_PASSWORD, confirm=NEW_PASSWORD + "x")
    assert_refused(app, client, member, response, "The two passwords differ.")
    assert account(app, member["user_id"]) == before


def test_after_the_change_only_the_new_password_logs_in(app, client, member):
    before = account(app, member["user_id"])
    change(client, PASSWORD, NEW_PASSWORD)

    after = account(app, member["user_id"])
    assert after["password_hash"].startswith(OWASP_ARGON2)
    assert verify_password(after["password_hash"], NEW_PASSWORD)
    assert after["password_changed_at"] is not None
    assert after["session_token"] != before["session_token"]

    refused = login(app.test_client(), member["email"], PASSWORD)
    assert refused.status_code == 200
    assert shown(app, "Wrong mobile/e-mail or password.") in text_of(refused)
    assert login(app.test_client(), member["email"], NEW_PASSWORD).status_code == 302


def test_successful_change_confirms_and_returns_to_the_enterprise_page(
    app, client, member
):
    response = change(client, PASSWORD, NEW_PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == "/enterprises/mine"
    page = client.get("/enterprises/mine")
    assert page.status_code == 200
    assert shown(app, "Your password has been changed.") in text_of(page)


def test_password_page_needs_a_login(client):
    response = client.get("/accounts/password")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/accounts/login")
