"""How a saved search reads: its words and filters as short translated phrases."""

from collections.abc import Mapping

from flask_babel import get_locale
from flask_babel import gettext as _

from market.domain.conditions import get_grade
from market.domain.regions import full_name
from market.listings.presentation import KIND_LABELS, category_name


def describe_params(params: Mapping) -> list[str]:
    """One phrase per criterion, in the order the search page shows them."""
    locale = str(get_locale() or "zh_CN")
    phrases = []
    if params.get("q"):
        phrases.append(_("Words: %(words)s", words=params["q"]))
    if params.get("kind") in KIND_LABELS:
        phrases.append(str(KIND_LABELS[params["kind"]]))
    if params.get("category"):
        phrases.append(category_name(params["category"]))
    if params.get("voltage_kv"):
        phrases.append(f"{params['voltage_kv']} kV")
    low, high = params.get("capacity_min"), params.get("capacity_max")
    if low or high:
        phrases.append(
            _("Capacity %(low)s–%(high)s kVA", low=low or "0", high=high or "∞")
        )
    low, high = params.get("price_min"), params.get("price_max")
    if low or high:
        phrases.append(
            _("Price %(low)s–%(high)s yuan", low=low or "0", high=high or "∞")
        )
    if params.get("condition"):
        grade = get_grade(params["condition"])
        label = grade.label(locale) if grade else params["condition"]
        phrases.append(_("%(grade)s or better", grade=label))
    region = params.get("district") or params.get("city") or params.get("province")
    if region:
        phrases.append(full_name(region) or region)
    if params.get("has_report"):
        phrases.append(_("With a test report"))
    if params.get("within_days"):
        phrases.append(
            _("Published within %(days)s days", days=params["within_days"])
        )
    return phrases
