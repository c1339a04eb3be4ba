"""Command-line tasks: create-moderator, seed-demo (once per module), demo-logins."""

import re
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select, text

from market.accounts.models import Role, User
from market.domain.credit_code import check_credit_code
from market.domain.regions import validate_region
from market.enterprises.models import Enterprise, EnterpriseDecision, EnterpriseStatus
from market.extensions import db
from market.files.models import StoredFile
from market.files.storage import path_for
from tests.conftest import POSTGRES_URL, login, make_test_app
from tests.enterprises.test_registration import shared_compiled_templates  # noqa: F401

MODERATOR_PASSWORD = "Quiet-Meadow-Signal-58"


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def create_moderator(runner, password: str, *extra: str, email="M.Wang@Example.com"):
    args = ["create-moderator", "--name", "王审核", "--password-stdin", *extra]
    if email:
        args += ["--email", email]
    return runner.invoke(args=args, input=password + "\n")


# --- create-moderator ------------------------------------------------------------


def test_create_moderator_who_can_log_in_and_moderate(app, runner):
    result = create_moderator(runner, MODERATOR_PASSWORD)
    assert result.exit_code == 0, result.output
    assert MODERATOR_PASSWORD not in result.output
    with app.app_context():
        user = db.session.execute(select(User)).scalar_one()
        assert (user.name, user.email, user.role, user.enterprise_id) == (
            "王审核",
            "m.wang@example.com",
            Role.MODERATOR,
            None,
        )
        user_id = user.id
    assert re.search(
        rf"moderator {user_id} created: m\.wang@example\.com", result.output
    )

    client = app.test_client()
    assert login(client, "m.wang@example.com", MODERATOR_PASSWORD).status_code == 302
    assert client.get("/moderation/enterprises").status_code == 200
    assert client.get("/moderation/audit").status_code == 200


def test_create_moderator_with_mobile_for_an_enterprise(app, runner, factory):
    enterprise = factory.enterprise()
    with app.app_context():
        code = db.session.get(Enterprise, enterprise["id"]).credit_code
    result = create_moderator(
        runner,
        MODERATOR_PASSWORD,
        "--mobile",
        "138 0000 1234",
        "--enterprise-code",
        code.lower(),
        email="",
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.execute(
            select(User).filter_by(role=Role.MODERATOR)
        ).scalar_one()
        assert (user.mobile, user.email, user.enterprise_id) == (
            "13800001234",
            None,
            enterprise["id"],
        )
    client = app.test_client()
    assert login(client, "13800001234", MODERATOR_PASSWORD).status_code == 302
    # A moderator of an enterprise still cannot decide on it.
    page = client.get(f"/moderation/enterprises/{enterprise['id']}")
    assert page.status_code == 200


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Short-1", "The password must have at least 10 characters."),
        (
            "password1234",
            "This password is too common and easy to guess; choose another.",
        ),
        (
            "m.wang-Secure-Key",
            "The password must not contain the enterprise's name, code, mobile "
            "or e-mail.",
        ),
    ],
    ids=["short", "common", "email"],
)
def test_weak_password_is_refused_and_nothing_created(
    app, runner, translate, password, message
):
    result = create_moderator(runner, password)
    assert result.exit_code == 1
    # Commands speak the platform's default language, Chinese.
    assert translate(message) in result.output
    assert count(app, User) == 0


def test_login_already_taken_is_refused(app, runner, factory, translate):
    member = factory.enterprise()
    result = create_moderator(runner, MODERATOR_PASSWORD, email=member["email"])
    assert result.exit_code == 1
    assert translate("This e-mail address is already registered.") in result.output
    assert count(app, User) == 1


def test_unknown_enterprise_code_is_refused(app, runner):
    result = create_moderator(
        runner, MODERATOR_PASSWORD, "--enterprise-code", "91370402MA3C00000X"
    )
    assert result.exit_code == 1
    assert "no enterprise with code" in result.output
    assert count(app, User) == 0


@pytest.mark.parametrize("password", ["Short-1", "password1234"])
def test_weak_password_creates_nothing(app, runner, password):
    """Whatever the message looks like, a refused password leaves no account."""
    result = create_moderator(runner, password)
    assert result.exit_code != 0
    assert count(app, User) == 0


def test_moderator_needs_a_login(app, runner):
    result = create_moderator(runner, MODERATOR_PASSWORD, email="")
    assert result.exit_code == 2
    assert "give --mobile or --email" in result.output
    assert count(app, User) == 0


def test_password_stdin_uses_no_deprecated_click_api(app, runner):
    # filterwarnings=error: a DeprecationWarning inside the command would fail it.
    result = create_moderator(runner, MODERATOR_PASSWORD)
    assert result.exit_code == 0, result.output
    assert count(app, User) == 1


# --- demo data -------------------------------------------------------------------


def test_demo_logins_before_seeding_say_not_seeded(runner):
    result = runner.invoke(args=["demo-logins"])
    assert result.exit_code == 0
    assert result.output.count("(not seeded)") == 2


