"""flask security-check: a broken production config fails with the right reasons."""

from market.accounts.models import User
from market.extensions import db
from tests.conftest import make_test_app

STRONG = "Vq8#kL2!pZ7@" * 4


def test_development_defaults_fail_the_production_check(app):
    result = app.test_cli_runner().invoke(args=["security-check"])
    assert result.exit_code == 1
    assert "MARKET_ENV is not 'production'" in result.output
    assert "memory://" in result.output
    assert "MARKET_TRUSTED_HOSTS is empty" in result.output


def test_a_complete_production_config_passes(database_url, tmp_path):
    if database_url.startswith("sqlite"):
        database_url = database_url  # SQLite is reported; check the rest below
    app = make_test_app(
        database_url,
        tmp_path,
        TESTING=False,
        MARKET_ENV="production",
        MARKET_SECRET_KEY=STRONG,
        MARKET_TRUSTED_HOSTS="market.example.cn",
        MARKET_BASE_URL="https://market.example.cn",
        MARKET_RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/0",
    )
    result = app.test_cli_runner().invoke(args=["security-check"])
    with app.app_context():
        db.engine.dispose()
    lines = [line for line in result.output.splitlines() if line.startswith("FAIL")]
    if database_url.startswith("sqlite"):
        assert lines == ["FAIL the database is SQLite: use PostgreSQL with several workers"]
        assert result.exit_code == 1
    else:
        assert lines == []
        assert result.exit_code == 0


def test_demo_accounts_fail_the_check(app):
    with app.app_context():
        db.session.add(
            User(name="x", email="moderator@demo.market", password_hash="x")
        )
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["security-check"])
    assert "demo account moderator@demo.market exists" in result.output
