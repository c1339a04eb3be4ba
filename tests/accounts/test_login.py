"""Logging in: by e-mail or mobile, errors, enterprise states, hashing, throttling."""

import html
import re
import time

import limits.storage.memory
import pytest
from argon2 import PasswordHasher
from flask_babel import gettext

from market.accounts.models import User
from market.accounts.passwords import verify_password
from market.enterprises.models import EnterpriseStatus
from market.extensions import db, limiter
from tests.access_matrix import quick_world_building, share_compiled_templates
from tests.conftest import PASSWORD, csrf_token, login

OWASP_ARGON2 = "$argon2id$v=19$m=19456,t=2,p=1$"
WRONG = "Wrong-Horse-Battery-1"
CSRF_VALUE = re.compile(r'(name="csrf_token"(?: type="hidden")? value=")[^"]*(")')


@pytest.fixture(autouse=True)
def _quick_setup(app):
    """Every test's fresh app reuses compiled templates, and the factory's users share
    one real argon2id hash of PASSWORD instead of computing one each."""
    share_compiled_templates(app)
    with quick_world_building():
        yield


def shown(app, message: str, **params) -> str:
    """The message a user sees: its zh_CN text if the catalogue has one, else the id."""
    with app.test_request_context():
        return str(gettext(message, **params))


def text_of(response) -> str:
    """The page with HTML entities decoded, to look for messages in."""
    return html.unescape(response.get_data(as_text=True))


def user_row(app, user_id: int) -> User:
    with app.app_context():
        user = db.session.get(User, user_id)
        db.session.expunge(user)
        return user


def is_signed_in(client) -> bool:
    with client.session_transaction() as session:
        return "_user_id" in session


def hidden_value(page: str, name: str) -> str:
    match = re.search(rf'name="{name}" type="hidden" value="([^"]*)"', page)
    assert match, f"no hidden field {name}"
    return match.group(1)


# Logging in.


def test_member_logs_in_by_email(app, client, factory):
    member = factory.enterprise()
    response = login(client, member["email"])
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert client.get("/enterprises/mine").status_code == 200
    assert user_row(app, member["user_id"]).last_login_at is not None


def test_email_is_matched_without_case_or_surrounding_spaces(client, factory):
    member = factory.enterprise()
    assert login(client, f"  {member['email'].upper()} ").status_code == 302
    assert client.get("/enterprises/mine").status_code == 200


@pytest.mark.parametrize(
    "spelling",
    [
        "{m}",
        "+86 {m}",
        "+86{m}",
        "+86 {a} {b} {c}",
        " {a} {b} {c} ",
        "0086-{a}-{b}-{c}",
    ],
)
def test_member_logs_in_by_mobile(client, factory, spelling):
    member = factory.enterprise()
    mobile = member["mobile"]
    typed = spelling.format(m=mobile, a=mobile[:3], b=mobile[3:7], c=mobile[7:])
    assert login(client, typed).status_code == 302
    assert client.get("/enterprises/mine").status_code == 200


def test_wrong_password_shows_an_error_and_starts_no_session(app, client, factory):
    member = factory.enterprise()
    response = login(client, member["email"], WRONG)
    assert response.status_code == 200
    assert shown(app, "Wrong mobile/e-mail or password.") in text_of(response)
    assert not is_signed_in(client)
    assert client.get("/enterprises/mine").status_code == 302
    assert user_row(app, member["user_id"]).last_login_at is None


@pytest.mark.parametrize("kind", ["email", "mobile"])
def test_unknown_account_gets_the_same_page_as_a_wrong_password(app, factory, kind):
    """No enumeration: the same identifier, first unknown, then registered."""
    identifier = "zhang.wei@example.com" if kind == "email" else "13912345678"

    def attempt():
        limiter.reset()  # the rate-limit headers count down; start both from scratch
        response = login(app.test_client(), identifier, WRONG)
        body = CSRF_VALUE.sub(r"\1TOKEN\2", response.get_data(as_text=True))
        assert body.count("TOKEN") == 2  # the login form's and the language switch's
        headers = {
            name: value
            for name, value in response.headers.items()
            if name not in ("Set-Cookie", "Date", "X-RateLimit-Reset")
        }
        return response.status_code, headers, body

    unknown = attempt()
    factory.enterprise(
        contact_email="zhang.wei@example.com", contact_mobile="13912345678"
    )
    wrong_password = attempt()
    assert unknown[0] == wrong_password[0] == 200
    assert unknown[1] == wrong_password[1]
    assert unknown[2] == wrong_password[2]
    assert shown(app, "Wrong mobile/e-mail or password.") in html.unescape(unknown[2])


def test_login_without_csrf_token_is_refused(app, client, factory):
    member = factory.enterprise()
    client.get("/accounts/login")
    response = client.post(
        "/accounts/login", data={"identifier": member["email"], "password": PASSWORD}
    )
    assert response.status_code == 400
    assert not is_signed_in(client)
    assert user_row(app, member["user_id"]).last_login_at is None


