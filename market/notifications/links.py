"""Where a notification leads, and absolute links for e-mail built from the config.

Each kind has a target page. Features that own a kind's page register a builder
with register_link(app, kind, builder) in their app-registration function; the
builder gets the Notification and returns (endpoint, values) or None. Without one
(or when its URL cannot be built) the defaults below apply: the match or inquiry
page when the app has one, else the post the notification is about, else the inbox.

Links in e-mails never come from the request's Host header (SECURITY.md K3): they
start with MARKET_BASE_URL, which also works in commands, where no request exists.
"""

from collections.abc import Callable
from urllib.parse import urlsplit

from flask import Flask, current_app, url_for
from werkzeug.routing import BuildError

from market.notifications.models import Notification, NotificationKind

Target = tuple[str, dict]
LinkBuilder = Callable[[Notification], Target | None]

DEVELOPMENT_BASE_URL = "http://localhost:5000"
EXTENSION_KEY = "notification_links"

# Tried in order when no builder is registered: (endpoint, notification attribute,
# URL parameter). A page another feature adds is used once its endpoint exists.
_DEFAULT_PAGES: tuple[tuple[str, str, str], ...] = (
    ("inquiries.detail", "inquiry_id", "inquiry_id"),
)


def register_link(app: Flask, kind: NotificationKind, builder: LinkBuilder) -> None:
    """Make notifications of `kind` lead where `builder` says (one per kind)."""
    app.extensions.setdefault(EXTENSION_KEY, {})[NotificationKind(kind)] = builder


def targets(notification: Notification) -> list[Target]:
    """The notification's possible targets, best first; the inbox comes last."""
    found: list[Target] = []
    builder = current_app.extensions.get(EXTENSION_KEY, {}).get(notification.kind)
    if builder is not None:
        target = builder(notification)
        if target is not None:
            found.append(target)
    for endpoint, attribute, parameter in _DEFAULT_PAGES:
        value = getattr(notification, attribute)
        if value is not None and endpoint in current_app.view_functions:
            found.append((endpoint, {parameter: value}))
    # A match is about the other side's post; everything else about listing_id.
    listing_id = notification.listing_id
    if notification.kind is NotificationKind.MATCH:
        listing_id = notification.counterpart_listing_id or listing_id
    if listing_id is not None:
        found.append(("listings.detail", {"listing_id": listing_id}))
    found.append(("notifications.index", {}))
    return found


def target_path(notification: Notification) -> str:
    """The site-relative URL of the notification's target (in a request)."""
    for endpoint, values in targets(notification):
        try:
            return url_for(endpoint, **values)
        except BuildError:
            continue
    return url_for("notifications.index")


def target_url(notification: Notification) -> str:
    """The absolute URL of the notification's target, for e-mail."""
    for endpoint, values in targets(notification):
        try:
            return external_url(endpoint, **values)
        except BuildError:
            continue
    return external_url("notifications.index")


def base_url(app: Flask | None = None) -> str:
    """MARKET_BASE_URL; else the scheme and SERVER_NAME; else the development server."""
    config = (app or current_app).config
    configured = (config.get("MARKET_BASE_URL") or "").strip()
    if configured:
        return configured.rstrip("/")
    if config.get("SERVER_NAME"):
        scheme = config.get("PREFERRED_URL_SCHEME") or "http"
        root = (config.get("APPLICATION_ROOT") or "/").rstrip("/")
        return f"{scheme}://{config['SERVER_NAME']}{root}"
    return DEVELOPMENT_BASE_URL


def external_url(endpoint: str, **values) -> str:
    """url_for(endpoint, _external=True), but under the configured base URL."""
    parts = urlsplit(base_url())
    adapter = current_app.url_map.bind(
        parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme or "http"
    )
    return adapter.build(endpoint, values, force_external=True)


def mail_domain() -> str:
    """The host name of the base URL (for Message-ID headers)."""
    return urlsplit(base_url()).hostname or "localhost"
