"""The search page, the JSON search API and type-ahead suggestions."""

import html
import re

from flask import Blueprint, jsonify, render_template, request, url_for
from flask_babel import get_locale
from sqlalchemy import select

from market.domain.conditions import get_grade
from market.extensions import db, limiter
from market.listings import queries
from market.listings.models import Listing
from market.listings.presentation import key_specs, plain, price
from market.search import SearchUnavailable, params_from_args, search, suggest
from market.search.query import MAX_PAGE

blueprint = Blueprint("search", __name__)

MARK = re.compile(r"</?mark>")
FACET_PARAMS = {"category": "category", "city": "city", "voltage": "voltage_kv", "condition": "condition"}


def highlight_segments(snippet: str | None) -> list[tuple[str, bool]]:
    """The snippet as (text, is_hit) pieces, so the template escapes every piece."""
    if not snippet:
        return []
    pieces = []
    for number, part in enumerate(MARK.split(snippet)):
        if part:
            pieces.append((html.unescape(part), number % 2 == 1))
    return pieces


def _public_listings(ids: list[int]) -> list[Listing]:
    """Rows for the ids, in rank order, re-checked: the index may lag behind."""
    if not ids:
        return []
    rows = db.session.scalars(select(Listing).where(Listing.id.in_(ids))).all()
    by_id = {row.id: row for row in rows if queries.is_public(row)}
    return [by_id[i] for i in ids if i in by_id]


@blueprint.route("/search")
@limiter.limit("120 per minute")
def page():
    params = params_from_args(request.args)
    try:
        result = search(params)
    except SearchUnavailable:
        return render_template("search/unavailable.html", params=params), 503
    listings = _public_listings(result.ids)
    return render_template(
        "search/results.html",
        params=params,
        result=result,
        listings=listings,
        snippets={i: highlight_segments(h) for i, h in result.highlights.items()},
        facets=_facet_links(result.facets),
        pages=_pages(result),
    )


@blueprint.route("/api/v1/search")
@limiter.limit("120 per minute")
def api_search():
    params = params_from_args(request.args)
    try:
        result = search(params)
    except SearchUnavailable:
        return jsonify(error="search_unavailable"), 503
    listings = _public_listings(result.ids)
    return jsonify(
        total=result.total,
        page=result.page,
        per_page=result.per_page,
        suggestion=result.suggestion,
        facets={name: [[v, c] for v, c in items] for name, items in result.facets.items()},
        results=[_listing_json(listing, result.highlights.get(listing.id)) for listing in listings],
    )


@blueprint.route("/api/v1/suggest")
@limiter.limit("300 per minute")
def api_suggest():
    prefix = (request.args.get("q") or "").strip()[:50]
    if not prefix:
        return jsonify(suggestions=[])
    try:
        return jsonify(suggestions=suggest(prefix, limit=8))
    except SearchUnavailable:
        return jsonify(suggestions=[])


def _listing_json(listing: Listing, highlight: str | None) -> dict:
    cover = listing.cover
    return {
        "id": listing.id,
        "kind": listing.kind.value,
        "title": listing.title,
        "category": listing.category_slug,
        "model": listing.model_raw,
        "manufacturer": listing.manufacturer,
        "specs": listing.specs,
        "key_specs": key_specs(listing),
        "price_cny": plain(listing.price_cny) if listing.price_cny is not None else None,
        "negotiable": listing.negotiable,
        "price_text": price(listing),
        "quantity": plain(listing.quantity),
        "unit": listing.unit,
        "condition": listing.condition_grade,
        "province": listing.province_code,
        "city": listing.city_code,
        "district": listing.district_code,
        "published_at": listing.published_at.isoformat() if listing.published_at else None,
        "url": url_for("listings.detail", listing_id=listing.id, _external=False),
        "cover_url": url_for(
            "listings.photo_file", listing_id=listing.id, photo_id=cover.id, size="thumbnail"
        )
        if cover
        else None,
        "highlight": highlight,
        "locale": str(get_locale()),
    }


def _facet_links(facets: dict) -> dict[str, list[dict]]:
    """Each facet value with its count and the URL that applies (or removes) it."""
    links = {}
    for name, items in facets.items():
        param = FACET_PARAMS.get(name)
        if param is None:
            continue
        current = request.args.get(param)
        entries = []
        for value, count in items:
            args = {k: v for k, v in request.args.items() if k not in (param, "page")}
            chosen = current is not None and str(current) == str(value)
            if not chosen:
                args[param] = value
            entries.append(
                {
                    "value": value,
                    "count": count,
                    "chosen": chosen,
                    "url": url_for("search.page", **args),
                }
            )
        links[name] = entries
    return links


def _pages(result) -> dict:
    last = max(1, -(-result.total // result.per_page))
    args = {k: v for k, v in request.args.items() if k != "page"}
    return {
        "current": result.page,
        "last": min(last, MAX_PAGE),
        "prev": url_for("search.page", **args, page=result.page - 1)
        if result.page > 1
        else None,
        "next": url_for("search.page", **args, page=result.page + 1)
        if result.page < min(last, MAX_PAGE)
        else None,
    }


@blueprint.app_template_filter("facet_label")
def facet_label(value, name: str) -> str:
    """How a facet value reads: category and region names, "10 kV", grade names."""
    from market.domain.regions import full_name
    from market.listings.presentation import category_name

    if name == "category":
        return category_name(str(value))
    if name == "city":
        return full_name(str(value)) or str(value)
    if name == "voltage":
        return f"{plain(float(value))} kV" if _is_number(value) else str(value)
    if name == "condition":
        grade = get_grade(str(value))
        return grade.label(str(get_locale())) if grade else str(value)
    return str(value)


def _is_number(value) -> bool:
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True
