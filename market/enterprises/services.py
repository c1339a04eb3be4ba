"""Enterprise rules: applying to join, resubmitting, and what an application shows."""

import logging
import re
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func

from market.accounts import services as accounts
from market.accounts.models import User
from market.database import utcnow
from market.domain.credit_code import (
    CreditCodeProblem,
    check_credit_code,
    normalize_credit_code,
)
from market.domain.regions import validate_region
from market.enterprises.models import (
    DecisionAction,
    Enterprise,
    EnterpriseDecision,
    EnterpriseStatus,
    EnterpriseType,
)
from market.exceptions import InvalidTransition, ValidationFailed
from market.extensions import db
from market.files.sniffing import JPEG, PDF, PNG, UploadRejected, check_upload
from market.files.storage import store_file

log = logging.getLogger(__name__)

LICENCE_TYPES = frozenset({PDF, JPEG, PNG})
CREDIT_CODE_MESSAGES = {
    CreditCodeProblem.LENGTH: _l("The code must have exactly 18 characters."),
    CreditCodeProblem.CHARSET: _l(
        "The code may contain only digits and capital letters except I, O, S, V and Z."
    ),
    CreditCodeProblem.REGION_DIGITS: _l("Characters 3 to 8 of the code must be digits."),
    CreditCodeProblem.CHECKSUM: _l(
        "The code's last character does not match the check algorithm of GB 32100. "
        "Check for typing mistakes; if the code is exactly as on the licence, confirm "
        "below and a moderator will check it by hand."
    ),
}
REGION_MESSAGES = {
    "unknown_province": ("province", _l("Choose the province.")),
    "unknown_city": ("city", _l("Choose the city.")),
    "city_not_in_province": ("city", _l("The city is not in the chosen province.")),
    "district_required": ("district", _l("Choose the district or county.")),
    "unknown_district": ("district", _l("Choose the district or county.")),
    "district_not_in_city": ("district", _l("The district is not in the chosen city.")),
}
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


@dataclass
class ApplicationData:
    name: str
    credit_code: str
    confirm_unverified_code: bool
    enterprise_type: str
    province: str
    city: str
    district: str | None
    address: str
    contact_name: str
    mobile: str
    email: str


@dataclass
class Licence:
    filename: str
    data: bytes


def register_enterprise(
    data: ApplicationData, password: str, licence: Licence | None
) -> Enterprise:
    """A pending enterprise with its first user, its licence and a 'submitted' row."""
    reasons: dict[str | None, list] = {}
    enterprise = Enterprise(status=EnterpriseStatus.PENDING)
    _apply_application(enterprise, data, reasons)
    sniffed = _check_licence(licence, required=True, reasons=reasons)
    try:
        user = accounts.create_user(
            name=enterprise.contact_name or "-",
            mobile=enterprise.contact_mobile,
            email=enterprise.contact_email,
            password=password,
            enterprise=None,
            context=[enterprise.name or "", enterprise.credit_code or ""],
        )
    except ValidationFailed as failure:
        for field, messages in failure.reasons.items():
            reasons.setdefault(field, []).extend(messages)
        user = None
    if reasons:
        if user is not None:
            db.session.expunge(user)
        raise ValidationFailed(reasons)
    db.session.add(enterprise)
    user.enterprise = enterprise
    enterprise.licence = store_file(sniffed, licence.filename, None)
    db.session.flush()
    enterprise.licence.enterprise_id = enterprise.id
    record_decision(enterprise, None, DecisionAction.SUBMITTED, None, None)
    log.info("enterprise %s applied", enterprise.id)
    return enterprise


def resubmit_application(
    actor: User, enterprise: Enterprise, data: ApplicationData, licence: Licence | None
) -> Enterprise:
    """Edit a pending or rejected application; a rejected one goes back to the queue."""
    if enterprise.status not in (EnterpriseStatus.PENDING, EnterpriseStatus.REJECTED):
        raise InvalidTransition(enterprise.status)
    reasons: dict[str | None, list] = {}
    _apply_application(enterprise, data, reasons)
    sniffed = _check_licence(licence, required=False, reasons=reasons)
    if reasons:
        raise ValidationFailed(reasons)
    if sniffed is not None:
        enterprise.licence = store_file(sniffed, licence.filename, enterprise.id)
    if enterprise.status is EnterpriseStatus.REJECTED:
        previous = enterprise.status
        enterprise.status = EnterpriseStatus.PENDING
        enterprise.status_reason = None
        enterprise.submitted_at = utcnow()
        record_decision(enterprise, actor, DecisionAction.RESUBMITTED, previous, None)
    return enterprise


