"""Demo posts: 185 offers and wanted posts, as the pilot had, in every state.

Every post is built the way a member builds one: ListingInput, validate_listing
and the listing services (create, submit, approve or reject by the moderator,
withdraw, mark sold, expire, revise), with photos drawn here by Pillow and small
hand-written PDF test reports. Only the timestamps are moved back afterwards so
that the home page shows posts published over the last four months.

Everything is decided by the random generator handed in, so the same posts come
out on every run; if demo posts exist already, nothing is added.
"""

from __future__ import annotations

import io
import math
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont
from sqlalchemy import func, select

from market.accounts.models import User
from market.database import utcnow
from market.domain.categories import get_category, spec_input_value
from market.domain.conditions import get_grade, get_quantity_unit
from market.domain.model_numbers import parse_model
from market.domain.regions import get_region
from market.domain.units import format_number
from market.enterprises.models import Enterprise, EnterpriseStatus, EnterpriseType
from market.extensions import db
from market.listings import attachments, services
from market.listings.models import (
    Listing,
    ListingAction,
    ListingEvent,
    ListingStatus,
)
from market.listings.validation import ListingInput

OFFER_COUNT = 150
WANTED_COUNT = 35
LISTING_COUNT = OFFER_COUNT + WANTED_COUNT
# Demo enterprises and users carry e-mail addresses at this domain (see demo.py).
DEMO_DOMAIN = "@demo.market"
DEMO_MEMBER_EMAIL = "demo@demo.market"
ZAOZHUANG = "370400"
PUBLISH_WINDOW_DAYS = 120
PHOTO_SIZE = (800, 600)

# Final states of the posts of all other enterprises; the demo enterprise's eight
# posts (DEMO_MEMBER_PLAN) come on top, one in every "My posts" tab.
OFFER_PLAN = {
    ListingStatus.PUBLISHED: 111,
    ListingStatus.PENDING: 10,
    ListingStatus.DRAFT: 4,
    ListingStatus.REJECTED: 4,
    ListingStatus.SOLD: 7,
    ListingStatus.WITHDRAWN: 3,
    ListingStatus.EXPIRED: 4,
}
WANTED_PLAN = {
    ListingStatus.PUBLISHED: 25,
    ListingStatus.PENDING: 3,
    ListingStatus.DRAFT: 1,
    ListingStatus.REJECTED: 1,
    ListingStatus.SOLD: 1,
    ListingStatus.WITHDRAWN: 1,
    ListingStatus.EXPIRED: 2,
}
# (kind, final state, catalogue model or wanted template key, pending revision)
DEMO_MEMBER_PLAN = (
    ("offer", ListingStatus.PUBLISHED, "S11-M-400/10", True),
    ("offer", ListingStatus.PENDING, "KYN28A-12/1250-31.5", False),
    ("offer", ListingStatus.DRAFT, "ZW32-12/630-20", False),
    ("offer", ListingStatus.REJECTED, "SCB10-1000/10", False),
    ("offer", ListingStatus.SOLD, "S11-M-315/10", False),
    ("offer", ListingStatus.WITHDRAWN, "YJV22-8.7/15 3×240", False),
    ("offer", ListingStatus.EXPIRED, "S9-M-315/10", False),
    ("wanted", ListingStatus.PUBLISHED, "oil_315_630", False),
)
# Published offers of other enterprises that also get an edit waiting for review.
OTHER_REVISIONS = 2

REJECTION_REASONS = (
    "照片未显示设备铭牌，请补充清晰的铭牌照片后重新提交。",
    "标题和描述中留有个人微信号，请删除联系方式后重新提交。",
    "报价与设备型号、成色明显不符，请核实价格后重新提交。",
    "描述信息不全，请补充出厂年份、投运年限及试验情况。",
    "设备类别选择有误，请改为正确的分类后重新提交。",
)
TEST_LABS = (
    "国网山东电科院",
    "国网枣庄供电公司电力试验所",
    "山东电力工业电气设备质量检验中心",
)
GRADE_NAMES = {
    "new": "全新", "like_new": "准新", "grade_90": "九成新", "grade_80": "八成新",
    "serviceable": "可正常使用", "needs_repair": "需维修", "scrap": "报废",
}  # fmt: skip
# Years since manufacture that fit each grade.
GRADE_AGES = {
    "new": (0, 2), "like_new": (1, 2), "grade_90": (3, 5), "grade_80": (5, 10),
    "serviceable": (8, 16), "needs_repair": (10, 20), "scrap": (14, 24),
}  # fmt: skip
SOURCE_TEXT = {
    "grid_retired": "供电公司配网改造退役",
    "idle": "厂区增容改造后闲置",
    "surplus_stock": "项目库存积压，未安装使用",
    "project_leftover": "工程结余物资",
    "dismantled": "厂房拆除旧料",
}

TRANSFORMER_MAKERS = (
    "特变电工",
    "正泰电气",
    "西电",
    "山东电力设备厂",
    "泰开电气",
    "鲁能泰山",
)
SWITCH_MAKERS = ("许继", "平高", "正泰电气", "泰开电气", "西电", "鲁能泰山")
CABLE_MAKERS = ("远东电缆", "宝胜电缆", "鲁能泰山")
METER_MAKERS = ("威胜", "林洋", "许继")
BATTERY_MAKERS = ("双登", "南都", "理士")
GENSET_MAKERS = ("潍柴", "玉柴", "上柴")
USED = ("grade_90", "grade_80", "serviceable")


@dataclass(frozen=True)
class Item:
    """One kind of equipment offered: what it is, how it is counted and priced."""

    model: str
    noun: str
    unit: str
    quantity: tuple[int, int]
    new_price: tuple[int, int]  # per unit, CNY, ex-works
    makers: tuple[str, ...]
    shape: str
    weight: int
    grades: tuple[str, ...] = ("like_new",) + USED + ("needs_repair",)
    # Liquidity and transport discount on top of the grade's share of new value.
    market: tuple[float, float] = (0.8, 1.0)
    extra_specs: dict = field(default_factory=dict)
    sources: tuple[str, ...] = (
        "grid_retired",
        "idle",
        "surplus_stock",
        "project_leftover",
    )
    detail: str = ""
    step: int = 100  # prices are rounded to this many yuan


