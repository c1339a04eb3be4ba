"""Fixtures: a real database (SQLite, or PostgreSQL via MARKET_TEST_DATABASE_URL),
a fresh app per test, factories for enterprises and users, and a login helper."""

import io
import os
import shutil
from pathlib import Path

import pytest
from babel.support import Translations
from PIL import Image
from sqlalchemy import create_engine, text

from market import PROJECT_ROOT, create_app
from market.accounts.models import Role, User
from market.accounts.passwords import hash_password
from market.domain.credit_code import make_credit_code, make_org_code
from market.enterprises.models import (
    DecisionAction,
    Enterprise,
    EnterpriseDecision,
    EnterpriseStatus,
    EnterpriseType,
)
from market.extensions import db
from market.files.sniffing import PNG, SniffedFile
from market.files.storage import store_file
from market.search.index import close_searchers

PASSWORD = "Correct-Horse-Battery-9"
SECRET = "test-secret-key-" + "k" * 40
POSTGRES_URL = os.environ.get("MARKET_TEST_DATABASE_URL", "")


def _reset_postgres(url: str) -> None:
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory):
    """The schema, built once per run by the real migrations."""
    from flask_migrate import upgrade

    base = tmp_path_factory.mktemp("database")
    if POSTGRES_URL:
        _reset_postgres(POSTGRES_URL)
        url = POSTGRES_URL
    else:
        url = f"sqlite:///{base / 'template.sqlite'}"
    app = create_app(
        {"MARKET_DATABASE_URL": url, "MARKET_SECRET_KEY": SECRET},
        instance_path=str(base / "instance"),
    )
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return url


@pytest.fixture
def database_url(migrated_database, tmp_path):
    """A clean database for one test: a copy of the SQLite template, or PostgreSQL."""
    if POSTGRES_URL:
        return POSTGRES_URL
    template = Path(migrated_database.removeprefix("sqlite:///"))
    copy = tmp_path / "market.sqlite"
    shutil.copyfile(template, copy)
    return f"sqlite:///{copy}"


def make_test_app(database_url: str, tmp_path: Path, **overrides):
    config = {
        "TESTING": True,
        "MARKET_DATABASE_URL": database_url,
        "MARKET_SECRET_KEY": SECRET,
        "MARKET_UPLOAD_DIR": str(tmp_path / "uploads"),
        "MARKET_RATELIMIT_STORAGE_URI": "memory://",
        "MARKET_SEARCH_INDEX_DIR": str(tmp_path / "search-index"),
        "MARKET_SEARCH_WORKER": "off",
        "MARKET_MAIL_WORKER": "off",
        "SERVER_NAME": None,
    }
    config.update(overrides)
    return create_app(config, instance_path=str(tmp_path / "instance"))


@pytest.fixture
def app(database_url, tmp_path):
    app = make_test_app(database_url, tmp_path)
    yield app
    # Searchers are cached per thread; close them so no index file stays open.
    close_searchers()
    with app.app_context():
        db.session.remove()
        if POSTGRES_URL:
            tables = ", ".join(t.name for t in db.metadata.sorted_tables)
            with db.engine.begin() as connection:
                connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def png_bytes(size=(64, 48), color="#336699") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return buffer.getvalue()


def pdf_bytes(body: bytes = b"") -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
        + body
        + b"\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    )


class Factory:
    """Builds enterprises and users straight in the database, committed."""

    def __init__(self, app):
        self.app = app
        self.count = 0

    def credit_code(self, region="370402") -> str:
        self.count += 1
        return make_credit_code("9", "1", region, make_org_code(f"{self.count:08d}"))

    def enterprise(self, status=EnterpriseStatus.APPROVED, **overrides) -> dict:
        """An enterprise with one member user; returns plain ids and logins."""
        with self.app.app_context():
            self.count += 1
            number = self.count
            fields = dict(
                name=f"枣庄测试电力设备有限公司{number}",
                credit_code=self.credit_code(),
                enterprise_type=EnterpriseType.RECYCLER,
                province_code="370000",
                city_code="370400",
                district_code="370402",
                address="光明大道1号",
                contact_name="张伟",
                contact_mobile=f"139{number:08d}",
                contact_email=f"user{number}@example.com",
                status=status,
            )
            fields.update(overrides)
            enterprise = Enterprise(**fields)
            user = User(
                name=fields["contact_name"],
                mobile=fields["contact_mobile"],
                email=fields["contact_email"],
                password_hash=hash_password(PASSWORD),
                enterprise=enterprise,
            )
            db.session.add_all([enterprise, user])
            db.session.flush()
            enterprise.licence = store_file(
                SniffedFile(PNG, png_bytes(), 64, 48), "营业执照.png", enterprise.id
            )
            db.session.add(
                EnterpriseDecision(
                    enterprise=enterprise,
                    action=DecisionAction.SUBMITTED,
                    to_status=EnterpriseStatus.PENDING,
                )
            )
            db.session.commit()
            return {
                "id": enterprise.id,
                "user_id": user.id,
                "email": user.email,
                "mobile": user.mobile,
                "password": PASSWORD,
                "name": enterprise.name,
                "licence_id": enterprise.licence_id,
            }

    def moderator(self, enterprise_id=None, **overrides) -> dict:
        with self.app.app_context():
            self.count += 1
            user = User(
                name=overrides.get("name", f"审核员{self.count}"),
                mobile=overrides.get("mobile", f"137{self.count:08d}"),
                email=overrides.get("email", f"moderator{self.count}@example.com"),
                password_hash=hash_password(PASSWORD),
                role=Role.MODERATOR,
                enterprise_id=enterprise_id,
            )
            db.session.add(user)
            db.session.commit()
            return {"user_id": user.id, "email": user.email, "password": PASSWORD}


@pytest.fixture
def factory(app):
    return Factory(app)


def login(client, identifier: str, password: str = PASSWORD, follow=False):
    """Log in through the real form (fetching its CSRF token first)."""
    page = client.get("/accounts/login")
    token = csrf_token(page.get_data(as_text=True))
    return client.post(
        "/accounts/login",
        data={"identifier": identifier, "password": password, "csrf_token": token},
        follow_redirects=follow,
    )


def csrf_token(html: str) -> str:
    marker = 'name="csrf_token" type="hidden" value="'
    start = html.find(marker)
    if start < 0:
        marker = 'name="csrf_token" value="'
        start = html.find(marker)
    assert start >= 0, "no CSRF token on the page"
    start += len(marker)
    return html[start : html.index('"', start)]


@pytest.fixture
def translate():
    """The zh_CN text a user sees for an English message id (asserting it exists)."""
    catalog = Translations.load(
        str(PROJECT_ROOT / "market" / "translations"), ["zh_Hans_CN"], "messages"
    )

    def zh(message: str, **params) -> str:
        translated = catalog.gettext(message)
        assert translated != message, f"no zh_CN translation for {message!r}"
        return translated % params if params else translated

    return zh
