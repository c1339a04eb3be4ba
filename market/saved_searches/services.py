"""Saved searches: keep the current search, rename, mute, delete; list a user's.

A saved search stores the search page's query-string parameters, cleaned: only
the parameters the search page knows, with values it accepts, written the way the
page writes them, so url_for("search.page", **params) runs the search again. The
page number and page size are not kept.
"""

import logging
from collections.abc import Mapping
from urllib.parse import parse_qsl

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from market.accounts.models import User
from market.domain.units import format_number
from market.exceptions import NotAllowed, ValidationFailed
from market.extensions import db
from market.saved_searches.models import SavedSearch
from market.search import params_from_args

log = logging.getLogger(__name__)

NAME_MAX = 80
QUERY_STRING_MAX = 2000
TEXT_PARAMS = ("kind", "category", "condition", "province", "city", "district")
NUMBER_PARAMS = ("voltage_kv", "capacity_min", "capacity_max")
INTEGER_PARAMS = ("price_min", "price_max", "within_days")


def clean_params(args: Mapping) -> dict[str, str]:
    """The known search parameters of a query string's arguments, as strings."""
    params = params_from_args(args if isinstance(args, MultiDict) else MultiDict(args))
    values: dict[str, str] = {}
    q = " ".join(params.q.split())
    if q:
        values["q"] = q
    for name in TEXT_PARAMS:
        value = getattr(params, name)
        if value:
            values[name] = str(value)
    for name in NUMBER_PARAMS:
        value = getattr(params, name)
        if value is not None:
            values[name] = format_number(value)
    for name in INTEGER_PARAMS:
        value = getattr(params, name)
        if value is not None:
            values[name] = str(int(value))
    if params.has_report:
        values["has_report"] = "1"
    if params.sort != "relevance":
        values["sort"] = params.sort
    return values


def params_from_query_string(query_string: str) -> dict[str, str]:
    """clean_params of a raw query string (what the search page's form sends)."""
    pairs = parse_qsl((query_string or "")[:QUERY_STRING_MAX], keep_blank_values=False)
    return clean_params(MultiDict(pairs))


def has_criteria(params: Mapping) -> bool:
    """Words or a filter: a search without either would match every new post."""
    return any(name != "sort" for name in params)


def require_saver(actor: User) -> None:
    """Saved searches tell an enterprise's inbox: only users of one keep them."""
    if actor.enterprise_id is None:
        raise NotAllowed("no enterprise")


def create_saved_search(actor: User, query_string: str, name: str = "") -> SavedSearch:
    """Keep the search of `query_string` under `name` (default: its words)."""
    require_saver(actor)
    params = params_from_query_string(query_string)
    if not has_criteria(params):
        message = _l("Search for words or choose a filter before saving the search.")
        raise ValidationFailed({None: [message]})
    limit = current_app.config["MARKET_SAVED_SEARCH_LIMIT"]
    mine = list_saved_searches(actor)
    if len(mine) >= limit:
        raise ValidationFailed(
            {
                None: [
                    _(
                        "You can keep at most %(limit)d saved searches; delete one "
                        "first.",
                        limit=limit,
                    )
                ]
            }
        )
    if any(saved.params == params for saved in mine):
        raise ValidationFailed({None: [_l("You have already saved this search.")]})
    name = _clean_name(name) or _clean_name(params.get("q", ""))
    if not name:
        name = _("My search %(number)d", number=len(mine) + 1)
    saved = SavedSearch(
        user_id=actor.id,
        enterprise_id=actor.enterprise_id,
        name=name,
        params=params,
        muted=False,
    )
    db.session.add(saved)
    db.session.flush()
    log.info("saved search %s created by user %s", saved.id, actor.id)
    return saved


def rename_saved_search(actor: User, saved: SavedSearch, name: str) -> SavedSearch:
    require_owner(actor, saved)
    cleaned = _clean_name(name)
    if not cleaned:
        raise ValidationFailed({"name": [_l("Give the search a name.")]})
    saved.name = cleaned
    return saved


def set_saved_search_muted(actor: User, saved: SavedSearch, muted: bool) -> SavedSearch:
    """A muted search is kept but tells nobody about new posts."""
    require_owner(actor, saved)
    saved.muted = muted
    return saved


def delete_saved_search(actor: User, saved: SavedSearch) -> None:
    """Delete the search; its past inbox entries stay (their link to it is cleared)."""
    require_owner(actor, saved)
    db.session.delete(saved)
    db.session.flush()


def require_owner(actor: User, saved: SavedSearch) -> None:
    if saved.user_id != actor.id:
        raise NotAllowed("not the owner")


def list_saved_searches(user: User) -> list[SavedSearch]:
    return list(
        db.session.scalars(
            select(SavedSearch)
            .where(SavedSearch.user_id == user.id)
            .order_by(SavedSearch.created_at, SavedSearch.id)
        )
    )


def _clean_name(name: str | None) -> str:
    # One line, no control characters, at most the column's length.
    text = "".join(ch for ch in (name or "") if ch.isprintable())
    return " ".join(text.split())[:NAME_MAX]