# fmt: off
CATALOGUE: tuple[Item, ...] = (
    Item("S11-M-400/10", "油浸式变压器", "unit", (1, 3), (40_000, 50_000),
         TRANSFORMER_MAKERS, "transformer", 14, market=(0.7, 0.9),
         extra_specs={"lv_kv": "0.4"}, detail="铜绕组，全密封，联结组别Dyn11，分接范围10±5%"),
    Item("S11-M-315/10", "油浸式变压器", "unit", (1, 3), (33_000, 42_000),
         TRANSFORMER_MAKERS, "transformer", 8, market=(0.7, 0.9),
         extra_specs={"lv_kv": "0.4"}, detail="铜绕组，全密封，联结组别Dyn11，阻抗电压4%"),
    Item("S11-M-630/10", "油浸式变压器", "unit", (1, 2), (55_000, 70_000),
         TRANSFORMER_MAKERS, "transformer", 6, market=(0.7, 0.9),
         extra_specs={"lv_kv": "0.4"}, detail="铜绕组，全密封，联结组别Dyn11"),
    Item("S11-M-200/10", "油浸式变压器", "unit", (1, 4), (25_000, 32_000),
         TRANSFORMER_MAKERS, "transformer", 4, market=(0.7, 0.9),
         extra_specs={"lv_kv": "0.4"}, detail="铜绕组，全密封，适合台区或小型厂房"),
    Item("S13-M-630/10", "油浸式变压器", "unit", (1, 2), (60_000, 80_000),
         TRANSFORMER_MAKERS, "transformer", 8,
         grades=("new", "like_new", "grade_90", "grade_80"), market=(0.65, 0.9),
         extra_specs={"lv_kv": "0.4"}, detail="S13节能型，铜绕组，全密封，联结组别Dyn11"),
    Item("S13-M-400/10", "油浸式变压器", "unit", (1, 3), (45_000, 60_000),
         TRANSFORMER_MAKERS, "transformer", 6,
         grades=("new", "like_new", "grade_90", "grade_80"), market=(0.65, 0.9),
         extra_specs={"lv_kv": "0.4"}, detail="S13节能型，铜绕组，空载损耗低"),
    Item("SBH15-M-400/10", "非晶合金变压器", "unit", (1, 2), (50_000, 65_000),
         TRANSFORMER_MAKERS, "transformer", 2, grades=("new", "like_new", "grade_90"),
         market=(0.6, 0.85), extra_specs={"lv_kv": "0.4"},
         detail="非晶合金铁心，空载损耗约为S11的三成"),
    Item("SCB10-1000/10", "干式变压器", "unit", (1, 2), (90_000, 130_000),
         TRANSFORMER_MAKERS, "dry_transformer", 6, market=(0.5, 0.75),
         extra_specs={"lv_kv": "0.4"}, detail="环氧树脂浇注，F级绝缘，带温控器和风机，含IP20外壳"),
    Item("SCB11-630/10/0.4", "干式变压器", "unit", (1, 2), (65_000, 90_000),
         TRANSFORMER_MAKERS, "dry_transformer", 3, market=(0.5, 0.75),
         detail="环氧树脂浇注，F级绝缘，带温控箱"),
    Item("ZGS11-Z-400/10", "美式箱变", "unit", (1, 1), (100_000, 180_000),
         TRANSFORMER_MAKERS, "box_substation", 6, market=(0.45, 0.7),
         extra_specs={"lv_kv": "0.4"}, detail="终端型，S11变压器，低压出线4路"),
    Item("ZGS11-Z-630/10", "美式箱变", "unit", (1, 1), (130_000, 200_000),
         TRANSFORMER_MAKERS, "box_substation", 3, market=(0.45, 0.7),
         extra_specs={"lv_kv": "0.4"}, detail="终端型，S11变压器，低压出线6路，带无功补偿"),
    Item("KYN28A-12/1250-31.5", "中置式高压开关柜", "panel", (2, 10), (35_000, 80_000),
         SWITCH_MAKERS, "cabinet", 8, market=(0.3, 0.5),
         detail="配VS1真空断路器，弹簧操作机构，含综保装置，五防联锁完好"),
    Item("KYN28A-12", "中置式高压开关柜", "panel", (2, 8), (35_000, 70_000), SWITCH_MAKERS,
         "cabinet", 4, market=(0.3, 0.5), detail="含进线柜、出线柜、PT柜各一面，柜体完好"),
    Item("XGN15-12", "空气绝缘环网柜", "panel", (2, 6), (12_000, 25_000), SWITCH_MAKERS,
         "cabinet", 4, market=(0.35, 0.6), detail="负荷开关加熔断器组合，含电缆进出线单元"),
    Item("HXGN15-12/630-20", "环网柜", "panel", (2, 6), (12_000, 25_000), SWITCH_MAKERS,
         "cabinet", 4, market=(0.35, 0.6), detail="2进4出配置，带带电显示器和故障指示器"),
    Item("ZW32-12/630-20", "柱上真空断路器", "unit", (1, 6), (6000, 12_000), SWITCH_MAKERS,
         "pole_breaker", 6, market=(0.4, 0.65), detail="户外柱上安装，弹簧操作机构，带隔离刀闸"),
    Item("ZW32-12F/630-20", "分界断路器(看门狗)", "unit", (1, 4), (15_000, 25_000),
         SWITCH_MAKERS, "pole_breaker", 2, market=(0.4, 0.65),
         detail="带分界控制器，可隔离用户侧单相接地和相间短路故障"),
    Item("VS1-12/1250-31.5", "户内真空断路器", "unit", (1, 8), (12_000, 20_000),
         SWITCH_MAKERS, "vcb", 5, market=(0.4, 0.65), detail="手车式，配KYN28A柜使用，分合闸次数少"),
    Item("GGD", "低压开关柜", "panel", (2, 8), (8000, 15_000), SWITCH_MAKERS, "lv_cabinet",
         2, market=(0.4, 0.65), detail="固定式，含框架断路器和塑壳断路器，3C认证齐全"),
    Item("YJV22-8.7/15 3×240", "高压电力电缆", "metre", (80, 800), (550, 800), CABLE_MAKERS,
         "cable_drum", 7, grades=("new", "like_new"), market=(0.5, 0.7),
         sources=("surplus_stock", "project_leftover"), detail="铜芯交联聚乙烯绝缘钢带铠装，整盘未开断",
         step=5),
    Item("YJV22-8.7/15 3×120", "高压电力电缆", "metre", (100, 600), (300, 420), CABLE_MAKERS,
         "cable_drum", 3, grades=("new", "like_new"), market=(0.5, 0.7),
         sources=("surplus_stock", "project_leftover"), detail="铜芯交联聚乙烯绝缘钢带铠装，出厂合格证齐全",
         step=5),
    Item("YJV-0.6/1 4×185", "低压电力电缆", "metre", (100, 500), (380, 480), CABLE_MAKERS,
         "cable_drum", 3, grades=("new", "like_new"), market=(0.5, 0.7),
         sources=("surplus_stock", "project_leftover"), detail="铜芯交联聚乙烯绝缘，国标足米足方",
         step=5),
    Item("JKLYJ-10/240", "架空绝缘导线", "metre", (500, 3000), (25, 35), CABLE_MAKERS,
         "cable_drum", 4, grades=("new", "like_new"), market=(0.6, 0.8),
         sources=("surplus_stock", "project_leftover"), detail="铝芯交联聚乙烯绝缘，10kV架空线路用",
         step=1),
    Item("DTZY1296", "三相智能电能表", "piece", (20, 300), (300, 900), METER_MAKERS, "meter",
         5, grades=("like_new", "grade_90", "grade_80"), market=(0.1, 0.25),
         sources=("grid_retired", "surplus_stock"), detail="轮换拆回表，需重新检定后方可用于贸易结算",
         step=5),
    Item("DDZY208-Z", "单相智能电能表", "piece", (50, 500), (150, 260), METER_MAKERS, "meter",
         3, grades=("like_new", "grade_90", "grade_80"), market=(0.1, 0.25),
         sources=("grid_retired", "surplus_stock"), detail="载波通信，费控型，拆回表需重新检定",
         step=1),
    Item("HY5WS-17/50", "氧化锌避雷器", "piece", (30, 300), (80, 150), ("西电", "平高", "正泰电气"),
         "arrester", 4, grades=("new", "like_new", "grade_90"),
         sources=("surplus_stock", "project_leftover"), detail="复合外套，配电型，10kV线路用",
         step=1),
    Item("BSMJ0.45-30-3", "自愈式并联电容器", "piece", (10, 60), (500, 800),
         ("正泰电气", "许继", "西电"), "capacitor", 3, detail="低压补偿柜拆下，容量衰减在5%以内", step=10),
    Item("6-GFM-100", "阀控密封铅酸蓄电池", "group", (1, 6), (12_600, 18_000), BATTERY_MAKERS,
         "battery", 3, grades=("like_new", "grade_90", "grade_80"), market=(0.5, 0.8),
         sources=("idle", "surplus_stock"), detail="每组18只，12V 100Ah，直流屏配套，内阻测试正常"),
    Item("200GF", "柴油发电机组", "unit", (1, 1), (70_000, 110_000), GENSET_MAKERS, "genset",
         3, grades=("like_new", "grade_90", "grade_80"), sources=("idle",),
         detail="200kW常用功率，带静音箱和ATS，运行时间不足3000小时"),
    Item("LZZBJ9-10 200/5", "电流互感器", "piece", (6, 30), (800, 1500), SWITCH_MAKERS,
         "ct", 2, detail="0.5/10P10，环氧树脂浇注，开关柜拆下", step=10),
    Item("S9-M-315/10", "油浸式变压器", "unit", (1, 4), (9000, 14_000), TRANSFORMER_MAKERS,
         "transformer", 3, grades=("scrap",), extra_specs={"lv_kv": "0.4"},
         sources=("grid_retired", "dismantled"),
         detail="S9系列属国家公布淘汰的高耗能变压器，只按报废物资出售，仅限有资质的回收企业拆解，不得转让继续使用"),
    Item("S9-M-200/10", "油浸式变压器", "unit", (1, 5), (6000, 10_000), TRANSFORMER_MAKERS,
         "transformer", 1, grades=("scrap",), extra_specs={"lv_kv": "0.4"},
         sources=("grid_retired", "dismantled"),
         detail="S9系列淘汰高耗能变压器，按废料整体出售，买方负责拆解和废油处置"),
)
# fmt: on
ITEMS = {item.model: item for item in CATALOGUE}


