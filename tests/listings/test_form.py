"""The listing form, posted for real: every field's validation, unit parsing,
eliminated models, draft vs review, mass assignment and the model suggestion.

Invalid posts are looped inside one test per kind (a fresh app per case would cost
most of the time budget); every mismatch is collected and reported at once.
"""

import html
from datetime import timedelta
from decimal import Decimal

import pytest

from market.listings.models import Listing, ListingStatus
from tests.listings.conftest import (
    JINAN,
    SHANDONG,
    SHIZHONG,
    count,
    error_fields,
    load,
    newest_listing,
    offer_form,
    today,
    wanted_form,
)

NEW_OFFER = "/listings/new?kind=offer"
NEW_WANTED = "/listings/new?kind=wanted"

PRICE_RANGE = "Enter a price in yuan, from 0 to 1,000,000,000."
QUANTITY = "Enter a quantity greater than 0."
REGION = "Choose where the equipment is."
MOBILE = "Enter an 11-digit mainland mobile number starting with 13 to 19."
DATE_RANGE = "Choose a date within the next 365 days."
CHOICE = "Choose one of the offered values."
ELIMINATED = (
    "This model is on the national list of eliminated high-loss equipment: it may "
    "only be sold as scrap (condition grade 'scrap')."
)


def offer_cases():
    year = today().year
    too_far = (today() + timedelta(days=366)).isoformat()
    yesterday = (today() - timedelta(days=1)).isoformat()
    # (overrides, field that must be marked, message or None for a form-level one)
    return [
        ({"category_slug": ""}, "category_slug", "Choose an equipment category."),
        ({"category_slug": "transformer"}, "category_slug", "Choose an equipment category."),
        ({"category_slug": "teleporter"}, "category_slug", "Choose an equipment category."),
        ({"title": ""}, "title", "Enter a title."),
        ({"title": "   \u202e  "}, "title", "Enter a title."),
        ({"title": "变" * 121}, "title", None),
        ({"manufacturer": "厂" * 101}, "manufacturer", None),
        ({"model_raw": "S" * 101}, "model_raw", None),
        ({"address": "路" * 201}, "address", None),
        ({"description": "述" * 5001}, "description", None),
        ({"year_made": "1949"}, "year_made", f"Enter a year between 1950 and {year}."),
        ({"year_made": str(year + 1)}, "year_made", f"Enter a year between 1950 and {year}."),
        ({"year_made": "20x6"}, "year_made", f"Enter a year between 1950 and {year}."),
        ({"service_years": "81"}, "service_years", "Enter the years in service as a whole number from 0 to 80."),
        ({"service_years": "-1"}, "service_years", "Enter the years in service as a whole number from 0 to 80."),
        ({"service_years": "2.5"}, "service_years", "Enter the years in service as a whole number from 0 to 80."),
        ({"year_made": str(year - 3), "service_years": "5"}, "service_years", "The years in service exceed the equipment's age."),
        ({"quantity": ""}, "quantity", QUANTITY),
        ({"quantity": "0"}, "quantity", QUANTITY),
        ({"quantity": "-2"}, "quantity", QUANTITY),
        ({"quantity": "两台"}, "quantity", QUANTITY),
        ({"quantity": "10000001"}, "quantity", QUANTITY),
        ({"unit": ""}, "unit", "Choose the unit of quantity."),
        ({"unit": "barrel"}, "unit", "Choose the unit of quantity."),
        ({"price_cny": "-1"}, "price_cny", PRICE_RANGE),
        ({"price_cny": "面议价"}, "price_cny", PRICE_RANGE),
        ({"price_cny": "1000000001"}, "price_cny", PRICE_RANGE),
        ({"price_cny": "NaN"}, "price_cny", PRICE_RANGE),
        ({"price_cny": ""}, "price_cny", "Enter a price, or mark it as negotiable."),
        ({"condition_grade": ""}, "condition_grade", "Choose the condition grade."),
        ({"condition_grade": "mint"}, "condition_grade", "Choose the condition grade."),
        ({"asset_source": "stolen"}, "asset_source", "Choose where the equipment comes from."),
        ({"province": "999999"}, "province", REGION),
        ({"city": "440300"}, "city", REGION),
        ({"city": JINAN}, "district", REGION),
        ({"district": ""}, "district", REGION),
        ({"contact_name": ""}, "contact_name", "Enter the contact person's name."),
        ({"contact_mobile": "12345678901"}, "contact_mobile", MOBILE),
        ({"contact_mobile": "1351234567"}, "contact_mobile", MOBILE),
        ({"contact_mobile": "0632-1234567"}, "contact_mobile", MOBILE),
        ({"valid_until": yesterday}, "valid_until", DATE_RANGE),
        ({"valid_until": too_far}, "valid_until", DATE_RANGE),
        ({"valid_until": "2025-13-45"}, "valid_until", None),
        ({"spec-capacity_kva": "四百"}, "spec-capacity_kva", "Enter a number in kVA."),
        ({"spec-capacity_kva": "400kW"}, "spec-capacity_kva", "Enter a number in kVA."),
        ({"spec-capacity_kva": "-400"}, "spec-capacity_kva", "Enter a number in kVA."),
        ({"spec-capacity_kva": "0"}, "spec-capacity_kva", "Enter a number in kVA."),
        ({"spec-lv_kv": "0.4kVA"}, "spec-lv_kv", "Enter a number in kV."),
        ({"spec-voltage_kv": "13"}, "spec-voltage_kv", CHOICE),
        ({"spec-voltage_kv": "high"}, "spec-voltage_kv", CHOICE),
        ({"spec-winding_material": "gold"}, "spec-winding_material", CHOICE),
        ({"model_raw": "S9-M-315/10"}, "model_raw", ELIMINATED),
    ]  # fmt: skip


