"""Inquiry threads: send one from a post, read and answer it, quote, accept, close,
report; the list of one's own threads."""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from market.exceptions import InvalidTransition, NotAllowed, ValidationFailed
from market.extensions import db, limiter
from market.forms import ActionForm, apply_reasons
from market.inquiries import queries, services
from market.inquiries.forms import (
    InquiryForm,
    MessageForm,
    QuoteForm,
    ReportForm,
    ResolveForm,
)
from market.inquiries.models import Inquiry
from market.listings.models import Listing
from market.listings.presentation import plain
from market.listings.queries import is_public
from market.security import require_enterprise

blueprint = Blueprint("inquiries", __name__, url_prefix="/inquiries")

STATUS_LABELS = {
    "open": _l("Open"),
    "quoted": _l("Quoted"),
    "agreed": _l("Agreed"),
    "closed": _l("Closed"),
}
MESSAGE_KIND_LABELS = {
    "message": _l("Message"),
    "quote": _l("Quote"),
    "agree": _l("Accepted the quote: deal recorded"),
    "deal": _l("Deal recorded"),
    "close": _l("Closed the inquiry"),
}


@blueprint.app_context_processor
def inquiry_labels():
    return {
        "inquiry_status_labels": STATUS_LABELS,
        "inquiry_message_labels": MESSAGE_KIND_LABELS,
    }


# --- the send limit: new inquiries and messages together, per user ------------------


def _send_limit() -> str:
    return current_app.config["MARKET_INQUIRY_LIMIT_PER_USER"]


def _sender_key() -> str:
    return f"inquiry-send:user:{current_user.id}"


def _message_stored(response) -> bool:
    # Only what was really sent counts; a form sent back with its errors does not.
    return g.get("inquiry_sent", False)


send_limit = limiter.shared_limit(
    _send_limit,
    scope="inquiry-send",
    key_func=_sender_key,
    methods=["POST"],
    exempt_when=lambda: not current_user.is_authenticated,
    deduct_when=_message_stored,
    error_message=lambda: _(
        "You have sent many inquiries and messages in a short time. "
        "Please wait a few minutes and try again."
    ),
)


# --- loading ------------------------------------------------------------------------


def _public_listing(listing_id: int) -> Listing:
    """A post one may inquire about: public, or 404."""
    listing = db.session.get(Listing, listing_id)
    if listing is None or not is_public(listing):
        abort(404)
    return listing


def _readable(inquiry_id: int) -> Inquiry:
    """The thread, for the two enterprises (and moderators once reported), else 404."""
    inquiry = db.session.get(Inquiry, inquiry_id)
    if inquiry is None or not services.can_read(current_user, inquiry):
        abort(404)
    return inquiry


def _own(inquiry_id: int) -> Inquiry:
    """The thread, for the two enterprises only: anyone else (moderators too) 404."""
    inquiry = db.session.get(Inquiry, inquiry_id)
    if inquiry is None or services.side_of(current_user, inquiry) is None:
        abort(404)
    return inquiry


def post_page_context(user, listing: Listing) -> dict:
    """What the post page shows about inquiries: the form, the user's thread, a count."""
    own_inquiry = None
    if getattr(user, "is_authenticated", False) and user.enterprise_id is not None:
        own_inquiry = queries.find_open_inquiry(listing.id, user.enterprise_id)
    refusal = services.send_refusal(user, listing)
    return {
        "inquiry_post_public": is_public(listing),
        "own_inquiry": own_inquiry,
        "inquiry_form": (
            InquiryForm(prefix="inquiry")
            if refusal is None and own_inquiry is None
            else None
        ),
        "inquiry_refusal": refusal,
        "inquiry_count": (
            queries.count_on_listing(listing.id) if listing.is_owned_by(user) else None
        ),
    }


# --- routes -------------------------------------------------------------------------


@blueprint.route("/")
@login_required
def mine():
    require_enterprise()
    enterprise_id = current_user.enterprise_id
    inquiries = queries.list_for_enterprise(enterprise_id)
    return render_template(
        "inquiries/mine.html",
        received=[i for i in inquiries if i.owner_enterprise_id == enterprise_id],
        sent=[i for i in inquiries if i.sender_enterprise_id == enterprise_id],
    )


@blueprint.route("/new/<int:listing_id>", methods=["GET", "POST"])
@login_required
@send_limit
def new(listing_id: int):
    listing = _public_listing(listing_id)
    refusal = services.send_refusal(current_user, listing)
    if refusal is not None:
        flash(str(refusal), "error")
        return redirect(url_for("listings.detail", listing_id=listing.id))
    existing = queries.find_open_inquiry(listing.id, current_user.enterprise_id)
    form = InquiryForm(prefix="inquiry")
    if existing is not None and not form.is_submitted():
        return redirect(url_for("inquiries.detail", inquiry_id=existing.id))
    if form.validate_on_submit():
        try:
            inquiry = services.send_inquiry(
                current_user,
                listing,
                form.body.data,
                form.quantity.number,
                form.price.number,
            )
            db.session.commit()
        except ValidationFailed as failure:
            db.session.rollback()
            apply_reasons(form, failure)
        except NotAllowed as refused:
            db.session.rollback()
            flash(str(refused.args[0]), "error")
            return redirect(url_for("listings.detail", listing_id=listing.id))
        else:
            g.inquiry_sent = True
            flash(_("Your inquiry has been sent."), "success")
            return redirect(url_for("inquiries.detail", inquiry_id=inquiry.id))
    return render_template("inquiries/new.html", listing=listing, form=form)


