"""Fill a form's province → city → district selects from the region table."""

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from market.domain.regions import Region, list_children, list_provinces


def region_label(region: Region) -> str:
    if get_locale().language != "zh" and region.name_en:
        return f"{region.name} {region.name_en}"
    return region.name


def fill_region_choices(form) -> None:
    """Choices for the chosen province and city, so the page works without JavaScript."""
    form.province.choices = [("", _l("Choose…"))] + [
        (r.code, region_label(r)) for r in list_provinces()
    ]
    cities = list_children(form.province.data) if form.province.data else []
    form.city.choices = [("", _l("Choose…"))] + [(r.code, region_label(r)) for r in cities]
    districts = list_children(form.city.data) if form.city.data else []
    form.district.choices = [("", _l("Choose…"))] + [
        (r.code, region_label(r)) for r in districts
    ]
