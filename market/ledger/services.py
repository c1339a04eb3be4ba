"""Import a ledger as pending posts (all rows or none) and export one's own posts."""

import logging
import re
from dataclasses import dataclass, field
from datetime import date
from functools import cache

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from market.accounts.models import User
from market.domain.categories import SPEC_FIELDS, find_by_name
from market.domain.conditions import ASSET_SOURCES, CONDITION_GRADES, QUANTITY_UNITS
from market.domain.regions import get_region, list_children, list_provinces
from market.domain.units import normalize_text
from market.exceptions import NotAllowed, ValidationFailed
from market.extensions import db
from market.ledger.spreadsheet import (
    COLUMNS,
    OFFER_WORD,
    WANTED_WORD,
    Ledger,
    LedgerRejected,
    LedgerRow,
    is_example_row,
    read_ledger,
    write_export,
)
from market.listings.models import Listing
from market.listings.presentation import LISTING_STATUS_LABELS
from market.listings.services import create_listing, require_publisher, today
from market.listings.validation import ListingInput, validate_listing

log = logging.getLogger(__name__)

KIND_WORDS = {
    "offer": (OFFER_WORD, "供应", "出让", "转让", "卖", "offer", "sell", "sale"),
    "wanted": (WANTED_WORD, "采购", "收购", "求", "买", "wanted", "want", "buy"),
}
YES_WORDS = ("是", "面议", "可议", "议价", "y", "yes", "true", "1", "√", "✓")
NO_WORDS = ("否", "不", "n", "no", "false", "0", "×")
# Longest first: "新疆维吾尔自治区" and "新疆" are the same province.
REGION_SUFFIXES = (
    "维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "自治州",
    "地区", "省", "市", "区", "县", "盟", "旗",
)  # fmt: skip
# Old-style ledgers put a municipality's districts under "市辖区".
MUNICIPAL_PLACEHOLDERS = ("市辖区", "县")
LEVEL_SEPARATORS = re.compile(r"[/、,;\s]+")
RANGE_SEPARATOR = re.compile(r"(?<=[0-9a-zA-Z.])\s*(?:-|~|至|到)\s*")
AT_LEAST = (("≥", ">=", ">"), ("及以上", "以上"))
AT_MOST = (("≤", "<=", "<"), ("及以下", "以下"))
# validate_listing's field names that do not match a column key.
FIELD_COLUMNS = {"valid_until": "until", "wanted_by": "until"}
COLUMN_ORDER = {column.key: index for index, column in enumerate(COLUMNS)}


@dataclass(frozen=True)
class RowError:
    """One problem: the row number Excel shows, the column's header, the message."""

    row: int
    column: str
    letter: str
    message: object  # a lazy string, translated when shown


@dataclass
class ImportResult:
    created: int = 0
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def rows_with_errors(self) -> int:
        return len({error.row for error in self.errors})


def import_ledger(actor: User, filename: str, data: bytes) -> ImportResult:
    """Check every row of an uploaded ledger; only if all pass, add them all as posts
    waiting for review. Flushes; the caller commits once (or rolls back).

    Raises ValidationFailed({"ledger": [...]}) when the file itself is unusable.
    """
    require_publisher(actor)
    try:
        ledger = read_ledger(filename, data)
    except LedgerRejected as rejected:
        raise ValidationFailed({"ledger": [rejected.message]}) from None
    if not ledger.rows:
        raise ValidationFailed({"ledger": [_l("The file holds no rows to import.")]})
    day = today()
    inputs: list[ListingInput] = []
    errors: list[RowError] = []
    for row in ledger.rows:
        data_input, problems = check_row(row, day)
        inputs.append(data_input)
        errors.extend(_row_errors(ledger, row, problems))
    result = ImportResult(rows=len(ledger.rows), errors=errors)
    if errors:
        return result
    for data_input in inputs:
        create_listing(actor, data_input, submit=True)
    db.session.flush()
    result.created = len(inputs)
    log.info(
        "ledger import: enterprise %s added %s pending posts",
        actor.enterprise_id,
        result.created,
    )
    return result


