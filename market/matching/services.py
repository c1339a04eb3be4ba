"""Matching against the database: candidates in SQL, scores in Python, notifications.

scoring.py is pure and knows no database. Here a listing becomes PostFacts, its
counterparts are loaded with one Core query (only the columns scoring reads, no
ORM objects), and rank() picks the best. match_published() runs in the publishing
transaction (see register_matching): it stores the pairs worth telling and tells
both enterprises once per pair, however often either post is edited.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from flask import Flask
from sqlalchemy import (
    Float,
    Integer,
    String,
    Text,
    and_,
    cast,
    exists,
    false,
    func,
    or_,
    select,
    true,
    type_coerce,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import make_transient_to_detached, selectinload
from sqlalchemy.sql import Select
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import TypeDecorator

from market.database import china_today, insert_skipping_conflicts, utcnow
from market.domain.categories import SPEC_FIELDS, get_category
from market.enterprises.models import Enterprise, EnterpriseStatus
from market.extensions import db
from market.listings.models import (
    DocumentKind,
    Listing,
    ListingDocument,
    ListingKind,
    ListingStatus,
)
from market.listings.queries import is_public
from market.listings.signals import listing_published
from market.matching.explanations import explain, summary
from market.matching.models import Match
from market.matching.scoring import (
    NOTIFY_THRESHOLD,
    RATING_NEAR,
    WEIGHTS,
    Component,
    MatchResult,
    Outcome,
    PostFacts,
    Prefilter,
    prefilter,
    rank,
    score,
)
from market.notifications.links import register_link
from market.notifications.models import NotificationKind
from market.notifications.services import NotificationDraft, notify_many

__all__ = [
    "MATCH_LIMIT",
    "PAGE_LIMIT",
    "PAGE_MIN_SCORE",
    "SUMMARY_KEYS",
    "MatchCard",
    "can_view_pair",
    "candidate_query",
    "describe",
    "facts_for",
    "find_matches",
    "get_counterparts",
    "list_candidates",
    "list_match_cards",
    "match_published",
    "register_matching",
    "result_of",
    "score_pair",
]

log = logging.getLogger(__name__)

# How many counterparts one publication stores and notifies at most.
MATCH_LIMIT = 50
# The owner's page of matches: the best 30 worth a look.
PAGE_LIMIT = 30
PAGE_MIN_SCORE = 40.0
# The components a one-line summary names (notifications, cards).
SUMMARY_KEYS = ("voltage", "rating", "price", "region")
LOCALES = ("zh_CN", "en")

# A pair whose key rating is not met scores at most this much: the rating's
# weight is lost out of at most 100 possible points. Above it, candidates whose
# rating lies outside the near-miss band can be left out in SQL without changing
# the result.
RATING_UNMET_MAX_SCORE = 100.0 * (1 - WEIGHTS["rating"] / sum(WEIGHTS.values()))
# Widens the SQL band a hair, so that floating-point rounding in SQL never drops a
# pair that Python would call a near miss.
_BAND_SLACK = 1e-9

_L = Listing.__table__
_E = Enterprise.__table__
_D = ListingDocument.__table__
_MT = Match.__table__


# --- facts ------------------------------------------------------------------------


def facts_for(listing: Listing) -> PostFacts:
    """What scoring needs to know about an ORM listing."""
    enterprise = listing.enterprise
    return PostFacts(
        id=listing.id,
        kind=listing.kind.value,
        category_slug=listing.category_slug,
        specs=listing.specs or {},
        quantity=float(listing.quantity),
        unit=listing.unit,
        price_cny=None if listing.price_cny is None else float(listing.price_cny),
        negotiable=bool(listing.negotiable),
        condition_grade=listing.condition_grade,
        province_code=listing.province_code,
        city_code=listing.city_code,
        district_code=listing.district_code,
        published_at=listing.published_at,
        has_test_report=any(
            document.kind is DocumentKind.TEST_REPORT and not document.pending
            for document in listing.documents
        ),
        seller_verified=enterprise is not None
        and enterprise.status is EnterpriseStatus.APPROVED
        and not enterprise.credit_code_unverified,
        scrap_only=bool(listing.scrap_only),
    )


# --- candidates in SQL ------------------------------------------------------------


@lru_cache(maxsize=8192)
def _decode_specs(text: str) -> dict:
    # Most posts of a kind share their specs text ({"voltage_kv": 10.0, ...}), so
    # one decoded dict serves them all. The dicts are shared: scoring only reads.
    return json.loads(text)


class _SpecsText(TypeDecorator):
    """The specs column read as text and decoded through the cache above."""

    impl = Text
    cache_ok = True

    def process_result_value(self, value, dialect):
        if value is None:
            return {}
        return _decode_specs(value)


def _number(path: str | tuple[str, int]) -> ColumnElement:
    """A number inside the specs JSON, on SQLite and PostgreSQL alike."""
    return _L.c.specs[path].as_float()


def _fields() -> tuple[ColumnElement, ...]:
    """The columns of PostFacts, in its order, typed for a cheap conversion."""
    has_report = exists().where(
        _D.c.listing_id == _L.c.id,
        _D.c.kind == DocumentKind.TEST_REPORT.value,
        _D.c.pending == false(),
    )
    return (
        _L.c.id,
        type_coerce(_L.c.kind, String),
        _L.c.category_slug,
        type_coerce(cast(_L.c.specs, Text), _SpecsText),
        cast(_L.c.quantity, Float),
        _L.c.unit,
        cast(_L.c.price_cny, Float),
        type_coerce(_L.c.negotiable, Integer),
        _L.c.condition_grade,
        _L.c.province_code,
        _L.c.city_code,
        _L.c.district_code,
        _L.c.published_at,
        has_report,
        type_coerce(_E.c.credit_code_unverified == false(), Integer),
        type_coerce(_L.c.scrap_only, Integer),
    )


# Each condition below reads a JSON value once: coalesce() stands in for "unstated
# or ...", because PostgreSQL parses a json column again at every access (SQLite
# caches the parse). A stated value must pass; an unstated one takes a value that
# passes.


def _rating_band(
    key: str, low: float | None, high: float | None
) -> ColumnElement | None:
    """Offers whose rating ``key`` is unstated or within a near miss of low–high."""
    lowest = None if low is None else low * (1 - RATING_NEAR) * (1 - _BAND_SLACK)
    highest = None if high is None else high * (1 + RATING_NEAR) * (1 + _BAND_SLACK)
    if lowest is None and highest is None:
        return None
    value = func.coalesce(_number(key), lowest if lowest is not None else highest)
    if lowest is None:
        return value <= highest
    if highest is None:
        return value >= lowest
    return value.between(lowest, highest)


def _range_band(key: str, value: float) -> ColumnElement:
    """Wanted posts whose range of ``key`` is unstated or nearly holds ``value``."""
    most = value / (1 - RATING_NEAR) * (1 + _BAND_SLACK)
    least = value / (1 + RATING_NEAR) * (1 - _BAND_SLACK)
    return and_(
        func.coalesce(_number((key, 0)), most) <= most,
        func.coalesce(_number((key, 1)), least) >= least,
    )


def _key_spec(slug: str) -> str | None:
    """The numeric rating scoring compares for a category, as scoring.py picks it."""
    category = get_category(slug)
    key = category.key_spec if category else None
    if key and SPEC_FIELDS[key].kind == "number":
        return key
    return None


def _as_number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def _offer_conditions(subject: PostFacts, narrow: Prefilter, band: bool) -> list:
    """SQL conditions on offers for a wanted subject."""
    conditions = []
    if not narrow.scrap_only_offers:
        conditions.append(_L.c.scrap_only == false())
    if narrow.voltage_kv:
        level = func.coalesce(_number("voltage_kv"), narrow.voltage_kv[0])
        conditions.append(level.in_(narrow.voltage_kv))
    key = _key_spec(subject.category_slug)
    if band and key is not None:
        bounds = (subject.specs or {}).get(key)
        low = high = None
        if isinstance(bounds, (list, tuple)) and len(bounds) == 2:
            low, high = _as_number(bounds[0]), _as_number(bounds[1])
        elif _as_number(bounds) is not None:
            low = high = _as_number(bounds)
        within = _rating_band(key, low, high)
        if within is not None:
            conditions.append(within)
    return conditions


def _wanted_conditions(subject: PostFacts, narrow: Prefilter, band: bool) -> list:
    """SQL conditions on wanted posts for an offer subject."""
    conditions = []
    if narrow.scrap_buyers_only:
        conditions.append(
            or_(_L.c.condition_grade == "scrap", _L.c.scrap_only == true())
        )
    if band:
        # Each sub-category compares its own key rating with the offer's value.
        groups: dict[str | None, list[str]] = {}
        for slug in narrow.category_slugs:
            key = _key_spec(slug)
            value = _as_number((subject.specs or {}).get(key)) if key else None
            groups.setdefault(key if value is not None else None, []).append(slug)
        alternatives = []
        for key, slugs in groups.items():
            band_of = None
            if key is not None:
                value = _as_number(subject.specs[key])
                assert value is not None
                band_of = _range_band(key, value)
            if len(groups) == 1:  # the whole family: the band alone
                alternatives.append(band_of if band_of is not None else true())
            else:
                in_group = _L.c.category_slug.in_(slugs)
                alternatives.append(
                    in_group if band_of is None else and_(in_group, band_of)
                )
        if any(key is not None for key in groups):
            conditions.append(or_(*alternatives))
    return conditions


def candidate_query(
    subject: PostFacts,
    enterprise_id: int | None,
    today: date | None = None,
    min_score: float = 0.0,
) -> Select | None:
    """The query of list_candidates(); None when nothing can match ``subject``."""
    today = today or china_today()
    narrow = prefilter(subject)
    if not narrow.category_slugs:
        return None
    band = min_score > RATING_UNMET_MAX_SCORE
    if narrow.kind == ListingKind.OFFER.value:
        extra = _offer_conditions(subject, narrow, band)
    else:
        extra = _wanted_conditions(subject, narrow, band)
    query = (
        select(*_fields())
        .select_from(_L.join(_E, _E.c.id == _L.c.enterprise_id))
        .where(
            _L.c.kind == narrow.kind,
            _L.c.status == ListingStatus.PUBLISHED.value,
            _L.c.category_slug.in_(narrow.category_slugs),
            or_(_L.c.valid_until.is_(None), _L.c.valid_until >= today),
            or_(_L.c.wanted_by.is_(None), _L.c.wanted_by >= today),
            _E.c.status == EnterpriseStatus.APPROVED.value,
            *extra,
        )
    )
    if enterprise_id is not None:
        query = query.where(_L.c.enterprise_id != enterprise_id)
    return query


def list_candidates(
    subject: PostFacts,
    enterprise_id: int | None,
    today: date | None = None,
    min_score: float = 0.0,
) -> list[PostFacts]:
    """The public counterparts ``subject`` could match, as PostFacts, from one query.

    Public: published, not past valid_until or wanted_by (days in China), of an
    approved enterprise, and not of ``enterprise_id`` (one's own posts never
    match). The query also applies the hard constraints SQL can check: the
    category family, the scrap rule, and for offers the voltage level. When
    ``min_score`` lies above what a pair that misses the key rating can score, it
    also leaves out counterparts whose rating is not within a near miss.
    """
    query = candidate_query(subject, enterprise_id, today, min_score)
    if query is None:
        return []
    make = PostFacts._make
    return [make(row) for row in db.session.execute(query)]


# --- ranking ----------------------------------------------------------------------


def find_matches(
    listing: Listing,
    limit: int = PAGE_LIMIT,
    min_score: float = PAGE_MIN_SCORE,
    today: date | None = None,
) -> list[MatchResult]:
    """The best counterparts of ``listing`` now, best first (live, for pages)."""
    today = today or china_today()
    subject = facts_for(listing)
    candidates = list_candidates(subject, listing.enterprise_id, today, min_score)
    return rank(subject, candidates, today, limit, min_score)


def get_counterparts(
    listing: Listing, results: Iterable[MatchResult]
) -> dict[int, Listing]:
    """The other post of each result, by id, with what a card shows loaded."""
    ids = [
        result.wanted_id if listing.is_offer else result.offer_id
        for result in results
    ]
    if not ids:
        return {}
    rows = db.session.scalars(
        select(Listing)
        .where(Listing.id.in_(ids))
        .options(selectinload(Listing.enterprise), selectinload(Listing.photos))
    )
    return {row.id: row for row in rows}


def describe(result: MatchResult, locale: str) -> list[tuple[Component, str]]:
    """Each component of ``result`` with its phrase in ``locale``."""
    return list(zip(result.components, explain(result, locale)))


@dataclass(frozen=True)
class MatchCard:
    """One counterpart on the owner's page of matches."""

    result: MatchResult
    counterpart: Listing
    summary: str
    # The components that fell short, with their phrases: near misses first.
    shortfalls: list[tuple[Component, str]]