@dataclass(frozen=True)
class Wanted:
    """One kind of wanted post: what is sought, in which ranges, at what budget."""

    key: str
    category: str
    noun: str
    unit: str
    quantity: tuple[int, int]
    budget: tuple[int, int]  # per unit, CNY
    specs: dict  # key -> (low, high) text, "voltage_kv" -> [levels]
    minimum: str | None
    weight: int
    label: str  # the ratings as written in the title
    note: str


# fmt: off
WANTED_TEMPLATES: tuple[Wanted, ...] = (
    Wanted("oil_315_630", "oil_immersed_transformer", "油浸式变压器", "unit", (1, 3),
           (22_000, 38_000), {"capacity_kva": ("315", "630"), "voltage_kv": ["10"]},
           "grade_80", 8, "315-630kVA 10kV", "S11及以上型号，铜绕组优先，需提供铭牌照片和近期试验报告"),
    Wanted("oil_200_400", "oil_immersed_transformer", "油浸式变压器", "unit", (1, 2),
           (15_000, 28_000), {"capacity_kva": ("200", "400"), "voltage_kv": ["10"]},
           "serviceable", 4, "200-400kVA 10kV", "用于厂区临时用电，S11或S13均可"),
    Wanted("oil_630_1000", "oil_immersed_transformer", "油浸式变压器", "unit", (1, 2),
           (35_000, 60_000), {"capacity_kva": ("630", "1000"), "voltage_kv": ["10"]},
           "grade_90", 3, "630-1000kVA 10kV", "厂房增容用，要求S13及以上，铜绕组"),
    Wanted("box_400_630", "box_substation", "箱式变电站", "unit", (1, 1), (55_000, 90_000),
           {"capacity_kva": ("400", "630"), "voltage_kv": ["10"]}, "grade_80", 3,
           "400-630kVA", "美式或欧式均可，需带低压出线柜"),
    Wanted("dry_800_1250", "dry_type_transformer", "干式变压器", "unit", (1, 2),
           (45_000, 75_000), {"capacity_kva": ("800", "1250"), "voltage_kv": ["10"]},
           "grade_80", 2, "800-1250kVA", "SCB10及以上，带外壳和温控"),
    Wanted("kyn_panels", "mv_withdrawable_switchgear", "KYN28A-12高压开关柜", "panel",
           (4, 10), (10_000, 22_000),
           {"rated_current_a": ("630", "1250"), "voltage_kv": ["10"]}, "grade_80", 3,
           "10kV", "配真空断路器，带综保，柜体尺寸800×1500"),
    Wanted("rmu", "ring_main_unit", "环网柜", "panel", (2, 6), (5000, 10_000),
           {"voltage_kv": ["10"]}, "grade_80", 2, "10kV", "SF6或空气绝缘均可，2进4出优先"),
    Wanted("zw32", "outdoor_vacuum_breaker", "柱上真空断路器", "unit", (2, 10), (2500, 5000),
           {"rated_current_a": ("630", "630"), "breaking_current_ka": ("20", "25"),
            "voltage_kv": ["10"]},
           "grade_90", 3, "ZW32 10kV 630A", "线路改造急用，可带分界控制器"),
    Wanted("cable_mv", "mv_power_cable", "高压电缆", "metre", (200, 1000), (300, 460),
           {"cross_section_mm2": ("185", "300"), "cores": ("3", "3"),
            "voltage_kv": ["10"]},
           "like_new", 3, "YJV22 3×185-300", "铜芯铠装，8.7/15kV，单盘长度不少于200米"),
    Wanted("conductor", "overhead_conductor", "架空绝缘导线", "metre", (1000, 5000),
           (15, 22), {"cross_section_mm2": ("150", "240"), "voltage_kv": ["10"]},
           "like_new", 1, "JKLYJ-10 150-240", "铝芯，配网线路改造用"),
    Wanted("genset", "diesel_genset", "柴油发电机组", "unit", (1, 1), (40_000, 65_000),
           {"power_kw": ("150", "300")}, "grade_80", 2, "150-300kW",
           "国产品牌，运行时间少于5000小时，带静音箱"),
    Wanted("battery", "lead_acid_battery", "蓄电池", "piece", (18, 72), (300, 520),
           {"capacity_ah": ("100", "200"), "nominal_voltage_v": ("12", "12")},
           "grade_90", 2, "12V 100-200Ah", "直流屏更换用，出厂两年以内"),
    Wanted("capacitor", "shunt_capacitor", "低压电容器", "piece", (10, 40), (150, 300),
           {"capacity_kvar": ("20", "40"), "voltage_kv": ["0.4"]}, "grade_80", 1,
           "0.45kV 20-40kvar", "自愈式，补偿柜配套"),
    Wanted("scrap", "scrap_lot", "废旧变压器及电缆", "tonne", (5, 50), (9000, 13_000),
           {"weight_kg": ("5000", "50000")}, None, 2, "按吨回收",
           "长期回收报废变压器、废旧电缆，现款结算，具备危废处置合作资质"),
)
# fmt: on
TEMPLATES = {template.key: template for template in WANTED_TEMPLATES}


@dataclass
class Plan:
    """One post to build: who, what, which final state, and its timeline."""

    enterprise: Enterprise
    user: User
    kind: str
    state: ListingStatus
    subject: str  # an Item model or a Wanted key
    revision: bool = False
    created: datetime | None = None
    submitted: datetime | None = None
    decided: datetime | None = None
    closed: datetime | None = None


def seed_listings(moderator: User, rng: random.Random) -> dict[str, int]:
    """Add the demo posts unless there are any already; returns counts."""
    existing = db.session.scalar(
        select(func.count(Listing.id))
        .join(Listing.enterprise)
        .where(Enterprise.contact_email.like(f"%{DEMO_DOMAIN}"))
    )
    if existing:
        return {"created": 0, "existing": existing}
    now = utcnow()
    plans = _plans(moderator, rng, now)
    builder = _Builder(moderator, rng, now)
    for plan in plans:
        builder.build(plan)
    builder.expire()
    db.session.flush()
    report: dict[str, int] = {"created": len(plans), "existing": 0}
    report.update(Counter(plan.kind for plan in plans))
    report.update(Counter(plan.state.value for plan in plans))
    report["photos"] = builder.photos
    report["documents"] = builder.documents
    report["revisions"] = sum(plan.revision for plan in plans)
    return report


# --- who posts what, in which state -----------------------------------------------


def _plans(moderator: User, rng: random.Random, now: datetime) -> list[Plan]:
    enterprises = db.session.scalars(
        select(Enterprise)
        .where(
            Enterprise.status == EnterpriseStatus.APPROVED,
            Enterprise.contact_email.like(f"%{DEMO_DOMAIN}"),
        )
        .order_by(Enterprise.id)
    ).all()
    users = {}
    for user in db.session.scalars(
        select(User)
        .where(User.enterprise_id.in_([e.id for e in enterprises]))
        .order_by(User.id)
    ):
        users.setdefault(user.enterprise_id, user)
    member = next(
        (e for e in enterprises if e.contact_email == DEMO_MEMBER_EMAIL), None
    )
    # A moderator cannot decide on their own enterprise's posts.
    posters = [
        e
        for e in enterprises
        if e is not member and e.id in users and e is not moderator.enterprise
    ]
    if not posters:
        raise RuntimeError("no approved demo enterprises to post for")

    plans: list[Plan] = []
    if member is not None and member.id in users:
        for kind, state, subject, revision in DEMO_MEMBER_PLAN:
            plans.append(Plan(member, users[member.id], kind, state, subject, revision))
    other_offers = OFFER_COUNT - sum(p.kind == "offer" for p in plans)
    other_wanted = WANTED_COUNT - sum(p.kind == "wanted" for p in plans)
    offer_states = _states(OFFER_PLAN, other_offers)
    wanted_states = _states(WANTED_PLAN, other_wanted)
    rng.shuffle(offer_states)
    rng.shuffle(wanted_states)

    weights = [_poster_weight(e) for e in posters]
    subjects = _offer_subjects(rng, len(offer_states))
    revisions = OTHER_REVISIONS
    for state, subject in zip(offer_states, subjects, strict=True):
        enterprise = rng.choices(posters, weights=weights)[0]
        revision = state is ListingStatus.PUBLISHED and revisions > 0
        revisions -= revision
        plans.append(
            Plan(enterprise, users[enterprise.id], "offer", state, subject, revision)
        )
    wanted_weights = [template.weight for template in WANTED_TEMPLATES]
    for index, state in enumerate(wanted_states):
        if index < len(WANTED_TEMPLATES):
            template = WANTED_TEMPLATES[index]
        else:
            template = rng.choices(WANTED_TEMPLATES, weights=wanted_weights)[0]
        enterprise = rng.choices(posters, weights=weights)[0]
        plans.append(
            Plan(enterprise, users[enterprise.id], "wanted", state, template.key)
        )
    for plan in plans:
        _timeline(plan, rng, now)
    # Oldest first, so ids grow with time as they would have in the pilot.
    plans.sort(key=lambda plan: plan.created)
    return plans


