"""Login, logout, password change and reset, and the language switch."""

from flask import (
    Blueprint,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from market.accounts import resets, services
from market.accounts.forms import (
    LocaleForm,
    LoginForm,
    LogoutForm,
    PasswordChangeForm,
    PasswordResetForm,
    PasswordResetRequestForm,
)
from market.exceptions import NotAllowed, ValidationFailed
from market.extensions import db, limiter
from market.forms import apply_reasons
from market.security import safe_next

blueprint = Blueprint("accounts", __name__, url_prefix="/accounts")


def _failed_login(response) -> bool:
    # Only failed attempts count towards the throttle; a success redirects.
    return request.method == "POST" and response.status_code != 302


def _identified_account(prefix: str) -> str:
    # One counter per account, whether it is named by mobile or by e-mail.
    identifier = request.form.get("identifier", "")
    user = services.find_user(identifier)
    if user is not None:
        return f"{prefix}:user:{user.id}"
    return f"{prefix}:" + services.normalize_identifier(identifier)


def _account_key() -> str:
    return _identified_account("login")


def _per_account_limit() -> str:
    return current_app.config["MARKET_LOGIN_LIMIT_PER_ACCOUNT"]


def _per_address_limit() -> str:
    return current_app.config["MARKET_LOGIN_LIMIT_PER_ADDRESS"]


@blueprint.route("/login", methods=["GET", "POST"])
@limiter.limit(_per_address_limit, methods=["POST"], deduct_when=_failed_login)
@limiter.limit(
    _per_account_limit, methods=["POST"], key_func=_account_key, deduct_when=_failed_login
)
def login():
    if current_user.is_authenticated:
        return redirect(safe_next())
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = services.authenticate(form.identifier.data, form.password.data)
        if user is None:
            form.password.errors.append(_("Wrong mobile/e-mail or password."))
        elif user.enterprise is not None and user.enterprise.status.value == "suspended":
            form.identifier.errors.append(
                _("Your enterprise is suspended: %(reason)s", reason=user.enterprise.status_reason or "")
            )
        else:
            db.session.commit()
            locale = session.get("locale")
            # A fresh session on login: nothing planted before it survives.
            session.clear()
            if locale and not user.locale:
                session["locale"] = locale
            login_user(user)
            flash(_("Welcome, %(name)s.", name=user.name), "success")
            return redirect(safe_next())
    return render_template("accounts/login.html", form=form)


@blueprint.route("/logout", methods=["POST"])
@login_required
def logout():
    if LogoutForm().validate_on_submit():
        services.end_sessions(current_user)
        db.session.commit()
        logout_user()
        session.clear()
        flash(_("You have been logged out."), "info")
    return redirect(url_for("main.index"))


@blueprint.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            services.change_password(
                current_user, form.current_password.data, form.new_password.data
            )
        except ValidationFailed as failure:
            apply_reasons(form, failure)
        else:
            db.session.commit()
            # Other sessions ended with the old token; this one carries the new one.
            login_user(current_user._get_current_object())
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("enterprises.mine") if current_user.enterprise else url_for("main.index"))
    return render_template("accounts/password.html", form=form)


def _reset_account_key() -> str:
    return _identified_account("password-reset")


def _reset_limit_per_account() -> str:
    return current_app.config["MARKET_RESET_LIMIT_PER_ACCOUNT"]


def _reset_limit_per_address() -> str:
    return current_app.config["MARKET_RESET_LIMIT_PER_ADDRESS"]


def _reset_limit_message() -> str:
    return _("Too many password reset requests. Please try again later.")


@blueprint.route("/password-reset", methods=["GET", "POST"])
@limiter.limit(
    _reset_limit_per_address, methods=["POST"], error_message=_reset_limit_message
)
@limiter.limit(
    _reset_limit_per_account,
    methods=["POST"],
    key_func=_reset_account_key,
    error_message=_reset_limit_message,
)
def request_password_reset():
    form = PasswordResetRequestForm()
    if form.validate_on_submit():
        resets.request_password_reset(form.identifier.data, request.remote_addr)
        db.session.commit()
        # The same answer whether or not the account exists (no enumeration).
        flash(
            _(
                "If an account with this mobile number or e-mail exists and has an "
                "e-mail address, we have sent a link to choose a new password to "
                "that address. The link is valid for %(minutes)d minutes.",
                minutes=resets.LIFETIME_MINUTES,
            ),
            "info",
        )
        return redirect(url_for("accounts.request_password_reset"))
    return render_template("accounts/password_reset_request.html", form=form)


def _reset_page(body, status: int = 200):
    # The URL holds the token: keep it out of caches and of Referer headers.
    response = make_response(body, status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _invalid_reset_link():
    page = render_template(
        "accounts/password_reset_invalid.html", minutes=resets.LIFETIME_MINUTES
    )
    return _reset_page(page, 404)


@blueprint.route("/password-reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    reset = resets.find_password_reset(token)
    if reset is None:
        return _invalid_reset_link()
    form = PasswordResetForm()
    if form.validate_on_submit():
        try:
            resets.reset_password(reset, form.new_password.data)
        except ValidationFailed as failure:
            apply_reasons(form, failure)
        except NotAllowed:
            db.session.rollback()
            return _invalid_reset_link()
        else:
            db.session.commit()
            # Whoever was signed in here is not any more; the user logs in afresh
            # with the new password (through the login checks and throttle).
            locale = session.get("locale")
            logout_user()
            session.clear()
            if locale:
                session["locale"] = locale
            flash(
                _("Your password has been reset. Log in with the new password."),
                "success",
            )
            return redirect(url_for("accounts.login"))
    return _reset_page(render_template("accounts/password_reset.html", form=form))


@blueprint.route("/locale", methods=["POST"])
def set_locale():
    form = LocaleForm()
    if form.validate_on_submit():
        user = current_user if current_user.is_authenticated else None
        session["locale"] = services.set_locale(user, form.locale.data)
        db.session.commit()
    target = form.next.data
    from market.security import is_safe_redirect

    return redirect(target if is_safe_redirect(target) else url_for("main.index"))
