"""Offers and wanted posts: browse, read, write, manage files, change state."""


from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from market.domain.categories import SPEC_FIELDS
from market.domain.model_numbers import suggest
from market.exceptions import InvalidTransition, NotAllowed, ValidationFailed
from market.extensions import db, limiter
from market.files.storage import send_stored_file
from market.forms import ActionForm, apply_reasons
from market.inquiries.views import post_page_context
from market.listings import attachments, queries, services
from market.listings.forms import (
    DocumentForm,
    ListingForm,
    PhotoForm,
    SoldForm,
    spec_form_values,
)
from market.listings.models import (
    Listing,
    ListingDocument,
    ListingKind,
    ListingPhoto,
    ListingStatus,
)
from market.listings.validation import _decimal

blueprint = Blueprint("listings", __name__, url_prefix="/listings")


def _own_listing(listing_id: int) -> Listing:
    """The current user's listing, or 404 (another enterprise's post is not shown)."""
    listing = db.session.get(Listing, listing_id)
    if listing is None or not listing.is_owned_by(current_user):
        abort(404)
    return listing


def _visible_listing(listing_id: int) -> Listing:
    listing = db.session.get(Listing, listing_id)
    if listing is None or not queries.can_view(current_user, listing):
        abort(404)
    return listing


@blueprint.route("/")
def browse():
    kind = request.args.get("kind")
    category = request.args.get("category") or None
    page = max(request.args.get("page", 1, type=int), 1)
    try:
        kind = ListingKind(kind) if kind else None
    except ValueError:
        abort(404)
    return render_template(
        "listings/browse.html",
        pagination=queries.list_public(kind=kind, category=category, page=page),
        kind=kind,
        category=category,
        tree=queries.category_tree_with_counts(),
    )


@blueprint.route("/<int:listing_id>")
def detail(listing_id: int):
    listing = _visible_listing(listing_id)
    return render_template(
        "listings/detail.html",
        listing=listing,
        show_private=attachments.can_see_documents(current_user, listing),
        is_owner=listing.is_owned_by(current_user),
        others=queries.other_public_listings(listing, limit=6),
        action_form=ActionForm(),
        **post_page_context(current_user, listing),
    )


@blueprint.route("/new", methods=["GET", "POST"])
@login_required
def create():
    if not current_user.can_publish:
        flash(_("Only approved enterprises can publish."), "error")
        return redirect(url_for("enterprises.mine"))
    is_offer = request.values.get("kind", "offer") != "wanted"
    form = ListingForm()
    if request.method == "GET":
        _prefill_contact(form)
    form.fill_choices(is_offer)
    spec_errors: dict = {}
    if form.validate_on_submit():
        try:
            listing = services.create_listing(
                current_user,
                form.to_input(request.form, is_offer),
                submit="submit" in request.form,
            )
            db.session.commit()
        except ValidationFailed as failure:
            db.session.rollback()
            spec_errors = _apply_listing_reasons(form, failure)
        else:
            flash(_("The post has been saved. Add photos and documents here."), "success")
            return redirect(url_for("listings.files", listing_id=listing.id))
    return _render_form(form, is_offer, None, spec_errors)


@blueprint.route("/<int:listing_id>/edit", methods=["GET", "POST"])
@login_required
def edit(listing_id: int):
    listing = _own_listing(listing_id)
    if listing.status in (ListingStatus.SOLD, ListingStatus.WITHDRAWN, ListingStatus.EXPIRED):
        flash(_("A closed post cannot be edited; duplicate it instead."), "info")
        return redirect(url_for("listings.mine"))
    revision = listing.pending_revision
    form = ListingForm(obj=queries.FormValues(listing, revision.data if revision else None))
    form.fill_choices(listing.is_offer)
    spec_errors: dict = {}
    if form.validate_on_submit():
        try:
            services.update_listing(
                current_user, listing, form.to_input(request.form, listing.is_offer)
            )
            db.session.commit()
        except ValidationFailed as failure:
            db.session.rollback()
            spec_errors = _apply_listing_reasons(form, failure)
        except (InvalidTransition, NotAllowed):
            abort(409)
        else:
            if listing.status is ListingStatus.PUBLISHED:
                flash(
                    _("Your changes wait for a moderator; the public sees the approved version until then."),
                    "info",
                )
            else:
                flash(_("The post has been saved."), "success")
            return redirect(url_for("listings.files", listing_id=listing.id))
    return _render_form(form, listing.is_offer, listing, spec_errors)