def list_match_cards(
    listing: Listing,
    locale: str,
    limit: int = PAGE_LIMIT,
    min_score: float = PAGE_MIN_SCORE,
) -> list[MatchCard]:
    """The live matches of the owner's post, ready for the page, best first."""
    results = find_matches(listing, limit, min_score)
    counterparts = get_counterparts(listing, results)
    cards = []
    for result in results:
        other = counterparts.get(
            result.wanted_id if listing.is_offer else result.offer_id
        )
        if other is None:  # gone between the two queries
            continue
        short = [
            (part, phrase)
            for part, phrase in describe(result, locale)
            if part.weight and part.outcome in (Outcome.NEAR, Outcome.UNMET)
        ]
        short.sort(key=lambda item: item[0].outcome is not Outcome.NEAR)
        cards.append(
            MatchCard(result, other, summary(result, locale, SUMMARY_KEYS), short)
        )
    return cards


def can_view_pair(user: Any, offer: Listing, wanted: Listing) -> bool:
    """Users of the enterprise owning either post; the other post must be public
    (or theirs too)."""
    if not getattr(user, "is_authenticated", False):
        return False
    owns_offer, owns_wanted = offer.is_owned_by(user), wanted.is_owned_by(user)
    if owns_offer:
        return owns_wanted or is_public(wanted)
    if owns_wanted:
        return is_public(offer)
    return False