@pytest.mark.parametrize(
    ("status", "notice"),
    [
        (
            EnterpriseStatus.PENDING,
            "Your application is waiting for a moderator's review. "
            "You will be able to publish once it is approved.",
        ),
        (EnterpriseStatus.REJECTED, "Your application was rejected."),
    ],
)
def test_pending_and_rejected_users_log_in_to_their_enterprise_page(
    app, client, factory, status, notice
):
    member = factory.enterprise(status=status, status_reason="营业执照照片不清晰")
    # The way a user gets there: the enterprise page sends them to log in first.
    bounced = client.get("/enterprises/mine")
    assert bounced.status_code == 302
    login_page = client.get(bounced.headers["Location"]).get_data(as_text=True)
    response = client.post(
        "/accounts/login",
        data={
            "identifier": member["email"],
            "password": PASSWORD,
            "next": hidden_value(login_page, "next"),
            "csrf_token": csrf_token(login_page),
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/enterprises/mine"
    page = client.get("/enterprises/mine")
    assert page.status_code == 200
    assert f'data-enterprise-status="{status.value}"' in text_of(page)
    assert shown(app, notice) in text_of(page)
    if status is EnterpriseStatus.REJECTED:
        assert "营业执照照片不清晰" in text_of(page)


def test_suspended_users_are_refused_with_the_reason(app, client, factory):
    member = factory.enterprise(
        status=EnterpriseStatus.SUSPENDED, status_reason="多次发布虚假设备信息"
    )
    response = login(client, member["email"])
    assert response.status_code == 200
    notice = shown(
        app, "Your enterprise is suspended: %(reason)s", reason="多次发布虚假设备信息"
    )
    assert "多次发布虚假设备信息" in notice
    assert notice in text_of(response)
    assert not is_signed_in(client)
    assert client.get("/enterprises/mine").status_code == 302


# Password storage.


def test_passwords_are_stored_as_argon2id_with_owasp_parameters(app, client, factory):
    member = factory.enterprise()
    stored = user_row(app, member["user_id"]).password_hash
    assert stored.startswith(OWASP_ARGON2)
    assert PASSWORD not in stored
    assert login(client, member["email"]).status_code == 302
    assert user_row(app, member["user_id"]).password_hash == stored


def test_outdated_hash_is_rehashed_on_successful_login(app, client, factory):
    member = factory.enterprise()
    old = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    with app.app_context():
        db.session.get(User, member["user_id"]).password_hash = old
        db.session.commit()

    assert login(client, member["email"], WRONG).status_code == 200
    assert user_row(app, member["user_id"]).password_hash == old

    assert login(client, member["email"]).status_code == 302
    renewed = user_row(app, member["user_id"]).password_hash
    assert renewed.startswith(OWASP_ARGON2)
    assert verify_password(renewed, PASSWORD)


# Throttling (memory storage in tests; the limits come from the default config).


def fail(app, identifier, times=1, **client_options):
    for _ in range(times):
        response = login(app.test_client(**client_options), identifier, WRONG)
        assert response.status_code == 200


def test_five_wrong_passwords_then_the_right_one_is_throttled(app, factory):
    member = factory.enterprise()
    fail(app, member["email"], 5)
    client = app.test_client()
    response = login(client, member["email"])
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert shown(app, "Too many attempts. Please try again later.") in text_of(response)
    assert not is_signed_in(client)


def test_throttle_counts_every_spelling_of_a_mobile_number(app, factory):
    member = factory.enterprise()
    mobile = member["mobile"]
    for spelling in (
        mobile,
        f"+86 {mobile}",
        f"{mobile[:3]} {mobile[3:]}",
        "0086" + mobile,
    ):
        fail(app, spelling)
    fail(app, f"+86-{mobile}")
    assert login(app.test_client(), mobile).status_code == 429


@pytest.mark.parametrize(
    ("guessed_by", "then_by"), [("email", "mobile"), ("mobile", "email")]
)
def test_throttle_is_per_account_whichever_identifier_is_used(
    app, factory, guessed_by, then_by
):
    member = factory.enterprise()
    fail(app, member[guessed_by], 5)
    assert login(app.test_client(), member[then_by]).status_code == 429


def test_throttled_account_does_not_lock_out_other_accounts(app, factory):
    victim, other = factory.enterprise(), factory.enterprise()
    fail(app, victim["email"], 5)
    assert login(app.test_client(), victim["email"]).status_code == 429
    assert login(app.test_client(), other["email"]).status_code == 302


def test_per_address_limit_stops_every_account_after_30_failures(app, factory):
    member, another = factory.enterprise(), factory.enterprise()
    # 29 failures spread over accounts, none of them reaching its own limit.
    for number in range(29):
        fail(app, f"nobody{number}@example.com")
    assert login(app.test_client(), member["email"]).status_code == 302
    fail(app, "nobody-else@example.com")  # the 30th
    assert login(app.test_client(), another["email"]).status_code == 429
    # Only this address: the same account from another address still gets in.
    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "10.1.2.3"
    assert login(elsewhere, another["email"]).status_code == 302


def test_throttle_lifts_when_the_limiter_is_reset(app, factory):
    member = factory.enterprise()
    fail(app, member["email"], 5)
    assert login(app.test_client(), member["email"]).status_code == 429
    for each in app.extensions["limiter"]:
        each.reset()
    assert login(app.test_client(), member["email"]).status_code == 302


def test_throttle_lifts_after_the_15_minute_window(app, factory, monkeypatch):
    member = factory.enterprise()
    fail(app, member["email"], 5)
    started = time.time()

    def travel(seconds):
        clock = type("Clock", (), {"time": staticmethod(lambda: started + seconds)})
        monkeypatch.setattr(limits.storage.memory, "time", clock)

    travel(14 * 60)
    assert login(app.test_client(), member["email"]).status_code == 429
    travel(15 * 60 + 2)
    assert login(app.test_client(), member["email"]).status_code == 302


def test_successful_logins_do_not_count_towards_the_throttle(app, factory):
    member = factory.enterprise()
    for _ in range(6):
        assert login(app.test_client(), member["email"]).status_code == 302
    fail(app, member["email"], 4)
    assert login(app.test_client(), member["email"]).status_code == 302
