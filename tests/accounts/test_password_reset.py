"""Password reset by e-mail (SECURITY.md A6, H1, I3, K3): asking for a link, the
e-mail, the link's lifetime and single use, and what a reset ends."""

import email
import email.policy
import hashlib
import html
import logging
import re
from datetime import timedelta
from pathlib import Path

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import func, select, update

import market.accounts.resets as resets_module
from market.accounts.models import PasswordReset, User
from market.accounts.passwords import verify_password
from market.database import utcnow
from market.enterprises.models import Enterprise, EnterpriseStatus
from market.exceptions import NotAllowed
from market.extensions import db, limiter
from market.notifications.models import MailMessage
from tests.accounts.conftest import NEW_PASSWORD, shown, text_of
from tests.conftest import PASSWORD, csrf_token, login

BASE_URL = "https://market.example.cn"
REQUEST = "/accounts/password-reset"
LINK = re.compile(r"^(\S+)/accounts/password-reset/([A-Za-z0-9_-]+)$", re.MULTILINE)
CSRF_VALUE = re.compile(r'(name="csrf_token"(?: type="hidden")? value=")[^"]*(")')
NEUTRAL = (
    "If an account with this mobile number or e-mail exists and has an e-mail "
    "address, we have sent a link to choose a new password to that address. "
    "The link is valid for %(minutes)d minutes."
)
INVALID = (
    "The link to reset your password is wrong, has expired or has already been "
    "used. A link works once, for %(minutes)d minutes, and only the newest one you "
    "asked for."
)
CONTEXT = "The password must not contain the enterprise's name, code, mobile or e-mail."


@pytest.fixture(autouse=True)
def _configured_base_url(app):
    app.config["MARKET_BASE_URL"] = BASE_URL


@pytest.fixture
def member(factory):
    return factory.enterprise()


def ask(client, identifier: str, **options):
    """Ask for a reset link through the form (fetching its CSRF token first)."""
    page = client.get(REQUEST, **options)
    return client.post(
        REQUEST,
        data={"identifier": identifier, "csrf_token": csrf_token(page.text)},
        **options,
    )


def mails(app) -> list[dict]:
    with app.app_context():
        return [
            {"recipient": m.recipient, "subject": m.subject, "body": m.body}
            for m in db.session.scalars(select(MailMessage).order_by(MailMessage.id))
        ]


def link_in(body: str) -> tuple[str, str]:
    """(origin, token) of the reset link in a mail body."""
    match = LINK.search(body)
    assert match, body
    return match.group(1), match.group(2)


def requested_token(app, client, identifier: str) -> str:
    assert ask(client, identifier).status_code == 302
    return link_in(mails(app)[-1]["body"])[1]


def reset_url(token: str) -> str:
    return f"{REQUEST}/{token}"


def post_reset(client, token: str, password=NEW_PASSWORD, confirm=None, csrf=None):
    if csrf is None:
        csrf = csrf_token(client.get(REQUEST).text)
    return client.post(
        reset_url(token),
        data={
            "new_password": password,
            "confirm_password": password if confirm is None else confirm,
            "csrf_token": csrf,
        },
    )


def reset(client, token: str, password=NEW_PASSWORD, confirm=None):
    """Open the link and send the new password with the page's own form."""
    page = client.get(reset_url(token))
    assert page.status_code == 200
    return post_reset(client, token, password, confirm, csrf_token(page.text))


def account(app, user_id: int) -> dict:
    with app.app_context():
        user = db.session.get(User, user_id)
        return {
            "password_hash": user.password_hash,
            "session_token": user.session_token,
            "password_changed_at": user.password_changed_at,
        }