def score_pair(
    offer: Listing, wanted: Listing, today: date | None = None
) -> MatchResult:
    """The pair scored now, every component, hard constraints or not."""
    return score(facts_for(wanted), facts_for(offer), today or china_today())


# --- storing and telling ----------------------------------------------------------


def _plain(value: Any) -> Any:
    """A component value as JSON: tuples become lists."""
    if isinstance(value, (tuple, list)):
        return [_plain(item) for item in value]
    return value


def _components_json(result: MatchResult) -> list[dict]:
    return [
        {
            "key": part.key,
            "outcome": part.outcome.value,
            "points": round(part.points, 3),
            "weight": part.weight,
            "required": _plain(part.required),
            "offered": _plain(part.offered),
            "spec": part.spec,
        }
        for part in result.components
    ]


def _tupled(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_tupled(item) for item in value)
    return value


def result_of(match: Match) -> MatchResult:
    """The stored result of a Match, as scored then; explain() reads it in any
    language without scoring again."""
    parts = tuple(
        Component(
            key=data["key"],
            outcome=Outcome(data["outcome"]),
            points=data["points"],
            weight=data["weight"],
            required=_tupled(data["required"]),
            offered=_tupled(data["offered"]),
            spec=data.get("spec"),
        )
        for data in match.components or []
    )
    return MatchResult(match.wanted_id, match.offer_id, float(match.score), parts)


