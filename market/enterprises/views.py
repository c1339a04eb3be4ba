"""Applying to join, the enterprise's own page, resubmission and the licence file."""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user
from sqlalchemy.exc import IntegrityError

from market.enterprises import services
from market.enterprises.forms import ApplicationForm, RegistrationForm
from market.enterprises.models import Enterprise, EnterpriseStatus
from market.exceptions import InvalidTransition, ValidationFailed
from market.extensions import db, limiter
from market.files.storage import send_stored_file
from market.forms import apply_reasons
from market.regions_form import fill_region_choices

blueprint = Blueprint("enterprises", __name__, url_prefix="/enterprises")


def _application_data(form: ApplicationForm) -> services.ApplicationData:
    return services.ApplicationData(
        name=form.name.data or "",
        credit_code=form.credit_code.data or "",
        confirm_unverified_code=bool(form.confirm_unverified_code.data),
        enterprise_type=form.enterprise_type.data or "",
        province=form.province.data or "",
        city=form.city.data or "",
        district=form.district.data or None,
        address=form.address.data or "",
        contact_name=form.contact_name.data or "",
        mobile=form.mobile.data or "",
        email=form.email.data or "",
    )


def _licence(form: ApplicationForm) -> services.Licence | None:
    upload = form.licence.data
    if not upload or not getattr(upload, "filename", ""):
        return None
    limit = current_app.config["MARKET_LICENCE_MAX_BYTES"]
    # Read one byte more than allowed: enough to know it is too large.
    return services.Licence(upload.filename, upload.stream.read(limit + 1))


def _register_limit() -> str:
    return current_app.config["MARKET_REGISTER_LIMIT_PER_ADDRESS"]


@blueprint.route("/register", methods=["GET", "POST"])
@limiter.limit(
    _register_limit, methods=["POST"], deduct_when=lambda response: response.status_code == 302
)
def register():
    if current_user.is_authenticated:
        return redirect(url_for("enterprises.mine"))
    form = RegistrationForm()
    fill_region_choices(form)
    if form.validate_on_submit():
        try:
            enterprise = services.register_enterprise(
                _application_data(form), form.password.data, _licence(form)
            )
            db.session.commit()
        except ValidationFailed as failure:
            db.session.rollback()
            apply_reasons(form, failure)
        except IntegrityError:
            # Another application with the same code or login won the race.
            db.session.rollback()
            form.credit_code.errors.append(
                _("An enterprise with this code, mobile or e-mail is already registered.")
            )
        else:
            login_user(enterprise.users[0])
            flash(
                _("Your application has been received. A moderator will review it."),
                "success",
            )
            return redirect(url_for("enterprises.mine"))
    return render_template(
        "enterprises/register.html", form=form, show_confirm=_show_confirm(form)
    )


@blueprint.route("/mine")
@login_required
def mine():
    enterprise = current_user.enterprise
    if enterprise is None:
        abort(404)
    return render_template("enterprises/mine.html", enterprise=enterprise)


@blueprint.route("/mine/edit", methods=["GET", "POST"])
@login_required
def edit():
    enterprise = current_user.enterprise
    if enterprise is None:
        abort(404)
    if enterprise.status not in (EnterpriseStatus.PENDING, EnterpriseStatus.REJECTED):
        flash(_("An approved application can no longer be edited here."), "info")
        return redirect(url_for("enterprises.mine"))
    form = ApplicationForm(obj=_ApplicationValues(enterprise))
    fill_region_choices(form)
    if form.validate_on_submit():
        try:
            was_rejected = enterprise.status is EnterpriseStatus.REJECTED
            services.resubmit_application(
                current_user, enterprise, _application_data(form), _licence(form)
            )
            db.session.commit()
        except ValidationFailed as failure:
            db.session.rollback()
            apply_reasons(form, failure)
        except IntegrityError:
            db.session.rollback()
            form.credit_code.errors.append(
                _("An enterprise with this code is already registered.")
            )
        except InvalidTransition:
            abort(409)
        else:
            flash(
                _("Your application has been resubmitted for review.")
                if was_rejected
                else _("Your application has been updated."),
                "success",
            )
            return redirect(url_for("enterprises.mine"))
    return render_template(
        "enterprises/edit.html",
        form=form,
        enterprise=enterprise,
        show_confirm=_show_confirm(form),
    )


@blueprint.route("/<int:enterprise_id>/licence")
def licence(enterprise_id: int):
    enterprise = db.session.get(Enterprise, enterprise_id)
    # Existence is private too: anyone without access sees the same 404.
    if (
        enterprise is None
        or enterprise.licence is None
        or not enterprise.can_view_private(current_user)
    ):
        abort(404)
    inline = request.args.get("inline") == "1" and enterprise.licence.is_image
    return send_stored_file(enterprise.licence, inline=inline)


def _show_confirm(form: ApplicationForm) -> bool:
    message = str(services.CREDIT_CODE_MESSAGES[services.CreditCodeProblem.CHECKSUM])
    return form.confirm_unverified_code.data or any(
        str(error) == message for error in form.credit_code.errors
    )


class _ApplicationValues:
    """The enterprise's stored values under the form's field names."""

    def __init__(self, enterprise: Enterprise):
        self.name = enterprise.name
        self.credit_code = enterprise.credit_code
        self.confirm_unverified_code = enterprise.credit_code_unverified
        self.enterprise_type = enterprise.enterprise_type.value
        self.province = enterprise.province_code
        self.city = enterprise.city_code
        self.district = enterprise.district_code or ""
        self.address = enterprise.address
        self.contact_name = enterprise.contact_name
        self.mobile = enterprise.contact_mobile
        self.email = enterprise.contact_email
        self.licence = None


@blueprint.route("/<int:enterprise_id>")
def profile(enterprise_id: int):
    """An approved enterprise's public page: who it is and its published posts."""
    from market.listings.queries import list_public

    enterprise = db.session.get(Enterprise, enterprise_id)
    if enterprise is None or not (
        enterprise.is_approved or enterprise.can_view_private(current_user)
    ):
        abort(404)
    page = max(request.args.get("page", 1, type=int), 1)
    return render_template(
        "enterprises/profile.html",
        enterprise=enterprise,
        pagination=list_public(enterprise_id=enterprise.id, page=page),
    )
