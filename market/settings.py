"""Layered configuration: defaults < instance/config.py < MARKET_* environment < tests."""

import os
import secrets
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask

from market.config import DefaultConfig

ENV_PREFIX = "MARKET_"
SECRET_KEY_FILE = "secret_key"
MIN_SECRET_KEY_LENGTH = 32


class ConfigurationError(RuntimeError):
    """The configuration is unsafe or inconsistent; the app refuses to start."""


def resolve_instance_path(explicit: str | None) -> str:
    """The instance folder: an explicit argument, MARKET_INSTANCE_PATH, or ./instance."""
    from market import PROJECT_ROOT

    chosen = explicit or os.environ.get("MARKET_INSTANCE_PATH")
    return str(Path(chosen).resolve() if chosen else PROJECT_ROOT / "instance")


def load(app: Flask, test_config: Mapping[str, Any] | None) -> None:
    """Fill app.config from every layer, then derive the Flask and extension keys."""
    app.config.from_object(DefaultConfig)
    app.config.from_pyfile("config.py", silent=True)
    app.config.update(read_environment(os.environ, app.config))
    if test_config:
        app.config.from_mapping(test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    _derive(app)


def read_environment(environ: Mapping[str, str], current: Mapping[str, Any]) -> dict:
    """MARKET_* variables, converted to the type of the setting they override."""
    values: dict[str, Any] = {}
    for key, raw in environ.items():
        if not key.startswith(ENV_PREFIX) or key == "MARKET_INSTANCE_PATH":
            continue
        default = current.get(key)
        if isinstance(default, bool):
            values[key] = raw.strip().lower() in {"1", "true", "yes", "on"}
        elif isinstance(default, int):
            values[key] = int(raw)
        else:
            values[key] = raw
    return values


def database_url(config: Mapping[str, Any], instance_path: str) -> str:
    """The SQLAlchemy URL: MARKET_DATABASE_URL, or SQLite inside the instance folder."""
    url = config.get("MARKET_DATABASE_URL")
    if not url:
        return f"sqlite:///{Path(instance_path) / 'market.sqlite'}"
    # Deployment tools hand out libpq-style URLs; we speak psycopg 3.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def secret_key(config: Mapping[str, Any], instance_path: str) -> str:
    """The configured secret key, or one generated once into the instance folder."""
    configured = config.get("MARKET_SECRET_KEY") or config.get("SECRET_KEY")
    if configured:
        if config.get("MARKET_ENV") == "production" and (
            len(configured) < MIN_SECRET_KEY_LENGTH or len(set(configured)) < 5
        ):
            raise ConfigurationError(
                "MARKET_SECRET_KEY must be at least 32 random characters in production"
            )
        return configured
    if config.get("MARKET_ENV") == "production":
        raise ConfigurationError("MARKET_SECRET_KEY must be set in production")
    path = Path(instance_path) / SECRET_KEY_FILE
    try:
        # O_EXCL: when several workers start at once, exactly one writes the key.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(secrets.token_hex(32))
    return path.read_text(encoding="ascii").strip()


def _derive(app: Flask) -> None:
    config = app.config
    production = config["MARKET_ENV"] == "production"
    config["SECRET_KEY"] = secret_key(config, app.instance_path)
    config["SQLALCHEMY_DATABASE_URI"] = database_url(config, app.instance_path)
    config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {})
    if config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        timeout = config["MARKET_SQLITE_BUSY_TIMEOUT_MS"] / 1000
        config["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"timeout": timeout}}
    else:
        config["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_pre_ping": True}
    upload_dir = config.get("MARKET_UPLOAD_DIR") or str(
        Path(app.instance_path) / "uploads"
    )
    config["MARKET_UPLOAD_DIR"] = upload_dir
    config["MARKET_MAIL_OUTBOX_DIR"] = config.get("MARKET_MAIL_OUTBOX_DIR") or str(
        Path(app.instance_path) / "outbox"
    )
    config["MAX_CONTENT_LENGTH"] = config["MARKET_MAX_REQUEST_BYTES"]
    config["RATELIMIT_STORAGE_URI"] = config["MARKET_RATELIMIT_STORAGE_URI"]
    config["BABEL_DEFAULT_LOCALE"] = config["MARKET_DEFAULT_LOCALE"]
    config["PERMANENT_SESSION_LIFETIME"] = timedelta(
        hours=config["MARKET_SESSION_HOURS"]
    )
    hosts = [h.strip() for h in config["MARKET_TRUSTED_HOSTS"].split(",") if h.strip()]
    config["TRUSTED_HOSTS"] = hosts or None
    if production:
        config["SESSION_COOKIE_SECURE"] = True
        config["SESSION_COOKIE_NAME"] = "__Host-session"
        config["PREFERRED_URL_SCHEME"] = "https"
