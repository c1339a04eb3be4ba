"""Listing forms: shape only; validation.py and services hold the rules."""

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Length, Optional

from market.domain.categories import SPEC_FIELDS, list_children, list_top_levels
from market.domain.conditions import ASSET_SOURCES, CONDITION_GRADES, QUANTITY_UNITS
from market.listings.validation import ListingInput

CHOOSE = _l("Choose…")


def _locale() -> str:
    return str(get_locale() or "zh_CN")


def category_choices() -> list:
    """Grouped choices: top level as option groups, children as options."""
    locale = _locale()
    groups = [("", CHOOSE)]
    for top in list_top_levels():
        groups.append(
            (
                top.label(locale),
                [(child.slug, child.label(locale)) for child in list_children(top.slug)],
            )
        )
    return groups


def labelled(items) -> list:
    locale = _locale()
    return [(item.slug, item.label(locale)) for item in items]


class ListingForm(FlaskForm):
    """Common fields; spec fields are read from the request by name (see specs)."""

    kind = HiddenField()
    category_slug = SelectField(_l("Category"), validate_choice=False)
    title = StringField(_l("Title"), validators=[Length(max=120)])
    model_raw = StringField(
        _l("Model (型号)"),
        description=_l("For example S11-M-400/10, KYN28A-12, YJV22-8.7/15 3×240."),
        validators=[Length(max=100)],
    )
    manufacturer = StringField(_l("Manufacturer"), validators=[Length(max=100)])
    year_made = StringField(_l("Year of manufacture"), validators=[Length(max=4)])
    service_years = StringField(_l("Years in service"), validators=[Length(max=3)])
    asset_source = SelectField(_l("Source of the equipment"), validate_choice=False)
    condition_grade = SelectField(_l("Condition"), validate_choice=False)
    quantity = StringField(_l("Quantity"), validators=[Length(max=20)])
    unit = SelectField(_l("Unit"), validate_choice=False)
    price_cny = StringField(_l("Price per unit (CNY)"), validators=[Length(max=20)])
    negotiable = BooleanField(_l("Price negotiable (面议)"))
    province = SelectField(_l("Province"), validate_choice=False)
    city = SelectField(_l("City"), validate_choice=False)
    district = SelectField(_l("District / county"), validate_choice=False)
    address = StringField(_l("Where the equipment stands"), validators=[Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Length(max=5000)])
    valid_until = DateField(_l("Valid until"), validators=[Optional()])
    wanted_by = DateField(_l("Wanted by"), validators=[Optional()])
    contact_name = StringField(_l("Contact person"), validators=[Length(max=50)])
    contact_mobile = StringField(_l("Contact mobile"), validators=[Length(max=20)])

    def fill_choices(self, is_offer: bool) -> None:
        from market.regions_form import fill_region_choices

        self.category_slug.choices = category_choices()
        self.asset_source.choices = [("", CHOOSE)] + labelled(ASSET_SOURCES)
        grades = labelled(CONDITION_GRADES)
        self.condition_grade.choices = [("", CHOOSE if is_offer else _l("Any"))] + grades
        self.unit.choices = labelled(QUANTITY_UNITS)
        if not is_offer:
            self.condition_grade.label.text = _l("Minimum condition")
            self.price_cny.label.text = _l("Budget ceiling per unit (CNY)")
            self.negotiable.label.text = _l("Budget negotiable")
        fill_region_choices(self)

    def to_input(self, formdata, is_offer: bool) -> ListingInput:
        return ListingInput(
            kind="offer" if is_offer else "wanted",
            category_slug=self.category_slug.data or "",
            title=self.title.data or "",
            quantity=self.quantity.data or "",
            unit=self.unit.data or "",
            province=self.province.data or "",
            city=self.city.data or "",
            district=self.district.data or "",
            address=self.address.data or "",
            manufacturer=self.manufacturer.data or "",
            model_raw=self.model_raw.data or "",
            year_made=self.year_made.data or "",
            service_years=self.service_years.data or "",
            asset_source=self.asset_source.data or "",
            condition_grade=self.condition_grade.data or "",
            price_cny=self.price_cny.data or "",
            negotiable=bool(self.negotiable.data),
            description=self.description.data or "",
            valid_until=self.valid_until.data or "",
            wanted_by=self.wanted_by.data or "",
            contact_name=self.contact_name.data or "",
            contact_mobile=self.contact_mobile.data or "",
            specs=read_specs(formdata, is_offer),
        )


def read_specs(formdata, is_offer: bool) -> dict:
    """Spec inputs by name: spec-KEY for offers, spec-KEY-min/-max for wanted posts."""
    specs: dict = {}
    for key, spec in SPEC_FIELDS.items():
        if is_offer or spec.kind != "number":
            if key == "voltage_kv" and not is_offer:
                specs[key] = [v for v in formdata.getlist(f"spec-{key}") if v]
            else:
                specs[key] = formdata.get(f"spec-{key}", "")
        else:
            specs[key] = (
                formdata.get(f"spec-{key}-min", ""),
                formdata.get(f"spec-{key}-max", ""),
            )
    return specs


def spec_form_values(listing) -> dict:
    """The stored specs as the text the spec inputs show."""
    values: dict = {}
    for key, value in (listing.specs or {}).items():
        if isinstance(value, list) and key == "voltage_kv" and not listing.is_offer:
            values[key] = [format_number(v) for v in value]
        elif isinstance(value, list):
            low, high = value
            values[f"{key}-min"] = format_number(low) if low is not None else ""
            values[f"{key}-max"] = format_number(high) if high is not None else ""
        else:
            values[key] = format_number(value) if isinstance(value, float) else value
    return values


class PhotoForm(FlaskForm):
    photo = FileField(_l("Photo"), description=_l("JPEG, PNG or WebP, at most 10 MB."))
    is_nameplate = BooleanField(_l("This photo shows the nameplate (铭牌)"))


class DocumentForm(FlaskForm):
    document = FileField(_l("Document (PDF)"), description=_l("PDF, at most 20 MB."))
    kind = SelectField(
        _l("Document type"),
        choices=[
            ("test_report", _l("Test report")),
            ("nameplate", _l("Nameplate")),
            ("manual", _l("Manual")),
            ("certificate", _l("Certificate")),
            ("other", _l("Other")),
        ],
    )
    report_kind = SelectField(_l("Kind of test"), validate_choice=False)
    lab = StringField(_l("Laboratory"), validators=[Length(max=100)])
    test_date = DateField(_l("Test date"), validators=[Optional()])


class SoldForm(FlaskForm):
    deal_price = StringField(_l("Deal price per unit (CNY, optional)"))
    deal_quantity = StringField(_l("Quantity sold (optional)"))


class ImportForm(FlaskForm):
    ledger = FileField(
        _l("Asset ledger"), description=_l(".xlsx or .csv, at most 2,000 rows.")
    )


def format_number(value) -> str:
    """400.0 → "400", 0.4 → "0.4"."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
