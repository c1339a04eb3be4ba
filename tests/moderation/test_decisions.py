"""Moderators' decisions on enterprises: state machine, who may decide, audit."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import delete, func, select, update

from market.database import utcnow
from market.enterprises.models import (
    DecisionAction,
    Enterprise,
    EnterpriseDecision,
    EnterpriseStatus,
)
from market.extensions import db
from tests.conftest import csrf_token, login
from tests.enterprises.test_registration import (  # noqa: F401 (fixture)
    english,
    shared_compiled_templates,
    text_of,
)

PENDING, APPROVED, REJECTED, SUSPENDED = (
    EnterpriseStatus.PENDING,
    EnterpriseStatus.APPROVED,
    EnterpriseStatus.REJECTED,
    EnterpriseStatus.SUSPENDED,
)
VERBS = {
    "approve": (DecisionAction.APPROVED, {PENDING}, APPROVED),
    "reject": (DecisionAction.REJECTED, {PENDING}, REJECTED),
    "suspend": (DecisionAction.SUSPENDED, {APPROVED}, SUSPENDED),
    "reinstate": (DecisionAction.REINSTATED, {SUSPENDED}, APPROVED),
}
REASON_VERBS = {"reject", "suspend"}


# --- helpers shared with the lifecycle and queue tests --------------------------


def moderator_client(app, factory, enterprise_id=None):
    """A logged-in moderator's client (English) and the moderator's ids."""
    moderator = factory.moderator(enterprise_id=enterprise_id)
    client = app.test_client()
    english(client)
    assert login(client, moderator["email"]).status_code == 302
    return client, moderator


def decide(client, enterprise_id: int, verb: str, **form):
    """POST a decision as the detail page's form does, with the session's CSRF token.

    The reason form always carries its select, "" when no stock reason is chosen.
    """
    page = client.get(f"/moderation/enterprises/{enterprise_id}", follow_redirects=True)
    data = {"csrf_token": csrf_token(page.get_data(as_text=True)), **form}
    if verb in REASON_VERBS:
        data.setdefault("stock_reason", "")
    return client.post(f"/moderation/enterprises/{enterprise_id}/{verb}", data=data)


def state(app, enterprise_id: int):
    """What a decision may change: the enterprise's state and its history."""
    with app.app_context():
        enterprise = db.session.get(Enterprise, enterprise_id)
        history = [
            (d.action, d.actor_id, d.from_status, d.to_status, d.reason)
            for d in enterprise.decisions
        ]
        return (
            enterprise.status,
            enterprise.status_reason,
            enterprise.decided_at,
            history,
        )


def last_decision(app, enterprise_id: int) -> EnterpriseDecision:
    with app.app_context():
        decision = db.session.execute(
            select(EnterpriseDecision)
            .where(EnterpriseDecision.enterprise_id == enterprise_id)
            .order_by(EnterpriseDecision.id.desc())
            .limit(1)
        ).scalar_one()
        db.session.expunge(decision)
        return decision


# --- the state machine -----------------------------------------------------------


@pytest.mark.parametrize("verb", list(VERBS))
@pytest.mark.parametrize("start", [PENDING, APPROVED, REJECTED, SUSPENDED], ids=str)
def test_state_machine(app, factory, start, verb):
    action, sources, target = VERBS[verb]
    enterprise = factory.enterprise(status=start)
    client, moderator = moderator_client(app, factory)
    before = state(app, enterprise["id"])
    form = {"reason": "核实后决定 / checked by phone"} if verb in REASON_VERBS else {}

    response = decide(client, enterprise["id"], verb, **form)

    if start not in sources:
        assert response.status_code == 409
        assert "This item is no longer in a state that allows this action." in text_of(
            response
        )
        assert state(app, enterprise["id"]) == before
        return
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/moderation/enterprises")
    status, reason, decided_at, history = state(app, enterprise["id"])
    assert status is target
    assert reason == (form.get("reason") if target is not APPROVED else None)
    assert utcnow() - decided_at < timedelta(minutes=1)
    assert history == before[3] + [
        (action, moderator["user_id"], start, target, form.get("reason"))
    ]
    decision = last_decision(app, enterprise["id"])
    assert decision.created_at.tzinfo is not None
    assert utcnow() - decision.created_at < timedelta(minutes=1)
    flash = f"{enterprise['name']} has been {action.value}."
    assert flash in text_of(client.get("/moderation/enterprises"))


