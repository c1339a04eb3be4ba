"""The moderators' dashboard and the landing page's public figures."""

import re
import xml.etree.ElementTree as ET

import pytest

from tests.conftest import login
from tests.listings.conftest import Client
from tests.moderation.test_decisions import moderator_client


@pytest.fixture
def traded(factory, make_listing, record):
    """An offer of A's sold twice to B (new 50,000 a unit), and one inquiry."""
    seller, buyer = factory.enterprise(), factory.enterprise()
    offer = make_listing(seller)
    record.inquiry(offer.id, buyer)
    record.deal(offer.id, "1", "28000", buyer=buyer)
    record.deal(offer.id, "1", "30000", buyer=buyer)
    return {"seller": seller, "buyer": buyer, "offer": offer}


def stat(html: str, name: str) -> str:
    match = re.search(rf'data-stat="{name}">([^<]*)<', html)
    assert match, f"no {name} on the page"
    return match.group(1)


def svgs(html: str) -> list[ET.Element]:
    return [ET.fromstring(svg) for svg in re.findall(r"<svg .*?</svg>", html, re.S)]


def test_moderators_see_the_totals_charts_and_tables(app, factory, traded):
    client, _moderator = moderator_client(app, factory)
    response = client.get("/stats/")
    assert response.status_code == 200
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    html = response.get_data(as_text=True)
    assert stat(html, "enterprises-applied") == "2"
    assert stat(html, "enterprises-approved") == "2"
    assert stat(html, "posts-published") == "1"
    assert stat(html, "inquiries") == "1"
    assert stat(html, "deals") == "2"
    assert stat(html, "value-traded") == "¥58,000"
    assert stat(html, "estimated-saving") == "¥42,000"
    assert "estimated for 2 of 2 deals" in html
    charts = svgs(html)
    assert len(charts) == 7 + 2  # the figures and two sparklines
    assert all(svg.get("role") == "img" for svg in charts)
    for figure in ("enterprises-by-month", "posts-by-month", "posts-by-family",
                   "posts-by-province", "posts-by-city", "inquiries-deals-by-month",
                   "value-by-month"):  # fmt: skip
        assert f'data-figure="{figure}"' in html
    assert 'aria-current="page">Last 12 months<' in html


def test_the_tables_carry_the_charts_figures(app, factory, traded):
    client, _moderator = moderator_client(app, factory)
    html = client.get("/stats/?months=6").get_data(as_text=True)
    table = re.search(r'data-figure="value-by-month">(.*?)</table>', html, re.S)[1]
    last_row = re.findall(r"<tr>(.*?)</tr>", table, re.S)[-1]
    assert re.findall(r">([^<]+)</t[dh]>", last_row)[1:] == ["¥58,000", "¥42,000"]
    family = re.search(r'data-figure="posts-by-family">(.*?)</table>', html, re.S)[1]
    assert re.search(r"<th scope=\"row\">Transformers</th><td[^>]*>1</td>", family)
    chart = next(svg for svg in svgs(html) if svg.get("id") == "posts-by-family")
    bars = chart.findall(".//{http://www.w3.org/2000/svg}rect")
    assert len(bars) == 15  # every equipment family has a bar


def test_an_empty_platform_shows_zeros_and_empty_charts(app, factory):
    client, _moderator = moderator_client(app, factory)
    html = client.get("/stats/").get_data(as_text=True)
    assert stat(html, "deals") == "0"
    assert stat(html, "value-traded") == "¥0"
    assert "No posts were published in this period." in html


@pytest.mark.parametrize("months", ["7", "0", "abc", "-12"])
def test_an_unknown_period_is_not_found(app, factory, months):
    client, _moderator = moderator_client(app, factory)
    assert client.get(f"/stats/?months={months}").status_code == 404


def test_members_are_refused_and_visitors_sent_to_log_in(app, factory):
    member = factory.enterprise()
    client = app.test_client()
    response = client.get("/stats/")
    assert response.status_code == 302
    assert "/accounts/login" in response.headers["Location"]
    login(client, member["email"])
    assert client.get("/stats/").status_code == 403


def test_moderators_find_the_dashboard_in_the_menu(app, factory):
    client, _moderator = moderator_client(app, factory)
    assert 'href="/stats/"' in client.get("/").get_data(as_text=True)
    member = Client(app, factory.enterprise())
    assert 'href="/stats/"' not in member.get("/").get_data(as_text=True)


def test_the_home_page_shows_deals_value_and_saving(app, traded):
    chinese = app.test_client().get("/").get_data(as_text=True)
    assert stat(chinese, "deals") == "2"
    assert stat(chinese, "value-traded") == "¥5.8万"
    assert stat(chinese, "estimated-saving") == "¥4.2万"
    assert stat(chinese, "listings-published") == "1"
    english = Client(app).get("/").get_data(as_text=True)
    assert stat(english, "value-traded") == "¥58K"