def wanted_cases():
    yesterday = (today() - timedelta(days=1)).isoformat()
    return [
        ({"category_slug": ""}, "category_slug", "Choose an equipment category."),
        ({"title": ""}, "title", "Enter a title."),
        ({"quantity": "0"}, "quantity", QUANTITY),
        ({"price_cny": ""}, "price_cny", "Enter a budget, or mark it as negotiable."),
        ({"price_cny": "-5"}, "price_cny", PRICE_RANGE),
        ({"condition_grade": "mint"}, "condition_grade", "Choose the condition grade."),
        ({"district": ""}, "district", REGION),
        ({"contact_mobile": "1234"}, "contact_mobile", MOBILE),
        ({"wanted_by": yesterday}, "wanted_by", DATE_RANGE),
        ({"spec-capacity_kva-min": "630", "spec-capacity_kva-max": "315"}, "spec-capacity_kva", "The lower bound is above the upper bound."),
        ({"spec-capacity_kva-min": "0.8MVA", "spec-capacity_kva-max": "400kVA"}, "spec-capacity_kva", "The lower bound is above the upper bound."),
        ({"spec-capacity_kva-min": "many"}, "spec-capacity_kva", "Enter a number in kVA."),
        ({"spec-capacity_kva-max": "400A"}, "spec-capacity_kva", "Enter a number in kVA."),
        ({"spec-voltage_kv": ["10", "13"]}, "spec-voltage_kv", CHOICE),
    ]  # fmt: skip


def check_refusals(client, url, make_form, cases) -> list[str]:
    problems = []
    for overrides, field, message in cases:
        response = client.post(url, make_form(**overrides))
        page = response.get_data(as_text=True)
        label = f"{overrides!r:.80}"
        if response.status_code != 200:
            problems.append(f"{label}: status {response.status_code}, not the form again")
            continue
        marked = error_fields(page)
        if field not in marked:
            problems.append(f"{label}: {field} not marked (marked: {sorted(marked)})")
        if message and message not in html.unescape(page):
            problems.append(f"{label}: message {message!r} missing")
    return problems