def test_full_lifecycle_leaves_one_audit_row_per_step(app, factory):
    enterprise = factory.enterprise(status=PENDING)
    client, moderator = moderator_client(app, factory)
    steps = [
        ("approve", {}),
        ("suspend", {"stock_reason": "contact_unreachable"}),
        ("reinstate", {}),
        ("suspend", {"reason": "再次违规"}),
    ]
    for verb, form in steps:
        assert decide(client, enterprise["id"], verb, **form).status_code == 302
    status, reason, _, history = state(app, enterprise["id"])
    assert (status, reason) == (SUSPENDED, "再次违规")
    me = moderator["user_id"]
    assert history == [
        (DecisionAction.SUBMITTED, None, None, PENDING, None),
        (DecisionAction.APPROVED, me, PENDING, APPROVED, None),
        (
            DecisionAction.SUSPENDED,
            me,
            APPROVED,
            SUSPENDED,
            "The contact person could not be reached.",
        ),
        (DecisionAction.REINSTATED, me, SUSPENDED, APPROVED, None),
        (DecisionAction.SUSPENDED, me, APPROVED, SUSPENDED, "再次违规"),
    ]


def test_stock_reason_and_details_are_combined(app, factory):
    enterprise = factory.enterprise(status=PENDING)
    client, _ = moderator_client(app, factory)
    response = decide(
        client,
        enterprise["id"],
        "reject",
        stock_reason="licence_mismatch",
        reason="  名称少了“有限”二字。  ",
    )
    assert response.status_code == 302
    expected = (
        "The name or code does not match the business licence. 名称少了“有限”二字。"
    )
    assert state(app, enterprise["id"])[1] == expected
    assert last_decision(app, enterprise["id"]).reason == expected


def test_stock_reason_is_stored_in_the_moderators_language(app, factory, translate):
    enterprise = factory.enterprise(status=PENDING)
    moderator = factory.moderator()
    client = app.test_client()
    assert login(client, moderator["email"]).status_code == 302  # default: Chinese
    response = decide(client, enterprise["id"], "reject", stock_reason="duplicate")
    assert response.status_code == 302
    assert state(app, enterprise["id"])[1] == translate(
        "The enterprise has already registered."
    )
    page = client.get("/moderation/enterprises").get_data(as_text=True)
    assert translate("%(name)s has been rejected.", name=enterprise["name"]) in page


@pytest.mark.parametrize("verb", sorted(REASON_VERBS))
@pytest.mark.parametrize(
    "form",
    [{}, {"reason": ""}, {"reason": "   \n\t "}, {"reason": "\u3000"}],
    ids=["no-details", "empty", "whitespace", "ideographic-space"],
)
def test_reject_and_suspend_need_a_reason(app, factory, verb, form):
    start = PENDING if verb == "reject" else APPROVED
    enterprise = factory.enterprise(status=start)
    client, _ = moderator_client(app, factory)
    before = state(app, enterprise["id"])
    response = decide(client, enterprise["id"], verb, **form)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(
        f"/moderation/enterprises/{enterprise['id']}"
    )
    assert "Give a reason for this decision." in text_of(
        client.get(response.headers["Location"])
    )
    assert state(app, enterprise["id"]) == before


@pytest.mark.parametrize(
    "form",
    [{"stock_reason": "not-a-stock-reason"}, {"reason": "x" * 1001}],
    ids=["unknown-stock-reason", "too-long"],
)
def test_invalid_reason_form_changes_nothing(app, factory, form):
    enterprise = factory.enterprise(status=PENDING)
    client, _ = moderator_client(app, factory)
    before = state(app, enterprise["id"])
    response = decide(client, enterprise["id"], "reject", **form)
    assert response.status_code == 302
    page = text_of(client.get(response.headers["Location"]))
    assert "The form has expired or is incomplete; please try again." in page
    assert state(app, enterprise["id"]) == before


def test_suspension_signs_the_members_out(app, factory):
    enterprise = factory.enterprise(status=APPROVED)
    member = app.test_client()
    english(member)
    assert login(member, enterprise["email"]).status_code == 302
    assert member.get("/enterprises/mine").status_code == 200
    client, _ = moderator_client(app, factory)
    assert (
        decide(client, enterprise["id"], "suspend", reason="虚假信息").status_code
        == 302
    )

    response = member.get("/enterprises/mine")
    assert response.status_code == 302
    assert "/accounts/login" in response.headers["Location"]
    again = login(member, enterprise["email"])
    assert again.status_code == 200
    assert "Your enterprise is suspended: 虚假信息" in text_of(again)


# --- who may decide --------------------------------------------------------------


def test_moderator_cannot_decide_on_their_own_enterprise(app, factory):
    enterprise = factory.enterprise(status=PENDING)
    client, _ = moderator_client(app, factory, enterprise_id=enterprise["id"])
    before = state(app, enterprise["id"])
    detail = text_of(client.get(f"/moderation/enterprises/{enterprise['id']}"))
    assert "You cannot decide on your own enterprise." in detail
    assert f"/moderation/enterprises/{enterprise['id']}/approve" not in detail
    for verb, form in [("approve", {}), ("reject", {"reason": "自己"})]:
        assert decide(client, enterprise["id"], verb, **form).status_code == 403
    assert state(app, enterprise["id"]) == before