def _states(plan: dict[ListingStatus, int], total: int) -> list[ListingStatus]:
    states = [state for state, count in plan.items() for _ in range(count)]
    # Without the demo member the published share absorbs the difference.
    while len(states) < total:
        states.append(ListingStatus.PUBLISHED)
    return states[:total] if len(states) > total else states


def _poster_weight(enterprise: Enterprise) -> float:
    by_type = {
        EnterpriseType.GRID_SUPPLY: 3,
        EnterpriseType.GENERATION: 2,
        EnterpriseType.MANUFACTURER: 2,
        EnterpriseType.CONTRACTOR: 2.5,
        EnterpriseType.RECYCLER: 3,
        EnterpriseType.SMALL_USER: 1,
        EnterpriseType.OTHER: 1,
    }
    local = 3 if enterprise.city_code == ZAOZHUANG else 1
    return by_type.get(enterprise.enterprise_type, 1) * local


def _offer_subjects(rng: random.Random, count: int) -> list[str]:
    """Every catalogue item at least once, the rest by weight, in random order."""
    subjects = [item.model for item in CATALOGUE]
    weights = [item.weight for item in CATALOGUE]
    while len(subjects) < count:
        subjects.append(rng.choices(CATALOGUE, weights=weights)[0].model)
    subjects = subjects[:count]
    rng.shuffle(subjects)
    return subjects


def _timeline(plan: Plan, rng: random.Random, now: datetime) -> None:
    """When the post was created, submitted, decided and closed (all in the past)."""

    def ago(low_days: float, high_days: float) -> datetime:
        return now - timedelta(
            minutes=rng.randint(int(low_days * 1440), int(high_days * 1440))
        )

    def after(moment: datetime, low_hours: float, high_hours: float) -> datetime:
        moment += timedelta(
            minutes=rng.randint(int(low_hours * 60), int(high_hours * 60))
        )
        return min(moment, now - timedelta(minutes=5))

    state = plan.state
    if state is ListingStatus.DRAFT:
        plan.created = ago(0.2, 20)
        return
    if state is ListingStatus.PENDING:
        plan.submitted = ago(0.05, 3)
    elif state is ListingStatus.REJECTED:
        plan.submitted = ago(3, 60)
    elif state is ListingStatus.EXPIRED:
        plan.submitted = ago(100, 128)
    elif state in (ListingStatus.SOLD, ListingStatus.WITHDRAWN):
        plan.submitted = ago(25, PUBLISH_WINDOW_DAYS)
    elif plan.revision:
        plan.submitted = ago(10, 80)
    else:
        # Published: more posts in recent weeks, as the pilot grew.
        days = PUBLISH_WINDOW_DAYS * (1 - math.sqrt(rng.random()))
        plan.submitted = now - timedelta(days=days + 0.5, minutes=rng.randint(0, 600))
    plan.created = plan.submitted - timedelta(minutes=rng.randint(10, 3 * 1440))
    if state is not ListingStatus.PENDING:
        plan.decided = after(plan.submitted, 2, 30)
    if state in (ListingStatus.SOLD, ListingStatus.WITHDRAWN):
        days_left = (now - plan.decided).days
        plan.closed = after(plan.decided, 24, max(48, (days_left - 1) * 24))
    elif plan.revision:
        plan.closed = ago(0.05, 2)


# --- building one post through the services -----------------------------------------


