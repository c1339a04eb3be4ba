"""Moderators' decisions on enterprises, each one written to the audit history."""

import logging
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from market.accounts.models import User
from market.database import utcnow
from market.enterprises.models import (
    DecisionAction,
    Enterprise,
    EnterpriseDecision,
    EnterpriseStatus,
)
from market.enterprises.services import record_decision
from market.exceptions import InvalidTransition, NotAllowed, ValidationFailed
from market.extensions import db
from market.search import enqueue_enterprise

log = logging.getLogger(__name__)

# action → (states it may start from, state it leads to, whether a reason is required)
TRANSITIONS = {
    DecisionAction.APPROVED: ({EnterpriseStatus.PENDING}, EnterpriseStatus.APPROVED, False),
    DecisionAction.REJECTED: ({EnterpriseStatus.PENDING}, EnterpriseStatus.REJECTED, True),
    DecisionAction.SUSPENDED: (
        {EnterpriseStatus.APPROVED},
        EnterpriseStatus.SUSPENDED,
        True,
    ),
    DecisionAction.REINSTATED: (
        {EnterpriseStatus.SUSPENDED},
        EnterpriseStatus.APPROVED,
        False,
    ),
}

STOCK_REJECTION_REASONS = {
    "licence_unreadable": _l("The business licence is unreadable or incomplete."),
    "licence_mismatch": _l(
        "The name or code does not match the business licence."
    ),
    "code_invalid": _l("The unified social credit code could not be verified."),
    "not_power_related": _l("The enterprise's business is not related to power equipment."),
    "duplicate": _l("The enterprise has already registered."),
    "contact_unreachable": _l("The contact person could not be reached."),
}


@dataclass
class QueueEntry:
    enterprise: Enterprise
    waiting_since: datetime
    name_taken: bool

    @property
    def flags(self) -> list[str]:
        flags = []
        if self.enterprise.credit_code_unverified:
            flags.append("code_unverified")
        if self.name_taken:
            flags.append("name_taken")
        return flags


def decide(
    moderator: User, enterprise: Enterprise, action: DecisionAction, reason: str | None
) -> EnterpriseDecision:
    """Apply one moderation decision along the state machine and audit it."""
    if not moderator.is_moderator:
        raise NotAllowed("only moderators decide")
    if moderator.enterprise_id is not None and moderator.enterprise_id == enterprise.id:
        raise NotAllowed("a moderator cannot decide on their own enterprise")
    sources, target, reason_required = TRANSITIONS[action]
    if enterprise.status not in sources:
        raise InvalidTransition(enterprise.status)
    reason = (reason or "").strip() or None
    if reason_required and not reason:
        raise ValidationFailed({"reason": [_l("Give a reason for this decision.")]})
    previous = enterprise.status
    enterprise.status = target
    enterprise.status_reason = reason if target is not EnterpriseStatus.APPROVED else None
    enterprise.decided_at = utcnow()
    if target is EnterpriseStatus.SUSPENDED:
        for user in enterprise.users:
            user.rotate_session_token()
    # Its posts appear in or vanish from search with the enterprise's state.
    enqueue_enterprise(enterprise.id)
    log.info(
        "moderator %s: enterprise %s %s -> %s",
        moderator.id,
        enterprise.id,
        previous.value,
        target.value,
    )
    return record_decision(enterprise, moderator, action, previous, reason)


def list_queue(status: EnterpriseStatus) -> list[QueueEntry]:
    """Applications in a state, oldest first, with the flags a moderator should see."""
    _other = db.aliased(Enterprise)
    same_name = (
        select(func.count(Enterprise.id))
        .where(Enterprise.name == _other.name, Enterprise.id != _other.id)
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(_other, same_name)
        .where(_other.status == status)
        .order_by(_other.submitted_at, _other.id)
    ).all()
    return [QueueEntry(row[0], row[0].submitted_at, row[1] > 0) for row in rows]


def queue_entry(enterprise: Enterprise) -> QueueEntry:
    taken = db.session.execute(
        select(func.count(Enterprise.id)).where(
            Enterprise.name == enterprise.name, Enterprise.id != enterprise.id
        )
    ).scalar_one()
    return QueueEntry(enterprise, enterprise.submitted_at, taken > 0)


def count_by_status() -> dict[EnterpriseStatus, int]:
    rows = db.session.execute(
        select(Enterprise.status, func.count(Enterprise.id)).group_by(Enterprise.status)
    ).all()
    counts = {status: 0 for status in EnterpriseStatus}
    counts.update({status: count for status, count in rows})
    return counts


def list_decisions(page: int, per_page: int = 50):
    """The audit history, newest first."""
    return db.paginate(
        select(EnterpriseDecision).order_by(EnterpriseDecision.id.desc()),
        page=page,
        per_page=per_page,
        error_out=False,
    )


def allowed_actions(moderator: User, enterprise: Enterprise) -> list[DecisionAction]:
    if moderator.enterprise_id == enterprise.id:
        return []
    return [
        action
        for action, (sources, _target, _reason) in TRANSITIONS.items()
        if enterprise.status in sources
    ]