def _apply_application(
    enterprise: Enterprise, data: ApplicationData, reasons: dict
) -> None:
    """Check and copy the application's fields onto the enterprise."""
    name = _clean_text(data.name)
    if not name:
        reasons.setdefault("name", []).append(
            _l("Enter the enterprise's name as on its business licence.")
        )
    code = normalize_credit_code(data.credit_code or "")
    problem = check_credit_code(code)
    unverified = False
    if problem is CreditCodeProblem.CHECKSUM and data.confirm_unverified_code:
        unverified = True
    elif problem is not None:
        reasons.setdefault("credit_code", []).append(CREDIT_CODE_MESSAGES[problem])
    if problem in (None, CreditCodeProblem.CHECKSUM) and _code_taken(code, enterprise):
        reasons.setdefault("credit_code", []).append(
            _l("An enterprise with this code is already registered.")
        )
    try:
        enterprise_type = EnterpriseType(data.enterprise_type)
    except ValueError:
        reasons.setdefault("enterprise_type", []).append(
            _l("Choose the enterprise type.")
        )
        enterprise_type = None
    region_problem = validate_region(data.province, data.city, data.district or None)
    if region_problem:
        field, message = REGION_MESSAGES[region_problem]
        reasons.setdefault(field, []).append(message)
    mobile = accounts.normalize_mobile(data.mobile)
    if not accounts.MOBILE_PATTERN.match(mobile):
        reasons.setdefault("mobile", []).append(
            _l("Enter an 11-digit mainland mobile number starting with 13 to 19.")
        )
    address = _clean_text(data.address)
    contact_name = _clean_text(data.contact_name)
    if not address:
        reasons.setdefault("address", []).append(_l("Enter the address."))
    if not contact_name:
        reasons.setdefault("contact_name", []).append(
            _l("Enter the contact person's name.")
        )
    if reasons:
        # Keep what we could read, so a failed registration still checks the password
        # against the name and code; nothing is added to the session.
        enterprise.name, enterprise.credit_code = name, code
        enterprise.contact_mobile, enterprise.contact_email = mobile, data.email
        return
    enterprise.name = name
    enterprise.credit_code = code
    enterprise.credit_code_unverified = unverified
    enterprise.enterprise_type = enterprise_type
    enterprise.province_code = data.province
    enterprise.city_code = data.city
    enterprise.district_code = data.district or None
    enterprise.address = address
    enterprise.contact_name = contact_name
    enterprise.contact_mobile = mobile
    enterprise.contact_email = data.email.strip().lower()


def _check_licence(licence: Licence | None, required: bool, reasons: dict):
    if licence is None or not licence.data:
        if required:
            reasons.setdefault("licence", []).append(
                _l("Attach the business licence (PDF, JPEG or PNG).")
            )
        return None
    try:
        return check_upload(
            licence.data,
            licence.filename,
            LICENCE_TYPES,
            current_app.config["MARKET_LICENCE_MAX_BYTES"],
        )
    except UploadRejected as rejected:
        reasons.setdefault("licence", []).append(rejected.message)
        return None


def _code_taken(code: str, enterprise: Enterprise) -> bool:
    query = db.select(Enterprise.id).where(Enterprise.credit_code == code)
    if enterprise.id is not None:
        query = query.where(Enterprise.id != enterprise.id)
    return db.session.execute(query).first() is not None


def _clean_text(value: str | None) -> str:
    return CONTROL_CHARACTERS.sub("", value or "").strip()


def record_decision(
    enterprise: Enterprise,
    actor: User | None,
    action: DecisionAction,
    previous: EnterpriseStatus | None,
    reason: str | None,
) -> EnterpriseDecision:
    decision = EnterpriseDecision(
        enterprise=enterprise,
        actor=actor,
        action=action,
        from_status=previous,
        to_status=enterprise.status,
        reason=reason,
    )
    db.session.add(decision)
    return decision


def count_enterprises(status: EnterpriseStatus | None = None) -> int:
    query = db.select(func.count(Enterprise.id))
    if status is not None:
        query = query.where(Enterprise.status == status)
    return db.session.execute(query).scalar_one()


def get_own_enterprise(user: User) -> Enterprise | None:
    return user.enterprise
