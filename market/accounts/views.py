"""Login, logout, password change and the language switch."""

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from market.accounts import services
from market.accounts.forms import LocaleForm, LoginForm, LogoutForm, PasswordChangeForm
from market.exceptions import ValidationFailed
from market.extensions import db, limiter
from market.forms import apply_reasons
from market.security import safe_next

blueprint = Blueprint("accounts", __name__, url_prefix="/accounts")


def _failed_login(response) -> bool:
    # Only failed attempts count towards the throttle; a success redirects.
    return request.method == "POST" and response.status_code != 302


def _account_key() -> str:
    # One counter per account, whether the guesses come by mobile or by e-mail.
    identifier = request.form.get("identifier", "")
    user = services.find_user(identifier)
    if user is not None:
        return f"login:user:{user.id}"
    return "login:" + services.normalize_identifier(identifier)


def _per_account_limit() -> str:
    from flask import current_app

    return current_app.config["MARKET_LOGIN_LIMIT_PER_ACCOUNT"]


def _per_address_limit() -> str:
    from flask import current_app

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