def count_rows(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def assert_invalid_link(app, response):
    assert response.status_code == 404
    page = text_of(response)
    assert shown(app, INVALID, minutes=30) in page
    assert f'href="{REQUEST}"' in page


def assert_sent_to_login(response):
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/accounts/login")


def session_cookie(client) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def replay(app, cookie: str):
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    return thief


# Asking for a link: the same answer for everyone (no enumeration).


def test_login_page_links_to_the_reset_form(app, client):
    page = text_of(client.get("/accounts/login"))
    assert f'href="{REQUEST}"' in page
    assert shown(app, "Forgot your password?") in page


@pytest.mark.parametrize("kind", ["email", "mobile"])
def test_unknown_and_known_accounts_get_the_same_answer(app, factory, kind):
    identifier = "zhang.wei@example.com" if kind == "email" else "13912345678"

    def attempt():
        limiter.reset()  # the rate-limit headers count down; start both afresh
        client = app.test_client()
        response = ask(client, identifier)
        headers = {
            name: value
            for name, value in response.headers.items()
            if name not in ("Set-Cookie", "Date", "X-RateLimit-Reset")
        }
        page = CSRF_VALUE.sub(r"\1TOKEN\2", client.get(REQUEST).text)
        return response.status_code, headers, page

    unknown = attempt()
    assert count_rows(app, PasswordReset) == count_rows(app, MailMessage) == 0
    factory.enterprise(
        contact_email="zhang.wei@example.com", contact_mobile="13912345678"
    )
    known = attempt()

    assert unknown == known
    assert unknown[0] == 302
    assert unknown[1]["Location"] == REQUEST
    assert shown(app, NEUTRAL, minutes=30) in html.unescape(unknown[2])
    assert count_rows(app, PasswordReset) == 1
    assert [m["recipient"] for m in mails(app)] == ["zhang.wei@example.com"]


@pytest.mark.parametrize(
    "spelling", ["{email}", " {EMAIL} ", "{mobile}", "+86 {mobile}"]
)
def test_link_goes_to_the_account_address_whatever_the_spelling(
    app, client, member, spelling
):
    typed = spelling.format(
        email=member["email"], EMAIL=member["email"].upper(), mobile=member["mobile"]
    )
    assert ask(client, typed).status_code == 302
    assert [m["recipient"] for m in mails(app)] == [member["email"]]


def suspend(app, enterprise_id: int) -> None:
    with app.app_context():
        enterprise = db.session.get(Enterprise, enterprise_id)
        enterprise.status = EnterpriseStatus.SUSPENDED
        enterprise.status_reason = "资质过期"
        db.session.commit()


def deactivate(app, user_id: int) -> None:
    with app.app_context():
        db.session.get(User, user_id).active = False
        db.session.commit()


def remove_email(app, user_id: int) -> None:
    with app.app_context():
        db.session.get(User, user_id).email = None
        db.session.commit()


@pytest.mark.parametrize("change", ["suspended", "inactive", "no-email"])
def test_no_mail_for_suspended_inactive_or_addressless_users(
    app, client, member, change
):
    if change == "suspended":
        suspend(app, member["id"])
    elif change == "inactive":
        deactivate(app, member["user_id"])
    else:
        remove_email(app, member["user_id"])

    response = ask(client, member["mobile"])

    assert response.status_code == 302
    assert response.headers["Location"] == REQUEST
    assert shown(app, NEUTRAL, minutes=30) in text_of(client.get(REQUEST))
    assert count_rows(app, PasswordReset) == count_rows(app, MailMessage) == 0


def test_moderators_without_an_enterprise_get_a_link(app, client, factory):
    moderator = factory.moderator()
    token = requested_token(app, client, moderator["email"])
    assert client.get(reset_url(token)).status_code == 200


def test_signed_in_users_may_ask_too(app, client, member):
    login(client, member["email"])
    assert client.get(REQUEST).status_code == 200
    assert ask(client, member["email"]).status_code == 302
    assert len(mails(app)) == 1


# The e-mail (K3): built from MARKET_BASE_URL, never from the request's Host.


def test_link_host_is_the_configured_one_whatever_the_request_host(app, member):
    app.config["TRUSTED_HOSTS"] = ["market.example.cn", "intranet.example.cn"]
    client = app.test_client()
    response = ask(client, member["email"], base_url="http://intranet.example.cn")
    assert response.status_code == 302

    (mail,) = mails(app)
    origin, token = link_in(mail["body"])
    assert origin == BASE_URL
    assert f"{BASE_URL}/accounts/password-reset/{token}" in mail["body"]
    assert "intranet.example.cn" not in mail["body"]


def test_link_ignores_a_forged_host_header(app, member):
    """Without MARKET_TRUSTED_HOSTS any Host is answered; the link stays ours."""
    client = app.test_client()
    ask(client, member["email"], base_url="http://evil.example")
    origin, _token = link_in(mails(app)[0]["body"])
    assert origin == BASE_URL
    assert "evil.example" not in mails(app)[0]["body"]


def test_mail_is_chinese_by_default_and_english_when_the_user_chose_it(
    app, client, factory
):
    chinese, english = factory.enterprise(), factory.enterprise()
    with app.app_context():
        db.session.get(User, english["user_id"]).locale = "en"
        db.session.commit()
    ask(client, chinese["email"])
    ask(client, english["email"])

    first, second = mails(app)
    with app.test_request_context(), force_locale("zh_CN"):
        zh_subject = gettext("Reset your password")
    assert first["subject"] == zh_subject
    assert second["subject"] == "Reset your password"
    assert "Hello 张伟," in second["body"]
    assert "30 minutes" in second["body"]


# What the database keeps (A6): the hash, never the token.


def test_database_keeps_only_the_hash_of_the_token(app, client, member):
    token = requested_token(app, client, member["email"])
    assert len(token) >= 43  # 32 random bytes, URL-safe base64

    with app.app_context():
        with db.engine.connect() as connection:
            rows = connection.exec_driver_sql("SELECT * FROM password_resets").all()
        (reset,) = db.session.scalars(select(PasswordReset)).all()
    assert all(token not in str(value) for row in rows for value in row)
    assert reset.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert reset.user_id == member["user_id"]
    assert reset.used_at is None
    assert reset.expires_at - reset.created_at == timedelta(minutes=30)
    assert reset.requested_ip == "127.0.0.1"


def test_the_link_leaves_the_mail_queue_once_sent(app, client, member, runner):
    token = requested_token(app, client, member["email"])
    with app.app_context():
        (queued,) = db.session.scalars(select(MailMessage)).all()
        assert queued.sensitive and token in queued.body  # needed until it goes
    result = runner.invoke(args=["send-mail"])
    assert result.exit_code == 0, result.output
    outbox = app.config["MARKET_MAIL_OUTBOX_DIR"]
    with app.app_context():
        with db.engine.connect() as connection:
            rows = connection.exec_driver_sql("SELECT * FROM mail_messages").all()
        (sent,) = db.session.scalars(select(MailMessage)).all()
    assert sent.status.value == "sent" and sent.body == ""
    assert all(token not in str(value) for row in rows for value in row)
    # The e-mail itself went out with the link.
    (eml,) = Path(outbox).glob("*.eml")
    message = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    assert token in message.get_content()


def test_tokens_are_never_logged(app, client, member, caplog, monkeypatch):
    # Alembic's logging setup (the migrations the tests run) disables the loggers
    # that existed then; listen to every one of them here.
    for logger in list(logging.root.manager.loggerDict.values()):
        if isinstance(logger, logging.Logger):
            monkeypatch.setattr(logger, "disabled", False)
    caplog.set_level(logging.DEBUG)
    token = requested_token(app, client, member["email"])
    reset(client, token)
    post_reset(client, token)
    logged = "\n".join(
        f"{record.getMessage()} {record.__dict__}" for record in caplog.records
    )
    assert "password reset" in logged
    assert token not in logged
    assert hashlib.sha256(token.encode()).hexdigest() not in logged


# Using the link: once, within 30 minutes, the newest only.


def test_link_shows_the_form_without_referrer_or_caching(client, app, member):
    token = requested_token(app, client, member["email"])
    page = client.get(reset_url(token))
    assert page.status_code == 200
    assert 'name="new_password"' in page.text
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert "no-store" in page.headers["Cache-Control"]


def test_reset_sets_the_password_and_sends_to_login(app, member):
    client = app.test_client()
    before = account(app, member["user_id"])
    token = requested_token(app, client, member["email"])

    response = reset(client, token)

    assert response.status_code == 302
    assert response.headers["Location"] == "/accounts/login"
    notice = shown(app, "Your password has been reset. Log in with the new password.")
    assert notice in text_of(client.get("/accounts/login"))
    after = account(app, member["user_id"])
    assert after["password_hash"].startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert verify_password(after["password_hash"], NEW_PASSWORD)
    assert after["password_changed_at"] is not None
    assert after["session_token"] != before["session_token"]
    assert login(app.test_client(), member["email"], PASSWORD).status_code == 200
    assert login(app.test_client(), member["email"], NEW_PASSWORD).status_code == 302


def test_link_works_only_once(app, client, member):
    token = requested_token(app, client, member["email"])
    assert reset(client, token).status_code == 302
    changed = account(app, member["user_id"])

    assert_invalid_link(app, client.get(reset_url(token)))
    assert_invalid_link(app, post_reset(client, token, "Another-passphrase-88"))
    assert account(app, member["user_id"]) == changed
    with app.app_context():
        (used,) = db.session.scalars(select(PasswordReset)).all()
        assert used.used_at is not None


def test_of_two_uses_at_once_only_one_sets_a_password(app, client, member):
    """The link is claimed with one conditional UPDATE: a request that loaded it
    before another used it fails instead of setting a second password."""
    token = requested_token(app, client, member["email"])
    before = account(app, member["user_id"])
    with app.test_request_context(method="POST"):
        reset = resets_module.find_password_reset(token)
        assert reset is not None
        # The other request wins meanwhile.
        db.session.execute(
            update(PasswordReset)
            .where(PasswordReset.id == reset.id)
            .values(used_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        with pytest.raises(NotAllowed):
            resets_module.reset_password(reset, NEW_PASSWORD)
        db.session.rollback()
    assert account(app, member["user_id"]) == before


def travel(monkeypatch, minutes: int) -> None:
    """Move the reset service's clock forward."""
    later = utcnow() + timedelta(minutes=minutes)
    monkeypatch.setattr(resets_module, "utcnow", lambda: later)


def test_link_still_works_after_29_minutes(app, client, member, monkeypatch):
    token = requested_token(app, client, member["email"])
    travel(monkeypatch, 29)
    assert reset(client, token).status_code == 302


def test_link_fails_after_31_minutes(app, client, member, monkeypatch):
    token = requested_token(app, client, member["email"])
    page = client.get(reset_url(token))
    before = account(app, member["user_id"])
    travel(monkeypatch, 31)

    assert_invalid_link(app, client.get(reset_url(token)))
    # Nor with the form opened in time and sent too late.
    assert_invalid_link(app, post_reset(client, token, csrf=csrf_token(page.text)))
    assert account(app, member["user_id"]) == before


def test_newer_link_replaces_the_older(app, client, member):
    first = requested_token(app, client, member["email"])
    second = requested_token(app, client, member["email"])
    assert first != second
    assert_invalid_link(app, client.get(reset_url(first)))
    assert_invalid_link(app, post_reset(client, first))
    assert reset(client, second).status_code == 302


def test_password_change_ends_outstanding_links(app, client, member):
    token = requested_token(app, client, member["email"])
    login(client, member["email"])
    changed = client.post(
        "/accounts/password",
        data={
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
            "csrf_token": csrf_token(client.get("/accounts/password").text),
        },
    )
    assert changed.status_code == 302
    assert_invalid_link(app, app.test_client().get(reset_url(token)))


def test_link_of_a_user_suspended_since_fails(app, client, member):
    token = requested_token(app, client, member["email"])
    suspend(app, member["id"])
    assert_invalid_link(app, client.get(reset_url(token)))


@pytest.mark.parametrize("token", ["not-a-token", "A" * 43, "x" * 300])
def test_unknown_link_gets_the_invalid_page(app, client, token):
    assert_invalid_link(app, client.get(reset_url(token)))


# What a reset ends (A6, B1, B2).


def test_session_cookie_from_before_the_reset_no_longer_authenticates(app, member):
    signed_in = app.test_client()
    login(signed_in, member["email"])
    copied = session_cookie(signed_in)
    assert replay(app, copied).get("/enterprises/mine").status_code == 200

    token = requested_token(app, app.test_client(), member["email"])
    assert reset(app.test_client(), token).status_code == 302

    assert_sent_to_login(replay(app, copied).get("/enterprises/mine"))
    assert_sent_to_login(signed_in.get("/enterprises/mine"))


def test_reset_starts_a_clean_session(app, factory):
    """Whoever was signed in on this browser is signed out; nothing planted stays."""
    member, other = factory.enterprise(), factory.enterprise()
    client = app.test_client()
    login(client, other["email"])
    with client.session_transaction() as session:
        session["planted"] = "by-an-attacker"
    token = requested_token(app, app.test_client(), member["email"])

    assert reset(client, token).status_code == 302

    with client.session_transaction() as session:
        assert "planted" not in session
        assert "_user_id" not in session
    assert_sent_to_login(client.get("/enterprises/mine"))


def test_language_chosen_before_the_reset_is_kept(app, client, member):
    token = requested_token(app, client, member["email"])
    with client.session_transaction() as session:
        session["locale"] = "en"
    reset(client, token)
    with client.session_transaction() as session:
        assert session.get("locale") == "en"


# The new password's rules (A3): those of a password change.


@pytest.mark.parametrize(
    ("new_password", "message"),
    [
        ("Short-1a", "The password must have at least 10 characters."),
        (
            "password123",
            "This password is too common and easy to guess; choose another.",
        ),
        ("{name}-Xy9!", CONTEXT),
        ("My-{mobile}-pass", CONTEXT),
    ],
    ids=["too-short", "common", "enterprise-name", "mobile"],
)
def test_weak_password_is_refused_and_the_link_stays_usable(
    app, client, member, new_password, message
):
    token = requested_token(app, client, member["email"])
    before = account(app, member["user_id"])
    typed = new_password.format(name=member["name"], mobile=member["mobile"])

    response = reset(client, token, typed)

    assert response.status_code == 200
    assert shown(app, message) in text_of(response)
    assert 'class="field-error"' in response.text
    assert account(app, member["user_id"]) == before
    assert reset(client, token).status_code == 302


def test_mismatched_confirmation_is_refused(app, client, member):
    token = requested_token(app, client, member["email"])
    before = account(app, member["user_id"])
    response = reset(client, token, NEW_PASSWORD, NEW_PASSWORD + "x")
    assert response.status_code == 200
    assert shown(app, "The two passwords differ.") in text_of(response)
    assert account(app, member["user_id"]) == before


# CSRF and throttling (H1).


def test_requests_without_csrf_token_are_refused(app, client, member):
    client.get(REQUEST)
    refused = client.post(REQUEST, data={"identifier": member["email"]})
    assert refused.status_code == 400
    assert count_rows(app, MailMessage) == 0

    token = requested_token(app, client, member["email"])
    before = account(app, member["user_id"])
    refused = client.post(
        reset_url(token),
        data={"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD},
    )
    assert refused.status_code == 400
    assert account(app, member["user_id"]) == before
    assert reset(client, token).status_code == 302


def assert_throttled(app, response):
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    notice = shown(app, "Too many password reset requests. Please try again later.")
    assert notice in text_of(response)


def test_sixth_request_for_one_account_within_an_hour_is_throttled(app, member):
    for spelling in (member["email"], member["mobile"]) * 2 + (member["email"],):
        assert ask(app.test_client(), spelling).status_code == 302
    assert len(mails(app)) == 5
    assert_throttled(app, ask(app.test_client(), f"+86 {member['mobile']}"))
    assert len(mails(app)) == 5


def test_per_address_limit_stops_asking_for_any_account(app, member):
    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "10.1.2.3"
    for number in range(20):
        assert ask(elsewhere, f"nobody{number}@example.com").status_code == 302
    assert_throttled(app, ask(elsewhere, member["email"]))
    # Only this address: the account can still be helped from another one.
    assert ask(app.test_client(), member["email"]).status_code == 302
    assert len(mails(app)) == 1
