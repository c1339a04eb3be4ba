"""Moderators' pages: the application queue, an application, decisions, the audit log."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from market.enterprises.models import DecisionAction, Enterprise, EnterpriseStatus
from market.exceptions import InvalidTransition, NotAllowed, ValidationFailed
from market.extensions import db
from market.inquiries import queries as inquiry_queries
from market.inquiries import services as inquiry_services
from market.inquiries.forms import ResolveForm
from market.inquiries.models import InquiryReport
from market.listings import services as listing_services
from market.listings.forms import category_choices
from market.listings.models import Listing
from market.moderation import listing_review, services
from market.moderation.forms import DecisionForm, ListingReasonForm, ReasonForm
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


@blueprint.route("/listings")
def listing_queue():
    filters = listing_review.ReviewFilters(
        kind=request.args.get("kind") or None,
        category=request.args.get("category") or None,
        city=request.args.get("city") or None,
        waiting_hours=request.args.get("waiting_hours", type=int),
        flag=request.args.get("flag") or None,
    )
    return render_template(
        "moderation/listing_queue.html",
        entries=listing_review.list_review_queue(filters),
        filters=filters,
        cities=listing_review.cities_in_queue(),
        category_groups=category_choices(),
        flag_names=listing_review.FLAGS,
        form=DecisionForm(),
    )


@blueprint.route("/listings/<int:listing_id>")
def listing_detail(listing_id: int):
    listing = db.get_or_404(Listing, listing_id)
    return render_template(
        "moderation/listing_detail.html",
        listing=listing,
        flags=listing_review.flags_for(listing),
        diff=listing_services.revision_diff(listing),
        decision_form=DecisionForm(),
        reason_form=ListingReasonForm(),
        own=current_user.enterprise_id == listing.enterprise_id,
    )


@blueprint.route(
    "/listings/<int:listing_id>/"
    "<any(approve, reject, 'approve-revision', 'reject-revision'):verb>",
    methods=["POST"],
)
def decide_listing(listing_id: int, verb: str):
    listing = db.get_or_404(Listing, listing_id)
    needs_reason = verb.startswith("reject")
    form = ListingReasonForm() if needs_reason else DecisionForm()
    if not form.validate_on_submit():
        flash(_("The form has expired or is incomplete; please try again."), "error")
        return redirect(url_for("moderation.listing_detail", listing_id=listing.id))
    try:
        if verb == "approve":
            listing_services.approve_listing(current_user, listing)
        elif verb == "reject":
            listing_services.reject_listing(current_user, listing, form.reason.data)
        elif verb == "approve-revision":
            listing_services.approve_revision(current_user, listing)
        else:
            listing_services.reject_revision(current_user, listing, form.reason.data)
    except NotAllowed:
        abort(403)
    except InvalidTransition:
        abort(409)
    except ValidationFailed:
        db.session.rollback()
        flash(_("Give a reason for this decision."), "error")
        return redirect(url_for("moderation.listing_detail", listing_id=listing.id))
    db.session.commit()
    flash(_("Decision saved: %(title)s", title=listing.title), "success")
    return redirect(url_for("moderation.listing_queue"))


@blueprint.route("/listings/approve-many", methods=["POST"])
def approve_many_listings():
    if not DecisionForm().validate_on_submit():
        abort(400)
    ids = [int(value) for value in request.form.getlist("listing_id") if value.isdigit()]
    if not ids:
        flash(_("Select at least one post."), "error")
        return redirect(url_for("moderation.listing_queue"))
    listings = db.session.scalars(select(Listing).where(Listing.id.in_(ids))).all()
    try:
        for listing in listings:
            listing_services.approve_listing(current_user, listing)
    except NotAllowed:
        db.session.rollback()
        abort(403)
    except InvalidTransition:
        # All or nothing: one post no longer pending leaves every post as it was.
        db.session.rollback()
        abort(409)
    db.session.commit()
    flash(_("%(count)s posts approved.", count=len(listings)), "success")
    return redirect(url_for("moderation.listing_queue"))


@blueprint.route("/inquiries")
def inquiry_reports():
    """Reported inquiry threads: open reports oldest first, or the resolved ones."""
    state = request.args.get("state", "open")
    if state not in ("open", "resolved"):
        abort(404)
    return render_template(
        "moderation/inquiry_reports.html",
        reports=inquiry_queries.list_report_queue(resolved=state == "resolved"),
        state=state,
    )


@blueprint.route("/inquiries/reports/<int:report_id>/resolve", methods=["POST"])
def resolve_inquiry_report(report_id: int):
    report = db.get_or_404(InquiryReport, report_id)
    form = ResolveForm(prefix="resolve")
    thread = url_for("inquiries.detail", inquiry_id=report.inquiry_id)
    if not form.validate_on_submit():
        flash(_("The form has expired or is incomplete; please try again."), "error")
        return redirect(thread)
    try:
        inquiry_services.resolve_report(current_user, report, form.resolution.data)
    except NotAllowed:
        abort(403)
    except InvalidTransition:
        abort(409)
    except ValidationFailed as failure:
        db.session.rollback()
        for messages in failure.reasons.values():
            for message in messages:
                flash(str(message), "error")
        return redirect(thread)
    db.session.commit()
    flash(_("The report has been resolved."), "success")
    return redirect(url_for("moderation.inquiry_reports"))