class _Builder:
    def __init__(self, moderator: User, rng: random.Random, now: datetime) -> None:
        self.moderator = moderator
        self.rng = rng
        self.now = now
        self.today = now.date()
        self.photos = 0
        self.documents = 0
        self.to_expire: list[Listing] = []

    def build(self, plan: Plan) -> Listing:
        """Create the post and walk it to its final state; one flush at the end.

        Autoflush is off throughout so that every row a step adds can be dated
        (created_at) before anything is written; ListingEvent rows cannot be
        changed once written.
        """
        with db.session.no_autoflush:
            listing = self._walk(plan)
            listing.created_at = plan.created
            listing.updated_at = (
                plan.closed or plan.decided or plan.submitted or plan.created
            )
        db.session.flush()
        return listing

    def _walk(self, plan: Plan) -> Listing:
        rng = self.rng
        if plan.kind == "offer":
            item = ITEMS[plan.subject]
            data, extra = self._offer_input(plan, item)
        else:
            item = None
            data, extra = self._wanted_input(plan, TEMPLATES[plan.subject])
        user = plan.user
        listing = services.create_listing(user, data)
        # Set now rather than at the flush: the ownership checks compare it.
        listing.enterprise_id = plan.enterprise.id
        self._stamp(plan.created)
        if item is not None:
            self._attach(plan, listing, item, extra)
        if plan.state is ListingStatus.DRAFT:
            return listing
        services.submit_listing(user, listing)
        self._stamp(plan.submitted)
        listing.submitted_at = plan.submitted
        if plan.state is ListingStatus.PENDING:
            return listing
        if plan.state is ListingStatus.REJECTED:
            services.reject_listing(
                self.moderator, listing, rng.choice(REJECTION_REASONS)
            )
            self._stamp(plan.decided)
            return listing
        services.approve_listing(self.moderator, listing)
        self._stamp(plan.decided)
        listing.published_at = plan.decided
        self._set_validity(plan, listing)
        if plan.state is ListingStatus.SOLD:
            price = listing.price_cny
            deal_price = None
            if price is not None:
                deal_price = _round(price * Decimal(str(rng.uniform(0.85, 1.0))), price)
            deal_quantity = listing.quantity
            if listing.quantity > 1 and rng.random() < 0.4:
                deal_quantity = Decimal(rng.randint(1, int(listing.quantity)))
            services.mark_sold(user, listing, deal_price, deal_quantity)
            self._stamp(plan.closed)
        elif plan.state is ListingStatus.WITHDRAWN:
            services.withdraw_listing(user, listing)
            self._stamp(plan.closed)
        elif plan.state is ListingStatus.EXPIRED:
            self.to_expire.append(listing)
        elif plan.revision:
            self._revise(plan, listing, data, item)
        return listing

    def _stamp(self, moment: datetime) -> None:
        """Date the rows the last service call added (not yet written)."""
        for row in db.session.new:
            if getattr(row, "created_at", False) is None:
                row.created_at = moment

    def _set_validity(self, plan: Plan, listing: Listing) -> None:
        published = plan.decided.date()
        if plan.state is ListingStatus.EXPIRED:
            if listing.is_offer:
                listing.valid_until = published + timedelta(days=90)
            else:
                listing.wanted_by = published + timedelta(days=self.rng.randint(30, 60))
            return
        if listing.is_offer:
            end = published + timedelta(days=90)
            if end < self.today + timedelta(days=7):
                end = published + timedelta(days=180)  # renewed once
            listing.valid_until = end

    def _revise(self, plan: Plan, listing: Listing, data: ListingInput, item) -> None:
        """An edit of the published post, waiting for the moderator."""
        rng = self.rng
        if data.price_cny:
            price = Decimal(data.price_cny)
            data.price_cny = str(
                _round(price * Decimal(str(rng.uniform(0.88, 0.95))), price)
            )
            note = "（已降价，诚心出售）"
        else:
            note = "（补充说明：可开增值税专用发票）"
        data.description = f"{data.description}\n{note}"
        data.valid_until = (
            listing.valid_until.isoformat() if listing.valid_until else ""
        )
        services.update_listing(plan.user, listing, data)
        if item is not None:
            # A new photo on a published post waits for the revision's approval.
            attachments.add_photo(
                plan.user, listing, "补充照片.jpg", self._scene(item, rng, 9), False
            )
            self.photos += 1
        self._stamp(plan.closed)

    def expire(self) -> None:
        """Let expire_listings() close the posts whose validity has run out."""
        if not self.to_expire:
            return
        db.session.flush()
        services.expire_listings(self.today)
        when = {}
        for listing in self.to_expire:
            end = listing.valid_until or listing.wanted_by
            moment = datetime.combine(end + timedelta(days=1), datetime.min.time())
            when[id(listing)] = moment.replace(
                hour=1, minute=self.rng.randint(0, 59), tzinfo=self.now.tzinfo
            )
            listing.updated_at = when[id(listing)]
        for row in db.session.new:
            if isinstance(row, ListingEvent) and row.action is ListingAction.EXPIRED:
                moment = when.get(id(row.listing))
                if moment is not None:
                    row.created_at = moment
        db.session.flush()

    # --- the form a member would have filled in ---

    def _offer_input(self, plan: Plan, item: Item) -> tuple[ListingInput, dict]:
        rng = self.rng
        enterprise = plan.enterprise
        parsed = parse_model(item.model)
        assert parsed is not None, item.model
        grade = rng.choice(item.grades)
        low, high = GRADE_AGES[grade]
        age = rng.randint(low, high)
        year = self.today.year - age
        source = _source_for(grade, item, rng)
        if source in UNUSED_SOURCES:
            service = 0  # never installed
        else:
            service = max(1, age - rng.randint(0, 1)) if age else 0
        quantity = rng.randint(*item.quantity)
        if item.unit == "metre":
            quantity = max(item.quantity[0], round(quantity, -1))
        new_price = rng.uniform(*item.new_price)
        if grade == "scrap":
            price = new_price * rng.uniform(0.85, 1.15)  # a unit's weight in scrap
        else:
            band_low, band_high = get_grade(grade).value_band  # 成新率, percent
            share = rng.uniform(band_low, band_high) / 100
            price = (
                new_price * share * rng.uniform(*item.market) * rng.uniform(0.85, 1.15)
            )
            price = min(price, new_price * share)  # never above new × 成新率
        price = _round_to(price, item.step)
        negotiable = rng.random() < 0.18
        show_price = not negotiable or rng.random() < 0.5
        maker = rng.choice(item.makers)
        specs = {k: spec_input_value(k, v) for k, v in parsed.specs.items()}
        specs.update(item.extra_specs)
        category = get_category(parsed.category_slug)
        if "length_m" in category.spec_keys:
            specs["length_m"] = str(quantity)
        specs = {k: v for k, v in specs.items() if k in category.spec_keys}
        place = _place_name(enterprise)
        unit = get_quantity_unit(item.unit).zh
        if grade == "scrap":
            title = f"{place} 报废{item.model}{item.noun} {quantity}{unit} 按废料处理"
        elif item.unit == "metre":
            title = f"{place} {item.model}{item.noun} {quantity}米 {GRADE_NAMES[grade]}"
        else:
            used = "" if grade == "new" else "二手"
            title = (
                f"{place} {used}{item.model}{item.noun} {quantity}{unit} "
                f"{GRADE_NAMES[grade]}"
            )
        serial = f"{year % 100:02d}{rng.randint(1, 12):02d}{rng.randint(1, 9999):04d}"
        description = self._offer_description(item, grade, source, year, service, maker)
        data = ListingInput(
            kind="offer",
            category_slug=parsed.category_slug,
            title=title,
            quantity=str(quantity),
            unit=item.unit,
            province=enterprise.province_code,
            city=enterprise.city_code,
            district=enterprise.district_code or "",
            address=enterprise.address or "",
            manufacturer=maker,
            model_raw=item.model,
            year_made=str(year),
            service_years=str(service),
            asset_source=source,
            condition_grade=grade,
            price_cny=str(price) if show_price else "",
            negotiable=negotiable,
            description=description,
            contact_name=enterprise.contact_name,
            contact_mobile=enterprise.contact_mobile,
            scrap_confirmed=grade == "scrap",
            specs=specs,
        )
        extra = {"serial": serial, "year": year, "maker": maker, "parsed": parsed}
        return data, extra

    def _offer_description(self, item, grade, source, year, service, maker) -> str:
        rng = self.rng
        parts = [f"{year}年{maker}生产，{SOURCE_TEXT[source]}"]
        if service:
            parts.append(f"累计运行约{service}年")
        first = "，".join(parts) + "。"
        second = f"{item.detail}。" if item.detail else ""
        if grade == "scrap":
            third = (
                "整台出售，现场自提，买方自备吊车，需出具危废（废变压器油）处置协议。"
            )
        elif grade == "needs_repair":
            third = rng.choice(
                (
                    "外壳有渗漏油痕迹，需更换密封件，其余部件完好，按现状出售。",
                    "操作机构需检修，主回路绝缘试验合格，按现状出售。",
                )
            )
        else:
            third = rng.choice(
                (
                    "外观良好，试验数据正常，可现场看货。",
                    "设备保养良好，资料齐全，欢迎来电咨询。",
                    "已做预防性试验，结果合格，可提供增值税专用发票。",
                    "可送货上门，枣庄市内运费面议。",
                )
            )
        return first + second + third

    def _wanted_input(self, plan: Plan, template: Wanted) -> tuple[ListingInput, dict]:
        rng = self.rng
        enterprise = plan.enterprise
        quantity = rng.randint(*template.quantity)
        if template.unit == "metre":
            quantity = round(quantity, -2) or template.quantity[0]
        budget = _round_to(
            rng.uniform(*template.budget), 100 if template.budget[0] > 5000 else 5
        )
        negotiable = rng.random() < 0.25
        unit = get_quantity_unit(template.unit).zh
        grade = f" {GRADE_NAMES[template.minimum]}以上" if template.minimum else ""
        place = _place_name(enterprise)
        title = (
            f"求购 {template.label} {template.noun} {quantity}{unit}{grade}（{place}）"
        )
        wanted_by = self.today + timedelta(days=rng.randint(20, 150))
        description = f"{template.note}。" + rng.choice(
            (
                "有货请电话联系，可上门看货。",
                "价格合适可长期合作。",
                "需要尽快到货，现款结算。",
            )
        )
        specs = {
            key: list(value) if key == "voltage_kv" else tuple(value)
            for key, value in template.specs.items()
        }
        data = ListingInput(
            kind="wanted",
            category_slug=template.category,
            title=title,
            quantity=str(quantity),
            unit=template.unit,
            province=enterprise.province_code,
            city=enterprise.city_code,
            district=enterprise.district_code or "",
            address=enterprise.address or "",
            condition_grade=template.minimum or "",
            price_cny="" if negotiable and rng.random() < 0.6 else str(budget),
            negotiable=negotiable,
            description=description,
            wanted_by=wanted_by.isoformat(),
            contact_name=enterprise.contact_name,
            contact_mobile=enterprise.contact_mobile,
            specs=specs,
        )
        return data, {}

    # --- photos and documents ---

    def _attach(self, plan: Plan, listing: Listing, item: Item, extra: dict) -> None:
        rng = self.rng
        scenes = rng.randint(1, 2) if rng.random() < 0.85 else 0
        for number in range(1, scenes + 1):
            photo = self._scene(item, rng, number)
            attachments.add_photo(plan.user, listing, f"照片{number}.jpg", photo)
            self.photos += 1
        if rng.random() < 0.7:
            plate = _nameplate(item, extra, rng)
            attachments.add_photo(plan.user, listing, "铭牌.jpg", plate, True)
            self.photos += 1
        if rng.random() < 0.44:
            self._report(plan, listing, item, extra)
        self._stamp(plan.created + timedelta(minutes=rng.randint(2, 30)))

    def _scene(self, item: Item, rng: random.Random, number: int) -> bytes:
        return _scene_photo(item, rng, number)

    def _report(self, plan: Plan, listing: Listing, item: Item, extra: dict) -> None:
        rng = self.rng
        year = extra["year"]
        kind = rng.choice(("factory", "factory", "periodic", "commissioning"))
        if kind == "factory":
            tested = date(year, rng.randint(1, 12), rng.randint(1, 28))
            lab = f"{extra['maker']}质量检测中心"
            name = "出厂试验报告.pdf"
        elif kind == "commissioning":
            tested = date(year, rng.randint(1, 12), rng.randint(1, 28)) + timedelta(
                days=60
            )
            lab = rng.choice(TEST_LABS)
            name = "交接试验报告.pdf"
        else:
            tested = plan.created.date() - timedelta(days=rng.randint(20, 500))
            lab = rng.choice(TEST_LABS)
            name = "预防性试验报告.pdf"
        tested = min(tested, plan.created.date(), self.today)
        pdf = _report_pdf(item, extra, kind, tested)
        attachments.add_document(
            plan.user, listing, name, pdf, "test_report", kind, lab, tested
        )
        self.documents += 1


