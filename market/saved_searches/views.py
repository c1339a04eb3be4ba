"""Saved searches: keep the current search, list mine, rename, mute, delete."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from market.exceptions import ValidationFailed
from market.extensions import db
from market.saved_searches import services
from market.forms import ActionForm
from market.saved_searches.forms import RenameForm, SaveSearchForm
from market.saved_searches.models import SavedSearch
from market.saved_searches.presentation import describe_params
from market.security import require_enterprise

blueprint = Blueprint("saved_searches", __name__, url_prefix="/saved-searches")


def _own_saved_search(saved_search_id: int) -> SavedSearch:
    """The current user's saved search, or 404 (anyone else's is not shown)."""
    require_enterprise()
    saved = db.session.get(SavedSearch, saved_search_id)
    if saved is None or saved.user_id != current_user.id:
        abort(404)
    return saved


def _flash_reasons(failure: ValidationFailed) -> None:
    for messages in failure.reasons.values():
        for message in messages:
            flash(str(message), "error")


@blueprint.route("/")
@login_required
def index():
    require_enterprise()
    searches = services.list_saved_searches(current_user)
    return render_template(
        "saved_searches/index.html",
        searches=searches,
        summaries={saved.id: describe_params(saved.params) for saved in searches},
        rename_form=RenameForm(),
        action_form=ActionForm(),
    )


@blueprint.route("/", methods=["POST"])
@login_required
def create():
    require_enterprise()
    form = SaveSearchForm()
    back = url_for(
        "search.page", **services.params_from_query_string(form.query.data or "")
    )
    if not form.validate_on_submit():
        for messages in form.errors.values():
            for message in messages:
                flash(str(message), "error")
        return redirect(back)
    try:
        services.create_saved_search(current_user, form.query.data, form.name.data)
        db.session.commit()
    except ValidationFailed as failure:
        db.session.rollback()
        _flash_reasons(failure)
        return redirect(back)
    flash(_("Search saved: new posts that match it will be in your inbox."), "success")
    return redirect(back)


@blueprint.route("/<int:saved_search_id>/rename", methods=["POST"])
@login_required
def rename(saved_search_id: int):
    saved = _own_saved_search(saved_search_id)
    form = RenameForm()
    if not form.validate_on_submit():
        for messages in form.errors.values():
            for message in messages:
                flash(str(message), "error")
        return redirect(url_for("saved_searches.index"))
    try:
        services.rename_saved_search(current_user, saved, form.name.data)
        db.session.commit()
    except ValidationFailed as failure:
        db.session.rollback()
        _flash_reasons(failure)
    else:
        flash(_("The search has been renamed."), "success")
    return redirect(url_for("saved_searches.index"))


@blueprint.route(
    "/<int:saved_search_id>/<any(mute, unmute, delete):verb>", methods=["POST"]
)
@login_required
def change(saved_search_id: int, verb: str):
    saved = _own_saved_search(saved_search_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    if verb == "delete":
        services.delete_saved_search(current_user, saved)
        message = _("The saved search has been deleted.")
    elif verb == "mute":
        services.set_saved_search_muted(current_user, saved, True)
        message = _("Alerts for this search are muted.")
    else:
        services.set_saved_search_muted(current_user, saved, False)
        message = _("Alerts for this search are on again.")
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("saved_searches.index"))