def _stored_score(result: MatchResult) -> int:
    return int(result.score + 0.5)


def _store(match: Match | None, result: MatchResult) -> Match:
    """Update the pair's row, or add it (a concurrent twin's row wins the race)."""
    if match is None:
        match = Match(offer_id=result.offer_id, wanted_id=result.wanted_id)
        match.score = _stored_score(result)
        match.components = _components_json(result)
        try:
            with db.session.begin_nested():
                db.session.add(match)
        except IntegrityError:
            match = db.session.scalars(
                select(Match).where(
                    Match.offer_id == result.offer_id,
                    Match.wanted_id == result.wanted_id,
                )
            ).one()
        else:
            return match
    match.score = _stored_score(result)
    match.components = _components_json(result)
    return match


def _store_all(
    existing: dict[tuple[int, int], Match], results: list[MatchResult], now: datetime
) -> list[tuple[Match, bool]]:
    """The row of each result, and whether its pair is still to be told.

    Stored rows are updated (and taken out of ``existing``); new ones are added in
    one INSERT that skips pairs a concurrent publication stored first (those rows
    are then loaded and updated, told already or not). Rows still to be told are
    marked told at ``now`` here (new ones go in with it), because the caller tells
    them next.
    """
    rows: list[Match | None] = []
    new = []
    for result in results:
        match = existing.pop((result.offer_id, result.wanted_id), None)
        if match is None:
            new.append(result)
        else:
            match.score = _stored_score(result)
            match.components = _components_json(result)
        rows.append(match)
    added = _insert_matches(new, now)
    stored = []
    for match, result in zip(rows, results):
        to_tell = False
        if match is None:
            match = added.get((result.offer_id, result.wanted_id))
            to_tell = match is not None
        if match is None:  # stored meanwhile by a concurrent publication
            match = _store(None, result)
        if match.notified_at is None:
            match.notified_at = now
            to_tell = True
        stored.append((match, to_tell))
    return stored


