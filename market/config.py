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
    # Password-reset e-mails asked for (every request counts, known account or not).
    MARKET_RESET_LIMIT_PER_ACCOUNT = "5 per hour"
    MARKET_RESET_LIMIT_PER_ADDRESS = "20 per hour"
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
    # Writer processes for `reindex`; None: 2 from 5,000 posts on 2+ cores, else 1.
    MARKET_SEARCH_REBUILD_PROCS = None
    # The address links in e-mails start with, e.g. "https://market.example.cn"
    # (never the request's Host header, SECURITY.md K3). None: SERVER_NAME if set,
    # else http://localhost:5000 (the development server).
    MARKET_BASE_URL: str | None = None
    # Mail goes through a durable queue (mail_messages). SMTP when MARKET_SMTP_HOST
    # is set; otherwise each message is written as an .eml file into
    # MARKET_MAIL_OUTBOX_DIR (None means instance/outbox).
    MARKET_SMTP_HOST: str | None = None
    MARKET_SMTP_PORT = 587
    MARKET_SMTP_USER: str | None = None
    MARKET_SMTP_PASSWORD: str | None = None
    # "starttls" (port 587), "ssl" (implicit TLS, port 465) or "none".
    MARKET_SMTP_TLS = "starttls"
    MARKET_SMTP_TIMEOUT_SECONDS = 10
    MARKET_MAIL_FROM = "电力二手设备供需平台 <noreply@localhost>"
    MARKET_MAIL_OUTBOX_DIR: str | None = None
    # A message that failed this many times is marked failed; the pause before the
    # next attempt doubles from MARKET_MAIL_RETRY_SECONDS (at most 6 hours).
    MARKET_MAIL_MAX_ATTEMPTS = 6
    MARKET_MAIL_RETRY_SECONDS = 60
    # "thread": a daemon thread of the process sends the queue after each commit
    # that queued mail, and every 30 s for retries (one host); "external": a
    # separate `flask --app market send-mail --loop` does; "off": nothing does
    # (tests call send_queued_mail themselves).
    MARKET_MAIL_WORKER = "thread"
    # Saved searches a user may keep.
    MARKET_SAVED_SEARCH_LIMIT = 20
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