def test_every_offer_field_is_validated_through_the_form(app, client_for, approved):
    client = client_for(approved)
    problems = check_refusals(client, NEW_OFFER, offer_form, offer_cases())
    assert not problems, "\n".join(problems)
    assert count(app, Listing) == 0


def test_every_wanted_field_is_validated_through_the_form(app, client_for, approved):
    client = client_for(approved)
    problems = check_refusals(client, NEW_WANTED, wanted_form, wanted_cases())
    assert not problems, "\n".join(problems)
    assert count(app, Listing) == 0


def test_a_refused_form_keeps_what_was_typed(client_for, approved):
    client = client_for(approved)
    page = client.post(
        NEW_OFFER, offer_form(quantity="0", **{"spec-capacity_kva": "0.4MVA"})
    ).get_data(as_text=True)
    assert 'value="0.4MVA"' in page
    assert 'value="山东泰开变压器有限公司"' in page


def test_wanted_form_keeps_checked_voltage_levels_after_an_error(client_for, approved):
    client = client_for(approved)
    page = client.post(
        NEW_WANTED, wanted_form(quantity="0", **{"spec-voltage_kv": ["10", "35"]})
    ).get_data(as_text=True)
    assert 'name="spec-voltage_kv" value="10" checked' in page
    assert 'name="spec-voltage_kv" value="35" checked' in page
    assert 'name="spec-voltage_kv" value="110" checked' not in page


def test_capacity_is_stored_in_kva(app, client_for, approved):
    client = client_for(approved)
    for typed in ("400kVA", "400 KVA", "400千伏安", "0.4MVA", "400", "４００ｋＶＡ", "400 kV·A"):
        response = client.post(NEW_OFFER, offer_form(**{"spec-capacity_kva": typed}))
        assert response.status_code == 302, (typed, error_fields(response.get_data(as_text=True)))
        assert newest_listing(app)["specs"]["capacity_kva"] == 400.0, typed


def test_voltages_are_stored_in_kv(app, client_for, approved):
    client = client_for(approved)
    for typed, level in (("10kV", 10.0), ("10千伏", 10.0), ("12", 10.0), ("35 KV", 35.0)):
        response = client.post(
            NEW_OFFER,
            offer_form(**{"spec-voltage_kv": typed, "spec-lv_kv": "400V"}),
        )
        assert response.status_code == 302, typed
        specs = newest_listing(app)["specs"]
        assert specs["voltage_kv"] == level, typed
        assert specs["lv_kv"] == 0.4, typed


def test_offer_is_stored_in_canonical_form(app, client_for, approved):
    client = client_for(approved)
    response = client.post(
        NEW_OFFER,
        offer_form(
            title="  S11 变压器\u202e  ",
            price_cny="¥28,000元",
            contact_mobile="+86 135-1234-5678",
            asset_source="idle",
        ),
    )
    assert response.status_code == 302
    row = newest_listing(app)
    assert row["title"] == "S11 变压器"
    assert row["price_cny"] == Decimal("28000.00")
    assert row["contact_mobile"] == "13512345678"
    assert row["valid_until"] == today() + timedelta(days=90)
    assert row["description"] == "退役变压器，油色谱正常。\n可现场看货。"
    assert row["specs"] == {
        "voltage_kv": 10.0, "capacity_kva": 400.0, "lv_kv": 0.4, "winding_material": "cu"
    }  # fmt: skip
    assert row["enterprise_id"] == approved["id"]
    assert row["kind"].value == "offer"


def test_negotiable_offer_needs_no_price(app, client_for, approved):
    client = client_for(approved)
    response = client.post(NEW_OFFER, offer_form(price_cny="", negotiable="y"))
    assert response.status_code == 302
    row = newest_listing(app)
    assert row["price_cny"] is None and row["negotiable"] is True