def _apply_listing_reasons(form, failure: ValidationFailed) -> dict:
    """Field errors onto the form; spec errors (keyed by spec) returned apart."""
    spec_errors = {
        key: [str(m) for m in messages]
        for key, messages in failure.reasons.items()
        if key in SPEC_FIELDS
    }
    rest = {k: v for k, v in failure.reasons.items() if k not in SPEC_FIELDS}
    apply_reasons(form, ValidationFailed(rest))
    if spec_errors and not rest:
        form.form_errors.append(_("Please correct the marked fields."))
    return spec_errors


def _render_form(form, is_offer, listing, spec_errors):
    spec_values = {}
    if request.method == "POST":
        spec_values = {
            key.removeprefix("spec-"): (
                request.form.getlist(key) if key == "spec-voltage_kv" and not is_offer
                else request.form.get(key)
            )
            for key in request.form
            if key.startswith("spec-")
        }
    elif listing is not None:
        source = listing.pending_revision.data if listing.pending_revision else None
        spec_values = spec_form_values(
            queries.FormValues(listing, source) if source else listing
        )
    return render_template(
        "listings/form.html",
        form=form,
        is_offer=is_offer,
        listing=listing,
        spec_values=spec_values,
        spec_errors=spec_errors,
        spec_fields=SPEC_FIELDS,
    )


def _prefill_contact(form) -> None:
    enterprise = current_user.enterprise
    form.contact_name.data = enterprise.contact_name
    form.contact_mobile.data = enterprise.contact_mobile
    form.province.data = enterprise.province_code
    form.city.data = enterprise.city_code
    form.district.data = enterprise.district_code or ""
    form.address.data = enterprise.address


def _upload_limit() -> str:
    return current_app.config["MARKET_UPLOAD_LIMIT_PER_USER"]


def _upload_key() -> str:
    return f"upload:user:{current_user.get_id()}"


@blueprint.route("/<int:listing_id>/files", methods=["GET", "POST"])
@login_required
@limiter.limit(_upload_limit, methods=["POST"], key_func=_upload_key)
def files(listing_id: int):
    listing = _own_listing(listing_id)
    photo_form = PhotoForm(prefix="photo")
    document_form = DocumentForm(prefix="document")
    document_form.report_kind.choices = queries.report_kind_choices()
    if request.method == "POST":
        try:
            if "photo-photo" in request.files and photo_form.validate_on_submit():
                upload = request.files["photo-photo"]
                attachments.add_photo(
                    current_user,
                    listing,
                    upload.filename or "",
                    upload.stream.read(attachments.PHOTO_MAX_BYTES + 1),
                    bool(photo_form.is_nameplate.data),
                )
            elif "document-document" in request.files and document_form.validate_on_submit():
                upload = request.files["document-document"]
                attachments.add_document(
                    current_user,
                    listing,
                    upload.filename or "",
                    upload.stream.read(attachments.DOCUMENT_MAX_BYTES + 1),
                    document_form.kind.data,
                    document_form.report_kind.data or None,
                    document_form.lab.data,
                    document_form.test_date.data,
                )
            else:
                raise ValidationFailed({None: [_("Choose a file to upload.")]})
            db.session.commit()
        except ValidationFailed as failure:
            db.session.rollback()
            form = document_form if "document-document" in request.files else photo_form
            for field, messages in failure.reasons.items():
                target = getattr(form, field, None) if field else None
                if target is None:
                    target = form.photo if form is photo_form else form.document
                target.errors = [*target.errors, *(str(m) for m in messages)]
        except InvalidTransition:
            abort(409)
        else:
            flash(_("The file has been added."), "success")
            return redirect(url_for("listings.files", listing_id=listing.id))
    return render_template(
        "listings/files.html",
        listing=listing,
        photo_form=photo_form,
        document_form=document_form,
        action_form=ActionForm(),
    )


@blueprint.route(
    "/<int:listing_id>/photos/<int:photo_id>/<any(delete, earlier, later):verb>",
    methods=["POST"],
)
@login_required
def photo_action(listing_id: int, photo_id: int, verb: str):
    listing = _own_listing(listing_id)
    photo = db.session.get(ListingPhoto, photo_id)
    if photo is None or photo.listing_id != listing.id:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    if verb == "delete":
        change = lambda: attachments.delete_photo(current_user, listing, photo)  # noqa: E731
    else:
        offset = -1 if verb == "earlier" else 1
        change = lambda: attachments.move_photo(current_user, listing, photo, offset)  # noqa: E731
    return _change_files(listing, change)


@blueprint.route("/<int:listing_id>/documents/<int:document_id>/delete", methods=["POST"])
@login_required
def document_delete(listing_id: int, document_id: int):
    listing = _own_listing(listing_id)
    document = db.session.get(ListingDocument, document_id)
    if document is None or document.listing_id != listing.id:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    return _change_files(
        listing, lambda: attachments.delete_document(current_user, listing, document)
    )


