"""Score an offer against a wanted post, one component at a time; pure code.

Facts go in and numbers come out: no database and no Flask. A service builds
PostFacts from rows, narrows the candidates in SQL with prefilter(), and hands the
rest to rank(). rank() scores a wanted post against offers, or an offer against
wanted posts. A pair gets the same score whichever side asks, because the wanted
post always sets the requirements and the offer meets them or not.
explanations.py puts a MatchResult into words.
"""

from __future__ import annotations

import enum
import heapq
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any, NamedTuple

from market.domain.categories import SPEC_FIELDS, list_children, list_top_levels
from market.domain.conditions import CONDITION_GRADES

__all__ = [
    "NOTIFY_THRESHOLD",
    "WEIGHTS",
    "Component",
    "MatchResult",
    "Outcome",
    "PostFacts",
    "Prefilter",
    "family_categories",
    "is_compatible",
    "prefilter",
    "rank",
    "score",
]

Number = Decimal | float | int


class PostFacts(NamedTuple):
    """What scoring needs to know about one listing, offer or wanted post.

    This is a NamedTuple rather than a frozen dataclass. It is just as immutable
    and typed, and it builds five times faster, which counts when one publish reads
    100,000 rows. The fields are Listing's. On a wanted post, ``specs`` holds
    ranges ``{key: [low, high]}`` (either end may be None) and
    ``{"voltage_kv": [levels]}``, ``price_cny`` is the budget ceiling per unit, and
    ``condition_grade`` is the lowest grade accepted (None accepts any).
    Scoring unpacks it by position, so new fields go at the end.
    """

    id: int
    kind: str  # "offer" or "wanted"; ListingKind members compare equal
    category_slug: str
    specs: Mapping[str, Any]
    quantity: Number
    unit: str
    price_cny: Number | None = None
    negotiable: bool = False
    condition_grade: str | None = None
    province_code: str = ""
    city_code: str = ""
    district_code: str | None = None
    # An aware datetime, as Listing.published_at is (naive means UTC), or the day
    # in China as a date.
    published_at: datetime | date | None = None
    has_test_report: bool = False
    # Whether the posting enterprise is verified. Only the offer's counts.
    seller_verified: bool = False
    scrap_only: bool = False


class Outcome(enum.StrEnum):
    MET = "met"
    NEAR = "near"  # a near miss: worth a look, worth fewer points
    UNMET = "unmet"
    UNKNOWN = "unknown"  # one side did not say


@dataclass(frozen=True, slots=True)
class Component:
    """One criterion of a match: how it came out, its points, what was compared.

    ``required`` is what the wanted post asks for and ``offered`` is what the offer
    has, by key:
    voltage: levels (tuple) / level;  category: slug / slug;
    rating: (low, high) / value, with ``spec`` naming the spec key;
    quantity: (number, unit) / (number, unit);
    price: (budget, unit, negotiable) / (price, unit, negotiable);
    condition: minimum grade or None / grade;
    region: (province, city, district) codes / the same;
    freshness: None / age in days of the older post;
    evidence: None / (has_test_report, seller_verified).
    A component of weight 0 did not count: the wanted post asked nothing there.
    """

    key: str
    outcome: Outcome
    points: float
    weight: int
    required: Any = None
    offered: Any = None
    spec: str | None = None


@dataclass(frozen=True, slots=True)
class MatchResult:
    """A scored pair. ``score`` is 0–100, rounded to one decimal."""

    wanted_id: int
    offer_id: int
    score: float
    components: tuple[Component, ...]
    # False when a hard constraint fails. score() still scores such a pair, so
    # that the page can say why it fails. rank() never returns one.
    compatible: bool = True

    @property
    def worth_notifying(self) -> bool:
        return self.compatible and self.score >= NOTIFY_THRESHOLD

    def component(self, key: str) -> Component | None:
        return next((c for c in self.components if c.key == key), None)