@blueprint.route("/<int:inquiry_id>")
@login_required
def detail(inquiry_id: int):
    return _render_thread(_readable(inquiry_id))


@blueprint.route("/<int:inquiry_id>/messages", methods=["POST"])
@login_required
@send_limit
def message(inquiry_id: int):
    inquiry = _own(inquiry_id)
    form = MessageForm(prefix="message")
    if not form.validate_on_submit():
        return _render_thread(inquiry, message_form=form)
    try:
        services.post_message(current_user, inquiry, form.body.data)
        db.session.commit()
    except ValidationFailed as failure:
        db.session.rollback()
        apply_reasons(form, failure)
        return _render_thread(inquiry, message_form=form)
    except InvalidTransition:
        abort(409)
    g.inquiry_sent = True
    flash(_("Your message has been sent."), "success")
    return _back_to(inquiry)


@blueprint.route("/<int:inquiry_id>/quote", methods=["POST"])
@login_required
def quote(inquiry_id: int):
    inquiry = _own(inquiry_id)
    form = QuoteForm(prefix="quote")
    if not form.validate_on_submit():
        if services.side_of(current_user, inquiry) != "seller":
            abort(403)
        return _render_thread(inquiry, quote_form=form)
    try:
        services.quote_inquiry(
            current_user,
            inquiry,
            form.price.number,
            form.quantity.number,
            form.body.data,
        )
        db.session.commit()
    except ValidationFailed as failure:
        db.session.rollback()
        apply_reasons(form, failure)
        return _render_thread(inquiry, quote_form=form)
    except NotAllowed:
        abort(403)
    except InvalidTransition:
        abort(409)
    flash(_("Your quote has been sent."), "success")
    return _back_to(inquiry)


@blueprint.route("/<int:inquiry_id>/<any(accept, close):verb>", methods=["POST"])
@login_required
def change_state(inquiry_id: int, verb: str):
    inquiry = _own(inquiry_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        if verb == "accept":
            services.accept_quote(current_user, inquiry)
            message = _("Quote accepted: the deal has been recorded.")
        else:
            services.close_inquiry(current_user, inquiry)
            message = _("The inquiry has been closed.")
        db.session.commit()
    except ValidationFailed as failure:
        db.session.rollback()
        for messages in failure.reasons.values():
            for text in messages:
                flash(str(text), "error")
        return _back_to(inquiry)
    except NotAllowed:
        abort(403)
    except InvalidTransition:
        abort(409)
    flash(message, "success")
    return _back_to(inquiry)


@blueprint.route("/<int:inquiry_id>/report", methods=["POST"])
@login_required
def report(inquiry_id: int):
    inquiry = _own(inquiry_id)
    form = ReportForm(prefix="report")
    if form.validate_on_submit():
        try:
            services.report_inquiry(current_user, inquiry, form.reason.data)
            db.session.commit()
        except ValidationFailed as failure:
            db.session.rollback()
            apply_reasons(form, failure)
        else:
            flash(_("Thank you: a moderator will read this thread."), "success")
            return _back_to(inquiry)
    return _render_thread(inquiry, report_form=form)


# --- rendering ----------------------------------------------------------------------


def _back_to(inquiry: Inquiry):
    return redirect(
        url_for("inquiries.detail", inquiry_id=inquiry.id, _anchor="latest")
    )


def _render_thread(
    inquiry: Inquiry, message_form=None, quote_form=None, report_form=None
):
    """The thread page; a form sent back with its errors replaces its fresh twin."""
    user = current_user
    side = services.side_of(user, inquiry)
    if quote_form is None:
        # Pre-filled with the current quote, or with what the sender asked for.
        quote_form = QuoteForm(
            prefix="quote",
            formdata=None,
            data={
                "price": plain(inquiry.quoted_price_cny or inquiry.price_cny) or None,
                "quantity": plain(inquiry.quoted_quantity or inquiry.quantity) or None,
            },
        )
    moderating = side is None and user.is_moderator
    reports = queries.list_reports(inquiry.id)
    if not moderating:
        # A participant sees its own reports, never what the other side reported.
        reports = [r for r in reports if r.reporter_enterprise_id == user.enterprise_id]
    return render_template(
        "inquiries/detail.html",
        inquiry=inquiry,
        listing=inquiry.listing,
        side=side,
        moderating=moderating,
        can_write=services.can_write(user, inquiry),
        can_quote=services.can_quote(user, inquiry),
        can_accept=services.can_accept(user, inquiry),
        can_close=services.can_close(user, inquiry),
        can_report=services.can_report(user, inquiry),
        post_open=is_public(inquiry.listing),
        reports=reports,
        message_form=message_form or MessageForm(prefix="message", formdata=None),
        quote_form=quote_form,
        report_form=report_form or ReportForm(prefix="report", formdata=None),
        resolve_form=ResolveForm(prefix="resolve", formdata=None),
        action_form=ActionForm(formdata=None),
    )
