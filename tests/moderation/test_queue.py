"""The moderators' queue: order, waiting time, flags, tabs, and the licence preview."""

import re
from datetime import timedelta

import pytest

from market.database import utcnow
from market.enterprises.models import Enterprise, EnterpriseStatus
from market.extensions import db
from market.files.sniffing import PDF, SniffedFile
from market.files.storage import store_file
from tests.conftest import login, pdf_bytes, png_bytes
from tests.moderation.test_decisions import moderator_client
from tests.enterprises.test_registration import shared_compiled_templates  # noqa: F401

PENDING, APPROVED, REJECTED, SUSPENDED = (
    EnterpriseStatus.PENDING,
    EnterpriseStatus.APPROVED,
    EnterpriseStatus.REJECTED,
    EnterpriseStatus.SUSPENDED,
)


def rows(page: str) -> dict[int, str]:
    """Queue rows by enterprise id, in page order."""
    found = re.findall(r'<tr data-enterprise-id="(\d+)">(.*?)</tr>', page, re.S)
    return {int(enterprise_id): row for enterprise_id, row in found}


def ago(**delta):
    return utcnow() - timedelta(**delta)


def test_pending_applications_are_listed_oldest_first_with_waiting_time(app, factory):
    recent = factory.enterprise(status=PENDING, submitted_at=ago(hours=5))
    oldest = factory.enterprise(status=PENDING, submitted_at=ago(days=3, minutes=10))
    middle = factory.enterprise(status=PENDING, submitted_at=ago(days=2, minutes=10))
    approved = factory.enterprise(status=APPROVED, submitted_at=ago(days=9))
    client, _ = moderator_client(app, factory)

    response = client.get("/moderation/enterprises")
    assert response.status_code == 200
    listed = rows(response.get_data(as_text=True))
    assert list(listed) == [oldest["id"], middle["id"], recent["id"]]
    assert approved["id"] not in listed
    assert "3 days" in listed[oldest["id"]]
    assert "2 days" in listed[middle["id"]]
    assert "5 hours" in listed[recent["id"]]
    assert oldest["name"] in listed[oldest["id"]]
    assert "山东省枣庄市" in listed[oldest["id"]]
    # The default tab is the pending one, reached from /moderation/ too.
    assert (
        client.get("/moderation/")
        .headers["Location"]
        .endswith("/moderation/enterprises")
    )
    same = client.get("/moderation/enterprises?status=pending").get_data(as_text=True)
    assert list(rows(same)) == list(listed)


def test_waiting_time_is_shown_in_chinese_by_default(app, factory, translate):
    factory.enterprise(status=PENDING, submitted_at=ago(days=3, minutes=10))
    moderator = factory.moderator()
    client = app.test_client()
    login(client, moderator["email"])
    page = client.get("/moderation/enterprises").get_data(as_text=True)
    assert "3天" in page
    assert translate("Pending review") in page


def test_flags_for_failed_code_check_and_taken_name(app, factory):
    unverified = factory.enterprise(status=PENDING, credit_code_unverified=True)
    factory.enterprise(status=APPROVED, name="枣庄鑫源电力设备有限公司")
    copycat = factory.enterprise(status=PENDING, name="枣庄鑫源电力设备有限公司")
    plain = factory.enterprise(status=PENDING)
    client, _ = moderator_client(app, factory)

    listed = rows(client.get("/moderation/enterprises").get_data(as_text=True))
    assert "Credit code failed the check" in listed[unverified["id"]]
    assert "Name already registered" not in listed[unverified["id"]]
    assert "Name already registered" in listed[copycat["id"]]
    assert "Credit code failed the check" not in listed[copycat["id"]]
    assert "badge-flag" not in listed[plain["id"]]

    detail = client.get(f"/moderation/enterprises/{copycat['id']}").get_data(
        as_text=True
    )
    assert "Name already registered" in detail
    detail = client.get(f"/moderation/enterprises/{plain['id']}").get_data(as_text=True)
    assert "badge-flag" not in detail