def _insert_matches(
    results: list[MatchResult], now: datetime
) -> dict[tuple[int, int], Match]:
    """Add the new pairs' rows with Core (no unit of work), skipping pairs stored
    meanwhile; the rows added, as persistent Match objects of the session."""
    if not results:
        return {}
    statement = insert_skipping_conflicts(_MT, [_MT.c.offer_id, _MT.c.wanted_id])
    if statement is None:  # other databases: the ORM, a savepoint for all
        try:
            with db.session.begin_nested():
                matches = [_new_match(result, now) for result in results]
                db.session.add_all(matches)
        except IntegrityError:
            return {}
        return {(m.offer_id, m.wanted_id): m for m in matches}
    values = [_match_row(result, now) for result in results]
    # A list of parameters: compiled once (cached), sent as multi-row batches.
    inserted = db.session.execute(
        statement.returning(_MT.c.offer_id, _MT.c.wanted_id, _MT.c.id), values
    ).all()
    ids = {(offer_id, wanted_id): row_id for offer_id, wanted_id, row_id in inserted}
    added = {}
    for row in values:
        key = (row["offer_id"], row["wanted_id"])
        if key in ids:
            match = Match(id=ids[key], **row)
            make_transient_to_detached(match)
            db.session.add(match)
            added[key] = match
    return added


def _match_row(result: MatchResult, now: datetime) -> dict:
    return {
        "offer_id": result.offer_id,
        "wanted_id": result.wanted_id,
        "score": _stored_score(result),
        "components": _components_json(result),
        "created_at": now,
        "updated_at": now,
        "notified_at": now,
    }


def _new_match(result: MatchResult, now: datetime) -> Match:
    return Match(**_match_row(result, now))


def _facts_by_ids(ids: Sequence[int]) -> dict[int, PostFacts]:
    """PostFacts of the given listings, whatever their state (for re-scoring)."""
    if not ids:
        return {}
    query = (
        select(*_fields())
        .select_from(_L.join(_E, _E.c.id == _L.c.enterprise_id))
        .where(_L.c.id.in_(ids))
    )
    return {row[0]: PostFacts._make(row) for row in db.session.execute(query)}


