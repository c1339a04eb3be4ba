"""Check what a seller typed and turn it into canonical listing fields.

One function serves the web form and the spreadsheet import alike, so a row of a
ledger is held to exactly the rules of the form.
"""

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l

from market.accounts.services import MOBILE_PATTERN
from market.domain.categories import SPEC_FIELDS, get_category, parse_spec
from market.domain.conditions import get_asset_source, get_grade, get_quantity_unit
from market.domain.model_numbers import parse_model
from market.domain.regions import validate_region
from market.domain.units import UnitError
from market.listings.models import ListingKind

CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")
MAX_PRICE = Decimal("1000000000")
MAX_QUANTITY = Decimal("10000000")
DEFAULT_VALIDITY_DAYS = 90
MAX_VALIDITY_DAYS = 365
FIRST_YEAR = 1950
UNIT_DISPLAY = {"mm2": "mm²"}

REGION_FIELDS = {
    "unknown_province": "province",
    "unknown_city": "city",
    "city_not_in_province": "city",
    "district_required": "district",
    "unknown_district": "district",
    "district_not_in_city": "district",
}


@dataclass
class ListingInput:
    """What the seller typed, as text (from the form or a spreadsheet row)."""

    kind: str
    category_slug: str
    title: str
    quantity: str
    unit: str
    province: str
    city: str
    district: str = ""
    address: str = ""
    manufacturer: str = ""
    model_raw: str = ""
    year_made: str = ""
    service_years: str = ""
    asset_source: str = ""
    condition_grade: str = ""
    price_cny: str = ""
    negotiable: bool = False
    description: str = ""
    valid_until: str = ""
    wanted_by: str = ""
    contact_name: str = ""
    contact_mobile: str = ""
    scrap_confirmed: bool = False
    # Offers: key → text; wanted posts: key → (low text, high text) and
    # "voltage_kv" → list of level texts.
    specs: dict = field(default_factory=dict)


def validate_listing(data: ListingInput, today: date) -> tuple[dict, dict]:
    """Canonical fields for a Listing, or the reasons keyed by field name.

    Returns (fields, reasons); fields is complete only when reasons is empty.
    """
    reasons: dict[str, list] = {}
    fields: dict = {}

    def fail(name: str, message) -> None:
        reasons.setdefault(name, []).append(message)

    try:
        kind = ListingKind(data.kind)
    except ValueError:
        fail("kind", _l("Choose whether you offer or want equipment."))
        kind = ListingKind.OFFER
    fields["kind"] = kind

    category = get_category(data.category_slug or "")
    if category is None or category.parent_slug is None:
        fail("category_slug", _l("Choose an equipment category."))
    fields["category_slug"] = data.category_slug

    title = _text(data.title)
    if not title:
        fail("title", _l("Enter a title."))
    elif len(title) > 120:
        fail("title", _l("The title must have at most 120 characters."))
    fields["title"] = title

    for name, limit in (("manufacturer", 100), ("model_raw", 100), ("address", 200)):
        value = _text(getattr(data, name))
        if len(value) > limit:
            fail(name, _l("At most %(count)s characters.", count=limit))
        fields[name] = value or None
    description = _text(data.description, keep_newlines=True)
    if len(description) > 5000:
        fail("description", _l("At most %(count)s characters.", count=5000))
    fields["description"] = description or None

    fields["year_made"] = _whole_number(
        data.year_made, "year_made", FIRST_YEAR, today.year, fail,
        _l("Enter a year between %(low)s and %(high)s.", low=FIRST_YEAR, high=today.year),
    )
    fields["service_years"] = _whole_number(
        data.service_years, "service_years", 0, 80, fail,
        _l("Enter the years in service as a whole number from 0 to 80."),
    )
    if (
        fields["year_made"] is not None
        and fields["service_years"] is not None
        and fields["service_years"] > today.year - fields["year_made"]
    ):
        fail("service_years", _l("The years in service exceed the equipment's age."))

    quantity = _decimal(data.quantity)
    if quantity is not None:
        quantity = quantity.quantize(Decimal("0.01"))
    if quantity is None or quantity <= 0 or quantity > MAX_QUANTITY:
        fail("quantity", _l("Enter a quantity greater than 0."))
    fields["quantity"] = quantity
    if get_quantity_unit(data.unit or "") is None:
        fail("unit", _l("Choose the unit of quantity."))
    fields["unit"] = data.unit

    price = None
    if _text(data.price_cny):
        price = _decimal(data.price_cny)
        if price is None or price < 0 or price > MAX_PRICE:
            fail("price_cny", _l("Enter a price in yuan, from 0 to 1,000,000,000."))
    elif not data.negotiable:
        if kind is ListingKind.OFFER:
            fail("price_cny", _l("Enter a price, or mark it as negotiable."))
        else:
            fail("price_cny", _l("Enter a budget, or mark it as negotiable."))
    fields["price_cny"] = price.quantize(Decimal("0.01")) if price is not None else None
    fields["negotiable"] = bool(data.negotiable)

    grade = data.condition_grade or None
    if kind is ListingKind.OFFER and (grade is None or get_grade(grade) is None):
        fail("condition_grade", _l("Choose the condition grade."))
    elif grade is not None and get_grade(grade) is None:
        fail("condition_grade", _l("Choose the condition grade."))
    fields["condition_grade"] = grade

    source = data.asset_source or None
    if source is not None and get_asset_source(source) is None:
        fail("asset_source", _l("Choose where the equipment comes from."))
    fields["asset_source"] = source if kind is ListingKind.OFFER else None

    region_problem = validate_region(data.province, data.city, data.district or None)
    if region_problem:
        fail(REGION_FIELDS[region_problem], _l("Choose where the equipment is."))
    fields["province_code"] = data.province
    fields["city_code"] = data.city
    fields["district_code"] = data.district or None

    contact_name = _text(data.contact_name)
    if not contact_name or len(contact_name) > 50:
        fail("contact_name", _l("Enter the contact person's name."))
    fields["contact_name"] = contact_name
    mobile = re.sub(r"[\s\-]", "", data.contact_mobile or "")
    if mobile.startswith("+86"):
        mobile = mobile[3:]
    if not MOBILE_PATTERN.match(mobile):
        fail(
            "contact_mobile",
            _l("Enter an 11-digit mainland mobile number starting with 13 to 19."),
        )
    fields["contact_mobile"] = mobile

    fields["valid_until"] = None
    fields["wanted_by"] = None
    if kind is ListingKind.OFFER:
        fields["valid_until"] = _future_date(
            data.valid_until,
            "valid_until",
            today,
            today + timedelta(days=DEFAULT_VALIDITY_DAYS),
            fail,
        )
    else:
        fields["wanted_by"] = _future_date(data.wanted_by, "wanted_by", today, None, fail)

    if category is not None and category.parent_slug is not None:
        if kind is ListingKind.OFFER:
            fields["specs"] = _offer_specs(category, data.specs, fail)
        else:
            fields["specs"] = _wanted_specs(category, data.specs, fail)
    else:
        fields["specs"] = {}

    fields["scrap_only"] = False
    parsed = parse_model(fields["model_raw"] or "") if fields["model_raw"] else None
    if parsed is not None and parsed.eliminated:
        if kind is ListingKind.OFFER and grade != "scrap":
            fail(
                "model_raw",
                _l(
                    "This model is on the national list of eliminated high-loss "
                    "equipment: it may only be sold as scrap (condition grade 'scrap')."
                ),
            )
        fields["scrap_only"] = True
    return fields, reasons