def _change_files(listing: Listing, change):
    """Apply one change to a listing's files, commit, and go back to the files page."""
    try:
        change()
        db.session.commit()
    except ValidationFailed as failure:
        db.session.rollback()
        for messages in failure.reasons.values():
            for message in messages:
                flash(str(message), "error")
    except InvalidTransition:
        abort(409)
    return redirect(url_for("listings.files", listing_id=listing.id))


@blueprint.route("/<int:listing_id>/photos/<int:photo_id>/<any(full, thumbnail):size>")
def photo_file(listing_id: int, photo_id: int, size: str):
    listing = db.session.get(Listing, listing_id)
    photo = db.session.get(ListingPhoto, photo_id)
    if (
        listing is None
        or photo is None
        or photo.listing_id != listing.id
        or not queries.can_view_file(current_user, listing, photo.pending)
    ):
        abort(404)
    stored = photo.file if size == "full" else photo.thumbnail
    return send_stored_file(stored, inline=True)


@blueprint.route("/<int:listing_id>/documents/<int:document_id>")
def document_file(listing_id: int, document_id: int):
    listing = db.session.get(Listing, listing_id)
    document = db.session.get(ListingDocument, document_id)
    if (
        listing is None
        or document is None
        or document.listing_id != listing.id
        or not queries.can_view_file(current_user, listing, document.pending)
        or not attachments.can_see_documents(current_user, listing)
    ):
        abort(404)
    return send_stored_file(document.file)


@blueprint.route(
    "/<int:listing_id>/<any(submit, withdraw, renew, duplicate):verb>", methods=["POST"]
)
@login_required
def change_state(listing_id: int, verb: str):
    listing = _own_listing(listing_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        if verb == "submit":
            services.submit_listing(current_user, listing)
            message = _("The post has been sent for review.")
        elif verb == "withdraw":
            services.withdraw_listing(current_user, listing)
            message = _("The post has been withdrawn.")
        elif verb == "renew":
            services.renew_listing(current_user, listing)
            message = _("The post is valid for another 90 days.")
        else:
            copy = services.duplicate_listing(current_user, listing)
            db.session.commit()
            flash(_("A copy has been saved as a draft."), "success")
            return redirect(url_for("listings.edit", listing_id=copy.id))
        db.session.commit()
    except InvalidTransition:
        abort(409)
    except NotAllowed:
        abort(403)
    flash(message, "success")
    return redirect(url_for("listings.mine", status=listing.status.value))


@blueprint.route("/<int:listing_id>/sold", methods=["GET", "POST"])
@login_required
def sold(listing_id: int):
    listing = _own_listing(listing_id)
    form = SoldForm()
    if form.validate_on_submit():
        price = _decimal(form.deal_price.data) if (form.deal_price.data or "").strip() else None
        quantity = (
            _decimal(form.deal_quantity.data) if (form.deal_quantity.data or "").strip() else None
        )
        try:
            if (form.deal_price.data or "").strip() and price is None:
                raise ValidationFailed({"deal_price": [_("Enter a price in yuan, from 0 to 1,000,000,000.")]})
            if (form.deal_quantity.data or "").strip() and quantity is None:
                raise ValidationFailed({"deal_quantity": [_("The quantity sold must be above 0 and at most the quantity listed.")]})
            services.mark_sold(current_user, listing, price, quantity)
            db.session.commit()
        except ValidationFailed as failure:
            db.session.rollback()
            apply_reasons(form, failure)
        except InvalidTransition:
            abort(409)
        else:
            flash(_("The post is marked as sold."), "success")
            return redirect(url_for("listings.mine", status="sold"))
    return render_template("listings/sold.html", form=form, listing=listing)


@blueprint.route("/mine")
@login_required
def mine():
    if current_user.enterprise is None:
        abort(404)
    try:
        status = ListingStatus(request.args.get("status", "published"))
    except ValueError:
        abort(404)
    return render_template(
        "listings/mine.html",
        status=status,
        listings=queries.list_own(current_user.enterprise, status),
        counts=queries.count_own_by_status(current_user.enterprise),
        action_form=ActionForm(),
        ledger_endpoints=set(current_app.view_functions),
    )


@blueprint.route("/model-suggestion")
def model_suggestion():
    raw = (request.args.get("model") or "")[:100]
    suggestion = suggest(raw) if raw.strip() else {}
    if suggestion:
        if suggestion.get("eliminated"):
            suggestion["message"] = _(
                "This model is on the national list of eliminated high-loss equipment: "
                "it may only be sold as scrap."
            )
        else:
            suggestion["message"] = _(
                "Model recognised: category and ratings were filled in; please check them."
            )
    return jsonify(suggestion)