def test_seed_demo_refuses_in_production(database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("MARKET_ENV", "production")
    app = make_test_app(database_url, tmp_path)
    try:
        assert app.config["MARKET_ENV"] == "production"
        result = app.test_cli_runner().invoke(args=["seed-demo"])
        assert result.exit_code == 1
        assert "demo data is not loaded in production" in result.output
        assert count(app, Enterprise) == 0 and count(app, User) == 0
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def _world(app) -> dict:
    """Everything seed-demo writes, counted."""
    root = Path(app.config["MARKET_UPLOAD_DIR"])
    return {
        "enterprises": count(app, Enterprise),
        "users": count(app, User),
        "decisions": count(app, EnterpriseDecision),
        "files": count(app, StoredFile),
        "files_on_disk": sum(1 for p in root.rglob("*") if p.is_file()),
    }


@pytest.fixture(scope="module")
def seeded(migrated_database, tmp_path_factory):
    """One app whose database got `seed-demo` twice (the tests below only read it).

    These tests come last in the module: on PostgreSQL the function-scoped `app`
    fixture empties the shared database after each test.
    """
    base = tmp_path_factory.mktemp("seeded")
    if POSTGRES_URL:
        url = POSTGRES_URL
    else:
        shutil.copyfile(
            migrated_database.removeprefix("sqlite:///"), base / "seed.sqlite"
        )
        url = f"sqlite:///{base / 'seed.sqlite'}"
    app = make_test_app(url, base)
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    after_first = _world(app)
    second = runner.invoke(args=["seed-demo"])
    yield SimpleNamespace(
        app=app,
        runner=runner,
        first=first,
        second=second,
        after_first=after_first,
        after_second=_world(app),
    )
    with app.app_context():
        db.session.remove()
        if POSTGRES_URL:
            tables = ", ".join(t.name for t in db.metadata.sorted_tables)
            with db.engine.begin() as connection:
                connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        db.engine.dispose()


def test_seed_demo_creates_120_enterprises(seeded):
    assert seeded.first.exit_code == 0, seeded.first.output
    assert "demo data: 120 enterprises added, 0 already there" in seeded.first.output
    world = seeded.after_first
    assert world["enterprises"] == 120
    assert world["users"] == 121  # one per enterprise, plus the demo moderator
    # Every stored row has its file (licences, and any photos of demo posts).
    assert world["files"] == world["files_on_disk"] >= 120
    with seeded.app.app_context():
        licences = db.session.scalar(
            select(func.count(func.distinct(Enterprise.licence_id)))
        )
        assert licences == 120


def test_seed_demo_is_idempotent(seeded):
    assert seeded.second.exit_code == 0, seeded.second.output
    assert "demo data: 0 enterprises added, 120 already there" in seeded.second.output
    assert seeded.after_second == seeded.after_first


def test_demo_enterprises_are_plausible(seeded):
    with seeded.app.app_context():
        enterprises = db.session.scalars(select(Enterprise)).all()
        codes = [e.credit_code for e in enterprises]
        assert [c for c in codes if check_credit_code(c) is not None] == []
        assert len(set(codes)) == 120
        assert not any(e.credit_code_unverified for e in enterprises)
        in_zaozhuang = sum(e.city_code == "370400" for e in enterprises)
        assert in_zaozhuang > 0.6 * len(enterprises)
        assert {e.status for e in enterprises} == set(EnterpriseStatus)
        for e in enterprises:
            assert (
                validate_region(e.province_code, e.city_code, e.district_code) is None
            )
            members = [u.mobile for u in e.users if u.role is Role.MEMBER]
            assert members == [e.contact_mobile]
            assert e.decisions[0].to_status is EnterpriseStatus.PENDING
            assert e.decisions[-1].to_status is e.status
            if e.status in (EnterpriseStatus.REJECTED, EnterpriseStatus.SUSPENDED):
                assert e.status_reason
            assert path_for(e.licence).is_file()
        assert len({e.name for e in enterprises}) == 120


def test_demo_logins_print_working_accounts(seeded):
    result = seeded.runner.invoke(args=["demo-logins"])
    assert result.exit_code == 0
    assert "(not seeded)" not in result.output
    accounts = re.findall(
        r"^\s+(\w+)\s+(\S+@\S+) / (1\d{10})\s+password: (\S+)\s*$", result.output, re.M
    )
    assert [label for label, *_ in accounts] == ["moderator", "enterprise"]
    logins = {
        label: (email, mobile, password) for label, email, mobile, password in accounts
    }

    email, mobile, password = logins["moderator"]
    moderator = seeded.app.test_client()
    assert login(moderator, email, password).status_code == 302
    queue = moderator.get("/moderation/enterprises")
    assert queue.status_code == 200
    pending = _status_count(seeded.app, "pending")
    assert pending > 0
    assert queue.get_data(as_text=True).count("data-enterprise-id=") == pending

    email, mobile, password = logins["enterprise"]
    member = seeded.app.test_client()
    assert login(member, mobile, password).status_code == 302
    mine = member.get("/enterprises/mine")
    assert mine.status_code == 200
    page = mine.get_data(as_text=True)
    assert "枣庄鑫源电力设备有限公司" in page
    assert 'data-enterprise-status="approved"' in page


def _status_count(app, status: str) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count())
            .select_from(Enterprise)
            .where(Enterprise.status == status)
        )
