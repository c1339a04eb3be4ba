"""Demo data around Zaozhuang: about 120 enterprises in every state, and demo logins."""

import io
import random
from dataclasses import dataclass
from datetime import timedelta

from PIL import Image, ImageDraw

from market.accounts.models import Role, User
from market.accounts.passwords import hash_password
from market.database import utcnow
from market.demo_inquiries import seed_inquiries
from market.demo_listings import seed_listings
from market.domain.credit_code import make_credit_code, make_org_code
from market.domain.regions import list_children
from market.enterprises.models import (
    DecisionAction,
    Enterprise,
    EnterpriseDecision,
    EnterpriseStatus,
    EnterpriseType,
)
from market.extensions import db
from market.files.sniffing import PNG, SniffedFile
from market.files.storage import store_file

SEED = 20260401
ENTERPRISE_COUNT = 120
ZAOZHUANG = "370400"
SHANDONG = "370000"
ORG_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


@dataclass(frozen=True)
class DemoAccount:
    label: str
    name: str
    mobile: str
    email: str
    password: str


DEMO_MODERATOR = DemoAccount(
    "moderator", "平台审核员", "13800000001", "moderator@demo.market", "Shenhe-Demo-2026"
)
DEMO_MEMBER = DemoAccount(
    "enterprise", "张伟", "13800000002", "demo@demo.market", "Xinyuan-Demo-2026"
)
DEMO_ACCOUNTS = (DEMO_MODERATOR, DEMO_MEMBER)

GRID_COMPANY = ("国网山东省电力公司枣庄供电公司", EnterpriseType.GRID_SUPPLY, "370402")
DEMO_COMPANY = ("枣庄鑫源电力设备有限公司", EnterpriseType.RECYCLER, "370403")

PLACES = {
    "370402": "枣庄", "370403": "薛城", "370404": "峄城", "370405": "台儿庄",
    "370406": "山亭", "370481": "滕州",
}  # fmt: skip
WORDS = (
    "鑫源", "华能", "恒通", "远航", "泰和", "金诚", "宏达", "瑞丰", "东方", "盛世",
    "天元", "中兴", "永安", "润泽", "信达", "昌盛", "国泰", "佳和", "兴业", "明光",
    "正泰", "鲁能", "汇通", "博远", "新源", "华信", "利民", "长城", "众诚", "安泰",
)  # fmt: skip
BUSINESSES = {
    EnterpriseType.GRID_SUPPLY: ("供电服务有限公司", "配售电有限公司"),
    EnterpriseType.GENERATION: ("热电有限公司", "新能源发电有限公司", "光伏电力有限公司"),
    EnterpriseType.MANUFACTURER: ("变压器有限公司", "电气设备制造有限公司", "开关有限公司"),
    EnterpriseType.CONTRACTOR: ("电力工程有限公司", "电气安装工程有限公司", "输变电工程有限公司"),
    EnterpriseType.RECYCLER: ("物资回收有限公司", "再生资源有限公司", "二手设备有限公司"),
    EnterpriseType.SMALL_USER: ("机械厂", "建材有限公司", "食品有限公司", "纺织有限公司"),
    EnterpriseType.OTHER: ("商贸有限公司", "科技有限公司"),
}  # fmt: skip
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = ("伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超")
STREETS = ("光明大道", "君山路", "青檀路", "文化路", "解放路", "振兴路", "龙头路", "长江路")
REJECTION_REASONS = (
    "营业执照照片模糊，无法辨认统一社会信用代码。",
    "企业名称与营业执照不一致。",
    "经营范围与电力设备无关。",
)
SUSPENSION_REASON = "多次发布与实物不符的设备信息，暂停资格待核查。"


