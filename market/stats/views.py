"""The moderators' statistics dashboard, and the money filter of the landing page."""

from flask import Blueprint, abort, render_template, request

from market.security import role_required
from market.stats import presentation, services

blueprint = Blueprint("stats", __name__, url_prefix="/stats")


@blueprint.before_request
@role_required("moderator")
def _moderators_only():
    return None


@blueprint.app_template_filter("compact_money")
def compact_money(value) -> str:
    return presentation.compact_money(value)


@blueprint.route("/")
def dashboard():
    choices = {str(choice): choice for choice in services.MONTH_CHOICES}
    months = choices.get(request.args.get("months", "12"))
    if months is None:
        abort(404)
    data = services.get_dashboard(months)
    return render_template(
        "stats/dashboard.html",
        data=data,
        totals=data.totals,
        months=months,
        month_choices=services.MONTH_CHOICES,
        figures=presentation.dashboard_figures(data),
        sparklines=presentation.sparklines(data),
    )
