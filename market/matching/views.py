"""Matches in pages: a post's counterparts for its owner, and one pair explained."""

from flask import Blueprint, abort, render_template
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from market.extensions import db
from market.i18n import locale_code
from market.listings.models import Listing, ListingKind, ListingStatus
from market.matching import services
from market.matching.scoring import NOTIFY_THRESHOLD

blueprint = Blueprint("matching", __name__, url_prefix="/matching")

OUTCOME_LABELS = {
    "met": _l("Met"),
    "near": _l("Near miss"),
    "unmet": _l("Not met"),
    "unknown": _l("Not stated"),
}


def _locale() -> str:
    return locale_code(get_locale())


@blueprint.route("/listings/<int:listing_id>")
@login_required
def listing_matches(listing_id: int):
    listing = db.session.get(Listing, listing_id)
    if listing is None or not listing.is_owned_by(current_user):
        abort(404)
    return render_template(
        "matching/listing.html",
        listing=listing,
        cards=services.list_match_cards(listing, _locale()),
        is_published=listing.status is ListingStatus.PUBLISHED,
        min_score=services.PAGE_MIN_SCORE,
        notify_threshold=NOTIFY_THRESHOLD,
        outcome_labels=OUTCOME_LABELS,
    )


@blueprint.route("/<int:offer_id>/<int:wanted_id>")
@login_required
def pair(offer_id: int, wanted_id: int):
    offer = db.session.get(Listing, offer_id)
    wanted = db.session.get(Listing, wanted_id)
    if (
        offer is None
        or wanted is None
        or offer.kind is not ListingKind.OFFER
        or wanted.kind is not ListingKind.WANTED
        or not services.can_view_pair(current_user, offer, wanted)
    ):
        abort(404)
    own, other = (offer, wanted) if offer.is_owned_by(current_user) else (wanted, offer)
    result = services.score_pair(offer, wanted)
    return render_template(
        "matching/pair.html",
        offer=offer,
        wanted=wanted,
        own=own,
        other=other,
        result=result,
        parts=services.describe(result, _locale()),
        notify_threshold=NOTIFY_THRESHOLD,
        outcome_labels=OUTCOME_LABELS,
    )