def check_row(row: LedgerRow, day: date) -> tuple[ListingInput, dict[str, list]]:
    """The row as a ListingInput, and its problems keyed by column key."""
    values = row.values
    own: dict[str, list] = {}

    kind = _kind(values.get("kind", ""))
    category_slug = ""
    category_text = values.get("category_slug", "")
    if category_text:
        category = find_by_name(category_text)
        if category is None or category.parent_slug is None:
            own["category_slug"] = [
                _l(
                    "“%(name)s” is not in the category list: choose one from the "
                    "drop-down.",
                    name=category_text,
                )
            ]
        else:
            category_slug = category.slug

    negotiable = _yes_no(values.get("negotiable", ""))
    if negotiable is None:
        own["negotiable"] = [_l("Write 是 (yes) or 否 (no).")]
        # Read as "yes", so that a missing price is not reported on top of this.
        negotiable = True

    (province, city, district), region_problems = resolve_region(
        values.get("province", ""), values.get("city", ""), values.get("district", "")
    )
    own.update(region_problems)

    if is_example_row(values):
        own.setdefault("title", []).append(
            _l("This is the template's example row: delete it before importing.")
        )

    until = values.get("until", "")
    data = ListingInput(
        kind=kind,
        category_slug=category_slug,
        title=values.get("title", ""),
        quantity=values.get("quantity", ""),
        unit=_choice(values.get("unit", ""), QUANTITY_UNITS),
        province=province,
        city=city,
        district=district,
        address=values.get("address", ""),
        manufacturer=values.get("manufacturer", ""),
        model_raw=values.get("model_raw", ""),
        year_made=values.get("year_made", ""),
        service_years=values.get("service_years", ""),
        asset_source=_choice(values.get("asset_source", ""), ASSET_SOURCES),
        condition_grade=_choice(values.get("condition_grade", ""), CONDITION_GRADES),
        price_cny=values.get("price_cny", ""),
        negotiable=negotiable,
        description=values.get("description", ""),
        valid_until=until if kind != "wanted" else "",
        wanted_by=until if kind == "wanted" else "",
        contact_name=values.get("contact_name", ""),
        contact_mobile=values.get("contact_mobile", ""),
        specs=_specs(values, wanted=kind == "wanted"),
    )
    _fields, reasons = validate_listing(data, day)
    problems: dict[str, list] = {}
    for name, messages in reasons.items():
        key = _column_key(name)
        if key not in own:  # our message about the cell says more
            problems.setdefault(key, []).extend(messages)
    for key, messages in own.items():
        problems.setdefault(key, []).extend(messages)
    return data, problems


def _row_errors(ledger: Ledger, row: LedgerRow, problems: dict) -> list[RowError]:
    errors = []
    for key in sorted(problems, key=lambda k: COLUMN_ORDER.get(k, len(COLUMN_ORDER))):
        seen = set()
        for message in problems[key]:
            text = str(message)
            if text in seen:
                continue
            seen.add(text)
            errors.append(
                RowError(
                    row.number,
                    ledger.column_name(key),
                    ledger.column_letter(key),
                    message,
                )
            )
    return errors


def _column_key(name: str) -> str:
    if name in SPEC_FIELDS:
        return f"spec:{name}"
    return FIELD_COLUMNS.get(name, name)


def _word(text: str) -> str:
    return "".join(normalize_text(text).split()).casefold()


def _kind(text: str) -> str:
    word = _word(text)
    for kind, words in KIND_WORDS.items():
        if word in words:
            return kind
    return text  # validate_listing explains what the column takes


def _yes_no(text: str) -> bool | None:
    word = _word(text)
    if not word or word in NO_WORDS:
        return False
    if word in YES_WORDS:
        return True
    return None


def _choice(text: str, items) -> str:
    """The code of the item whose code, Chinese or English label is ``text``."""
    word = _word(text)
    if not word:
        return ""
    for item in items:
        if word in (_word(item.slug), _word(item.zh), _word(item.en)):
            return item.slug
    return text  # not a code: validate_listing says to choose one


def _specs(values: dict[str, str], wanted: bool) -> dict:
    """Spec cells in the shape validate_listing expects for the post's kind."""
    specs: dict = {}
    for column in COLUMNS:
        key = column.spec_key
        if key is None:
            continue
        text = values.get(column.key, "")
        if not wanted:
            specs[key] = text
        elif key == "voltage_kv":
            specs[key] = [part for part in LEVEL_SEPARATORS.split(text) if part]
        elif SPEC_FIELDS[key].kind == "number":
            specs[key] = spec_range(text)
        else:
            specs[key] = text
    return specs


