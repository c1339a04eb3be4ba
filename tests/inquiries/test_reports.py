"""Abuse reports: a participant reports, moderators see the queue, read the thread
and resolve the report with a note; never on their own enterprise's thread."""

import pytest

from market.extensions import db
from market.inquiries.models import InquiryReport
from tests.inquiries.conftest import counts, send, thread_id
from tests.listings.conftest import error_fields


@pytest.fixture
def thread(client_for, buyer, offer):
    return thread_id(send(client_for(buyer), offer.id))


def report(client, inquiry_id, reason="对方要求先付全款到私人账户"):
    return client.post(f"/inquiries/{inquiry_id}/report", {"report-reason": reason})


def reports(app):
    with app.app_context():
        return [
            (
                r.inquiry_id,
                r.reporter_enterprise_id,
                r.reason,
                r.resolution,
                r.resolver_id,
            )
            for r in db.session.scalars(
                db.select(InquiryReport).order_by(InquiryReport.id)
            )
        ]


def test_report_resolve_cycle(app, client_for, factory, seller, buyer, thread):
    assert report(client_for(seller), thread).status_code == 302
    assert reports(app) == [
        (thread, seller["id"], "对方要求先付全款到私人账户", None, None)
    ]
    # The reporter sees its report; the other side does not.
    assert "A moderator will look at it." in client_for(seller).text(
        f"/inquiries/{thread}"
    )
    assert "私人账户" not in client_for(buyer).text(f"/inquiries/{thread}")

    moderator = factory.moderator()
    client = client_for(moderator)
    queue = client.text("/moderation/inquiries")
    assert f'href="/inquiries/{thread}"' in queue and "私人账户" in queue
    [row] = reports(app)
    with app.app_context():
        report_id = db.session.scalar(db.select(InquiryReport.id))
    url = f"/moderation/inquiries/reports/{report_id}/resolve"
    # A note is required.
    response = client.post(url, {"resolve-resolution": " "})
    assert response.status_code == 302
    assert "Write what was decided." in client.text(f"/inquiries/{thread}")
    assert reports(app) == [row]
    response = client.post(url, {"resolve-resolution": "已警告该企业"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/moderation/inquiries")
    assert reports(app) == [
        (
            thread,
            seller["id"],
            "对方要求先付全款到私人账户",
            "已警告该企业",
            moderator["user_id"],
        )
    ]
    assert client.post(url, {"resolve-resolution": "again"}).status_code == 409
    assert "已警告该企业" in client.text("/moderation/inquiries?state=resolved")
    assert f'href="/inquiries/{thread}"' not in client.text("/moderation/inquiries")
    # Still readable after resolution (the case stays on record).
    assert client.get(f"/inquiries/{thread}").status_code == 200
    assert "A moderator answered: 已警告该企业" in client_for(seller).text(
        f"/inquiries/{thread}"
    )


def test_report_needs_a_reason_and_is_not_repeated(app, client_for, buyer, thread):
    client = client_for(buyer)
    before = counts(app)
    response = report(client, thread, "  ")
    assert response.status_code == 200
    assert "report-reason" in error_fields(response.get_data(as_text=True))
    assert counts(app) == before
    assert report(client, thread).status_code == 302
    response = report(client, thread, "再次举报")
    assert response.status_code == 200
    assert (
        "Your report on this thread is still waiting for a moderator."
        in response.get_data(as_text=True)
    )
    assert len(reports(app)) == 1


def test_moderator_of_a_party_cannot_resolve(
    app, client_for, factory, seller, buyer, thread
):
    report(client_for(buyer), thread)
    colleague = factory.moderator(enterprise_id=seller["id"])
    with app.app_context():
        report_id = db.session.scalar(db.select(InquiryReport.id))
    client = client_for(colleague)
    assert "data-inquiry-message" in client.text(f"/inquiries/{thread}")  # a party
    response = client.post(
        f"/moderation/inquiries/reports/{report_id}/resolve",
        {"resolve-resolution": "无问题"},
    )
    assert response.status_code == 403
    assert reports(app)[0][3] is None


def test_members_cannot_reach_the_queue(client_for, buyer):
    assert client_for(buyer).get("/moderation/inquiries").status_code == 403
    response = client_for(None).get("/moderation/inquiries")
    assert response.status_code == 302