@pytest.mark.parametrize("verb", list(VERBS))
def test_member_cannot_post_a_decision(app, factory, verb):
    target = factory.enterprise(
        status=PENDING if verb in ("approve", "reject") else APPROVED
    )
    own = factory.enterprise(status=APPROVED)
    member = app.test_client()
    assert login(member, own["email"]).status_code == 302
    for enterprise_id in (target["id"], own["id"]):
        before = state(app, enterprise_id)
        response = decide(member, enterprise_id, verb, reason="x")
        assert response.status_code == 403
        assert state(app, enterprise_id) == before


def test_anonymous_is_sent_to_log_in_and_nothing_changes(app, factory, client):
    enterprise = factory.enterprise(status=PENDING)
    before = state(app, enterprise["id"])
    response = decide(client, enterprise["id"], "approve")
    assert response.status_code == 302
    assert "/accounts/login" in response.headers["Location"]
    assert state(app, enterprise["id"]) == before


def test_decision_needs_post_and_a_csrf_token(app, factory):
    enterprise = factory.enterprise(status=PENDING)
    client, _ = moderator_client(app, factory)
    before = state(app, enterprise["id"])
    assert (
        client.get(f"/moderation/enterprises/{enterprise['id']}/approve").status_code
        == 405
    )
    assert (
        client.post(f"/moderation/enterprises/{enterprise['id']}/approve").status_code
        == 400
    )
    assert state(app, enterprise["id"]) == before


def test_unknown_enterprise_is_404(app, factory):
    client, _ = moderator_client(app, factory)
    assert decide(client, 999_999, "approve").status_code == 404
    assert client.get("/moderation/enterprises/999999").status_code == 404


# --- the audit history is append-only --------------------------------------------


def _history_rows(app):
    with app.app_context():
        return [
            (d.id, d.action, d.reason, d.created_at)
            for d in db.session.scalars(
                select(EnterpriseDecision).order_by(EnterpriseDecision.id)
            )
        ]


def test_decision_rows_cannot_be_updated_through_the_orm(app, factory):
    factory.enterprise(status=PENDING)
    before = _history_rows(app)
    with app.app_context():
        decision = db.session.scalars(select(EnterpriseDecision)).first()
        decision.reason = "tampered"
        with pytest.raises(RuntimeError, match="append-only"):
            db.session.commit()
        db.session.rollback()
    assert _history_rows(app) == before


def test_decision_rows_cannot_be_deleted_through_the_orm(app, factory):
    factory.enterprise(status=PENDING)
    before = _history_rows(app)
    with app.app_context():
        decision = db.session.scalars(select(EnterpriseDecision)).first()
        db.session.delete(decision)
        with pytest.raises(RuntimeError, match="append-only"):
            db.session.flush()
        db.session.rollback()
    assert _history_rows(app) == before


@pytest.mark.parametrize("statement", ["update", "delete"])
def test_decision_rows_cannot_be_changed_by_bulk_statements(app, factory, statement):
    factory.enterprise(status=PENDING)
    before = _history_rows(app)
    with app.app_context():
        query = (
            update(EnterpriseDecision).values(reason="tampered")
            if statement == "update"
            else delete(EnterpriseDecision)
        )
        with pytest.raises(RuntimeError, match="append-only"):
            db.session.execute(query)
        db.session.rollback()
    assert _history_rows(app) == before


# --- the audit log page ----------------------------------------------------------


def _audit_rows(page: str) -> list[tuple[str, str, str, str]]:
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        cells = [
            re.sub(r"<[^>]+>", "", c).strip()
            for c in re.findall(r"<td>(.*?)</td>", row, re.S)
        ]
        rows.append(tuple(cells[1:]))
    return rows


def test_audit_log_lists_decisions_newest_first(app, factory):
    first = factory.enterprise(status=PENDING, name="枣庄甲电力设备有限公司")
    second = factory.enterprise(status=PENDING, name="枣庄乙电力设备有限公司")
    client, moderator = moderator_client(app, factory)
    assert decide(client, first["id"], "approve").status_code == 302
    assert decide(client, second["id"], "reject", reason="执照模糊").status_code == 302
    assert decide(client, first["id"], "suspend", reason="暂停核查").status_code == 302

    response = client.get("/moderation/audit")
    assert response.status_code == 200
    who = f"审核员{factory.count}"
    assert _audit_rows(response.get_data(as_text=True)) == [
        (who, first["name"], "Suspended", "暂停核查"),
        (who, second["name"], "Rejected", "执照模糊"),
        (who, first["name"], "Approved", ""),
        ("Applicant", second["name"], "Application submitted", ""),
        ("Applicant", first["name"], "Application submitted", ""),
    ]
    with app.app_context():
        assert (
            db.session.scalar(select(func.count()).select_from(EnterpriseDecision)) == 5
        )


def test_audit_log_is_for_moderators_only(app, factory):
    member = factory.enterprise()
    client = app.test_client()
    assert client.get("/moderation/audit").status_code == 302
    login(client, member["email"])
    assert client.get("/moderation/audit").status_code == 403