@dataclass(frozen=True, slots=True)
class Prefilter:
    """What SQL can narrow the candidates by before rank() sees them.

    kind: the candidates' kind.
    category_slugs: every sub-category of the subject's family, because rows store
        the sub-category and not the family.
    voltage_kv: the levels that can match. An offer candidate must state one of
        them or none. A wanted-post candidate must list the subject offer's level
        or list none. Empty means any level.
    scrap_only_offers: for a wanted subject, whether offers marked scrap_only can
        match it at all.
    scrap_buyers_only: for a scrap_only offer, match only wanted posts whose
        minimum grade is "scrap" or that are scrap_only themselves.
    """

    kind: str
    category_slugs: tuple[str, ...]
    voltage_kv: tuple[float, ...]
    scrap_only_offers: bool
    scrap_buyers_only: bool


# Points out of 100 when every component applies. The key rating weighs most,
# because a transformer of the wrong size is no use at any price. Price comes
# next, then what makes a deal easy or hard (category, voltage, quantity,
# condition, distance). Freshness and evidence mostly break ties.
WEIGHTS: dict[str, int] = {
    "voltage": 10,
    "category": 10,
    "rating": 25,
    "quantity": 10,
    "price": 15,
    "condition": 10,
    "region": 10,
    "freshness": 5,
    "evidence": 5,
}
_W_VOLTAGE = WEIGHTS["voltage"]
_W_CATEGORY = WEIGHTS["category"]
_W_RATING = WEIGHTS["rating"]
_W_QUANTITY = WEIGHTS["quantity"]
_W_PRICE = WEIGHTS["price"]
_W_CONDITION = WEIGHTS["condition"]
_W_REGION = WEIGHTS["region"]
_W_FRESHNESS = WEIGHTS["freshness"]
_W_EVIDENCE = WEIGHTS["evidence"]

# A pair worth a message to both enterprises. A pair that misses the key rating
# makes at most 75, so it never qualifies. A typical good pair makes 85–95: rating
# inside the range, price within budget or left open, same city. A near miss
# (315 kVA for 400–630) qualifies only when everything else fits.
NOTIFY_THRESHOLD = 80.0

# One side did not say: half the points, neither reward nor penalty.
UNKNOWN_SHARE = 0.5
# Another sub-category of the same family (oil-immersed for dry-type, say).
RELATED_CATEGORY_SHARE = 0.3
# Inside the range, points fall from all at the middle to this share at the ends.
RATING_EDGE_SHARE = 0.8
# A rating this far outside the nearest bound, relative to that bound, is a near
# miss: 315 kVA for 400–630 kVA is 21 % below. A near miss earns a share that
# falls from NEAR_TOP_SHARE just outside to NEAR_BOTTOM_SHARE at the limit.
RATING_NEAR = 0.25
# Up to this much over the budget is a near miss on price. When either side marks
# the price negotiable there is room to meet, so the band is twice as wide.
PRICE_NEAR = 0.15
PRICE_NEAR_NEGOTIABLE = 0.30
NEAR_TOP_SHARE = 0.6
NEAR_BOTTOM_SHARE = 0.2
# The grade one below the minimum accepted.
CONDITION_NEAR_SHARE = 0.5
# Same district, same city, same province, elsewhere.
REGION_SHARES = {"district": 1.0, "city": 0.8, "province": 0.5, "none": 0.0}
# The older post's age in days. Points stay full up to FRESH_DAYS and fall to
# nothing at STALE_DAYS, the default validity of an offer. Up to NEAR_FRESH_DAYS
# the outcome counts as a near miss.
FRESH_DAYS = 14
NEAR_FRESH_DAYS = 60
STALE_DAYS = 90
# A test report says more about the equipment than the seller's verification.
TEST_REPORT_SHARE = 0.6
VERIFIED_SHARE = 0.4

_MET = Outcome.MET
_NEAR = Outcome.NEAR
_UNMET = Outcome.UNMET
_UNKNOWN = Outcome.UNKNOWN
_DISTRICT_POINTS = _W_REGION * REGION_SHARES["district"]
_CITY_POINTS = _W_REGION * REGION_SHARES["city"]
_PROVINCE_POINTS = _W_REGION * REGION_SHARES["province"]
_ELSEWHERE_POINTS = _W_REGION * REGION_SHARES["none"]
_REPORT_POINTS = _W_EVIDENCE * TEST_REPORT_SHARE
_VERIFIED_POINTS = _W_EVIDENCE * VERIFIED_SHARE
_NEAR_SLOPE = NEAR_TOP_SHARE - NEAR_BOTTOM_SHARE
_FADE_DAYS = STALE_DAYS - FRESH_DAYS


