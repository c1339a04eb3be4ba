"""Who the user is, what they may reach, and the headers every response carries."""

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlsplit

from flask import (
    Flask,
    abort,
    current_app,
    flash,
    redirect,
    request,
    session,
    url_for,
)
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user

from market.extensions import db, login_manager

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


def register_security(app: Flask) -> None:
    """Wire the user loader, the per-request session checks and response headers."""
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    app.before_request(_end_sessions_of_suspended_enterprises)
    app.after_request(_add_security_headers)
    if app.config["MARKET_PROXY_COUNT"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        count = app.config["MARKET_PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)


@login_manager.user_loader
def load_user(session_token: str):
    from market.accounts.models import User

    return db.session.execute(
        db.select(User).filter_by(session_token=session_token)
    ).scalar_one_or_none()


def _end_sessions_of_suspended_enterprises():
    if not current_user.is_authenticated:
        return None
    enterprise = current_user.enterprise
    if enterprise is not None and enterprise.status.value == "suspended":
        logout_user()
        session.clear()
        flash(
            _l("Your enterprise has been suspended, so you have been signed out."),
            "error",
        )
        return redirect(url_for("accounts.login"))
    return None


def _add_security_headers(response):
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    if response.mimetype == "text/html":
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    if "_user_id" in session:
        # Pages of a logged-in user must not outlive the session in any cache.
        headers["Cache-Control"] = "private, no-store"
    if current_app.config["MARKET_ENV"] == "production":
        headers.setdefault(
            "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
        )
    return response


def role_required(role: str) -> Callable:
    """Let only logged-in users with this role through; others get 403 (or login)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role.value != role:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def require_enterprise() -> None:
    """404 for a signed-in user without an enterprise: inboxes, saved searches and
    inquiries belong to enterprises, so such a user has none to show."""
    if current_user.enterprise_id is None:
        abort(404)


def is_safe_redirect(target: str | None) -> bool:
    """Only paths on this site: no scheme, no host, no tricks with slashes."""
    if not target:
        return False
    if any(ord(ch) < 32 or ch in "\\" for ch in target):
        return False
    if not target.startswith("/") or target.startswith("//"):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def safe_next(default_endpoint: str = "main.index") -> str:
    """The `next` target if it stays on this site, else the default page."""
    target = request.args.get("next") or request.form.get("next")
    return target if is_safe_redirect(target) else url_for(default_endpoint)