def seed() -> dict[str, int]:
    """Add what is missing of the demo world; existing rows are left alone."""
    rng = random.Random(SEED)
    member_hash = hash_password("Demo-Member-Password-2026")
    created = existing = 0
    moderator = _ensure_moderator()
    for index, spec in enumerate(_enterprise_specs(rng)):
        if _find_enterprise(spec["credit_code"]) is not None:
            existing += 1
            continue
        _create_enterprise(spec, index, moderator, member_hash)
        created += 1
    if moderator.enterprise is None:
        moderator.enterprise = _find_enterprise(_code_for(GRID_COMPANY[2], "MA3C00001"))
    db.session.flush()
    posts = seed_listings(moderator, random.Random(SEED + 1))
    inquiries = seed_inquiries(random.Random(SEED + 2), DEMO_MEMBER.email)
    return {
        "created": created,
        "existing": existing,
        "posts_created": posts["created"],
        "posts_existing": posts["existing"],
        "inquiries_created": inquiries["inquiries"],
    }


def _ensure_moderator() -> User:
    user = db.session.execute(
        db.select(User).filter_by(email=DEMO_MODERATOR.email)
    ).scalar_one_or_none()
    if user is None:
        user = User(
            name=DEMO_MODERATOR.name,
            mobile=DEMO_MODERATOR.mobile,
            email=DEMO_MODERATOR.email,
            password_hash=hash_password(DEMO_MODERATOR.password),
            role=Role.MODERATOR,
        )
        db.session.add(user)
        db.session.flush()
    return user


def _find_enterprise(code: str) -> Enterprise | None:
    return db.session.execute(
        db.select(Enterprise).filter_by(credit_code=code)
    ).scalar_one_or_none()


def _code_for(region: str, subject8: str) -> str:
    return make_credit_code("9", "1", region, make_org_code(subject8[:8]))


def _enterprise_specs(rng: random.Random) -> list[dict]:
    specs = [
        _fixed_spec(GRID_COMPANY, "MA3C00001", EnterpriseStatus.APPROVED),
        _fixed_spec(DEMO_COMPANY, "MA3CXY002", EnterpriseStatus.APPROVED, DEMO_MEMBER),
    ]
    other_cities = [c.code for c in list_children(SHANDONG) if c.code != ZAOZHUANG]
    names = set()
    while len(specs) < ENTERPRISE_COUNT:
        index = len(specs)
        if rng.random() < 0.7:
            district = rng.choice(sorted(PLACES))
            city, place = ZAOZHUANG, PLACES[district]
        else:
            city = rng.choice(other_cities)
            districts = list_children(city)
            district = rng.choice(districts).code if districts else None
            place = _city_short_name(city)
        kind = rng.choices(
            list(BUSINESSES), weights=(4, 6, 14, 20, 16, 30, 10), k=1
        )[0]
        name = f"{place}{rng.choice(WORDS)}{rng.choice(BUSINESSES[kind])}"
        if name in names:
            continue
        names.add(name)
        subject = "".join(rng.choice(ORG_CHARS[:10]) for _ in range(8))
        status = _status_for(index)
        specs.append(
            {
                "name": name,
                "type": kind,
                "city": city,
                "district": district,
                "credit_code": _code_for(district or city, subject),
                "status": status,
                "contact": rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                "mobile": f"13{rng.randint(5, 9)}{rng.randint(10000000, 99999999)}",
                "address": f"{rng.choice(STREETS)}{rng.randint(1, 999)}号",
                "age_days": rng.randint(1, 300) if status is not EnterpriseStatus.PENDING
                else rng.randint(0, 6),
                "account": None,
            }
        )
    return specs


def _fixed_spec(fixed, subject, status, account=None) -> dict:
    name, kind, district = fixed
    return {
        "name": name,
        "type": kind,
        "city": ZAOZHUANG,
        "district": district,
        "credit_code": _code_for(district, subject),
        "status": status,
        "contact": account.name if account else "刘强",
        "mobile": account.mobile if account else "13806320000",
        "address": "光明大道99号" if account is None else "临城街道振兴路18号",
        "age_days": 400,
        "account": account,
    }