def _offer_specs(category, raw_specs: dict, fail) -> dict:
    specs = {}
    for key in category.spec_keys:
        spec = SPEC_FIELDS[key]
        raw = raw_specs.get(key)
        value = _spec_value(spec, raw, key, fail)
        if value is not None:
            specs[key] = value
    return specs


def _wanted_specs(category, raw_specs: dict, fail) -> dict:
    specs = {}
    for key in category.spec_keys:
        spec = SPEC_FIELDS[key]
        raw = raw_specs.get(key)
        if key == "voltage_kv":
            levels = []
            for item in raw or []:
                value = _spec_value(spec, item, key, fail)
                if value is not None and value not in levels:
                    levels.append(value)
            if levels:
                specs[key] = sorted(levels)
            continue
        if spec.kind != "number":
            value = _spec_value(spec, raw if isinstance(raw, str) else None, key, fail)
            if value is not None:
                specs[key] = value
            continue
        low_raw, high_raw = raw if isinstance(raw, (list, tuple)) else (raw, raw)
        low = _spec_value(spec, low_raw, key, fail)
        high = _spec_value(spec, high_raw, key, fail)
        if low is not None and high is not None and low > high:
            fail(key, _l("The lower bound is above the upper bound."))
        elif low is not None or high is not None:
            specs[key] = [low, high]
    return specs


def _spec_value(spec, raw, key: str, fail):
    text = _text(raw if isinstance(raw, str) else "" if raw is None else str(raw))
    if not text:
        return None
    try:
        return parse_spec(key, text)
    except UnitError:
        if spec.kind == "number":
            fail(key, _l("Enter a number in %(unit)s.", unit=UNIT_DISPLAY.get(spec.unit, spec.unit)))
        else:
            fail(key, _l("Choose one of the offered values."))
        return None


def _text(value, keep_newlines: bool = False) -> str:
    value = value or ""
    if not keep_newlines:
        value = value.replace("\r", " ").replace("\n", " ")
    return CONTROL_CHARACTERS.sub("", value).strip()


def _decimal(value) -> Decimal | None:
    text = _text(str(value) if value is not None else "").replace(",", "").replace("，", "")
    text = text.removeprefix("¥").removeprefix("￥").removesuffix("元")
    try:
        number = Decimal(text)
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _whole_number(value, name, low, high, fail, message) -> int | None:
    text = _text(str(value) if value is not None else "")
    if not text:
        return None
    try:
        number = int(Decimal(text))
        if Decimal(text) != number:
            raise ValueError
    except (InvalidOperation, ValueError):
        fail(name, message)
        return None
    if not low <= number <= high:
        fail(name, message)
        return None
    return number


def _future_date(value, name, today: date, default: date | None, fail) -> date | None:
    if isinstance(value, date):
        chosen = value
    else:
        text = _text(value)
        if not text:
            return default
        try:
            chosen = date.fromisoformat(text.replace("/", "-"))
        except ValueError:
            fail(name, _l("Enter a date as YYYY-MM-DD."))
            return None
    if chosen < today or chosen > today + timedelta(days=MAX_VALIDITY_DAYS):
        fail(name, _l("Choose a date within the next 365 days."))
        return None
    return chosen