def _tables() -> tuple[dict[str, str], dict[str, str], frozenset[str]]:
    family: dict[str, str] = {}
    key_spec: dict[str, str] = {}
    with_voltage: set[str] = set()
    for top in list_top_levels():
        family[top.slug] = top.slug
        for kid in list_children(top.slug):
            family[kid.slug] = top.slug
            # Only a number can be inside a range. Where the key spec is the voltage
            # level (arresters, CTs), the voltage component already compares it.
            if kid.key_spec and SPEC_FIELDS[kid.key_spec].kind == "number":
                key_spec[kid.slug] = kid.key_spec
            if "voltage_kv" in kid.spec_keys:
                with_voltage.add(kid.slug)
    return family, key_spec, frozenset(with_voltage)


# Built once at import: in the hot loop a dict lookup is all there is time for.
_FAMILY, _KEY_SPEC, _WITH_VOLTAGE = _tables()
_RANK = {grade.slug: grade.rank for grade in CONDITION_GRADES}


class _Wanted(NamedTuple):
    """A wanted post unpacked once into what the comparisons read.

    _evaluate() unpacks it in one step, in this order.
    """

    id: int
    slug: str
    family: str | None
    voltage_applies: bool
    levels: list[float] | tuple[float, ...] | None
    key: str | None
    low: float | None
    high: float | None
    half: float | None  # half the width of a closed range, if it has one
    quantity: float
    unit: str
    budget: float | None
    negotiable: bool
    min_rank: int | None  # None accepts any grade
    minimum: str | None
    province: str
    city: str
    district: str | None
    day: int | None
    accepts_scrap_only: bool


_EPOCH_DAY = date(1970, 1, 1).toordinal()
_CHINA_OFFSET = 8 * 3600  # seconds; China has kept one offset all year since 1991
_DAY_SECONDS = 86400