def _status_for(index: int) -> EnterpriseStatus:
    # Mostly approved, some waiting, a few rejected or suspended: every state shows.
    if index % 10 == 3:
        return EnterpriseStatus.PENDING
    if index % 29 == 5:
        return EnterpriseStatus.REJECTED
    if index % 53 == 7:
        return EnterpriseStatus.SUSPENDED
    return EnterpriseStatus.APPROVED


def _city_short_name(city_code: str) -> str:
    from market.domain.regions import get_region

    name = get_region(city_code).name
    return name[:-1] if name.endswith("市") else name


def _create_enterprise(spec: dict, index: int, moderator: User, member_hash: str):
    submitted = utcnow() - timedelta(days=spec["age_days"], hours=index % 24)
    account: DemoAccount | None = spec["account"]
    enterprise = Enterprise(
        name=spec["name"],
        credit_code=spec["credit_code"],
        enterprise_type=spec["type"],
        province_code=SHANDONG,
        city_code=spec["city"],
        district_code=spec["district"],
        address=spec["address"],
        contact_name=spec["contact"],
        contact_mobile=spec["mobile"],
        contact_email=account.email if account else f"contact{index:03d}@demo.market",
        status=EnterpriseStatus.PENDING,
        created_at=submitted,
        submitted_at=submitted,
    )
    db.session.add(enterprise)
    db.session.add(
        User(
            name=spec["contact"],
            mobile=spec["mobile"],
            email=enterprise.contact_email,
            password_hash=hash_password(account.password) if account else member_hash,
            enterprise=enterprise,
            created_at=submitted,
        )
    )
    db.session.flush()
    enterprise.licence = store_file(
        _licence_image(enterprise), "营业执照.png", enterprise.id
    )
    _history(enterprise, spec["status"], moderator, submitted)


def _history(enterprise, final, moderator, submitted) -> None:
    steps = [(None, DecisionAction.SUBMITTED, EnterpriseStatus.PENDING, None)]
    if final is EnterpriseStatus.REJECTED:
        reason = REJECTION_REASONS[enterprise.id % len(REJECTION_REASONS)]
        steps.append((moderator, DecisionAction.REJECTED, final, reason))
    elif final in (EnterpriseStatus.APPROVED, EnterpriseStatus.SUSPENDED):
        steps.append((moderator, DecisionAction.APPROVED, EnterpriseStatus.APPROVED, None))
    if final is EnterpriseStatus.SUSPENDED:
        steps.append((moderator, DecisionAction.SUSPENDED, final, SUSPENSION_REASON))
    previous = None
    for offset, (actor, action, status, reason) in enumerate(steps):
        db.session.add(
            EnterpriseDecision(
                enterprise=enterprise,
                actor=actor,
                action=action,
                from_status=previous,
                to_status=status,
                reason=reason,
                created_at=submitted + timedelta(hours=20 * offset),
            )
        )
        previous = status
    enterprise.status = final
    enterprise.status_reason = steps[-1][3]
    if len(steps) > 1:
        enterprise.decided_at = submitted + timedelta(hours=20 * (len(steps) - 1))


def _licence_image(enterprise: Enterprise) -> SniffedFile:
    """A plain drawing standing in for a scanned licence (nothing is downloaded)."""
    image = Image.new("RGB", (640, 440), "#fbf6e9")
    draw = ImageDraw.Draw(image)
    draw.rectangle((12, 12, 627, 427), outline="#b8860b", width=6)
    draw.text((40, 40), "BUSINESS LICENCE (DEMO)", fill="#7a1f1f")
    draw.text((40, 90), f"USCC {enterprise.credit_code}", fill="#222")
    draw.text((40, 130), f"Registered {enterprise.created_at:%Y-%m-%d}", fill="#222")
    draw.ellipse((470, 270, 590, 390), outline="#c0392b", width=5)
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return SniffedFile(PNG, buffer.getvalue(), 640, 440)
