"""Sessions: fixation, logout, and the ways a session ends (SECURITY.md B1–B3)."""

import pytest

from market.accounts.models import User
from market.enterprises.models import Enterprise, EnterpriseStatus
from market.extensions import db
from tests.accounts.conftest import NEW_PASSWORD, shown, text_of
from tests.conftest import PASSWORD, csrf_token, login


def session_cookie(client) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None, "no session cookie"
    return cookie.value


def replay(app, cookie: str):
    """A fresh client that only holds a copy of someone's session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    return thief


def assert_sent_to_login(response):
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/accounts/login")


def token_from(client, path="/") -> str:
    return csrf_token(client.get(path).get_data(as_text=True))


def session_token_of(app, user_id: int) -> str:
    with app.app_context():
        return db.session.get(User, user_id).session_token


# B1: a new session on login.


def test_login_drops_what_was_planted_in_the_session_before(client, factory):
    member = factory.enterprise()
    client.get("/accounts/login")
    with client.session_transaction() as session:
        session["planted"] = "by-an-attacker"
    planted_cookie = session_cookie(client)

    assert login(client, member["email"]).status_code == 302

    with client.session_transaction() as session:
        assert "planted" not in session
        assert "_user_id" in session
    assert session_cookie(client) != planted_cookie
    # The cookie from before the login never becomes a logged-in one.
    assert_sent_to_login(
        replay(client.application, planted_cookie).get("/enterprises/mine")
    )


def test_language_chosen_before_login_is_kept(client, factory):
    member = factory.enterprise()
    token = token_from(client)
    client.post(
        "/accounts/locale", data={"locale": "en", "next": "/", "csrf_token": token}
    )
    assert login(client, member["email"]).status_code == 302
    with client.session_transaction() as session:
        assert session.get("locale") == "en"


# B2: logout.


def test_logout_is_not_possible_with_get(client, factory):
    member = factory.enterprise()
    login(client, member["email"])
    assert client.get("/accounts/logout").status_code == 405
    assert client.get("/enterprises/mine").status_code == 200


def test_logout_needs_the_csrf_token(client, factory):
    member = factory.enterprise()
    login(client, member["email"])
    assert client.post("/accounts/logout").status_code == 400
    assert client.get("/enterprises/mine").status_code == 200


def test_logout_signs_the_user_out(app, client, factory):
    member = factory.enterprise()
    login(client, member["email"])
    response = client.post("/accounts/logout", data={"csrf_token": token_from(client)})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert shown(app, "You have been logged out.") in text_of(client.get("/"))
    assert_sent_to_login(client.get("/enterprises/mine"))


def test_copied_session_cookie_is_worthless_after_logout(app, client, factory):
    member = factory.enterprise()
    login(client, member["email"])
    copied = session_cookie(client)
    assert replay(app, copied).get("/enterprises/mine").status_code == 200

    token_before = session_token_of(app, member["user_id"])
    client.post("/accounts/logout", data={"csrf_token": token_from(client)})

    assert session_token_of(app, member["user_id"]) != token_before
    response = replay(app, copied).get("/enterprises/mine")
    assert_sent_to_login(response)
    assert replay(app, copied).get("/accounts/password").status_code == 302


# Password change ends the other sessions.


def change_password(client):
    return client.post(
        "/accounts/password",
        data={
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
            "csrf_token": token_from(client, "/accounts/password"),
        },
    )


def test_password_change_ends_the_other_sessions(app, factory):
    member = factory.enterprise()
    here, elsewhere = app.test_client(), app.test_client()
    login(here, member["email"])
    login(elsewhere, member["email"])
    copied = session_cookie(here)
    assert elsewhere.get("/enterprises/mine").status_code == 200

    change_password(here)

    assert_sent_to_login(elsewhere.get("/enterprises/mine"))
    # Including a copy of the cookie the change was made with.
    assert_sent_to_login(replay(app, copied).get("/enterprises/mine"))


def test_password_change_keeps_the_current_session_signed_in(app, factory):
    member = factory.enterprise()
    here = app.test_client()
    login(here, member["email"])

    response = change_password(here)

    assert response.status_code == 302
    assert here.get("/enterprises/mine").status_code == 200


# B3: suspension ends the enterprise's sessions; reinstating lets them back in.


def moderate(app, moderator_client, enterprise_id: int, verb: str, **fields):
    page = moderator_client.get(f"/moderation/enterprises/{enterprise_id}")
    assert page.status_code == 200
    return moderator_client.post(
        f"/moderation/enterprises/{enterprise_id}/{verb}",
        data={"csrf_token": csrf_token(page.get_data(as_text=True)), **fields},
    )


def test_suspension_signs_the_users_out_and_reinstating_lets_them_back(app, factory):
    member = factory.enterprise()
    moderator = factory.moderator()
    user, staff = app.test_client(), app.test_client()
    login(user, member["email"])
    copied = session_cookie(user)
    login(staff, moderator["email"])

    response = moderate(
        app, staff, member["id"], "suspend", stock_reason="", reason="发布虚假设备信息"
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/moderation/enterprises"

    # The user's very next request, with the cookie they hold, is signed out.
    assert_sent_to_login(user.get("/enterprises/mine"))
    assert_sent_to_login(replay(app, copied).get("/enterprises/mine"))
    refused = login(app.test_client(), member["email"])
    assert refused.status_code == 200
    assert "发布虚假设备信息" in text_of(refused)

    assert moderate(app, staff, member["id"], "reinstate").status_code == 302

    again = app.test_client()
    assert login(again, member["email"]).status_code == 302
    page = again.get("/enterprises/mine")
    assert page.status_code == 200
    assert 'data-enterprise-status="approved"' in text_of(page)


def test_session_of_an_enterprise_suspended_behind_its_back_ends_on_next_request(
    app, client, factory
):
    """Even if the tokens were not rotated, a suspended enterprise's session ends."""
    member = factory.enterprise()
    login(client, member["email"])
    copied = session_cookie(client)
    with app.app_context():
        enterprise = db.session.get(Enterprise, member["id"])
        enterprise.status = EnterpriseStatus.SUSPENDED
        enterprise.status_reason = "资质过期"
        db.session.commit()

    response = client.get("/enterprises/mine")
    assert_sent_to_login(response)
    notice = shown(
        app, "Your enterprise has been suspended, so you have been signed out."
    )
    assert notice in text_of(client.get(response.headers["Location"]))
    assert_sent_to_login(client.get("/enterprises/mine"))
    assert_sent_to_login(replay(app, copied).get("/accounts/password"))
