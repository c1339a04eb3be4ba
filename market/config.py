"""Configuration defaults; instance/config.py and MARKET_* environment variables override them."""

from datetime import timedelta


class DefaultConfig:
    """Settings for the embedded default: one host, SQLite and files under instance/."""

    # "development" for the embedded default; "production" turns on secure cookies,
    # HSTS and the refusal to start without a strong configured secret key.
    MARKET_ENV = "development"

    # None means SQLite at instance/market.sqlite (filled in by create_app).
    MARKET_DATABASE_URL: str | None = None
    # None means a key generated once into instance/secret_key.
    MARKET_SECRET_KEY: str | None = None
    # Flask-Limiter storage; memory:// only suits a single process.
    MARKET_RATELIMIT_STORAGE_URI = "memory://"
    MARKET_LOGIN_LIMIT_PER_ACCOUNT = "5 per 15 minutes"
    MARKET_LOGIN_LIMIT_PER_ADDRESS = "30 per 15 minutes"
    MARKET_REGISTER_LIMIT_PER_ADDRESS = "10 per hour"
    # None means instance/uploads.
    MARKET_UPLOAD_DIR: str | None = None
    MARKET_LICENCE_MAX_BYTES = 10 * 1024 * 1024
    # All files of one enterprise together (photos, thumbnails, documents, licence).
    MARKET_STORAGE_QUOTA_BYTES = 2 * 1024 * 1024 * 1024
    MARKET_UPLOAD_LIMIT_PER_USER = "120 per hour"
    # New inquiries and messages together, per user.
    MARKET_INQUIRY_LIMIT_PER_USER = "5 per minute;20 per hour"
    MARKET_MAX_REQUEST_BYTES = 25 * 1024 * 1024
    MARKET_SQLITE_BUSY_TIMEOUT_MS = 15000
    # None means instance/search-index.
    MARKET_SEARCH_INDEX_DIR: str | None = None
    # "thread": the process keeps its index current itself (one host, one process);
    # "external": a separate `flask --app market index-worker` does (several workers);
    # "off": nothing does (tests apply the outbox themselves).
    MARKET_SEARCH_WORKER = "thread"
    # How often the worker compares the index with the database; 0 never.
    MARKET_SEARCH_RECONCILE_SECONDS = 600
    MARKET_DEFAULT_LOCALE = "zh_CN"
    MARKET_SESSION_HOURS = 12
    # Comma-separated host names the app answers to; empty means any host.
    MARKET_TRUSTED_HOSTS = ""
    # Number of reverse proxies in front of the app whose X-Forwarded-* to trust.
    MARKET_PROXY_COUNT = 0

    # Flask and extension settings derived from the MARKET_* ones live here too.
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_STRATEGY = "fixed-window"
    BABEL_DEFAULT_LOCALE = "zh_CN"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"


class TestConfig:
    """Overrides applied by the test suite on top of the layered configuration."""

    TESTING = True
    MARKET_RATELIMIT_STORAGE_URI = "memory://"
