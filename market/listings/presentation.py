"""How listings read on a page: prices, ratings, labels, in the user's language."""

from decimal import Decimal

from flask import Flask
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from market.domain.categories import (
    SPEC_FIELDS,
    all_leaf_categories,
    format_spec,
    get_category,
)
from market.domain.conditions import (
    get_asset_source,
    get_grade,
    get_quantity_unit,
    get_test_report_kind,
)

KIND_LABELS = {"offer": _l("For sale"), "wanted": _l("Wanted")}
LISTING_STATUS_LABELS = {
    "draft": _l("Draft"),
    "pending": _l("Pending review"),
    "published": _l("Published"),
    "rejected": _l("Rejected"),
    "sold": _l("Sold"),
    "withdrawn": _l("Withdrawn"),
    "expired": _l("Expired"),
}
DOCUMENT_KIND_LABELS = {
    "test_report": _l("Test report"),
    "nameplate": _l("Nameplate"),
    "manual": _l("Manual"),
    "certificate": _l("Certificate"),
    "other": _l("Other"),
}


LISTING_FLAG_LABELS = {
    "price_outlier": _l("Price far from similar posts"),
    "no_nameplate": _l("No nameplate photo"),
    "eliminated_model": _l("Eliminated high-loss model"),
    "duplicate": _l("Possible duplicate"),
}
LISTING_ACTION_LABELS = {
    "created": _l("Created"),
    "submitted": _l("Sent for review"),
    "approved": _l("Approved and published"),
    "rejected": _l("Rejected"),
    "withdrawn": _l("Withdrawn"),
    "sold": _l("Sold"),
    "expired": _l("Expired"),
    "renewed": _l("Renewed"),
    "revision_submitted": _l("Changes sent for review"),
    "revision_approved": _l("Changes approved"),
    "revision_rejected": _l("Changes rejected"),
}
FIELD_LABELS = {
    "category_slug": _l("Category"),
    "title": _l("Title"),
    "manufacturer": _l("Manufacturer"),
    "model_raw": _l("Model"),
    "year_made": _l("Year of manufacture"),
    "service_years": _l("Years in service"),
    "asset_source": _l("Source of the equipment"),
    "condition_grade": _l("Condition"),
    "quantity": _l("Quantity"),
    "unit": _l("Unit"),
    "price_cny": _l("Price"),
    "negotiable": _l("Negotiable"),
    "specs": _l("Ratings"),
    "scrap_only": _l("Scrap only"),
    "province_code": _l("Province"),
    "city_code": _l("City"),
    "district_code": _l("District / county"),
    "address": _l("Address"),
    "description": _l("Description"),
    "valid_until": _l("Valid until"),
    "wanted_by": _l("Wanted by"),
    "contact_name": _l("Contact person"),
    "contact_mobile": _l("Contact mobile"),
}


def _locale() -> str:
    return str(get_locale() or "zh_CN")


def plain(number) -> str:
    """Decimal('2.00') → '2', Decimal('2.50') → '2.5'."""
    if number is None:
        return ""
    if isinstance(number, float) and number.is_integer():
        return str(int(number))
    text = str(number)
    return text.rstrip("0").rstrip(".") if "." in text else text


def money(amount: Decimal | None) -> str:
    if amount is None:
        return ""
    return f"¥{amount:,.2f}".replace(".00", "")


def price(listing) -> str:
    unit = unit_name(listing.unit)
    if listing.price_cny is None:
        return _("Negotiable")
    text = f"{money(listing.price_cny)} / {unit}"
    if listing.is_offer:
        return text + (" " + _("(negotiable)") if listing.negotiable else "")
    return _("Budget up to %(amount)s", amount=text)


def spec_text(key: str, value) -> str:
    locale = _locale()
    if isinstance(value, list):
        if key == "voltage_kv":
            return " / ".join(format_spec(key, v, locale) for v in value)
        low, high = value
        if low is not None and high is not None and low != high:
            return f"{format_spec(key, low, locale)} – {format_spec(key, high, locale)}"
        if low is not None and high is not None:
            return format_spec(key, low, locale)
        if low is not None:
            return "≥ " + format_spec(key, low, locale)
        return "≤ " + format_spec(key, high, locale)
    return format_spec(key, value, locale)


def spec_rows(listing) -> list[tuple[str, str]]:
    locale = _locale()
    category = get_category(listing.category_slug)
    keys = category.spec_keys if category else tuple(listing.specs or {})
    return [
        (SPEC_FIELDS[key].label(locale), spec_text(key, listing.specs[key]))
        for key in keys
        if key in (listing.specs or {})
    ]


def key_specs(listing) -> str:
    """The two or three ratings that identify the equipment, on one line."""
    return " · ".join(value for _label, value in spec_rows(listing)[:3])


def unit_name(code: str) -> str:
    unit = get_quantity_unit(code or "")
    return unit.label(_locale()) if unit else (code or "")


def category_name(slug: str) -> str:
    category = get_category(slug)
    if category is None:
        return slug
    parent = get_category(category.parent_slug) if category.parent_slug else None
    locale = _locale()
    return (
        f"{parent.label(locale)} › {category.label(locale)}"
        if parent
        else category.label(locale)
    )


def _label_from(lookup):
    def label(code):
        item = lookup(code) if code else None
        return item.label(_locale()) if item else (code or "")

    return label


def diff_value(value, name: str) -> str:
    """A field's value as the moderator's diff shows it."""
    if value is None or value == "":
        return "—"
    if name == "specs":
        return "; ".join(
            f"{SPEC_FIELDS[key].label(_locale())}: {spec_text(key, item)}"
            for key, item in value.items()
            if key in SPEC_FIELDS
        )
    if name == "category_slug":
        return category_name(value)
    if name in ("province_code", "city_code", "district_code"):
        from market.domain.regions import full_name

        return full_name(value)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, Decimal):
        return plain(value)
    return str(value)


def category_specs() -> dict[str, list[str]]:
    """Which spec inputs each category uses (read by the form's script)."""
    return {c.slug: list(c.spec_keys) for c in all_leaf_categories()}


def register_listing_helpers(app: Flask) -> None:
    filters = app.jinja_env.filters
    filters["plain"] = plain
    filters["money"] = money
    filters["price"] = price
    filters["spec_rows"] = spec_rows
    filters["key_specs"] = key_specs
    filters["unit_name"] = unit_name
    filters["category_name"] = category_name
    filters["condition_name"] = _label_from(get_grade)
    filters["source_name"] = _label_from(get_asset_source)
    filters["report_kind_name"] = _label_from(get_test_report_kind)
    filters["document_kind_name"] = lambda code: DOCUMENT_KIND_LABELS.get(code, code)
    filters["spec_label"] = lambda spec: spec.label(_locale())
    filters["spec_choice_label"] = lambda choice, key=None: choice.label(_locale())
    filters["diff_value"] = diff_value
    filters["listing_field_label"] = lambda name: FIELD_LABELS.get(name, name)
    filters["date"] = lambda value: format_date(value, "yyyy-MM-dd") if value else ""

    @app.context_processor
    def listing_globals():
        return {
            "kind_labels": KIND_LABELS,
            "listing_status_labels": LISTING_STATUS_LABELS,
            "category_specs": category_specs(),
            "listing_flag_labels": LISTING_FLAG_LABELS,
            "listing_action_labels": LISTING_ACTION_LABELS,
        }