def _day(moment: datetime | date | None) -> int | None:
    """The ordinal of the calendar day in China on which ``moment`` falls."""
    if moment is None:
        return None
    if isinstance(moment, datetime):
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        # Arithmetic on the timestamp: three times faster than astimezone().
        return int((moment.timestamp() + _CHINA_OFFSET) // _DAY_SECONDS) + _EPOCH_DAY
    return moment.toordinal()


def _wanted(post: PostFacts) -> _Wanted:
    # Unpacked in one step, as in _evaluate(): about half the cost of reading the
    # attributes one by one.
    (
        post_id, _kind, slug, specs, quantity, unit, budget, negotiable,
        minimum, province, city, district, published,
        _report, _verified, scrap_only,
    ) = post  # fmt: skip
    specs = specs or {}
    key = _KEY_SPEC.get(slug)
    low = high = half = None
    if key is not None:
        bounds = specs.get(key)
        if isinstance(bounds, (list, tuple)) and len(bounds) == 2:
            low, high = bounds
            if low is not None and high is not None and high > low:
                half = (high - low) / 2
        elif isinstance(bounds, (int, float)):
            low = high = bounds
    minimum = minimum or None
    return tuple.__new__(
        _Wanted,
        (
            post_id,
            slug,
            _FAMILY.get(slug),
            slug in _WITH_VOLTAGE,
            specs.get("voltage_kv") or None,
            key,
            low,
            high,
            half,
            float(quantity),
            unit,
            None if budget is None else float(budget),
            bool(negotiable),
            _RANK.get(minimum) if minimum else None,
            minimum,
            province,
            city,
            district,
            _day(published),
            # Eliminated models may be sold only as scrap (节约能源法): to someone
            # who asks for scrap, not to a buyer who might put them back in use.
            minimum == "scrap" or bool(scrap_only),
        ),
    )


def _compatible(w: _Wanted, offer: PostFacts) -> bool:
    if w.family is None or _FAMILY.get(offer.category_slug) != w.family:
        return False
    if offer.scrap_only and not w.accepts_scrap_only:
        return False
    if w.levels:
        # A level that one side left out is no reason to exclude the pair.
        level = offer.specs.get("voltage_kv")
        if level is not None and level not in w.levels:
            return False
    return True


def _evaluate(
    w: _Wanted, offer: PostFacts, today: int, parts: list[Component] | None
) -> float:
    """The pair's score. Also appends its components to ``parts`` when given.

    This one function serves both the hot loop of rank() (``parts`` is None) and
    the full result, so a ranked score and its explanation cannot disagree. It
    unpacks both tuples in one step, which costs about half as much as reading
    their attributes one by one.
    """
    (
        _wid, slug, family, voltage_applies, levels, key, low, high, half,
        wanted_quantity, wanted_unit, budget, wanted_negotiable, min_rank, minimum,
        province, city, district, wanted_day, _accepts_scrap_only,
    ) = w  # fmt: skip
    (
        _oid, _kind, offer_slug, specs, quantity, unit, price, negotiable,
        grade, offer_province, offer_city, offer_district, published,
        report, verified, _scrap_only,
    ) = offer  # fmt: skip
    earned = 0.0
    possible = 0

    # A requirement the wanted post leaves out does not count (weight 0): the
    # pair is judged on what was asked. A rating the offer leaves out counts as
    # unknown, half the points, because the buyer would have to ask.
    if voltage_applies:
        level = specs.get("voltage_kv")
        weight = _W_VOLTAGE
        if not levels:
            outcome, points, weight = _UNKNOWN, 0.0, 0
        elif level is None:
            outcome, points = _UNKNOWN, _W_VOLTAGE * UNKNOWN_SHARE
        elif level in levels:
            outcome, points = _MET, float(_W_VOLTAGE)
        else:
            outcome, points = _UNMET, 0.0
        earned += points
        possible += weight
        if parts is not None:
            required = tuple(levels) if levels else None
            parts.append(Component("voltage", outcome, points, weight, required, level))

    if offer_slug == slug:
        outcome, points = _MET, float(_W_CATEGORY)
    elif family is not None and _FAMILY.get(offer_slug) == family:
        outcome, points = _NEAR, _W_CATEGORY * RELATED_CATEGORY_SHARE
    else:
        outcome, points = _UNMET, 0.0
    earned += points
    possible += _W_CATEGORY
    if parts is not None:
        parts.append(
            Component("category", outcome, points, _W_CATEGORY, slug, offer_slug)
        )

    if key is not None:
        value = specs.get(key)
        weight = _W_RATING
        if low is None and high is None:
            outcome, points, weight = _UNKNOWN, 0.0, 0
        elif value is None:
            outcome, points = _UNKNOWN, _W_RATING * UNKNOWN_SHARE
        elif (low is None or value >= low) and (high is None or value <= high):
            outcome = _MET
            if half is not None:
                off_middle = abs(value - low - half) / half
                points = _W_RATING * (1.0 - (1.0 - RATING_EDGE_SHARE) * off_middle)
            else:
                points = float(_W_RATING)
        else:
            if low is not None and value < low:
                miss = (low - value) / low
            else:
                miss = (value - high) / high
            if miss <= RATING_NEAR:
                outcome = _NEAR
                points = _W_RATING * (NEAR_TOP_SHARE - _NEAR_SLOPE * miss / RATING_NEAR)
            else:
                outcome, points = _UNMET, 0.0
        earned += points
        possible += weight
        if parts is not None:
            parts.append(
                Component("rating", outcome, points, weight, (low, high), value, key)
            )

    # Quantities and per-unit prices compare only in the same unit: a group of
    # batteries against pieces, or a drum against metres, says nothing.
    same_unit = unit == wanted_unit
    quantity = float(quantity)
    if not same_unit:
        outcome, points = _UNKNOWN, _W_QUANTITY * UNKNOWN_SHARE
    elif quantity >= wanted_quantity:
        outcome, points = _MET, float(_W_QUANTITY)
    elif quantity > 0:
        outcome, points = _NEAR, _W_QUANTITY * quantity / wanted_quantity
    else:
        outcome, points = _UNMET, 0.0
    earned += points
    possible += _W_QUANTITY
    if parts is not None:
        parts.append(
            Component(
                "quantity",
                outcome,
                points,
                _W_QUANTITY,
                (wanted_quantity, wanted_unit),
                (quantity, unit),
            )
        )

    if price is not None:
        price = float(price)
    if budget is None or price is None or not same_unit:
        outcome, points = _UNKNOWN, _W_PRICE * UNKNOWN_SHARE
    elif price <= budget:
        outcome, points = _MET, float(_W_PRICE)
    else:
        limit = PRICE_NEAR_NEGOTIABLE if negotiable or wanted_negotiable else PRICE_NEAR
        over = (price - budget) / budget if budget > 0 else limit + 1.0
        if over <= limit:
            outcome = _NEAR
            points = _W_PRICE * (NEAR_TOP_SHARE - _NEAR_SLOPE * over / limit)
        else:
            outcome, points = _UNMET, 0.0
    earned += points
    possible += _W_PRICE
    if parts is not None:
        parts.append(
            Component(
                "price",
                outcome,
                points,
                _W_PRICE,
                (budget, wanted_unit, wanted_negotiable),
                (price, unit, bool(negotiable)),
            )
        )

    grade_rank = _RANK.get(grade) if grade else None
    if grade_rank is None:
        outcome, points = _UNKNOWN, _W_CONDITION * UNKNOWN_SHARE
    elif min_rank is None or grade_rank <= min_rank:
        outcome, points = _MET, float(_W_CONDITION)
    elif grade_rank == min_rank + 1:
        outcome, points = _NEAR, _W_CONDITION * CONDITION_NEAR_SHARE
    else:
        outcome, points = _UNMET, 0.0
    earned += points
    possible += _W_CONDITION
    if parts is not None:
        parts.append(
            Component("condition", outcome, points, _W_CONDITION, minimum, grade)
        )

    if not province or not offer_province:
        outcome, points = _UNKNOWN, _W_REGION * UNKNOWN_SHARE
    elif district and district == offer_district:
        outcome, points = _MET, _DISTRICT_POINTS
    elif city and city == offer_city:
        outcome, points = _MET, _CITY_POINTS
    elif province == offer_province:
        outcome, points = _NEAR, _PROVINCE_POINTS
    else:
        outcome, points = _UNMET, _ELSEWHERE_POINTS
    earned += points
    possible += _W_REGION
    if parts is not None:
        parts.append(
            Component(
                "region",
                outcome,
                points,
                _W_REGION,
                (province, city, district),
                (offer_province, offer_city, offer_district),
            )
        )

    # The pair is as fresh as its older post: a stale offer may be sold already,
    # and a stale wanted post may have been filled.
    offer_day = _day(published)
    age = None
    if wanted_day is None or offer_day is None:
        outcome, points = _UNKNOWN, _W_FRESHNESS * UNKNOWN_SHARE
    else:
        age = today - (wanted_day if wanted_day < offer_day else offer_day)
        if age <= FRESH_DAYS:
            age = max(age, 0)
            outcome, points = _MET, float(_W_FRESHNESS)
        else:
            outcome = _NEAR if age <= NEAR_FRESH_DAYS else _UNMET
            points = _W_FRESHNESS * max(0.0, 1.0 - (age - FRESH_DAYS) / _FADE_DAYS)
    earned += points
    possible += _W_FRESHNESS
    if parts is not None:
        parts.append(Component("freshness", outcome, points, _W_FRESHNESS, None, age))

    if report:
        outcome = _MET if verified else _NEAR
        points = _REPORT_POINTS + _VERIFIED_POINTS if verified else _REPORT_POINTS
    elif verified:
        outcome, points = _NEAR, _VERIFIED_POINTS
    else:
        outcome, points = _UNMET, 0.0
    earned += points
    possible += _W_EVIDENCE
    if parts is not None:
        evidence = (bool(report), bool(verified))
        parts.append(
            Component("evidence", outcome, points, _W_EVIDENCE, None, evidence)
        )

    # Components that do not apply to the category (no voltage level, no numeric
    # key rating) leave the total out, so every score runs from 0 to 100. Rounded
    # by hand because round() alone costs a sixth of the whole evaluation.
    return int(1000.0 * earned / possible + 0.5) / 10.0


def _check_kinds(wanted: PostFacts, offer: PostFacts) -> None:
    if wanted.kind != "wanted" or offer.kind != "offer":
        raise ValueError("score() takes a wanted post, then an offer")


def is_compatible(wanted: PostFacts, offer: PostFacts) -> bool:
    """Whether the hard constraints let this pair match at all.

    The category family must be the same. The offer's voltage level must be one
    the wanted post lists, unless either side left it out. An offer of an
    eliminated model (scrap_only) goes only to a buyer who asks for scrap.
    """
    _check_kinds(wanted, offer)
    return _compatible(_wanted(wanted), offer)


def score(wanted: PostFacts, offer: PostFacts, today: date) -> MatchResult:
    """Score ``offer`` against ``wanted`` with every component, hard constraints or
    not (see MatchResult.compatible)."""
    _check_kinds(wanted, offer)
    w = _wanted(wanted)
    return _result(w, offer, today.toordinal())


def _result(w: _Wanted, offer: PostFacts, today: int) -> MatchResult:
    parts: list[Component] = []
    total = _evaluate(w, offer, today, parts)
    return MatchResult(w.id, offer.id, total, tuple(parts), _compatible(w, offer))


def rank(
    subject: PostFacts,
    candidates: Iterable[PostFacts],
    today: date,
    limit: int = 20,
    min_score: float = 0.0,
) -> list[MatchResult]:
    """The best ``limit`` matches for ``subject`` among ``candidates``, best first.

    A wanted subject ranks offers, and an offer subject ranks wanted posts. Pairs
    that fail a hard constraint or score below ``min_score`` are left out. Ties go
    to the lower id, the older post. Only the winners get full components.
    """
    day = today.toordinal()
    if subject.kind == "wanted":
        w = _wanted(subject)
        offers = _scored_offers(w, candidates, day, min_score)
        return [_result(w, offer, day) for *_, offer in heapq.nlargest(limit, offers)]
    if subject.kind == "offer":
        posts = _scored_wanted_posts(subject, candidates, day, min_score)
        return [
            _result(_wanted(wanted), subject, day)
            for *_, wanted in heapq.nlargest(limit, posts)
        ]
    raise ValueError(f"unknown listing kind {subject.kind!r}")


# rank() keeps only the best few with heapq.nlargest. The generators below feed
# it (score, -id, position, post): the lower id wins a tie, and the position
# settles a duplicate before the comparison can reach the posts themselves.
_Scored = tuple[float, int, int, PostFacts]


def _scored_offers(
    w: _Wanted, offers: Iterable[PostFacts], day: int, min_score: float
) -> Iterator[_Scored]:
    family = w.family
    for position, offer in enumerate(offers):
        # The family test inline first: most rows of a mixed batch fail it, and a
        # call to _compatible() costs more than the test.
        if _FAMILY.get(offer.category_slug) == family and _compatible(w, offer):
            total = _evaluate(w, offer, day, None)
            if total >= min_score:
                yield total, -offer.id, position, offer


def _scored_wanted_posts(
    offer: PostFacts, posts: Iterable[PostFacts], day: int, min_score: float
) -> Iterator[_Scored]:
    family = _FAMILY.get(offer.category_slug)
    for position, post in enumerate(posts):
        # The family test comes first, because unpacking a wanted post costs more
        # than the test does.
        if _FAMILY.get(post.category_slug) != family:
            continue
        w = _wanted(post)
        if _compatible(w, offer):
            total = _evaluate(w, offer, day, None)
            if total >= min_score:
                yield total, -post.id, position, post


def family_categories(slug: str) -> tuple[str, ...]:
    """Every sub-category in the family of ``slug``; () for an unknown slug."""
    family = _FAMILY.get(slug)
    if family is None:
        return ()
    return tuple(kid.slug for kid in list_children(family))


def prefilter(subject: PostFacts) -> Prefilter:
    """What a query can filter candidates by for ``subject``; see Prefilter."""
    if subject.kind == "wanted":
        levels = (subject.specs or {}).get("voltage_kv") or ()
        accepts_scrap = subject.condition_grade == "scrap" or subject.scrap_only
        return Prefilter(
            kind="offer",
            category_slugs=family_categories(subject.category_slug),
            voltage_kv=tuple(float(level) for level in levels),
            scrap_only_offers=accepts_scrap,
            scrap_buyers_only=False,
        )
    level = (subject.specs or {}).get("voltage_kv")
    return Prefilter(
        kind="wanted",
        category_slugs=family_categories(subject.category_slug),
        voltage_kv=() if level is None else (float(level),),
        scrap_only_offers=True,
        scrap_buyers_only=subject.scrap_only,
    )