def spec_range(text: str) -> tuple[str, str]:
    """"315-630", "315~630", "≥315", "630以下" or "400" as (low, high) texts."""
    text = normalize_text(text)
    if not text:
        return "", ""
    for (prefixes, suffixes), bound in ((AT_LEAST, "low"), (AT_MOST, "high")):
        for prefix in prefixes:
            if text.startswith(prefix):
                rest = text[len(prefix) :].strip()
                return (rest, "") if bound == "low" else ("", rest)
        for suffix in suffixes:
            if text.endswith(suffix):
                rest = text[: -len(suffix)].strip()
                return (rest, "") if bound == "low" else ("", rest)
    parts = RANGE_SEPARATOR.split(text, maxsplit=1)
    if len(parts) == 2:
        return parts[0], parts[1]
    return text, text


# --- region names -----------------------------------------------------------------


def _short_name(name: str) -> str:
    for suffix in REGION_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


@cache
def _names_under(parent: str | None) -> tuple[dict[str, str], dict[str, str]]:
    """Full names and unambiguous short names of the regions under ``parent``."""
    regions = list_provinces() if parent is None else list_children(parent)
    exact = {region.name: region.code for region in regions}
    short: dict[str, list[str]] = {}
    for region in regions:
        short.setdefault(_short_name(region.name), []).append(region.code)
    return exact, {name: codes[0] for name, codes in short.items() if len(codes) == 1}


def find_region(text: str, parent: str | None) -> str | None:
    """The code of the region called ``text`` (or "枣庄" for 枣庄市) under ``parent``."""
    name = "".join(normalize_text(text).split())
    if not name:
        return None
    if name.isdigit():
        region = get_region(name)
        return region.code if region and region.parent_code == parent else None
    exact, short = _names_under(parent)
    return exact.get(name) or short.get(_short_name(name))


def resolve_region(
    province_text: str, city_text: str, district_text: str
) -> tuple[tuple[str, str, str], dict[str, list]]:
    """Codes for the three region cells, and problems keyed by column.

    An empty cell stays empty, for validate_listing to report.
    """
    if not province_text:
        return ("", "", ""), {}
    province = find_region(province_text, None)
    if province is None:
        return ("", "", ""), {
            "province": [
                _l(
                    "“%(name)s” is not a province, autonomous region or "
                    "municipality.",
                    name=province_text,
                )
            ]
        }
    parent_name = get_region(province).name
    if not city_text:
        return (province, "", ""), {}
    city = find_region(city_text, province)
    city_word = _word(city_text)
    if (
        city is None
        and district_text
        and (
            city_word in MUNICIPAL_PLACEHOLDERS
            or _short_name(city_word) == _short_name(parent_name)
        )
    ):
        # 北京市 / 北京市 / 东城区: a municipality's districts sit on the city level.
        city = find_region(district_text, province)
        if city is not None:
            return (province, city, ""), {}
    if city is None:
        return (province, "", ""), {"city": [_not_part_of(city_text, parent_name)]}
    if not district_text:
        return (province, city, ""), {}
    district = find_region(district_text, city)
    if district is None:
        return (province, city, ""), {
            "district": [_not_part_of(district_text, get_region(city).name)]
        }
    return (province, city, district), {}


def _not_part_of(name: str, parent: str):
    return _l("“%(name)s” is not part of %(parent)s.", name=name, parent=parent)


# --- export -----------------------------------------------------------------------


def list_own_listings(enterprise_id: int) -> list[Listing]:
    """Every post of the enterprise, in every state, oldest first."""
    return list(
        db.session.scalars(
            select(Listing)
            .where(Listing.enterprise_id == enterprise_id)
            .order_by(Listing.id)
        )
    )


def export_ledger(actor: User) -> bytes:
    """The actor's enterprise's posts as an .xlsx in the template's layout."""
    if actor.enterprise_id is None:
        raise NotAllowed("only members of an enterprise have posts")
    listings = list_own_listings(actor.enterprise_id)
    return write_export(
        listings, lambda status: str(LISTING_STATUS_LABELS.get(status, status))
    )
