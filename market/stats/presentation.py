"""The dashboard's charts, and the tables that carry the same figures."""

from __future__ import annotations

from dataclasses import dataclass
from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup

from market.domain.categories import get_category
from market.domain.regions import get_region
from market.i18n import locale_code
from market.listings.presentation import money
from market.regions_form import region_label
from market.stats import charts
from market.stats.charts import format_compact
from market.stats.services import Dashboard


@dataclass(frozen=True)
class Figure:
    """One chart and its data table."""

    id: str
    title: str
    svg: Markup
    columns: list[str]
    rows: list[list[str]]


def current_locale() -> str:
    return locale_code(get_locale())


def compact_number(value) -> str:
    """12345678 → "1,235万" (zh) or "12.3M" (en), for figures at a glance."""
    return format_compact(value, current_locale())


def compact_money(value) -> str:
    return "¥" + compact_number(value)


def _count(value: int) -> str:
    return f"{value:,}"


def family_name(slug: str) -> str:
    category = get_category(slug)
    return category.label(current_locale()) if category else slug


def region_name(code: str) -> str:
    region = get_region(code)
    return region_label(region) if region else code


def _monthly(
    figure_id: str,
    title: str,
    data: Dashboard,
    series: list[tuple[str, list]],
    kind: str,
    cell=_count,
) -> Figure:
    locale = current_locale()
    svg = charts.time_series_chart(
        data.months,
        series,
        chart_id=figure_id,
        title=title,
        kind=kind,
        locale=locale,
        empty_text=_("No data for this period yet."),
    )
    rows = [
        [month] + [cell(values[i]) for _name, values in series]
        for i, month in enumerate(data.months)
    ]
    return Figure(figure_id, title, svg, [_("Month")] + [n for n, _v in series], rows)


def _ranking(
    figure_id: str, title: str, heading: str, pairs: list[tuple[str, int]], name
) -> Figure:
    labels = [name(code) for code, _count_ in pairs]
    values = [count for _code, count in pairs]
    svg = charts.bar_chart(
        labels,
        values,
        chart_id=figure_id,
        title=title,
        locale=current_locale(),
        empty_text=_("No posts were published in this period."),
    )
    rows = [[label, _count(value)] for label, value in zip(labels, values)]
    return Figure(figure_id, title, svg, [heading, _("Posts")], rows)


def dashboard_figures(data: Dashboard) -> list[Figure]:
    """Every chart of the dashboard, in page order."""
    return [
        _monthly(
            "enterprises-by-month",
            _("Enterprises by month"),
            data,
            [
                (_("Applied"), data.enterprises_applied),
                (_("Approved"), data.enterprise_approvals),
            ],
            "columns",
        ),
        _monthly(
            "posts-by-month",
            _("Posts published by month"),
            data,
            [
                (_("Offers"), data.offers_published),
                (_("Wanted posts"), data.wanted_published),
            ],
            "columns",
        ),
        _ranking(
            "posts-by-family",
            _("Posts published by equipment family"),
            _("Equipment family"),
            data.posts_by_family,
            family_name,
        ),
        _ranking(
            "posts-by-province",
            _("Posts published by province"),
            _("Province"),
            data.posts_by_province,
            region_name,
        ),
        _ranking(
            "posts-by-city",
            _("Posts published by city (top 15)"),
            _("City"),
            data.posts_by_city,
            region_name,
        ),
        _monthly(
            "inquiries-deals-by-month",
            _("Inquiries and deals by month"),
            data,
            [(_("Inquiries"), data.inquiries), (_("Deals"), data.deals)],
            "line",
        ),
        _monthly(
            "value-by-month",
            _("Value traded and estimated saving by month (CNY)"),
            data,
            [
                (_("Value traded"), data.value_traded),
                (_("Estimated saving"), data.estimated_saving),
            ],
            "columns",
            cell=money,
        ),
    ]


def sparklines(data: Dashboard) -> dict[str, Markup]:
    """Small trends beside the totals: posts and deals per month."""
    locale = current_locale()
    posts = [a + b for a, b in zip(data.offers_published, data.wanted_published)]
    return {
        "posts": charts.sparkline(
            posts,
            chart_id="posts-trend",
            title=_("Posts published per month"),
            locale=locale,
        ),
        "deals": charts.sparkline(
            data.deals,
            chart_id="deals-trend",
            title=_("Deals per month"),
            locale=locale,
        ),
    }