def match_published(listing: Listing, today: date | None = None) -> list[Match]:
    """Store the counterparts of a post just published that are worth telling, and
    tell both enterprises of each new pair, once.

    The best MATCH_LIMIT counterparts scoring at least NOTIFY_THRESHOLD get a Match
    row (or have theirs updated); the post's other Match rows are re-scored, so a
    stored score follows edits. A pair whose row has notified_at set is never told
    again, whichever post is edited or published again. Returns the rows of this
    run's matches, best first. Flushes; the caller commits.
    """
    today = today or china_today()
    subject = facts_for(listing)
    candidates = list_candidates(
        subject, listing.enterprise_id, today, NOTIFY_THRESHOLD
    )
    results = rank(subject, candidates, today, MATCH_LIMIT, NOTIFY_THRESHOLD)
    is_offer = listing.kind is ListingKind.OFFER
    own = Match.offer_id if is_offer else Match.wanted_id
    existing = {
        (match.offer_id, match.wanted_id): match
        for match in db.session.scalars(select(Match).where(own == listing.id))
    }
    stored = _store_all(existing, results, utcnow())
    _rescore(subject, existing.values(), today)
    db.session.flush()
    matches = [match for match, _to_tell in stored]
    fresh = [
        (match, result)
        for (match, to_tell), result in zip(stored, results)
        if to_tell
    ]
    if fresh:
        _tell(listing, fresh)
    log.info(
        "listing %s: %d candidates, %d matches, %d new",
        listing.id,
        len(candidates),
        len(matches),
        len(fresh),
    )
    return matches


def _rescore(subject: PostFacts, matches: Iterable[Match], today: date) -> None:
    """Bring the stored score of the subject's other pairs up to date."""
    matches = list(matches)
    is_offer = subject.kind == ListingKind.OFFER.value
    others = _facts_by_ids(
        [match.wanted_id if is_offer else match.offer_id for match in matches]
    )
    for match in matches:
        other = others.get(match.wanted_id if is_offer else match.offer_id)
        if other is None:
            continue
        wanted, offer = (other, subject) if is_offer else (subject, other)
        _store(match, score(wanted, offer, today))


def _tell(listing: Listing, fresh: list[tuple[Match, MatchResult]]) -> None:
    """Notify both enterprises of each new pair (marked told by _store_all), in one
    batch: a few statements however many pairs."""
    is_offer = listing.kind is ListingKind.OFFER
    counterpart_ids = [
        match.wanted_id if is_offer else match.offer_id for match, _result in fresh
    ]
    owners = dict(
        db.session.execute(
            select(Listing.id, Listing.enterprise_id).where(
                Listing.id.in_(counterpart_ids)
            )
        ).all()
    )
    owners[listing.id] = listing.enterprise_id
    drafts = []
    for match, result in fresh:
        payload = {
            "score": result.score,
            "summary": {
                locale: summary(result, locale, SUMMARY_KEYS) for locale in LOCALES
            },
        }
        for own_id, other_id in (
            (match.offer_id, match.wanted_id),
            (match.wanted_id, match.offer_id),
        ):
            enterprise_id = owners[own_id]
            drafts.append(
                NotificationDraft(
                    enterprise_id,
                    NotificationKind.MATCH,
                    f"match:{match.offer_id}:{match.wanted_id}:{enterprise_id}",
                    listing_id=own_id,
                    counterpart_listing_id=other_id,
                    match_id=match.id,
                    payload=payload,
                )
            )
    notify_many(drafts)


# --- wiring -----------------------------------------------------------------------


def _on_listing_published(sender: Any, listing: Listing, **extra: Any) -> None:
    """Match a post as it is published, inside the publishing transaction.

    A savepoint keeps a failure here from undoing the publication: the post goes
    public without its matches, and the error is logged.
    """
    try:
        with db.session.begin_nested():
            match_published(listing)
    except Exception:
        log.exception("matching listing %s failed", listing.id)


def register_matching(app: Flask) -> None:
    """Run matching whenever a post is published (the signal is process-wide;
    connecting the same receiver twice is a no-op)."""
    listing_published.connect(_on_listing_published)
    register_link(app, NotificationKind.MATCH, _match_page)


def _match_page(notification) -> tuple[str, dict] | None:
    """A match notification opens the pair's explanation."""
    match = db.session.get(Match, notification.match_id) if notification.match_id else None
    if match is None:
        return None
    return "matching.pair", {"offer_id": match.offer_id, "wanted_id": match.wanted_id}
