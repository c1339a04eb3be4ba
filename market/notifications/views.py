"""The inbox: an enterprise's notifications, marking them read, muting a post."""

from flask import (
    Blueprint,
    Flask,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from market.exceptions import NotAllowed
from market.extensions import db
from market.listings.models import Listing
from market.notifications import queries, services
from market.forms import ActionForm
from market.notifications.links import target_path
from market.notifications.models import Notification
from market.security import is_safe_redirect, require_enterprise

blueprint = Blueprint("notifications", __name__, url_prefix="/notifications")


def _own_notification(notification_id: int) -> Notification:
    """An entry of the user's enterprise, or 404 (another's is not shown)."""
    require_enterprise()
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.enterprise_id != current_user.enterprise_id:
        abort(404)
    return notification


def _checked_form() -> None:
    if not ActionForm().validate_on_submit():
        abort(400)


@blueprint.route("/")
@login_required
def index():
    require_enterprise()
    page = max(request.args.get("page", 1, type=int), 1)
    pagination, entries = queries.inbox_page(current_user.enterprise_id, page)
    return render_template(
        "notifications/index.html",
        pagination=pagination,
        entries=entries,
        action_form=ActionForm(),
    )


@blueprint.route("/<int:notification_id>/read", methods=["POST"])
@login_required
def read(notification_id: int):
    notification = _own_notification(notification_id)
    _checked_form()
    services.mark_read(current_user, notification)
    db.session.commit()
    target = target_path(notification)
    if not is_safe_redirect(target):
        target = url_for("notifications.index")
    return redirect(target)


@blueprint.route("/read-all", methods=["POST"])
@login_required
def read_all():
    require_enterprise()
    _checked_form()
    count = services.mark_all_read(current_user)
    db.session.commit()
    if count:
        flash(_("All notifications are marked as read."), "success")
    return redirect(url_for("notifications.index"))


@blueprint.route(
    "/listings/<int:listing_id>/<any(mute, unmute):verb>", methods=["POST"]
)
@login_required
def mute_listing(listing_id: int, verb: str):
    listing = db.session.get(Listing, listing_id)
    if listing is None or not listing.is_owned_by(current_user):
        abort(404)
    _checked_form()
    try:
        services.set_alerts_muted(current_user, listing, verb == "mute")
    except NotAllowed:
        abort(404)
    db.session.commit()
    if verb == "mute":
        flash(_("Alerts for this post are muted: no more matches or saved-search hits "
                "about it."), "success")  # fmt: skip
    else:
        flash(_("Alerts for this post are on again."), "success")
    return redirect(url_for("listings.detail", listing_id=listing.id))


def register_inbox_badge(app: Flask) -> None:
    """Templates get unread_notifications(): the badge count, one COUNT per page,
    run only when the navigation asks for it (users of an enterprise)."""

    def unread_notifications() -> int:
        if "unread_notifications" not in g:
            enterprise_id = (
                current_user.enterprise_id if current_user.is_authenticated else None
            )
            g.unread_notifications = (
                services.count_unread(enterprise_id) if enterprise_id else 0
            )
        return g.unread_notifications

    @app.context_processor
    def _inbox_helpers() -> dict:
        return {"unread_notifications": unread_notifications}