def test_wanted_post_stores_ranges_and_levels(app, client_for, approved):
    client = client_for(approved)
    response = client.post(
        NEW_WANTED,
        wanted_form(
            asset_source="grid_retired",
            condition_grade="",
            **{
                "spec-voltage_kv": ["35", "10", "10"],
                "spec-capacity_kva-min": "0.315MVA",
                "spec-capacity_kva-max": "630千伏安",
                "spec-lv_kv-min": "0.4kV",
            },
        ),
    )
    assert response.status_code == 302, error_fields(response.get_data(as_text=True))
    row = newest_listing(app)
    assert row["kind"].value == "wanted"
    assert row["specs"] == {
        "voltage_kv": [10.0, 35.0],
        "capacity_kva": [315.0, 630.0],
        "lv_kv": [0.4, None],
    }
    assert row["asset_source"] is None
    assert row["condition_grade"] is None
    assert row["valid_until"] is None


def test_submit_button_sends_for_review_otherwise_a_draft(app, client_for, approved):
    client = client_for(approved)
    assert client.post(NEW_OFFER, offer_form()).status_code == 302
    draft = newest_listing(app)
    assert draft["status"] is ListingStatus.DRAFT
    assert [e[0] for e in draft["events"]] == ["created"]

    response = client.post(NEW_WANTED, wanted_form(submit="1"))
    assert response.status_code == 302
    pending = newest_listing(app)
    assert response.headers["Location"].endswith(f"/listings/{pending['id']}/files")
    assert pending["status"] is ListingStatus.PENDING
    assert pending["submitted_at"] is not None
    assert [e[:3] for e in pending["events"]] == [
        ("created", None, "draft"),
        ("submitted", "draft", "pending"),
    ]
    assert all(e[3] == approved["user_id"] for e in pending["events"])


def test_eliminated_model_only_as_scrap_and_then_flagged_scrap_only(
    app, client_for, approved
):
    client = client_for(approved)
    refused = client.post(NEW_OFFER, offer_form(model_raw="S9-M-315/10"))
    assert refused.status_code == 200
    assert "model_raw" in error_fields(refused.get_data(as_text=True))
    assert ELIMINATED in html.unescape(refused.get_data(as_text=True))
    assert count(app, Listing) == 0

    accepted = client.post(
        NEW_OFFER,
        offer_form(
            model_raw="S9-M-315/10", condition_grade="scrap", **{"spec-capacity_kva": "315"}
        ),
    )
    assert accepted.status_code == 302
    row = newest_listing(app)
    assert row["scrap_only"] is True and row["condition_grade"] == "scrap"


def test_wanted_post_for_an_eliminated_model_is_marked_scrap_only(app, client_for, approved):
    client = client_for(approved)
    assert client.post(NEW_WANTED, wanted_form(model_raw="S9-M-315/10")).status_code == 302
    assert newest_listing(app)["scrap_only"] is True


def test_extra_fields_in_the_form_are_ignored(app, client_for, approved, other):
    client = client_for(approved)
    response = client.post(
        NEW_OFFER,
        offer_form(
            id="777",
            status="published",
            enterprise_id=str(other["id"]),
            scrap_only="1",
            published_at="2020-01-01T00:00:00",
            submitted_at="2020-01-01T00:00:00",
            status_reason="ok",
            deal_price_cny="1",
            deal_quantity="1",
            is_moderator="1",
            verified="1",
        ),
    )
    assert response.status_code == 302
    row = newest_listing(app)
    assert row["id"] != 777 and load(app, 777) == {}
    assert row["enterprise_id"] == approved["id"]
    assert row["status"] is ListingStatus.DRAFT
    assert row["scrap_only"] is False
    assert row["published_at"] is None and row["submitted_at"] is None
    assert row["status_reason"] is None
    assert row["deal_price_cny"] is None and row["deal_quantity"] is None


def test_extra_fields_on_edit_are_ignored(app, client_for, approved, other, make_listing):
    made = make_listing(approved, status="draft")
    client = client_for(approved)
    response = client.post(
        f"/listings/{made.id}/edit",
        offer_form(
            title="改过的标题",
            status="published",
            kind="wanted",
            enterprise_id=str(other["id"]),
            scrap_only="1",
        ),
    )
    assert response.status_code == 302
    row = load(app, made.id)
    assert row["title"] == "改过的标题"
    assert row["status"] is ListingStatus.DRAFT
    assert row["kind"].value == "offer"
    assert row["enterprise_id"] == approved["id"]
    assert row["scrap_only"] is False