# --- helpers -------------------------------------------------------------------------

UNUSED_SOURCES = ("surplus_stock", "project_leftover")


def _source_for(grade: str, item: Item, rng: random.Random) -> str:
    """Unused stock is new or like new; used equipment was retired or stood idle."""
    if grade == "new":
        choices = [s for s in item.sources if s in UNUSED_SOURCES] or ["surplus_stock"]
    elif grade == "like_new":
        choices = list(item.sources)
    else:
        choices = [s for s in item.sources if s not in UNUSED_SOURCES] or ["idle"]
    return rng.choice(choices)


def _round_to(value: float, step: int) -> Decimal:
    return Decimal(max(step, int(round(value / step)) * step))


def _round(value: Decimal, like: Decimal) -> Decimal:
    step = 100 if like >= 10_000 else 10 if like >= 1_000 else 1
    return Decimal(max(step, int(value / step) * step))


def _short(name: str) -> str:
    for suffix in ("市", "区", "县"):
        if len(name) > 2 and name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def _place_name(enterprise: Enterprise) -> str:
    """枣庄薛城, 滕州, 济南历下: the city and district as sellers write them."""
    city = get_region(enterprise.city_code)
    district = (
        get_region(enterprise.district_code) if enterprise.district_code else None
    )
    city_name = _short(city.name) if city else ""
    if district is None:
        return city_name
    district_name = _short(district.name)
    if district.name.endswith("市"):  # a county-level city such as 滕州市
        return district_name
    return city_name + district_name


# --- drawings -------------------------------------------------------------------------

FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/System/Library/Fonts/PingFang.ttc",
    "C:/Windows/Fonts/msyh.ttc",
)


@lru_cache(maxsize=16)
def _font(size: int, chinese: bool = False):
    """A CJK font if the system has one (only for Chinese text), else Pillow's own."""
    if chinese:
        for candidate in FONT_CANDIDATES:
            if Path(candidate).exists():
                try:
                    return ImageFont.truetype(candidate, size)
                except OSError:
                    continue
        return None
    try:
        return ImageFont.load_default(size)
    except TypeError:  # Pillow without FreeType: the fixed bitmap font
        return ImageFont.load_default()


def _text_font(size: int) -> tuple[object, bool]:
    """The CJK font when there is one (it has × and ²), else Pillow's own."""
    cjk = _font(size, chinese=True)
    return (cjk, True) if cjk is not None else (_font(size), False)


def _printable(text: str, cjk: bool) -> str:
    return text if cjk else text.replace("×", "x").replace("²", "2")


def _jpeg(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=82)
    return buffer.getvalue()


def _shade(colour: tuple[int, int, int], amount: int) -> tuple[int, int, int]:
    return tuple(max(0, min(255, c + amount)) for c in colour)


def _scene_photo(item: Item, rng: random.Random, number: int) -> bytes:
    """A plain drawing of the equipment in grey, on a wall and floor or outdoors."""
    width, height = PHOTO_SIZE
    outdoor = (
        item.shape in ("box_substation", "pole_breaker", "transformer")
        and rng.random() < 0.5
    )
    if outdoor:
        top = rng.choice(((196, 214, 232), (206, 220, 236), (188, 205, 224)))
        floor = rng.choice(((150, 146, 132), (128, 134, 118)))
    else:
        top = rng.choice(((226, 223, 214), (214, 218, 220), (232, 228, 220)))
        floor = rng.choice(((160, 160, 156), (140, 146, 150), (172, 166, 154)))
    image = Image.new("RGB", PHOTO_SIZE, top)
    draw = ImageDraw.Draw(image)
    horizon = 430 + rng.randint(-20, 20)
    draw.rectangle((0, horizon, width, height), fill=floor)
    if not outdoor:
        for x in range(rng.randint(0, 90), width, 180):  # wall panels
            draw.line((x, 0, x, horizon), fill=_shade(top, -14), width=2)
    dx = rng.randint(-50, 50) + (number - 1) * rng.choice((-30, 30))
    body = rng.choice(((126, 132, 140), (140, 146, 152), (110, 118, 126)))
    draw.ellipse(
        (170 + dx, horizon + 30, 630 + dx, horizon + 90), fill=_shade(floor, -30)
    )
    SHAPES.get(item.shape, _draw_box)(draw, dx, horizon + 60, body, rng)
    font, cjk = _text_font(26)
    label = _printable(item.model, cjk)
    left, top, right, bottom = draw.textbbox((32, height - 60), label, font=font)
    draw.rectangle((left - 12, top - 9, right + 12, bottom + 9), fill=(250, 250, 245))
    draw.text((32, height - 60), label, fill=(40, 40, 40), font=font)
    return _jpeg(image)


def _draw_transformer(draw, dx, base, body, rng) -> None:
    left, right, top = 250 + dx, 550 + dx, base - 230
    draw.rectangle((left - 10, base - 14, right + 10, base), fill=_shade(body, -50))
    draw.rectangle(
        (left, top, right, base - 14), fill=body, outline=_shade(body, -40), width=3
    )
    for x in range(left + 14, right - 8, 16):  # cooling fins
        draw.rectangle((x, top + 20, x + 7, base - 30), fill=_shade(body, -22))
    draw.rectangle((left - 6, top - 12, right + 6, top), fill=_shade(body, -30))
    for x in (left + 60, left + 150, left + 240):  # HV bushings
        for y in range(top - 100, top - 12, 14):
            draw.ellipse((x - 16, y, x + 16, y + 10), fill=(122, 74, 58))
        draw.rectangle((x - 7, top - 112, x + 7, top - 12), fill=(138, 84, 66))
        draw.rectangle((x - 3, top - 126, x + 3, top - 112), fill=(184, 150, 80))
    for x in (left + 40, left + 105, left + 195, left + 260):  # LV bushings
        draw.rectangle((x - 6, top - 46, x + 6, top - 12), fill=(214, 214, 206))


def _draw_dry_transformer(draw, dx, base, body, rng) -> None:
    left, right, top = 220 + dx, 580 + dx, base - 300
    enclosure = rng.random() < 0.5
    draw.rectangle((left - 10, base - 20, right + 10, base), fill=_shade(body, -50))
    for i in range(3):  # resin-cast coils
        x = left + 20 + i * 115
        draw.rounded_rectangle(
            (x, top + 40, x + 90, base - 30), radius=18, fill=(76, 84, 96)
        )
        for y in range(top + 60, base - 40, 26):
            draw.line((x + 6, y, x + 84, y), fill=(96, 104, 118), width=2)
    draw.rectangle((left, top + 10, right, top + 40), fill=_shade(body, -20))
    draw.rectangle((left, base - 40, right, base - 20), fill=_shade(body, -20))
    if enclosure:
        draw.rectangle(
            (left - 20, top - 20, right + 20, base), outline=(90, 96, 104), width=5
        )
        for y in range(top, base - 10, 22):
            draw.line((left - 18, y, left + 10, y), fill=(90, 96, 104), width=2)


def _draw_box_substation(draw, dx, base, body, rng) -> None:
    left, right, top = 160 + dx, 640 + dx, base - 270
    colour = rng.choice(((188, 196, 188), (196, 200, 204), (176, 188, 178)))
    draw.polygon(
        (
            (left - 16, top),
            (right + 16, top),
            (right - 10, top - 40),
            (left + 10, top - 40),
        ),
        fill=_shade(colour, -40),
    )
    draw.rectangle(
        (left, top, right, base), fill=colour, outline=_shade(colour, -60), width=3
    )
    for i in range(3):
        x = left + 20 + i * 155
        draw.rectangle(
            (x, top + 26, x + 130, base - 20), outline=_shade(colour, -50), width=3
        )
        draw.rectangle((x + 108, top + 120, x + 116, top + 160), fill=(70, 70, 70))
        for y in range(top + 40, top + 90, 10):
            draw.line((x + 20, y, x + 110, y), fill=_shade(colour, -45), width=2)
    draw.polygon(
        ((left + 60, top + 100), (left + 40, top + 134), (left + 80, top + 134)),
        fill=(240, 200, 40),
        outline=(40, 40, 40),
    )


