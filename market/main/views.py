"""The landing page and the region look-up that the registration form uses."""

from flask import Blueprint, abort, jsonify, render_template

from market.domain.regions import get_region, list_children
from market.listings import queries
from market.listings.models import ListingKind
from market.regions_form import region_label
from market.stats.services import get_public_summary

blueprint = Blueprint("main", __name__)


@blueprint.route("/")
def index():
    return render_template(
        "main/index.html",
        summary=get_public_summary(),
        newest_offers=queries.newest_public(ListingKind.OFFER),
        newest_wanted=queries.newest_public(ListingKind.WANTED),
        tree=queries.category_tree_with_counts(),
        category=None,
    )


@blueprint.route("/api/v1/regions/<region_code>")
def region_children(region_code: str):
    if region_code != "root" and get_region(region_code) is None:
        abort(404)
    children = list_children(region_code) if region_code != "root" else []
    return jsonify(
        [{"code": region.code, "name": region_label(region)} for region in children]
    )
