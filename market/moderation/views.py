"""Moderators' pages: the application queue, an application, decisions, the audit log."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from market.enterprises.models import DecisionAction, Enterprise, EnterpriseStatus
from market.exceptions import InvalidTransition, NotAllowed, ValidationFailed
from market.extensions import db
from market.moderation import services
from market.moderation.forms import DecisionForm, ReasonForm
from market.security import role_required

blueprint = Blueprint("moderation", __name__, url_prefix="/moderation")

ACTIONS = {
    "approve": DecisionAction.APPROVED,
    "reject": DecisionAction.REJECTED,
    "suspend": DecisionAction.SUSPENDED,
    "reinstate": DecisionAction.REINSTATED,
}


@blueprint.before_request
@role_required("moderator")
def _moderators_only():
    return None


@blueprint.route("/")
def index():
    return redirect(url_for("moderation.queue"))


@blueprint.route("/enterprises")
def queue():
    try:
        status = EnterpriseStatus(request.args.get("status", "pending"))
    except ValueError:
        abort(404)
    return render_template(
        "moderation/queue.html",
        entries=services.list_queue(status),
        status=status,
        counts=services.count_by_status(),
    )


@blueprint.route("/enterprises/<int:enterprise_id>")
def detail(enterprise_id: int):
    enterprise = db.get_or_404(Enterprise, enterprise_id)
    return render_template(
        "moderation/detail.html",
        entry=services.queue_entry(enterprise),
        enterprise=enterprise,
        actions=services.allowed_actions(current_user, enterprise),
        decision_form=DecisionForm(),
        reason_form=ReasonForm(),
    )


@blueprint.route(
    "/enterprises/<int:enterprise_id>/<any(approve, reject, suspend, reinstate):verb>",
    methods=["POST"],
)
def decide(enterprise_id: int, verb: str):
    enterprise = db.get_or_404(Enterprise, enterprise_id)
    action = ACTIONS[verb]
    needs_reason = services.TRANSITIONS[action][2]
    form = ReasonForm() if needs_reason else DecisionForm()
    if not form.validate_on_submit():
        flash(_("The form has expired or is incomplete; please try again."), "error")
        return redirect(url_for("moderation.detail", enterprise_id=enterprise.id))
    reason = form.combined_reason() if needs_reason else None
    try:
        services.decide(current_user, enterprise, action, reason)
    except NotAllowed:
        abort(403)
    except InvalidTransition:
        abort(409)
    except ValidationFailed:
        db.session.rollback()
        flash(_("Give a reason for this decision."), "error")
        return redirect(url_for("moderation.detail", enterprise_id=enterprise.id))
    db.session.commit()
    flash(DECISION_MESSAGES[action](enterprise.name), "success")
    return redirect(url_for("moderation.queue"))


DECISION_MESSAGES = {
    DecisionAction.APPROVED: lambda name: _("%(name)s has been approved.", name=name),
    DecisionAction.REJECTED: lambda name: _("%(name)s has been rejected.", name=name),
    DecisionAction.SUSPENDED: lambda name: _("%(name)s has been suspended.", name=name),
    DecisionAction.REINSTATED: lambda name: _("%(name)s has been reinstated.", name=name),
}


@blueprint.route("/audit")
def audit():
    page = request.args.get("page", 1, type=int)
    return render_template(
        "moderation/audit.html", decisions=services.list_decisions(max(page, 1))
    )