def _draw_cabinet(draw, dx, base, body, rng, drawers: bool = False) -> None:
    panels = rng.randint(1, 3)
    colour = rng.choice(((214, 216, 212), (200, 204, 206), (222, 220, 210)))
    width = 150
    left = 400 + dx - panels * width // 2
    top = base - 380
    for p in range(panels):
        x = left + p * width
        draw.rectangle(
            (x, top, x + width - 4, base),
            fill=colour,
            outline=_shade(colour, -70),
            width=3,
        )
        if drawers:
            for y in range(top + 20, base - 30, 44):
                draw.rectangle(
                    (x + 12, y, x + width - 16, y + 36),
                    outline=_shade(colour, -60),
                    width=2,
                )
                draw.rectangle((x + 60, y + 14, x + 86, y + 22), fill=(60, 60, 60))
            continue
        draw.rectangle(
            (x + 10, top + 12, x + width - 14, top + 120),
            outline=_shade(colour, -60),
            width=2,
        )
        draw.rectangle((x + 24, top + 28, x + 84, top + 58), fill=(60, 96, 80))
        for i, lamp in enumerate(((200, 40, 40), (40, 160, 60), (230, 200, 50))):
            cx = x + 30 + i * 28
            draw.ellipse((cx - 7, top + 80, cx + 7, top + 94), fill=lamp)
        draw.rectangle(
            (x + 10, top + 130, x + width - 14, base - 16),
            outline=_shade(colour, -60),
            width=2,
        )
        draw.rectangle(
            (x + 40, top + 170, x + width - 44, top + 220), fill=(70, 80, 90)
        )
        draw.rectangle(
            (x + width - 34, top + 240, x + width - 26, top + 290), fill=(50, 50, 50)
        )


def _draw_lv_cabinet(draw, dx, base, body, rng) -> None:
    _draw_cabinet(draw, dx, base, body, rng, drawers=True)


def _draw_pole_breaker(draw, dx, base, body, rng) -> None:
    pole = 400 + dx
    draw.rectangle((pole - 16, 0, pole + 16, base), fill=(150, 150, 146))
    draw.rectangle((pole - 150, 250, pole + 150, 262), fill=(96, 96, 100))
    draw.rectangle(
        (pole - 110, 262, pole + 110, 360),
        fill=body,
        outline=_shade(body, -40),
        width=3,
    )
    for side in (-1, 1):
        for i in range(3):
            x = pole + side * (30 + i * 34)
            for y in range(170, 250, 12):
                draw.ellipse((x - 12, y, x + 12, y + 8), fill=(120, 120, 118))
            draw.rectangle((x - 4, 160, x + 4, 250), fill=(110, 110, 108))
    draw.rectangle((pole + 60, 300, pole + 96, 330), fill=(220, 60, 40))


def _draw_vcb(draw, dx, base, body, rng) -> None:
    left, top = 300 + dx, base - 260
    draw.rectangle(
        (left, top + 90, left + 200, base - 30),
        fill=body,
        outline=_shade(body, -40),
        width=3,
    )
    for i in range(3):
        x = left + 30 + i * 70
        draw.rounded_rectangle(
            (x, top, x + 40, top + 100), radius=10, fill=(70, 74, 80)
        )
        draw.rectangle((x + 14, top - 30, x + 26, top), fill=(184, 150, 80))
    draw.rectangle((left + 60, top + 130, left + 140, top + 170), fill=(220, 220, 210))
    for x in (left + 20, left + 160):
        draw.ellipse((x, base - 40, x + 30, base - 10), fill=(40, 40, 40))


def _draw_cable_drum(draw, dx, base, body, rng) -> None:
    cx, cy, r = 400 + dx, base - 190, 190
    wood = rng.choice(((168, 124, 78), (150, 110, 70)))
    draw.ellipse(
        (cx - r, cy - r, cx + r, cy + r), fill=wood, outline=_shade(wood, -50), width=4
    )
    draw.ellipse((cx - 140, cy - 140, cx + 140, cy + 140), fill=(36, 36, 38))
    for rr in range(60, 140, 16):
        draw.ellipse(
            (cx - rr, cy - rr, cx + rr, cy + rr), outline=(58, 58, 62), width=3
        )
    draw.ellipse((cx - 50, cy - 50, cx + 50, cy + 50), fill=wood)
    draw.ellipse((cx - 14, cy - 14, cx + 14, cy + 14), fill=(60, 50, 40))
    for angle in range(0, 360, 60):
        a = math.radians(angle)
        draw.line(
            (cx, cy, cx + 48 * math.cos(a), cy + 48 * math.sin(a)),
            fill=_shade(wood, -40),
            width=5,
        )


def _draw_meter(draw, dx, base, body, rng) -> None:
    for row in range(2):
        for col in range(3):
            x = 190 + dx + col * 145
            y = base - 330 + row * 160
            draw.rounded_rectangle(
                (x, y, x + 125, y + 145),
                radius=8,
                fill=(238, 238, 232),
                outline=(120, 120, 120),
                width=2,
            )
            draw.rectangle((x + 14, y + 18, x + 111, y + 52), fill=(150, 180, 150))
            draw.text(
                (x + 20, y + 26),
                f"{rng.randint(1000, 99999):06d}",
                fill=(30, 40, 30),
                font=_font(18),
            )
            draw.text((x + 42, y + 70), "kWh", fill=(60, 60, 60), font=_font(16))
            draw.ellipse((x + 20, y + 110, x + 30, y + 120), fill=(200, 40, 40))
            draw.rectangle((x + 20, y + 128, x + 105, y + 140), fill=(40, 40, 40))


def _draw_arrester(draw, dx, base, body, rng) -> None:
    for i in range(4):
        x = 250 + dx + i * 100
        draw.rectangle((x - 6, base - 320, x + 6, base - 40), fill=(110, 70, 64))
        for y in range(base - 300, base - 50, 22):
            draw.ellipse((x - 30, y, x + 30, y + 14), fill=(138, 80, 72))
        draw.rectangle((x - 4, base - 344, x + 4, base - 320), fill=(184, 150, 80))
        draw.rectangle((x - 24, base - 40, x + 24, base - 28), fill=(90, 90, 94))


def _draw_capacitor(draw, dx, base, body, rng) -> None:
    for i in range(5):
        x = 190 + dx + i * 90
        draw.rounded_rectangle(
            (x, base - 220, x + 70, base - 20),
            radius=14,
            fill=(190, 194, 198),
            outline=(110, 110, 110),
            width=2,
        )
        for t in (x + 14, x + 32, x + 50):
            draw.rectangle((t, base - 236, t + 8, base - 220), fill=(70, 70, 70))


def _draw_battery(draw, dx, base, body, rng) -> None:
    for row in range(2):
        for i in range(4):
            x = 170 + dx + i * 118
            y = base - 230 + row * 110
            draw.rectangle(
                (x, y, x + 104, y + 96),
                fill=(58, 60, 64),
                outline=(30, 30, 30),
                width=2,
            )
            draw.rectangle((x + 14, y - 10, x + 26, y), fill=(200, 40, 40))
            draw.rectangle((x + 78, y - 10, x + 90, y), fill=(30, 30, 30))
            draw.rectangle((x + 20, y + 30, x + 84, y + 60), fill=(220, 220, 214))


def _draw_genset(draw, dx, base, body, rng) -> None:
    left, right, top = 140 + dx, 660 + dx, base - 250
    colour = rng.choice(((70, 110, 90), (180, 170, 60), (90, 100, 120)))
    draw.rectangle(
        (left, top, right, base - 20), fill=colour, outline=_shade(colour, -40), width=3
    )
    for x in range(left + 30, left + 170, 12):
        draw.line((x, top + 40, x, base - 60), fill=_shade(colour, -35), width=4)
    draw.rectangle((right - 160, top + 40, right - 40, top + 130), fill=(50, 54, 58))
    draw.rectangle((right - 140, top + 60, right - 60, top + 90), fill=(120, 170, 140))
    draw.rectangle((left + 250, top - 60, left + 270, top), fill=(60, 60, 60))
    draw.rectangle((left - 10, base - 20, right + 10, base), fill=(50, 50, 50))


