"""Configuration layers, the secret key, and refusal of unsafe production settings."""

import os
import stat

import pytest

from market import create_app
from market.settings import ConfigurationError, database_url, read_environment

STRONG = "s3cr3t-" + "x1y2z3" * 8


def test_layers_apply_in_order_defaults_instance_environment_tests(tmp_path, monkeypatch):
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "config.py").write_text(
        "MARKET_LOGIN_LIMIT_PER_ACCOUNT = '7 per hour'\n"
        "MARKET_SESSION_HOURS = 3\n"
        "MARKET_DEFAULT_LOCALE = 'en'\n"
    )
    monkeypatch.setenv("MARKET_SESSION_HOURS", "5")
    monkeypatch.setenv("MARKET_SECRET_KEY", STRONG)
    app = create_app({"MARKET_DEFAULT_LOCALE": "zh_CN"}, instance_path=str(instance))
    assert app.config["MARKET_LOGIN_LIMIT_PER_ACCOUNT"] == "7 per hour"  # instance
    assert app.config["MARKET_SESSION_HOURS"] == 5  # environment beats instance
    assert app.config["PERMANENT_SESSION_LIFETIME"].total_seconds() == 5 * 3600
    assert app.config["MARKET_DEFAULT_LOCALE"] == "zh_CN"  # tests beat environment
    assert app.config["MARKET_MAX_REQUEST_BYTES"] == 25 * 1024 * 1024  # default


def test_environment_values_take_the_type_of_the_setting():
    current = {"MARKET_SESSION_HOURS": 12, "MARKET_X": "a", "MARKET_FLAG": False}
    values = read_environment(
        {"MARKET_SESSION_HOURS": "4", "MARKET_X": "b", "MARKET_FLAG": "yes", "PATH": "/"},
        current,
    )
    assert values == {"MARKET_SESSION_HOURS": 4, "MARKET_X": "b", "MARKET_FLAG": True}


def test_default_database_is_sqlite_in_the_instance_folder(tmp_path):
    url = database_url({"MARKET_DATABASE_URL": None}, str(tmp_path))
    assert url == f"sqlite:///{tmp_path / 'market.sqlite'}"


def test_postgres_urls_use_psycopg3():
    url = database_url({"MARKET_DATABASE_URL": "postgres://u@h/db"}, "/x")
    assert url == "postgresql+psycopg://u@h/db"


def test_secret_key_is_generated_once_with_private_permissions(tmp_path, monkeypatch):
    monkeypatch.delenv("MARKET_SECRET_KEY", raising=False)
    first = create_app(instance_path=str(tmp_path))
    second = create_app(instance_path=str(tmp_path))
    key_file = tmp_path / "secret_key"
    assert key_file.exists()
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert len(first.config["SECRET_KEY"]) >= 64


def test_configured_secret_key_wins_and_nothing_is_written(tmp_path, monkeypatch):
    monkeypatch.setenv("MARKET_SECRET_KEY", STRONG)
    app = create_app(instance_path=str(tmp_path))
    assert app.config["SECRET_KEY"] == STRONG
    assert not (tmp_path / "secret_key").exists()


@pytest.mark.parametrize("key", [None, "dev", "short-key", "a" * 40])
def test_production_refuses_a_missing_or_weak_secret_key(tmp_path, monkeypatch, key):
    monkeypatch.delenv("MARKET_SECRET_KEY", raising=False)
    config = {"MARKET_ENV": "production"}
    if key:
        config["MARKET_SECRET_KEY"] = key
    with pytest.raises(ConfigurationError):
        create_app(config, instance_path=str(tmp_path))


def test_production_turns_on_secure_cookies(tmp_path):
    app = create_app(
        {"MARKET_ENV": "production", "MARKET_SECRET_KEY": STRONG},
        instance_path=str(tmp_path),
    )
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_NAME"] == "__Host-session"
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_request_size_is_capped(app):
    assert app.config["MAX_CONTENT_LENGTH"] == 25 * 1024 * 1024