def test_tabs_count_each_status_and_list_it(app, factory):
    created = {
        PENDING: [factory.enterprise(status=PENDING) for _ in range(3)],
        APPROVED: [factory.enterprise(status=APPROVED) for _ in range(2)],
        REJECTED: [factory.enterprise(status=REJECTED)],
        SUSPENDED: [],
    }
    client, _ = moderator_client(app, factory)
    labels = {
        PENDING: "Pending review",
        APPROVED: "Approved",
        REJECTED: "Rejected",
        SUSPENDED: "Suspended",
    }
    for status, enterprises in created.items():
        page = client.get(f"/moderation/enterprises?status={status.value}").get_data(
            as_text=True
        )
        for other, label in labels.items():
            tab = re.search(
                rf'status={other.value}" class="[^"]*">{label} '
                r'<span class="count">(\d+)</span>',
                page,
            )
            assert tab and int(tab.group(1)) == len(created[other]), (other, page)
        assert re.search(rf'status={status.value}" class="active"', page)
        assert sorted(rows(page)) == sorted(e["id"] for e in enterprises)
        if not enterprises:
            assert "No applications in this state." in page


def test_unknown_tab_is_404(app, factory):
    client, _ = moderator_client(app, factory)
    assert client.get("/moderation/enterprises?status=deleted").status_code == 404


def test_image_licence_is_previewed_inline(app, factory):
    enterprise = factory.enterprise(status=PENDING)
    client, _ = moderator_client(app, factory)
    detail = client.get(f"/moderation/enterprises/{enterprise['id']}").get_data(
        as_text=True
    )
    image_url = f"/enterprises/{enterprise['id']}/licence?inline=1"
    assert f'<img src="{image_url}"' in detail
    assert "Download the PDF licence" not in detail
    with client.get(image_url) as image:
        assert image.status_code == 200
        assert image.mimetype == "image/png"
        assert image.data == png_bytes()
        assert image.headers["Content-Disposition"].startswith("inline")
        assert image.headers["X-Content-Type-Options"] == "nosniff"


def test_pdf_licence_gets_a_download_link(app, factory):
    enterprise = factory.enterprise(status=PENDING)
    document = pdf_bytes(b"% licence scan")
    with app.app_context():
        row = db.session.get(Enterprise, enterprise["id"])
        row.licence = store_file(SniffedFile(PDF, document), "营业执照.pdf", row.id)
        db.session.commit()
    client, _ = moderator_client(app, factory)
    detail = client.get(f"/moderation/enterprises/{enterprise['id']}").get_data(
        as_text=True
    )
    assert "licence-preview" not in detail and "licence?inline=1" not in detail
    link = re.search(
        r'<a class="btn btn-secondary" href="([^"]+)">Download the PDF licence</a>',
        detail,
    )
    assert link and link.group(1) == f"/enterprises/{enterprise['id']}/licence"
    for url in (link.group(1), link.group(1) + "?inline=1"):
        with client.get(url) as download:
            assert download.status_code == 200
            assert download.mimetype == "application/pdf"
            assert download.data == document
            disposition = download.headers["Content-Disposition"]
            assert disposition.startswith("attachment")
            assert "%E8%90%A5%E4%B8%9A%E6%89%A7%E7%85%A7.pdf" in disposition


def test_detail_shows_the_application_and_its_history(app, factory):
    enterprise = factory.enterprise(status=PENDING, credit_code_unverified=True)
    client, _ = moderator_client(app, factory)
    page = client.get(f"/moderation/enterprises/{enterprise['id']}").get_data(
        as_text=True
    )
    assert enterprise["name"] in page
    assert enterprise["mobile"] in page and enterprise["email"] in page
    assert "山东省枣庄市市中区" in page
    assert "Application submitted" in page
    assert "Waiting since" in page
    assert f"/moderation/enterprises/{enterprise['id']}/approve" in page
    assert f"/moderation/enterprises/{enterprise['id']}/reject" in page
    assert "/suspend" not in page and "/reinstate" not in page


@pytest.mark.parametrize(
    "path", ["/moderation/enterprises", "/moderation/enterprises/1"]
)
def test_queue_is_for_moderators_only(app, factory, path):
    member = factory.enterprise()
    client = app.test_client()
    response = client.get(path)
    assert (
        response.status_code == 302
        and "/accounts/login" in response.headers["Location"]
    )
    login(client, member["email"])
    assert client.get(path).status_code == 403


def test_licence_is_hidden_from_other_enterprises_and_anonymous(app, factory):
    enterprise = factory.enterprise(status=PENDING)
    other = factory.enterprise()
    client = app.test_client()
    assert client.get(f"/enterprises/{enterprise['id']}/licence").status_code == 404
    login(client, other["email"])
    assert client.get(f"/enterprises/{enterprise['id']}/licence").status_code == 404