def _draw_ct(draw, dx, base, body, rng) -> None:
    for i in range(3):
        x = 210 + dx + i * 140
        draw.rounded_rectangle(
            (x, base - 220, x + 110, base - 40),
            radius=16,
            fill=(150, 100, 54),
            outline=(100, 64, 30),
            width=2,
        )
        draw.rectangle((x + 20, base - 250, x + 34, base - 220), fill=(184, 150, 80))
        draw.rectangle((x + 76, base - 250, x + 90, base - 220), fill=(184, 150, 80))
        draw.rectangle((x - 6, base - 40, x + 116, base - 26), fill=(90, 90, 94))


def _draw_box(draw, dx, base, body, rng) -> None:
    draw.rectangle((260 + dx, base - 260, 540 + dx, base), fill=body)


SHAPES = {
    "transformer": _draw_transformer,
    "dry_transformer": _draw_dry_transformer,
    "box_substation": _draw_box_substation,
    "cabinet": _draw_cabinet,
    "lv_cabinet": _draw_lv_cabinet,
    "pole_breaker": _draw_pole_breaker,
    "vcb": _draw_vcb,
    "cable_drum": _draw_cable_drum,
    "meter": _draw_meter,
    "arrester": _draw_arrester,
    "capacitor": _draw_capacitor,
    "battery": _draw_battery,
    "genset": _draw_genset,
    "ct": _draw_ct,
}


# What the nameplate prints where the parsed specs do not say it as the plate would
# (switchgear shows its Um of 12 kV, meters their current spec, and so on).
RATINGS = {
    "KYN28A-12/1250-31.5": "12 kV   1250 A   31.5 kA",
    "KYN28A-12": "12 kV   1250 A   25 kA",
    "XGN15-12": "12 kV   630 A   20 kA",
    "HXGN15-12/630-20": "12 kV   630 A   20 kA",
    "ZW32-12/630-20": "12 kV   630 A   20 kA",
    "ZW32-12F/630-20": "12 kV   630 A   20 kA",
    "VS1-12/1250-31.5": "12 kV   1250 A   31.5 kA",
    "GGD": "400 V   2500 A   50 kA",
    "YJV22-8.7/15 3×240": "8.7/15 kV   3×240 mm²",
    "YJV22-8.7/15 3×120": "8.7/15 kV   3×120 mm²",
    "YJV-0.6/1 4×185": "0.6/1 kV   4×185 mm²",
    "JKLYJ-10/240": "10 kV   240 mm²",
    "DTZY1296": "3×220/380 V   1.5(6) A",
    "DDZY208-Z": "220 V   5(60) A",
    "HY5WS-17/50": "17 kV   5 kA   50 kV",
    "BSMJ0.45-30-3": "0.45 kV   30 kvar   3Ph",
    "6-GFM-100": "12 V   100 Ah",
    "200GF": "200 kW   250 kVA   400/230 V",
    "LZZBJ9-10 200/5": "10 kV   200/5 A   0.5/10P10",
}


# Product standards printed on the plates, by the drawing's shape.
STANDARDS = {
    "transformer": ("GB 1094.1", "GB/T 6451"),
    "dry_transformer": ("GB 1094.11", "GB/T 10228"),
    "box_substation": ("GB/T 17467",),
    "cabinet": ("GB/T 3906", "GB/T 11022"),
    "lv_cabinet": ("GB/T 7251.1",),
    "pole_breaker": ("GB/T 1984", "GB/T 11022"),
    "vcb": ("GB/T 1984", "GB/T 11022"),
    "cable_drum": ("GB/T 12706",),
    "meter": ("GB/T 17215.321",),
    "arrester": ("GB/T 11032",),
    "capacitor": ("GB/T 12747.1",),
    "battery": ("GB/T 19638.1",),
    "genset": ("GB/T 2820",),
    "ct": ("GB 20840.2",),
}


def _rating_line(item: Item, parsed) -> str:
    if item.model in RATINGS:
        return RATINGS[item.model]
    specs = parsed.specs
    if "capacity_kva" in specs:
        lv = format_number(specs.get("lv_kv", 0.4))
        return (
            f"{format_number(specs['capacity_kva'])} kVA   "
            f"{format_number(specs['voltage_kv'])}/{lv} kV   Dyn11"
        )
    return "-"


PLATE_BOX = (90, 110, 710, 490)
BACKDROPS = ((96, 104, 112), (84, 92, 86), (120, 124, 128))


@lru_cache(maxsize=len(BACKDROPS))
def _plate_base(backdrop: int) -> Image.Image:
    """The empty brushed-metal plate on the equipment's paint (drawn once each)."""
    grain = random.Random(backdrop)
    image = Image.new("RGB", PHOTO_SIZE, BACKDROPS[backdrop])
    draw = ImageDraw.Draw(image)
    left, top, right, bottom = PLATE_BOX
    for y in range(top, bottom):
        grey = 196 + int(22 * math.sin((y - top) / 37.0)) + grain.randint(-4, 4)
        draw.line((left, y, right, y), fill=(grey, grey, grey - 6))
    draw.rectangle(PLATE_BOX, outline=(90, 90, 90), width=4)
    draw.rectangle(
        (left + 14, top + 14, right - 14, bottom - 14), outline=(120, 120, 118), width=2
    )
    for cx, cy in (
        (left + 26, top + 26),
        (right - 26, top + 26),
        (left + 26, bottom - 26),
        (right - 26, bottom - 26),
    ):
        draw.ellipse(
            (cx - 9, cy - 9, cx + 9, cy + 9), fill=(150, 150, 146), outline=(80, 80, 80)
        )
    return image


def _nameplate(item: Item, extra: dict, rng: random.Random) -> bytes:
    """A brushed-metal nameplate riveted on the equipment, with its engraved data."""
    image = _plate_base(rng.randrange(len(BACKDROPS))).copy()
    draw = ImageDraw.Draw(image)
    left, top, right, bottom = PLATE_BOX
    chinese = _font(30, chinese=True)
    ink = (34, 34, 40)
    y = top + 40
    if chinese is not None:
        draw.text(
            (left + 50, y), f"{extra['maker']}  {item.noun}", fill=ink, font=chinese
        )
    else:
        draw.text((left + 50, y), "NAMEPLATE", fill=ink, font=_font(30))
    y += 60
    label = (lambda zh, en: zh) if chinese is not None else (lambda zh, en: en)
    small = _font(22, chinese=True) or _font(22)
    rows = (
        (label("型号", "MODEL"), item.model),
        (label("额定参数", "RATING"), _rating_line(item, extra["parsed"])),
        (label("出厂编号", "SERIAL NO."), extra["serial"]),
        (label("出厂日期", "DATE"), f"{extra['year']}-{rng.randint(1, 12):02d}"),
        (
            label("标准代号", "STANDARD"),
            rng.choice(STANDARDS.get(item.shape, ("GB/T 11022",))),
        ),
    )
    for name, value in rows:
        draw.text((left + 50, y), name, fill=ink, font=small)
        value_font, cjk = _text_font(26)
        draw.text((left + 220, y), _printable(value, cjk), fill=ink, font=value_font)
        draw.line(
            (left + 210, y + 34, right - 50, y + 34), fill=(150, 150, 146), width=1
        )
        y += 56
    return _jpeg(image)


def _pdf_text(text: str) -> str:
    text = text.replace("×", "x").encode("ascii", "replace").decode("ascii")
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _report_pdf(item: Item, extra: dict, kind: str, tested: date) -> bytes:
    """A one-page PDF written by hand: catalogue, pages, page, content, font."""
    title = {
        "factory": "Factory Routine Test Report",
        "commissioning": "Commissioning (Hand-over) Test Report",
        "periodic": "Periodic (Preventive) Test Report",
    }[kind]
    lines = [
        f"{title} - DEMO",
        f"Model: {item.model}",
        f"Serial No.: {extra['serial']}   Year of manufacture: {extra['year']}",
        f"Test date: {tested.isoformat()}",
        "Insulation resistance (2500 V): > 2000 MOhm   PASS",
        "Winding DC resistance unbalance: < 2%   PASS",
        "Power-frequency withstand: no breakdown   PASS",
        "Conclusion: qualified",
    ]
    content = ["BT", "/F1 13 Tf", "72 770 Td", "18 TL"]
    for line in lines:
        content.append(f"({_pdf_text(line)}) Tj T*")
    content.append("ET")
    stream = "\n".join(content).encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length "
        + str(len(stream)).encode()
        + b" >>\nstream\n"
        + stream
        + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\n"
        f"startxref\n{xref}\n%%EOF\n"
    ).encode()
    return bytes(out)