def test_only_approved_enterprises_reach_the_form(app, client_for, factory):
    from market.enterprises.models import EnterpriseStatus

    pending = factory.enterprise(status=EnterpriseStatus.PENDING)
    client = client_for(pending)
    assert client.get(NEW_OFFER).status_code == 302
    assert client.post(NEW_OFFER, offer_form(submit="1")).status_code == 302
    assert count(app, Listing) == 0
    anonymous = client_for(None)
    response = anonymous.get(NEW_OFFER)
    assert response.status_code == 302
    assert "/accounts/login" in response.headers["Location"]


def test_form_without_csrf_token_is_refused(app, client_for, approved):
    client = client_for(approved)
    response = client.post(NEW_OFFER, offer_form(), csrf=False)
    assert response.status_code in (200, 400)
    assert count(app, Listing) == 0


def test_model_suggestion_for_switchgear(client_for):
    data = client_for(None).get("/listings/model-suggestion?model=KYN28A-12").get_json()
    assert data["category_slug"] == "mv_withdrawable_switchgear"
    assert data["specs"]["voltage_kv"] == "10"
    assert data["eliminated"] is False
    assert data["message"]


def test_model_suggestion_for_transformers_and_unknown_models(client_for):
    client = client_for(None)
    s11 = client.get("/listings/model-suggestion?model=S11-M-400/10").get_json()
    assert s11["category_slug"] == "oil_immersed_transformer"
    assert s11["specs"]["capacity_kva"] == "400" and s11["specs"]["voltage_kv"] == "10"
    s9 = client.get("/listings/model-suggestion?model=S9-M-315/10").get_json()
    assert s9["eliminated"] is True and "scrap" in s9["message"]
    assert client.get("/listings/model-suggestion?model=hello").get_json() == {}
    assert client.get("/listings/model-suggestion?model=").get_json() == {}
    long = client.get("/listings/model-suggestion?model=" + "S" * 5000)
    assert long.status_code == 200 and long.get_json() == {}


def test_field_error_is_shown_in_chinese_by_default(client_for, approved, translate):
    client = client_for(approved, locale=None)
    page = client.post(NEW_OFFER, offer_form(quantity="0", district=SHIZHONG)).get_data(
        as_text=True
    )
    assert translate(QUANTITY) in html.unescape(page)
    assert translate("Enter a title.") not in html.unescape(page)


def test_province_city_district_must_chain(client_for, approved, app):
    # Ji'nan's Lixia district under Zaozhuang is refused; the right chain is accepted.
    client = client_for(approved)
    response = client.post(NEW_OFFER, offer_form(district="370102"))
    assert "district" in error_fields(response.get_data(as_text=True))
    ok = client.post(
        NEW_OFFER, offer_form(province=SHANDONG, city=JINAN, district="370102")
    )
    assert ok.status_code == 302
    assert newest_listing(app)["city_code"] == JINAN


def test_a_quantity_that_rounds_to_zero_is_refused(app, client_for, approved):
    client = client_for(approved)
    response = client.post(NEW_OFFER, offer_form(quantity="0.001"))
    assert response.status_code == 200
    assert "quantity" in error_fields(response.get_data(as_text=True))
    assert count(app, Listing) == 0


def test_typed_markup_is_shown_as_text(app, client_for, approved, make_listing, factory):
    evil = '<img src=x onerror="alert(1)">'
    made = make_listing(
        approved, status="published", title=f"变压器{evil}", description=f"说明{evil}"
    )
    moderator = client_for(factory.moderator())
    pages = [
        client_for(None).get(f"/listings/{made.id}"),
        client_for(None).get("/"),
        moderator.get(f"/moderation/listings/{made.id}"),
    ]
    for response in pages:
        page = response.get_data(as_text=True)
        assert evil not in page
        assert "&lt;img src=x onerror=" in page
