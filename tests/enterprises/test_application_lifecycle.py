"""An application's life as the applicant sees it: pending, rejected, resubmitted."""

import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from market.database import utcnow
from market.enterprises.models import DecisionAction, Enterprise, EnterpriseStatus
from market.extensions import db
from tests.conftest import csrf_token, login, png_bytes
from tests.enterprises.test_registration import (
    english,
    field_errors,
    make_code,
    post_multipart,
    shared_compiled_templates,  # noqa: F401 (autouse fixture)
    text_of,
)
from tests.moderation.test_decisions import decide, moderator_client, state

PENDING, APPROVED, REJECTED, SUSPENDED = (
    EnterpriseStatus.PENDING,
    EnterpriseStatus.APPROVED,
    EnterpriseStatus.REJECTED,
    EnterpriseStatus.SUSPENDED,
)
STOCK_REASON = "The business licence is unreadable or incomplete."


def visible(page: str) -> str:
    """The page's text without tags, whitespace collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", page).split())


def member_client(app, enterprise):
    client = app.test_client()
    english(client)
    assert login(client, enterprise["email"]).status_code == 302
    return client


def edit_form(app, enterprise_id: int, **overrides) -> dict:
    """The edit form as the page fills it in from the stored application."""
    with app.app_context():
        e = db.session.get(Enterprise, enterprise_id)
        fields = dict(
            name=e.name,
            credit_code=e.credit_code,
            enterprise_type=e.enterprise_type.value,
            province=e.province_code,
            city=e.city_code,
            district=e.district_code or "",
            address=e.address,
            contact_name=e.contact_name,
            mobile=e.contact_mobile,
            email=e.contact_email,
        )
    fields.update(overrides)
    return {key: value for key, value in fields.items() if value is not None}


def post_edit(client, data: dict):
    page = client.get("/enterprises/mine/edit")
    assert page.status_code == 200
    return post_multipart(
        client,
        "/enterprises/mine/edit",
        {**data, "csrf_token": csrf_token(page.get_data(as_text=True))},
    )


def test_pending_applicant_sees_status_and_history(app, factory):
    enterprise = factory.enterprise(status=PENDING)
    client = member_client(app, enterprise)
    response = client.get("/enterprises/mine")
    assert response.status_code == 200
    page = text_of(response)
    assert 'data-enterprise-status="pending"' in page
    assert '<span class="badge badge-pending">Pending review</span>' in page
    assert "Your application is waiting for a moderator's review." in page
    assert "Application submitted" in page
    assert enterprise["name"] in page
    assert "营业执照.png" in page
    assert 'href="/enterprises/mine/edit"' in page


def test_pending_status_in_chinese_by_default(app, factory, translate):
    enterprise = factory.enterprise(status=PENDING)
    client = app.test_client()
    login(client, enterprise["email"])
    page = text_of(client.get("/enterprises/mine"))
    assert translate("Pending review") in page
    assert translate("Application submitted") in page


def test_user_without_enterprise_has_no_page(app, factory):
    moderator = factory.moderator()
    client = app.test_client()
    login(client, moderator["email"])
    assert client.get("/enterprises/mine").status_code == 404
    assert client.get("/enterprises/mine/edit").status_code == 404
    assert app.test_client().get("/enterprises/mine").status_code == 302


def test_rejection_reason_is_shown_to_the_applicant(app, factory):
    enterprise = factory.enterprise(status=PENDING)
    moderator, _ = moderator_client(app, factory)
    response = decide(
        moderator, enterprise["id"], "reject", stock_reason="licence_unreadable"
    )
    assert response.status_code == 302

    client = member_client(app, enterprise)
    page = text_of(client.get("/enterprises/mine"))
    assert 'data-enterprise-status="rejected"' in page
    assert f"Your application was rejected. {STOCK_REASON}" in visible(page)
    assert "Edit the application and submit it again." in page
    history = page.split("timeline", 1)[1]
    assert history.index("Rejected") < history.index("Application submitted")
    assert STOCK_REASON in history


def test_reject_edit_and_resubmit_puts_it_back_in_the_queue(app, factory):
    enterprise = factory.enterprise(
        status=PENDING, submitted_at=utcnow() - timedelta(days=3)
    )
    waiting = factory.enterprise(
        status=PENDING, submitted_at=utcnow() - timedelta(days=1)
    )
    moderator, _ = moderator_client(app, factory)
    assert (
        decide(
            moderator, enterprise["id"], "reject", stock_reason="licence_unreadable"
        ).status_code
        == 302
    )
    with app.app_context():
        before = db.session.get(Enterprise, enterprise["id"])
        first_submitted, licence_id = before.submitted_at, before.licence_id

    client = member_client(app, enterprise)
    page = text_of(client.get("/enterprises/mine/edit"))
    assert f"Reason for rejection: {STOCK_REASON}" in visible(page)
    assert f'value="{enterprise["name"]}"' in page
    assert "Resubmit application" in page

    response = post_edit(
        client, edit_form(app, enterprise["id"], address="光明大道2号 (new)")
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/enterprises/mine")
    mine = text_of(client.get("/enterprises/mine"))
    assert "Your application has been resubmitted for review." in mine
    assert 'data-enterprise-status="pending"' in mine

    status, reason, _, history = state(app, enterprise["id"])
    assert (status, reason) == (PENDING, None)
    assert history[-1] == (
        DecisionAction.RESUBMITTED,
        enterprise["user_id"],
        REJECTED,
        PENDING,
        None,
    )
    assert [h[0] for h in history] == [
        DecisionAction.SUBMITTED,
        DecisionAction.REJECTED,
        DecisionAction.RESUBMITTED,
    ]
    with app.app_context():
        after = db.session.get(Enterprise, enterprise["id"])
        assert after.address == "光明大道2号 (new)"
        assert after.submitted_at > first_submitted
        assert utcnow() - after.submitted_at < timedelta(minutes=1)
        assert after.licence_id == licence_id  # left empty: the old licence stays

    queue = moderator.get("/moderation/enterprises").get_data(as_text=True)
    order = [int(i) for i in re.findall(r'data-enterprise-id="(\d+)"', queue)]
    assert order == [waiting["id"], enterprise["id"]]


def test_resubmission_can_replace_the_licence(app, factory):
    enterprise = factory.enterprise(status=REJECTED)
    client = member_client(app, enterprise)
    scan = png_bytes((80, 60), "#aa0000")
    form = edit_form(app, enterprise["id"])
    form["licence"] = (io.BytesIO(scan), "新营业执照.png")
    assert post_edit(client, form).status_code == 302
    with app.app_context():
        stored = db.session.get(Enterprise, enterprise["id"]).licence
        assert stored.id != enterprise["licence_id"]
        assert (stored.display_name, stored.size) == ("新营业执照.png", len(scan))
    with client.get(f"/enterprises/{enterprise['id']}/licence") as download:
        assert download.data == scan


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"credit_code": "91370402MA3C0001"},
            "credit_code",
            "The code must have exactly 18 characters.",
        ),
        ({"district": "370102"}, "district", "The district is not in the chosen city."),
        (
            {"mobile": "12345678901"},
            "mobile",
            "Enter an 11-digit mainland mobile number starting with 13 to 19.",
        ),
        (
            {"licence": (io.BytesIO(b"<html></html>"), "x.pdf")},
            "licence",
            "This file type is not accepted.",
        ),
    ],
    ids=["code", "district", "mobile", "licence"],
)
def test_invalid_resubmission_changes_nothing(app, factory, overrides, field, message):
    enterprise = factory.enterprise(status=REJECTED, status_reason="执照模糊")
    client = member_client(app, enterprise)
    before = state(app, enterprise["id"])
    response = post_edit(client, edit_form(app, enterprise["id"], **overrides))
    assert response.status_code == 200
    assert message in field_errors(response).get(field, [])
    assert state(app, enterprise["id"]) == before


def test_resubmission_with_another_enterprises_code_is_refused(app, factory):
    taken = make_code("TAKEN001")
    factory.enterprise(credit_code=taken)
    enterprise = factory.enterprise(status=REJECTED)
    client = member_client(app, enterprise)
    before = state(app, enterprise["id"])
    response = post_edit(
        client, edit_form(app, enterprise["id"], credit_code=taken.lower())
    )
    assert response.status_code == 200
    assert (
        "An enterprise with this code is already registered."
        in field_errors(response)["credit_code"]
    )
    assert state(app, enterprise["id"]) == before


def test_editing_a_pending_application_keeps_its_place(app, factory):
    submitted = utcnow() - timedelta(days=2)
    enterprise = factory.enterprise(status=PENDING, submitted_at=submitted)
    client = member_client(app, enterprise)
    page = text_of(client.get("/enterprises/mine/edit"))
    assert "Save changes" in page and "Reason for rejection" not in page
    response = post_edit(client, edit_form(app, enterprise["id"], contact_name="李娜"))
    assert response.status_code == 302
    assert "Your application has been updated." in text_of(
        client.get("/enterprises/mine")
    )
    status, _, _, history = state(app, enterprise["id"])
    assert status is PENDING and len(history) == 1
    with app.app_context():
        row = db.session.get(Enterprise, enterprise["id"])
        assert row.contact_name == "李娜"
        assert abs(row.submitted_at - submitted) < timedelta(seconds=1)


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_approved_enterprise_cannot_use_the_edit_page(app, factory, method):
    enterprise = factory.enterprise(status=APPROVED)
    client = member_client(app, enterprise)
    before = state(app, enterprise["id"])
    if method == "GET":
        response = client.get("/enterprises/mine/edit")
    else:
        token = csrf_token(client.get("/enterprises/mine").get_data(as_text=True))
        form = edit_form(app, enterprise["id"], name="改名电力有限公司")
        response = post_multipart(
            client, "/enterprises/mine/edit", {**form, "csrf_token": token}
        )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/enterprises/mine")
    page = text_of(client.get("/enterprises/mine"))
    assert "An approved application can no longer be edited here." in page
    assert 'href="/enterprises/mine/edit"' not in page
    assert state(app, enterprise["id"]) == before
    with app.app_context():
        assert db.session.get(Enterprise, enterprise["id"]).name == enterprise["name"]


def test_region_cascade_lists_zaozhuangs_districts(client):
    response = client.get("/api/v1/regions/370400")
    assert response.status_code == 200
    assert response.is_json
    districts = response.get_json()
    assert [d["code"] for d in districts] == [
        "370402",
        "370403",
        "370404",
        "370405",
        "370406",
        "370481",
    ]
    assert [d["name"] for d in districts] == [
        "市中区",
        "薛城区",
        "峄城区",
        "台儿庄区",
        "山亭区",
        "滕州市",
    ]
    cities = client.get("/api/v1/regions/370000").get_json()
    assert {"code": "370400", "name": "枣庄市"} in cities
    english(client)
    cities = client.get("/api/v1/regions/370000").get_json()
    assert {"code": "370400", "name": "枣庄市 Zaozhuang"} in cities


@pytest.mark.parametrize("code", ["999999", "abc", "37040"])
def test_region_cascade_unknown_code_is_a_json_404(client, code):
    response = client.get(f"/api/v1/regions/{code}")
    assert response.status_code == 404
    assert response.is_json
    assert set(response.get_json()) >= {"error", "message"}


def test_stored_application_matches_what_the_applicant_sees(app, factory):
    enterprise = factory.enterprise(status=PENDING)
    client = member_client(app, enterprise)
    page = text_of(client.get("/enterprises/mine"))
    with app.app_context():
        row = db.session.execute(
            select(Enterprise).filter_by(id=enterprise["id"])
        ).scalar_one()
        assert row.credit_code in page
        assert "山东省枣庄市市中区" in page
        assert "Recycler" in page
